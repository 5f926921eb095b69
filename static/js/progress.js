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
  function statuses(root) {
    var rows = root.querySelectorAll("[data-document]");
    return Array.prototype.map.call(rows, function (row) {
      return row.getAttribute("data-document") + ":" + row.getAttribute("data-status");
    }).join(" ");
  }
  function refresh() {
    if (!pending()) { return; }
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        // Signed out (sent to the login page) or refused: stop; a reload shows why.
        if (!response.ok || response.redirected) { return; }
        return response.text().then(function (html) {
          var fresh = document.createElement("div");
          fresh.innerHTML = html;
          // Swap only when a status changed, so that screen readers announce changes,
          // not every poll.
          if (statuses(fresh) !== statuses(box)) { box.innerHTML = html; }
          window.setTimeout(refresh, 2000);
        });
      })
      // The network failed: try again a little later.
      .catch(function () { window.setTimeout(refresh, 5000); });
  }
  window.setTimeout(refresh, 1000);
})();
