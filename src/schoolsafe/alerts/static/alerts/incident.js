// The incident page (and the status board): re-reads the incident's state whenever the stream says something
// happened to it, and sends acknowledgements, the all clear, room reports and messages through the API.
(function () {
  "use strict";
  var SS = window.SSAlerts;
  var cfg = SS.config("incident-config");
  var root = document.getElementById("incident");
  if (!cfg || !root) { return; }
  var current = null;
  var loading = null;
  var again = false;

  function refresh() {
    // One read at a time; a burst of events while it runs ends in exactly one more read.
    if (loading) { again = true; return loading; }
    loading = SS.request("GET", cfg.stateUrl).then(function (res) {
      if (res.status === 200 && res.data) {
        var before = current;
        current = res.data;
        SS.render(root, current);
        if (before && before.alert.status === "active" && current.alert.status !== "active") {
          var ended = document.getElementById("ended");
          if (ended) { SS.flash(ended); SS.signal(current.alert); ended.focus && ended.focus(); }
        }
      }
    }).catch(function () { /* the stream's reconnect will call refresh again */ }).then(function () {
      loading = null;
      if (again) { again = false; refresh(); }
    });
    return loading;
  }

  var setState = SS.streamState(document.getElementById("stream-state"));
  SS.stream({
    state: setState,
    open: refresh,
    event: function (kind, data) {
      var id = SS.alertIdOf(kind, data);
      if (id === cfg.alert) { refresh(); return; }
      if (kind === "alert.raised") { SS.showIncoming(data, SS.incidentUrl(data.id)); }
    },
  });
  refresh();

  function post(url, body, statusNode, okText) {
    statusNode.textContent = "Sending…";
    return SS.request("POST", url, body).then(function (res) {
      if (res.status >= 200 && res.status < 300) {
        statusNode.textContent = okText;
        refresh();
      } else {
        statusNode.textContent = SS.detail(res);
      }
      return res;
    }, function () {
      statusNode.textContent = "Not sent: no connection. Try again.";
      return null;
    });
  }

  var control = document.getElementById("control-status");
  var ack = document.getElementById("ack-button");
  if (ack) {
    ack.addEventListener("click", function () {
      ack.disabled = true;
      post(cfg.apiUrl + "/acknowledge", undefined, control, "Acknowledged.").then(function () { ack.disabled = false; });
    });
  }
  var allClear = document.getElementById("all-clear-button");
  if (allClear) {
    allClear.addEventListener("click", function () {
      // Before the incident's state has loaded, the plain question (the server still applies the rule).
      var ask = current ? SS.allClearAsk(current.alert, current.all_clear_needs)
                        : { question: "Give the all clear?", field: null };
      SS.confirmEnd(root, ask.question, function (value) {
        var body;
        if (ask.field) { body = {}; body[ask.field.name] = value; }
        post(cfg.apiUrl + "/all-clear", body, control, "All clear given.");
      }, ask.field);
    });
  }
  var cancel = document.getElementById("cancel-button");
  if (cancel) {
    cancel.addEventListener("click", function () {
      SS.confirmEnd(root, "Cancel this alert as raised by mistake? Everyone will be told.", function () {
        post(cfg.apiUrl + "/cancel", undefined, control, "Alert cancelled.");
      });
    });
  }

  function lines(text) {
    return text.split("\n").map(function (s) { return s.trim(); }).filter(function (s) { return s; });
  }
  function count(input) {
    return input.value.trim() === "" ? null : parseInt(input.value, 10);
  }

  var roomForm = document.getElementById("room-form");
  if (roomForm) {
    roomForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var error = document.getElementById("room-error");
      error.hidden = true;
      var body = {
        room: roomForm.elements.room.value.trim(),
        status: roomForm.querySelector("input[name=status]:checked").value,
        present: count(roomForm.elements.present),
        staff: count(roomForm.elements.staff),
        visitors: count(roomForm.elements.visitors),
        injured: count(roomForm.elements.injured),
        missing: lines(roomForm.elements.missing.value),
        extra: lines(roomForm.elements.extra.value),
        note: roomForm.elements.note.value.trim(),
      };
      if (!body.room) {
        error.textContent = "Room or group: required.";
        error.hidden = false;
        roomForm.elements.room.focus();
        return;
      }
      var send = document.getElementById("room-send");
      send.disabled = true;
      post(cfg.apiUrl + "/room-status", body, document.getElementById("room-status"),
           "Room " + body.room + " reported.").then(function (res) {
        send.disabled = false;
        if (res && res.status >= 400) {
          error.textContent = SS.detail(res);
          error.hidden = false;
        }
      });
    });
  }

  // SRP lockdown release: an officer or administrator on site releases a room in person.
  var releaseForm = document.getElementById("release-form");
  if (releaseForm) {
    releaseForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var room = releaseForm.elements.room.value.trim();
      var status = document.getElementById("release-status");
      if (!room) { status.textContent = "Room: required."; releaseForm.elements.room.focus(); return; }
      post(cfg.apiUrl + "/room-release", { room: room }, status, "Room " + room + " released.").then(function (res) {
        if (res && res.status === 201) { releaseForm.elements.room.value = ""; }
      });
    });
  }

  // Where the threat is: to dispatch at top priority.
  var threatForm = document.getElementById("threat-form");
  if (threatForm) {
    threatForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var where = threatForm.elements.location.value.trim();
      var status = document.getElementById("threat-status");
      if (!where) { status.textContent = "Where: required."; threatForm.elements.location.focus(); return; }
      post(cfg.apiUrl + "/threat-location", { location: where, note: threatForm.elements.note.value.trim() }, status,
           "Sent to dispatch.").then(function (res) {
        if (res && res.status === 201) { threatForm.reset(); }
      });
    });
  }

  var messageForm = document.getElementById("message-form");
  if (messageForm) {
    messageForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var error = document.getElementById("message-error");
      var text = messageForm.elements.text.value.trim();
      error.hidden = true;
      if (!text) {
        error.textContent = "Message: write something first.";
        error.hidden = false;
        return;
      }
      SS.request("POST", cfg.apiUrl + "/messages", { text: text }).then(function (res) {
        if (res.status === 201) {
          messageForm.elements.text.value = "";
          refresh();
        } else {
          error.textContent = SS.detail(res);
          error.hidden = false;
        }
      }, function () {
        error.textContent = "Not sent: no connection. Try again.";
        error.hidden = false;
      });
    });
  }
})();
