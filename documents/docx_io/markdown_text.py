"""Text read from Word as Markdown: emphasis and links kept, Markdown characters escaped."""

import re
from dataclasses import dataclass


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
_BLOCK_START = re.compile(r"^(?:#{1,6}(?:\s|$)|[-+](?:\s|$)|--|~~~|[>=])")
# "[label]: address" at a line start is a link reference definition, which Markdown hides. A link
# ("[label](address)", as _render_segment writes a Word hyperlink) is not, and must stay a link.
_LINK_DEFINITION = re.compile(r"^\[(?:\\.|[^\\\]])*\]:")


def _escape_line_start(line: str) -> str:
    """Escape what would start a heading, list, quote, rule, setext underline or link reference
    definition at a line start."""
    if _NUMBERED_START.match(line):
        return _NUMBERED_START.sub(r"\1\\\2", line, count=1)
    if _BLOCK_START.match(line) or _LINK_DEFINITION.match(line):
        return "\\" + line
    return line


def _escape_lines(text: str) -> str:
    return "\n".join(_escape_line_start(line) for line in text.split("\n"))


def _escape_heading(text: str) -> str:
    text = _escape_text(text)
    return text[:-1] + "\\#" if text.endswith("#") else text  # "C#" is no closing sequence
