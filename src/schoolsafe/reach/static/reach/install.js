// The installable app's page side (docs/reaching-people.md): registers the service worker at the site's root, gives it the
// session's CSRF token (a worker cannot read the page), tells it when the network is back (so it sends a raise
// it queued offline), and offers "Receive alerts on this device" (Web Push; the browser asks for permission).
(function () {
  "use strict";
  var SchoolSafe = window.SchoolSafe;
  // The page gives the worker's URL (reach/_push_enable.html, reach/takeover.html).
  var holder = document.querySelector("[data-service-worker-url]");
  if (!("serviceWorker" in navigator) || !SchoolSafe || !holder) { return; }
  function tell(message) {
    navigator.serviceWorker.ready.then(function (reg) { if (reg.active) { reg.active.postMessage(message); } });
  }
  navigator.serviceWorker.register(holder.dataset.serviceWorkerUrl, { scope: holder.dataset.serviceWorkerScope || "/" })
    .then(function () {
    tell({ type: "csrf", token: SchoolSafe.csrf() });
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
  navigator.serviceWorker.ready.then(function (reg) { return reg.pushManager.getSubscription(); }).then(function (sub) {
    button.hidden = !!sub && Notification.permission === "granted";
    if (sub) { say("Alerts reach this device."); }
  });
  button.addEventListener("click", function () {
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { throw new Error("notifications are blocked for this site"); }
      return Promise.all([navigator.serviceWorker.ready, SchoolSafe.request("GET", button.dataset.keyUrl)
      .then(function (res) { if (!res.ok) { throw new Error(SchoolSafe.detail(res)); } return res.data; })]);
    }).then(function (both) {
      return both[0].pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64(both[1].public_key) });
    }).then(function (sub) {
      var json = sub.toJSON();
      var name = (navigator.userAgentData && navigator.userAgentData.platform) || navigator.platform || "this device";
      return SchoolSafe.request("POST", button.dataset.subscriptionsUrl, { device_name: name, endpoint: json.endpoint, keys: json.keys });
    }).then(function (r) {
      if (r.status !== 201) { throw new Error(SchoolSafe.detail(r)); }
      button.hidden = true;
      say("Alerts reach this device.");
    }).catch(function (err) { say("Alerts cannot reach this device: " + err.message + "."); });
  });
})();
