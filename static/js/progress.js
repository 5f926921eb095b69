// The decision page: refresh the list of PDFs every few seconds while any is queued or
// being rendered, without reloading the page. Without JavaScript a reload shows the same.
(function () {
  "use strict";
  var box = document.getElementById("decision-documents");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  function pending() {
    var table = box.querySelector("[data-pending]");
    return table && table.getAttribute("data-pending") !== "";
  }
  function refresh() {
    if (!pending()) { return; }
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) { box.innerHTML = html; } })
      .catch(function () { /* Try again on the next tick. */ })
      .then(function () { window.setTimeout(refresh, 2000); });
  }
  window.setTimeout(refresh, 1000);
})();
