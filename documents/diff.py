"""Compare two versions of a document: sections by key, then blocks, then words.

The comparison reads like the document, not like Markdown source: paragraphs, headings, lists
and tables are rendered, with the changes marked inside them.

The diff never runs difflib over the whole document at once. Sections are aligned by their stable
key; only sections whose text differs are cut into blocks (paragraphs, headings, list items, table
rows, code blocks) and compared with `SequenceMatcher` (always `autojunk=False`: the heuristic
would treat common words such as "och" as junk in long paragraphs and produce odd diffs). Within a
run of replaced blocks, old and new blocks of the same kind are paired by similarity and each pair
is compared word by word; a pair of table rows is compared cell by cell, and a changed cell word
by word. A block that was deleted in one place and inserted unchanged elsewhere in the document
(in the same section or another one) is reported as moved, found with a dictionary of the deleted
blocks rather than a second difflib pass.

A body without Markdown syntax (most prose) is cut at blank lines without a parser; any other body
goes through the parser of the pages (documents/markdown.py). Words keep their formatting (bold,
italic, code, a link), which is compared too: a word that became bold is shown deleted and
inserted.

The result is plain data plus HTML that is safe to render. The bodies are untrusted: every piece
of text is escaped where it is written, a link keeps its target only with a scheme the pages allow
(markdown.URL_SCHEMES), and all markup is written here. Insertions and deletions are marked with
`<ins>` / `<del>` (underlined and struck out, so not by colour alone), each with a visually hidden
prefix and suffix that a screen reader announces ("deleted: … end of deletion"). Each section is
rendered three times: inline (both marked), and for a side-by-side view the old text with its
deletions and the new text with its insertions.

This module is pure: no models, no database, so the engine can be tested and benchmarked alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import Match, SequenceMatcher
from functools import cached_property
from html import escape as html_escape
from typing import NamedTuple

from django.utils.safestring import SafeString
from django.utils.translation import gettext
from markdown_it.token import Token

from documents import markdown

# Section statuses.
ADDED = "added"
REMOVED = "removed"
UNCHANGED = "unchanged"
CHANGED = "changed"

# Block (and table cell) kinds.
EQUAL = "equal"
INSERTED = "inserted"
DELETED = "deleted"
MOVED_FROM = "moved_from"
MOVED_TO = "moved_to"

# What a block is.
PARAGRAPH = "p"
HEADING = "h"
ITEM = "li"
ROW = "tr"
CODE = "pre"
RULE = "hr"
# Blocks that can be found moved; a table row stays in its table.
_MOVABLE = frozenset({PARAGRAPH, HEADING, ITEM, CODE})

# The three renderings of a section.
INLINE = "inline"
OLD = "old"
NEW = "new"

# Two blocks (or headings) are shown as one changed text when at least this share of their tokens
# match; below it, a word diff is mostly noise, so the old text is shown deleted and the new one
# inserted.
SIMILARITY_CUTOFF = 0.5
# A pair at least this similar is clearly the same block edited: take it without looking for a
# better partner.
CLEAR_MATCH = 0.75
# How many new blocks ahead of the current position an old block is compared with when looking
# for its partner in a replaced run. Bounds the pairing work on large rewrites.
PAIRING_WINDOW = 4
# An unchanged run of at most this many tokens between two changes at least as long is folded
# into them (unless both are single words), so that a rewritten phrase reads as one deletion and
# one insertion instead of being cut up at every "och" or comma it shares with the old text.
ABSORB_TOKENS = 2
# Body headings come below the section heading, which is h3 on the comparison page (h2 on the
# document's page, which is why markdown.parse starts them at h3).
_HEADING_SHIFT = 1
_LAST_HEADING = 6

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# Words (unicode letters and digits, so "föräldraskapsstöd" is one token) and single punctuation
# characters. Whitespace is not a token: it stays in the text between tokens, which keeps the
# sequences short and lets a run of changed words include the spaces between them.
_TOKEN = re.compile(r"(\w+|[^\w\s])")
# What may make Markdown more than paragraphs of text: emphasis, code, links, raw HTML, headings,
# tables, entities and escapes anywhere; at a line's start a list marker, a rule or a heading's
# underline; an indented code block; a hard line break. A body with none of these is cut into
# paragraphs at blank lines, which is what the parser would do, only much faster (see _is_plain).
_SYNTAX_CHARACTERS = "\\`*_[]<>#|~&"
_LINE_SYNTAX = r"[ \t]*(?:[-+=]+[ \t]*$|[-+][ \t]|\d{1,9}[.)](?:[ \t]|$))|    |\t"
_FIRST_LINE_SYNTAX = re.compile(_LINE_SYNTAX, re.MULTILINE)
_LINE_STARTS = frozenset(" \t-+=0123456789")  # the first characters _LINE_SYNTAX can match
_ESCAPED = "&<>\"'"  # the characters html.escape changes


def escape(text: str) -> str:
    """html.escape, answering at once for a text with nothing to escape (most of a document's
    text): looking for each of the five characters is several times quicker than the five
    replacements."""
    return html_escape(text) if any(map(text.__contains__, _ESCAPED)) else text


_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_ALIGNMENTS = markdown.ALLOWED_ATTRIBUTE_VALUES["td"]["style"]
# Inline formatting a word can carry, and the tags it is written with. A link is "a", its target
# and its title, joined with _LINK_SEP. A hard line break is a token of its own marked _BREAK.
_TAGS = {"strong": "strong", "em": "em", "s": "s", "code": "code"}
_LINK_SEP = "\x01"
_BREAK = "br"
_PLAIN_INLINE = frozenset({"text", "softbreak"})
_EMPTY = SafeString("")


class SectionText(NamedTuple):
    """One section of one version (or of the working draft), as the diff sees it."""

    key: str
    heading: str
    body: str


class ParagraphDiff(NamedTuple):
    """One block (paragraph, heading, list item, table row, code block) in the comparison.

    `kind` is "equal", "changed" (word diff in `html`), "inserted", "deleted", "moved_from" (the
    block left this place) or "moved_to" (it arrived here, unchanged). For moved blocks
    `counterpart_key` is the key of the section at the other end, which may be this section.
    `html` is the block's content with its changes marked (for a row, its cells joined with " | "),
    escaped but not marked safe (copying every block's text into a SafeString costs time for a
    page that shows the section's `html`, which has the blocks in place). A named tuple, which
    is several times quicker to make than a frozen dataclass: a long document has many blocks.
    """

    kind: str
    html: str
    counterpart_key: str | None = None


@dataclass(frozen=True)
class SectionDiff:
    """One section in the comparison, in the order of the new document.

    `status` is "added", "removed", "unchanged" or "changed" (the heading or any block differs).
    `moved` is separate: the section's place among the sections that both versions have is not
    what it was (it may also be changed). Positions are 0-based indexes in the old and new
    document (None where the section is absent). Unchanged sections still list their blocks (all
    "equal") so that a collapsed section can be expanded.

    `html` is the body rendered with insertions and deletions marked; `old_html` and `new_html`
    are the old body with its deletions and the new body with its insertions, for a side-by-side
    view ("" where the section is absent).
    """

    key: str
    status: str
    moved: bool
    old_heading: str | None
    new_heading: str | None
    heading_html: SafeString
    paragraphs: list[ParagraphDiff] = field(default_factory=list)
    old_position: int | None = None
    new_position: int | None = None
    html: SafeString = _EMPTY
    old_html: SafeString = _EMPTY
    new_html: SafeString = _EMPTY

    @property
    def is_changed(self) -> bool:
        return self.status != UNCHANGED or self.moved


@dataclass(frozen=True)
class DiffStats:
    """Counts for a summary line. Blocks of added and removed sections count as inserted and
    deleted; a moved block counts once."""

    sections_added: int
    sections_removed: int
    sections_changed: int
    sections_moved: int
    sections_unchanged: int
    paragraphs_changed: int
    paragraphs_inserted: int
    paragraphs_deleted: int
    paragraphs_moved: int


@dataclass(frozen=True)
class DocumentDiff:
    sections: list[SectionDiff]

    @cached_property
    def stats(self) -> DiffStats:
        statuses = [s.status for s in self.sections]
        kinds = [p.kind for s in self.sections for p in s.paragraphs]
        return DiffStats(
            sections_added=statuses.count(ADDED),
            sections_removed=statuses.count(REMOVED),
            sections_changed=statuses.count(CHANGED),
            sections_moved=sum(s.moved for s in self.sections),
            sections_unchanged=statuses.count(UNCHANGED),
            paragraphs_changed=kinds.count(CHANGED),
            paragraphs_inserted=kinds.count(INSERTED),
            paragraphs_deleted=kinds.count(DELETED),
            paragraphs_moved=kinds.count(MOVED_TO),
        )

    @property
    def has_changes(self) -> bool:
        return any(s.is_changed for s in self.sections)


def diff_documents(old: Sequence[SectionText], new: Sequence[SectionText]) -> DocumentDiff:
    """Compare two versions. Section keys must be unique within each version."""
    old_by_key = _by_key(old, "old")
    new_by_key = _by_key(new, "new")
    old_positions = {s.key: i for i, s in enumerate(old)}
    moved = _moved_keys(
        [s.key for s in old if s.key in new_by_key], [s.key for s in new if s.key in old_by_key]
    )

    # A removed section is shown after the closest section before it in the old version that the
    # new version still has (or first, if there is none), so it appears where it used to be.
    removed_after: dict[str | None, list[SectionText]] = {}
    anchor: str | None = None
    for section in old:
        if section.key in new_by_key:
            anchor = section.key
        else:
            removed_after.setdefault(anchor, []).append(section)

    builder = _Builder()
    for section in removed_after.get(None, ()):
        builder.removed(section, old_positions[section.key])
    for position, section in enumerate(new):
        before = old_by_key.get(section.key)
        if before is None:
            builder.added(section, position)
        else:
            builder.common(
                before, section, section.key in moved, old_positions[section.key], position
            )
        for gone in removed_after.get(section.key, ()):
            builder.removed(gone, old_positions[gone.key])
    builder.mark_moved_blocks()
    return DocumentDiff(sections=builder.finish())


def diff_text(old: str, new: str) -> SafeString:
    """Word diff of two short plain texts (e.g. headings) as HTML with `<ins>` / `<del>`."""
    return _Markers.current().text(old, new)


def paragraphs(body: str) -> list[str]:
    """A Markdown body's paragraphs: split at blank lines, stripped, empty ones dropped."""
    parts = _PARAGRAPH_BREAK.split(body.replace("\r\n", "\n") if "\r" in body else body)
    return [p for p in (part.strip() for part in parts) if p]


def _normalise(text: str) -> str:
    # Paragraphs that differ only in whitespace (a reflowed line) are the same paragraph.
    return " ".join(text.split())


def _by_key(sections: Iterable[SectionText], which: str) -> dict[str, SectionText]:
    by_key: dict[str, SectionText] = {}
    for section in sections:
        if section.key in by_key:
            raise ValueError(f"Section key {section.key!r} occurs twice in the {which} version.")
        by_key[section.key] = section
    return by_key


def _moved_keys(old_keys: list[str], new_keys: list[str]) -> set[str]:
    """Keys (present in both versions) whose position relative to the others changed: those
    outside the longest matching runs of the two orders."""
    if old_keys == new_keys:
        return set()
    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    blocks = matcher.get_matching_blocks()
    in_place = {key for _, b, size in blocks for key in new_keys[b : b + size]}
    return set(new_keys) - in_place


# ---------------------------------------------------------------------------------------------
# Texts: tokens with the whitespace between them and their formatting
# ---------------------------------------------------------------------------------------------


class _Text:
    """A text cut into tokens, keeping the whitespace between them and each part's formatting.

    `parts` alternates separators and tokens: [sep, tok, sep, tok, …, tok, sep], so token k is
    parts[2k + 1] and the text of tokens [s, e) with the spaces between them is
    "".join(parts[2s + 1 : 2e]). `marks` holds each part's formatting (a tuple of marks, outer
    first), or is None when nothing is formatted. `tokens` are what is compared: the words, with
    their formatting when they have any.
    """

    __slots__ = ("marks", "parts", "tokens")

    def __init__(self, parts: list[str], marks: list[tuple[str, ...]] | None = None):
        self.parts = parts
        self.marks = marks
        if marks is None:
            self.tokens = parts[1::2]
        else:
            self.tokens = [
                "\x00".join((token, *mark)) if mark else token
                for token, mark in zip(parts[1::2], marks[1::2], strict=True)
            ]

    @classmethod
    def plain(cls, text: str) -> _Text:
        return cls(_TOKEN.split(text))

    def string(self) -> str:
        return "".join(self.parts)

    def html(self, start: int = 0, end: int | None = None) -> str:
        """Parts [start, end) as HTML: escaped, in their formatting."""
        parts = self.parts[start:end]
        if self.marks is None:
            return escape("".join(parts))
        marks = self.marks[start:end]
        out = []
        i, count = 0, len(parts)
        while i < count:
            mark, j = marks[i], i + 1
            while j < count and (marks[j] == mark or not parts[j]):
                j += 1
            out.append(_formatted("".join(parts[i:j]), mark))
            i = j
        return "".join(out)


def _formatted(text: str, marks: tuple[str, ...]) -> str:
    if not text:
        return ""
    if _BREAK in marks:
        return "<br>" * text.count("\n")
    html = escape(text)
    for mark in reversed(marks):
        if mark in _TAGS:
            html = f"<{_TAGS[mark]}>{html}</{_TAGS[mark]}>"
        else:
            _, href, title = mark.split(_LINK_SEP)
            title_attr = f' title="{escape(title)}"' if title else ""
            rel = markdown.LINK_REL
            html = f'<a href="{escape(href)}" rel="{rel}"{title_attr}>{html}</a>'
    return html


class _TextBuilder:
    """Builds a _Text from runs of text, each with its formatting."""

    __slots__ = ("formatted", "marks", "parts")

    def __init__(self) -> None:
        self.parts: list[str] = [""]
        self.marks: list[tuple[str, ...]] = [()]
        self.formatted = False

    def add(self, text: str, marks: tuple[str, ...]) -> None:
        for index, piece in enumerate(_TOKEN.split(text)):
            if index % 2:
                self.token(piece, marks)
            elif piece:
                self.space(piece, marks)

    def space(self, text: str, marks: tuple[str, ...]) -> None:
        if len(self.parts) % 2 == 0:  # the last part is a token
            self.parts.append(text)
            self.marks.append(marks)
        elif not self.parts[-1]:
            self.parts[-1], self.marks[-1] = text, marks
        else:
            self.parts[-1] += text
            if self.marks[-1] != marks:
                self.marks[-1] = ()

    def token(self, text: str, marks: tuple[str, ...]) -> None:
        if len(self.parts) % 2 == 0:
            self.parts.append("")
            self.marks.append(())
        self.parts.append(text)
        self.marks.append(marks)
        self.formatted = self.formatted or bool(marks)

    def text(self) -> _Text:
        if len(self.parts) % 2 == 0:
            self.parts.append("")
            self.marks.append(())
        return _Text(self.parts, self.marks if self.formatted else None)


def _plain_inline(children: list[Token]) -> str | None:
    """The text of an inline token that is nothing but text (most are), else None."""
    if all(child.type in _PLAIN_INLINE for child in children):
        return "".join("\n" if child.type == "softbreak" else child.content for child in children)
    return None


def _inline_text(groups: list[list[Token]]) -> _Text:
    """The words of one or more inline tokens (a list item's paragraphs are joined by a line
    break), with their formatting. Links keep their target only with an allowed scheme."""
    if len(groups) == 1:
        plain = _plain_inline(groups[0])
        if plain is not None:
            return _Text.plain(plain)
    builder = _TextBuilder()
    for index, children in enumerate(groups):
        if index:
            builder.token("\n", (_BREAK,))
        stack: list[str | None] = []
        for child in children:
            kind = child.type
            marks = tuple(m for m in stack if m)
            if kind == "code_inline":
                builder.add(child.content, (*marks, "code"))
            elif kind == "softbreak":
                builder.space("\n", marks)
            elif kind == "hardbreak":
                builder.token("\n", (_BREAK,))
            elif kind == "link_open":
                stack.append(_link_mark(child))
            elif kind.endswith("_open"):
                stack.append(child.tag if child.tag in _TAGS else None)
            elif kind.endswith("_close"):
                if stack:
                    stack.pop()
            elif child.content:
                builder.add(child.content, marks)
    return builder.text()


def _link_mark(token: Token) -> str | None:
    href = str(token.attrGet("href") or "")
    scheme = _SCHEME.match(href)
    if not href or (scheme and scheme.group(1).lower() not in markdown.URL_SCHEMES):
        return None
    title = str(token.attrGet("title") or "").replace(_LINK_SEP, "")
    return _LINK_SEP.join(("a", href.replace(_LINK_SEP, ""), title))


# ---------------------------------------------------------------------------------------------
# Blocks
# ---------------------------------------------------------------------------------------------


class _Block:
    """One block of a body. `path` names the containers it is in, outermost first ("ul", "ol",
    "blockquote"); a list item is an item of the last list in its path. A paragraph cut from
    plain text keeps its `source` and is tokenised only if it has to be compared word by word."""

    __slots__ = (
        "_key", "_text", "_tokens", "align", "cells", "header", "kind", "level", "path", "source",
        "start",
    )  # fmt: skip

    def __init__(
        self,
        kind: str,
        path: tuple[str, ...] = (),
        *,
        text: _Text | None = None,
        source: str | None = None,
        cells: list[_Text] | None = None,
        level: int = 0,
        header: bool = False,
        align: tuple[str, ...] = (),
        start: int | None = None,
    ):
        self.kind, self.path, self.level, self.header = kind, path, level, header
        self.source, self._text, self.cells, self.align, self.start = (
            source,
            text,
            cells,
            align,
            start,
        )
        self._key: str | None = None
        self._tokens: list[str] | None = None

    @property
    def text(self) -> _Text:
        if self._text is None:
            self._text = _Text.plain(self.source or "")
        return self._text

    @property
    def tokens(self) -> list[str]:
        """What is compared when pairing: a row's words in all its cells (so that two rows with
        as many cells are not similar just for that)."""
        if self._tokens is None:
            if self.cells is None:
                self._tokens = self.text.tokens
            else:
                self._tokens = [token for cell in self.cells for token in cell.tokens]
        return self._tokens

    @property
    def key(self) -> str:
        """Equal keys: the same block in the same place in the structure. A paragraph of plain
        text is its text; blocks that differ only in whitespace end up equal after pairing."""
        if self._key is None:
            if self.source is not None and not self.path:
                self._key = self.source
            elif self.kind == PARAGRAPH and not self.path and self.text.marks is None:
                self._key = self.text.string()
            else:
                shape = f"{self.kind}{self.level}{'/'.join(self.path)}{'h' if self.header else ''}"
                if self.cells is None:
                    words = "\x1f".join(self.tokens)
                else:
                    words = "\x1d".join("\x1f".join(cell.tokens) for cell in self.cells)
                self._key = shape + "\x1e" + words
        return self._key

    def move_key(self) -> str:
        """Equal for the same block anywhere, whitespace aside: to find a block moved."""
        return _normalise(self.key)

    def same_shape(self, other: _Block) -> bool:
        return (self.kind, self.level, self.path, self.header) == (
            other.kind,
            other.level,
            other.path,
            other.header,
        )

    def html(self) -> str:
        """The block's content, unmarked."""
        if self._text is None and self.source is not None:
            return escape(self.source)
        return self.text.html()

    def cell_text(self, index: int) -> str:
        return " ".join(self.cells[index].string().split()) if self.cells else ""


def _is_plain(body: str) -> bool:
    """Whether a body (with "\\n" line ends) is nothing but paragraphs of text. Looking for each
    character with `in` is several times faster than a regular expression's character class;
    the lines' starts and ends are looked at from each line end found (a body has few), not by
    scanning the text for them again."""
    if any(map(body.__contains__, _SYNTAX_CHARACTERS)) or _FIRST_LINE_SYNTAX.match(body):
        return False
    end = body.find("\n")
    while end != -1:
        # A hard line break (two spaces before the line end), or a list, a heading underline
        # or an indented block where the next line starts (only such a line starts with one
        # of _LINE_STARTS).
        if body.endswith("  ", 0, end) or (
            body[end + 1 : end + 2] in _LINE_STARTS and _FIRST_LINE_SYNTAX.match(body, end + 1)
        ):
            return False
        end = body.find("\n", end + 1)
    return True


def _blocks(body: str) -> list[_Block]:
    if "\r" in body:
        body = body.replace("\r\n", "\n")
    if _is_plain(body):
        return [_Block(PARAGRAPH, source=text) for text in paragraphs(body)]
    return _read(markdown.parse(body))


def _read(tokens: list[Token]) -> list[_Block]:
    """The blocks of a parsed body, in order. A list item's own paragraphs are its text; what
    else it holds (a nested list, a code block) follows it as blocks inside its list."""
    blocks: list[_Block] = []
    path: list[str] = []
    # Open list items, innermost last: the block, its token level, its paragraphs' inlines.
    items: list[tuple[_Block, int, list[list[Token]]]] = []
    start: int | None = None
    level = 0  # of the heading whose inline comes next
    header = False
    row: list[_Text] | None = None
    align: list[str] = []
    for token in tokens:
        kind = token.type
        if kind == "bullet_list_open":
            path.append("ul")
        elif kind == "ordered_list_open":
            path.append("ol")
            first = int(token.attrGet("start") or 1)
            start = first if first != 1 else None
        elif kind == "blockquote_open":
            path.append("blockquote")
        elif kind in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            path.pop()
        elif kind == "list_item_open":
            item = _Block(ITEM, tuple(path), start=start)
            start = None
            blocks.append(item)
            items.append((item, token.level, []))
        elif kind == "list_item_close":
            item, _, inlines = items.pop()
            item._text = _inline_text(inlines)
        elif kind == "heading_open":
            level = min(int(token.tag[1]) + _HEADING_SHIFT, _LAST_HEADING)
        elif kind == "thead_open":
            header = True
        elif kind == "tbody_open":
            header = False
        elif kind == "tr_open":
            row, align = [], []
        elif kind in ("th_open", "td_open") and row is not None:
            style = str(token.attrGet("style") or "")
            align.append(style if style in _ALIGNMENTS else "")
            row.append(_Text([""]))
        elif kind == "tr_close" and row is not None:
            blocks.append(_Block(ROW, tuple(path), cells=row, header=header, align=tuple(align)))
            row = None
        elif kind in ("fence", "code_block"):
            blocks.append(_Block(CODE, tuple(path), text=_Text.plain(token.content.rstrip("\n"))))
        elif kind == "hr":
            blocks.append(_Block(RULE, tuple(path), text=_Text([""])))
        elif kind == "inline":
            children = token.children or []
            if row is not None:
                row[-1] = _inline_text([children])
            elif level:
                blocks.append(
                    _Block(HEADING, tuple(path), text=_inline_text([children]), level=level)
                )
                level = 0
            elif items and token.level == items[-1][1] + 2:
                items[-1][2].append(children)
            else:
                plain = _plain_inline(children)
                if plain is not None:  # tokenised only if it has to be compared word by word
                    blocks.append(_Block(PARAGRAPH, tuple(path), source=plain))
                else:
                    blocks.append(_Block(PARAGRAPH, tuple(path), text=_inline_text([children])))
    return blocks


# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------


def _similar_blocks(
    a: list[str], b: list[str], cutoff: float, *, quick: bool = True
) -> tuple[float, list[Match]] | None:
    """The similarity and matching blocks of two token lists if they are at least `cutoff`
    similar, else None.

    With `quick`, cheap upper bounds are tried first, as in difflib.get_close_matches: worth it
    when choosing among several candidates, most of them unrelated, but not for a lone pair,
    which is nearly always an edited paragraph. The blocks are reused to render the word diff."""
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if quick and (matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff):
        return None
    blocks = matcher.get_matching_blocks()
    total = len(a) + len(b)
    similarity = 2.0 * sum(size for _, _, size in blocks) / total if total else 1.0
    if similarity < cutoff:
        return None
    return similarity, blocks


def _absorb_short_equalities(blocks: list[Match]) -> list[Match]:
    """Drop short matching runs that sit between two larger changes (see ABSORB_TOKENS)."""
    if len(blocks) <= 2:
        return blocks
    kept: list[Match] = []
    # Where the gap before the block under consideration starts, in a and in b.
    gap_a = gap_b = 0
    for index, block in enumerate(blocks[:-1]):
        following = blocks[index + 1]
        before = max(block.a - gap_a, block.b - gap_b)
        after = max(following.a - block.a - block.size, following.b - block.b - block.size)
        if 0 < block.size <= min(ABSORB_TOKENS, before, after) and before + after > 2:
            # The gap before continues through this block into the next one.
            continue
        kept.append(block)
        gap_a, gap_b = block.a + block.size, block.b + block.size
    kept.append(blocks[-1])
    return kept


class _Views(NamedTuple):
    """One piece of content rendered for the three views."""

    inline: str
    old: str
    new: str

    def of(self, view: str) -> str:
        return self.old if view == OLD else self.new if view == NEW else self.inline


class _Markers:
    """The ins/del wrappers with their screen-reader texts, and the other words the diff writes,
    translated once per diff."""

    __slots__ = ("del_close", "del_open", "ins_close", "ins_open")

    def __init__(self, deleted: str, end_deleted: str, inserted: str, end_inserted: str):
        hidden = '<span class="visually-hidden">'
        self.del_open = f"<del>{hidden}{escape(deleted)} </span>"
        self.del_close = f"{hidden} {escape(end_deleted)}</span></del>"
        self.ins_open = f"<ins>{hidden}{escape(inserted)} </span>"
        self.ins_close = f"{hidden} {escape(end_inserted)}</span></ins>"

    @classmethod
    def current(cls) -> _Markers:
        return cls(
            gettext("deleted:"),
            gettext("end of deletion"),
            gettext("inserted:"),
            gettext("end of insertion"),
        )

    def deleted(self, html: str) -> str:
        return f"{self.del_open}{html}{self.del_close}" if html else ""

    def inserted(self, html: str) -> str:
        return f"{self.ins_open}{html}{self.ins_close}" if html else ""

    def text(self, old: str, new: str) -> SafeString:
        if old == new:
            return SafeString(escape(new))
        return SafeString(self.compare(_Text.plain(old), _Text.plain(new))[1].inline)

    def compare(self, a: _Text, b: _Text) -> tuple[bool, _Views]:
        """Whether two texts have the same words, and their diff: word by word when they are
        similar, else the old text deleted and the new one inserted."""
        if a.tokens == b.tokens:
            html = b.html()
            return True, _Views(html, a.html() if a.marks else html, html)
        found = _similar_blocks(a.tokens, b.tokens, SIMILARITY_CUTOFF, quick=False)
        if found is None:
            return False, self.replaced(a, b)
        return False, self.words(a, b, found[1])

    def replaced(self, a: _Text, b: _Text) -> _Views:
        gone, came = self.deleted(a.html()), self.inserted(b.html())
        return _Views(gone + came, gone, came)

    def words(self, a: _Text, b: _Text, blocks: list[Match]) -> _Views:
        """Render a word diff: the new text with deletions and insertions marked, and each side
        with only its own changes marked.

        A pure deletion or insertion takes the space before it (or after it, at the start of the
        text) inside its marker, so that leaving either marker out (as each side does) leaves
        correctly spaced text. A replacement shows the deletion then the insertion where the new
        text has them. Spacing that differs between unchanged words follows the new text."""
        pa, pb = a.parts, b.parts
        inline: list[str] = []
        old: list[str] = []
        new: list[str] = []

        def same(html: str) -> None:
            inline.append(html)
            old.append(html)
            new.append(html)

        def gone(html: str) -> None:
            marked = self.deleted(html)
            inline.append(marked)
            old.append(marked)

        def came(html: str) -> None:
            marked = self.inserted(html)
            inline.append(marked)
            new.append(marked)

        ai = bj = 0  # first token after the previous matching block, in a and in b
        cursor = 0  # first part of b not yet written
        for i, j, size in _absorb_short_equalities(blocks):
            if ai < i and bj < j:
                if pa[2 * ai] == pb[cursor]:
                    same(b.html(cursor, cursor + 1))
                    gone(a.html(2 * ai + 1, 2 * i))
                    came(b.html(2 * bj + 1, 2 * j))
                else:
                    # The space before differs too ("barn barn" -> "barn,"): each keeps its own.
                    gone(a.html(2 * ai, 2 * i))
                    came(b.html(2 * bj, 2 * j))
                cursor = 2 * j
            elif ai < i:
                if ai:
                    gone(a.html(2 * ai, 2 * i))
                else:
                    gone(a.html(1, 2 * i + 1))
            elif bj < j:
                if bj:
                    came(b.html(2 * bj, 2 * j))
                    cursor = 2 * j
                else:
                    came(b.html(1, 2 * j + 1))
                    cursor = 2 * j + 1
            if size:
                end = 2 * (j + size)
                same(b.html(cursor, end))
                cursor = end
            ai, bj = i + size, j + size
        same(b.html(cursor))
        return _Views("".join(inline), "".join(old), "".join(new))


# ---------------------------------------------------------------------------------------------
# Pieces: the blocks of a section's comparison
# ---------------------------------------------------------------------------------------------


class _Cell(NamedTuple):
    kind: str
    views: _Views
    old_index: int | None
    new_index: int | None


class _Piece:
    """One block in a section's comparison: the old and/or new block and their content marked
    (for a row, per cell)."""

    __slots__ = ("cells", "counterpart", "kind", "new", "old", "shape", "views")

    def __init__(
        self,
        kind: str,
        old: _Block | None,
        new: _Block | None,
        views: _Views,
        cells: list[_Cell] | None = None,
    ):
        self.kind, self.old, self.new, self.views, self.cells = kind, old, new, views, cells
        shape = new or old
        if shape is None:
            raise ValueError("A piece has an old block, a new one or both.")
        self.shape = shape
        self.counterpart: str | None = None

    def block(self, view: str) -> _Block:
        return self.old if view == OLD and self.old is not None else self.shape

    def summary(self) -> str:
        if self.cells is None:
            return self.views.inline
        return " | ".join(cell.views.inline for cell in self.cells)


class _Section:
    """A section being built; it becomes a SectionDiff once moves are known. An unchanged
    section of plain paragraphs comes ready: its `html` and its paragraphs' texts."""

    __slots__ = ("fields", "html", "pieces", "texts")

    def __init__(self, pieces: list[_Piece], **fields: object):
        self.pieces = pieces
        self.fields = fields
        self.html: str | None = None
        self.texts: list[str] = []


class _Builder:
    """Collects the sections, remembering deleted and inserted blocks for moves."""

    def __init__(self) -> None:
        self.markers = _Markers.current()
        self.sections: list[_Section] = []
        # (key, section index, piece index) in document order.
        self.deleted: list[tuple[str, int, int]] = []
        self.inserted: list[tuple[str, int, int]] = []

    def added(self, section: SectionText, position: int) -> None:
        out: list[_Piece] = []
        for block in _blocks(section.body):
            self._insert(out, block)
        self.sections.append(
            _Section(
                out,
                key=section.key,
                status=ADDED,
                moved=False,
                old_heading=None,
                new_heading=section.heading,
                heading_html=SafeString(self.markers.inserted(escape(section.heading))),
                new_position=position,
            )
        )

    def removed(self, section: SectionText, position: int) -> None:
        out: list[_Piece] = []
        for block in _blocks(section.body):
            self._delete(out, block)
        self.sections.append(
            _Section(
                out,
                key=section.key,
                status=REMOVED,
                moved=False,
                old_heading=section.heading,
                new_heading=None,
                heading_html=SafeString(self.markers.deleted(escape(section.heading))),
                old_position=position,
            )
        )

    def common(
        self, old: SectionText, new: SectionText, moved: bool, old_position: int, position: int
    ) -> None:
        out: list[_Piece] = []
        ready: list[str] | None = None
        if old.body == new.body:
            body = new.body.replace("\r\n", "\n") if "\r" in new.body else new.body
            if _is_plain(body):
                # Escaping does not touch whitespace, so escape once and split afterwards.
                ready = paragraphs(escape(body))
            else:
                out.extend(_equal(block, block) for block in _blocks(body))
        else:
            self._blocks(out, _blocks(old.body), _blocks(new.body))
        changed = old.heading != new.heading or any(p.kind != EQUAL for p in out)
        section = _Section(
            out,
            key=new.key,
            status=CHANGED if changed else UNCHANGED,
            moved=moved,
            old_heading=old.heading,
            new_heading=new.heading,
            heading_html=self.markers.text(old.heading, new.heading),
            old_position=old_position,
            new_position=position,
        )
        if ready is not None:
            section.texts = ready
            section.html = "".join([f"<p>{text}</p>" for text in ready])
        self.sections.append(section)

    def _blocks(self, out: list[_Piece], old: list[_Block], new: list[_Block]) -> None:
        """Diff two lists of blocks into `out`.

        Blocks that differ only in whitespace have the same key; those that differ only in
        formatting or place land in a replaced run and come out of the pairing as equal or as
        changed without marked words."""
        matcher = SequenceMatcher(None, [b.key for b in old], [b.key for b in new], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                out.extend(_equal(a, b) for a, b in zip(old[i1:i2], new[j1:j2], strict=True))
            elif tag == "delete":
                for block in old[i1:i2]:
                    self._delete(out, block)
            elif tag == "insert":
                for block in new[j1:j2]:
                    self._insert(out, block)
            else:
                self._replace(out, old[i1:i2], new[j1:j2])

    def _replace(self, out: list[_Piece], old: list[_Block], new: list[_Block]) -> None:
        """Pair the old and new blocks of a replaced run in order, by similarity.

        Each old block is compared with the next few unpaired new ones of the same kind
        (PAIRING_WINDOW), nearest first; a clear match is taken at once, otherwise the most
        similar above the cutoff. Pairs never cross, so the output keeps the order of both
        versions. Unpaired blocks are deleted or inserted (and may turn out to be moves)."""
        next_j = 0
        for a in old:
            best: tuple[float, list[Match]] | None = None
            best_j = next_j
            for j in range(next_j, min(len(new), next_j + PAIRING_WINDOW)):
                b = new[j]
                if b.kind != a.kind:
                    continue
                # The nearest candidate is usually the same block edited: match it in full at
                # once. The cheap bounds pay off for the ones further away.
                cutoff = best[0] if best else SIMILARITY_CUTOFF
                found = _similar_blocks(a.tokens, b.tokens, cutoff, quick=j > next_j)
                if found is None or (best is not None and found[0] <= best[0]):
                    continue
                best, best_j = found, j
                if found[0] >= CLEAR_MATCH:
                    break
            if best is None:
                self._delete(out, a)
                continue
            for block in new[next_j:best_j]:
                self._insert(out, block)
            next_j = best_j + 1
            out.append(self._pair(a, new[best_j], best[1]))
        for block in new[next_j:]:
            self._insert(out, block)

    def _pair(self, a: _Block, b: _Block, blocks: list[Match]) -> _Piece:
        if a.cells is not None and b.cells is not None:
            return self._row(a, b)
        if blocks[0].size == len(a.tokens) == len(b.tokens):
            # Same words, different spacing (nothing to mark) or a different place in the
            # structure (a list item that went one level in: the block is marked changed).
            piece = _equal(a, b)
            if not a.same_shape(b):
                piece.kind = CHANGED
            return piece
        return _Piece(CHANGED, a, b, self.markers.words(a.text, b.text, blocks))

    def _row(self, a: _Block, b: _Block) -> _Piece:
        """Two rows cell by cell: by column when they have as many cells, else by matching."""
        old_cells, new_cells = a.cells or [], b.cells or []
        # (old index, new index), -1 where the cell is only in the other version.
        pairs: list[tuple[int, int]]
        if len(old_cells) == len(new_cells):
            pairs = [(i, i) for i in range(len(old_cells))]
        else:
            pairs = []
            matcher = SequenceMatcher(
                None,
                ["\x1f".join(c.tokens) for c in old_cells],
                ["\x1f".join(c.tokens) for c in new_cells],
                autojunk=False,
            )
            for _, i1, i2, j1, j2 in matcher.get_opcodes():
                common = min(i2 - i1, j2 - j1)
                pairs.extend((i1 + k, j1 + k) for k in range(common))
                pairs.extend((i, -1) for i in range(i1 + common, i2))
                pairs.extend((-1, j) for j in range(j1 + common, j2))
        cells = []
        for i, j in pairs:
            if j < 0:
                gone = self.markers.deleted(old_cells[i].html())
                cells.append(_Cell(DELETED, _Views(gone, gone, ""), i, None))
            elif i < 0:
                came = self.markers.inserted(new_cells[j].html())
                cells.append(_Cell(INSERTED, _Views(came, "", came), None, j))
            else:
                same, views = self.markers.compare(old_cells[i], new_cells[j])
                cells.append(_Cell(EQUAL if same else CHANGED, views, i, j))
        unchanged = all(c.kind == EQUAL for c in cells) and a.same_shape(b)
        return _Piece(EQUAL if unchanged else CHANGED, a, b, _Views("", "", ""), cells)

    def _delete(self, out: list[_Piece], block: _Block) -> None:
        if block.kind in _MOVABLE:
            self.deleted.append((block.move_key(), len(self.sections), len(out)))
        if block.cells is not None:
            cells = []
            for i, cell in enumerate(block.cells):
                gone = self.markers.deleted(cell.html())
                cells.append(_Cell(EQUAL, _Views(gone, gone, ""), i, None))
            out.append(_Piece(DELETED, block, None, _Views("", "", ""), cells))
            return
        gone = self.markers.deleted(block.html())
        out.append(_Piece(DELETED, block, None, _Views(gone, gone, "")))

    def _insert(self, out: list[_Piece], block: _Block) -> None:
        if block.kind in _MOVABLE:
            self.inserted.append((block.move_key(), len(self.sections), len(out)))
        if block.cells is not None:
            cells = []
            for j, cell in enumerate(block.cells):
                came = self.markers.inserted(cell.html())
                cells.append(_Cell(EQUAL, _Views(came, "", came), None, j))
            out.append(_Piece(INSERTED, None, block, _Views("", "", ""), cells))
            return
        came = self.markers.inserted(block.html())
        out.append(_Piece(INSERTED, None, block, _Views(came, "", came)))

    def mark_moved_blocks(self) -> None:
        """Turn a deletion and an insertion of the same block into a move, in document order."""
        if not self.deleted or not self.inserted:
            return
        waiting: dict[str, list[tuple[int, int]]] = {}
        for key, s, p in reversed(self.deleted):
            waiting.setdefault(key, []).append((s, p))
        for key, s, p in self.inserted:
            candidates = waiting.get(key)
            if not candidates:
                continue
            old_s, old_p = candidates.pop()
            here, there = self.sections[s], self.sections[old_s]
            gone, came = there.pieces[old_p], here.pieces[p]
            gone.kind, gone.counterpart = MOVED_FROM, str(here.fields["key"])
            came.kind, came.counterpart = MOVED_TO, str(there.fields["key"])
            old_html, new_html = gone.shape.html(), came.shape.html()
            gone.views = _Views(old_html, old_html, "")
            came.views = _Views(new_html, "", new_html)

    def finish(self) -> list[SectionDiff]:
        renderer = _Renderer(self.markers)
        out = []
        for section in self.sections:
            if section.html is not None:
                html = old_html = new_html = SafeString(section.html)
                blocks = [ParagraphDiff(EQUAL, text) for text in section.texts]
            else:
                html = SafeString(renderer.render(section.pieces, INLINE))
                if section.fields["status"] == UNCHANGED:
                    old_html = new_html = html
                else:
                    old_html = SafeString(renderer.render(section.pieces, OLD))
                    new_html = SafeString(renderer.render(section.pieces, NEW))
                blocks = [ParagraphDiff(p.kind, p.summary(), p.counterpart) for p in section.pieces]
            out.append(
                SectionDiff(
                    **section.fields,  # type: ignore[arg-type]
                    paragraphs=blocks,
                    html=html,
                    old_html=old_html,
                    new_html=new_html,
                )
            )
        return out


def _equal(a: _Block, b: _Block) -> _Piece:
    if b.cells is not None:
        cells = [
            _Cell(EQUAL, _Views(cell.html(), cell.html(), cell.html()), i, i)
            for i, cell in enumerate(b.cells)
        ]
        return _Piece(EQUAL, a, b, _Views("", "", ""), cells)
    # Equal keys (or tokens, after pairing) are the same words: show them as the new text has them.
    html = b.html()
    return _Piece(EQUAL, a, b, _Views(html, html, html))


# ---------------------------------------------------------------------------------------------
# Rendering a section's pieces as HTML
# ---------------------------------------------------------------------------------------------


class _Renderer:
    """Writes a section's pieces as one view: lists, quotes and tables opened and closed around
    the blocks as their paths say. A table starts at a header row (unless the row before was one
    too: a header deleted and one inserted) or at a row after anything else than a row, and is
    put in a scroll region that a keyboard reaches, as on the document's page."""

    def __init__(self, markers: _Markers) -> None:
        self.markers = markers
        self.moved_from = escape(gettext("This paragraph was moved:"))
        self.moved_from_link = escape(gettext("see where it went"))
        self.moved_to = escape(gettext("This paragraph was moved here:"))
        self.moved_to_link = escape(gettext("see where it was"))
        self.side = {OLD: gettext("before"), NEW: gettext("after"), INLINE: ""}

    def render(self, pieces: list[_Piece], view: str) -> str:
        out: list[str] = []
        stack: list[str] = []
        tables = 0
        table_part = ""  # "thead" or "tbody" while a table is open
        previous_row: _Block | None = None
        skip = (INSERTED, MOVED_TO) if view == OLD else (DELETED, MOVED_FROM) if view == NEW else ()
        for piece in pieces:
            if piece.kind in skip:
                continue
            block = piece.block(view)
            path = block.path
            if not path and not stack and block.kind == PARAGRAPH:
                # Most blocks: a paragraph outside any list, quote or table.
                css = f' class="diff-b diff-b--{piece.kind}"' if piece.kind != EQUAL else ""
                out.append(f"<p{css}>{self._note(piece)}{piece.views.of(view)}</p>")
                previous_row = None
                continue
            if block.kind == ROW:
                if previous_row is None or (block.header and not previous_row.header):
                    tables += 1
                path = (*path, f"table{tables}")
                previous_row = block
            else:
                previous_row = None
            shared = 0
            while shared < min(len(stack), len(path)) and stack[shared] == path[shared]:
                shared += 1
            while len(stack) > shared:
                out.append(self._close(stack.pop(), table_part))
            if block.kind == ITEM and shared == len(path):
                out.append("</li>")
            for depth in range(shared, len(path)):
                container = path[depth]
                stack.append(container)
                own_item = block.kind == ITEM and depth == len(path) - 1
                if container in ("ul", "ol"):
                    start = block.start if own_item and container == "ol" else None
                    out.append(f'<ol start="{start}">' if start else f"<{container}>")
                    if not own_item:
                        out.append("<li>")
                elif container == "blockquote":
                    out.append("<blockquote>")
                else:
                    out.append(self._open_table(block, view))
                    table_part = ""
            if block.kind == ROW:
                part = "thead" if block.header else "tbody"
                if part != table_part:
                    out.append(f"</{table_part}><{part}>" if table_part else f"<{part}>")
                    table_part = part
            out.append(self._block(piece, block, view))
        while stack:
            out.append(self._close(stack.pop(), table_part))
        return "".join(out)

    def _close(self, container: str, table_part: str) -> str:
        if container in ("ul", "ol"):
            return f"</li></{container}>"
        if container == "blockquote":
            return "</blockquote>"
        return f"</{table_part}></table></div>" if table_part else "</table></div>"

    def _open_table(self, block: _Block, view: str) -> str:
        columns = ""
        if block.header and block.cells:
            columns = ", ".join(
                t for t in (block.cell_text(i) for i in range(len(block.cells))) if t
            )
        label = (
            gettext("Table: %(columns)s") % {"columns": columns} if columns else gettext("Table")
        )
        if self.side[view]:
            label = f"{label} ({self.side[view]})"
        return markdown.table_region(label)

    def _note(self, piece: _Piece) -> str:
        if piece.kind not in (MOVED_FROM, MOVED_TO):
            return ""
        text, link = (
            (self.moved_from, self.moved_from_link)
            if piece.kind == MOVED_FROM
            else (self.moved_to, self.moved_to_link)
        )
        target = escape(f"#diff-{piece.counterpart}")
        return f'<span class="diff-note">{text} <a href="{target}">{link}</a></span> '

    def _block(self, piece: _Piece, block: _Block, view: str) -> str:
        kind = piece.kind
        css = f' class="diff-b diff-b--{kind}"' if kind != EQUAL else ""
        if block.kind == ROW:
            return self._row(piece, block, view, css)
        content = piece.views.of(view)
        note = self._note(piece)
        if block.kind == PARAGRAPH:
            return f"<p{css}>{note}{content}</p>"
        if block.kind == ITEM:
            return f"<li{css}>{note}{content}"
        if block.kind == HEADING:
            heading = f"<h{block.level}{css}>{content}</h{block.level}>"
            return f'<p class="diff-note-line">{note}</p>{heading}' if note else heading
        if block.kind == CODE:
            code = f"<pre{css}><code>{content}</code></pre>"
            return f'<p class="diff-note-line">{note}</p>{code}' if note else code
        return f"<hr{css}>{content}"  # a rule: its markers say it was inserted or deleted

    def _row(self, piece: _Piece, block: _Block, view: str, css: str) -> str:
        tag = "th" if block.header else "td"
        cells = []
        for cell in piece.cells or ():
            if (view == NEW and cell.new_index is None) or (view == OLD and cell.old_index is None):
                continue  # a cell only the other version has
            # Inline, a deleted cell (of a deleted row, or between cells that are still there) is
            # shown with the old row's alignment.
            from_old = view == OLD or cell.new_index is None
            source, index = (piece.old, cell.old_index) if from_old else (piece.new, cell.new_index)
            if source is None or index is None:
                continue
            html = cell.views.of(view)
            align = source.align[index] if index < len(source.align) else ""
            style = f' style="{align}"' if align else ""
            cell_css = f' class="diff-cell diff-cell--{cell.kind}"' if cell.kind != EQUAL else ""
            cells.append(f"<{tag}{cell_css}{style}>{html}</{tag}>")
        row_css = f' class="diff-row diff-row--{piece.kind}"' if piece.kind != EQUAL else ""
        return f"<tr{row_css}>{''.join(cells)}</tr>"
