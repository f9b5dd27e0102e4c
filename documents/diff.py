"""Compare two versions of a document: sections by key, then paragraphs, then words.

The diff never runs difflib over the whole document at once. Sections are aligned by their stable
key; only sections whose text differs are split into paragraphs and compared with
`SequenceMatcher` (always `autojunk=False`: the heuristic would treat common words such as "och"
as junk in long paragraphs and produce odd diffs). Within a block of replaced paragraphs, old and
new paragraphs are paired by similarity and each pair is compared word by word. A paragraph that
was deleted in one place and inserted unchanged elsewhere in the document (in the same section or
another one) is reported as moved, found with a dictionary of the deleted texts rather than a
second difflib pass.

The result is plain data plus HTML fragments that are safe to render: the bodies are untrusted
Markdown source and we show the source text, so every piece of text is escaped. Insertions and
deletions are marked with `<ins>` / `<del>`, each with a visually hidden prefix and suffix that a
screen reader announces ("deleted: … end of deletion"). A side-by-side view can use the same HTML
and hide `ins` in the old column and `del` in the new one.

This module is pure: no models, no database, so the engine can be tested and benchmarked alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import Match, SequenceMatcher
from functools import cached_property
from html import escape
from typing import NamedTuple

from django.utils.safestring import SafeString
from django.utils.translation import gettext

# Section statuses.
ADDED = "added"
REMOVED = "removed"
UNCHANGED = "unchanged"
CHANGED = "changed"

# Paragraph kinds.
EQUAL = "equal"
INSERTED = "inserted"
DELETED = "deleted"
MOVED_FROM = "moved_from"
MOVED_TO = "moved_to"

# Two paragraphs (or headings) are shown as one changed text when at least this share of their
# tokens match; below it, a word diff is mostly noise, so the old text is shown deleted and the
# new one inserted.
SIMILARITY_CUTOFF = 0.5
# A pair at least this similar is clearly the same paragraph edited: take it without looking for
# a better partner.
CLEAR_MATCH = 0.75
# How many new paragraphs ahead of the current position an old paragraph is compared with when
# looking for its partner in a replaced block. Bounds the pairing work on large rewrites.
PAIRING_WINDOW = 4
# An unchanged run of at most this many tokens between two changes at least as long is folded
# into them (unless both are single words), so that a rewritten phrase reads as one deletion and
# one insertion instead of being cut up at every "och" or comma it shares with the old text.
ABSORB_TOKENS = 2

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# Words (unicode letters and digits, so "föräldraskapsstöd" is one token) and single punctuation
# characters. Whitespace is not a token: it stays in the text between tokens, which keeps the
# sequences short and lets a run of changed words include the spaces between them.
_TOKEN = re.compile(r"(\w+|[^\w\s])")


class SectionText(NamedTuple):
    """One section of one version (or of the working draft), as the diff sees it."""

    key: str
    heading: str
    body: str


@dataclass(frozen=True)
class ParagraphDiff:
    """One paragraph in the comparison.

    `kind` is "equal", "changed" (word diff in `html`), "inserted", "deleted", "moved_from" (the
    paragraph left this place) or "moved_to" (it arrived here, unchanged). For moved paragraphs
    `counterpart_key` is the key of the section at the other end, which may be this section.
    """

    kind: str
    html: SafeString
    counterpart_key: str | None = None


@dataclass(frozen=True)
class SectionDiff:
    """One section in the comparison, in the order of the new document.

    `status` is "added", "removed", "unchanged" or "changed" (the heading or any paragraph
    differs). `moved` is separate: the section's place among the sections that both versions have
    is not what it was (it may also be changed). Positions are 0-based indexes in the old and new
    document (None where the section is absent). Unchanged sections still list their paragraphs
    (all "equal") so that a collapsed section can be expanded.
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

    @property
    def is_changed(self) -> bool:
        return self.status != UNCHANGED or self.moved


@dataclass(frozen=True)
class DiffStats:
    """Counts for a summary line. Paragraphs of added and removed sections count as inserted and
    deleted; a moved paragraph counts once."""

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
    builder.mark_moved_paragraphs()
    return DocumentDiff(sections=builder.sections)


def diff_text(old: str, new: str) -> SafeString:
    """Word diff of two short texts (e.g. headings) as HTML with `<ins>` / `<del>`."""
    return _Markers.current().text(old, new)


def paragraphs(body: str) -> list[str]:
    """A Markdown body's paragraphs: split at blank lines, stripped, empty ones dropped."""
    parts = _PARAGRAPH_BREAK.split(body.replace("\r\n", "\n"))
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


class _Tokens:
    """A text cut into tokens, keeping the whitespace between them.

    `parts` alternates separators and tokens: [sep, tok, sep, tok, …, tok, sep], so token k is
    parts[2k + 1] and the text of tokens [s, e) with the spaces between them is
    "".join(parts[2s + 1 : 2e]).
    """

    __slots__ = ("parts", "tokens")

    def __init__(self, text: str):
        self.parts = _TOKEN.split(text)
        self.tokens = self.parts[1::2]


def _similar_blocks(
    a: _Tokens, b: _Tokens, cutoff: float, *, quick: bool = True
) -> tuple[float, list[Match]] | None:
    """The similarity and matching blocks of two token lists if they are at least `cutoff`
    similar, else None.

    With `quick`, cheap upper bounds are tried first, as in difflib.get_close_matches: worth it
    when choosing among several candidates, most of them unrelated, but not for a lone pair,
    which is nearly always an edited paragraph. The blocks are reused to render the word diff."""
    matcher = SequenceMatcher(None, a.tokens, b.tokens, autojunk=False)
    if quick and (matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff):
        return None
    blocks = matcher.get_matching_blocks()
    total = len(a.tokens) + len(b.tokens)
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


class _Markers:
    """The ins/del wrappers with their screen-reader texts, translated once per diff."""

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

    def deleted(self, text: str) -> str:
        return f"{self.del_open}{escape(text)}{self.del_close}"

    def inserted(self, text: str) -> str:
        return f"{self.ins_open}{escape(text)}{self.ins_close}"

    def text(self, old: str, new: str) -> SafeString:
        if old == new:
            return SafeString(escape(new))
        if not old:
            return SafeString(self.inserted(new))
        if not new:
            return SafeString(self.deleted(old))
        a, b = _Tokens(old), _Tokens(new)
        found = _similar_blocks(a, b, SIMILARITY_CUTOFF, quick=False)
        if found is None:
            return SafeString(self.deleted(old) + self.inserted(new))
        return SafeString(self.words(a, b, found[1]))

    def words(self, a: _Tokens, b: _Tokens, blocks: list[Match]) -> str:
        """Render a word diff: the new text with deletions and insertions marked.

        A pure deletion or insertion takes the space before it (or after it, at the start of the
        text) inside its marker, so that hiding either marker leaves correctly spaced text. A
        replacement shows the deletion then the insertion where the new text has them. Spacing
        that differs between unchanged words follows the new text."""
        pa, pb = a.parts, b.parts
        out: list[str] = []
        ai = bj = 0  # first token after the previous matching block, in a and in b
        cursor = 0  # first part of b not yet written
        for i, j, size in _absorb_short_equalities(blocks):
            if ai < i and bj < j:
                if pa[2 * ai] == pb[cursor]:
                    out.append(escape(pb[cursor]))
                    out.append(self.deleted("".join(pa[2 * ai + 1 : 2 * i])))
                    out.append(self.inserted("".join(pb[2 * bj + 1 : 2 * j])))
                else:
                    # The space before differs too ("barn barn" -> "barn,"): each keeps its own.
                    out.append(self.deleted("".join(pa[2 * ai : 2 * i])))
                    out.append(self.inserted("".join(pb[2 * bj : 2 * j])))
                cursor = 2 * j
            elif ai < i:
                if ai:
                    out.append(self.deleted("".join(pa[2 * ai : 2 * i])))
                else:
                    out.append(self.deleted("".join(pa[1 : 2 * i + 1])))
            elif bj < j:
                if bj:
                    out.append(self.inserted("".join(pb[2 * bj : 2 * j])))
                    cursor = 2 * j
                else:
                    out.append(self.inserted("".join(pb[1 : 2 * j + 1])))
                    cursor = 2 * j + 1
            if size:
                end = 2 * (j + size)
                out.append(escape("".join(pb[cursor:end])))
                cursor = end
            ai, bj = i + size, j + size
        out.append(escape("".join(pb[cursor:])))
        return "".join(out)


class _Builder:
    """Collects the section diffs, remembering deleted and inserted paragraphs for moves."""

    def __init__(self) -> None:
        self.markers = _Markers.current()
        self.sections: list[SectionDiff] = []
        # (normalised text, text, section index, paragraph index) in document order.
        self.deleted: list[tuple[str, str, int, int]] = []
        self.inserted: list[tuple[str, str, int, int]] = []

    def added(self, section: SectionText, position: int) -> None:
        out: list[ParagraphDiff] = []
        for text in paragraphs(section.body):
            self._insert(out, text)
        self.sections.append(
            SectionDiff(
                key=section.key,
                status=ADDED,
                moved=False,
                old_heading=None,
                new_heading=section.heading,
                heading_html=SafeString(self.markers.inserted(section.heading)),
                paragraphs=out,
                new_position=position,
            )
        )

    def removed(self, section: SectionText, position: int) -> None:
        out: list[ParagraphDiff] = []
        for text in paragraphs(section.body):
            self._delete(out, text)
        self.sections.append(
            SectionDiff(
                key=section.key,
                status=REMOVED,
                moved=False,
                old_heading=section.heading,
                new_heading=None,
                heading_html=SafeString(self.markers.deleted(section.heading)),
                paragraphs=out,
                old_position=position,
            )
        )

    def common(
        self, old: SectionText, new: SectionText, moved: bool, old_position: int, position: int
    ) -> None:
        if old.body == new.body:
            # Escaping does not touch whitespace, so escape once and split afterwards.
            out = [ParagraphDiff(EQUAL, SafeString(text)) for text in paragraphs(escape(new.body))]
        else:
            out = []
            self._paragraphs(out, paragraphs(old.body), paragraphs(new.body))
        changed = old.heading != new.heading or any(p.kind != EQUAL for p in out)
        self.sections.append(
            SectionDiff(
                key=new.key,
                status=CHANGED if changed else UNCHANGED,
                moved=moved,
                old_heading=old.heading,
                new_heading=new.heading,
                heading_html=self.markers.text(old.heading, new.heading),
                paragraphs=out,
                old_position=old_position,
                new_position=position,
            )
        )

    def _paragraphs(self, out: list[ParagraphDiff], old: list[str], new: list[str]) -> None:
        """Diff two paragraph lists into `out`.

        Paragraphs that differ only in whitespace land in a replaced block and come out of the
        pairing as equal, so there is no need to normalise every paragraph up front."""
        matcher = SequenceMatcher(None, old, new, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                out.extend(ParagraphDiff(EQUAL, _escaped(text)) for text in new[j1:j2])
            elif tag == "delete":
                for text in old[i1:i2]:
                    self._delete(out, text)
            elif tag == "insert":
                for text in new[j1:j2]:
                    self._insert(out, text)
            else:
                self._replace(out, old[i1:i2], new[j1:j2])

    def _replace(self, out: list[ParagraphDiff], old: list[str], new: list[str]) -> None:
        """Pair the old and new paragraphs of a replaced block in order, by similarity.

        Each old paragraph is compared with the next few unpaired new ones (PAIRING_WINDOW),
        nearest first; a clear match is taken at once, otherwise the most similar above the
        cutoff. Pairs never cross, so the output keeps the order of both versions. Unpaired
        paragraphs are deleted or inserted (and may turn out to be moves)."""
        new_tokens: dict[int, _Tokens] = {}
        next_j = 0
        for old_text in old:
            a = _Tokens(old_text)
            best: tuple[float, list[Match]] | None = None
            best_j = next_j
            for j in range(next_j, min(len(new), next_j + PAIRING_WINDOW)):
                b = new_tokens.get(j)
                if b is None:
                    b = new_tokens[j] = _Tokens(new[j])
                # The nearest candidate is usually the same paragraph edited: match it in full
                # at once. The cheap bounds pay off for the ones further away.
                cutoff = best[0] if best else SIMILARITY_CUTOFF
                found = _similar_blocks(a, b, cutoff, quick=j > next_j)
                if found is None or (best is not None and found[0] <= best[0]):
                    continue
                best, best_j = found, j
                if found[0] >= CLEAR_MATCH:
                    break
            if best is None:
                self._delete(out, old_text)
                continue
            for text in new[next_j:best_j]:
                self._insert(out, text)
            next_j = best_j + 1
            b = new_tokens[best_j]
            blocks = best[1]
            if blocks[0].size == len(a.tokens) == len(b.tokens):
                # Same tokens, different spacing: nothing to mark.
                out.append(ParagraphDiff(EQUAL, _escaped(new[best_j])))
            else:
                out.append(ParagraphDiff(CHANGED, SafeString(self.markers.words(a, b, blocks))))
        for text in new[next_j:]:
            self._insert(out, text)

    def _delete(self, out: list[ParagraphDiff], text: str) -> None:
        self.deleted.append((_normalise(text), text, len(self.sections), len(out)))
        out.append(ParagraphDiff(DELETED, SafeString(self.markers.deleted(text))))

    def _insert(self, out: list[ParagraphDiff], text: str) -> None:
        self.inserted.append((_normalise(text), text, len(self.sections), len(out)))
        out.append(ParagraphDiff(INSERTED, SafeString(self.markers.inserted(text))))

    def mark_moved_paragraphs(self) -> None:
        """Turn a deletion and an insertion of the same text into a move, in document order."""
        if not self.deleted or not self.inserted:
            return
        waiting: dict[str, list[tuple[str, int, int]]] = {}
        for norm, text, s, p in reversed(self.deleted):
            waiting.setdefault(norm, []).append((text, s, p))
        for norm, text, s, p in self.inserted:
            candidates = waiting.get(norm)
            if not candidates:
                continue
            old_text, old_s, old_p = candidates.pop()
            here, there = self.sections[s], self.sections[old_s]
            there.paragraphs[old_p] = ParagraphDiff(MOVED_FROM, _escaped(old_text), here.key)
            here.paragraphs[p] = ParagraphDiff(MOVED_TO, _escaped(text), there.key)


def _escaped(text: str) -> SafeString:
    return SafeString(escape(text))
