"""Anchoring comments to passages of a section, and carrying them to the next published version.

A comment is on the whole document, on a section, or on a passage that the person selected in the
rendered section. A passage is held by an `Anchor` in the style of the W3C TextQuoteSelector: the
exact quoted text plus a little of the text before (`prefix`) and after (`suffix`) it, which tells
repeated occurrences apart. There are no character offsets in an anchor: the quote must still be
found after the Markdown is rendered again, by another browser, or in another version.

Everything works on a section's plain text after `normalise` (NFC, every run of whitespace one
space, stripped): the browser selects rendered text, whose whitespace and line breaks differ from
the Markdown source. Callers pass the rendered plain text; `plain` is a cheap fallback that strips
the common Markdown syntax when only the source is at hand.

When a new version is published, `carry_comment` decides what becomes of each open comment. It
aligns the old section text with the new one word by word (`difflib.SequenceMatcher`, always
`autojunk=False`: the heuristic would treat common words such as "och" as junk) and follows the
quoted passage through that alignment:

- every word of the passage is matched, unchanged and in one piece → "anchored", with a fresh
  anchor taken from the new text (its prefix and suffix may have changed);
- some of it was replaced, or text was inserted inside it → "text changed", with the old passage
  and the new text that now stands in its place;
- all of it was deleted → "orphaned".

The quote is never searched for in the new text. The same words elsewhere in the new section are
another passage, and attaching the comment to them would put words in the commenter's mouth; the
requirement is explicit: "never silently attached to a similar passage".

This module is pure (standard library only) so it can be tested and benchmarked alone. A section
is a few hundred words; nothing here looks at the whole document.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any, NamedTuple

# What became of a comment when a new version was published.
ANCHORED = "anchored"
TEXT_CHANGED = "text_changed"
ORPHANED = "orphaned"

# Characters of prefix and suffix kept around a quote: enough to tell apart the repeated phrases of
# a real text, as in the W3C examples and in the annotation tools that follow them.
CONTEXT = 32

SELECTOR_TYPE = "TextQuoteSelector"

_WHITESPACE = re.compile(r"\s+")
# Words and single punctuation marks. Every character that is not whitespace is in some token, so
# any selection starts and ends inside a token.
_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class Anchor:
    """A quoted passage: the exact text and the text just before and after it."""

    exact: str
    prefix: str = ""
    suffix: str = ""

    def to_dict(self) -> dict[str, str]:
        """A W3C TextQuoteSelector, ready for a JSON field or the browser."""
        return {
            "type": SELECTOR_TYPE,
            "exact": self.exact,
            "prefix": self.prefix,
            "suffix": self.suffix,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Anchor:
        """Read a selector as sent by the browser or stored by `to_dict`.

        `prefix` and `suffix` may be left out, and so may `type`; anything else that is not a
        TextQuoteSelector of strings raises `ValueError`. Whether the quote is in the section is
        not checked here: that is `quote_is_in`.
        """
        if not isinstance(data, Mapping):
            raise ValueError("A quote must be an object.")
        if data.get("type", SELECTOR_TYPE) != SELECTOR_TYPE:
            raise ValueError(f"A quote must be a {SELECTOR_TYPE}.")
        if "exact" not in data:
            raise ValueError("A quote must have its exact text.")
        values = {name: data.get(name, "") for name in ("exact", "prefix", "suffix")}
        for name, value in values.items():
            if not isinstance(value, str):
                raise ValueError(f"The quote's {name} must be text.")
        return cls(**values)


@dataclass(frozen=True)
class Carried:
    """What became of a comment in the new version.

    `anchor` is the passage's anchor in the new text when a passage comment stays anchored (None
    for section and document comments). `old_wording` and `new_wording` say what changed: both are
    set for "text_changed", `old_wording` for "orphaned", and both are empty for "anchored".
    """

    state: str
    anchor: Anchor | None = None
    old_wording: str = ""
    new_wording: str = ""


def _collapse(text: str) -> str:
    # NFC so that "ä" typed as "a" + combining diaeresis (as some systems paste it) is the same
    # character, and the same word, as a precomposed "ä".
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text))


def normalise(text: str) -> str:
    """The form in which quotes and sections are compared: NFC, whitespace runs as one space."""
    return _collapse(text).strip()


# --- Markdown to plain text -------------------------------------------------------------------

# Backslash escapes and code are protected from the other rules by moving their ASCII punctuation
# into the Private Use Area until the end; everything else is one regular expression each.
_PROTECT = {code: 0xE000 + code for code in range(0x21, 0x7F) if not chr(code).isalnum()}
_UNPROTECT = {value: key for key, value in _PROTECT.items()}

_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
# Horizontal rules, setext heading underlines and table delimiter rows: no text of their own.
_DECORATION = re.compile(r"^[\s|:=*_-]*(-{3}|={3}|\*{3}|_{3})[\s|:=*_-]*$")
_BLOCKQUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)")
_CLOSING_HASHES = re.compile(r"\s+#+\s*$")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_STAR_EMPHASIS = re.compile(r"(\*{1,3})(?=\S)(.+?)(?<=\S)\1")
_UNDERSCORE_EMPHASIS = re.compile(r"(?<!\w)(_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)")
_STRIKETHROUGH = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")


def _protect(text: str) -> str:
    return text.translate(_PROTECT)


def plain(markdown: str) -> str:
    """The text a reader sees in rendered Markdown, cheaply and approximately.

    Removes heading #'s, blockquote >'s, list markers ("- ", "* ", "+ ", "1. ", "1) "), code
    fences, backticks, emphasis and strikethrough markers (`*`, `_`, `~~` around words, but not
    the `_` inside snake_case), link and image syntax (`[text](url)` → text, `![alt](url)` → alt,
    `<https://…>` → the address), backslash escapes, horizontal rules and table delimiter rows,
    and turns table pipes into spaces. Line breaks are kept; pass the result through `normalise`.

    Not a Markdown parser: raw HTML, entities, reference-style links and nested or unbalanced
    emphasis are left as they are, and a paragraph that starts with "2024. " loses its number as
    if it were a list. Prefer the text of the rendered HTML when there is one.
    """
    lines = []
    in_fence = False
    for line in markdown.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            lines.append(_protect(line))
            continue
        if _DECORATION.match(line):
            lines.append("")
            continue
        line = _BLOCKQUOTE.sub("", line)
        line = _LIST_MARKER.sub("", line)
        if _HEADING.match(line):
            line = _CLOSING_HASHES.sub("", _HEADING.sub("", line))
        line = _ESCAPE.sub(lambda match: _protect(match[1]), line)
        line = _CODE_SPAN.sub(lambda match: _protect(match[2].strip()), line)
        line = _IMAGE.sub(r"\1", line)
        line = _LINK.sub(r"\1", line)
        line = _AUTOLINK.sub(r"\1", line)
        line = _STAR_EMPHASIS.sub(r"\2", line)
        line = _UNDERSCORE_EMPHASIS.sub(r"\2", line)
        line = _STRIKETHROUGH.sub(r"\1", line)
        lines.append(line.replace("|", " ").replace("`", ""))
    return "\n".join(lines).translate(_UNPROTECT)


# --- Anchors ----------------------------------------------------------------------------------


def make_anchor(text: str, start: int, end: int, context: int = CONTEXT) -> Anchor:
    """The anchor of the selection `text[start:end]`; `text` is a normalised section text.

    Whitespace at either end of the selection is left out of the quote. Raises `ValueError` if
    the range is not inside the text or holds only whitespace.
    """
    if not 0 <= start < end <= len(text):
        raise ValueError("The selection is not inside the text.")
    if context < 0:
        raise ValueError("The context cannot be negative.")
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise ValueError("The selection holds no text.")
    return Anchor(
        exact=text[start:end],
        prefix=text[max(0, start - context) : start],
        suffix=text[end : end + context],
    )


def locate(anchor: Anchor, text: str) -> tuple[int, int] | None:
    """Where the quote is in `normalise(text)`, as (start, end); None if it is not there.

    The quote must occur exactly (after normalising both sides); an empty quote is never found.
    Of several occurrences, the one whose surroundings best match the prefix and suffix wins: the
    score is the number of characters of the prefix matching the text just before the occurrence
    plus those of the suffix matching the text just after it, plus one for each side where the
    whole context matches up to the start (end) of the text, so that a short prefix taken at the
    start of the text beats the same prefix in mid-text. Ties, and anchors without any prefix or
    suffix, go to the first occurrence. Whitespace at the seams is ignored.
    """
    text = normalise(text)
    exact = normalise(anchor.exact)
    if not exact:
        return None
    starts = _occurrences(exact, text)
    if not starts:
        return None
    prefix = _collapse(anchor.prefix).rstrip()
    suffix = _collapse(anchor.suffix).lstrip()
    if len(starts) == 1 or not (prefix or suffix):
        start = starts[0]
    else:
        # max() keeps the first of equal scores.
        start = max(
            starts, key=lambda at: _context_score(text, at, at + len(exact), prefix, suffix)
        )
    return start, start + len(exact)


def quote_is_in(anchor: Anchor, text: str) -> bool:
    """Whether the quoted text occurs in the section text (prefix and suffix only disambiguate)."""
    return locate(anchor, text) is not None


def _occurrences(needle: str, haystack: str) -> list[int]:
    found = []
    at = haystack.find(needle)
    while at != -1:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    # `text` is normalised, so at most one space lies at each seam: a window one character wider
    # than the context holds all that can match.
    window_start = max(0, start - len(prefix) - 1)
    before = text[window_start:start].rstrip()
    window_end = end + len(suffix) + 1
    after = text[end:window_end].lstrip()
    score = _common_suffix_length(prefix, before) + _common_prefix_length(suffix, after)
    if window_start == 0 and before == prefix:
        score += 1
    if window_end >= len(text) and after == suffix:
        score += 1
    return score


def _common_prefix_length(a: str, b: str) -> int:
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def _common_suffix_length(a: str, b: str) -> int:
    return _common_prefix_length(a[::-1], b[::-1])


# --- Carrying comments to a new version -------------------------------------------------------


def carry_comment(
    *,
    anchor: Anchor | None,
    old_section: str | None,
    new_section: str | None,
    context: int = CONTEXT,
) -> Carried:
    """What becomes of an open comment when a new version is published.

    `old_section` and `new_section` are the plain texts of the comment's section in the version
    commented on and in the new one, None where the section does not exist. A comment on the whole
    document passes no anchor and no sections. See the module's docstring for the rules.
    """
    if anchor is None and old_section is None and new_section is None:
        return Carried(ANCHORED)
    if old_section is None or new_section is None:
        # Gone from the new version; or, with no old section, nothing to follow into it.
        wording = anchor.exact if anchor is not None else old_section or ""
        return Carried(ORPHANED, old_wording=normalise(wording))
    old = normalise(old_section)
    new = normalise(new_section)
    if anchor is None:
        if old == new:
            return Carried(ANCHORED)
        return Carried(TEXT_CHANGED, old_wording=old, new_wording=new)
    span = locate(anchor, old)
    if span is None:
        # The quote was refused if it was not in the section; an anchor that does not fit the old
        # text anyway (edited data, a bug) has no place to be followed from.
        return Carried(ORPHANED, old_wording=normalise(anchor.exact))
    return _carry_passage(old, new, *span, context=context)


class _Tokens(NamedTuple):
    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]


def _tokenise(text: str) -> _Tokens:
    matches = list(_TOKEN.finditer(text))
    return _Tokens(
        tuple(match[0] for match in matches),
        tuple(match.start() for match in matches),
        tuple(match.end() for match in matches),
    )


# Publishing carries every open comment of a section through the same pair of texts: align each
# pair once.
@lru_cache(maxsize=64)
def _align(
    old: str, new: str
) -> tuple[_Tokens, _Tokens, tuple[tuple[str, int, int, int, int], ...]]:
    old_tokens = _tokenise(old)
    new_tokens = _tokenise(new)
    matcher = SequenceMatcher(None, old_tokens.words, new_tokens.words, autojunk=False)
    return old_tokens, new_tokens, tuple(matcher.get_opcodes())


def _carry_passage(old: str, new: str, start: int, end: int, *, context: int) -> Carried:
    old_tokens, new_tokens, opcodes = _align(old, new)
    # The quote is stripped, so its first and last characters are inside tokens.
    first = bisect_right(old_tokens.starts, start) - 1
    last = bisect_right(old_tokens.starts, end - 1) - 1
    stop = last + 1

    # The stretches of new text that stand where the passage's tokens stood.
    pieces: list[tuple[int, int]] = []
    changed = False
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "insert":
            # Text inserted before or after the passage is not part of it; inside it, it is.
            if first < i1 < stop:
                changed = True
                pieces.append((new_tokens.starts[j1], new_tokens.ends[j2 - 1]))
            continue
        if i2 <= first or i1 >= stop:
            continue
        if tag == "equal":
            a, b = max(i1, first), min(i2, stop) - 1
            piece_start = new_tokens.starts[j1 + a - i1]
            piece_end = new_tokens.ends[j1 + b - i1]
            # A selection may begin or end inside a word; an equal word keeps the same cut.
            if a == first:
                piece_start += start - old_tokens.starts[first]
            if b == last:
                piece_end -= old_tokens.ends[last] - end
            pieces.append((piece_start, piece_end))
            continue
        changed = True
        if tag == "replace":
            # The whole replacement, even where it reaches beyond the passage: the new words
            # cannot be split between the passage and its surroundings.
            pieces.append((new_tokens.starts[j1], new_tokens.ends[j2 - 1]))
        # "delete": nothing of it is left in the new text.

    old_wording = old[start:end]
    if not pieces:
        return Carried(ORPHANED, old_wording=old_wording)
    new_start = min(piece[0] for piece in pieces)
    new_end = max(piece[1] for piece in pieces)
    new_wording = new[new_start:new_end]
    # The words can all match while the spacing between them changed ("a,b" → "a, b"): that is
    # a change of wording too, however small.
    if not changed and new_wording == old_wording:
        return Carried(ANCHORED, anchor=make_anchor(new, new_start, new_end, context))
    return Carried(TEXT_CHANGED, old_wording=old_wording, new_wording=new_wording)
