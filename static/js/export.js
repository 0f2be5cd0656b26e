// The page of one export: asks its status every 2 s while it waits or runs, moves the bar, and when the file is
// there shows the download link and starts the download. Without scripts the page refreshes itself (noscript).
(function () {
  const box = document.getElementById("export-job");
  if (!box || !["queued", "running"].includes(box.dataset.status)) return;
  const bar = document.getElementById("export-progress");
  const show = (status) => {
    box.querySelectorAll(".export-when").forEach((el) => el.classList.add("d-none"));
    const which = ["queued", "running"].includes(status) ? "active" : status;
    const el = box.querySelector(`.export-when-${which}`);
    if (el) el.classList.remove("d-none");
  };
  const poll = () => {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((job) => {
        bar.value = job.percent;
        bar.textContent = `${job.percent}%`;
        box.dataset.status = job.status;
        show(job.status);
        if (job.status === "done" && job.download) {
          window.location.assign(job.download);
        } else if (job.status !== "failed") {
          setTimeout(poll, 2000);
        }
      })
      .catch(() => setTimeout(poll, 5000));
  };
  setTimeout(poll, 1000);
})();
