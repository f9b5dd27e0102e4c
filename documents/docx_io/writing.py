"""Export: `build_docx` writes a version as a Word file (a title page, then the sections)."""

import datetime
import io
import re
from collections.abc import Sequence

import docx
from django.utils.translation import gettext
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph
from markdown_it import MarkdownIt

from documents.adoption import Adoption
from documents.docx_io.styles import TITLE_PAGE_STYLE

# The same Markdown as the pages (documents/markdown.py): tables and strikethrough on, raw HTML
# off, images off ("![alt](url)" reads as "!" and a link).
_md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"]).disable("image")

_WORD_LANGUAGES = {"sv": "sv-SE", "en": "en-GB"}


def build_docx(
    *,
    title: str,
    version_label: str,
    version_number: int,
    date: datetime.date | datetime.datetime,
    content_hash: str,
    sections: Sequence[tuple[str, str]],
    language: str = "sv",
    adoption: Adoption | None = None,
) -> bytes:
    """A Word file of one version: a title page, then each section (Heading 1 and its body).

    The title page labels are in the active language (the caller activates the reader's).
    `language` is the language of the text itself: Word uses it for spelling and hyphenation.
    Pass a local date: a datetime is shown as its date, without converting time zones.
    `adoption`, for an adopted version, puts "Adopted" with its date and signatories (or the
    deciding body) on the title page.
    """
    day = date.date() if isinstance(date, datetime.datetime) else date
    document = docx.Document()
    _set_language(document, _WORD_LANGUAGES.get(language, language))
    _write_title_page(
        document,
        title=title,
        version_label=version_label,
        version_number=version_number,
        day=day,
        content_hash=content_hash,
        adoption=adoption,
    )
    writer = _WordWriter(document)
    for index, (heading, body) in enumerate(sections):
        paragraph = writer.paragraph("Heading 1", heading)
        if index == 0:
            paragraph.paragraph_format.page_break_before = True  # after the title page
        writer.write(body)
    _set_properties(document, title, version_label, version_number, day, content_hash)
    if adoption is not None:
        document.core_properties.content_status = gettext("Adopted")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _write_title_page(
    document, *, title, version_label, version_number, day, content_hash, adoption
):
    style = document.styles.add_style(TITLE_PAGE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.size = Pt(12)

    document.add_paragraph(title, style="Title")

    def line(text: str, size: float | None = None, bold: bool = False) -> None:
        run = document.add_paragraph(style=TITLE_PAGE_STYLE).add_run(text)
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)

    # The words are looked up outside f-strings: xgettext does not see into them, and a label
    # it does not see is not in the catalogue, so it stays English in every language.
    if version_label:
        line(version_label, size=16, bold=True)
    line(gettext("Version %(number)s") % {"number": version_number})
    line(gettext("Date: %(date)s") % {"date": day.isoformat()})
    if adoption is not None:
        line(gettext("Adopted %(date)s") % {"date": adoption.adopted_on.isoformat()}, bold=True)
        if adoption.signatories:
            line(gettext("Signed by:"))
            for signatory in adoption.signatories:
                line(f"{signatory.name}, {signatory.signed_on.isoformat()}")
        elif adoption.decided_by:
            line(gettext("Decided by: %(body)s") % {"body": adoption.decided_by})
    digest = content_hash.strip().lower()
    grouped = " ".join(digest[i : i + 4] for i in range(0, min(16, len(digest)), 4))
    line(gettext("Checksum (SHA-256): %(start)s …") % {"start": grouped})
    line(digest, size=8)


def _set_language(document, tag: str) -> None:
    lang = document.styles.element.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}"
    )
    if lang is not None:
        lang.set(qn("w:val"), tag)


def _set_properties(document, title, version_label, version_number, day, content_hash) -> None:
    # python-docx's template says the author is "python-docx" and dates it 2013.
    moment = datetime.datetime.combine(day, datetime.time(12, 0))
    properties = document.core_properties
    properties.title = title
    properties.subject = version_label or ""
    properties.author = ""
    properties.last_modified_by = ""
    properties.comments = ""
    properties.keywords = ""
    properties.identifier = f"sha256:{content_hash}"
    properties.revision = max(1, version_number)
    properties.created = moment
    properties.modified = moment
    lang = document.styles.element.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}"
    )
    if lang is not None:
        properties.language = lang.get(qn("w:val")) or ""


class _WordWriter:
    """Writes section headings and bodies (Markdown) at the end of the document."""

    def __init__(self, document):
        self._document = document
        body = document.element.body
        self._end = body.sectPr  # paragraphs go before the section properties, which stay last
        self._body = body
        self._style_ids: dict[str, str] = {}

    def paragraph(self, style: str | None = None, text: str = "") -> Paragraph:
        """A new paragraph at the end of the body.

        Not document.add_paragraph(): it looks the style up by name and searches the whole body
        for its end on every call, which made a long version take seconds to write.
        """
        p = OxmlElement("w:p")
        if style:
            if style not in self._style_ids:
                self._style_ids[style] = self._document.styles[style].style_id
            p.style = self._style_ids[style]
        if self._end is not None:
            self._end.addprevious(p)
        else:
            self._body.append(p)
        paragraph = Paragraph(p, self._document)
        if text:
            paragraph.add_run(text)
        return paragraph

    def write(self, body: str) -> None:
        if not body.strip():
            return
        tokens = _md.parse(body)
        lists: list[dict] = []  # open lists: {"ordered": bool, "num_id": int | None}
        first_in_item = False
        quotes = 0
        style: str | None = None
        index = 0
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            if kind == "heading_open":
                # Heading 1 and 2 start sections on import, so body headings start at Heading 3
                # (# and ## as well: the pages show them one step below the section too).
                style = f"Heading {min(6, max(3, int(token.tag[1])))}"
            elif kind == "paragraph_open":
                if lists:
                    depth = min(len(lists), 3)
                    suffix = "" if depth == 1 else f" {depth}"
                    if first_in_item:
                        base = "List Number" if lists[-1]["ordered"] else "List Bullet"
                        style = base + suffix
                    else:
                        style = "List Continue" + suffix
                elif quotes:
                    style = "Quote"
                else:
                    style = None
            elif kind == "inline":
                paragraph = self.paragraph(style)
                if lists and first_in_item and lists[-1]["num_id"] is not None:
                    _set_numbering(paragraph, lists[-1]["num_id"])
                if lists:
                    first_in_item = False
                _write_inline(paragraph, token.children or [])
            elif kind in ("bullet_list_open", "ordered_list_open"):
                ordered = kind == "ordered_list_open"
                num_id = None
                if ordered:
                    depth = min(len(lists) + 1, 3)
                    start = int(token.attrGet("start") or 1)
                    num_id = self._restart_numbering(
                        "List Number" + ("" if depth == 1 else f" {depth}"), start
                    )
                lists.append({"ordered": ordered, "num_id": num_id})
            elif kind in ("bullet_list_close", "ordered_list_close"):
                lists.pop()
            elif kind == "list_item_open":
                first_in_item = True
            elif kind == "blockquote_open":
                quotes += 1
            elif kind == "blockquote_close":
                quotes -= 1
            elif kind in ("fence", "code_block"):
                # Code is written as plain text, its lines kept apart by line breaks.
                paragraph = self.paragraph("List Continue" if lists else None)
                for number, code_line in enumerate(token.content.rstrip("\n").split("\n")):
                    if number:
                        paragraph.add_run().add_break()
                    paragraph.add_run(code_line)
            elif kind == "table_open":
                index = self._table(tokens, index)
            index += 1

    def _table(self, tokens, index: int) -> int:
        """Write the table starting at tokens[index]; return the index of its table_close."""
        rows: list[list] = []
        header_rows = 0
        in_head = False
        while tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "thead_open":
                in_head = True
            elif token.type == "thead_close":
                in_head = False
            elif token.type == "tr_open":
                rows.append([])
                header_rows += in_head
            elif token.type == "inline":
                rows[-1].append(token.children or [])
            index += 1
        width = max((len(row) for row in rows), default=0)
        if not rows or not width:
            return index
        table = self._document.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        for row_index, (word_row, row) in enumerate(zip(table.rows, rows, strict=True)):
            header = row_index < header_rows
            if header:
                # Word repeats the header row on each page, and screen readers announce it.
                word_row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
            for cell, children in zip(word_row.cells, row, strict=False):
                _write_inline(cell.paragraphs[0], children, bold=header)
        return index

    def _restart_numbering(self, style_name: str, start: int) -> int | None:
        """A fresh w:num for the list style, so each numbered list starts again from `start`.

        python-docx's List Number style points at one w:num, so every numbered list in the
        document would otherwise continue the numbering of the list before it.
        """
        try:
            style = self._document.styles[style_name]
            num_id = style.element.pPr.numPr.numId.val
            numbering = self._document.part.numbering_part.element
            abstract_id = numbering.num_having_numId(num_id).abstractNumId.val
        except (AttributeError, KeyError, NotImplementedError):
            return None
        num = numbering.add_num(abstract_id)
        num.add_lvlOverride(ilvl=0).add_startOverride(start)
        return num.numId


def _set_numbering(paragraph, num_id: int) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


# Links to these become Word hyperlinks, the same schemes the pages make links of
# (documents/markdown.py); any other address is written out after the text.
_LINK_SCHEMES = re.compile(r"(?i)(?:https?|mailto):")
_HYPERLINK_STYLE = "Hyperlink"


def _write_inline(paragraph, children, *, bold: bool = False) -> None:
    """Runs for markdown-it's inline tokens: bold, italic, strikethrough; http(s) and mailto
    links as Word hyperlinks, other links as "text (address)"."""
    strong = em = strike = 0
    links: list[tuple[str, int]] = []  # (address to write out, length of the text before)
    hyperlink = None  # the open w:hyperlink, which new runs go into
    hyperlink_href = ""
    written: list[str] = []

    def new_run(text: str = ""):
        run = paragraph.add_run(text)
        if hyperlink is not None:
            run.style = _hyperlink_style(paragraph)
            hyperlink.append(run._r)  # moved from the end of the paragraph into the hyperlink
        return run

    def add(text: str) -> None:
        if not text:
            return
        run = new_run(text)
        if strong or bold:  # only when on: setting None still adds an empty w:rPr, slowly
            run.bold = True
        if em:
            run.italic = True
        if strike:
            run.font.strike = True
        written.append(text)

    for child in children:
        kind = child.type
        if kind in ("text", "code_inline"):
            add(child.content)
        elif kind == "softbreak":
            add(" ")
        elif kind == "hardbreak":
            new_run().add_break()
            written.append("\n")
        elif kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong -= 1
        elif kind == "em_open":
            em += 1
        elif kind == "em_close":
            em -= 1
        elif kind == "s_open":
            strike += 1
        elif kind == "s_close":
            strike -= 1
        elif kind == "link_open":
            href = str(child.attrGet("href") or "").strip()
            if hyperlink is None and _LINK_SCHEMES.match(href):
                hyperlink = OxmlElement("w:hyperlink")
                hyperlink.set(
                    qn("r:id"), paragraph.part.relate_to(href, RT.HYPERLINK, is_external=True)
                )
                paragraph._p.append(hyperlink)
                links.append(("", len("".join(written))))
                hyperlink_href = href
            else:
                links.append((href, len("".join(written))))
        elif kind == "link_close" and links:
            href, before = links.pop()
            text = "".join(written)[before:]
            if not href and hyperlink is not None:
                if not text.strip():  # "[](https://…)": the address is the text to click
                    add(hyperlink_href.removeprefix("mailto:"))
                hyperlink = None
                continue
            shown = href.removeprefix("mailto:")
            if href and text.strip() != shown:
                saved = (strong, em, strike)
                strong = em = strike = 0
                add(f" ({href})")
                strong, em, strike = saved


def _hyperlink_style(paragraph):
    """Word's own "Hyperlink" character style (blue, underlined), added on first use: the
    python-docx template has none."""
    styles = paragraph.part.document.styles
    try:
        return styles[_HYPERLINK_STYLE]
    except KeyError:
        style = styles.add_style(_HYPERLINK_STYLE, WD_STYLE_TYPE.CHARACTER)
        style.font.underline = True
        style.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
        style.unhide_when_used = True
        return style
