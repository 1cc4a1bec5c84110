// Checkout: when the buyer picks another address or carrier, ask the server for the new summary and put it in place.
// The page does not reload and focus stays on the radio (arrow keys move through a carrier group freely); the totals
// region is aria-live="polite", so screen readers announce the new total. Without JavaScript, or when the request
// fails, the "Update the summary" button sends the form as before.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-summary-url");
  var form = document.getElementById("checkout");
  if (!url || !form || !window.fetch) {
    return;
  }
  var latest = 0;

  function chosen() {
    var params = new URLSearchParams();
    document.querySelectorAll('input[form="checkout"][type="radio"]:checked').forEach(function (radio) {
      params.set(radio.name, radio.value);
    });
    return params;
  }

  function put(id, html) {
    var region = document.getElementById(id);
    if (region && typeof html === "string") {
      region.innerHTML = html;
    }
  }

  function refresh(radio) {
    var request = ++latest;
    var params = chosen();
    var newAddress = radio.name === "address";
    if (newAddress) {
      // Another address may have other carriers: let the server pick the cheapest again.
      Array.from(params.keys()).forEach(function (key) {
        if (key !== "address") { params.delete(key); }
      });
    }
    var region = document.getElementById("checkout-summary");
    if (region) { region.setAttribute("aria-busy", "true"); }
    fetch(url + "?" + params.toString(), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error("summary " + response.status); }
        return response.json();
      })
      .then(function (parts) {
        if (request !== latest) { return; }  // an older answer arriving after a newer one
        if (newAddress) { put("checkout-shipping", parts.shipping); }
        put("checkout-summary", parts.summary);
        put("checkout-actions", parts.actions);
        put("checkout-bar", parts.bar);
        document.body.setAttribute("data-summary-updates", String(request));
      })
      .catch(function () {
        // Fall back to the server round trip the page works with without JavaScript.
        var button = document.getElementById("preview-button");
        if (button) { button.click(); }
      })
      .finally(function () {
        if (region && request === latest) { region.removeAttribute("aria-busy"); }
      });
  }

  document.addEventListener("change", function (event) {
    var radio = event.target;
    if (radio instanceof HTMLInputElement && radio.type === "radio" && radio.getAttribute("form") === "checkout") {
      refresh(radio);
    }
  });
})();
