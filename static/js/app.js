// Small behaviours shared by every page (no inline scripts: CSP).
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("select[data-autosubmit]")) el.form.submit();
});

// The notification badge: fetched after the page, so no page pays for it; without a network (the patrol page
// works offline) the plain link stays as it is.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-badge-url]").forEach((item) => {
    if (!navigator.onLine) return;
    // One badge per screen: the menu's on a wide one, the bell beside the menu button on a phone (the other is hidden).
    if (item.offsetParent === null) return;
    fetch(item.dataset.badgeUrl, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : null))
      .then((html) => { if (html) item.innerHTML = html; })
      .catch(() => {});
  });
});
