// The desktop takeover's acknowledge button (the same API as the incident page), and full screen where allowed.
(function () {
  "use strict";
  var SchoolSafe = window.SchoolSafe;
  var cfg = SchoolSafe.config("takeover-config");
  var button = document.getElementById("takeover-ack");
  var status = document.getElementById("takeover-status");
  if (!button) { return; }
  button.focus();
  button.addEventListener("click", function () {
    // A click is a user gesture: the one moment a browser lets a page take the whole screen.
    if (document.documentElement.requestFullscreen && !document.fullscreenElement) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
    button.disabled = true;
    SchoolSafe.request("POST", cfg.ackUrl, {})
      .then(function (r) {
        if (r.ok) { button.textContent = "Acknowledged"; status.textContent = "Your acknowledgement is recorded."; return; }
        button.disabled = false;
        status.textContent = "Not recorded: " + SchoolSafe.detail(r);
      }).catch(function () {
        button.disabled = false;
        status.textContent = "Not recorded: no network. Try again.";
      });
  });
})();
