// Every signed-in page that is not an alert page: an alert raised while the page is open shows at once, with
// sound, and its receipt tells the delivery report that it reached this person. Moving from page to page
// misses nothing: the stream resumes from the last event this tab saw (sessionStorage), or else from the
// newest event when the page was made (data-events-since on <body>).
(function () {
  "use strict";
  var SS = window.SSAlerts;
  if (!SS) { return; }
  // The page's one stream; a page script can listen to other kinds on it (SS.shared.addEventListener).
  SS.shared = SS.stream({
    event: function (kind, data) {
      // A change of action (Secure -> Lockdown in one incident) is as new to the reader as a new alert.
      if (kind === "alert.raised" || kind === "alert.action_changed") { SS.showIncoming(data, SS.incidentUrl(data.id)); }
    },
  }, { resume: true, since: document.body.dataset.eventsSince });
})();
