// The tip form, a little friendlier with JavaScript: a filter for a long list of schools, and focus on
// the error summary after a failed send. Everything works without it.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  var filter = document.getElementById("school-filter");
  var select = document.getElementById("id_school");
  if (!filter || !select) { return; }
  filter.hidden = false;
  var options = Array.prototype.slice.call(select.querySelectorAll("option[value]")).filter(function (o) { return o.value; });
  function fold(text) { return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  filter.addEventListener("input", function () {
    var wanted = fold(filter.value.trim());
    var first = null;
    options.forEach(function (option) {
      var match = !wanted || fold(option.textContent).indexOf(wanted) !== -1;
      option.hidden = !match;
      option.disabled = !match && !option.selected;
      if (match && !first) { first = option; }
    });
    select.querySelectorAll("optgroup").forEach(function (group) {
      group.hidden = !Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
    });
    if (wanted && first && select.selectedOptions.length && select.selectedOptions[0].hidden) { select.value = first.value; }
  });
})();
