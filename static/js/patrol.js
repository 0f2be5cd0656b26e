// The phone patrol (日巡查): every submission is first written to an IndexedDB queue, then sent.
//
// Each queued item carries the client_id (a UUID made here) that the server's services are idempotent by:
// a retry after a lost answer returns the record already saved. The queue is sent strictly in order, so a
// visit logged after a start that is still waiting is held until that start got its server id. A network
// failure or a 5xx keeps the item (and those after it); a 2xx or 4xx removes it (4xx shows the reason).
// Retries: when the browser comes back `online`, every 30 s, and on every page load.
(() => {
  "use strict";
  const app = document.getElementById("patrol-app");
  if (!app) return;
  const T = JSON.parse(document.getElementById("patrol-text").textContent);
  const USER = app.dataset.user;
  const $ = (sel, root = app) => root.querySelector(sel);
  const $$ = (sel, root = app) => [...root.querySelectorAll(sel)];
  const CURRENT_KEY = `wudu-patrol-current-${USER}`;
  const HOUSEHOLDS_SHOWN = 6;
  const MAX_PHOTOS = 5;

  // ------------------------------------------------------------------ IndexedDB queue
  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const request = indexedDB.open("wudu-patrol", 1);
        request.onupgradeneeded = () => {
          request.result.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
          request.result.createObjectStore("patrols", { keyPath: "client_id" });
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return dbPromise;
  }
  function tx(store, mode, fn) {
    return db().then((database) => new Promise((resolve, reject) => {
      const transaction = database.transaction(store, mode);
      const out = fn(transaction.objectStore(store));
      transaction.oncomplete = () => resolve(out instanceof IDBRequest ? out.result : out);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    }));
  }
  const queueAll = () => tx("queue", "readonly", (s) => s.getAll())
    .then((items) => items.filter((item) => item.user === USER));
  const queueAdd = (item) => tx("queue", "readwrite", (s) => s.add(item));
  const queueDelete = (seq) => tx("queue", "readwrite", (s) => s.delete(seq));
  const patrolIdSave = (clientId, id) => tx("patrols", "readwrite", (s) => s.put({ client_id: clientId, id }));
  const patrolIdGet = (clientId) => tx("patrols", "readonly", (s) => s.get(clientId)).then((r) => r && r.id);

  // ------------------------------------------------------------------ helpers
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  const hhmm = (date) => `${String(date.getHours()).padStart(2, "0")}:${String(date.getMinutes()).padStart(2, "0")}`;
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function flash(message, kind = "success") {
    const box = $("[data-flash]");
    box.className = `alert alert-${kind} py-2`;
    box.textContent = message;
    box.hidden = false;
    clearTimeout(flash.timer);
    flash.timer = setTimeout(() => { box.hidden = true; }, 4000);
  }
  function showErrors(label, errors) {
    const messages = Object.values(errors || {}).flat().join(" ");
    const box = el("div", "alert alert-danger alert-dismissible py-2 small", `${label}${T.colon}${messages || T.failed}`);
    box.setAttribute("role", "alert");
    const close = el("button", "btn-close");
    close.type = "button";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", "×");
    box.append(close);
    $("[data-queue-errors]").append(box);
  }

  // ------------------------------------------------------------------ the open patrol (server or local)
  function current() {
    try { return JSON.parse(localStorage.getItem(CURRENT_KEY) || "null"); } catch (e) { return null; }
  }
  function setCurrent(patrol) {
    if (patrol) localStorage.setItem(CURRENT_KEY, JSON.stringify(patrol));
    else localStorage.removeItem(CURRENT_KEY);
  }

  function showPanels() {
    const patrol = current();
    $("[data-start-panel]").hidden = Boolean(patrol);
    $("[data-open-panel]").hidden = !patrol;
    if (!patrol) return;
    $("[data-open-grid]").textContent = patrol.grid_name || "";
    $("[data-open-start]").textContent = hhmm(new Date(patrol.started_at));
    filterHouseholds();
    tick();
  }
  function tick() {
    const patrol = current();
    if (!patrol) return;
    const seconds = Math.max(0, Math.floor((Date.now() - new Date(patrol.started_at).getTime()) / 1000));
    const parts = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60];
    $("[data-duration]").textContent = parts.map((n) => String(n).padStart(2, "0")).join(":");
  }

  // ------------------------------------------------------------------ households: recent first, searchable
  function filterHouseholds() {
    const patrol = current();
    const query = ($("[data-household-search]").value || "").trim().toLowerCase();
    let shown = 0;
    let hiddenMatches = 0;
    for (const row of $$("[data-household]")) {
      const inGrid = !patrol || row.dataset.grid === String(patrol.grid);
      const matches = inGrid && (!query || row.dataset.search.toLowerCase().includes(query));
      const checked = row.querySelector("input").checked;
      const show = checked || (matches && shown < (query ? 30 : HOUSEHOLDS_SHOWN));
      if (show && matches) shown += 1;
      if (matches && !show) hiddenMatches += 1;
      row.hidden = !show;
    }
    $("[data-household-more]").hidden = hiddenMatches === 0;
  }

  // A copy of this patrol's visits logged on this phone: a page opened from the service worker's cache
  // (no signal) still lists the visits already sent since that copy was made.
  const LOG_KEY = `wudu-patrol-log-${USER}`;
  function readLog(patrolClientId) {
    try {
      const log = JSON.parse(localStorage.getItem(LOG_KEY) || "null");
      return log && log.patrol === patrolClientId ? log.visits : [];
    } catch (e) { return []; }
  }
  function appendLog(item) {
    const visits = readLog(item.patrol_client_id).concat([
      { client_id: item.client_id, label: item.label, fields: { visited_at: item.fields.visited_at } },
    ]).slice(-100);
    localStorage.setItem(LOG_KEY, JSON.stringify({ patrol: item.patrol_client_id, visits }));
  }

  // ------------------------------------------------------------------ the lists on the page
  function visitLabel(fields) {
    const type = $(`#vt-${fields.visit_type} + label`);
    const household = fields.household ? $(`[data-household] input[value="${fields.household}"]`) : null;
    const category = fields.category ? $(`#cat-${fields.category} + label`) : null;
    const parts = [type ? type.textContent.trim() : fields.visit_type];
    if (household) parts.push(household.closest("label").dataset.search.trim());
    parts.push(category ? category.textContent.trim() + (fields.unsettled ? ` (${T.unsettled})` : "") : T.no_finding);
    if (fields.photos) parts.push(`${T.photos} ${fields.photos}`);
    return parts.join(" · ");
  }
  function addVisitRow(item) {
    const list = $("[data-visit-list]");
    if (list.querySelector(`[data-client-id="${item.client_id}"]`)) return;
    const row = el("li", "list-group-item small waiting");
    row.dataset.visit = "";
    row.dataset.clientId = item.client_id;
    row.append(el("span", "text-muted", hhmm(new Date(item.fields.visited_at))), " ", item.label, " ");
    row.append(el("span", "badge text-bg-warning", T.waiting));
    list.prepend(row);
    $("[data-visit-empty]").hidden = true;
    $("[data-visit-count]").textContent = String(Number($("[data-visit-count]").textContent || 0) + 1);
  }
  function markVisitWaiting(clientId) {
    const row = $(`[data-visit-list] [data-client-id="${clientId}"]`);
    if (!row || row.classList.contains("waiting")) return;
    row.classList.add("waiting");
    row.append(el("span", "badge text-bg-warning", T.waiting));
  }
  function markVisitRow(clientId, ok) {
    const row = $(`[data-visit-list] [data-client-id="${clientId}"]`);
    if (!row) return;
    row.classList.remove("waiting");
    const badge = row.querySelector(".badge");
    if (ok) { if (badge) badge.remove(); return; }
    row.classList.add("failed");
    if (badge) { badge.className = "badge text-bg-danger"; badge.textContent = T.failed; }
  }
  async function renderQueue() {
    const items = await queueAll();
    const box = $("[data-queue]");
    box.hidden = items.length === 0;
    $("[data-queue-count]").textContent = String(items.length);
    const list = $("[data-queue-list]");
    list.replaceChildren(...items.map((item) => el("li", "", `${hhmm(new Date(item.created_at))} ${T[item.kind]}${item.kind === "visit" ? T.colon + item.label : ""}`)));
    app.dataset.queueCount = String(items.length);
    const patrol = current();
    for (const item of items) {
      if (item.kind === "visit" && patrol && item.patrol_client_id === patrol.client_id) {
        addVisitRow(item);
        markVisitWaiting(item.client_id);
      }
    }
  }

  // ------------------------------------------------------------------ sending
  let flushing = null;
  function flush() {
    if (!flushing) flushing = sendAll().finally(() => { flushing = null; });
    return flushing;
  }
  async function sendAll() {
    try {
      for (const item of await queueAll()) {
        if ((await send(item)) === "hold") break; // keep the order: nothing after a held item goes first
      }
    } finally {
      await renderQueue();
    }
  }
  async function urlFor(item) {
    if (item.kind === "start") return app.dataset.startUrl;
    const id = item.patrol_id || await patrolIdGet(item.patrol_client_id);
    if (!id) return null;
    const template = item.kind === "visit" ? app.dataset.visitUrl : app.dataset.endUrl;
    return template.replace("/0/", `/${id}/`);
  }
  async function send(item) {
    const url = await urlFor(item);
    if (!url) {
      // Its patrol's start was refused (it left the queue without an id): this cannot be sent any more.
      await queueDelete(item.seq);
      showErrors(T[item.kind], { __all__: [T.patrol_failed] });
      if (item.kind === "visit") markVisitRow(item.client_id, false);
      return "done";
    }
    const body = new FormData();
    for (const [key, value] of Object.entries(item.fields)) body.append(key, value);
    body.append("client_id", item.client_id);
    for (const photo of item.photos || []) body.append("photos", photo.blob, photo.name);
    let response;
    try {
      response = await fetch(url, {
        method: "POST", body, credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      });
    } catch (e) {
      return "hold"; // offline or the network dropped
    }
    const isJson = (response.headers.get("Content-Type") || "").includes("application/json");
    if (response.status >= 500) return "hold";
    if (!isJson || response.redirected) {
      // A login page or a CSRF refusal, not the endpoint's answer: keep the record, ask to log in again.
      flash(T.login_again, "warning");
      return "hold";
    }
    const data = await response.json().catch(() => ({}));
    await queueDelete(item.seq);
    if (response.ok) {
      if (item.kind === "start") {
        await patrolIdSave(item.client_id, data.id);
        const patrol = current();
        if (patrol && patrol.client_id === item.client_id) setCurrent({ ...patrol, id: data.id });
      }
      if (item.kind === "visit") markVisitRow(item.client_id, true);
    } else {
      showErrors(item.kind === "visit" ? `${T.visit} ${item.label}` : T[item.kind], data);
      if (item.kind === "visit") markVisitRow(item.client_id, false);
      if (item.kind === "start" && current() && current().client_id === item.client_id) {
        setCurrent(null);
        showPanels();
      }
    }
    return "done";
  }
  async function enqueue(item) {
    try {
      await queueAdd({ ...item, user: USER, created_at: Date.now() });
      return true;
    } catch (e) {
      flash(T.storage_failed, "danger");
      return false;
    }
  }

  // ------------------------------------------------------------------ start
  function locate() {
    return new Promise((resolve) => {
      if (!navigator.geolocation) { resolve(null); return; }
      const timer = setTimeout(() => resolve(null), 10000);
      navigator.geolocation.getCurrentPosition(
        (position) => { clearTimeout(timer); resolve(position.coords); },
        () => { clearTimeout(timer); resolve(null); }, // a refusal still starts the patrol
        { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 },
      );
    });
  }
  // Route: while a patrol is open and the worker allowed location, keep a point every 30 s or 25 m on the
  // phone; the points go with the end of the patrol.
  const ROUTE_EVERY_MS = 30000;
  const ROUTE_EVERY_M = 25;
  let routeWatch = null;
  function routeKey(patrolClientId) { return `wudu-route-${patrolClientId}`; }
  function readRoute(patrolClientId) {
    try { return JSON.parse(localStorage.getItem(routeKey(patrolClientId)) || "[]"); } catch (e) { return []; }
  }
  function metres(a, b) {
    const k = Math.PI / 180, x = (b[0] - a[0]) * k * Math.cos(((a[1] + b[1]) / 2) * k), y = (b[1] - a[1]) * k;
    return Math.sqrt(x * x + y * y) * 6371000;
  }
  function trackRoute(patrolClientId) {
    stopRoute();
    if (!navigator.geolocation || localStorage.getItem(`${routeKey(patrolClientId)}-on`) !== "1") return;
    routeWatch = navigator.geolocation.watchPosition((position) => {
      const points = readRoute(patrolClientId);
      const point = [position.coords.longitude, position.coords.latitude, Math.floor(position.timestamp / 1000)];
      const last = points[points.length - 1];
      if (last && (point[2] - last[2]) * 1000 < ROUTE_EVERY_MS && metres(last, point) < ROUTE_EVERY_M) return;
      points.push(point);
      try { localStorage.setItem(routeKey(patrolClientId), JSON.stringify(points.slice(-4000))); } catch (e) { /* full */ }
    }, () => {}, { enableHighAccuracy: true, maximumAge: 15000 });
  }
  function stopRoute() {
    if (routeWatch !== null && navigator.geolocation) navigator.geolocation.clearWatch(routeWatch);
    routeWatch = null;
  }

  const startForm = $("[data-start-form]");
  startForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = $("[data-start-button]");
    button.disabled = true;
    const gridInput = startForm.querySelector("input[name=grid]:checked") || startForm.querySelector("input[name=grid][type=hidden]");
    const coords = await locate();
    const startedAt = new Date().toISOString();
    const item = { kind: "start", client_id: uuid(), fields: { grid: gridInput.value, started_at: startedAt } };
    if (coords) Object.assign(item.fields, { lng: String(coords.longitude), lat: String(coords.latitude) });
    button.disabled = false;
    if (!(await enqueue(item))) return;
    setCurrent({ client_id: item.client_id, id: null, grid: gridInput.value, grid_name: gridInput.dataset.gridName, started_at: startedAt });
    if (coords) {
      localStorage.setItem(`${routeKey(item.client_id)}-on`, "1");
      trackRoute(item.client_id);
    }
    $("[data-visit-list]").querySelectorAll("[data-visit]").forEach((row) => row.remove());
    $("[data-visit-empty]").hidden = false;
    $("[data-visit-count]").textContent = "0";
    showPanels();
    app.dispatchEvent(new CustomEvent("patrol:start", { detail: { started_at: startedAt, grid: gridInput.value } })); // patrol-timer.js
    await renderQueue();
    flush();
  });

  // ------------------------------------------------------------------ visits: type, household, finding, 保存
  const visitForm = $("[data-visit-form]");
  const photoInput = $("[data-photos]");
  const formError = $("[data-form-error]");
  const photoCount = $("[data-photo-count]");
  const photoHint = photoCount.textContent;
  photoInput.addEventListener("change", () => {
    const n = photoInput.files.length;
    photoCount.textContent = n ? T.photos_chosen.replace("%(n)s", n) : photoHint;
    photoCount.classList.toggle("text-danger", n > MAX_PHOTOS);
  });
  function resetVisitForm() {
    visitForm.reset(); // back to 无需选择 / 未发现问题 / 当场解决
    photoCount.textContent = photoHint;
    photoCount.classList.remove("text-danger");
    $("[data-household-search]").value = "";
    filterHouseholds();
  }
  visitForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const patrol = current();
    if (!patrol) return;
    const data = new FormData(visitForm);
    formError.hidden = true;
    if (!data.get("visit_type")) { formError.textContent = T.choose_type; formError.hidden = false; return; }
    const files = [...photoInput.files];
    if (files.length > MAX_PHOTOS) { formError.textContent = T.too_many_photos; formError.hidden = false; return; }
    const save = $("[data-save]");
    save.disabled = true;
    try {
      // Copy the bytes now: a camera's temporary file may be gone by the time the queue is sent.
      const photos = await Promise.all(files.map(async (file, i) => ({
        name: file.name || `photo-${i + 1}.jpg`, blob: new Blob([await file.arrayBuffer()], { type: file.type || "image/jpeg" }),
      })));
      const fields = {
        visit_type: data.get("visit_type"), household: data.get("household") || "", category: data.get("category") || "",
        unsettled: data.get("unsettled") ? "on" : "", finding: data.get("finding") || "", action: data.get("action") || "",
        visited_at: new Date().toISOString(),
      };
      const label = visitLabel({ ...fields, photos: photos.length });
      const item = { kind: "visit", client_id: uuid(), patrol_client_id: patrol.client_id, patrol_id: patrol.id, fields, photos, label };
      if (!(await enqueue(item))) return;
      appendLog(item);
      addVisitRow(item);
      app.dispatchEvent(new CustomEvent("patrol:visit", { detail: fields })); // patrol-timer.js
      resetVisitForm();
      flash(navigator.onLine ? T.saved : T.saved_offline);
      await renderQueue();
      flush();
    } finally {
      save.disabled = false;
    }
  });
  $("[data-household-search]").addEventListener("input", filterHouseholds);
  $("[data-household-search]").addEventListener("keydown", (event) => { if (event.key === "Enter") event.preventDefault(); });

  // ------------------------------------------------------------------ end
  $("[data-end-form]").addEventListener("submit", async (event) => {
    event.preventDefault();
    const patrol = current();
    if (!patrol) return;
    const item = { kind: "end", client_id: uuid(), patrol_client_id: patrol.client_id, patrol_id: patrol.id, fields: { ended_at: new Date().toISOString() } };
    const route = readRoute(patrol.client_id);
    if (route.length) item.fields.route = JSON.stringify(route);
    if (!(await enqueue(item))) return;
    stopRoute();
    localStorage.removeItem(routeKey(patrol.client_id));
    localStorage.removeItem(`${routeKey(patrol.client_id)}-on`);
    app.dispatchEvent(new CustomEvent("patrol:end", { detail: { patrol, ended_at: item.fields.ended_at, route } })); // patrol-timer.js
    setCurrent(null);
    showPanels();
    await renderQueue();
    flush();
  });

  // ------------------------------------------------------------------ start-up
  async function boot() {
    const queued = await queueAll().catch(() => []);
    const ended = new Set(queued.filter((i) => i.kind === "end").map((i) => i.patrol_client_id));
    const d = app.dataset;
    if (d.patrolClientId && !ended.has(d.patrolClientId)) {
      await patrolIdSave(d.patrolClientId, Number(d.patrolId));
      setCurrent({ client_id: d.patrolClientId, id: Number(d.patrolId), grid: d.grid, grid_name: d.gridName, started_at: d.startedAt });
    } else {
      // No open patrol on the server: keep the local one only while its start is still waiting to be sent.
      const local = current();
      const waiting = local && queued.some((i) => i.kind === "start" && i.client_id === local.client_id);
      if (!waiting || ended.has(local && local.client_id)) setCurrent(null);
    }
    showPanels();
    const patrol = current();
    if (patrol) trackRoute(patrol.client_id);
    if (patrol) {
      for (const logged of readLog(patrol.client_id)) {
        if (!$(`[data-visit-list] [data-client-id="${logged.client_id}"]`)) {
          addVisitRow(logged);
          markVisitRow(logged.client_id, true); // renderQueue marks it again if it is still waiting
        }
      }
    }
    await renderQueue();
    flush();
  }
  function updateOnline() { $("[data-offline-badge]").hidden = navigator.onLine; }
  window.addEventListener("online", () => { updateOnline(); flush(); });
  window.addEventListener("offline", updateOnline);
  setInterval(flush, 30000);
  setInterval(tick, 1000);
  updateOnline();
  $("[data-queue-retry]").addEventListener("click", () => flush());
  boot();

  // The page opens offline through the site's service worker (app.js, templates/sw.js).
})();
