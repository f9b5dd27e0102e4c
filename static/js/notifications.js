// The live bell. The page works without it: the count is rendered on every page load.
// With it, the count and the list update while the person works, new notifications are
// announced to screen readers, and after a lost connection the page asks what it missed.
(function () {
  "use strict";
  var bell = document.querySelector("[data-bell]");
  if (!bell) return;
  var countEl = bell.querySelector("[data-bell-count]");
  var labelEl = bell.querySelector("[data-bell-label]");
  var announcer = document.querySelector("[data-bell-announcer]");
  var lastSeenId = 0;
  var retry = 1000;

  function setCount(unread) {
    countEl.textContent = String(unread);
    countEl.hidden = unread === 0;
    if (labelEl) labelEl.textContent = labelEl.textContent.replace(/^\d+/, String(unread));
  }

  // Opening a notification (from the list or an e-mail) leads to its page with
  // ?notification=<id>: the page marks it read with a POST (opening it is a GET, which changes
  // nothing) and takes the parameter out of the address.
  function markOpenedNotificationRead() {
    var params = new URLSearchParams(window.location.search);
    var id = params.get("notification");
    if (!id || !/^\d+$/.test(id) || !bell.dataset.markRead) return;
    params.delete("notification");
    var query = params.toString();
    window.history.replaceState(
      window.history.state, "",
      window.location.pathname + (query ? "?" + query : "") + window.location.hash
    );
    var token = "";
    try {
      token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) { /* no token: the POST is refused and nothing changes */ }
    fetch(bell.dataset.markRead.replace(/\/0\/read\/$/, "/" + id + "/read/"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && typeof data.unread === "number") setCount(data.unread); })
      .catch(function () {});
  }
  markOpenedNotificationRead();
  if (!("WebSocket" in window)) return;

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function addToList(item) {
    var container = document.getElementById("notification-list");
    if (!container || document.getElementById("notification-" + item.id)) return;
    var list = container.querySelector(".notification-list");
    if (!list) {
      var empty = container.querySelector(".empty-state");
      if (empty) empty.remove();
      list = document.createElement("ul");
      list.className = "list-plain notification-list";
      container.appendChild(list);
    }
    var li = document.createElement("li");
    li.className = "notification notification--unread";
    li.id = "notification-" + item.id;
    var a = document.createElement("a");
    a.className = "notification__link";
    a.href = item.url;
    a.textContent = item.text;
    li.appendChild(a);
    list.insertBefore(li, list.firstChild);
  }

  function catchUp() {
    fetch(bell.dataset.recent + "?after=" + lastSeenId, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        setCount(data.unread);
        data.items.slice().reverse().forEach(function (item) {
          if (item.id > lastSeenId) lastSeenId = item.id;
          if (!item.read) addToList(item);
        });
      })
      .catch(function () {});
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + bell.dataset.socket);
    socket.onopen = function () { retry = 1000; catchUp(); };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (typeof data.unread === "number") setCount(data.unread);
      if (data.type === "new") {
        if (data.id > lastSeenId) lastSeenId = data.id;
        addToList(data);
        announce(data.text);
      }
    };
    socket.onclose = function (event) {
      if (event.code === 4401 || event.code === 4403) return; // logged out: stop trying
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }

  // The newest notification already on the page (if the list is shown) is where to start.
  fetch(bell.dataset.recent + "?after=0", { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (data && data.items.length) lastSeenId = data.items[0].id;
    })
    .catch(function () {})
    .then(connect);
})();
