// The one way a page calls the JSON API: the session's CSRF token, JSON in and out, and an answer that never
// throws for an HTTP status (only a network failure rejects), so that every page shows the server's own
// words ("detail") when it refuses. URLs come from the page (data-* attributes and json_script blocks
// rendered with {% url %}), never from a script: SchoolSafe.url("receipts") reads <body data-receipts-url>.
(function () {
  "use strict";
  var SchoolSafe = (window.SchoolSafe = window.SchoolSafe || {});

  // The token of a form on the page, else the <meta name="csrf-token"> a signed-in page carries, else the
  // cookie (readable unless CSRF_COOKIE_HTTPONLY is set).
  SchoolSafe.csrf = function () {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input && input.value) { return input.value; }
    var meta = document.querySelector("meta[name=csrf-token]");
    if (meta && meta.content) { return meta.content; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  };

  // A URL the page gives: <body data-NAME-url="...">, or "" when the page has none.
  SchoolSafe.url = function (name) {
    var key = name.replace(/-([a-z])/g, function (m, c) { return c.toUpperCase(); }) + "Url";
    return (document.body && document.body.dataset[key]) || "";
  };

  // A URL the server reversed with the placeholder id 0 (ending in /0/ or /0), made the URL of `id`.
  SchoolSafe.withId = function (template, id) {
    return String(template).replace("/0/", "/" + id + "/").replace(/\/0$/, "/" + id);
  };

  // fetch() resolving {status, ok, data}. options: {credentials, keepalive} for the few calls that differ
  // (the panic device sends no cookie; receipts outlive the page).
  SchoolSafe.request = function (method, url, body, headers, options) {
    var opts = options || {};
    var h = { Accept: "application/json" };
    if (opts.credentials !== "omit") { h["X-CSRFToken"] = SchoolSafe.csrf(); }
    if (body !== undefined) { h["Content-Type"] = "application/json"; }
    Object.keys(headers || {}).forEach(function (k) { h[k] = headers[k]; });
    return fetch(url, { method: method, headers: h, credentials: opts.credentials || "same-origin", cache: "no-store",
                        keepalive: !!opts.keepalive, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (r) {
        return r.text().then(function (t) {
          var data = null;
          try { data = t ? JSON.parse(t) : null; } catch (e) { data = null; }
          return { status: r.status, ok: r.ok, data: data };
        });
      });
  };

  // The words to show for a refused call: the server's "detail" (a string, or pydantic's list of errors).
  SchoolSafe.detail = function (res) {
    var d = res && res.data && res.data.detail;
    if (Array.isArray(d)) {
      d = d.map(function (e) { return (e && e.msg) || String(e); }).join("; ");
    }
    return d || ("The server answered " + (res ? res.status : "nothing") + ".");
  };
})();
