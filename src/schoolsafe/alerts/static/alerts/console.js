// The dispatcher console: the incidents the dispatcher may see, kept live from the event stream, with sound;
// the selected incident's map, contacts, SRO, delivery report and room board, and its acknowledge and
// all-clear controls.
(function () {
  "use strict";
  var SS = window.SSAlerts;
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
    if (SS.soundOn) { SS.beep(); }
  });

  function url(template, id) { return template.replace("/0/", "/" + id + "/").replace(/\/0$/, "/" + id); }

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
    // After a reconnect: whatever is active now (the stream also replays what was missed).
    SS.request("GET", "/api/v1/alerts?status=active&page_size=200").then(function (res) {
      if (res.status !== 200 || !res.data) { return; }
      res.data.items.forEach(function (a) { add(a, false); });
      refresh();
    }).catch(function () {});
  }

  SS.stream({
    state: SS.streamState(document.getElementById("stream-state")),
    open: reload,
    event: function (kind, data) {
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
      if (kind === "alert.escalated") { Object.assign(a, data); drawList(); SS.beep(); }
      if (kind === "alert.acknowledged" && data.by_dispatch) { a.dispatchAcked = true; drawList(); }
      if (id === selected) { refresh(); }
    },
  });

  (cfg.alerts || []).forEach(function (a) { add(a, false); });
  if (order.length) { select(order[0], false); }

  function post(action, okText) {
    var id = selected;
    control.textContent = "Sending…";
    return SS.request("POST", url(cfg.apiUrl, id) + "/" + action).then(function (res) {
      control.textContent = res.status === 200 ? okText : SS.detail(res);
      refresh();
    }, function () { control.textContent = "Not sent: no connection. Try again."; });
  }

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
    SS.confirmEnd(panel, "Give the all clear for the " + SS.actionName(a).toLowerCase() + " at " + a.school.name +
                  "? Everyone will be told the incident is over.", function () {
      post("all-clear", "All clear given.");
    });
  });
})();
