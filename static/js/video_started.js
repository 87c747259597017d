// Tells the portal that a parent started a video with their child: one small POST
// to the portal itself (never another host), with the page's CSRF token.
// On a <video> it is sent when the video first starts playing; on a provider's
// player (data-video-started-on="load") when its page loads, since the parent
// chose to play it and the player cannot be watched without the provider's script.
// Without JavaScript nothing is sent and everything still works.
(function () {
  "use strict";

  function send(element) {
    if (element.getAttribute("data-video-started-sent")) {
      return;
    }
    element.setAttribute("data-video-started-sent", "yes");
    var url = element.getAttribute("data-video-started-url");
    var body = new FormData();
    body.append("csrfmiddlewaretoken", element.getAttribute("data-csrf-token") || "");
    body.append("pupil", element.getAttribute("data-pupil") || "");
    body.append("assignment", element.getAttribute("data-assignment") || "");
    if (navigator.sendBeacon && navigator.sendBeacon(url, body)) {
      return;
    }
    if (window.fetch) {
      fetch(url, { method: "POST", body: body, credentials: "same-origin", keepalive: true })
        .catch(function () {
          // Not counted; the parent's page is unaffected.
        });
    }
  }

  var elements = document.querySelectorAll("[data-video-started-url]");
  Array.prototype.forEach.call(elements, function (element) {
    if (element.getAttribute("data-video-started-on") === "load") {
      send(element);
    } else {
      element.addEventListener("play", function () {
        send(element);
      });
    }
  });
})();
