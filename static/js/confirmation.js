// A confirmation shown on the activity just marked done or given feedback: the page
// puts the focus on it, so a screen reader reads it and it is in view on a phone.
// An error summary, when the page has one, keeps the focus (error_summary.js).
(function () {
  "use strict";
  var confirmation = document.querySelector("[data-confirmation]");
  if (!confirmation || document.querySelector("[data-error-summary]")) {
    return;
  }
  confirmation.focus();
})();
