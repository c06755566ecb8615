// Fills the dashboards' development-index section from its own URL (the dashboard page stays as it was).
(function () {
  "use strict";
  document.querySelectorAll("[data-devindex-panel]").forEach(function (el) {
    fetch(el.dataset.devindexPanel, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) {
        return r.ok ? r.text() : "";
      })
      .then(function (html) {
        el.innerHTML = html;
        el.dataset.loaded = "1";
      })
      .catch(function () {
        el.dataset.loaded = "1";
      });
  });
})();
