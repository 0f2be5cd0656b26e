// Residents' self-service (自助式网上办理): pick the place of a problem on the grid map, and small form helps.
// The map draws the public grid polygons; a tap sets the hidden lng/lat, selects the grid it falls in and
// names it. The server decides again (the point must lie in the chosen grid), so this is only a convenience.
(function () {
  "use strict";

  // Ray casting over one ring of [lng, lat] pairs.
  function inRing(ring, lng, lat) {
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if (yi > lat !== yj > lat && lng < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  function inPolygon(rings, lng, lat) {
    if (!rings.length || !inRing(rings[0], lng, lat)) return false;
    return !rings.slice(1).some((hole) => inRing(hole, lng, lat));
  }

  function contains(geometry, lng, lat) {
    if (!geometry) return false;
    if (geometry.type === "Polygon") return inPolygon(geometry.coordinates, lng, lat);
    if (geometry.type === "MultiPolygon") return geometry.coordinates.some((p) => inPolygon(p, lng, lat));
    return false;
  }

  function note(el, text) {
    const div = document.createElement("div");
    div.className = "map-note";
    div.textContent = text;
    el.appendChild(div);
    return div;
  }

  function pickerMap(el) {
    const lngInput = document.getElementById(el.dataset.lngInput);
    const latInput = document.getElementById(el.dataset.latInput);
    const select = document.getElementById(el.dataset.gridSelect);
    const picked = document.querySelector("[data-picked]");
    const tileUrl = el.dataset.tileUrl;
    const map = L.map(el, { attributionControl: Boolean(tileUrl), zoomSnap: 0.25 });
    if (tileUrl) L.tileLayer(tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
    map.setView([34.04, 113.84], 12); // 魏都区, until the grids arrive
    let features = [];
    let marker = null;

    function say(text) {
      if (picked) picked.textContent = text;
    }

    function clearPoint() {
      lngInput.value = "";
      latInput.value = "";
      if (marker) marker.remove();
      marker = null;
    }

    function pick(lng, lat, pan) {
      const feature = features.find((f) => contains(f.geometry, lng, lat));
      if (!feature) {
        clearPoint();
        say(el.dataset.outside);
        return;
      }
      lngInput.value = lng.toFixed(6);
      latInput.value = lat.toFixed(6);
      if (marker) marker.setLatLng([lat, lng]);
      else marker = L.circleMarker([lat, lng], { radius: 9, color: "#b71c1c", weight: 3, fillOpacity: 0.6 }).addTo(map);
      if (select) select.value = feature.properties.code;
      say((picked ? picked.dataset.pickedPrefix : "") + feature.properties.community + " · " + feature.properties.name);
      el.dataset.pickedGrid = feature.properties.code;
      if (pan) map.setView([lat, lng], Math.max(map.getZoom(), 15));
    }

    const loading = note(el, el.dataset.loading);
    fetch(el.dataset.geojsonUrl, { headers: { Accept: "application/geo+json" } })
      .then((response) => {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then((collection) => {
        features = collection.features;
        const layer = L.geoJSON(collection, {
          style: { color: "#b71c1c", weight: 1.2, fillOpacity: 0.08, className: "grid-shape" },
          onEachFeature: (feature, shape) =>
            shape.bindTooltip(feature.properties.community + " · " + feature.properties.name, { sticky: true }),
        }).addTo(map);
        loading.remove();
        // A form sent back with errors keeps its point.
        const lng = parseFloat(lngInput.value);
        const lat = parseFloat(latInput.value);
        if (!Number.isNaN(lng) && !Number.isNaN(lat)) {
          pick(lng, lat, false);
          map.setView([lat, lng], 15, { animate: false });
        } else if (layer.getLayers().length) {
          map.fitBounds(layer.getBounds(), { padding: [8, 8], animate: false });
        }
        el.dataset.ready = "true";
      })
      .catch(() => {
        loading.remove();
        note(el, el.dataset.failed);
      });

    map.on("click", (event) => pick(event.latlng.lng, event.latlng.lat, false));
    if (select) {
      // Choosing another grid by hand drops a point that lies elsewhere.
      select.addEventListener("change", () => {
        if (select.value !== el.dataset.pickedGrid) {
          clearPoint();
          delete el.dataset.pickedGrid;
          say("");
        }
      });
    }

    const locate = document.querySelector("[data-locate-me]");
    if (locate && "geolocation" in navigator) {
      locate.classList.remove("d-none");
      locate.addEventListener("click", () => {
        locate.disabled = true;
        navigator.geolocation.getCurrentPosition(
          (position) => {
            locate.disabled = false;
            pick(position.coords.longitude, position.coords.latitude, true);
          },
          () => {
            locate.disabled = false;
            say(locate.dataset.error);
          },
          { enableHighAccuracy: true, timeout: 15000 }
        );
      });
    }
  }

  // One press sends once (the hidden key makes a second send harmless anyway).
  function busyOnSubmit(form) {
    form.addEventListener("submit", () => {
      const button = form.querySelector("[data-submit]");
      if (!button) return;
      setTimeout(() => {
        button.disabled = true;
        if (button.dataset.busy) button.textContent = button.dataset.busy;
      }, 0);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const el = document.getElementById("case-map");
    if (el && window.L) pickerMap(el);
    document.querySelectorAll("form[data-case-form], form[data-evaluate-form]").forEach(busyOnSubmit);
    document.querySelectorAll("[data-copy-on-focus]").forEach((input) => input.addEventListener("focus", () => input.select()));
  });
})();
