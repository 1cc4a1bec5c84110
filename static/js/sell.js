// The seller's pages: ISBN look-up on the new-listing form and confirmation of destructive actions.
// Everything here is an enhancement: without JavaScript the "Look up" button and the
// confirmation page do the same work on the server.
(function () {
  "use strict";

  var BOOK_FIELDS = ["title", "authors", "publisher", "year", "language", "binding", "category", "description"];

  function setupIsbnLookup(form) {
    var url = form.getAttribute("data-isbn-lookup-url");
    var isbn = form.elements.namedItem("isbn");
    var status = document.getElementById("isbn-lookup-status");
    var existing = document.getElementById("existing-book-alert");
    var button = form.querySelector("[data-isbn-lookup-button]");
    if (!url || !isbn || !status) {
      return;
    }
    var lastLookedUp = null;

    function say(text, tone) {
      status.textContent = text || "";
      status.classList.remove("text-danger", "text-success");
      if (tone) {
        status.classList.add(tone);
      }
    }

    function fill(book) {
      BOOK_FIELDS.forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field && !field.disabled && Object.prototype.hasOwnProperty.call(book, name)) {
          field.value = book[name] === null || book[name] === undefined ? "" : String(book[name]);
        }
      });
      if (book.isbn) {
        isbn.value = book.isbn;
      }
    }

    function lookUp() {
      var value = isbn.value.trim();
      if (!value) {
        say("");
        if (existing) {
          existing.hidden = true;
        }
        return;
      }
      if (value === lastLookedUp) {
        return;
      }
      lastLookedUp = value;
      say(status.getAttribute("data-msg-searching"));
      fetch(url + "?isbn=" + encodeURIComponent(value), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (data) {
            return { ok: response.ok, data: data };
          });
        })
        .then(function (result) {
          var data = result.data;
          if (existing) {
            existing.hidden = !data.found;
          }
          if (!result.ok) {
            lastLookedUp = null;
            say(data.error, "text-danger");
            return;
          }
          if (data.found) {
            fill(data.book);
            say(data.message, "text-success");
          } else {
            say(data.message);
          }
        })
        .catch(function () {
          lastLookedUp = null;
          say(status.getAttribute("data-msg-failed"), "text-danger");
        });
    }

    isbn.addEventListener("change", lookUp);
    isbn.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        lastLookedUp = null;
        lookUp();
      }
    });
    if (button) {
      // With the script the look-up happens in place: nothing typed is lost and no page load is needed.
      button.addEventListener("click", function (event) {
        event.preventDefault();
        lastLookedUp = null;
        lookUp();
      });
    }
  }

  // A destructive action carries its question in data-confirm: on its form, or, on a form shared by several actions
  // (data-confirm-buttons: the inventory's row actions), on the button that submits it; there the answer must not
  // outlive the one submission.
  function setupConfirmations() {
    document.querySelectorAll("form[data-confirm], form[data-confirm-buttons]").forEach(function (form) {
      var confirmField = form.elements.namedItem("confirm");
      var perButton = form.hasAttribute("data-confirm-buttons");
      form.addEventListener("submit", function (event) {
        var question = perButton
          ? event.submitter && event.submitter.getAttribute("data-confirm")
          : form.getAttribute("data-confirm");
        if (perButton && confirmField) {
          confirmField.value = "";
        }
        if (!question) {
          return;
        }
        if (!window.confirm(question)) {
          event.preventDefault();
          return;
        }
        // Confirmed here, so the server need not ask again on its confirmation page.
        if (confirmField) {
          confirmField.value = "yes";
        }
      });
    });
  }

  // Price help: the figures for the ISBN and condition typed in the listing form, fetched from the orders app's
  // page as they change. Without the script its link opens that page in a new tab.
  function setupPriceHelp(box) {
    var form = box.closest("form");
    var figures = document.getElementById("price-help-figures");
    var link = document.getElementById("price-help-link");
    var url = box.getAttribute("data-price-help-url");
    if (!form || !figures || !url) {
      return;
    }
    var isbn = form.elements.namedItem("isbn");
    var condition = form.elements.namedItem("condition");
    var timer = null;
    var last = null;

    function query() {
      return "?isbn=" + encodeURIComponent(isbn ? isbn.value.trim() : "") +
        "&condition=" + encodeURIComponent(condition ? condition.value : "");
    }

    function refresh() {
      var current = query();
      if (link) {
        link.href = url + current;
      }
      if (current === last) {
        return;
      }
      last = current;
      fetch(url + current + "&partial=1", { headers: { Accept: "text/html" }, credentials: "same-origin" })
        .then(function (response) {
          return response.text();
        })
        .then(function (html) {
          if (current === last) {
            figures.innerHTML = html;
          }
        })
        .catch(function () {
          last = null;
          figures.textContent = figures.getAttribute("data-msg-failed");
        });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 400);
    }

    if (isbn) {
      isbn.addEventListener("input", later);
      isbn.addEventListener("change", refresh);
    }
    if (condition) {
      condition.addEventListener("change", refresh);
    }
    refresh();
  }

  // Bulk actions on the inventory: "select all on this page", and only the value field the action needs.
  function setupBulk(form) {
    var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="ids"][form="' + form.id + '"]'));
    var all = document.querySelector("[data-select-all]");
    var action = form.elements.namedItem("action");
    if (all && boxes.length) {
      all.hidden = false;
      all.addEventListener("change", function () {
        boxes.forEach(function (box) {
          box.checked = all.checked;
        });
      });
      boxes.forEach(function (box) {
        box.addEventListener("change", function () {
          var ticked = boxes.filter(function (b) { return b.checked; }).length;
          all.checked = ticked === boxes.length;
          all.indeterminate = ticked > 0 && ticked < boxes.length;
        });
      });
    }
    function showValueField() {
      form.querySelectorAll("[data-bulk-value]").forEach(function (field) {
        field.hidden = field.getAttribute("data-bulk-value") !== action.value;
      });
    }
    if (action) {
      action.addEventListener("change", showValueField);
      showValueField();
    }
  }

  document.querySelectorAll("form[data-isbn-lookup-url]").forEach(setupIsbnLookup);
  document.querySelectorAll("[data-price-help-url]").forEach(setupPriceHelp);
  var bulkForm = document.getElementById("bulk-form");
  if (bulkForm) {
    setupBulk(bulkForm);
  }
  setupConfirmations();
})();
