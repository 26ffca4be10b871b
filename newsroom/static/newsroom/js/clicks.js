// Records the view of an article and shows the true click count.
// The page already shows the count rendered on the server; this only
// replaces it with a newer number, so a failure never leaves "undefined".
(function () {
  "use strict";
  var nodes = document.querySelectorAll(".click-count[data-click-url]");
  Array.prototype.forEach.call(nodes, function (node) {
    if (!window.fetch) {
      return;
    }
    fetch(node.getAttribute("data-click-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-Requested-With": "XMLHttpRequest" }
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && typeof data.count === "number" && isFinite(data.count)) {
          node.textContent = String(data.count);
        }
      })
      .catch(function () {});
  });
})();
