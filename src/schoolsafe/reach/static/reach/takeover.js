// The desktop takeover's acknowledge button (the same API as the incident page), and full screen where allowed.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("takeover-config").textContent);
  var button = document.getElementById("takeover-ack");
  var status = document.getElementById("takeover-status");
  function csrf() {
    var el = document.querySelector("input[name=csrfmiddlewaretoken]");
    return el ? el.value : "";
  }
  if (!button) { return; }
  button.focus();
  button.addEventListener("click", function () {
    // A click is a user gesture: the one moment a browser lets a page take the whole screen.
    if (document.documentElement.requestFullscreen && !document.fullscreenElement) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
    button.disabled = true;
    fetch(cfg.ackUrl, { method: "POST", credentials: "same-origin",
                        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() }, body: "{}" })
      .then(function (r) {
        if (r.ok) { button.textContent = "Acknowledged"; status.textContent = "Your acknowledgement is recorded."; return; }
        button.disabled = false;
        status.textContent = "Not recorded: the server answered " + r.status + ".";
      }).catch(function () {
        button.disabled = false;
        status.textContent = "Not recorded: no network. Try again.";
      });
  });
})();
