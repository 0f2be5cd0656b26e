// Residents' self-service (自助式网上办理): small form helps. The map that picks the place is grid-picker.js; here
// the form asks the resident to confirm that place in words before it is sent.
(function () {
  "use strict";

  // Before sending, the place is said in words (street · community · grid) and the resident confirms it: a
  // tap on the map in the wrong spot shows here, not after the case went to the wrong grid.
  function confirmPlace(form) {
    const select = form.querySelector("[data-grid-choice] select");
    const panel = form.querySelector("[data-confirm-place]");
    if (!select || !panel) return;
    const words = panel.querySelector("[data-place-words]");
    let confirmed = false;

    function chosenWords() {
      const option = select.options[select.selectedIndex];
      if (!option || !option.value) return "";
      const group = option.parentElement && option.parentElement.label ? option.parentElement.label + " · " : "";
      return group + option.textContent.trim();
    }

    function reset() {
      confirmed = false;
      panel.classList.add("d-none");
    }

    select.addEventListener("change", reset);
    select.addEventListener("grid-picked", reset);
    form.addEventListener("submit", (event) => {
      const text = chosenWords();
      if (confirmed || !text) return; // no grid yet: the server says what is missing
      event.preventDefault();
      event.stopImmediatePropagation();
      words.textContent = text;
      panel.classList.remove("d-none");
      panel.scrollIntoView({ block: "center" });
      panel.querySelector("[data-confirm-yes]").focus();
    });
    panel.querySelector("[data-confirm-yes]").addEventListener("click", () => {
      confirmed = true;
      form.requestSubmit();
    });
    panel.querySelector("[data-confirm-no]").addEventListener("click", () => {
      reset();
      const map = document.getElementById("case-map");
      (map || select).scrollIntoView({ block: "center" });
    });
  }

  // One press sends once (the hidden key makes a second send harmless anyway).
  function busyOnSubmit(form) {
    form.addEventListener("submit", () => {
      const button = form.querySelector("[data-submit]");
      if (!button) return;
      setTimeout(() => {
        button.disabled = true;
        if (button.dataset.busy) button.textContent = button.dataset.busy;
      }, 0);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-case-form]").forEach(confirmPlace);
    document.querySelectorAll("form[data-case-form], form[data-evaluate-form]").forEach(busyOnSubmit);
    document.querySelectorAll("[data-copy-on-focus]").forEach((input) => input.addEventListener("focus", () => input.select()));
  });
})();
