// The idle warning (WCAG 2.2.1): before the session ends for want of activity the page says so
// and offers to stay logged in. It asks the server how long is left before it warns (another tab
// may have been active), and when the time is up it loads the page again, which leads to the
// login page. Without this script the session simply ends after the idle time.
(function () {
  "use strict";
  var box = document.querySelector("[data-session-warning]");
  if (!box || !window.fetch) return;
  var statusUrl = box.dataset.statusUrl;
  var warningMs = Number(box.dataset.warningSeconds) * 1000;
  var stay = box.querySelector("[data-session-stay]");
  var timer = null;
  var returnFocus = null;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function show() {
    if (!box.hidden) return;
    returnFocus = document.activeElement;
    box.hidden = false;
    stay.focus();
  }

  function hide() {
    if (box.hidden) return;
    box.hidden = true;
    if (returnFocus && typeof returnFocus.focus === "function") returnFocus.focus();
    returnFocus = null;
  }

  function schedule(remainingSeconds) {
    window.clearTimeout(timer);
    var remainingMs = remainingSeconds * 1000;
    if (remainingMs <= 0) {
      window.location.assign(window.location.href); // the server shows the login page
      return;
    }
    if (remainingMs <= warningMs) {
      show();
      timer = window.setTimeout(check, remainingMs + 500);
    } else {
      hide();
      timer = window.setTimeout(check, remainingMs - warningMs);
    }
  }

  function ask(options) {
    return fetch(statusUrl, options)
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && typeof data.remaining === "number") schedule(data.remaining);
        else timer = window.setTimeout(check, 30000);
      })
      .catch(function () { timer = window.setTimeout(check, 30000); });
  }

  function check() {
    ask({ credentials: "same-origin", headers: { Accept: "application/json" } });
  }

  stay.addEventListener("click", function () {
    ask({
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" }
    });
  });

  schedule(Number(box.dataset.remainingSeconds));
})();
