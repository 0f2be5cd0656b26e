{% load static %}// The patrol page's service worker: /patrol/ and its static files open without a signal.
// Only GETs are handled; the page's queue posts go straight to the network (patrol.js keeps them).
const CACHE = "wudu-patrol-v2";
const SHELL = [
  "{% url 'patrol:home' %}",
  "{% static 'vendor/bootstrap/bootstrap.min.css' %}",
  "{% static 'css/app.css' %}",
  "{% static 'css/patrol.css' %}",
  "{% static 'vendor/bootstrap/bootstrap.bundle.min.js' %}",
  "{% static 'js/app.js' %}",
  "{% static 'js/patrol.js' %}",
];
const PAGE = SHELL[0];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL.slice(1))).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("wudu-patrol-") && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PAGE) {
    // The page: always fresh when there is a signal, the last good copy when there is none.
    event.respondWith(fetch(request).then((response) => {
      if (response.ok && !response.redirected) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(PAGE, copy));
      }
      return response;
    }).catch(() => caches.match(PAGE).then((cached) => cached || Response.error())));
  } else if (SHELL.includes(url.pathname)) {
    // Stale-while-revalidate: the cached copy at once, refreshed in the background for next time.
    const fresh = fetch(request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
      }
      return response;
    });
    event.waitUntil(fresh.catch(() => null));
    event.respondWith(caches.match(url.pathname).then((cached) => cached || fresh));
  }
});
