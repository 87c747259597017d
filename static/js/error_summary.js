// A form with errors: the page lands on its error summary, and each link in the
// summary moves focus to its field, with the field's label or legend in view.
// Without JavaScript the summary is still first on the page (or the form's action
// ends in #error-summary) and its links are ordinary links to the fields.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  if (document.title.indexOf("Error: ") !== 0) {
    document.title = "Error: " + document.title;
  }
  summary.focus();

  function focusable(target) {
    // A group of radio buttons or checkboxes: its first input.
    if (target.matches("input, select, textarea, button")) {
      return target;
    }
    return target.querySelector("input:not([type=hidden]), select, textarea") || target;
  }

  function caption(field, target) {
    // What to scroll into view: the legend of the field's group, or its label.
    var fieldset = field.closest("fieldset");
    if (fieldset && fieldset.querySelector("legend")) {
      return fieldset.querySelector("legend");
    }
    if (field.id) {
      var label = document.querySelector("label[for='" + field.id + "']");
      if (label) {
        return label;
      }
    }
    return target;
  }

  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) {
      return;
    }
    event.preventDefault();
    var field = focusable(target);
    if (!field.matches("input, select, textarea, button, [tabindex]")) {
      field.setAttribute("tabindex", "-1");
    }
    caption(field, target).scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
