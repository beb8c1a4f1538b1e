// Draws maps from a JSON block named by the element's data-map attribute. Without a configured tile
// server (the usual case offline) the map still shows the school and its features on a plain grid.
(function () {
  "use strict";
  function draw(el) {
    var data = JSON.parse(document.getElementById(el.dataset.map).textContent);
    if (!data.center || typeof L === "undefined") { return; }
    var map = L.map(el, { zoomControl: true, attributionControl: !!data.attribution });
    if (data.tiles) {
      L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution || "" }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    var layer = L.geoJSON({ type: "FeatureCollection", features: data.features || [] }, {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 9, color: "#0b3d91", weight: 3, fillColor: "#ffcc00", fillOpacity: 1 });
      },
      onEachFeature: function (feature, lyr) {
        if (feature.properties && feature.properties.name) {
          // A text node, never HTML (Leaflet would put a string in with innerHTML).
          lyr.bindTooltip(document.createTextNode(String(feature.properties.name)), { permanent: true, direction: "right" });
        }
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid() && bounds.getNorthEast().distanceTo(bounds.getSouthWest()) > 50) {
      map.fitBounds(bounds.pad(0.2));
    } else {
      map.setView(data.center, 16);
    }
    window.schoolsafeMaps = window.schoolsafeMaps || {};
    window.schoolsafeMaps[el.id] = map;
  }
  document.querySelectorAll("[data-map]").forEach(draw);
})();
