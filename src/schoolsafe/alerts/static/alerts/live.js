// Shared by the alert pages: the alert kinds on the page's event stream (schoolsafe/stream.js, with delivery
// receipts), the audible and visible signal, and the renderers of an incident's parts. JSON calls and DOM
// helpers are the site's (schoolsafe/request.js, schoolsafe/dom.js). Text goes in with textContent only,
// never as HTML.
(function () {
  "use strict";
  var SS = (window.SSAlerts = {});
  // alert.action_changed: an incident whose action became more protective (a Lockdown that is now an Evacuate,
  // one incident per emergency) is news to everyone it reaches: shown, signalled and receipted like a raise.
  var ALERT_KINDS = ["alert.raised", "alert.action_changed", "alert.report", "alert.cancel_requested",
                     "alert.acknowledged", "alert.all_clear", "alert.cancelled", "alert.escalated",
                     "alert.room_status", "alert.message", "alert.room_released", "alert.threat_location"];
  var STATUS_WORDS = { ok: "All accounted for", need_help: "Need help", injured: "Injured", missing: "Missing students",
                       extra: "Extra students" };
  var ACTION_WORDS = { hold: "Hold", secure: "Secure", lockdown: "Lockdown", evacuate: "Evacuate", shelter: "Shelter" };

  var SchoolSafe = window.SchoolSafe;
  // The site's helpers, under the names the alert scripts use.
  SS.config = SchoolSafe.config;
  SS.csrf = SchoolSafe.csrf;
  SS.request = SchoolSafe.request;
  SS.detail = SchoolSafe.detail;
  SS.withId = SchoolSafe.withId;
  SS.el = SchoolSafe.el;
  SS.clear = SchoolSafe.clear;

  SS.clock = function (iso) {
    if (!iso) { return ""; }
    // 24-hour with the zone's abbreviation ("15:30:06 EST"), as the server renders times: in the school's time
    // zone (data-time-zone on the page), never the browser's, so that one page never shows two zones.
    var holder = document.querySelector("[data-time-zone]");
    var options = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "short" };
    if (holder && holder.dataset.timeZone) { options.timeZone = holder.dataset.timeZone; }
    try {
      return new Date(iso).toLocaleTimeString("en-US", options);
    } catch (e) {
      delete options.timeZone;  // an unknown zone name: the browser's zone, still named
      return new Date(iso).toLocaleTimeString("en-US", options);
    }
  };

  SS.actionName = function (alert) {
    return alert.tier === "assist" ? "Staff help needed" : (ACTION_WORDS[alert.action] || alert.action);
  };

  SS.where = function (alert) {
    var loc = alert.location || {};
    var parts = [];
    if (loc.building) { parts.push("building " + loc.building); }
    if (loc.room) { parts.push(/^room\b/i.test(loc.room) ? loc.room : "room " + loc.room); }
    if (loc.text) { parts.push(loc.text); }
    return parts.join(", ");
  };

  // --- the signal: three beeps (Web Audio) and a flashing banner (still, under prefers-reduced-motion) -----
  var audio = null;
  SS.soundOn = true;
  SS.signals = 0;
  function unlockAudio() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) { return null; }
      audio = audio || new Ctx();
      if (audio.state === "suspended") { audio.resume(); }
    } catch (e) { audio = null; }
    return audio;
  }
  // Browsers start audio only after a gesture on the page: any tap or key press unlocks it for later alerts.
  document.addEventListener("pointerdown", unlockAudio);
  document.addEventListener("keydown", unlockAudio);

  // --- silence and sound: ONE decision, `SS.soundDecision`, for every signal ------------
  // SRP: in a lockdown, "locks, lights, out of sight": staff keep silent, and New Jersey's Alyssa's Law asks for a
  // silent alarm. So no page but the dispatch console sounds for a lockdown, or for anything at a school while a
  // lockdown is in force there: the banner shows and the device vibrates where the browser allows. A device can
  // also be set silent by its user (kept in localStorage). The console sounds, and repeats until acknowledged.
  var SILENT_KEY = "schoolsafe.silent";
  SS.isConsole = document.body.dataset.alertConsole === "true";
  SS.lockdowns = {}; // school id -> {alert id: true} for lockdowns in force, from the page and the stream
  (document.body.dataset.lockdownSchools || "").split(",").forEach(function (id) {
    if (/^[0-9]+$/.test(id)) { SS.lockdowns[id] = { page: true }; }
  });
  SS.deviceSilent = function () {
    try { return window.localStorage.getItem(SILENT_KEY) === "1"; } catch (e) { return false; }
  };
  SS.setDeviceSilent = function (silent) {
    try { window.localStorage.setItem(SILENT_KEY, silent ? "1" : "0"); } catch (e) { /* private mode */ }
  };
  SS.underLockdown = function (schoolId) {
    var here = SS.lockdowns[String(schoolId)];
    return !!here && Object.keys(here).length > 0;
  };
  // Keeps SS.lockdowns current from the stream (called for every alert event before the page's handler).
  SS.track = function (kind, data) {
    if (!data || !data.school || data.tier === "assist") { return; }
    var school = String(data.school.id);
    var opened = kind === "alert.raised" || kind === "alert.action_changed";
    if (opened && data.status === "active" && data.action === "lockdown") {
      SS.lockdowns[school] = SS.lockdowns[school] || {};
      SS.lockdowns[school][data.id] = true;
    } else if ((opened || kind === "alert.all_clear" || kind === "alert.cancelled") && SS.lockdowns[school]) {
      // Ended, or changed to another action (Lockdown -> Evacuate): no longer a lockdown in force.
      delete SS.lockdowns[school][data.id];
      delete SS.lockdowns[school].page;
    }
  };
  // The decision: {sound, vibrate, why}. `alert` is the alert the signal is about (may be undefined).
  SS.soundDecision = function (alert) {
    if (!SS.soundOn) { return { sound: false, vibrate: false, why: "sound off" }; }
    if (SS.deviceSilent()) { return { sound: false, vibrate: true, why: "this device is set to silent" }; }
    if (!SS.isConsole && alert && alert.school &&
        ((alert.action === "lockdown" && alert.tier !== "assist") || SS.underLockdown(alert.school.id))) {
      return { sound: false, vibrate: true, why: "lockdown: silent" };
    }
    return { sound: true, vibrate: false, why: "" };
  };
  // Every audible or silent signal goes through here.
  SS.signal = function (alert) {
    SS.signals += 1;
    document.body.dataset.alertSignals = String(SS.signals);
    var decision = SS.soundDecision(alert);
    var note = document.getElementById("incoming-silent");
    if (note) {
      note.textContent = decision.sound ? "" : "Silent: " + decision.why + ".";
      note.hidden = decision.sound;
    }
    // Browsers refuse vibration before the person has touched the page (and log an error): ask only after.
    var touched = !navigator.userActivation || navigator.userActivation.hasBeenActive;
    if (decision.vibrate && navigator.vibrate && touched) {
      try { navigator.vibrate([300, 150, 300]); } catch (e) { /* not allowed here */ }
    }
    if (decision.sound) { tone(); }
    return decision;
  };

  // Kept for the console's sound toggle and older callers: a signal about no particular alert.
  SS.beep = function (alert) { return SS.signal(alert); };

  function tone() {
    var ctx = unlockAudio();
    if (!ctx) { return; }
    var start = ctx.currentTime + 0.02;
    for (var i = 0; i < 3; i++) {
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.type = "square";
      osc.frequency.value = i % 2 ? 660 : 880;
      gain.gain.value = 0.15;
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start(start + i * 0.35);
      osc.stop(start + i * 0.35 + 0.25);
    }
  }

  // The per-device silent setting (a button in the page footer, where the page has one).
  function bindSilentToggle() {
    var button = document.getElementById("device-silent-toggle");
    if (!button) { return; }
    function draw() {
      var silent = SS.deviceSilent();
      button.setAttribute("aria-pressed", silent ? "true" : "false");
      button.textContent = silent ? "This device: silent (alerts vibrate and show)" : "This device: alerts sound";
    }
    button.hidden = false;
    button.addEventListener("click", function () { SS.setDeviceSilent(!SS.deviceSilent()); draw(); });
    draw();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", bindSilentToggle); }
  else { bindSilentToggle(); }

  document.addEventListener("click", function (ev) {
    if (ev.target && ev.target.id === "incoming-dismiss") { document.getElementById("incoming").hidden = true; }
  });

  SS.flash = function (node) {
    node.hidden = false;
    node.classList.remove("flash");
    void node.offsetWidth; // restart the animation
    node.classList.add("flash");
  };

  // The banner for an alert that has just arrived (panic page, incident page, console).
  SS.showIncoming = function (alert, url) {
    var box = document.getElementById("incoming");
    if (!box) { return; }
    document.getElementById("incoming-title").textContent =
      (alert.exercise ? "EXERCISE — " : "") + SS.actionName(alert).toUpperCase() + " at " + alert.school.name +
      (SS.where(alert) ? " (" + SS.where(alert) + ")" : "");
    // The school's SRP wording, in Spanish on a page shown in Spanish.
    var spanish = (document.documentElement.lang || "").indexOf("es") === 0 && alert.directive_es;
    document.getElementById("incoming-directive").textContent = (spanish ? alert.directive_es : alert.directive) || "";
    var link = document.getElementById("incoming-link");
    if (url) { link.href = url; link.hidden = false; } else { link.hidden = true; }
    box.className = "incoming srp-" + alert.action + (alert.tier === "assist" ? " assist" : "");
    SS.flash(box);
    SS.signal(alert);
  };

  // --- the event stream --------------------------------------------------------------------------------
  // The site's one client (schoolsafe/stream.js) with the alert kinds, each receipted and tracked for the
  // lockdown silence before the page's handler. handlers: {event(kind, data, id), open(), state(text)};
  // options: {resume, since, kinds} (a page may listen for more kinds: the console, tips sent to dispatch).
  SS.stream = function (handlers, options) {
    options = options || {};
    return SchoolSafe.stream({
      event: function (kind, data, id) {
        SS.track(kind, data);
        if (handlers.event) { handlers.event(kind, data, id); }
      },
      open: handlers.open,
      state: handlers.state,
    }, { kinds: ALERT_KINDS.concat(options.kinds || []), resume: !!options.resume, since: options.since, receipts: true });
  };

  SS.streamState = SchoolSafe.streamState;

  // The incident page of an alert (the page gives the URL with the placeholder id 0: data-incident-url).
  SS.incidentUrl = function (id) {
    var holder = document.querySelector("[data-incident-url]");
    return holder ? SchoolSafe.withId(holder.dataset.incidentUrl, id) : "";
  };

  // Which alert an event is about (alert_json payloads carry `id`, the others `alert`).
  SS.alertIdOf = function (kind, data) {
    return data.alert !== undefined ? data.alert : data.id;
  };

  // --- renderers of an incident's parts (`state` is the JSON of /alerts/<id>/state.json) ----------------
  function part(root, name) { return root.querySelector('[data-part="' + name + '"]'); }

  function names(list) { return (list || []).join(", "); }

  function renderBoard(node, board) {
    SS.clear(node);
    var c = board.counts;
    node.appendChild(SS.el("p", { className: "board-counts" }, [
      c.reported + " of " + c.rooms + " rooms reported · students present " + c.present + " · adults " + c.adults +
      " (staff " + c.staff + ", visitors " + c.visitors + ") · injured " + c.injured +
      " · missing " + c.missing + " · extra " + c.extra]));
    // Names only for those who run the response (the server decides); others read the counts.
    function who(list, n) { return names(list) || (n ? String(n) : "—"); }
    if (board.rooms.length) {
      var rows = board.rooms.map(function (r) {
        return SS.el("tr", { className: "room-" + r.status, dataset: { room: r.room } }, [
          SS.el("th", { scope: "row" }, [r.room]),
          SS.el("td", { className: "room-status", "data-label": "Status" }, [STATUS_WORDS[r.status] || r.status]),
          SS.el("td", { "data-label": "Present" }, [r.present === null ? "—" : String(r.present)]),
          SS.el("td", { "data-label": "Adults" }, [r.staff === null && r.visitors === null ? "—" :
                                                  (r.staff || 0) + " staff, " + (r.visitors || 0) + " visitors"]),
          SS.el("td", { "data-label": "Injured" }, [r.injured === null ? "—" : String(r.injured)]),
          SS.el("td", { "data-label": "Missing" }, [who(r.missing, r.missing_count)]),
          SS.el("td", { "data-label": "Extra" }, [who(r.extra, r.extra_count)]),
          SS.el("td", { "data-label": "Reported" }, [(r.note ? r.note + " — " : "") +
                                                     (r.reported_by ? r.reported_by.name : "") + " " + SS.clock(r.reported_at)]),
        ]);
      });
      var head = SS.el("tr", {}, ["Room", "Status", "Present", "Adults", "Injured", "Missing", "Extra", "Reported"].map(
        function (h) { return SS.el("th", { scope: "col" }, [h]); }));
      node.appendChild(SS.el("table", { className: "table board-table" }, [
        SS.el("caption", { className: "visually-hidden" }, ["Rooms that have reported"]),
        SS.el("thead", {}, [head]), SS.el("tbody", {}, rows)]));
    } else {
      node.appendChild(SS.el("p", { className: "muted" }, ["No room has reported yet."]));
    }
    var nr = SS.el("div", { className: "not-reported" }, [
      SS.el("h3", {}, ["Not reported (" + board.not_reported.length + ")"])]);
    if (board.not_reported.length) {
      nr.appendChild(SS.el("ul", { className: "chips" }, board.not_reported.map(function (room) {
        return SS.el("li", {}, [room]);
      })));
    } else {
      nr.appendChild(SS.el("p", { className: "muted" }, ["Every expected room has reported."]));
    }
    node.appendChild(nr);
    if (board.release) { renderRelease(node, board.release); }
  }

  // SRP lockdown release: each room released in person, or not yet.
  function renderRelease(node, release) {
    var box = SS.el("div", { className: "release", dataset: { part: "release" } }, [
      SS.el("h3", {}, ["Released in person (" + release.released.length + " of " +
                       (release.released.length + release.not_released.length) + ")"])]);
    var items = release.released.map(function (r) {
      return SS.el("li", { className: "released", dataset: { room: r.room, released: "yes" } }, [
        r.room + ": released by " + (r.released_by ? r.released_by.name : "?") + " at " + SS.clock(r.released_at)]);
    }).concat(release.not_released.map(function (room) {
      return SS.el("li", { className: "not-released", dataset: { room: room, released: "no" } }, [room + ": not released"]);
    }));
    box.appendChild(SS.el("ul", { className: "plain release-list" }, items));
    node.appendChild(box);
  }

  function renderDelivery(node, d) {
    SS.clear(node);
    var c = d.counts;
    node.appendChild(SS.el("p", { className: "delivery-counts" }, [
      "Received " + c.received + " of " + c.intended + " · acknowledged " + c.acknowledged + " · not yet received " +
      c.not_received]));
    var rows = d.recipients.map(function (r) {
      return SS.el("tr", {}, [
        SS.el("th", { scope: "row" }, [r.user.name]),
        SS.el("td", { "data-label": "Role" }, [r.roles.join(", ").replace(/_/g, " ")]),
        SS.el("td", { "data-label": "Received" }, [r.received_at ? SS.clock(r.received_at) : "not yet"]),
        SS.el("td", { "data-label": "Acknowledged" }, [r.acknowledged_at ? SS.clock(r.acknowledged_at) : "not yet"]),
        // Each path tried (stream, push, SMS fallback) with its time; the first that worked is named.
        SS.el("td", { "data-label": "Reached by", className: "reach-paths" }, [
          (r.reached_by ? r.reached_by.toUpperCase() : "not reached") + ((r.paths || []).length ? " (" +
            r.paths.map(function (p) { return p.path + " " + (p.at ? SS.clock(p.at) : "") + (p.ok ? "" : " failed"); })
              .join("; ") + ")" : "")]),
      ]);
    });
    var head = SS.el("tr", {}, ["Recipient", "Role", "Received", "Acknowledged", "Reached by"].map(function (h) {
      return SS.el("th", { scope: "col" }, [h]);
    }));
    node.appendChild(SS.el("table", { className: "table delivery-table" }, [
      SS.el("caption", { className: "visually-hidden" }, ["Who received and acknowledged the alert"]),
      SS.el("thead", {}, [head]), SS.el("tbody", {}, rows)]));
  }

  function tel(phone) {
    return phone ? SS.el("a", { href: "tel:" + phone.replace(/[^0-9+]/g, "") }, [phone]) : "no phone on file";
  }

  function renderContacts(node, state) {
    SS.clear(node);
    var s = state.school || {};
    var items = [SS.el("li", {}, [SS.el("strong", {}, [s.name + ": "]), tel(state.contacts.phone)])];
    if (s.address) { items.push(SS.el("li", { className: "muted" }, [s.address])); }
    function alternate(p) { return p.alternate_phone ? [" or ", tel(p.alternate_phone)] : []; }
    state.contacts.admins.forEach(function (p) {
      items.push(SS.el("li", {}, [p.name + (p.title ? " (" + p.title + ")" : " (administrator)") + ": ", tel(p.phone)]
        .concat(alternate(p))));
    });
    // The rest of the school's 24/7 contacts (the responder packet's list): custodian, district, dispatch.
    (state.contacts.others || []).forEach(function (p) {
      items.push(SS.el("li", {}, [p.name + " (" + p.role + "): ", tel(p.phone)].concat(alternate(p))));
    });
    node.appendChild(SS.el("ul", { className: "plain contacts" }, items));
  }

  function renderSros(node, sros) {
    SS.clear(node);
    if (!sros.length) { node.appendChild(SS.el("li", { className: "muted" }, ["No officer assigned to this school."])); }
    sros.forEach(function (p) {
      node.appendChild(SS.el("li", {}, [p.name + ": ", tel(p.phone)].concat(
        p.alternate_phone ? [" or ", tel(p.alternate_phone)] : [])));
    });
  }

  // --- the site map (schoolsafe/map.js starts it and colours its kinds): drawn to be read without map tiles (the demo and many school networks have none) ------
  // Outlines for areas, a coloured mark per point, short labels placed so that none covers another (a label
  // with no room left becomes its number, which the list under the map explains), and a legend. The view fits
  // the campus; a feature far away (an off-site reunification site) is listed, not allowed to shrink the campus
  // to a dot. Labels are text nodes, never HTML: a feature's name is whatever someone typed into the site map.
  var CAMPUS_RADIUS_M = 500;
  // Where a label may go, nearest first: beside its mark, then a little above or below, then further out.
  var LABEL_SPOTS = [["right", 0, 0], ["left", 0, 0], ["top", 0, 0], ["bottom", 0, 0], ["right", 0, -16],
                     ["right", 0, 16], ["left", 0, -16], ["left", 0, 16], ["top", -30, 0], ["top", 30, 0],
                     ["bottom", -30, 0], ["bottom", 30, 0], ["right", 0, -32], ["right", 0, 32], ["left", 0, -32],
                     ["left", 0, 32], ["top", 0, -16], ["bottom", 0, 16]];

  SS.textLabel = function (text, className) {
    return SS.el("span", { className: className || "" }, [String(text)]);
  };

  function shortLabel(p) {
    var text = String(p.name || p.kind_label || "Feature");
    if (p.kind !== "school") { text = text.replace(/\s*\([^)]*\)\s*$/, ""); }
    if (p.door && text.indexOf(String(p.door)) < 0) { text += " (door " + p.door + ")"; }
    return text.length > 32 ? text.slice(0, 31) + "…" : text;
  }

  function overlapping(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  function placeLabels(node, entries) {
    var frame = node.getBoundingClientRect();
    var taken = [];
    entries.forEach(function (entry) {
      var tip = entry.layer.getTooltip();
      var el = tip && tip.getElement();
      if (!el) { return; }
      var placed = false;
      [entry.text, entry.number].forEach(function (text) {
        if (placed) { return; }
        tip.setContent(SS.textLabel(text));
        var spots = entry.area ? [["center", 0, 0]].concat(LABEL_SPOTS) : LABEL_SPOTS;
        for (var i = 0; i < spots.length && !placed; i++) {
          tip.options.direction = spots[i][0];
          tip.options.offset = L.point(spots[i][1], spots[i][2]);
          el.hidden = false;
          tip.update();
          var r = el.getBoundingClientRect();
          var inside = r.left >= frame.left && r.right <= frame.right && r.top >= frame.top && r.bottom <= frame.bottom;
          if (inside && !taken.some(function (t) { return overlapping(r, t); })) { taken.push(r); placed = true; }
        }
      });
      el.hidden = !placed;
    });
  }

  // The key goes under the map, not over it: on a phone it would cover half the campus.
  function legend(node, kinds) {
    var box = node.nextElementSibling && node.nextElementSibling.classList.contains("map-legend")
      ? SS.clear(node.nextElementSibling) : node.parentNode.insertBefore(SS.el("p", { className: "map-legend" }), node.nextSibling);
    box.appendChild(SS.el("strong", {}, ["Key: "]));
    kinds.forEach(function (k) {
      var swatch = SS.el("span", { className: "map-swatch" + (k.area ? " area" : ""), "aria-hidden": "true" });
      swatch.style.backgroundColor = SchoolSafe.map.colour(k.kind);
      box.appendChild(SS.el("span", { className: "map-key" }, [swatch, k.label]));
    });
  }

  var maps = {};
  function renderMap(node, data, featuresNode) {
    var features = data.features || [];
    var center = data.center ? L.latLng(data.center[0], data.center[1]) : null;
    var entries = [];
    features.forEach(function (f, i) {
      var p = f.properties || {};
      var far = false;
      if (center && f.geometry && f.geometry.type === "Point") {
        far = center.distanceTo(L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0])) > CAMPUS_RADIUS_M;
      }
      entries.push({ feature: f, number: String(i + 1), text: shortLabel(p), far: far,
                     area: !!f.geometry && f.geometry.type !== "Point", kind: p.kind || "" });
    });
    if (featuresNode) {
      SS.clear(featuresNode);
      entries.forEach(function (e) {
        var p = e.feature.properties || {};
        featuresNode.appendChild(SS.el("li", {}, [e.number + ". " + (p.kind_label ? p.kind_label + ": " : "") +
                                                  (p.label || p.name || "") + (e.far ? " (off the map: away from the campus)" : "")]));
      });
    }
    if (!data.center || typeof L === "undefined") {
      node.textContent = data.center ? "" : "No location recorded for this school.";
      return;
    }
    var key = node.id;
    var signature = JSON.stringify(data);
    if (maps[key] && maps[key].signature === signature) { return; }
    if (maps[key]) { maps[key].map.remove(); }
    var map = SchoolSafe.map.create(node, data, { maxZoom: 21, zoomSnap: 0.25 });
    var campus = L.latLngBounds([center]);
    var kindsShown = [];
    entries.forEach(function (e) {
      var colour = SchoolSafe.map.colour(e.kind);
      L.geoJSON(e.feature, {
        pointToLayer: function (feature, latlng) {
          var school = e.kind === "school";
          return L.circleMarker(latlng, { radius: school ? 10 : 7, color: "#ffffff", weight: 2, fillColor: colour,
                                          fillOpacity: 1 });
        },
        style: function (feature) {
          if (feature.geometry && feature.geometry.type === "Point") { return {}; }
          return { color: e.kind === "building" ? "#1a1a1a" : colour, weight: 3, fillColor: colour,
                   fillOpacity: e.kind === "building" ? 0.35 : 0.15, dashArray: e.kind === "building" ? null : "6 4",
                   className: "map-outline" };
        },
        onEachFeature: function (feature, lyr) {
          e.layer = lyr;
          lyr.bindTooltip(SS.textLabel(e.text), { permanent: true, direction: e.area ? "center" : "right",
                                                  className: "map-label", interactive: false });
          if (!e.far) { campus.extend(lyr.getBounds ? lyr.getBounds() : lyr.getLatLng()); }
        },
      }).addTo(map);
      var seen = kindsShown.some(function (k) { return k.kind === e.kind; });
      if (!seen) { kindsShown.push({ kind: e.kind, area: e.area, label: (e.feature.properties || {}).kind_label || e.kind }); }
    });
    legend(node, kindsShown);
    if (campus.getNorthEast().distanceTo(campus.getSouthWest()) > 50) {
      map.fitBounds(campus.pad(0.15));
    } else {
      map.setView(center, 18);
    }
    // The school first, then buildings, then the rest in the site map's order: the first placed keep their words.
    var order = entries.filter(function (e) { return e.layer && !e.far; }).sort(function (a, b) {
      function rank(e) { return e.kind === "school" ? 0 : e.kind === "building" ? 1 : 2; }
      return rank(a) - rank(b);
    });
    var place = function () { placeLabels(node, order); };
    place();
    map.on("zoomend moveend resize", place);
    maps[key] = { map: map, signature: signature };
  }

  function ackText(a) {
    return a.user.name + " — " + SS.clock(a.at) + (a.by_dispatch ? " (dispatch)" : "");
  }

  SS.render = function (root, state) {
    var alert = state.alert;
    var active = alert.status === "active";
    var node;
    if ((node = part(root, "title"))) {
      node.textContent = (alert.exercise ? "EXERCISE — " : "") + SS.actionName(alert) + " at " + alert.school.name;
    }
    if ((node = part(root, "directive"))) { node.textContent = alert.directive_text || alert.directive; }
    if ((node = part(root, "meta"))) {
      node.textContent = "Raised by " + (alert.raised_by ? alert.raised_by.name : "?") + " at " + SS.clock(alert.raised_at) +
        (SS.where(alert) ? " · " + SS.where(alert) : "") + (alert.reason ? " · " + alert.reason : "") +
        (alert.escalated_at ? " · ESCALATED at " + SS.clock(alert.escalated_at) : "");
    }
    // Once it is over, the banner no longer heads the page as a live emergency.
    if ((node = root.querySelector(".directive-banner"))) { node.classList.toggle("is-over", !active); }
    if ((node = root.querySelector(".banner-state"))) {
      node.textContent = alert.status === "all_clear" ? "ALL CLEAR — over" : alert.status === "cancelled" ? "CANCELLED" : "";
    }
    if ((node = part(root, "ended"))) {
      if (alert.status === "all_clear") {
        // The school's wording (alerts/wording.py): for a lockdown, stay locked until released in person.
        node.textContent = "ALL CLEAR — given at " + SS.clock(alert.all_clear_at) + ". " + (alert.all_clear_text || "");
        node.className = "ended all-clear";
        node.hidden = false;
      } else if (alert.status === "cancelled") {
        node.textContent = "CANCELLED at " + SS.clock(alert.cancelled_at) + ": the alert was withdrawn.";
        node.className = "ended cancelled";
        node.hidden = false;
      } else {
        node.hidden = true;
      }
    }
    var dispatchAck = state.acknowledgements.filter(function (a) { return a.by_dispatch; })[0];
    if ((node = part(root, "dispatch-ack"))) {
      if (alert.tier === "assist") {
        node.textContent = state.acknowledgements.length ? "Help is on the way: " + ackText(state.acknowledgements[0]) + "."
                                                          : "Waiting for the office or the SRO to acknowledge…";
      } else {
        node.textContent = dispatchAck ? "Dispatch acknowledged: " + ackText(dispatchAck) + "."
                                       : "Waiting for dispatch to acknowledge…";
      }
      node.classList.toggle("acknowledged", !!(dispatchAck || (alert.tier === "assist" && state.acknowledgements.length)));
    }
    if ((node = part(root, "acks"))) {
      SS.clear(node);
      if (!state.acknowledgements.length) { node.appendChild(SS.el("li", { className: "muted" }, ["No one yet."])); }
      state.acknowledgements.forEach(function (a) { node.appendChild(SS.el("li", {}, [ackText(a)])); });
    }
    if ((node = part(root, "board")) && state.board) { renderBoard(node, state.board); }
    if ((node = part(root, "threats")) && state.threat_locations) {
      SS.clear(node);
      node.hidden = !state.threat_locations.length;
      state.threat_locations.forEach(function (t) {
        node.appendChild(SS.el("li", {}, ["THREAT LOCATION: " + t.location + (t.note ? ": " + t.note : "") + " — " +
          (t.reported_by ? t.reported_by.name : "") + " " + SS.clock(t.reported_at)]));
      });
    }
    if ((node = part(root, "delivery")) && state.delivery) { renderDelivery(node, state.delivery); }
    if ((node = part(root, "contacts")) && state.contacts) { renderContacts(node, state); }
    if ((node = part(root, "sros")) && state.contacts) { renderSros(node, state.contacts.sros); }
    if ((node = part(root, "map")) && state.map) { renderMap(node, state.map, part(root, "features")); }
    if ((node = part(root, "thread")) && state.messages) {
      SS.clear(node);
      if (!state.messages.length) { node.appendChild(SS.el("li", { className: "muted" }, ["No messages yet."])); }
      state.messages.forEach(function (m) {
        node.appendChild(SS.el("li", {}, [SS.el("span", { className: "who" }, [(m.author ? m.author.name : "") + " · " +
          SS.clock(m.at)]), SS.el("p", {}, [m.text])]));
      });
    }
    if ((node = part(root, "timeline")) && state.timeline) {
      SS.clear(node);
      state.timeline.forEach(function (e) {
        node.appendChild(SS.el("li", { className: "tl-" + e.kind }, [
          SS.el("time", { dateTime: e.at }, [SS.clock(e.at)]), " ", e.text + (e.actor ? " — " + e.actor : "")]));
      });
    }
    if ((node = part(root, "incident-link")) && state.links) { node.href = state.links.incident; }
    // Controls that only make sense while the alert is active.
    root.querySelectorAll("[data-active-only]").forEach(function (n) { n.hidden = !active; });
    var ack = root.querySelector("#ack-button");
    if (ack) { ack.hidden = !active || state.acknowledged_by_me || !state.may.acknowledge; }
    var allClear = root.querySelector("#all-clear-button");
    if (allClear && !state.may.all_clear) { allClear.hidden = true; }
    if (!active) {
      var confirm = part(root, "confirm-end");
      if (confirm) { confirm.hidden = true; }
    }
  };

  // "Give the all clear" / "Cancel": one more tap to confirm, so a stray tap ends nothing.
  // field (optional): {label} of one text the person must give (SRP lockdown release: the officer who
  // concurred, or the incident commander dispatch records the all clear for); onYes(value).
  SS.confirmEnd = function (root, question, onYes, field) {
    var box = part(root, "confirm-end");
    part(root, "confirm-end-question").textContent = question;
    var row = part(root, "confirm-end-field");
    var input = part(root, "confirm-end-input");
    if (row) {
      row.hidden = !field;
      if (field) { part(root, "confirm-end-label").textContent = field.label; input.value = ""; }
    }
    box.hidden = false;
    part(root, "confirm-end-question").focus();
    var yes = box.querySelector('[data-confirm-end="yes"]');
    var no = box.querySelector('[data-confirm-end="no"]');
    function done() { box.hidden = true; yes.onclick = null; no.onclick = null; }
    yes.onclick = function () {
      var value = field && input ? input.value.trim() : "";
      if (field && !value) { input.focus(); return; }
      done();
      onYes(value);
    };
    no.onclick = done;
  };

  // The all clear's question and the one text it needs (state.all_clear_needs), for the incident page and
  // the console alike.
  SS.allClearAsk = function (alert, needs) {
    var what = SS.actionName(alert).toLowerCase() + " at " + alert.school.name;
    var told = alert.action === "lockdown" ? " Staff will be told to stay locked until their room is released in person."
                                           : " Everyone will be told the incident is over.";
    var field = needs === "concurring_officer" ? { label: "Officer who concurred (name and badge)", name: needs }
      : needs === "on_behalf_of" ? { label: "On behalf of the incident commander (name and unit)", name: needs } : null;
    return { question: "Give the all clear for the " + what + "?" + told, field: field };
  };
})();
