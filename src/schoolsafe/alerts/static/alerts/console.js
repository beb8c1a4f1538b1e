// The dispatcher console: the incidents the dispatcher may see, kept live from the event stream, with sound;
// the selected incident's map, contacts, SRO, delivery report and room board, and its acknowledge and
// all-clear controls.
(function () {
  "use strict";
  var SS = window.SSAlerts;
  // The console sounds for every alert, lockdowns included (it is not in the building), and repeats.
  SS.isConsole = true;
  var cfg = SS.config("console-config");
  var list = document.getElementById("incident-list");
  var panel = document.getElementById("incident-panel");
  var empty = document.getElementById("no-incidents");
  var count = document.getElementById("active-count");
  var control = document.getElementById("control-status");
  var alerts = {}; // id -> alert JSON (with local flags: acked, escalated)
  var order = [];
  var selected = null;
  var current = null;
  var loading = null;
  var again = false;

  var sound = document.getElementById("sound-toggle");
  sound.addEventListener("click", function () {
    SS.soundOn = !SS.soundOn;
    sound.setAttribute("aria-pressed", SS.soundOn ? "true" : "false");
    sound.textContent = SS.soundOn ? "Sound on" : "Sound off";
    if (SS.soundOn) { SS.signal(); }
  });

  var url = SS.withId;

  function card(a) {
    var ended = a.status !== "active";
    var badge = ended ? (a.status === "all_clear" ? "ALL CLEAR" : "CANCELLED")
                      : (a.escalated_at ? "ESCALATED" : (a.dispatchAcked ? "Acknowledged" : "NOT ACKNOWLEDGED"));
    // A raiser's cancel of a real lockdown waits for dispatch's call-back (POST .../cancel/confirm).
    if (!ended && a.cancel_requested_at) { badge = "CANCEL REQUESTED: CALL BACK"; }
    var button = SS.el("button", { type: "button", className: "incident-card-button" }, [
      SS.el("span", { className: "card-action" }, [(a.exercise ? "EXERCISE — " : "") + SS.actionName(a).toUpperCase()]),
      SS.el("span", { className: "card-school" }, [a.school.name]),
      SS.el("span", { className: "card-where" }, [SS.where(a) || "location not given"]),
      SS.el("span", { className: "card-time" }, ["Raised " + SS.clock(a.raised_at) + (a.raised_by ? " by " + a.raised_by.name : "")]),
      SS.el("span", { className: "card-badge badge-" + badge.toLowerCase().replace(/ /g, "-") }, [badge]),
    ]);
    button.setAttribute("aria-pressed", selected === a.id ? "true" : "false");
    button.addEventListener("click", function () { select(a.id, true); });
    return SS.el("li", { className: "incident-card srp-" + a.action + (a.tier === "assist" ? " assist" : "") +
                                    (ended ? " ended" : ""), dataset: { alert: String(a.id) } }, [button]);
  }

  function drawList() {
    SS.clear(list);
    var active = 0;
    order.forEach(function (id) {
      var a = alerts[id];
      if (a.status === "active") { active += 1; }
      list.appendChild(card(a));
    });
    count.textContent = "(" + active + " active)";
    empty.hidden = order.length > 0;
    showConfirmCancel();
  }

  function add(a, fresh) {
    if (!alerts[a.id]) { order.unshift(a.id); }
    alerts[a.id] = Object.assign(alerts[a.id] || {}, a);
    order.sort(function (x, y) {
      var ax = alerts[x], ay = alerts[y];
      if ((ax.status === "active") !== (ay.status === "active")) { return ax.status === "active" ? -1 : 1; }
      return ay.raised_at < ax.raised_at ? -1 : 1;
    });
    drawList();
    if (fresh) {
      SS.showIncoming(a, url(cfg.incidentUrl, a.id));
      var chosen = selected && alerts[selected];
      if (!chosen || chosen.status !== "active") { select(a.id, false); }
    }
  }

  function select(id, focus) {
    selected = id;
    current = null;
    panel.hidden = false;
    drawList();
    refresh();
    if (focus) { document.getElementById("panel-heading").focus(); }
  }

  function refresh() {
    if (!selected) { return null; }
    if (loading) { again = true; return loading; }
    var id = selected;
    loading = SS.request("GET", url(cfg.stateUrl, id)).then(function (res) {
      if (res.status === 200 && res.data && id === selected) {
        current = res.data;
        var a = alerts[id];
        if (a) {
          Object.assign(a, res.data.alert);
          a.dispatchAcked = res.data.acknowledgements.some(function (x) { return x.by_dispatch; });
          drawList();
        }
        SS.render(panel, current);
      }
    }).catch(function () { /* refreshed again on reconnect */ }).then(function () {
      loading = null;
      if (again) { again = false; refresh(); }
    });
    return loading;
  }

  function reload() {
    reloadTips();
    // After a reconnect: whatever is active now (the stream also replays what was missed).
    SS.request("GET", cfg.activeUrl).then(function (res) {
      if (res.status !== 200 || !res.data) { return; }
      res.data.items.forEach(function (a) { add(a, false); });
      refresh();
    }).catch(function () {});
  }

  SS.stream({
    state: SS.streamState(document.getElementById("stream-state")),
    open: reload,
    event: function (kind, data) {
      if (kind.indexOf("tip.dispatch") === 0) { tipEvent(kind, data); return; }
      var id = SS.alertIdOf(kind, data);
      if (kind === "alert.raised") {
        add(data, !alerts[data.id]);
        return;
      }
      if (kind === "alert.action_changed") {
        // Secure -> Lockdown in one incident: as new to dispatch as a new alert.
        add(data, true);
        return;
      }
      var a = alerts[id];
      if (!a) { return; }
      if (kind === "alert.all_clear" || kind === "alert.cancelled" || kind === "alert.cancel_requested") {
        Object.assign(a, data); drawList();
      }
      if (kind === "alert.escalated") { Object.assign(a, data); drawList(); SS.signal(a); }
      // Where the threat is: top priority for dispatch, shown on the incident and signalled at once.
      if (kind === "alert.threat_location") { SS.showIncoming(Object.assign({}, a, { directive:
        "THREAT LOCATION: " + data.location + (data.note ? ": " + data.note : "") }), url(cfg.incidentUrl, id)); }
      if (kind === "alert.acknowledged" && data.by_dispatch) { a.dispatchAcked = true; drawList(); }
      if (id === selected) { refresh(); }
    },
  }, { kinds: ["tip.dispatch", "tip.dispatch_acknowledged"] });

  (cfg.alerts || []).forEach(function (a) { add(a, false); });
  if (order.length) { select(order[0], false); }

  function post(action, okText, body) {
    var id = selected;
    control.textContent = "Sending…";
    return SS.request("POST", url(cfg.apiUrl, id) + "/" + action, body).then(function (res) {
      control.textContent = res.status === 200 ? okText : SS.detail(res);
      refresh();
    }, function () { control.textContent = "Not sent: no connection. Try again."; });
  }

  // --- Tips sent to dispatch: an item each, with the tone repeated until acknowledged ------
  // The items name the tip (category, school, why it came), never its text or code; "Open the tip" reads it
  // through the access policy (an audited read).
  var tips = {}; // tip id -> dispatch item
  var tipList = document.getElementById("tip-list");
  var TIP_REPEAT_MS = 1000 * ((cfg && cfg.toneRepeatSeconds) || 10);

  function tipCard(t) {
    var acked = !!t.acknowledged_at;
    var button = SS.el("button", { type: "button", className: "primary" }, ["Acknowledge"]);
    button.addEventListener("click", function () { acknowledgeTip(t.tip_id, button); });
    return SS.el("li", { className: "tip-card" + (acked ? " acknowledged" : ""), dataset: { tip: String(t.tip_id) } }, [
      SS.el("span", { className: "card-action" }, [(t.urgent ? "URGENT TIP — " : "TIP — ") + t.category_label]),
      SS.el("span", { className: "card-school" }, [t.school.name]),
      SS.el("span", { className: "card-where" }, [t.reason]),
      SS.el("span", { className: "card-time" }, ["Received " + SS.clock(t.received_at) + ", sent to dispatch " + SS.clock(t.routed_at)]),
      SS.el("span", { className: "card-badge " + (acked ? "badge-acknowledged" : "badge-not-acknowledged") },
            [acked ? "Acknowledged" + (t.acknowledged_by ? " by " + t.acknowledged_by : "") : "NOT ACKNOWLEDGED"]),
      SS.el("a", { href: t.url }, ["Open the tip"]),
      acked ? null : button,
    ]);
  }

  function drawTips() {
    var ids = Object.keys(tips).sort(function (x, y) { return tips[y].routed_at < tips[x].routed_at ? -1 : 1; });
    SS.clear(tipList);
    ids.forEach(function (id) { tipList.appendChild(tipCard(tips[id])); });
    var waiting = ids.filter(function (id) { return !tips[id].acknowledged_at; }).length;
    document.getElementById("tips-count").textContent = "(" + waiting + " not acknowledged)";
    document.getElementById("dispatch-tips").hidden = ids.length === 0;
  }

  function addTip(t, fresh) {
    var known = !!tips[t.tip_id];
    tips[t.tip_id] = Object.assign(tips[t.tip_id] || {}, t);
    drawTips();
    if (fresh && !known && !t.acknowledged_at) { SS.beep(); }
  }

  function tipEvent(kind, data) {
    if (kind === "tip.dispatch") { addTip(data, true); return; }
    if (kind === "tip.dispatch_acknowledged" && tips[data.tip_id]) {
      tips[data.tip_id].acknowledged_at = data.acknowledged_at;
      tips[data.tip_id].acknowledged_by = data.acknowledged_by;
      drawTips();
    }
  }

  function reloadTips() {
    SS.request("GET", cfg.dispatchTipsUrl).then(function (res) {
      if (res.status === 200 && res.data) { res.data.forEach(function (t) { addTip(t, false); }); }
    }).catch(function () {});
  }

  function acknowledgeTip(id, button) {
    button.disabled = true;
    SS.request("POST", url(cfg.dispatchTipAckUrl, id)).then(function (res) {
      if (res.status === 200 && res.data) { addTip(res.data, false); } else { button.disabled = false; control.textContent = SS.detail(res); }
    }, function () { button.disabled = false; control.textContent = "Not sent: no connection. Try again."; });
  }

  // The tone repeats while a tip sent to dispatch is not acknowledged (the console is often watched from across
  // the room).
  setInterval(function () {
    var waiting = Object.keys(tips).some(function (id) { return !tips[id].acknowledged_at; });
    if (waiting) { SS.beep(); }
  }, TIP_REPEAT_MS);
  reloadTips();

  // A raiser's cancel of a real lockdown: dispatch calls back, then confirms here, saying whom they reached.
  function showConfirmCancel() {
    var a = selected && alerts[selected];
    document.getElementById("confirm-cancel").hidden = !(a && a.status === "active" && a.cancel_requested_at);
  }
  document.getElementById("confirm-cancel").addEventListener("submit", function (e) {
    e.preventDefault();
    var id = selected;
    var reached = document.getElementById("cancel-reached").value.trim();
    control.textContent = "Sending…";
    SS.request("POST", url(cfg.apiUrl, id) + "/cancel/confirm", { reached: reached }).then(function (res) {
      control.textContent = res.status === 200 ? "Cancel confirmed." : SS.detail(res);
      if (res.status === 200 && alerts[id]) { Object.assign(alerts[id], res.data); drawList(); }
      showConfirmCancel();
      refresh();
    }, function () { control.textContent = "Not sent: no connection. Try again."; });
  });

  document.getElementById("ack-button").addEventListener("click", function () {
    post("acknowledge", "Acknowledged.");
  });
  document.getElementById("all-clear-button").addEventListener("click", function () {
    var a = alerts[selected];
    // A real lockdown: dispatch records the incident commander's all clear (SRP lockdown release).
    var ask = SS.allClearAsk(a, current ? current.all_clear_needs : "");
    SS.confirmEnd(panel, ask.question, function (value) {
      var body;
      if (ask.field) { body = {}; body[ask.field.name] = value; }
      post("all-clear", "All clear given.", body);
    }, ask.field);
  });

  // The tone repeats until someone acknowledges (a dispatcher's screen is often watched from across the room):
  // every `toneRepeatSeconds` while an active alert has no acknowledgement by dispatch.
  var repeatMs = 1000 * ((cfg && cfg.toneRepeatSeconds) || 10);
  SS.unacknowledged = function () {
    return order.map(function (id) { return alerts[id]; }).filter(function (a) {
      return a.status === "active" && !a.dispatchAcked && a.tier !== "assist";
    });
  };
  setInterval(function () {
    var waiting = SS.unacknowledged();
    if (waiting.length) { SS.signal(waiting[0]); }
  }, repeatMs);
})();
