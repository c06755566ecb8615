/* Account pages: show only the sign-up fields for the chosen organization kind; confirm destructive forms. */
(function () {
  "use strict";
  var form = document.getElementById("signup-form");
  if (form) {
    var kind = form.querySelector("[name=org_kind]");
    var provider = form.querySelector("[name=provider_kind]");
    var sync = function () {
      form.querySelectorAll("[data-kind]").forEach(function (el) {
        el.hidden = kind.value !== "" && el.dataset.kind !== kind.value;
      });
      form.querySelectorAll("[data-provider]").forEach(function (el) {
        el.hidden = kind.value !== "" &&
          (kind.value !== "provider" || (provider.value !== "" && el.dataset.provider !== provider.value));
      });
    };
    kind.addEventListener("change", sync);
    provider.addEventListener("change", sync);
    sync();
  }
  document.querySelectorAll("form[data-confirm]").forEach(function (el) {
    el.addEventListener("submit", function (event) {
      if (!window.confirm(el.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
})();
