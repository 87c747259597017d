// Cookie banner: saves the choice without leaving the page, then says so.
// Without JavaScript the form posts normally and the server sends you back.
(function () {
  "use strict";
  var banner = document.querySelector("[data-cookie-banner]");
  if (!banner || !window.fetch || !window.FormData) {
    return;
  }
  var form = banner.querySelector("[data-cookie-form]");
  if (!form) {
    return;
  }
  var lastButton = null;
  var posting = false;

  form.addEventListener("click", function (event) {
    var target = event.target.closest("button[type=submit]");
    if (target) {
      lastButton = target;
    }
  });

  function confirm(message) {
    var wrap = banner.querySelector(".wrap");
    var heading = banner.querySelector("h2");
    var text = document.createElement("p");
    text.textContent = message + " You can change them at any time from “Cookie settings” at the bottom of every page.";
    var hide = document.createElement("button");
    hide.type = "button";
    hide.className = "button-secondary";
    hide.textContent = "Hide this message";
    hide.addEventListener("click", function () {
      banner.hidden = true;
      var main = document.getElementById("main");
      if (main) {
        main.focus();
      }
    });
    form.remove();
    wrap.appendChild(text);
    wrap.appendChild(hide);
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  function fallBack(button) {
    // Let the browser post the form itself, with the button that was pressed.
    posting = true;
    if (button) {
      button.click();
    } else {
      form.submit();
    }
  }

  form.addEventListener("submit", function (event) {
    if (posting) {
      return;
    }
    event.preventDefault();
    var button = event.submitter || lastButton;
    var data = new FormData(form);
    if (button && button.name) {
      data.append(button.name, button.value);
    }
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("not saved");
        }
        return response.json();
      })
      .then(function (result) {
        if (!result.saved) {
          throw new Error("not saved");
        }
        confirm(result.message);
      })
      .catch(function () {
        fallBack(button);
      });
  });
})();
