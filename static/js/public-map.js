// Maps of the public notice (统一公示): all grids on the index, one grid's boundary on its page.
// Polygons on a plain background; a tile layer only when the server configures one (data-tile-url).
(function () {
  "use strict";

  const PALETTE = ["#b71c1c", "#1565c0", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#ad1457", "#4e342e"];
  const STREET_CODE_LENGTH = 9; // 6-digit district + 3-digit street

  function colourOf(code) {
    const street = parseInt(String(code).slice(6, STREET_CODE_LENGTH), 10) || 0;
    return PALETTE[street % PALETTE.length];
  }

  function createMap(el, options) {
    const tileUrl = el.dataset.tileUrl;
    const map = L.map(el, Object.assign({ attributionControl: Boolean(tileUrl), zoomSnap: 0.25 }, options || {}));
    if (tileUrl) {
      L.tileLayer(tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    }
    return map;
  }

  function showNote(el, text) {
    if (!text) return;
    const note = document.createElement("div");
    note.className = "map-note";
    note.textContent = text;
    el.appendChild(note);
    return note;
  }

  function goToLocate(url, lng, lat) {
    const params = new URLSearchParams({ lng: lng.toFixed(6), lat: lat.toFixed(6) });
    window.location.assign(url + "?" + params.toString());
  }

  function indexMap(el) {
    const map = createMap(el);
    map.setView([34.04, 113.84], 12); // 魏都区, until the grids arrive
    const loading = showNote(el, el.dataset.loading);
    fetch(el.dataset.geojsonUrl, { headers: { Accept: "application/geo+json" } })
      .then((response) => {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then((collection) => {
        const few = collection.features.length <= 12;
        const layer = L.geoJSON(collection, {
          style: (feature) => ({
            color: colourOf(feature.properties.code),
            weight: 1.5,
            fillOpacity: 0.15,
            className: "grid-shape grid-" + feature.properties.code,
          }),
          onEachFeature: (feature, shape) => {
            // A few grids (one community) carry their names; the whole district names them on hover.
            if (few) shape.bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "grid-label" });
            else shape.bindTooltip(feature.properties.community + " · " + feature.properties.name, { sticky: true });
          },
        }).addTo(map);
        if (loading) loading.remove();
        if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [8, 8], animate: false });
        el.dataset.ready = "true";
      })
      .catch(() => {
        if (loading) loading.remove();
        showNote(el, el.dataset.failed);
      });
    // A click anywhere (on a grid or not) asks the server which grid holds the point.
    map.on("click", (event) => goToLocate(el.dataset.locateUrl, event.latlng.lng, event.latlng.lat));
  }

  function gridMap(el) {
    const source = document.getElementById(el.dataset.boundaryId);
    const boundary = source ? JSON.parse(source.textContent) : null;
    if (!boundary) {
      el.classList.add("d-none");
      return;
    }
    const map = createMap(el);
    const own = L.geoJSON(boundary, {
      style: { color: "#b71c1c", weight: 2.5, fillOpacity: 0.25, className: "grid-shape grid-current" },
    }).addTo(map);
    if (el.dataset.gridName) {
      own.bindTooltip(el.dataset.gridName, { permanent: true, direction: "center", className: "grid-label grid-label-current" });
    }
    map.fitBounds(own.getBounds(), { padding: [24, 24], animate: false });
    el.dataset.ready = "true";
    if (!el.dataset.contextUrl) return;
    // The neighbouring grids of the same community, faint, for orientation; a tap opens their notice.
    fetch(el.dataset.contextUrl, { headers: { Accept: "application/geo+json" } })
      .then((response) => (response.ok ? response.json() : { features: [] }))
      .then((collection) => {
        const others = collection.features.filter((f) => f.properties.code !== el.dataset.gridCode);
        L.geoJSON(others, {
          style: (feature) => ({
            color: "#6c757d", weight: 1, fillOpacity: 0.05, dashArray: "4 3",
            className: "grid-shape grid-neighbour grid-" + feature.properties.code,
          }),
          onEachFeature: (feature, shape) => {
            shape.bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "grid-label" });
            shape.on("click", () => window.location.assign(feature.properties.url));
          },
        }).addTo(map);
        own.bringToFront();
        el.dataset.contextReady = "true";
      })
      .catch(() => {});
  }

  function locateMe(button) {
    if (!("geolocation" in navigator)) return;
    button.classList.remove("d-none");
    button.addEventListener("click", () => {
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        (position) => goToLocate(button.dataset.locateUrl, position.coords.longitude, position.coords.latitude),
        () => {
          button.disabled = false;
          window.alert(button.dataset.error);
        },
        { enableHighAccuracy: true, timeout: 15000 }
      );
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const el = document.getElementById("public-map");
    if (el && window.L) {
      if (el.dataset.mapMode === "index") indexMap(el);
      else gridMap(el);
    }
    document.querySelectorAll("[data-locate-me]").forEach(locateMe);
  });
})();
