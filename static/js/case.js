// A long select (the grids under their street · community) gets a box that narrows it as one types: an option
// stays when its name or its group's name holds the text; the only one left is chosen (and said: grid-picker.js
// listens for the change). Without scripts the list is whole and still works.
document.querySelectorAll("select[data-searchable]").forEach((select) => {
  const box = document.createElement("input");
  box.type = "search";
  box.className = "form-control form-control-sm mb-1";
  box.placeholder = select.dataset.searchLabel || "";
  box.setAttribute("aria-label", select.dataset.searchLabel || "");
  box.setAttribute("aria-controls", select.id);
  select.before(box);
  box.addEventListener("input", () => {
    const text = box.value.trim();
    const left = [];
    select.querySelectorAll("option").forEach((option) => {
      if (!option.value) return;
      const group = option.parentElement.tagName === "OPTGROUP" ? option.parentElement.label : "";
      const shown = !text || `${group} ${option.text}`.includes(text);
      option.hidden = !shown;
      if (shown) left.push(option);
    });
    select.querySelectorAll("optgroup").forEach((group) => {
      group.hidden = ![...group.children].some((option) => !option.hidden);
    });
    if (left.length === 1 && select.value !== left[0].value) {
      select.value = left[0].value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
});
