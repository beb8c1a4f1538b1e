// The panic page: tap an action, confirm once, sent. A raise survives a dropped network: one Idempotency-Key
// per attempt, the same POST retried with backoff until the server answers 201 or refuses (4xx), so a retry
// after a lost answer returns the first alert instead of raising a second one.
(function () {
  "use strict";
  var SS = window.SSAlerts;
  var cfg = SS.config("panic-config");
  var sending = false;

  // Every page of a staff member listens: an alert raised by someone else shows at once, with sound.
  SS.stream({
    event: function (kind, data) {
      if (kind === "alert.raised" && !sending) { SS.showIncoming(data, SS.incidentUrl(data.id)); }
    },
  });

  if (!cfg) { return; }
  var form = document.getElementById("confirm");
  var status = document.getElementById("send-status");
  var errorBox = document.getElementById("confirm-error");
  var sendButton = document.getElementById("confirm-send");
  var chosen = null;
  var RETRYABLE = { 408: true, 425: true, 429: true };

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    // Not a secure context (plain http on a school network): the same format from getRandomValues.
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function show(which) {
    ["evacuate", "shelter", "assist"].forEach(function (name) {
      document.getElementById("f-" + name).hidden = name !== which;
    });
  }

  function open(action) {
    chosen = action;
    var assist = action === "assist";
    document.getElementById("confirm-action").textContent = assist ? "a call for staff help" : cfg.labels[action].toUpperCase();
    document.getElementById("confirm-directive").textContent = assist
      ? "The office and the school resource officer come to your room. Not a school-wide alert."
      : cfg.directives[action];
    sendButton.textContent = assist ? "Call for help" : "Send " + cfg.labels[action].toLowerCase();
    form.className = "confirm confirm-" + (assist ? "assist" : action);
    errorBox.hidden = true;
    status.textContent = "";
    show(action === "evacuate" || action === "shelter" || assist ? action : null);
    form.hidden = false;
    openedAt = Date.now();
    // The confirmation opens over the page (a fixed sheet) and nothing scrolls: the buttons stay where they
    // were, so the second click of a double-click cannot land on another action.
    document.getElementById("confirm-heading").focus({ preventScroll: true });
  }

  // A double-click (or a bounce of the finger) is one press: its second click (the same spot, moments later)
  // is ignored whatever is under it now, so the confirmation always asks about the action pressed first and
  // is never sent or cancelled by the same double-click. A deliberate tap elsewhere (Send) counts at once.
  var DOUBLE_CLICK_MS = 700;
  var openedAt = 0;
  var openedX = 0;
  var openedY = 0;
  function secondClick(ev) {
    if (ev.detail > 1) { return true; }
    return !!openedAt && Date.now() - openedAt < DOUBLE_CLICK_MS &&
      Math.abs(ev.clientX - openedX) < 40 && Math.abs(ev.clientY - openedY) < 40;
  }

  function close() {
    form.hidden = true;
    chosen = null;
    openedAt = 0;
    var back = document.getElementById("srp-lockdown");
    if (back) { back.focus(); }
  }

  document.querySelectorAll("#panic [data-action]").forEach(function (button) {
    button.addEventListener("click", function (ev) {
      if (sending || secondClick(ev)) { return; }
      open(button.dataset.action);
      openedX = ev.clientX;
      openedY = ev.clientY;
    });
  });
  document.getElementById("confirm-cancel").addEventListener("click", function (ev) { if (!secondClick(ev)) { close(); } });
  sendButton.addEventListener("click", function (ev) { if (secondClick(ev)) { ev.preventDefault(); } });
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape" && !form.hidden && !sending) { close(); } });

  var hazard = document.getElementById("f-hazard");
  var strategy = document.getElementById("f-strategy");
  hazard.addEventListener("change", function () { strategy.value = cfg.strategies[hazard.value] || ""; });

  function body() {
    var b = { school: cfg.school, action: chosen === "assist" ? "hold" : chosen,
              tier: chosen === "assist" ? "assist" : "emergency",
              location: { room: document.getElementById("f-room").value.trim() },
              exercise: document.getElementById("f-exercise").checked };
    if (chosen === "evacuate") { b.evacuate_to = document.getElementById("f-evacuate-to").value.trim(); }
    if (chosen === "shelter") {
      b.hazard = hazard.value;
      if (strategy.value.trim()) { b.strategy = strategy.value.trim(); }
    }
    if (chosen === "assist") { b.reason = document.getElementById("f-reason").value.trim() || "Staff help needed"; }
    return b;
  }

  function problem(b) {
    if (chosen === "evacuate" && !b.evacuate_to) { return ["f-evacuate-to", "Evacuate to: say where everyone goes."]; }
    if (chosen === "shelter" && !b.hazard) { return ["f-hazard", "Hazard: choose the hazard."]; }
    return null;
  }

  var wake = null;
  function sleep(ms) {
    return new Promise(function (resolve) {
      var t = setTimeout(done, ms);
      function done() { clearTimeout(t); window.removeEventListener("online", done); wake = null; resolve(); }
      wake = done;
      // Back online: try at once rather than at the end of the wait.
      window.addEventListener("online", done);
    });
  }

  function raise(payload) {
    var key = uuid();
    var delay = 500;
    var attempt = 0;
    function once() {
      attempt += 1;
      return SS.request("POST", cfg.alertsUrl, payload, { "Idempotency-Key": key }).then(function (res) {
        if (res.status === 201 || (res.status >= 400 && res.status < 500 && !RETRYABLE[res.status])) { return res; }
        throw new Error("server " + res.status);
      }).catch(function (err) {
        status.textContent = "Sending… (retrying, attempt " + (attempt + 1) + ")";
        status.className = "send-status retrying";
        return sleep(delay).then(function () {
          delay = Math.min(delay * 2, 8000);
          return once();
        });
      });
    }
    return once();
  }

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (sending || !chosen) { return; }
    var payload = body();
    var bad = problem(payload);
    if (bad) {
      errorBox.textContent = bad[1];
      errorBox.hidden = false;
      document.getElementById(bad[0]).focus();
      return;
    }
    sending = true;
    sendButton.disabled = true;
    status.textContent = "Sending…";
    status.className = "send-status sending";
    raise(payload).then(function (res) {
      if (res.status === 201) {
        status.textContent = "Sent. " + (chosen === "assist" ? "Help is called." : "Alert raised.") + " Opening the incident…";
        status.className = "send-status sent";
        window.location.assign(cfg.incidentUrl.replace("/0/", "/" + res.data.id + "/"));
        return;
      }
      sending = false;
      sendButton.disabled = false;
      status.textContent = "Not sent: " + SS.detail(res);
      status.className = "send-status failed";
    });
  });
})();
