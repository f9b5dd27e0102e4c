"""Import: `parse_docx` checks a .docx and reads it into sections of Markdown."""

import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import docx
from django.utils.translation import gettext
from docx.document import Document as WordDocument
from docx.oxml.ns import qn

from documents.docx_io.elements import (
    _BULLET,
    _W_CUSTOM_XML,
    _W_P,
    _W_SDT,
    _W_SDT_CONTENT,
    _W_TBL,
    _Event,
    _Reader,
)
from documents.docx_io.errors import (
    MAX_BYTES,
    CorruptDocx,
    EmptyDocx,
    NotADocx,
    PasswordProtected,
    TooLarge,
)
from documents.docx_io.markdown_text import _escape_heading, _escape_lines, _escape_text

# A .docx is a ZIP; python-docx holds every unpacked part in memory. Real files stay far below
# this (pictures are already compressed); a file above it is a ZIP bomb, not a strategy.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
PROGRESS_EVERY = 50

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .doc, and also a password-protected .docx
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


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


@dataclass
class _Block:
    kind: str  # "heading" or "content"
    markdown: str = ""
    plain: str = ""
    level: int = 0


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
