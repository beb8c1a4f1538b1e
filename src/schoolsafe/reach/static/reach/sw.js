// SchoolSafe's service worker (docs/reaching-people.md). Served at /sw.js so its scope is the site.
// 1. A Web Push message (RFC 8030) is shown as a system notification: the alert's headline (SRP action, school,
//    exercise marking); silent when it is a lockdown or the school is under one (SRP, Alyssa's Law: the push
//    says so in `silent`); its "Acknowledge" action posts the delivery receipt and the acknowledgement.
// 2. The panic page works offline: it and its files are kept from the last visit (network first).
// 3. A raise (POST to the alerts API) that cannot reach the server is queued with its Idempotency-Key and sent when
//    the network is back (the server answers a repeated key with the first alert, so it is raised once).
"use strict";

var SHELL = "schoolsafe-shell-v1";
var STATE = "schoolsafe-state-v1";
var QUEUE = "schoolsafe-raise-queue-v1";
// The URLs, reversed by the server in front of this script (reach/views.py: service_worker).
var URLS = self.SCHOOLSAFE_URLS;
var SHELL_PAGES = URLS.shell;
function withId(template, id) { return String(template).replace("/0/", "/" + id + "/"); }

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return Promise.all(SHELL_PAGES.map(function (url) {
      return fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (r.ok && !r.redirected) { return cache.put(url, r); }
      }).catch(function () { /* signed out or offline: kept on the next visit */ });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

// --- state given by the pages: the CSRF token ----------------------------------------------------------------
function remember(key, value) {
  return caches.open(STATE).then(function (c) { return c.put("/__state/" + key, new Response(JSON.stringify(value))); });
}
function recall(key) {
  return caches.open(STATE).then(function (c) { return c.match("/__state/" + key); })
    .then(function (r) { return r ? r.json() : null; });
}
function post(url, body, extra) {
  return recall("csrf").then(function (token) {
    var headers = { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token || "" };
    Object.keys(extra || {}).forEach(function (k) { headers[k] = extra[k]; });
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers, body: JSON.stringify(body) });
  });
}

self.addEventListener("message", function (event) {
  var m = event.data || {};
  if (m.type === "csrf" && m.token) { event.waitUntil(remember("csrf", m.token)); }
  if (m.type === "online") { event.waitUntil(flushQueue()); }
});

// --- 1. push -> notification -> acknowledge -------------------------------------------------------------------
function showAlert(d) {
  var body = [d.directive, d.school && d.school.name].filter(Boolean).join(" · ");
  var raised = d.kind === "alert.raised";
  var options = {
    body: body, tag: "alert-" + d.alert, renotify: true, requireInteraction: raised, silent: !!d.silent,
    data: d, actions: raised ? [{ action: "acknowledge", title: "Acknowledge" }] : [],
  };
  return self.registration.showNotification(d.title || "SchoolSafe alert", options).then(function () {
    // The delivery receipt: this device has the alert (the delivery report's "reached").
    if (d.event) { return post(URLS.receipts, { ids: [d.event] }).catch(function () {}); }
  });
}

self.addEventListener("push", function (event) {
  var d = {};
  try { d = event.data ? event.data.json() : {}; } catch (e) { d = { title: event.data ? event.data.text() : "" }; }
  event.waitUntil(showAlert(d));
});

function acknowledge(d) {
  return post(URLS.receipts, { ids: [d.event] }).catch(function () {}).then(function () {
    return post(withId(URLS.acknowledge, d.alert), {});
  });
}

function openPage(url) {
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (list) {
    for (var i = 0; i < list.length; i += 1) {
      if (new URL(list[i].url).pathname === url && "focus" in list[i]) { return list[i].focus(); }
    }
    return self.clients.openWindow(url);
  });
}

// Named so that a test (through the DevTools protocol) can run the same path a click on the action runs.
self.onAlertNotificationClick = function (event) {
  var d = event.notification.data || {};
  event.notification.close();
  var work = event.action === "acknowledge" ? acknowledge(d) : openPage(withId(URLS.takeover, d.alert));
  if (event.waitUntil) { event.waitUntil(work); }
  return work;
};
self.addEventListener("notificationclick", function (event) { self.onAlertNotificationClick(event); });

// --- 2. offline shell, 3. queued raise ------------------------------------------------------------------------
function queueRaise(request) {
  return request.clone().text().then(function (body) {
    var key = request.headers.get("Idempotency-Key") || String(Date.now());
    var saved = { url: request.url, body: body, key: key, csrf: request.headers.get("X-CSRFToken") || "" };
    return caches.open(QUEUE).then(function (c) { return c.put("/__queue/" + encodeURIComponent(key), new Response(JSON.stringify(saved))); });
  });
}

var flushing = null;
function flushQueue() {
  if (flushing) { return flushing; }
  flushing = caches.open(QUEUE).then(function (cache) {
    return cache.keys().then(function (keys) {
      return keys.reduce(function (chain, req) {
        return chain.then(function () { return cache.match(req); }).then(function (r) { return r.json(); })
          .then(function (saved) {
            return fetch(saved.url, { method: "POST", credentials: "same-origin", body: saved.body, headers: {
              "Content-Type": "application/json", Accept: "application/json", "Idempotency-Key": saved.key,
              "X-CSRFToken": saved.csrf } })
              .then(function (res) { if (res.status < 500) { return cache.delete(req); } });
          }).catch(function () { /* still offline: kept */ });
      }, Promise.resolve());
    });
  }).then(function () { flushing = null; }, function () { flushing = null; });
  return flushing;
}

self.addEventListener("sync", function (event) {
  if (event.tag === "raise-queue") { event.waitUntil(flushQueue()); }
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) { return; }
  if (req.method === "POST" && url.pathname === URLS.alerts) {
    event.respondWith(fetch(req.clone()).catch(function () {
      return queueRaise(req).then(function () {
        if (self.registration.sync) { self.registration.sync.register("raise-queue").catch(function () {}); }
        return new Response(JSON.stringify({ detail: "offline: the alert is queued on this device and will be sent when the network is back", queued: true }),
                            { status: 503, headers: { "Content-Type": "application/json" } });
      });
    }));
    return;
  }
  if (req.method === "POST" && url.pathname === URLS.receipts) {
    // A delivery receipt sent as its page goes away (pagehide, keepalive): left to fall through to the
    // network, the request died with the page about half the time in Chromium; sent from here, the worker
    // (which outlives the page) carries it to the server.
    event.respondWith(fetch(req.clone()));
    return;
  }
  if (req.method !== "GET") { return; }
  var shell = SHELL_PAGES.indexOf(url.pathname) >= 0 && req.mode === "navigate";
  if (shell || url.pathname.indexOf(URLS.static) === 0) {
    // Network first, the last good copy when offline.
    event.respondWith(fetch(req).then(function (res) {
      if (res.ok && !res.redirected) {
        var copy = res.clone();
        caches.open(SHELL).then(function (c) { c.put(url.pathname + (shell ? "" : url.search), copy); });
      }
      return res;
    }).catch(function () {
      return caches.match(url.pathname + (shell ? "" : url.search)).then(function (hit) {
        return hit || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
      });
    }));
  }
});
