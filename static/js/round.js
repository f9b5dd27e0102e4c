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
