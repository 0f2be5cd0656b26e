// The patrol page's own service worker (scope /patrol/) is retired: the site's service worker (/sw.js, scope /)
// keeps the patrol page and the worker's other pages for offline use (issue 15). A phone that still has this one
// replaces it by this script, which removes itself; the patrol page's queue (localStorage) is not touched.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.delete("wudu-patrol-v2").then(() => self.registration.unregister()));
});
