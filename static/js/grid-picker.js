// The grid picker: a Leaflet map of the grids (the public polygons, /gongshi/map.geojson), labelled (without tiles
// they are bare shapes otherwise): the communities' names when many grids are in view, the grids' names when few
// are. A tap (or "use my location") sets the hidden lng/lat, selects the grid it falls in in the form's grid list and
// names it in words (street · community · grid). Used by the residents' form (/suqiu/) and the staff's (the hotline,
// /cases/new/). The server decides again (the point must lie in the chosen grid), so this is only a convenience;
// without scripts the list alone does it.
//
// <div id="case-map"|"event-map" data-geojson-url data-lng-input data-lat-input data-grid-select data-loading data-failed
//      data-outside [data-not-offered] [data-say-choice] [data-tile-url data-tile-attribution]>, a [data-picked]
// element for the words (data-picked-prefix) and an optional [data-locate-me] button.
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
    const shapes = {}; // grid code → its shape on the map
    let marker = null;

    function say(text) {
      if (picked) picked.textContent = text;
    }

    // The option of a grid: its value is the code (the residents' form) or it carries the code (data-code: staff).
    function optionFor(code) {
      if (!select) return null;
      return [...select.options].find((o) => o.value && (o.value === code || o.dataset.code === code)) || null;
    }

    // A grid chosen in the list, in words: "street · community · grid" (the street is the option's group).
    function optionWords(option) {
      if (!option || !option.value) return "";
      const group = option.parentElement && option.parentElement.tagName === "OPTGROUP" ? option.parentElement.label : "";
      return [group, option.textContent.trim()].filter(Boolean).join(" · ");
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
      const option = optionFor(feature.properties.code);
      if (select && !option) {
        // A grid of the map that this person may not enter a case at (another district's, another's grid).
        clearPoint();
        say(el.dataset.notOffered || el.dataset.outside);
        return;
      }
      lngInput.value = lng.toFixed(6);
      latInput.value = lat.toFixed(6);
      if (marker) marker.setLatLng([lat, lng]);
      else marker = L.circleMarker([lat, lng], { radius: 9, color: "#b71c1c", weight: 3, fillOpacity: 0.6 }).addTo(map);
      if (select) {
        select.value = option.value;
        select.dispatchEvent(new CustomEvent("grid-picked"));
      }
      say((picked ? picked.dataset.pickedPrefix : "") + placeWords(feature.properties));
      el.dataset.pickedGrid = feature.properties.code;
      // Located: show the whole grid found (with its name) around the point, not a bare patch of colour.
      if (pan && shapes[feature.properties.code]) map.fitBounds(shapes[feature.properties.code].getBounds(), { padding: [16, 16], maxZoom: 17 });
      else if (pan) map.setView([lat, lng], Math.max(map.getZoom(), 15));
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
            shape.bindTooltip(gridLabel(feature.properties), { permanent: true, direction: "center", className: "grid-label picker-grid-label" }),
        }).addTo(map);
        layer.eachLayer((shape) => {
          shapes[shape.feature.properties.code] = shape;
        });
        labelCommunities(map, layer);
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
      // Choosing another grid by hand drops a point that lies elsewhere. Where the page asks (data-say-choice), the
      // grid chosen is said in words too and shown on the map.
      select.addEventListener("change", () => {
        const option = select.options[select.selectedIndex];
        const code = option ? option.dataset.code || option.value : "";
        if (code === el.dataset.pickedGrid) return;
        clearPoint();
        delete el.dataset.pickedGrid;
        if (!("sayChoice" in el.dataset)) {
          say("");
          return;
        }
        const words = optionWords(option);
        say(words ? (picked ? picked.dataset.pickedPrefix : "") + words : "");
        if (shapes[code]) map.fitBounds(shapes[code].getBounds(), { padding: [16, 16], maxZoom: 17, animate: false });
      });
    }

    // A grid chosen already (the only one offered, or a form sent back with errors) is said at once.
    if (select && select.value && "sayChoice" in el.dataset && !lngInput.value) {
      say(picked.dataset.pickedPrefix + optionWords(select.options[select.selectedIndex]));
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

  // A grid's label names its community too: "第1网格" alone exists in every community. Text nodes, never HTML.
  function gridLabel(p) {
    const label = document.createElement("span");
    const community = document.createElement("small");
    community.className = "d-block";
    community.textContent = p.community;
    label.append(community, document.createTextNode(p.name));
    return label;
  }

  function placeWords(p) {
    return [p.street, p.community, p.name].filter(Boolean).join(" · ");
  }

  // The communities' names at the middle of their grids. Each label shows only where it fits: a grid's name
  // when the grid is large enough on the screen, else its community's name when the community is.
  function labelCommunities(map, layer) {
    const communities = {};
    layer.eachLayer((shape) => {
      const p = shape.feature.properties;
      const key = p.community_code || p.community;
      if (!communities[key]) communities[key] = { name: p.community, bounds: L.latLngBounds([]), shapes: [] };
      communities[key].bounds.extend(shape.getBounds());
      communities[key].shapes.push(shape);
    });
    Object.values(communities).forEach((c) => {
      c.label = L.tooltip({ permanent: true, direction: "center", className: "community-label", interactive: false })
        .setLatLng(c.bounds.getCenter())
        .setContent(c.name)
        .addTo(map);
    });

    function fits(bounds, width, height) {
      const a = map.latLngToContainerPoint(bounds.getSouthWest());
      const b = map.latLngToContainerPoint(bounds.getNorthEast());
      return Math.abs(b.x - a.x) >= width && Math.abs(b.y - a.y) >= height;
    }

    function show(tooltip, visible) {
      const element = tooltip && tooltip.getElement();
      if (element) element.classList.toggle("label-hidden", !visible);
    }

    function relabel() {
      Object.values(communities).forEach((c) => {
        let gridsNamed = false;
        c.shapes.forEach((shape) => {
          const fitsHere = fits(shape.getBounds(), 72, 40);
          gridsNamed = gridsNamed || fitsHere;
          show(shape.getTooltip(), fitsHere);
        });
        show(c.label, !gridsNamed && fits(c.bounds, 40, 16));
      });
    }
    map.on("zoomend", relabel);
    relabel();
  }

  document.addEventListener("DOMContentLoaded", () => {
    // The case forms' map (#case-map), or the event form's (#event-map: the venue's point only, no grid list).
    const el = document.getElementById("case-map") || document.getElementById("event-map");
    if (el && window.L) pickerMap(el);
  });
})();
