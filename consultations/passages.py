"""The passages of a section's text: each paragraph, list item and table row, one unit to comment.

On the round page every passage offers "Kommentera stycket" (a link that works without
JavaScript: the page comes back with the passage quoted in the section's comment form) and, when
comments quote it, how many, linked to the first of their threads. Passages are numbered from 1
in the order they open in the rendered section (`documents.markdown.render_markdown`, cleaned by
nh3, so the tags are plain `<p>`, `<li>`, `<tr>` without attributes).

What a passage is:
- a paragraph, unless it stands in a list item (the item is the passage);
- a list item, its own text only (a list inside it holds passages of its own);
- a table row of the body (the header row is the table's headings, not a passage).

The control is put at the end of the passage's own text: inside the last cell of a row (content
between cells would be moved out of the table by the browser), before a nested list of an item.
Its text is never part of the passage: the browser leaves `[data-passage-ui]` out when it quotes.
Functions on strings: no queries, so the round page's cost does not grow with passages.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from consultations import anchoring

_TAG = re.compile(r"<(/?)(p|li|tr|ul|ol|thead|td|th)(?=[\s>])[^>]*>")
_ANY_TAG = re.compile(r"<[^>]*>")


@dataclass
class _Open:
    kind: str
    start: int  # where its text starts (after the opening tag)
    text_end: int = -1  # where its own text ends (a nested list of an item starts there)
    last_cell_end: int = -1  # a row: where its last cell closes


@dataclass(frozen=True)
class Passage:
    number: int
    text: str  # normalised (anchoring.normalise), as the browser quotes it
    insert_at: int  # where its control goes in the section's HTML


def _text(fragment: str) -> str:
    return anchoring.normalise(html_lib.unescape(_ANY_TAG.sub("", fragment)))


def passages(html: str) -> list[Passage]:
    """The passages of a rendered section, in order (see the module's docstring)."""
    found: list[tuple[int, str, int]] = []  # (start, text, insert_at)
    blocks: list[_Open] = []
    in_item = in_head = 0
    for match in _TAG.finditer(html):
        closing, tag = match.group(1) == "/", match.group(2)
        if not closing:
            if tag == "p" and not in_item:
                blocks.append(_Open("p", match.end()))
            elif tag == "li":
                in_item += 1
                blocks.append(_Open("li", match.end()))
            elif tag == "tr" and not in_head:
                blocks.append(_Open("tr", match.end()))
            elif tag in ("ul", "ol") and blocks and blocks[-1].kind == "li":
                if blocks[-1].text_end < 0:
                    blocks[-1].text_end = match.start()
            elif tag == "thead":
                in_head += 1
            continue
        if tag == "thead":
            in_head = max(0, in_head - 1)
        elif tag in ("td", "th") and blocks and blocks[-1].kind == "tr":
            blocks[-1].last_cell_end = match.start()
        elif tag in ("p", "li", "tr") and blocks and blocks[-1].kind == tag:
            if tag == "li":
                in_item = max(0, in_item - 1)
            block = blocks.pop()
            end = block.text_end if block.text_end >= 0 else match.start()
            insert_at = block.last_cell_end if tag == "tr" else end
            text = _text(html[block.start : end])
            if text and insert_at >= 0:
                found.append((block.start, text, insert_at))
        elif tag == "li":
            in_item = max(0, in_item - 1)
    found.sort()  # numbered in the order the passages open
    return [Passage(n, text, at) for n, (_start, text, at) in enumerate(found, start=1)]


def with_controls(html: str, found: Iterable[Passage], control: Callable[[Passage], str]) -> str:
    """The section's HTML with `control(passage)` at the end of each passage's text."""
    out, at = [], 0
    for passage in sorted(found, key=lambda p: p.insert_at):
        out.append(html[at : passage.insert_at])
        out.append(control(passage))
        at = passage.insert_at
    out.append(html[at:])
    return "".join(out)


def whole_text(html: str) -> str:
    """The section's text as the browser reads it (normalised)."""
    return _text(html)


def quoted_counts(html: str, found: list[Passage], anchors: Iterable[tuple[int, anchoring.Anchor]]):
    """For each passage number, the ids of the threads whose quote starts in it, in order.
    `anchors`: (thread id, its quote)."""
    whole = whole_text(html)
    starts: list[tuple[int, int, int]] = []  # (start, end, number) in `whole`
    cursor = 0
    for passage in found:
        at = whole.find(passage.text, cursor)
        if at < 0:
            continue
        starts.append((at, at + len(passage.text), passage.number))
        cursor = at + len(passage.text)
    counted: dict[int, list[int]] = {}
    for thread_id, anchor in anchors:
        where = anchoring.locate(anchor, whole)
        if where is None:
            continue
        for start, end, number in starts:
            if start <= where[0] < end:
                counted.setdefault(number, []).append(thread_id)
                break
    return counted


def anchor_of(html: str, number: int) -> anchoring.Anchor | None:
    """The quote of passage `number` (from 1), with its context in the section; None if the
    section has no such passage."""
    found = passages(html)
    if not 1 <= number <= len(found):
        return None
    passage = found[number - 1]
    whole = whole_text(html)
    cursor = 0
    for earlier in found[: number - 1]:
        at = whole.find(earlier.text, cursor)
        if at >= 0:
            cursor = at + len(earlier.text)
    start = whole.find(passage.text, cursor)
    if start < 0:
        start = whole.find(passage.text)
    if start < 0:
        return anchoring.Anchor(passage.text)
    return anchoring.make_anchor(whole, start, start + len(passage.text))


def quote_fields(key: str, anchor: anchoring.Anchor | None) -> str:
    """The quoted passage of a section's comment form: hidden fields and the quote shown (hidden
    while there is none; the page's script fills them when someone quotes a passage)."""
    anchor = anchor or anchoring.Anchor("")
    return format_html(
        '<input type="hidden" name="quote_exact" value="{}" data-quote-exact>'
        '<input type="hidden" name="quote_prefix" value="{}" data-quote-prefix>'
        '<input type="hidden" name="quote_suffix" value="{}" data-quote-suffix>'
        '<div class="comment-form__quote" data-quote-box{}><p class="meta">{}</p>'
        '<blockquote class="comment__quote" id="quote-comment" data-quote-shown>{}</blockquote>'
        "</div>",
        anchor.exact,
        anchor.prefix,
        anchor.suffix,
        "" if anchor.exact else mark_safe(" hidden"),
        gettext("The quoted passage"),
        anchor.exact,
    )


def quoted_part(part: str, key: str, chosen) -> str:
    """One part (see `quoted`) for `chosen`, a (section key, Anchor) or None."""
    anchor = chosen[1] if chosen is not None and chosen[0] == key else None
    if part == "fields":
        return quote_fields(key, anchor)
    if anchor is None:
        return ""
    if part == "open":
        return mark_safe(" open")
    if part == "focus":
        return mark_safe(" autofocus")
    if part == "proposal":
        return format_html("{}", anchor.exact)
    return ""
