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

/* Order form: the 环节 list offers only the links of the chosen chain's type; the amount reads in 万元 as typed. */
(function () {
  "use strict";
  var form = document.querySelector("form.order-form");
  if (!form) { return; }
  var chain = form.querySelector('select[name="chain"]');
  var link = form.querySelector('select[name="link"]');
  function filterLinks() {
    if (!chain || !link) { return; }
    var chosen = chain.options[chain.selectedIndex];
    var type = chosen ? chosen.getAttribute("data-chain-type") : null;
    Array.prototype.forEach.call(link.options, function (option) {
      var own = option.getAttribute("data-chain-type");
      var show = !own || !type || own === type;
      option.hidden = !show;
      option.disabled = !show;
    });
    var current = link.options[link.selectedIndex];
    if (current && current.disabled) { link.value = ""; }
  }
  if (chain) { chain.addEventListener("change", filterLinks); filterLinks(); }

  var amount = form.querySelector('input[name="amount_yuan"]');
  if (amount) {
    var english = (document.documentElement.lang || "").indexOf("en") === 0;
    var hint = document.createElement("div");
    hint.className = "form-text";
    hint.setAttribute("data-amount-hint", "");
    hint.setAttribute("aria-live", "polite");
    amount.insertAdjacentElement("afterend", hint);
    var show = function () {
      var value = Number(amount.value);
      if (!amount.value || !isFinite(value) || value <= 0) { hint.textContent = ""; return; }
      var text = value >= 10000
        ? (Math.round(value / 100) / 100).toLocaleString() + (english ? " × 10k yuan" : " 万元")
        : value.toLocaleString() + (english ? " yuan" : " 元");
      hint.textContent = "= " + text;
    };
    amount.addEventListener("input", show);
    show();
  }
})();
