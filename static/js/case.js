// Case entry: fill the hidden lng/lat from the phone's position when asked (no inline scripts: CSP).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-locate]");
  if (!button) return;
  const form = button.closest("form");
  const status = form.querySelector("[data-locate-status]");
  if (!navigator.geolocation) { status.textContent = button.dataset.unsupported || "×"; return; }
  status.textContent = "…";
  navigator.geolocation.getCurrentPosition((pos) => {
    form.querySelector("[name=lng]").value = pos.coords.longitude.toFixed(6);
    form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
    status.textContent = `${pos.coords.longitude.toFixed(5)}, ${pos.coords.latitude.toFixed(5)}`;
  }, (err) => { status.textContent = err.message; }, { enableHighAccuracy: true, timeout: 10000 });
});

// A long select (the grids under their street · community) gets a box that narrows it as one types: an option
// stays when its name or its group's name holds the text; the only one left is chosen.
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
    if (left.length === 1) select.value = left[0].value;
  });
});
