// Commenting on a passage: select text in a section, press the button that appears, and the
// section's comment form opens with the passage quoted. Without JavaScript people comment on
// the section and may quote the passage in their own words.
(function () {
  "use strict";
  var CONTEXT = 32;
  var pending = null;

  function normalise(text) { return text.replace(/\s+/g, " ").trim(); }

  function selectionIn() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    var range = selection.getRangeAt(0);
    var node = range.commonAncestorContainer;
    var prose = (node.nodeType === 1 ? node : node.parentElement).closest("[data-section-key]");
    if (!prose) return null;
    var before = document.createRange();
    before.selectNodeContents(prose);
    before.setEnd(range.startContainer, range.startOffset);
    var whole = normalise(prose.textContent);
    var exact = normalise(range.toString());
    if (!exact) return null;
    var start = normalise(before.toString()).length;
    if (whole.substr(start, exact.length) !== exact) start = whole.indexOf(exact);
    if (start > 0 && whole.charAt(start) === " ") start += 1;
    return {
      key: prose.dataset.sectionKey,
      exact: exact,
      prefix: whole.slice(Math.max(0, start - CONTEXT), start).replace(/^\s+/, ""),
      suffix: whole.slice(start + exact.length, start + exact.length + CONTEXT).replace(/\s+$/, "")
    };
  }

  document.addEventListener("selectionchange", function () {
    document.querySelectorAll("[data-comment-selection]").forEach(function (b) { b.hidden = true; });
    pending = selectionIn();
    if (!pending) return;
    var button = document.querySelector('[data-comment-selection="' + pending.key + '"]');
    if (button) button.hidden = false;
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-comment-selection]");
    if (!button || !pending || pending.key !== button.dataset.commentSelection) return;
    var details = document.querySelector('[data-comment-form="' + pending.key + '"]');
    if (!details) return;
    details.open = true;
    details.querySelector("[data-quote-exact]").value = pending.exact;
    details.querySelector("[data-quote-prefix]").value = pending.prefix;
    details.querySelector("[data-quote-suffix]").value = pending.suffix;
    var shown = details.querySelector("[data-quote-shown]");
    shown.textContent = pending.exact;
    shown.hidden = false;
    details.querySelector("textarea[name=body]").focus();
  });
})();

// Live: comments, replies and answers from others appear without reloading. The socket only
// says that something changed (with a sequence number); the page then asks what changed after
// the last number it saw, so a page that was offline catches up the same way.
(function () {
  "use strict";
  var page = document.querySelector("[data-round]");
  if (!page || !("WebSocket" in window) || !window.fetch) return;
  var sequence = parseInt(page.dataset.sequence, 10) || 0;
  var announcer = page.querySelector("[data-round-announcer]");
  var busy = false, again = false, retry = 1000;
  var deferred = {};

  function keepTyped(old, fresh) {
    old.querySelectorAll("textarea[id], select[id]").forEach(function (field) {
      var twin = fresh.querySelector("#" + field.id);
      if (twin && field.value) twin.value = field.value;
    });
  }

  // A thread skipped while someone typed in it is shown as soon as they leave it.
  document.addEventListener("focusout", function () {
    window.setTimeout(function () {
      var items = Object.keys(deferred).map(function (k) { return deferred[k]; });
      deferred = {};
      if (items.length) apply({ removed: [], threads: items, sequence: sequence });
    }, 0);
  });

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function apply(data) {
    data.removed.forEach(function (id) {
      var gone = document.getElementById("thread-" + id) || document.getElementById("comment-" + id);
      if (gone) gone.remove();
    });
    data.threads.forEach(function (item) {
      var holder = document.createElement("div");
      holder.innerHTML = item.html.trim();
      var fresh = holder.firstElementChild;
      var old = document.getElementById("thread-" + item.id);
      // A thread this page has just answered in place (htmx) already shows this state.
      if (old && parseInt(old.dataset.sequence, 10) >= data.sequence) return;
      var openForms = old ? Array.prototype.map.call(old.querySelectorAll("details[open]"), function (d) { return d.className; }) : [];
      if (old) {
        if (old.contains(document.activeElement)) {
          deferred[item.id] = item; // never pull the text out from under a typing person
          return;
        }
        keepTyped(old, fresh);
        old.replaceWith(fresh);
      } else {
        var list = page.querySelector('[data-threads="' + item.section + '"]');
        if (!list) return;
        list.appendChild(fresh);
      }
      openForms.forEach(function (cls) {
        var d = fresh.querySelector("details." + cls.split(" ")[0]);
        if (d) d.open = true;
      });
      announce(page.dataset.newText ? page.dataset.newText + " " + item.author : item.author);
    });
    if (data.sequence > sequence) sequence = data.sequence;
  }

  function catchUp() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(page.dataset.events + "?after=" + sequence, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) apply(data); })
      .catch(function () {})
      .then(function () { busy = false; if (again) { again = false; catchUp(); } });
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/rounds/" + page.dataset.round + "/");
    socket.onopen = function () { retry = 1000; catchUp(); };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "event" && data.sequence > sequence) catchUp();
    };
    socket.onclose = function (event) {
      if (event.code === 4401 || event.code === 4404) return;
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  connect();
})();
