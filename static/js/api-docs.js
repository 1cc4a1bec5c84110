// The API reference page: Swagger UI (static/vendor/swagger-ui) reads the OpenAPI description of this site.
// "Try it out" runs as the signed-in visitor (session cookie + CSRF header) unless a token is given.
(function () {
  "use strict";
  function start() {
    var root = document.getElementById("swagger-ui");
    if (!root || typeof window.SwaggerUIBundle !== "function") {
      return;
    }
    var csrfToken = root.getAttribute("data-csrf-token");
    var closeLabel = root.getAttribute("data-close-label") || "Close";
    // Swagger UI's Authorize dialog, made a labelled modal dialog each time it opens: its close button gets a
    // name, and the buttons named "Apply credentials" keep the name they show ("Authorize").
    new MutationObserver(function () {
      var dialog = root.querySelector(".dialog-ux .modal-ux");
      if (!dialog) {
        return;
      }
      var title = dialog.querySelector(".modal-ux-header h3");
      if (title && !title.id) {
        title.id = "swagger-authorize-title";
        dialog.setAttribute("aria-labelledby", title.id);
      }
      if (!dialog.hasAttribute("role")) {
        dialog.setAttribute("role", "dialog");
        dialog.setAttribute("aria-modal", "true");
      }
      dialog.querySelectorAll(".close-modal:not([aria-label])").forEach(function (button) {
        button.setAttribute("aria-label", closeLabel);
      });
      // "Authorized" is an h6 under each scheme's h4: a level below it for screen readers.
      dialog.querySelectorAll("h6:not([aria-level])").forEach(function (heading) {
        heading.setAttribute("aria-level", "5");
      });
      dialog.querySelectorAll(".modal-btn[aria-label]").forEach(function (button) {
        button.removeAttribute("aria-label");
      });
    }).observe(root, { childList: true, subtree: true });
    window.SwaggerUIBundle({
      url: root.getAttribute("data-schema-url"),
      domNode: root,
      deepLinking: false,
      docExpansion: "list",
      defaultModelsExpandDepth: -1,
      requestInterceptor: function (request) {
        if (csrfToken && !request.headers.Authorization) {
          request.headers["X-CSRFToken"] = csrfToken;
        }
        return request;
      },
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
