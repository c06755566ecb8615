/* Order form: show only the fields of the chosen kind (the server validates the same rule). */
(function () {
  "use strict";
  var form = document.querySelector("form.order-form");
  if (!form) { return; }
  function chosenKind() {
    var checked = form.querySelector('input[name="kind"]:checked');
    return checked ? checked.value : "";
  }
  function update() {
    var kind = chosenKind();
    form.querySelectorAll("[data-kind-field]").forEach(function (el) {
      el.hidden = el.getAttribute("data-kind-field") !== kind;
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target && event.target.name === "kind") { update(); }
  });
  update();
})();
