// The command center's map: grid polygons, open cases as points coloured by their clock.
(function () {
  const el = document.getElementById("case-map");
  if (!el || !window.L) return;
  const map = L.map(el, { preferCanvas: true });
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "" }).addTo(map);
  const colour = (p) => (p.alert === "overdue" ? "#dc3545" : p.alert === "due_soon" ? "#fd7e14" : "#0d6efd");
  fetch(el.dataset.grids).then((r) => r.json()).then((grids) => {
    const layer = L.geoJSON(grids, { style: { color: "#888", weight: 1, fillOpacity: 0.04 } }).addTo(map);
    if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds());
    return fetch(el.dataset.cases);
  }).then((r) => r.json()).then((cases) => {
    L.geoJSON(cases, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 6, color: colour(f.properties), fillOpacity: 0.8 }),
      onEachFeature: (f, layer) => {
        const p = f.properties;
        const link = document.createElement("a");
        link.href = `${el.dataset.detail}${encodeURIComponent(p.reference)}/`;
        link.textContent = `${p.reference} · ${p.category} · ${p.status}`;
        layer.bindPopup(link);
      },
    }).addTo(map);
  });
})();
