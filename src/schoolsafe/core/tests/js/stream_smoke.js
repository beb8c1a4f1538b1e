// Run by test_frontend.py (node stream_smoke.js <package dir>): loads the script floor and the alert listener
// into a fake page and drives a fake EventSource: resume, the incident link, receipts, a refused stream
// reopened after a pause from the last id with the page's listeners kept.
const fs = require("fs"); const vm = require("vm");
const S = process.argv[2];
const store = {}; const storage = { getItem: k => (k in store ? store[k] : null), setItem: (k, v) => { store[k] = String(v); } };
const listeners = {};
const fetches = [];
const elements = {};
function node(id) { return { id, dataset: {}, hidden: true, textContent: "", className: "", classList: { add() {}, remove() {}, toggle() {} }, appendChild() {}, addEventListener() {}, setAttribute() {}, href: "" }; }
["incoming", "incoming-title", "incoming-directive", "incoming-link", "incoming-silent"].forEach(id => elements[id] = node(id));
elements.incoming.dataset.incidentUrl = "/alerts/0/";
const body = { dataset: { eventsUrl: "/api/v1/events", receiptsUrl: "/api/v1/events/receipts", eventsSince: "7", lockdownSchools: "" }, appendChild() {} };
const document = {
  body, readyState: "complete", documentElement: { lang: "en" }, cookie: "csrftoken=abc",
  querySelector(sel) { if (sel === "[data-incident-url]") return elements.incoming; if (sel === "input[name=csrfmiddlewaretoken]") return null; if (sel === "meta[name=csrf-token]") return { content: "tok" }; return null; },
  querySelectorAll() { return []; }, getElementById: id => elements[id] || null, addEventListener() {},
  createElement: t => node(t), createTextNode: t => ({ t }),
};
const sources = [];
class EventSource {
  constructor(url) { this.url = url; this.readyState = 0; this.h = {}; sources.push(this); }
  addEventListener(k, f) { (this.h[k] = this.h[k] || []).push(f); }
  close() { this.readyState = 2; }
  emit(kind, id, data) { (this.h[kind] || []).forEach(f => f({ data: JSON.stringify(data), lastEventId: String(id) })); }
}
EventSource.CLOSED = 2;
const timers = [];
const window = { sessionStorage: storage, localStorage: storage, addEventListener(k, f) { listeners[k] = f; }, setTimeout: (f, ms) => { timers.push([f, ms]); return timers.length; } };
const ctx = { window, document, EventSource, navigator: {}, console, JSON, Math, Object, Array, String, parseInt,
  setTimeout: window.setTimeout, clearTimeout() {}, fetch: (url, o) => { fetches.push([url, o]); return Promise.resolve({ status: 200, ok: true, text: () => Promise.resolve("{}") }); } };
window.SchoolSafe = undefined; delete window.SchoolSafe;
vm.createContext(ctx); ctx.window = ctx; Object.assign(ctx, window);
for (const f of ["static/schoolsafe/request.js", "static/schoolsafe/dom.js", "static/schoolsafe/stream.js", "alerts/static/alerts/live.js", "alerts/static/alerts/listen.js"]) {
  vm.runInContext(fs.readFileSync(S + f, "utf8"), ctx, { filename: f });
}
const assert = require("assert");
assert.strictEqual(sources.length, 1);
assert.strictEqual(sources[0].url, "/api/v1/events?last_event_id=7");
const seen = [];
ctx.SSAlerts.shared.addEventListener("tip.received", ev => seen.push(ev.lastEventId));
sources[0].emit("alert.raised", 9, { id: 5, action: "lockdown", tier: "alert", status: "active", school: { id: 3, name: "A" }, location: {} });
assert.strictEqual(elements["incoming-link"].href, "/alerts/5/");
assert.strictEqual(store["schoolsafe.lastEventId"], "9");
assert.ok(ctx.SSAlerts.underLockdown(3));
sources[0].emit("tip.received", 10, {});
assert.deepStrictEqual(seen, ["10"]);
// receipts batched
const t = timers.find(x => x[1] === 250); assert.ok(t); t[0]();
assert.strictEqual(fetches[0][0], "/api/v1/events/receipts");
assert.strictEqual(fetches[0][1].headers["X-CSRFToken"], "tok");
assert.deepStrictEqual(JSON.parse(fetches[0][1].body), { ids: [9] });
// refused: reopened after a pause, from the last id, keeping page listeners
sources[0].readyState = 2; sources[0].onerror();
const re = timers[timers.length - 1]; assert.strictEqual(re[1], 1000); re[0]();
assert.strictEqual(sources.length, 2);
assert.strictEqual(sources[1].url, "/api/v1/events?last_event_id=10");
sources[1].emit("tip.received", 11, {});
assert.deepStrictEqual(seen, ["10", "11"]);
sources[1].onopen();
console.log("ok");
