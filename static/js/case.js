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
