// The site's maps (Leaflet, from the django-leaflet package): one way to start a map from the JSON a page gives
// ({center, tiles, attribution, features}), one colour per kind of site-map feature, and the school page's
// small map drawn from any element with data-map="<json_script id>". Without a configured tile server (the
// usual case offline, and on many school networks) a map shows its features on a plain grid ("no-tiles").
// Names go into labels as text nodes, never HTML: a feature's name is whatever someone typed.
(function () {
  "use strict";
  var SchoolSafe = (window.SchoolSafe = window.SchoolSafe || {});
  if (SchoolSafe.map) { return; }

  var KIND_COLOURS = {
    school: "#b00020", building: "#555555", entrance: "#1b6e1b", exit: "#b01a1a", rally_point: "#0b5ad1",
    reunification_site: "#6f2da8", staging_area: "#111111", utility_shutoff: "#c76a00", knox_box: "#7a4b14",
    aed: "#c2005f", first_aid_kit: "#c2005f", camera: "#4a4a4a",
  };
  var DEFAULT_COLOUR = "#0b3d91";

  SchoolSafe.map = {
    colours: KIND_COLOURS,
    colour: function (kind) { return KIND_COLOURS[kind] || DEFAULT_COLOUR; },
    // A Leaflet map on `node` with the page's tile server, or the plain grid. options: Leaflet's, plus
    // maxZoom (the tiles are drawn up to zoom 19 and stretched beyond).
    create: function (node, data, options) {
      var opts = { zoomControl: true, attributionControl: !!data.attribution };
      Object.keys(options || {}).forEach(function (k) { opts[k] = options[k]; });
      var map = L.map(node, opts);
      if (data.tiles) {
        L.tileLayer(data.tiles, { maxZoom: opts.maxZoom || 19, maxNativeZoom: 19, attribution: data.attribution || "" })
          .addTo(map);
      } else {
        node.classList.add("no-tiles");
      }
      return map;
    },
    // A tooltip's content: a text node, never HTML (Leaflet would put a string in with innerHTML).
    text: function (value) { return document.createTextNode(String(value)); },
  };

  function draw(el) {
    var data = SchoolSafe.config ? SchoolSafe.config(el.dataset.map) : JSON.parse(document.getElementById(el.dataset.map).textContent);
    if (!data || !data.center || typeof L === "undefined") { return; }
    var map = SchoolSafe.map.create(el, data);
    var layer = L.geoJSON({ type: "FeatureCollection", features: data.features || [] }, {
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 9, color: DEFAULT_COLOUR, weight: 3, fillColor: "#ffcc00", fillOpacity: 1 });
      },
      onEachFeature: function (feature, lyr) {
        if (feature.properties && feature.properties.name) {
          lyr.bindTooltip(SchoolSafe.map.text(feature.properties.name), { permanent: true, direction: "right" });
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
