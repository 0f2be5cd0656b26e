// The dispatcher's desk: pick all rows of the page, count the picked ones, and re-sort when the order changes.
(() => {
  const picks = () => document.querySelectorAll("input[name=case][form=batch-dispatch]");
  const count = () => {
    const n = [...picks()].filter((box) => box.checked).length;
    document.querySelectorAll("[data-picked]").forEach((el) => { el.textContent = n; });
    document.querySelectorAll("[data-batch-submit]").forEach((button) => { button.disabled = n === 0; });
  };
  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches("[data-pick-all]")) {
      picks().forEach((box) => { box.checked = target.checked; });
    }
    if (target.matches("[data-autosubmit]")) target.form.requestSubmit();
    count();
  });
  document.addEventListener("DOMContentLoaded", count);
})();
