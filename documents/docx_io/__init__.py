"""Word (.docx) import and export: sections (heading + Markdown body) to and from Word.

Import (`parse_docx`) reads the Word file an official already has. Headings of the two top-most
levels used (normally Heading 1 and Heading 2) start sections; deeper headings become `###` /
`####` subheadings in the body. Paragraphs keep bold, italic and strikethrough, lists become
Markdown lists, tables become GFM tables, hyperlinks (http, https, mailto) Markdown links. A file
without headings gives one section per block, and `had_headings` is False so the page can say so.

Export (`build_docx`) writes an immutable version: a title page (title, version label, number,
date, checksum, and for an adopted version the date and signatories), then each section as
Heading 1 with its body converted from Markdown; web and e-mail links stay hyperlinks. The title
page uses its own paragraph style, which import skips: a downloaded version, edited in Word and
uploaded again, does not grow a section made of the old title page.

No models here: bytes in, dataclasses out, and the other way round.
"""

from documents.docx_io.errors import (
    MAX_BYTES,
    CorruptDocx,
    DocxError,
    EmptyDocx,
    NotADocx,
    PasswordProtected,
    TooLarge,
)
from documents.docx_io.reading import (
    MAX_UNPACKED_BYTES,
    PROGRESS_EVERY,
    ParsedDocument,
    ParsedSection,
    parse_docx,
)
from documents.docx_io.styles import TITLE_PAGE_STYLE
from documents.docx_io.writing import build_docx

__all__ = [
    "MAX_BYTES",
    "MAX_UNPACKED_BYTES",
    "PROGRESS_EVERY",
    "TITLE_PAGE_STYLE",
    "CorruptDocx",
    "DocxError",
    "EmptyDocx",
    "NotADocx",
    "ParsedDocument",
    "ParsedSection",
    "PasswordProtected",
    "TooLarge",
    "build_docx",
    "parse_docx",
]
