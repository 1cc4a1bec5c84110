// Where keyboard and screen-reader users land after a round trip (a form sent, an action done).
// A page with errors (the base template marks <body data-page-errors>) moves focus to the error summary, else to
// the first invalid field; any other page that shows a message (such as "Added to your cart") moves focus to it.
(function () {
  "use strict";
  var target = null;
  if (document.body.hasAttribute("data-page-errors")) {
    target = document.querySelector("[data-error-summary], #messages .alert-danger, main .alert-danger")
      || document.querySelector('main [aria-invalid="true"], main .is-invalid');
  }
  if (!target) {
    target = document.querySelector("#messages .alert");
  }
  if (!target) {
    return;
  }
  var details = target.closest("details");
  if (details) {
    details.open = true;
  }
  if (!target.matches("a[href], button, input, select, textarea, [tabindex]")) {
    target.setAttribute("tabindex", "-1");
  }
  target.setAttribute("data-focus-target", "");
  target.focus();
})();
