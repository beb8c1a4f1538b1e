// The device's panic button (alerts/credentials.py): raises Lockdown, Secure or Hold with the panic credential
// this browser keeps, without a sign-in. Enrolment: the QR code opens this page with the secret in the address's
// fragment (never sent to a server); it is kept in localStorage and removed from the address at once.
(function () {
  "use strict";
  var KEY = "schoolsafe.panicCredential";
  var LABELS = { lockdown: "LOCKDOWN", secure: "SECURE", hold: "HOLD" };

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }

  var hash = window.location.hash.replace(/^#/, "");
  if (hash.indexOf("enrol=") !== -1) {
    var p = new URLSearchParams(hash);
    var enrolled = { secret: p.get("enrol"), school: p.get("school"), room: p.get("room") || "",
                     holder: p.get("holder") || "", device: p.get("device") || "" };
    try { window.localStorage.setItem(KEY, JSON.stringify(enrolled)); } catch (e) { /* private mode */ }
    window.history.replaceState(null, "", window.location.pathname);
  }

  var cred = load();
  if (!cred || !/^pc_/.test(cred.secret || "")) { return; }
  document.getElementById("device-none").hidden = true;
  document.getElementById("device-panic").hidden = false;
  document.getElementById("device-school").textContent = cred.school;
  document.getElementById("device-room").textContent = cred.room;
  document.getElementById("device-room-line").hidden = !cred.room;
  document.getElementById("device-holder").textContent =
    "Panic button of " + cred.holder + (cred.device ? " (" + cred.device + ")" : "") + ".";

  var confirmBox = document.getElementById("device-confirm");
  var status = document.getElementById("device-status");
  var send = document.getElementById("device-send");
  var chosen = null;
  var sending = false;

  document.querySelectorAll("[data-device-action]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (sending) { return; }
      chosen = button.dataset.deviceAction;
      document.getElementById("device-confirm-action").textContent = LABELS[chosen];
      send.textContent = "Send " + chosen;
      confirmBox.className = "confirm confirm-" + chosen;
      confirmBox.hidden = false;
      status.textContent = "";
      document.getElementById("device-confirm-heading").focus();
    });
  });
  document.getElementById("device-cancel").addEventListener("click", function () {
    confirmBox.hidden = true;
    chosen = null;
  });
  document.getElementById("device-forget").addEventListener("click", function () {
    try { window.localStorage.removeItem(KEY); } catch (e) { /* nothing kept */ }
    window.location.reload();
  });

  send.addEventListener("click", function () {
    if (sending || !chosen) { return; }
    sending = true;
    send.disabled = true;
    status.textContent = "Sending…";
    status.className = "send-status sending";
    // No cookie and no CSRF token: the credential is the only authority (alerts/panic_api.py).
    window.SchoolSafe.request("POST", document.getElementById("device-panic").dataset.panicUrl,
      { action: chosen, room: cred.room, exercise: document.getElementById("device-exercise").checked },
      { Authorization: "Panic " + cred.secret }, { credentials: "omit" }).then(function (res) {
      sending = false;
      send.disabled = false;
      if (res.status === 201) {
        confirmBox.hidden = true;
        status.textContent = "Sent: " + (res.data.exercise ? "EXERCISE — " : "") + LABELS[res.data.action] +
          " raised at " + res.data.school + ". Sign in to follow the incident.";
        status.className = "send-status sent";
      } else {
        status.textContent = "Not sent: " + window.SchoolSafe.detail(res).replace(/\.$/, "") + ". Call 911.";
        status.className = "send-status failed";
      }
    }, function () {
      sending = false;
      send.disabled = false;
      status.textContent = "Not sent: no connection. Try again, or call 911.";
      status.className = "send-status failed";
    });
  });
})();
