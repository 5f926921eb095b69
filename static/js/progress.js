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
      .then(function (response) {
        // Signed out or refused: stop polling; a reload shows why.
        if (!response.ok) { return; }
        return response.text().then(function (html) {
          // Swap only what changed, so that screen readers announce changes, not every poll.
          if (html.trim() !== box.innerHTML.trim()) { box.innerHTML = html; }
          window.setTimeout(refresh, 2000);
        });
      })
      // The network failed: try again a little later.
      .catch(function () { window.setTimeout(refresh, 5000); });
  }
  window.setTimeout(refresh, 1000);
})();
