// The poster page: a print button (the page prints fine from the browser menu too).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.classList.remove("d-none");
    button.addEventListener("click", () => window.print());
  });
});
