"""Markdown in section bodies: safe HTML for the page, plain text for readability measures.

Officials write section bodies in Markdown. markdown-it-py turns it into HTML with raw HTML
switched off, and nh3 cleans the result against a short allowlist every time anyway: the
commonmark preset on its own would let raw HTML through (STACK-NOTES trap 10), and two
independent layers mean one mistake in either is not yet a hole.
"""

import re

import nh3
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from markdown_it import MarkdownIt
from markdown_it.token import Token

# Images are off: nh3 would drop <img> and its alt text without a trace. With the rule off,
# "![alt](url)" reads as "!" followed by a link to the picture, so nothing written is lost.
_md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"]).disable("image")

# The page renders the section title as h2, so headings inside a body start at h3.
_FIRST_BODY_HEADING = 3
_LAST_HEADING = 6

# markdown-it writes table column alignment as exactly these style values; nothing else may
# carry a style attribute (tag_attribute_values keeps an attribute only for the listed values).
_ALIGNMENTS = {"text-align:left", "text-align:center", "text-align:right"}

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "h3", "h4", "h5", "h6", "em", "strong", "del", "s", "ul", "ol", "li", "a",
        "blockquote", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_ATTRIBUTE_VALUES = {"th": {"style": _ALIGNMENTS}, "td": {"style": _ALIGNMENTS}}
# Relative links ("/documents/1/") have no scheme and stay; javascript:, vbscript: and data: go.
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer"

# A block that already ends like this ends a sentence; trailing quotes or brackets may follow.
_SENTENCE_END = re.compile(r"[.!?:][\"'”’»)\]]*$")


def render_markdown(text: str) -> SafeString:
    """Return the Markdown `text` as HTML that is safe to put into a page as it is.

    The result is marked safe (a `str`) because it has just been cleaned with nh3; templates need
    no `|safe`. Empty or blank input gives "".
    """
    if not text.strip():
        return mark_safe("")
    env: dict = {}
    tokens = _md.parse(text, env)
    _shift_headings(tokens)
    labels = _table_labels(tokens)
    html = _md.renderer.render(tokens, _md.options, env)
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values=ALLOWED_ATTRIBUTE_VALUES,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
    if labels:
        cleaned = _wrap_tables(cleaned, labels)
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 against the allowlist above


def parse(text: str) -> list[Token]:
    """The block tokens of the Markdown `text`, from the same parser as `render_markdown` and with
    its headings moved the same way. For the comparison of versions, which renders the blocks
    itself so that it can mark changes inside them (documents/diff.py)."""
    tokens = _md.parse(text)
    _shift_headings(tokens)
    return tokens


def _table_labels(tokens: list[Token]) -> list[str]:
    """One label per table, in order: its column headings ("Tabell: Aktör, Ansvar"), so that
    the scroll region around it is named for what it holds (WCAG 1.4.10 and 2.1.1)."""
    labels: list[str] = []
    columns: list[str] | None = None
    for token in tokens:
        if token.type == "table_open":
            columns = []
        elif token.type == "thead_close" and columns is not None:
            headings = ", ".join(column for column in columns if column)
            labels.append(
                gettext("Table: %(columns)s") % {"columns": headings}
                if headings
                else gettext("Table")
            )
            columns = None
        elif token.type == "inline" and columns is not None:
            columns.append(_inline_text(token.children or []).strip())
    return labels


def _wrap_tables(html: str, labels: list[str]) -> str:
    """Put each table in a scroll region that a keyboard can reach: a wide table scrolls inside
    the page instead of making the page wider than a phone. Added after nh3 (which would drop
    the region's attributes); the labels are escaped. Markdown tables cannot nest."""
    parts = html.split("<table>")
    if len(parts) != len(labels) + 1:  # never expected; the text is shown unwrapped then
        return html
    wrapped = [parts[0]]
    for label, part in zip(labels, parts[1:], strict=True):
        wrapped.append(table_region(label) + part.replace("</table>", "</table></div>", 1))
    return "".join(wrapped)


def table_region(label: str) -> str:
    """The start of a table in its scroll region, up to and with `<table>`; the label is escaped.
    The region ends with `</table></div>`."""
    return format_html(
        '<div class="table-scroll" role="region" aria-label="{}" tabindex="0"><table>',
        label,
    )


def plain_text(text: str) -> str:
    """Return the readable words of the Markdown `text`, one block per line, for readability.

    Every block a reader sees as a unit (paragraph, list item, heading, table cell, and a line
    ended by a hard line break) ends a sentence: if it does not already end with . ! ? or : a "."
    is appended. Otherwise a heading or a bullet without a full stop would run into the next
    block and make one long sentence, which is not how the text reads. Markup, link targets and
    code blocks are left out (code is not prose); inline code counts as words. Whitespace inside
    a block is collapsed to single spaces.
    """
    lines = []
    for token in _md.parse(text):
        if token.type != "inline":
            continue
        for line in _inline_text(token.children or []).split("\n"):
            line = " ".join(line.split())
            if line:
                lines.append(line if _SENTENCE_END.search(line) else f"{line}.")
    return "\n".join(lines)


def _shift_headings(tokens: list[Token]) -> None:
    """Move body headings below the section heading: # and ## → h3, ### → h4, …, at most h6."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1]) + 1
            token.tag = f"h{min(max(level, _FIRST_BODY_HEADING), _LAST_HEADING)}"


def _inline_text(children: list[Token]) -> str:
    """The text of one block's inline tokens; a hard line break becomes a newline."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
    return "".join(parts)
