// Small DOM helpers every page script shares. Text goes in with text nodes only, never as HTML: what is shown
// is often what someone typed (a tip, a room, a feature's name on a site map).
(function () {
  "use strict";
  var SchoolSafe = (window.SchoolSafe = window.SchoolSafe || {});

  // el("li", {className: "x", href: "...", dataset: {room: "12"}}, ["text", otherNode])
  SchoolSafe.el = function (tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      if (k === "dataset") { Object.keys(props.dataset).forEach(function (d) { node.dataset[d] = props.dataset[d]; }); }
      else if (k in node) { node[k] = props[k]; }
      else { node.setAttribute(k, props[k]); }
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === "") { return; }
      node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
    return node;
  };

  SchoolSafe.clear = function (node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
    return node;
  };

  // The JSON a page put in a <script type="application/json" id="..."> block (Django's json_script), or null.
  SchoolSafe.config = function (id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  };

  // Tells screen-reader users something the page did without moving their focus: one polite (or, for what
  // cannot wait, assertive) live region per page, made on first use.
  SchoolSafe.announce = function (text, assertive) {
    var id = assertive ? "ss-announce-assertive" : "ss-announce";
    var region = document.getElementById(id);
    if (!region) {
      region = SchoolSafe.el("div", { id: id, className: "visually-hidden", role: assertive ? "alert" : "status" });
      region.setAttribute("aria-live", assertive ? "assertive" : "polite");
      document.body.appendChild(region);
    }
    // Emptied first, so that the same words said twice are announced twice.
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  };

  // Writes a status line ("Saved.", or the server's refusal) into `node`, for the calls a form makes.
  SchoolSafe.say = function (node, text, failed) {
    if (!node) { return; }
    node.textContent = text;
    node.classList.toggle("error", !!failed);
  };
})();
