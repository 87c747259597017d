// Roster import progress: polls the import's status and reloads the page when it is done.
// Without JavaScript the page's "refresh" link does the same job.
(function () {
  "use strict";
  var box = document.querySelector("[data-roster-status-url]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-roster-status-url");
  var bar = box.querySelector("progress");
  var processed = box.querySelector("[data-roster-processed]");
  var total = box.querySelector("[data-roster-total]");
  var delay = 1500;

  function show(data) {
    if (bar) {
      bar.max = data.total;
      bar.value = data.processed;
      bar.textContent = data.processed + " of " + data.total + " rows";
    }
    if (processed) {
      processed.textContent = data.processed;
    }
    if (total) {
      total.textContent = data.total;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.done) {
          window.location.reload();
        } else {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        // Try again more slowly; the refresh link still works.
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
