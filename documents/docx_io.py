"""Word (.docx) import and export: sections (heading + Markdown body) to and from Word.

Import (`parse_docx`) reads the Word file an official already has. Headings of the two top-most
levels used (normally Heading 1 and Heading 2) start sections; deeper headings become `###` /
`####` subheadings in the body. Paragraphs keep bold, italic and strikethrough, lists become
Markdown lists, tables become GFM tables. A file without headings gives one section per block,
and `had_headings` is False so the page can say so.

Export (`build_docx`) writes an immutable version: a title page (title, version label, number,
date, checksum), then each section as Heading 1 with its body converted from Markdown. The title
page uses its own paragraph style, which import skips: a downloaded version, edited in Word and
uploaded again, does not grow a section made of the old title page.

No models here: bytes in, dataclasses out, and the other way round.
"""

import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import docx
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from markdown_it import MarkdownIt

from networks.errors import DomainError

MAX_BYTES = 20 * 1024 * 1024
# A .docx is a ZIP; python-docx holds every unpacked part in memory. Real files stay far below
# this (pictures are already compressed); a file above it is a ZIP bomb, not a strategy.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
PROGRESS_EVERY = 50

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .doc, and also a password-protected .docx
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"

# The style of every title-page line except the title; import skips paragraphs in it.
TITLE_PAGE_STYLE = "Samverka Title Page"


# --- Errors ----------------------------------------------------------------------------------
# The import task records the class name and the page shows the class's default_message, so
# each refusal is a direct subclass of DocxError with its whole message as the default.


class DocxError(DomainError):
    default_message = _("The Word file could not be imported.")


class NotADocx(DocxError):
    # The same msgid as the upload form's check, so there is one translation.
    default_message = _(
        "This file is not a Word document (.docx). Save it as .docx in Word and try again; "
        "older .doc files must be saved as .docx first."
    )


class CorruptDocx(DocxError):
    default_message = _(
        "The Word file could not be read. It may be damaged: open it in Word, save it again and "
        "try again."
    )


class TooLarge(DocxError):
    # The same msgid as the upload form's check. The number is MAX_BYTES.
    default_message = _(
        "The file is larger than 20 MB. Make it smaller (for example, compress the pictures in "
        "Word) and try again."
    )


class EmptyDocx(DocxError):
    default_message = _("The Word file has no text.")


class PasswordProtected(DocxError):
    default_message = _(
        "The Word file is protected with a password. Remove the password in Word (File → Info → "
        "Protect Document), save it and try again."
    )


# --- Import ----------------------------------------------------------------------------------

_W_P = qn("w:p")
_W_R = qn("w:r")
_W_TBL = qn("w:tbl")
_W_TR = qn("w:tr")
_W_TC = qn("w:tc")
_W_SDT = qn("w:sdt")
_W_SDT_CONTENT = qn("w:sdtContent")
_W_CUSTOM_XML = qn("w:customXml")
_W_HYPERLINK = qn("w:hyperlink")
_W_VAL = qn("w:val")
# Inline wrappers whose runs are shown: tracked insertions, smart tags, content controls,
# simple fields (their result text). Tracked deletions (w:del, w:moveFrom) are not shown.
_INLINE_WRAPPERS = {
    qn("w:ins"),
    qn("w:moveTo"),
    qn("w:smartTag"),
    qn("w:customXml"),
    qn("w:sdt"),
    qn("w:sdtContent"),
    qn("w:fldSimple"),
    qn("w:dir"),
    qn("w:bdo"),
}

_HEADING_NAME = re.compile(r"^(?:heading|rubrik)\s*([1-9])$", re.IGNORECASE)
_TITLE_NAME = re.compile(r"^(?:title|titel|rubrik)$", re.IGNORECASE)
_BULLET_NAME = re.compile(r"^(?:list\s*bullet|punktlista)\s*([1-9])?$", re.IGNORECASE)
_NUMBER_NAME = re.compile(r"^(?:list\s*number|numrerad\s*lista)\s*([1-9])?$", re.IGNORECASE)
_QUOTE_NAME = re.compile(r"^(?:(?:intense\s*)?quote|(?:starkt\s*)?citat)$", re.IGNORECASE)
_TOC_NAME = re.compile(
    r"^(?:toc\s*(?:[1-9]|heading)|innehåll\s*[1-9]|innehållsförteckningsrubrik)$", re.IGNORECASE
)
_BULLET, _NUMBER = "bullet", "number"


@dataclass
class ParsedSection:
    heading: str
    body: str


@dataclass
class ParsedDocument:
    title: str | None
    sections: list[ParsedSection]
    had_headings: bool
    blocks: int  # top-level paragraphs and tables read (the progress total)


def parse_docx(data: bytes, progress: Callable[[int, int], None] | None = None) -> ParsedDocument:
    """Read a .docx into sections of Markdown, or raise a DocxError saying what is wrong.

    `progress(done, total)` is called every PROGRESS_EVERY top-level blocks and once at the end
    with done == total. Words made up here (the "Introduction" heading) use the active language.
    """
    document = _open(data)
    reader = _Reader(document)
    elements = list(_block_elements(document.element.body))
    total = len(elements)
    events = []
    reported = -1
    for done, element in enumerate(elements, start=1):
        event = reader.read(element)
        if event is not None:
            events.append(event)
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
            reported = done
    if progress is not None and reported != total:
        progress(total, total)

    title, blocks = _group(events)
    headings = [block.level for block in blocks if block.kind == "heading"]
    if headings:
        sections = _sections_by_heading(blocks, top=min(headings))
    else:
        sections = [
            ParsedSection(heading=_heading_from_words(block.plain), body=block.markdown)
            for block in blocks
        ]
    if not sections:
        raise EmptyDocx()
    return ParsedDocument(title=title, sections=sections, had_headings=bool(headings), blocks=total)


def _open(data: bytes) -> WordDocument:
    if len(data) > MAX_BYTES:
        raise TooLarge()
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise PasswordProtected()
        raise NotADocx()
    if not data.startswith(_ZIP_MAGIC):
        raise NotADocx()
    # It says it is a ZIP. If it cannot be opened it was cut short or damaged on the way: "save
    # it again in Word" is the advice that helps, not "save it as .docx".
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_UNPACKED_BYTES:
                raise CorruptDocx()
            content_types = (
                archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError):
        raise CorruptDocx() from None
    # A readable ZIP that is not a Word document: .xlsx, .pptx, .odt, a .zip, or a Word template
    # or macro file (.dotx, .docm), which python-docx refuses and Word can save as .docx.
    if "word/document.xml" not in names or _DOCX_MAIN not in content_types:
        raise NotADocx()
    try:
        return docx.Document(io.BytesIO(data))
    except Exception as error:  # lxml, zipfile, KeyError for a missing part: all "damaged"
        raise CorruptDocx() from error


def _block_elements(container) -> Iterator:
    """Paragraphs and tables of the body in document order, looking inside content controls.

    A table of contents is left out: Word rebuilds it, and its lines would only repeat the
    headings (with page numbers) as text.
    """
    for child in container.iterchildren():
        if child.tag in (_W_P, _W_TBL):
            yield child
        elif child.tag == _W_SDT:
            if _is_table_of_contents(child):
                continue
            content = child.find(_W_SDT_CONTENT)
            if content is not None:
                yield from _block_elements(content)
        elif child.tag == _W_CUSTOM_XML:
            yield from _block_elements(child)


def _is_table_of_contents(sdt) -> bool:
    gallery = sdt.find(f"{qn('w:sdtPr')}/{qn('w:docPartObj')}/{qn('w:docPartGallery')}")
    return gallery is not None and "contents" in (gallery.get(qn("w:val")) or "").lower()


@dataclass(frozen=True)
class _ParagraphStyle:
    heading_level: int | None = None
    is_title: bool = False
    list_kind: str | None = None  # from the style name: List Bullet / List Number
    list_level: int | None = None  # from the style name: "List Bullet 2" is level 1
    num_id: str | None = None  # numbering set on the style itself
    is_quote: bool = False
    skip: bool = False  # table of contents lines, our own title page


@dataclass(frozen=True)
class _CharacterStyle:
    bold: bool | None = None
    italic: bool | None = None
    strike: bool | None = None


@dataclass
class _Segment:
    """A piece of a paragraph's text with one formatting (a run, or a whole hyperlink)."""

    text: str
    bold: bool = False
    italic: bool = False
    strike: bool = False
    url: str | None = None

    @property
    def marks(self) -> tuple[bool, bool, bool]:
        return (self.bold, self.italic, self.strike)


@dataclass
class _Event:
    kind: str  # "title", "heading", "paragraph", "item", "table"
    markdown: str = ""
    plain: str = ""
    level: int = 0
    list_kind: str = _BULLET


@dataclass
class _Block:
    kind: str  # "heading" or "content"
    markdown: str = ""
    plain: str = ""
    level: int = 0


class _Reader:
    """Turns one body element (w:p or w:tbl) into an _Event, with the styles looked up once."""

    def __init__(self, document):
        self._part = document.part
        styles = document.styles.element
        self._styles = {
            style.get(qn("w:styleId")): style for style in styles.iterchildren(qn("w:style"))
        }
        default = styles.xpath('w:style[@w:type="paragraph" and @w:default="1"]')
        self._default_paragraph_style = default[0].get(qn("w:styleId")) if default else None
        self._paragraph_styles: dict[str | None, _ParagraphStyle] = {}
        self._character_styles: dict[str | None, _CharacterStyle] = {}
        self._number_formats = self._read_numbering(document)

    # Blocks

    def read(self, element) -> _Event | None:
        if element.tag == _W_TBL:
            return self._table(element)
        return self._paragraph(element)

    def _paragraph(self, p) -> _Event | None:
        style = self._paragraph_style(p.style or self._default_paragraph_style)
        if style.skip:
            return None
        segments = self._segments(p)
        plain = _plain(segments)
        if not plain:
            return None  # empty paragraphs, page breaks, pictures only
        ppr = p.pPr
        level = style.heading_level
        direct_outline = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
        if direct_outline is not None and _int(direct_outline.get(_W_VAL), 9) < 9:
            level = _int(direct_outline.get(_W_VAL), 0) + 1
        if level is not None:
            return _Event("heading", plain=plain, level=level)
        if style.is_title:
            return _Event("title", plain=plain)
        item = self._list_item(ppr, style)
        if item is not None:
            kind, list_level = item
            markdown = _inline_markdown(segments)
            return _Event("item", markdown, plain, level=list_level, list_kind=kind)
        markdown = _inline_markdown(segments)
        if style.is_quote:
            markdown = "> " + markdown.replace("\n", "\n> ")
        return _Event("paragraph", markdown, plain)

    def _list_item(self, ppr, style: _ParagraphStyle) -> tuple[str, int] | None:
        num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
        num_id, ilvl = style.num_id, 0
        if num_pr is not None:
            num_id_element = num_pr.find(qn("w:numId"))
            if num_id_element is not None:
                num_id = num_id_element.get(_W_VAL)
            ilvl_element = num_pr.find(qn("w:ilvl"))
            if ilvl_element is not None:
                ilvl = _int(ilvl_element.get(_W_VAL), 0)
        if num_id == "0":  # numbering switched off on this paragraph
            return None
        kind = style.list_kind
        if kind is None:
            if num_id is None:
                return None
            number_format = self._number_formats.get((num_id, ilvl))
            if number_format == "none":
                return None  # numbered without a visible number: an ordinary paragraph
            kind = _BULLET if number_format in (None, "bullet") else _NUMBER
        level = style.list_level if style.list_level is not None else ilvl
        return kind, max(0, min(level, 8))

    def _table(self, tbl) -> _Event | None:
        rows = []
        for tr in _children(tbl, _W_TR):
            cells: list[tuple[str, str]] = []
            tr_pr = tr.find(qn("w:trPr"))
            before = tr_pr.find(qn("w:gridBefore")) if tr_pr is not None else None
            if before is not None:
                cells.extend([("", "")] * _int(before.get(_W_VAL), 0))
            for tc in _children(tr, _W_TC):
                tc_pr = tc.find(qn("w:tcPr"))
                span = tc_pr.find(qn("w:gridSpan")) if tc_pr is not None else None
                v_merge = tc_pr.find(qn("w:vMerge")) if tc_pr is not None else None
                if v_merge is not None and v_merge.get(_W_VAL) != "restart":
                    cell = ("", "")  # the text is in the merged cell above
                else:
                    cell = self._cell(tc, header=not rows)
                cells.append(cell)
                if span is not None:  # merged across columns: the others stay empty
                    cells.extend([("", "")] * (_int(span.get(_W_VAL), 1) - 1))
            rows.append(cells)
        rows = [row for row in rows if any(plain for _, plain in row)]
        if not rows:
            return None
        width = max(len(row) for row in rows)
        rows = [row + [("", "")] * (width - len(row)) for row in rows]
        lines = [_table_row([markdown for markdown, _ in rows[0]])]
        lines.append(_table_row(["---"] * width))
        lines.extend(_table_row([markdown for markdown, _ in row]) for row in rows[1:])
        plain = " ".join(plain for plain in (p for _, p in rows[0]) if plain)
        return _Event("table", "\n".join(lines), plain)

    def _cell(self, tc, *, header: bool) -> tuple[str, str]:
        # Every paragraph in the cell, nested tables included, on one line.
        segments: list[_Segment] = []
        for p in tc.iter(_W_P):
            if segments:
                segments.append(_Segment(" "))
            segments.extend(self._segments(p))
        if header and all(s.bold for s in segments if s.text.strip()):
            # A bold header row is how Word tables look; a Markdown header is bold already.
            for segment in segments:
                segment.bold = False
        return _inline_markdown(segments, in_cell=True), _plain(segments)

    # Inline content

    def _segments(self, p) -> list[_Segment]:
        segments: list[_Segment] = []
        self._collect(p, segments)
        return segments

    def _collect(self, element, segments: list[_Segment]) -> None:
        for child in element.iterchildren():
            if child.tag == _W_R:
                segment = self._run(child)
                if segment is not None:
                    segments.append(segment)
            elif child.tag == _W_HYPERLINK:
                inner: list[_Segment] = []
                self._collect(child, inner)
                url = self._hyperlink_url(child)
                text = "".join(s.text for s in inner)
                if url and text.strip():
                    shown = [s for s in inner if s.text.strip()]
                    segments.append(
                        _Segment(
                            text,
                            bold=all(s.bold for s in shown),
                            italic=all(s.italic for s in shown),
                            strike=all(s.strike for s in shown),
                            url=url,
                        )
                    )
                else:
                    segments.extend(inner)
            elif child.tag in _INLINE_WRAPPERS:
                self._collect(child, segments)

    def _run(self, r) -> _Segment | None:
        rpr = r.rPr
        if rpr is not None and _on_off(rpr.find(qn("w:vanish"))):
            return None  # hidden text
        text = r.text  # w:t, tabs, line breaks (not page breaks), no-break hyphens
        if not text:
            return None
        character = self._character_style(r.style)

        def mark(tag: str, from_style: bool | None) -> bool:
            direct = _on_off(rpr.find(qn(tag))) if rpr is not None else None
            return bool(from_style) if direct is None else direct

        return _Segment(
            text,
            bold=mark("w:b", character.bold),
            italic=mark("w:i", character.italic),
            strike=mark("w:strike", character.strike),
        )

    def _hyperlink_url(self, hyperlink) -> str | None:
        rel_id = hyperlink.get(qn("r:id"))
        if not rel_id:
            return None  # a link to a bookmark in the same document: keep the text only
        rel = self._part.rels.get(rel_id)
        if rel is None or not rel.is_external:
            return None
        url = rel.target_ref.strip()
        # Links to files on someone's disk or intranet share (file:) lead nowhere for others.
        return url if re.match(r"(?i)(https?|mailto):", url) else None

    # Styles

    def _chain(self, style_id: str | None) -> Iterator:
        seen = set()
        while style_id and style_id not in seen and style_id in self._styles:
            seen.add(style_id)
            style = self._styles[style_id]
            yield style
            based_on = style.find(qn("w:basedOn"))
            style_id = based_on.get(_W_VAL) if based_on is not None else None

    def _paragraph_style(self, style_id: str | None) -> _ParagraphStyle:
        if style_id not in self._paragraph_styles:
            self._paragraph_styles[style_id] = self._describe_paragraph_style(style_id)
        return self._paragraph_styles[style_id]

    def _describe_paragraph_style(self, style_id: str | None) -> _ParagraphStyle:
        chain = list(self._chain(style_id))
        if not chain:
            return _ParagraphStyle()
        own_names = _names(chain[0])
        if TITLE_PAGE_STYLE in own_names or any(_TOC_NAME.match(n) for n in own_names):
            return _ParagraphStyle(skip=True)
        heading_level, is_title = None, False
        for style in chain:
            names = _names(style)
            match = next((m for m in map(_HEADING_NAME.match, names) if m), None)
            if match:
                heading_level = int(match.group(1))
                break
            if any(_TITLE_NAME.match(name) for name in names):
                is_title = True
                break
            ppr = style.find(qn("w:pPr"))
            outline = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
            if outline is not None:  # 9 is "body text": explicitly not a heading
                level = _int(outline.get(_W_VAL), 9)
                heading_level = level + 1 if level < 9 else None
                break
        list_kind = list_level = num_id = None
        for style in chain:
            for name in _names(style):
                for kind, pattern in ((_BULLET, _BULLET_NAME), (_NUMBER, _NUMBER_NAME)):
                    match = pattern.match(name)
                    if match and list_kind is None:
                        list_kind = kind
                        list_level = int(match.group(1)) - 1 if match.group(1) else None
            if num_id is None:
                found = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
                if found is not None:
                    num_id = found.get(_W_VAL)
        is_quote = any(_QUOTE_NAME.match(name) for style in chain for name in _names(style))
        return _ParagraphStyle(
            heading_level=heading_level,
            is_title=is_title,
            is_quote=is_quote,
            list_kind=list_kind,
            list_level=list_level,
            num_id=num_id,
        )

    def _character_style(self, style_id: str | None) -> _CharacterStyle:
        if style_id not in self._character_styles:
            marks: dict[str, bool | None] = {"w:b": None, "w:i": None, "w:strike": None}
            for style in self._chain(style_id):
                rpr = style.find(qn("w:rPr"))
                for tag in marks:
                    if marks[tag] is None and rpr is not None:
                        marks[tag] = _on_off(rpr.find(qn(tag)))
            self._character_styles[style_id] = _CharacterStyle(
                marks["w:b"], marks["w:i"], marks["w:strike"]
            )
        return self._character_styles[style_id]

    @staticmethod
    def _read_numbering(document) -> dict[tuple[str, int], str]:
        """(numId, level) → number format ("bullet", "decimal", "none", …) from numbering.xml."""
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError):  # no numbering part: python-docx cannot add one
            return {}
        abstract: dict[str | None, dict[int, str]] = {}
        for definition in _children(numbering, qn("w:abstractNum")):
            levels = {}
            for lvl in _children(definition, qn("w:lvl")):
                fmt = lvl.find(qn("w:numFmt"))
                levels[_int(lvl.get(qn("w:ilvl")), 0)] = (
                    fmt.get(_W_VAL) if fmt is not None else "decimal"
                )
            abstract[definition.get(qn("w:abstractNumId"))] = levels
        formats = {}
        for num in _children(numbering, qn("w:num")):
            abstract_id = num.find(qn("w:abstractNumId"))
            levels = abstract.get(abstract_id.get(_W_VAL) if abstract_id is not None else None)
            for ilvl, fmt in (levels or {}).items():
                formats[(num.get(qn("w:numId")), ilvl)] = fmt
        return formats


def _children(element, tag: str) -> Iterator:
    """Direct children with `tag`, also those wrapped in content controls or custom XML."""
    for child in element.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag == _W_SDT:
            content = child.find(_W_SDT_CONTENT)
            if content is not None:
                yield from _children(content, tag)
        elif child.tag == _W_CUSTOM_XML:
            yield from _children(child, tag)


def _names(style) -> list[str]:
    name = style.find(qn("w:name"))
    names = [style.get(qn("w:styleId")) or ""]
    if name is not None:
        names.append(name.get(_W_VAL) or "")
    return [n.strip() for n in names if n and n.strip()]


def _on_off(element) -> bool | None:
    """Word's on/off properties: <w:b/> is on, <w:b w:val="0"/> is off, no element is unset."""
    if element is None:
        return None
    return element.get(_W_VAL, "true").lower() not in ("0", "false", "off", "none")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _plain(segments: list[_Segment]) -> str:
    return " ".join("".join(s.text for s in segments).split())


# Grouping events into blocks and sections


def _group(events: list[_Event]) -> tuple[str | None, list[_Block]]:
    """The title, and the blocks: headings, and content (a paragraph, a whole list, a table)."""
    title: str | None = None
    title_open = False  # a title over two Title paragraphs is one title
    blocks: list[_Block] = []
    items: list[_Event] = []

    def end_list() -> None:
        if items:
            plain = items[0].plain
            blocks.append(_Block("content", _list_markdown(items), plain))
            items.clear()

    for event in events:
        if event.kind == "title" and (title is None or title_open):
            title = event.plain if title is None else f"{title} {event.plain}"
            title_open = True
            continue
        title_open = False
        if event.kind == "item":
            if items and event.level == 0 and _top_kind(items) != event.list_kind:
                end_list()  # a bullet list after a numbered one (or back) is a new list
            items.append(event)
            continue
        end_list()
        if event.kind == "heading":
            blocks.append(_Block("heading", plain=event.plain, level=event.level))
        else:  # a paragraph, a table, or a later Title paragraph read as a paragraph
            markdown = event.markdown or _escape_lines(_escape_text(event.plain))
            blocks.append(_Block("content", markdown, event.plain))
    end_list()
    return title, blocks


def _top_kind(items: list[_Event]) -> str:
    return next((item.list_kind for item in reversed(items) if item.level == 0), items[0].list_kind)


def _sections_by_heading(blocks: list[_Block], *, top: int) -> list[ParsedSection]:
    """Headings of the levels `top` and `top + 1` start sections; deeper ones are subheadings."""
    sections: list[ParsedSection] = []
    heading: str | None = None
    parts: list[str] = []

    def flush() -> None:
        if heading is not None or parts:
            sections.append(
                ParsedSection(heading=heading or gettext("Introduction"), body="\n\n".join(parts))
            )

    for block in blocks:
        if block.kind == "heading" and block.level - top < 2:
            flush()
            heading, parts = block.plain, []
        elif block.kind == "heading":
            depth = min(6, block.level - top + 1)  # the first level below sections is ###
            parts.append(f"{'#' * depth} {_escape_heading(block.plain)}")
        else:
            parts.append(block.markdown)
    flush()
    return sections


def _heading_from_words(plain: str, words: int = 8) -> str:
    parts = plain.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


# Markdown writing


def _list_markdown(items: list[_Event]) -> str:
    """Consecutive list items as one Markdown list, nested by level.

    A nested item is indented to the text of its parent item ("- " is 2 wide, "1. " is 3), which
    is what CommonMark needs to see it as nested, also when bullets and numbers are mixed.
    """
    lines = []
    widths: list[int] = []  # marker widths of the open parent items, outermost first
    for item in items:
        level = min(item.level, len(widths))
        del widths[level:]
        indent = " " * sum(widths)
        marker = "- " if item.list_kind == _BULLET else "1. "
        widths.append(len(marker))
        continuation = "\n" + indent + " " * len(marker)
        lines.append(indent + marker + item.markdown.replace("\n", continuation))
    return "\n".join(lines)


def _table_row(cells: list[str]) -> str:
    return "| " + " | ".join(cell or " " for cell in cells) + " |"


def _inline_markdown(segments: list[_Segment], *, in_cell: bool = False) -> str:
    """Paragraph text as Markdown: emphasis kept, Markdown characters in the text escaped.

    Runs with the same formatting are merged first: Word splits text into many runs (spell
    check, revisions), and "**a****b**" is not what anyone wrote. Spaces at the edges of a
    bold or italic stretch are moved outside, since "** a**" is not emphasis in Markdown.
    """
    cleaned: list[_Segment] = []
    for segment in segments:
        text = segment.text.replace("\t", " ").replace("\r", "\n")
        if in_cell:
            text = text.replace("\n", " ")
        if text:
            cleaned.append(_Segment(text, *segment.marks, url=segment.url))
    for index, segment in enumerate(cleaned):
        # A space between two bold words is bold too, whatever Word says.
        if segment.url is None and not segment.text.strip():
            before = cleaned[index - 1].marks if index > 0 else None
            after = cleaned[index + 1].marks if index + 1 < len(cleaned) else None
            segment.bold, segment.italic, segment.strike = (
                before if before == after and before is not None else (False, False, False)
            )
    merged: list[_Segment] = []
    for segment in cleaned:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.url is None
            and segment.url is None
            and previous.marks == segment.marks
        ):
            previous.text += segment.text
        else:
            merged.append(segment)
    text = _render_marks(merged, 0, in_cell)
    text = re.sub(r" {2,}", " ", text)
    if in_cell:
        return text.strip()
    lines = [line.strip() for line in text.split("\n")]
    # A line break in Word is a hard line break (backslash at the end of the line) in Markdown.
    return "\\\n".join(_escape_line_start(line) for line in lines if line)


_MARK_DELIMITERS = ("**", "*", "~~")


def _render_marks(segments: list[_Segment], depth: int, in_cell: bool) -> str:
    """Nest the marks: bold stretches first, italic inside them, strikethrough inside that."""
    if depth == len(_MARK_DELIMITERS):
        return "".join(_render_segment(segment, in_cell) for segment in segments)
    out = []
    index = 0
    while index < len(segments):
        on = segments[index].marks[depth]
        end = index
        while end < len(segments) and segments[end].marks[depth] == on:
            end += 1
        inner = _render_marks(segments[index:end], depth + 1, in_cell)
        out.append(_wrap(inner, _MARK_DELIMITERS[depth]) if on else inner)
        index = end
    return "".join(out)


def _wrap(text: str, delimiter: str) -> str:
    core = text.strip()
    if not core:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{delimiter}{core}{delimiter}{trail}"


def _render_segment(segment: _Segment, in_cell: bool) -> str:
    text = _escape_text(segment.text, in_cell=in_cell)
    if segment.url is None:
        return text
    core = text.strip()
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    label = core.replace("[", "\\[").replace("]", "\\]")
    url = re.sub(r"[\s()<>]", lambda m: f"%{ord(m.group()):02X}", segment.url.strip())
    return f"{lead}[{label}]({url}){trail}"


def _escape_text(text: str, *, in_cell: bool = False) -> str:
    """Escape what would turn plain text into Markdown anywhere in a line.

    Backslashes, * and _ (emphasis), ` (code), ~~ (strikethrough), < before a letter (HTML or
    autolink), and | in table cells. Everything else is left as written, so the text stays
    readable in the editor.
    """
    text = re.sub(r"([\\*_`])", r"\\\1", text)
    text = text.replace("~~", "\\~\\~")
    text = re.sub(r"<(?=[A-Za-z/!?])", r"\\<", text)
    if in_cell:
        text = text.replace("|", "\\|")
    return text


_NUMBERED_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_BLOCK_START = re.compile(r"^(?:#{1,6}(?:\s|$)|[-+](?:\s|$)|--|~~~|[>=\[])")


def _escape_line_start(line: str) -> str:
    """Escape what would start a heading, list, quote, rule or setext underline at a line start."""
    if _NUMBERED_START.match(line):
        return _NUMBERED_START.sub(r"\1\\\2", line, count=1)
    if _BLOCK_START.match(line):
        return "\\" + line
    return line


def _escape_lines(text: str) -> str:
    return "\n".join(_escape_line_start(line) for line in text.split("\n"))


def _escape_heading(text: str) -> str:
    text = _escape_text(text)
    return text[:-1] + "\\#" if text.endswith("#") else text  # "C#" is no closing sequence


# --- Export ----------------------------------------------------------------------------------

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
) -> bytes:
    """A Word file of one version: a title page, then each section (Heading 1 and its body).

    The title page labels are in the active language (the caller activates the reader's).
    `language` is the language of the text itself: Word uses it for spelling and hyphenation.
    Pass a local date: a datetime is shown as its date, without converting time zones.
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
    )
    writer = _WordWriter(document)
    for index, (heading, body) in enumerate(sections):
        paragraph = writer.paragraph("Heading 1", heading)
        if index == 0:
            paragraph.paragraph_format.page_break_before = True  # after the title page
        writer.write(body)
    _set_properties(document, title, version_label, version_number, day, content_hash)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _write_title_page(document, *, title, version_label, version_number, day, content_hash):
    style = document.styles.add_style(TITLE_PAGE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.size = Pt(12)

    document.add_paragraph(title, style="Title")

    def line(text: str, size: float | None = None, bold: bool = False) -> None:
        run = document.add_paragraph(style=TITLE_PAGE_STYLE).add_run(text)
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)

    if version_label:
        line(version_label, size=16, bold=True)
    line(gettext("Version %(number)s") % {"number": version_number})
    line(f"{gettext('Date')}: {day.isoformat()}")
    digest = content_hash.strip().lower()
    grouped = " ".join(digest[i : i + 4] for i in range(0, min(16, len(digest)), 4))
    line(f"{gettext('Checksum (SHA-256)')}: {grouped} …")
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


def _write_inline(paragraph, children, *, bold: bool = False) -> None:
    """Runs for markdown-it's inline tokens: bold, italic, strikethrough; links as "text (url)"."""
    strong = em = strike = 0
    links: list[tuple[str, int]] = []  # (href, length of the text before the link)
    written: list[str] = []

    def add(text: str) -> None:
        if not text:
            return
        run = paragraph.add_run(text)
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
            paragraph.add_run().add_break()
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
            links.append((str(child.attrGet("href") or ""), len("".join(written))))
        elif kind == "link_close" and links:
            href, before = links.pop()
            text = "".join(written)[before:]
            shown = href.removeprefix("mailto:")
            if href and text.strip() != shown:
                saved = (strong, em, strike)
                strong = em = strike = 0
                add(f" ({href})")
                strong, em, strike = saved
