// Search suggestions as you type: the combobox pattern on the navbar's search box (#nav-search).
// Without this script the search box is a plain search form.
(function () {
  "use strict";
  var input = document.getElementById("nav-search");
  if (!input || !input.dataset.suggestUrl) return;
  var list = document.getElementById(input.getAttribute("aria-controls"));
  var timer = null;
  var active = -1;
  var lastQuery = "";

  function options() { return list.querySelectorAll("[role=option]"); }

  function close() {
    list.hidden = true;
    list.textContent = "";
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    var items = options();
    if (!items.length) return;
    active = (index + items.length) % items.length;
    items.forEach(function (item, i) {
      item.classList.toggle("active", i === active);
      item.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", items[active].id);
  }

  function choose(item) {
    input.value = item.dataset.value;
    close();
    input.form.submit();
  }

  function show(results) {
    close();
    if (!results.length) return;
    results.forEach(function (result, i) {
      var item = document.createElement("li");
      item.id = "nav-search-option-" + i;
      item.className = "list-group-item list-group-item-action";
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.dataset.value = result.text;
      item.textContent = result.text;
      var kind = document.createElement("span");
      kind.className = "visually-hidden";
      kind.textContent = " (" + (result.kind === "author" ? input.dataset.suggestAuthor : input.dataset.suggestTitle) + ")";
      item.appendChild(kind);
      item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item); });
      list.appendChild(item);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function fetchSuggestions() {
    var query = input.value.trim();
    if (query === lastQuery) return;
    lastQuery = query;
    if (query.length < 2 || query.length > 100) { close(); return; }
    fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { if (input.value.trim() === query) show(data.results || []); })
      .catch(close);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 150);
  });
  input.addEventListener("keydown", function (event) {
    var open = !list.hidden;
    if (event.key === "ArrowDown") {
      if (open) { event.preventDefault(); highlight(active + 1); }
    } else if (event.key === "ArrowUp") {
      if (open) { event.preventDefault(); highlight(active - 1); }
    } else if (event.key === "Enter") {
      if (open && active >= 0) { event.preventDefault(); choose(options()[active]); }
    } else if (event.key === "Escape") {
      if (open) { event.preventDefault(); close(); lastQuery = ""; }
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
