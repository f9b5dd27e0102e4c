"""One element of a Word body (a paragraph or a table) read as an _Event of Markdown.

Styles are followed through their base styles, list numbering is looked up in numbering.xml,
and runs become _Segments with their bold, italic and strikethrough.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from docx.oxml.ns import qn

from documents.docx_io.markdown_text import _inline_markdown, _Segment, _table_row
from documents.docx_io.styles import TITLE_PAGE_STYLE

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
class _Event:
    kind: str  # "title", "heading", "paragraph", "item", "table"
    markdown: str = ""
    plain: str = ""
    level: int = 0
    list_kind: str = _BULLET


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
