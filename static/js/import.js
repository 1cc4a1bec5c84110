// The import page's progress bar: polls the import's status (JSON) and reloads the page once it has finished.
// Without JavaScript the page refreshes itself (a <noscript> meta refresh) while the import runs.
(function () {
  "use strict";
  var section = document.getElementById("import-progress");
  if (!section || !section.dataset.statusUrl) return;
  var bar = section.querySelector("[role=progressbar]");
  var fill = bar.querySelector(".progress-bar");
  var text = section.querySelector("[data-progress-text]");
  var status = document.querySelector("[data-run-status]");
  var lastAnnounced = -1;

  function show(data) {
    bar.setAttribute("aria-valuenow", String(data.percent));
    fill.style.width = data.percent + "%";
    fill.textContent = data.percent + " %";
    if (status) status.textContent = data.status_label;
    // Announce every tenth of the way, not every poll, so screen readers are not flooded.
    var tenth = Math.floor(data.percent / 10);
    if (data.finished) {
      text.textContent = text.dataset.msgDone;
    } else if (tenth !== lastAnnounced) {
      lastAnnounced = tenth;
      text.textContent = text.dataset.msgProgress
        .replace("{applied}", data.applied)
        .replace("{total}", data.total);
    }
  }

  function poll() {
    fetch(section.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.finished) {
          window.setTimeout(function () { window.location.reload(); }, 600);
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  poll();
})();
