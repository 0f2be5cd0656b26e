// 网格通's service worker (wudu/offline.py): the pages a grid worker needs open with no signal, from the first visit.
// - Static files: from the store first (their names carry a hash, so a stored copy is never stale).
// - Pages: from the network whenever there is one (and the stored copy refreshed); the stored copy only without.
// - Each signed-in page, once loaded, asks it to keep the person's pages (app.js); the list (PAGES_URL) and the
//   pages are fetched once and refreshed at most every KEEP_FRESH_MS, so a slow line does not pay on every page.
// - Signing out, or a page that sends the browser to the sign-in page, empties the stored pages.
// Only GETs are answered here; what the patrol page captures offline waits in its own queue (patrol.js).
const VERSION = "{{ version }}";
const STATIC = `wudu-static-${VERSION}`;
const PAGES = "wudu-pages";
const SHELL = [{% for url in shell %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
const STATIC_PREFIX = "{{ static_prefix|escapejs }}";
const HASHED = {{ hashed|yesno:"true,false" }};
const LOGIN = "{% url 'login' %}";
const PAGES_URL = "{{ pages_url|escapejs }}";
const SIGN_OUT = ["{% url 'logout' %}", "{% url 'logout_everywhere' %}"];
const KEEP_FRESH_MS = 10 * 60 * 1000;
const KEPT_AT = "X-Wudu-Kept-At";

// A file that does not arrive now (a weak line) does not stop the install: it is stored when a page first uses it.
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC)
    .then((cache) => Promise.all(SHELL.map((url) => cache.add(url).catch(() => null))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("wudu-") && k !== STATIC && k !== PAGES)
      .map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

const keyOf = (url) => url.pathname + url.search;
const forget = () => caches.delete(PAGES);

// A copy that can answer any navigation later (a redirected response cannot), stamped with when it was kept.
async function copyOf(response) {
  const headers = new Headers(response.headers);
  headers.set(KEPT_AT, String(Date.now()));
  return new Response(await response.clone().text(), { status: response.status, statusText: response.statusText, headers });
}

// The static files a kept page names, so that it also looks right offline.
async function keepStatic(html) {
  const cache = await caches.open(STATIC);
  const urls = new Set();
  for (const match of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
    if (match[1].startsWith(STATIC_PREFIX)) urls.add(match[1]);
  }
  await Promise.all([...urls].map(async (url) => {
    if (!(await cache.match(url))) await cache.add(url).catch(() => null);
  }));
}

async function keep(path, cache) {
  const stored = await cache.match(path);
  if (stored && Date.now() - Number(stored.headers.get(KEPT_AT) || 0) < KEEP_FRESH_MS) return;
  const response = await fetch(path, { credentials: "same-origin" });
  const landed = new URL(response.url);
  if (landed.pathname === LOGIN) { await forget(); return; }
  if (!response.ok) return;
  const copy = await copyOf(response);
  await keepStatic(await copy.clone().text());
  await cache.put(path, copy.clone());
  if (keyOf(landed) !== path) await cache.put(keyOf(landed), copy);  // /home/ lands on the worker's grid
}

// The list of pages to keep comes from the server (wudu.offline.pages), asked again at most every KEEP_FRESH_MS.
async function keepAll() {
  const cache = await caches.open(PAGES);
  const asked = await cache.match(PAGES_URL);
  let paths;
  if (asked && Date.now() - Number(asked.headers.get(KEPT_AT) || 0) < KEEP_FRESH_MS) {
    paths = (await asked.json()).pages;
  } else {
    const response = await fetch(PAGES_URL, { credentials: "same-origin" });
    if (new URL(response.url).pathname === LOGIN) { await forget(); return 0; }
    if (!response.ok) return 0;
    const copy = await copyOf(response);
    paths = (await copy.clone().json()).pages;
    await cache.put(PAGES_URL, copy);
  }
  await Promise.all(paths.map((path) => keep(path, cache).catch(() => null)));
  return paths.length;
}

self.addEventListener("message", (event) => {
  if (!(event.data && event.data.keep)) return;
  event.waitUntil(keepAll().catch(() => 0)
    .then((kept) => event.source && event.source.postMessage({ kept })));
});

async function page(request) {
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    const landed = new URL(response.url);
    if (landed.pathname === LOGIN) {
      await forget();
    } else if (response.ok) {
      const cache = await caches.open(PAGES);
      if (await cache.match(keyOf(url))) await cache.put(keyOf(url), await copyOf(response));
    }
    return response;
  } catch (error) {
    const cache = await caches.open(PAGES);
    return (await cache.match(keyOf(url))) || Response.error();
  }
}

async function staticFile(request) {
  const stored = await caches.match(request, { ignoreVary: true });
  if (stored && HASHED) return stored;
  try {
    const response = await fetch(request);
    if (response.ok) {
      const copy = response.clone();
      caches.open(STATIC).then((cache) => cache.put(request, copy));
    }
    return response;
  } catch (error) {
    return stored || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    if (SIGN_OUT.includes(url.pathname)) event.waitUntil(forget());
    return;
  }
  if (request.mode === "navigate") event.respondWith(page(request));
  else if (url.pathname.startsWith(STATIC_PREFIX)) event.respondWith(staticFile(request));
});
