// The one event-stream client (docs/events.md): Server-Sent Events from <body data-events-url>, resumed
// after the last event seen. EventSource reconnects by itself after a dropped connection (sending
// Last-Event-ID); when the server refuses instead (a restart answering 502, a session that ended) it
// stops for good, so this client opens a new one after a growing pause (1 s, 2 s, 4 s ... 30 s), from the
// last id it saw. Every page that listens uses it, through one stream per page (alerts/listen.js).
//
// SchoolSafe.stream(handlers, options) -> {addEventListener(kind, fn), close()}
//   handlers: {event(kind, data, id), open(), state(text, "live" | "down")}
//   options.kinds: the event kinds to listen for (fn gets the MessageEvent: .data, .lastEventId)
//   options.resume: start after the last event this tab saw (sessionStorage), else after options.since
//   options.receipts: tell the server each event arrived (the alert delivery report), batched
(function () {
  "use strict";
  var SchoolSafe = (window.SchoolSafe = window.SchoolSafe || {});
  if (SchoolSafe.stream) { return; }  // loaded twice (the layout and a page): one set of receipts
  var LAST_SEEN = "schoolsafe.lastEventId";
  var UNSENT = "schoolsafe.unsentReceipts";
  var MAX_PAUSE_MS = 30000;

  function stored(key) {
    try { return window.sessionStorage.getItem(key); } catch (e) { return null; }
  }
  function store(key, value) {
    try { window.sessionStorage.setItem(key, value); } catch (e) { /* private mode: live only */ }
  }
  function numeric(v) { return /^[0-9]+$/.test(v || "") ? String(v) : ""; }

  // --- receipts: batched to one POST a quarter of a second after arrival, and kept in sessionStorage until
  // the server has them. A page left before its receipt went out would otherwise lose it, because the next
  // page resumes the stream after that event and never sees it again. The next page sends what is left; on
  // leaving, the batch goes out at once with keepalive, which outlives the page.
  var receiptTimer = null;
  function unsentReceipts() {
    var ids = [];
    try { ids = JSON.parse(stored(UNSENT) || "[]"); } catch (e) { ids = []; }
    return Array.isArray(ids) ? ids.filter(function (i) { return typeof i === "number" && i > 0; }) : [];
  }
  function keepUnsent(ids) { store(UNSENT, JSON.stringify(ids.slice(-1000))); }
  function sendReceipts() {
    if (receiptTimer) { clearTimeout(receiptTimer); receiptTimer = null; }
    var ids = unsentReceipts();
    var url = SchoolSafe.url("receipts");
    if (!ids.length || !url) { return; }
    SchoolSafe.request("POST", url, { ids: ids }, {}, { keepalive: true }).then(function (res) {
      // Sent (or refused for good, e.g. signed out): drop them; a network failure keeps them for next time.
      if (res.status < 500) { keepUnsent(unsentReceipts().filter(function (i) { return ids.indexOf(i) < 0; })); }
    }).catch(function () { /* next time */ });
  }
  function receipt(id) {
    var ids = unsentReceipts();
    if (ids.indexOf(id) < 0) { ids.push(id); keepUnsent(ids); }
    if (!receiptTimer) { receiptTimer = setTimeout(sendReceipts, 250); }
  }
  window.addEventListener("pagehide", sendReceipts);

  SchoolSafe.stream = function (handlers, options) {
    handlers = handlers || {};
    options = options || {};
    var kinds = options.kinds || [];
    var extra = {};  // kind -> [fn] added later with addEventListener
    var lastId = options.resume ? numeric(stored(LAST_SEEN)) || numeric(options.since) : "";
    var source = null;
    var failures = 0;
    var closed = false;
    var timer = null;

    if (options.receipts && unsentReceipts().length) { sendReceipts(); }

    function state(text, cls) { if (handlers.state) { handlers.state(text, cls); } }
    function bind(kind, fn) { if (source) { source.addEventListener(kind, fn); } }
    // The last id seen of any kind listened for: a reopened stream (or the next page) starts after it.
    function saw(ev) {
      var id = parseInt(ev.lastEventId, 10);
      if (id && !(lastId && id <= parseInt(lastId, 10))) {
        lastId = String(id);
        if (options.resume) { store(LAST_SEEN, lastId); }
      }
      return id;
    }
    function onEvent(kind) {
      return function (ev) {
        var data;
        try { data = JSON.parse(ev.data); } catch (e) { return; }
        var id = saw(ev);
        if (id && options.receipts) { receipt(id); }
        if (handlers.event) { handlers.event(kind, data, id); }
      };
    }
    function open() {
      var base = SchoolSafe.url("events");
      if (closed || !base) { return; }
      source = new EventSource(base + (lastId ? (base.indexOf("?") < 0 ? "?" : "&") + "last_event_id=" + lastId : ""));
      kinds.forEach(function (kind) { bind(kind, onEvent(kind)); });
      Object.keys(extra).forEach(function (kind) { extra[kind].forEach(function (fn) { bind(kind, fn); }); });
      source.onopen = function () {
        failures = 0;
        state("Live: updates appear as they happen.", "live");
        if (handlers.open) { handlers.open(); }
      };
      source.onerror = function () {
        if (source.readyState !== EventSource.CLOSED) { state("Connection lost: reconnecting…", "down"); return; }
        // Refused, not dropped: the browser gives up, this client does not.
        source.close();
        failures += 1;
        var pause = Math.min(MAX_PAUSE_MS, 1000 * Math.pow(2, failures - 1));
        state(failures > 3 ? "Live updates stopped (signed out?). Trying again; reload the page if this lasts."
                           : "Connection lost: reconnecting…", "down");
        timer = window.setTimeout(open, pause);
      };
    }
    open();
    return {
      addEventListener: function (kind, fn) {
        var wrapped = function (ev) { saw(ev); fn(ev); };
        (extra[kind] = extra[kind] || []).push(wrapped);
        bind(kind, wrapped);
      },
      close: function () {
        closed = true;
        if (timer) { clearTimeout(timer); }
        if (source) { source.close(); }
      },
      get readyState() { return source ? source.readyState : 2; },
    };
  };

  // A handlers.state that writes the stream's state into `node` (class "stream-state live|down").
  SchoolSafe.streamState = function (node) {
    return function (text, cls) {
      if (!node) { return; }
      node.textContent = text;
      node.className = "stream-state " + (cls || "");
    };
  };
})();
