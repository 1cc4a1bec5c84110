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
