// The tip queue, live: a tip that arrives, escalates, is answered by its tipster or changes hands while the
// queue is open is announced (politely to screen readers; with the alert sound when it is urgent), with a
// button that reloads the queue. Events carry ids only, never tip text: the reload reads the tips through
// the access policy. Uses the page's one event stream (alerts/listen.js) and its live region (schoolsafe/dom.js).
(function () {
  "use strict";
  var SS = window.SSAlerts;
  var box = document.getElementById("queue-news");
  if (!SS || !SS.shared || !box) { return; }
  // Events up to the page's making are already in the table below (the stream may replay some).
  var since = parseInt(document.body.dataset.eventsSince || "0", 10);
  var WORDS = { "tip.received": "A new tip arrived", "tip.escalated": "A tip was escalated",
                "tip.tipster_replied": "A tipster answered", "tip.assigned": "A tip was assigned to you",
                "tip.routed": "A tip was routed", "tip.overdue": "A tip is past its deadline" };
  var seen = 0;
  Object.keys(WORDS).forEach(function (kind) {
    SS.shared.addEventListener(kind, function (ev) {
      if (!(parseInt(ev.lastEventId, 10) > since)) { return; }
      var data;
      try { data = JSON.parse(ev.data); } catch (e) { return; }
      seen += 1;
      var text = WORDS[kind] + (data.urgent ? " (urgent)" : "") +
        (seen > 1 ? " — " + seen + " changes since this page loaded." : ".");
      document.getElementById("queue-news-text").textContent = text;
      box.hidden = false;
      window.SchoolSafe.announce(text);
      if (data.urgent && kind !== "tip.assigned") { SS.beep(); }
    });
  });
  document.getElementById("queue-refresh").addEventListener("click", function () { window.location.reload(); });
})();
