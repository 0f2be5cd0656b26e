// The patrol page's figures (日巡查): today's patrol minutes against the grid's minimum, ticking while a patrol is
// open; the summary shown when ending asks to confirm, and the same figures once the patrol is ended.
//
// patrol.js owns the queue and the forms; it tells this file what happened through three events on #patrol-app
// (patrol:start, patrol:visit, patrol:end). The server's figures come in data-* attributes; nothing is fetched.
(() => {
  "use strict";
  const app = document.getElementById("patrol-app");
  if (!app) return;
  const $ = (sel) => app.querySelector(sel);
  const $$ = (sel) => [...app.querySelectorAll(sel)];
  const CURRENT_KEY = `wudu-patrol-current-${app.dataset.user}`; // patrol.js keeps the open patrol here

  function current() {
    try { return JSON.parse(localStorage.getItem(CURRENT_KEY) || "null"); } catch (e) { return null; }
  }
  function openPatrol() {
    const local = current();
    if (local) return { started_at: local.started_at, grid: String(local.grid), client_id: local.client_id };
    const d = app.dataset;
    return d.startedAt ? { started_at: d.startedAt, grid: String(d.grid), client_id: d.patrolClientId } : null;
  }
  const elapsed = (patrol, until = Date.now()) => Math.max(0, (until - new Date(patrol.started_at).getTime()) / 1000);
  function readRoute(clientId) {
    try { return JSON.parse(localStorage.getItem(`wudu-route-${clientId}`) || "[]"); } catch (e) { return []; }
  }
  function routeMetres(points) {
    let total = 0;
    const k = Math.PI / 180;
    for (let i = 1; i < points.length; i += 1) {
      const a = points[i - 1], b = points[i];
      const x = (b[0] - a[0]) * k * Math.cos(((a[1] + b[1]) / 2) * k), y = (b[1] - a[1]) * k;
      total += Math.sqrt(x * x + y * y) * 6371000;
    }
    return Math.round(total);
  }

  // ------------------------------------------------------------------ today's minutes against the minimum
  function tickToday() {
    const patrol = openPatrol();
    for (const row of $$("[data-today]")) {
      let seconds = Number(row.dataset.doneSeconds || 0);
      if (patrol && patrol.grid === row.dataset.grid) seconds += elapsed(patrol);
      const minutes = Math.floor(seconds / 60);
      const minimum = Number(row.dataset.minimum);
      row.querySelector("[data-today-minutes]").textContent = String(minutes);
      row.querySelector("[data-today-done]").hidden = minutes < minimum;
      const bar = $(`[data-today-bar="${row.dataset.grid}"]`);
      if (bar) { bar.value = Math.min(minutes, minimum); bar.textContent = String(minutes); }
    }
  }

  // ------------------------------------------------------------------ ending: confirm with a summary, then show it
  const confirmBox = $("[data-end-confirm]");
  // Findings: the server's count when the page was made, or this phone's own count of the patrol's findings if
  // higher (a page opened from the service worker's copy predates the visits logged since).
  const serverFindings = Number(confirmBox ? confirmBox.dataset.findings : 0);
  const findingsKey = (patrol) => `wudu-patrol-findings-${patrol.client_id}`;
  const localFindings = (patrol) => Number(localStorage.getItem(findingsKey(patrol)) || 0);
  let findings = serverFindings;
  const bootPatrol = openPatrol();
  if (bootPatrol) findings = Math.max(serverFindings, localFindings(bootPatrol));
  const visits = () => Number(($("[data-visit-count]") || {}).textContent || 0);
  function fill(selector, figures) {
    for (const [key, value] of Object.entries(figures)) {
      const node = $(`[${selector}="${key}"]`);
      if (node) node.textContent = value === null ? "—" : String(value);
    }
  }
  function figuresNow(patrol, until, route) {
    return {
      minutes: patrol ? Math.floor(elapsed(patrol, until) / 60) : null,
      route: route.length > 1 ? routeMetres(route) : null,
      visits: visits(),
      findings,
    };
  }
  if (confirmBox) {
    confirmBox.addEventListener("toggle", () => {
      if (!confirmBox.open) return;
      const patrol = openPatrol();
      fill("data-end", figuresNow(patrol, Date.now(), patrol ? readRoute(patrol.client_id) : []));
    });
    $("[data-end-cancel]").addEventListener("click", () => { confirmBox.open = false; });
  }
  app.addEventListener("patrol:start", () => {
    findings = 0;
    $("[data-ended-summary]").hidden = true;
  });
  app.addEventListener("patrol:visit", (event) => {
    if (!event.detail.category) return;
    const patrol = openPatrol();
    if (patrol) {
      const mine = localFindings(patrol) + 1;
      try { localStorage.setItem(findingsKey(patrol), String(mine)); } catch (e) { /* full: the page's count stays */ }
      findings = Math.max(findings + 1, mine);
    } else {
      findings += 1;
    }
  });
  app.addEventListener("patrol:end", (event) => {
    const { patrol, ended_at: endedAt, route } = event.detail;
    const until = new Date(endedAt).getTime();
    fill("data-sum", figuresNow(patrol, until, route || []));
    localStorage.removeItem(findingsKey(patrol));
    $("[data-ended-summary]").hidden = false;
    if (confirmBox) confirmBox.open = false;
    // The ended patrol now counts among today's ended ones.
    const row = $(`[data-today][data-grid="${String(patrol.grid)}"]`);
    if (row) row.dataset.doneSeconds = String(Number(row.dataset.doneSeconds || 0) + elapsed(patrol, until));
    delete app.dataset.startedAt;
    setTimeout(tickToday, 0); // after patrol.js has let go of the patrol (this event comes just before)
  });

  tickToday();
  setInterval(tickToday, 15000);
})();
