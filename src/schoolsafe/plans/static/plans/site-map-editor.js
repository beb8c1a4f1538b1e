// Site map editor: Leaflet with Leaflet.draw (both from the django-leaflet package). Draws without a tile
// server on a plain grid; each drawn shape gets a kind, a name and (for doors) a number, and the whole map is
// saved as one GeoJSON FeatureCollection through the API, which checks it and refuses it whole if anything is
// wrong, leaving the stored map as it was.
(function () {
  "use strict";
  var el = document.querySelector("[data-editor]");
  if (!el || typeof L === "undefined") { return; }
  var data = window.SchoolSafe.config(el.dataset.editor);
  var kinds = {};
  data.kinds.forEach(function (k) { kinds[k.code] = k; });
  var SchoolSafe = window.SchoolSafe;
  var statusEl = document.getElementById("map-status");
  var errorsEl = document.getElementById("map-errors");
  var listEl = document.getElementById("feature-list");
  var form = document.getElementById("feature-form");
  var dirty = false;
  var LABEL_ZOOM = 18;
  // Features farther than this from the school (an off-site reunification site) are not fitted into the first view.
  var CAMPUS_RADIUS_M = 500;

  var map = SchoolSafe.map.create(el, data, { maxZoom: 22, zoomSnap: 0.25 });
  // The school's recorded location, for orientation; not part of the site map.
  L.circleMarker(data.center, { radius: 5, color: "#1a1a1a", weight: 2, fill: false, interactive: false })
    .bindTooltip(SchoolSafe.map.text("School location (recorded)"), { direction: "left", className: "school-tooltip" }).addTo(map);
  var items = new L.FeatureGroup().addTo(map);
  window.schoolsafeSiteMap = { map: map, items: items };

  function label(props) {
    var kind = kinds[props.kind];
    var text = props.name || (kind ? kind.label : "Feature");
    if (!props.name && props.door) { text += " (door " + props.door + ")"; }
    return text;
  }

  function decorate(layer) {
    var props = layer.schoolsafeProps;
    var colour = SchoolSafe.map.colour(props.kind);
    if (layer instanceof L.CircleMarker) {
      layer.setStyle({ radius: 8, color: "#ffffff", weight: 2, fillColor: colour, fillOpacity: 1 });
    } else if (layer.setStyle) {
      layer.setStyle({ color: colour, weight: 2, fillColor: colour, fillOpacity: props.kind === "building" ? 0.35 : 0.12,
                       dashArray: props.kind === "building" ? null : "6 4" });
    }
    layer.unbindTooltip();
    // Names stay on screen only when zoomed in to the buildings; further out they would cover each other.
    // A text node, never HTML: Leaflet puts a string tooltip in with innerHTML, and a name is user input.
    layer.bindTooltip(document.createTextNode(label(props)), { permanent: labelsShown(), direction: "right", className: "feature-tooltip" });
  }

  function labelsShown() { return map.getZoom() >= LABEL_ZOOM; }

  function layerFor(feature) {
    var layer = null;
    L.geoJSON(feature, {
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng); },
      onEachFeature: function (f, lyr) { layer = layer || lyr; }
    });
    if (layer) {
      layer.schoolsafeProps = Object.assign({}, feature.properties);
      delete layer.schoolsafeProps.kind_label;
      delete layer.schoolsafeProps.label;
      decorate(layer);
    }
    return layer;
  }

  function load(features) {
    items.clearLayers();
    features.forEach(function (f) { var layer = layerFor(f); if (layer) { items.addLayer(layer); } });
    refreshList();
  }

  function collection() {
    return {
      type: "FeatureCollection",
      features: items.getLayers().map(function (layer) {
        var geojson = layer.toGeoJSON(7);
        return { type: "Feature", properties: layer.schoolsafeProps, geometry: geojson.geometry };
      })
    };
  }

  function say(text) { if (statusEl) { statusEl.textContent = text; } }

  function showErrors(problems) {
    if (!errorsEl) { return; }
    SchoolSafe.clear(errorsEl);
    if (!problems.length) { errorsEl.hidden = true; return; }
    errorsEl.appendChild(SchoolSafe.el("p", {}, ["Not saved; the stored map is unchanged:"]));
    errorsEl.appendChild(SchoolSafe.el("ul", {}, problems.map(function (text) { return SchoolSafe.el("li", {}, [text]); })));
    errorsEl.hidden = false;
  }

  function markDirty() { dirty = true; say("Unsaved changes."); refreshList(); }

  function refreshList() {
    if (!listEl) { return; }
    SchoolSafe.clear(listEl);
    var layers = items.getLayers();
    if (!layers.length) { listEl.appendChild(SchoolSafe.el("li", { className: "muted" }, ["No features mapped yet."])); }
    layers.forEach(function (layer) {
      var props = layer.schoolsafeProps;
      var li = SchoolSafe.el("li", {}, [
        SchoolSafe.el("span", { className: "feature-kind" }, [kinds[props.kind] ? kinds[props.kind].label : props.kind]),
        ": ", SchoolSafe.el("span", { className: "feature-name" }, [label(props)]),
        props.door ? " (door " + props.door + ")" : ""]);
      if (data.can_edit) {
        var edit = SchoolSafe.el("button", { type: "button", "aria-label": "Edit " + label(props) }, ["Edit"]);
        edit.addEventListener("click", function () { openForm(layer, true); });
        var remove = SchoolSafe.el("button", { type: "button", "aria-label": "Remove " + label(props) }, ["Remove"]);
        remove.addEventListener("click", function () { items.removeLayer(layer); markDirty(); });
        li.appendChild(document.createTextNode(" "));
        li.appendChild(edit);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(remove);
      }
      listEl.appendChild(li);
    });
  }

  // --- the properties form ------------------------------------------------------------------------
  var pending = null;
  var editingExisting = false;

  function geometryOf(layer) { return layer instanceof L.CircleMarker ? "Point" : "Polygon"; }

  function fillKinds(geometry, selected) {
    var select = document.getElementById("feature-kind");
    select.textContent = "";
    data.kinds.forEach(function (k) {
      if (k.geometries.indexOf(geometry) === -1) { return; }
      var option = document.createElement("option");
      option.value = k.code;
      option.textContent = k.label;
      option.selected = k.code === selected;
      select.appendChild(option);
    });
  }

  function syncFields() {
    var kind = document.getElementById("feature-kind").value;
    document.getElementById("feature-door-field").hidden = !(kind === "entrance" || kind === "exit");
    document.getElementById("feature-utility-field").hidden = kind !== "utility_shutoff";
  }

  function openForm(layer, existing) {
    if (!form) { return; }
    pending = layer;
    editingExisting = existing;
    var props = existing ? layer.schoolsafeProps : {};
    var geometry = geometryOf(layer);
    fillKinds(geometry, props.kind || (geometry === "Point" ? "rally_point" : "building"));
    var utility = document.getElementById("feature-utility");
    utility.textContent = "";
    Object.keys(data.utilities).forEach(function (code) {
      var option = document.createElement("option");
      option.value = code;
      option.textContent = data.utilities[code];
      option.selected = code === props.utility;
      utility.appendChild(option);
    });
    document.getElementById("feature-name").value = props.name || "";
    document.getElementById("feature-door").value = props.door || "";
    document.getElementById("feature-notes").value = props.notes || "";
    document.getElementById("feature-form-heading").textContent = existing ? "Change feature" : "New feature";
    document.getElementById("feature-ok").textContent = existing ? "Apply" : "Add to map";
    syncFields();
    form.hidden = false;
    if (!existing) { layer.addTo(map); }
    document.getElementById("feature-kind").focus();
  }

  function closeForm() {
    if (pending && !editingExisting && !items.hasLayer(pending)) { map.removeLayer(pending); }
    pending = null;
    form.hidden = true;
  }

  if (form) {
    document.getElementById("feature-kind").addEventListener("change", syncFields);
    document.getElementById("feature-cancel").addEventListener("click", closeForm);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!pending) { return; }
      var kind = document.getElementById("feature-kind").value;
      var props = { kind: kind };
      var name = document.getElementById("feature-name").value.trim();
      var door = document.getElementById("feature-door").value.trim();
      var notes = document.getElementById("feature-notes").value.trim();
      if (name) { props.name = name; }
      if (notes) { props.notes = notes; }
      if (kind === "entrance" || kind === "exit") {
        if (!door) { showErrors(["door: an entrance or exit needs its door number"]); document.getElementById("feature-door").focus(); return; }
        props.door = door;
      }
      if (kind === "utility_shutoff") { props.utility = document.getElementById("feature-utility").value; }
      showErrors([]);
      var layer = pending;
      layer.schoolsafeProps = props;
      if (!items.hasLayer(layer)) { map.removeLayer(layer); items.addLayer(layer); }
      decorate(layer);
      pending = null;
      form.hidden = true;
      markDirty();
    });
  }

  var pointForm = document.getElementById("point-form");
  if (pointForm) {
    pointForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var lat = parseFloat(document.getElementById("point-lat").value);
      var lon = parseFloat(document.getElementById("point-lon").value);
      if (!isFinite(lat) || !isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
        showErrors(["latitude must be -90 to 90 and longitude -180 to 180"]);
        return;
      }
      openForm(L.circleMarker([lat, lon], { radius: 8 }), false);
    });
  }

  // --- drawing --------------------------------------------------------------------------------------
  if (data.can_edit && L.Control.Draw) {
    map.addControl(new L.Control.Draw({
      position: "topleft",
      draw: {
        polyline: false, circle: false, marker: false,
        circlemarker: { radius: 8, color: "#0b3d91" },
        polygon: { allowIntersection: false, showArea: false },
        rectangle: { showArea: false }
      },
      edit: { featureGroup: items, remove: true }
    }));
    map.on(L.Draw.Event.CREATED, function (event) { openForm(event.layer, false); });
    map.on(L.Draw.Event.EDITED, markDirty);
    map.on(L.Draw.Event.DELETED, markDirty);
  }

  var saveButton = document.getElementById("map-save");
  if (saveButton) {
    saveButton.addEventListener("click", function () {
      saveButton.disabled = true;
      say("Saving…");
      SchoolSafe.request("PUT", data.save_url, collection()).then(function (res) {
        var result = { ok: res.ok, body: res.data || {} };
        if (result.ok) {
          load(result.body.features || []);
          dirty = false;
          showErrors([]);
          say("Saved " + result.body.features.length + " feature" + (result.body.features.length === 1 ? "" : "s") + ".");
        } else {
          showErrors(result.body.problems || [SchoolSafe.detail(res)]);
          say("Not saved.");
        }
      }).catch(function () {
        showErrors(["The server could not be reached; nothing was saved. Try again."]);
        say("Not saved.");
      }).then(function () { saveButton.disabled = false; });
    });
  }

  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  map.setView(data.center, LABEL_ZOOM);
  load(data.features || []);
  var campus = L.latLngBounds([]);
  items.eachLayer(function (layer) {
    var where = layer.getBounds ? layer.getBounds() : L.latLngBounds([layer.getLatLng()]);
    if (map.distance(where.getCenter(), data.center) <= CAMPUS_RADIUS_M) { campus.extend(where); }
  });
  if (campus.isValid() && campus.getNorthEast().distanceTo(campus.getSouthWest()) > 50) {
    map.fitBounds(campus.pad(0.15));
  }
  var shown = labelsShown();
  map.on("zoomend", function () {
    if (labelsShown() !== shown) { shown = labelsShown(); items.eachLayer(decorate); }
  });
})();
