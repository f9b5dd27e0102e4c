// Commenting on a passage. Every paragraph, list item and table row has a "Kommentera stycket"
// link; it opens the section's comment form with the passage quoted and puts the focus in the
// comment field. Without JavaScript the link loads the page with the passage quoted by the
// server (?stycke=<section>:<number>). Selecting part of a passage and pressing the button that
// appears quotes just that part. The proposed text starts as the quote; changing it makes the
// comment a change proposal (the server decides the same without JavaScript).
(function () {
  "use strict";
  var CONTEXT = 32;
  var pending = null;

  function normalise(text) { return text.replace(/\s+/g, " ").trim(); }

  // The text of a node as a reader sees it, without the passage links and counts.
  function textOf(node, withoutLists) {
    var copy = node.cloneNode(true);
    var drop = "[data-passage-ui]" + (withoutLists ? ", ul, ol" : "");
    copy.querySelectorAll(drop).forEach(function (n) { n.remove(); });
    return copy.textContent;
  }

  function quoteAt(prose, whole, exact, start) {
    if (start < 0) start = whole.indexOf(exact);
    if (start > 0 && whole.charAt(start) === " ") start += 1;
    return {
      key: prose.dataset.sectionKey,
      exact: exact,
      prefix: whole.slice(Math.max(0, start - CONTEXT), start).replace(/^\s+/, ""),
      suffix: whole.slice(start + exact.length, start + exact.length + CONTEXT).replace(/\s+$/, "")
    };
  }

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
    var whole = normalise(textOf(prose));
    var exact = normalise(textOf(range.cloneContents()));
    if (!exact) return null;
    var start = normalise(textOf(before.cloneContents())).length;
    if (whole.substr(start, exact.length) !== exact && whole.substr(start + 1, exact.length) !== exact) start = -1;
    return quoteAt(prose, whole, exact, start);
  }

  function passageOf(link) {
    var prose = link.closest("[data-section-key]");
    var block = link.closest("li, tr, p");
    if (!prose || !block) return null;
    var exact = normalise(textOf(block, block.tagName === "LI"));
    if (!exact) return null;
    // Where it starts: the text of the section before the block.
    var before = document.createRange();
    before.selectNodeContents(prose);
    before.setEndBefore(block);
    var whole = normalise(textOf(prose));
    var start = normalise(textOf(before.cloneContents())).length;
    if (whole.substr(start, exact.length) !== exact && whole.substr(start + 1, exact.length) !== exact) start = -1;
    return quoteAt(prose, whole, exact, start);
  }

  function announce(text) {
    var announcer = document.querySelector("[data-round-announcer]");
    if (!announcer || !text) return;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  // The page has one comment form; it moves into the section where it is wanted.
  function moveForm(key) {
    var details = document.getElementById("comment-form");
    var spot = document.querySelector('[data-comment-spot="' + key + '"]');
    if (!details || !spot) return null;
    document.querySelectorAll("a[data-comment-here]").forEach(function (a) {
      a.parentElement.hidden = a.dataset.commentHere === key;
    });
    if (details.dataset.commentForm !== key) {
      spot.appendChild(details);
      details.dataset.commentForm = key;
      details.querySelector("[data-section-key-field]").value = key;
      // A quote belongs to its section: moved elsewhere, the form quotes nothing.
      details.querySelector("[data-quote-exact]").value = "";
      details.querySelector("[data-quote-prefix]").value = "";
      details.querySelector("[data-quote-suffix]").value = "";
      details.querySelector("[data-quote-shown]").textContent = "";
      details.querySelector("[data-quote-box]").hidden = true;
      var proposal = details.querySelector("[data-proposal]");
      if (proposal && (!proposal.value || proposal.value === proposal.dataset.quoted)) proposal.value = "";
      if (proposal) proposal.dataset.quoted = "";
      details.querySelector("[data-proposal-field]").hidden = !key;
      details.querySelector("[data-comment-summary]").textContent =
        key ? details.dataset.sectionSummary : details.dataset.documentSummary;
    }
    details.open = true;
    return details;
  }

  function quote(passage) {
    var details = moveForm(passage.key);
    if (!details) return false;
    details.querySelector("[data-quote-exact]").value = passage.exact;
    details.querySelector("[data-quote-prefix]").value = passage.prefix;
    details.querySelector("[data-quote-suffix]").value = passage.suffix;
    details.querySelector("[data-quote-shown]").textContent = passage.exact;
    details.querySelector("[data-quote-box]").hidden = false;
    var proposal = details.querySelector("[data-proposal]");
    // The proposed text follows the quote until the person has written their own.
    if (proposal && (!proposal.value || proposal.value === proposal.dataset.quoted)) {
      proposal.value = passage.exact;
    }
    if (proposal) proposal.dataset.quoted = passage.exact;
    var body = details.querySelector("textarea[name=body]");
    body.focus();
    announce(details.dataset.quotedText);
    return true;
  }

  // "Kommentera avsnittet": the form moves into the section, the focus to "Din synpunkt".
  document.addEventListener("click", function (event) {
    var here = event.target.closest("a[data-comment-here]");
    if (!here) return;
    var details = moveForm(here.dataset.commentHere);
    if (!details) return;
    event.preventDefault();
    details.querySelector("textarea[name=body]").focus();
    announce(details.dataset.movedText);
  });

  // "Visa alla": the section's threads came (htmx); the focus goes to them.
  document.addEventListener("htmx:afterSettle", function (event) {
    var list = event.detail && event.detail.elt;
    if (!list || !list.matches || !list.matches("[data-threads]")) return;
    var fresh = document.getElementById(list.id) || list;
    fresh.focus();
  });

  document.addEventListener("selectionchange", function () {
    document.querySelectorAll("[data-comment-selection]").forEach(function (b) { b.hidden = true; });
    pending = selectionIn();
    if (!pending) return;
    var button = document.querySelector('[data-comment-selection="' + pending.key + '"]');
    if (button) button.hidden = false;
  });

  document.addEventListener("click", function (event) {
    // A passage's count leads to its first thread: here when the page shows it.
    var count = event.target.closest("a.passage__count");
    if (count) {
      var shown = document.getElementById(count.hash.slice(1));
      if (shown) {
        event.preventDefault();
        window.location.hash = count.hash;
      }
      return;
    }
    var link = event.target.closest("a.passage__comment");
    if (link) {
      var passage = passageOf(link);
      if (passage && quote(passage)) event.preventDefault();
      return;
    }
    var button = event.target.closest("[data-comment-selection]");
    if (!button || !pending || pending.key !== button.dataset.commentSelection) return;
    quote(pending);
  });

  // The quote changed: a change proposal (unless the person chose the kind themselves).
  document.addEventListener("input", function (event) {
    var proposal = event.target.closest("[data-proposal]");
    if (!proposal) return;
    var form = proposal.form;
    var kind = form.querySelector("select[name=kind]");
    var quoted = form.querySelector("[data-quote-exact]").value;
    if (!kind || kind.dataset.chosen || !quoted) return;
    var changed = normalise(proposal.value) && normalise(proposal.value) !== normalise(quoted);
    var wanted = changed ? "proposal" : "remark";
    if (kind.value !== wanted && (kind.value === "remark" || kind.value === "proposal")) {
      kind.value = wanted;
      var details = form.closest("[data-comment-form]");
      if (changed && details) announce(details.dataset.proposalText);
    }
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[name=kind]")) event.target.dataset.chosen = "1";
  });

  // Opened from a link without the script's help (or reloaded): the proposed text started as
  // the quote.
  document.querySelectorAll("[data-proposal]").forEach(function (proposal) {
    var exact = proposal.form.querySelector("[data-quote-exact]");
    if (exact && exact.value && proposal.value === exact.value) proposal.dataset.quoted = exact.value;
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

  // Each changed section's count, and its "Visa alla" line where not every thread is shown.
  function counts(sections) {
    (sections || []).forEach(function (s) {
      var count = page.querySelector('[data-section-count="' + s.key + '"]');
      if (count) count.textContent = s.count;
      var more = page.querySelector('[data-threads-more="' + s.key + '"]');
      if (!more) return;
      more.querySelector("[data-showing]").textContent = s.showing.replace("{shown}", more.dataset.shown);
      more.querySelector("[data-show-all-text]").textContent = s.more;
    });
  }

  function apply(data) {
    counts(data.sections);
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
        // A section that shows only some of its threads says how many it has (below).
        if (!list || list.querySelector("[data-threads-more]")) return;
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
