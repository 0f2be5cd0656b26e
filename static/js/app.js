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

// Bootstrap's collapse (the menu, the step forms), the one part of its JavaScript the pages use: 80 KB of
// bootstrap.bundle on every page is not worth it on a phone's line (issue 15).
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-bs-toggle='collapse']");
  if (!toggle) return;
  const target = document.querySelector(toggle.dataset.bsTarget || toggle.getAttribute("href"));
  if (!target) return;
  event.preventDefault();
  const open = target.classList.toggle("show");
  document.querySelectorAll(`[data-bs-toggle='collapse'][data-bs-target='#${target.id}']`).forEach((el) => {
    el.setAttribute("aria-expanded", String(open));
    el.classList.toggle("collapsed", !open);
  });
});

// Offline from the first visit (wudu/offline.py, templates/sw.js): signed-in pages register the service worker
// once the page has loaded, and ask it to keep the pages named for this person (it asks the server which, at most
// every few minutes). <html data-offline-ready> says it has them.
window.addEventListener("load", () => {
  const body = document.body;
  if (!("serviceWorker" in navigator) || !body.dataset.swUrl) return;
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.kept !== undefined) document.documentElement.dataset.offlineReady = "1";
  });
  navigator.serviceWorker.register(body.dataset.swUrl, { scope: "/" })
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => { if (navigator.onLine) registration.active.postMessage({ keep: true }); })
    .catch(() => {});
});

// Signing out forgets the pages kept for offline use (the service worker does too, when it sees the request).
document.addEventListener("submit", (event) => {
  if (!("caches" in window) || !event.target.action) return;
  if (new URL(event.target.action, location.href).pathname.startsWith("/accounts/logout")) caches.delete("wudu-pages");
});
