/* Forms that change something: show the limits of long texts and send a form once.
   - every textarea with a maxlength gets a counter "n / max" under it (the browser already stops typing at
     the limit, so nothing is cut silently on the server);
   - a form is sent once: a second click within 5 s while it is being sent is ignored (the server's one-time form token
     refuses a resent form anyway, see core/formtokens.py);
   - a page that answered a POST replaces its history entry, so reloading it or coming back does not offer
     to send the form again. */
(function () {
  "use strict";
  document.querySelectorAll("textarea[maxlength]").forEach(function (area) {
    var max = Number(area.getAttribute("maxlength"));
    if (!max) { return; }
    var counter = document.createElement("div");
    counter.className = "form-text text-end";
    counter.setAttribute("data-char-counter", "");
    counter.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", counter);
    var show = function () {
      var used = area.value.length;
      counter.textContent = used + " / " + max;
      counter.classList.toggle("text-danger", used >= max);
    };
    area.addEventListener("input", show);
    show();
  });

  document.querySelectorAll("form[method=post], form[method=POST]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sending") === "1") { event.preventDefault(); return; }
      form.setAttribute("data-sending", "1");
      // A form whose answer does not leave the page (a download, a new tab) may be sent again later.
      window.setTimeout(function () { form.removeAttribute("data-sending"); }, 5000);
    });
  });
  // Back to a page kept in the browser's cache: the form may be sent again (the server decides).
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(function (form) {
      form.removeAttribute("data-sending");
    });
  });

  if (window.history && window.history.replaceState) {
    window.history.replaceState(window.history.state, "", window.location.href);
  }
})();
