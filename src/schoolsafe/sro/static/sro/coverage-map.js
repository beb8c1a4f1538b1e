// The coverage map: each school a marker, labelled with its name and "covered" or "gap" in words (never colour
// alone); the same list is beside the map. The data comes from the page's json_script block.
(function () {
  "use strict";
  var node = document.querySelector("[data-coverage-map]");
  if (!node || typeof L === "undefined" || !window.SchoolSafe || !SchoolSafe.map) { return; }
  var source = document.getElementById(node.dataset.coverageMap);
  var data = source ? JSON.parse(source.textContent) : null;
  if (!data || !data.center) { return; }
  var map = SchoolSafe.map.create(node, data);
  var layer = L.geoJSON({ type: "FeatureCollection", features: data.features || [] }, {
    pointToLayer: function (feature, latlng) {
      var gap = feature.properties.status === "gap";
      return L.circleMarker(latlng, { radius: gap ? 11 : 8, color: gap ? "#b00020" : "#1b6e1b", weight: 3,
        fillColor: gap ? "#ffffff" : "#1b6e1b", fillOpacity: 1, dashArray: gap ? "4 3" : null });
    },
    onEachFeature: function (feature, lyr) {
      lyr.bindTooltip(SchoolSafe.map.text(feature.properties.label), { permanent: true, direction: "right" });
    }
  }).addTo(map);
  var bounds = layer.getBounds();
  if (bounds.isValid()) { map.fitBounds(bounds.pad(0.15)); } else { map.setView(data.center, 12); }
  window.schoolsafeMaps = window.schoolsafeMaps || {};
  window.schoolsafeMaps[node.id] = map;
})();
