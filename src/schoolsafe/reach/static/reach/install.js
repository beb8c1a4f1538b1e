// The installable app's page side (issue 27): registers the service worker at the site's root, gives it the
// session's CSRF token (a worker cannot read the page), tells it when the network is back (so it sends a raise
// it queued offline), and offers "Receive alerts on this device" (Web Push; the browser asks for permission).
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) { return; }
  function csrf() {
    var el = document.querySelector("input[name=csrfmiddlewaretoken]");
    return el ? el.value : "";
  }
  function tell(message) {
    navigator.serviceWorker.ready.then(function (reg) { if (reg.active) { reg.active.postMessage(message); } });
  }
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
    tell({ type: "csrf", token: csrf() });
    if (navigator.onLine) { tell({ type: "online" }); }
  }).catch(function (err) { document.body.dataset.swError = String(err); });
  window.addEventListener("online", function () { tell({ type: "online" }); });

  var button = document.getElementById("push-enable");
  var state = document.getElementById("push-state");
  if (!button || !("PushManager" in window) || !("Notification" in window)) { return; }
  function say(text) { if (state) { state.textContent = text; } }
  function b64(s) {
    var raw = atob((s + "===".slice((s.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  function api(method, url, body) {
    return fetch(url, { method: method, credentials: "same-origin",
                        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
                        body: body ? JSON.stringify(body) : undefined });
  }
  navigator.serviceWorker.ready.then(function (reg) { return reg.pushManager.getSubscription(); }).then(function (sub) {
    button.hidden = !!sub && Notification.permission === "granted";
    if (sub) { say("Alerts reach this device."); }
  });
  button.addEventListener("click", function () {
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { throw new Error("notifications are blocked for this site"); }
      return Promise.all([navigator.serviceWorker.ready, api("GET", "/api/v1/push/key").then(function (r) { return r.json(); })]);
    }).then(function (both) {
      return both[0].pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64(both[1].public_key) });
    }).then(function (sub) {
      var json = sub.toJSON();
      var name = (navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform || "this device";
      return api("POST", "/api/v1/push/subscriptions", { device_name: name, endpoint: json.endpoint, keys: json.keys });
    }).then(function (r) {
      if (r.status !== 201) { throw new Error("the server answered " + r.status); }
      button.hidden = true;
      say("Alerts reach this device.");
    }).catch(function (err) { say("Alerts cannot reach this device: " + err.message + "."); });
  });
})();
