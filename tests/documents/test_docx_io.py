"""Word import and export: what an official's .docx becomes, and what a version looks like in Word.

Input files are built with python-docx here, the way Word writes them (styles, numbering, runs).
No database: bytes in, sections out, and back.
"""

import datetime
import io
import re
import zipfile

import docx
import pytest
from django.utils import timezone, translation
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from markdown_it import MarkdownIt

from documents.adoption import Adoption, Signatory
from documents.docx_io import (
    MAX_BYTES,
    PROGRESS_EVERY,
    CorruptDocx,
    DocxError,
    EmptyDocx,
    NotADocx,
    PasswordProtected,
    TooLarge,
    build_docx,
    parse_docx,
)
from tests.documents.docx_factory import (
    STRATEGY_HEADINGS,
    STRATEGY_TITLE,
    add_hyperlink,
    make_strategy_docx,
)

HASH = "3f2a9b1c0d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c"
_md = MarkdownIt("commonmark").enable(["table", "strikethrough"])


@pytest.fixture(autouse=True)
def english():
    """The words this module adds ("Introduction", "Date") are checked in English."""
    with translation.override("en"):
        yield


def save(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def html(markdown: str) -> str:
    """Rendered Markdown with whitespace normalised: two bodies are equivalent if these match."""
    rendered = _md.render(markdown)
    rendered = re.sub(r'<ol start="1">', "<ol>", rendered)
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", rendered)).strip()


def bodies(parsed) -> dict[str, str]:
    return {section.heading: section.body for section in parsed.sections}


def set_numbering(paragraph, num_id: int, level: int = 0) -> None:
    """Word's own way of making a list: numbering properties on the paragraph."""
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


# python-docx's template: numId 1 is a bullet list, numId 5 a decimal (1. 2. 3.) list.
BULLETS, NUMBERS = 1, 5


# --- Headings and sections -------------------------------------------------------------------


def test_heading_1_and_2_start_sections_and_heading_3_becomes_a_subheading():
    document = docx.Document()
    document.add_heading("Inledning", level=1)
    document.add_paragraph("Bakgrund.")
    document.add_heading("Syfte", level=2)
    document.add_paragraph("Syftet är tydligt.")
    document.add_heading("Avgränsningar", level=3)
    document.add_paragraph("Gäller länet.")
    document.add_heading("Detaljer", level=4)
    document.add_paragraph("Mer.")
    document.add_heading("Målområden", level=1)
    document.add_paragraph("Tre mål.")

    parsed = parse_docx(save(document))

    assert parsed.had_headings is True
    assert [s.heading for s in parsed.sections] == ["Inledning", "Syfte", "Målområden"]
    assert parsed.sections[0].body == "Bakgrund."
    assert parsed.sections[1].body == (
        "Syftet är tydligt.\n\n### Avgränsningar\n\nGäller länet.\n\n#### Detaljer\n\nMer."
    )
    assert parsed.sections[2].body == "Tre mål."


def test_swedish_style_names_and_outline_levels_count_as_headings():
    document = docx.Document()
    for name in ("Rubrik 1", "Rubrik 2"):
        document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Inledning", style="Rubrik 1")
    document.add_paragraph("Text ett.")
    document.add_paragraph("Syfte", style="Rubrik 2")
    document.add_paragraph("Text två.")
    # A Normal paragraph made a heading with "Outline level: Level 1" in Word's paragraph dialog.
    outlined = document.add_paragraph("Uppföljning")
    outlined._p.get_or_add_pPr().get_or_add_outlineLvl().val = 0
    document.add_paragraph("Text tre.")

    parsed = parse_docx(save(document))

    assert bodies(parsed) == {
        "Inledning": "Text ett.",
        "Syfte": "Text två.",
        "Uppföljning": "Text tre.",
    }


def test_a_document_starting_at_heading_2_splits_at_its_two_top_levels():
    document = docx.Document()
    document.add_heading("Del A", level=2)
    document.add_paragraph("A.")
    document.add_heading("Del A.1", level=3)
    document.add_paragraph("A1.")
    document.add_heading("Detalj", level=4)
    document.add_paragraph("D.")

    parsed = parse_docx(save(document))

    assert bodies(parsed) == {"Del A": "A.", "Del A.1": "A1.\n\n### Detalj\n\nD."}


def test_text_before_the_first_heading_becomes_an_introduction_section():
    document = docx.Document()
    document.add_paragraph("Fastställd av styrgruppen den 1 september 2022.")
    document.add_heading("Bakgrund", level=1)
    document.add_paragraph("Text.")

    parsed = parse_docx(save(document))

    assert [s.heading for s in parsed.sections] == ["Introduction", "Bakgrund"]
    assert parsed.sections[0].body == "Fastställd av styrgruppen den 1 september 2022."


def test_the_title_style_gives_the_title_and_no_section():
    document = docx.Document()
    document.add_paragraph("Regional strategi för", style="Title")
    document.add_paragraph("föräldraskapsstöd", style="Title")  # a title over two lines
    document.add_heading("Inledning", level=1)
    document.add_paragraph("Text.")

    parsed = parse_docx(save(document))

    assert parsed.title == "Regional strategi för föräldraskapsstöd"
    assert bodies(parsed) == {"Inledning": "Text."}


def test_without_headings_each_block_becomes_a_section_named_by_its_first_words():
    document = docx.Document()
    document.add_paragraph("Regional strategi", style="Title")
    document.add_paragraph(
        "Föräldraskapsstöd är en del av det förebyggande arbetet för barns hälsa."
    )
    document.add_paragraph("Kort stycke.")
    document.add_paragraph("Första punkten", style="List Bullet")
    document.add_paragraph("Andra punkten", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for cell, text in zip(table._cells, ["Aktör", "Ansvar", "Kommunen", "Stöd"], strict=True):
        cell.text = text

    parsed = parse_docx(save(document))

    assert parsed.had_headings is False
    assert parsed.title == "Regional strategi"
    assert [s.heading for s in parsed.sections] == [
        "Föräldraskapsstöd är en del av det förebyggande arbetet…",
        "Kort stycke.",
        "Första punkten",
        "Aktör Ansvar",
    ]
    assert parsed.sections[2].body == "- Första punkten\n- Andra punkten"
    assert parsed.sections[3].body.startswith("| Aktör | Ansvar |")


def test_a_table_of_contents_is_left_out():
    document = docx.Document()
    document.styles.add_style("TOC 1", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Inledning\t3", style="TOC 1")
    document.add_heading("Inledning", level=1)
    document.add_paragraph("Text.")

    parsed = parse_docx(save(document))

    assert bodies(parsed) == {"Inledning": "Text."}


# --- Paragraph content -----------------------------------------------------------------------


def test_bold_and_italic_are_kept_and_runs_with_the_same_formatting_merged():
    document = docx.Document()
    document.add_heading("Mål", level=1)
    paragraph = document.add_paragraph("Arbetet ska vara ")
    paragraph.add_run("kunskaps").bold = True
    paragraph.add_run("baserat").bold = True  # Word often splits a word into runs
    paragraph.add_run(" och ")
    paragraph.add_run("långsiktigt ").italic = True  # the space goes outside the emphasis
    paragraph.add_run("och ")
    both = paragraph.add_run("viktigt")
    both.bold = both.italic = True
    paragraph.add_run(".")

    parsed = parse_docx(save(document))

    assert parsed.sections[0].body == (
        "Arbetet ska vara **kunskapsbaserat** och *långsiktigt* och ***viktigt***."
    )


def test_text_that_looks_like_markdown_stays_text():
    document = docx.Document()
    document.add_heading("Tecken", level=1)
    for text in (
        "1. Inte en lista",
        "- inte en punkt",
        "# inte en rubrik",
        "> inte ett citat",
        "*stjärnor* och _understreck_ i C:\\mapp",
        "[1]: https://www.example.org",
    ):
        document.add_paragraph(text)

    body = parse_docx(save(document)).sections[0].body

    rendered = _md.render(body)
    assert not re.search(r"<(ol|ul|h\d|blockquote|em|strong)>", rendered)
    for text in (
        "1. Inte en lista",
        "- inte en punkt",
        "# inte en rubrik",
        "C:\\mapp",
        "[1]: https://www.example.org",  # a link reference definition would vanish
    ):
        assert text in rendered.replace("&gt;", ">")


def test_a_line_break_in_word_is_a_line_break_in_markdown():
    document = docx.Document()
    document.add_heading("Kontakt", level=1)
    paragraph = document.add_paragraph("Region Örebro län")
    paragraph.add_run().add_break()
    paragraph.add_run("- Box 1613")

    body = parse_docx(save(document)).sections[0].body

    assert body == "Region Örebro län\\\n\\- Box 1613"
    assert _md.render(body) == "<p>Region Örebro län<br />\n- Box 1613</p>\n"


def test_tracked_changes_read_as_accepted_and_hidden_text_is_left_out():
    document = docx.Document()
    document.add_heading("Ändringar", level=1)
    paragraph = document.add_paragraph("Stödet ska vara ")
    for tag, text_tag, text in (("w:del", "w:delText", "gratis"), ("w:ins", "w:t", "avgiftsfritt")):
        change = OxmlElement(tag)
        change.set(qn("w:id"), "1")
        change.set(qn("w:author"), "Handläggare")
        run = OxmlElement("w:r")
        text_element = OxmlElement(text_tag)
        text_element.text = text
        run.append(text_element)
        change.append(run)
        paragraph._p.append(change)
    paragraph.add_run(" för alla").font.hidden = True
    paragraph.add_run(".")

    body = parse_docx(save(document)).sections[0].body

    assert body == "Stödet ska vara avgiftsfritt."


def test_the_strong_and_emphasis_character_styles_count_as_bold_and_italic():
    document = docx.Document()
    document.add_heading("Stilar", level=1)
    paragraph = document.add_paragraph()
    paragraph.add_run("Viktigt", style="Strong")
    paragraph.add_run(" och ")
    paragraph.add_run("betonat", style="Emphasis")

    body = parse_docx(save(document)).sections[0].body

    assert body == "**Viktigt** och *betonat*"


def test_a_table_of_contents_content_control_is_left_out():
    document = docx.Document()
    sdt = OxmlElement("w:sdt")
    properties = OxmlElement("w:sdtPr")
    part = OxmlElement("w:docPartObj")
    gallery = OxmlElement("w:docPartGallery")
    gallery.set(qn("w:val"), "Table of Contents")
    part.append(gallery)
    properties.append(part)
    sdt.append(properties)
    content = OxmlElement("w:sdtContent")
    entry = document.add_paragraph("Inledning 3")._p
    content.append(entry)  # moves the paragraph into the content control
    sdt.append(content)
    document.element.body.insert(0, sdt)
    document.add_heading("Inledning", level=1)
    document.add_paragraph("Text.")

    parsed = parse_docx(save(document))

    assert bodies(parsed) == {"Inledning": "Text."}
    assert parsed.blocks == 2


def test_a_hyperlink_becomes_a_markdown_link():
    document = docx.Document()
    document.add_heading("Källor", level=1)
    paragraph = document.add_paragraph("Se ")
    rel_id = document.part.relate_to(
        "https://www.socialstyrelsen.se", RT.HYPERLINK, is_external=True
    )
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "Socialstyrelsen"
    run.append(text)
    hyperlink.append(run)
    paragraph._p.append(hyperlink)
    paragraph.add_run(".")

    body = parse_docx(save(document)).sections[0].body

    assert body == "Se [Socialstyrelsen](https://www.socialstyrelsen.se)."


def test_a_hyperlink_at_the_start_of_a_paragraph_or_line_is_a_link_not_escaped_text():
    document = docx.Document()
    document.add_heading("Källor", level=1)
    paragraph = document.add_paragraph()
    add_hyperlink(paragraph, "https://www.example.org/stod", "extern länk")
    paragraph.add_run(" om stödet.")
    paragraph.add_run().add_break()
    add_hyperlink(paragraph, "mailto:stod@example.org", "Skriv till oss")

    body = parse_docx(save(document)).sections[0].body

    assert body == (
        "[extern länk](https://www.example.org/stod) om stödet.\\\n"
        "[Skriv till oss](mailto:stod@example.org)"
    )
    rendered = _md.render(body)
    assert '<a href="https://www.example.org/stod">extern länk</a>' in rendered
    assert '<a href="mailto:stod@example.org">Skriv till oss</a>' in rendered


def test_bullet_and_numbered_list_styles_become_markdown_lists():
    document = docx.Document()
    document.add_heading("Insatser", level=1)
    document.add_paragraph("Vi ska:")
    document.add_paragraph("kartlägga stödet", style="List Bullet")
    document.add_paragraph("utbilda personal", style="List Bullet")
    document.add_paragraph("i kommunerna", style="List Bullet 2")
    document.add_paragraph("Ordning:")
    document.add_paragraph("Planera", style="List Number")
    document.add_paragraph("Genomföra", style="List Number")

    body = parse_docx(save(document)).sections[0].body

    assert body == (
        "Vi ska:\n\n"
        "- kartlägga stödet\n- utbilda personal\n  - i kommunerna\n\n"
        "Ordning:\n\n"
        "1. Planera\n1. Genomföra"
    )


def test_numbering_on_the_paragraph_is_read_from_the_list_definition():
    document = docx.Document()
    document.add_heading("Steg", level=1)
    for text, num_id, level in (
        ("Förbered", NUMBERS, 0),
        ("boka lokal", BULLETS, 1),
        ("bjud in", BULLETS, 1),
        ("Genomför", NUMBERS, 0),
    ):
        set_numbering(document.add_paragraph(text, style="List Paragraph"), num_id, level)

    body = parse_docx(save(document)).sections[0].body

    # Nested items are indented to their parent's text: 3 spaces under "1. ".
    assert body == "1. Förbered\n   - boka lokal\n   - bjud in\n1. Genomför"
    assert "<ol>\n<li>Förbered\n<ul>" in _md.render(body)


def test_a_table_becomes_a_markdown_table_with_its_cells():
    document = docx.Document()
    document.add_heading("Ansvar", level=1)
    table = document.add_table(rows=3, cols=2)
    texts = ["Aktör", "Ansvar", "Kommunerna", "Erbjuder stöd", "Regionen", "Samordnar | följer upp"]
    for cell, text in zip(table._cells, texts, strict=True):
        cell.text = text
    for cell in table.rows[0].cells:  # a bold header row, as in most Word tables
        cell.paragraphs[0].runs[0].bold = True
    table.cell(2, 1).add_paragraph("varje år")  # a second paragraph in a cell

    body = parse_docx(save(document)).sections[0].body

    assert body == (
        "| Aktör | Ansvar |\n"
        "| --- | --- |\n"
        "| Kommunerna | Erbjuder stöd |\n"
        "| Regionen | Samordnar \\| följer upp varje år |"
    )
    assert "<td>Samordnar | följer upp varje år</td>" in _md.render(body)


def test_merged_table_cells_keep_the_columns_in_place():
    document = docx.Document()
    document.add_heading("Tabell", level=1)
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table._cells, ["A", "B", "C", "1", "2", "3"], strict=True):
        cell.text = text
    table.cell(0, 0).merge(table.cell(0, 1))  # keeps "A" and "B" as two paragraphs

    body = parse_docx(save(document)).sections[0].body

    assert body.split("\n")[0] == "| A B |   | C |"
    assert body.split("\n")[2] == "| 1 | 2 | 3 |"


# --- Progress ---------------------------------------------------------------------------------


def test_progress_is_reported_with_increasing_counts_up_to_the_total():
    document = docx.Document()
    for number in range(120):
        if number % 10 == 0:
            document.add_heading(f"Avsnitt {number // 10 + 1}", level=1)
        else:
            document.add_paragraph(f"Stycke {number}.")
    calls = []

    parsed = parse_docx(save(document), progress=lambda done, total: calls.append((done, total)))

    assert parsed.blocks == 120
    assert calls == [(50, 120), (100, 120), (120, 120)]


def test_progress_ends_once_at_the_total_when_it_falls_on_a_step():
    document = docx.Document()
    document.add_heading("Avsnitt", level=1)
    for number in range(2 * PROGRESS_EVERY - 1):
        document.add_paragraph(f"Stycke {number}.")
    calls = []

    parse_docx(save(document), progress=lambda done, total: calls.append((done, total)))

    assert calls == [(50, 100), (100, 100)]


# --- Refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"Regional strategi\n" * 100, id="plain text"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\0" * 200, id="png"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500, id="old .doc"),
        pytest.param(b"", id="empty file"),
    ],
)
def test_a_file_that_is_not_a_docx_is_refused(data):
    with pytest.raises(NotADocx) as caught:
        parse_docx(data)

    assert ".docx" in str(caught.value.message)
    assert ".doc files" in str(caught.value.message)  # the hint for the old Word format


def test_a_password_protected_word_file_is_refused_with_its_own_message():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le")

    with pytest.raises(PasswordProtected) as caught:
        parse_docx(ole)

    assert "password" in str(caught.value.message)


def test_a_zip_that_is_not_a_word_document_is_refused_as_not_a_docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")  # an Excel file

    with pytest.raises(NotADocx):
        parse_docx(buffer.getvalue())


def test_a_truncated_docx_is_refused_as_corrupt():
    # It has the ZIP signature of a .docx, so "save it again in Word" is the advice that helps.
    data = make_strategy_docx()

    with pytest.raises(CorruptDocx) as caught:
        parse_docx(data[: len(data) // 2])

    assert "damaged" in str(caught.value.message)


def test_a_docx_with_broken_xml_is_refused_as_corrupt():
    source = zipfile.ZipFile(io.BytesIO(make_strategy_docx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/document.xml":
                content = content[: len(content) // 2]
            archive.writestr(info, content)

    with pytest.raises(CorruptDocx):
        parse_docx(buffer.getvalue())


def test_a_file_over_20_mb_is_refused_before_anything_is_read():
    # Not a docx either: were the size not checked first, this would be NotADocx.
    with pytest.raises(TooLarge) as caught:
        parse_docx(b"x" * (MAX_BYTES + 1))

    assert "20 MB" in str(caught.value.message)
    assert MAX_BYTES == 20 * 1024 * 1024


def test_a_file_of_exactly_20_mb_is_not_too_large():
    with pytest.raises(NotADocx):
        parse_docx(b"x" * MAX_BYTES)


@pytest.mark.parametrize("with_title", [False, True])
def test_a_word_file_without_text_is_refused(with_title):
    document = docx.Document()
    document.add_paragraph("")
    document.add_paragraph("   ")
    if with_title:
        document.add_paragraph("Bara en titel", style="Title")

    with pytest.raises(EmptyDocx):
        parse_docx(save(document))


def test_every_refusal_is_a_docx_error_with_a_message():
    for error in (NotADocx(), CorruptDocx(), TooLarge(), EmptyDocx(), PasswordProtected()):
        assert isinstance(error, DocxError)
        assert str(error.message).endswith(".")


# --- The realistic strategy --------------------------------------------------------------------


def test_the_strategy_file_imports_as_its_sections():
    parsed = parse_docx(make_strategy_docx())

    assert parsed.title == STRATEGY_TITLE
    assert [s.heading for s in parsed.sections] == STRATEGY_HEADINGS
    sections = bodies(parsed)
    assert "*nationella strategin för föräldraskapsstöd*" in sections["Inledning"]
    assert "**bästa tillgängliga kunskap**" in sections[STRATEGY_HEADINGS[1]]
    assert (
        "- använder metoder med vetenskapligt stöd\n- följer upp" in sections[STRATEGY_HEADINGS[1]]
    )
    assert "1. Stödet erbjuds" in sections[STRATEGY_HEADINGS[2]]
    assert "| Kommunerna | Erbjuder föräldraskapsstöd |" in sections[STRATEGY_HEADINGS[3]]


def test_the_strategy_file_can_be_written_to_a_path(tmp_path):
    path = tmp_path / "strategi.docx"

    data = make_strategy_docx(path)

    assert path.read_bytes() == data


# --- Export ------------------------------------------------------------------------------------

SECTIONS = [
    (
        "Inledning",
        "Strategin gäller **hela länet** och *alla* kommuner, ***utan undantag***.\n\n"
        "Den ska:\n\n"
        "- stärka föräldrar\n"
        "- samordna stödet\n"
        "  - mellan kommuner\n"
        "  - med regionen\n\n"
        "1. Kartlägga\n"
        "2. Planera\n"
        "   - med föräldrar\n"
        "3. Följa upp",
    ),
    (
        "Målområde 1 – Ett kunskapsbaserat arbetssätt",
        "Ansvaret fördelas så här:\n\n"
        "| Aktör | Ansvar |\n"
        "| --- | --- |\n"
        "| Kommunerna | Erbjuder **stöd** |\n"
        "| Regionen | Samordnar |\n\n"
        "### Uppföljning\n\n"
        "> Det som mäts blir gjort.\n\n"
        "Region Örebro län\\\nBox 1613\n\n"
        "~~Struken mening.~~",
    ),
]


def export(**overrides) -> bytes:
    arguments = {
        "title": "Regional strategi för föräldraskapsstöd Örebro län",
        "version_label": "Remissversion augusti 2022",
        "version_number": 2,
        "date": datetime.date(2022, 8, 15),
        "content_hash": HASH,
        "sections": SECTIONS,
    }
    return build_docx(**(arguments | overrides))


def test_the_title_page_shows_title_version_date_and_checksum():
    document = docx.Document(io.BytesIO(export()))

    first_heading = next(
        i for i, p in enumerate(document.paragraphs) if p.style.name == "Heading 1"
    )
    title_page = document.paragraphs[:first_heading]
    texts = [p.text for p in title_page]
    assert title_page[0].style.name == "Title"
    assert texts[0] == "Regional strategi för föräldraskapsstöd Örebro län"
    assert "Remissversion augusti 2022" in texts
    assert "Version 2" in texts
    assert "Date: 2022-08-15" in texts
    assert "Checksum (SHA-256): 3f2a 9b1c 0d4e 5f6a …" in texts
    assert HASH in texts
    assert document.paragraphs[first_heading].paragraph_format.page_break_before is True
    assert document.core_properties.title == "Regional strategi för föräldraskapsstöd Örebro län"
    assert document.core_properties.author == ""  # not python-docx's "python-docx"
    assert document.core_properties.language == "sv-SE"  # the text is Swedish: spell check


def test_a_datetime_is_shown_as_its_date():
    local = datetime.datetime(2022, 8, 15, 14, 30, tzinfo=timezone.get_current_timezone())
    document = docx.Document(io.BytesIO(export(date=local)))

    assert "Date: 2022-08-15" in [p.text for p in document.paragraphs]


def test_sections_lists_and_tables_are_written_with_word_styles():
    document = docx.Document(io.BytesIO(export()))
    styles = {p.text: p.style.name for p in document.paragraphs}

    assert styles["Inledning"] == "Heading 1"
    assert styles["Målområde 1 – Ett kunskapsbaserat arbetssätt"] == "Heading 1"
    assert styles["stärka föräldrar"] == "List Bullet"
    assert styles["mellan kommuner"] == "List Bullet 2"
    assert styles["Kartlägga"] == "List Number"
    assert styles["Uppföljning"] == "Heading 3"  # Heading 2 would start a section on import
    assert styles["Det som mäts blir gjort."] == "Quote"
    emphasis = next(p for p in document.paragraphs if p.text.startswith("Strategin gäller"))
    assert [(r.text, bool(r.bold), bool(r.italic)) for r in emphasis.runs] == [
        ("Strategin gäller ", False, False),
        ("hela länet", True, False),
        (" och ", False, False),
        ("alla", False, True),
        (" kommuner, ", False, False),
        ("utan undantag", True, True),
        (".", False, False),
    ]
    [table] = document.tables
    assert table.style.name == "Table Grid"
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Aktör", "Ansvar"],
        ["Kommunerna", "Erbjuder stöd"],
        ["Regionen", "Samordnar"],
    ]
    assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)


def test_web_and_mail_links_are_written_as_word_hyperlinks():
    data = export(
        sections=[
            (
                "Källor",
                "Se [Socialstyrelsen](https://www.socialstyrelsen.se) eller "
                "[skriv till oss](mailto:stod@example.org).\n\n"
                "[Extern länk](https://www.example.org/stod) först i stycket.",
            )
        ]
    )
    document = docx.Document(io.BytesIO(data))
    paragraphs = {p.text: p for p in document.paragraphs}

    first = paragraphs["Se Socialstyrelsen eller skriv till oss."]
    assert [(h.text, h.address) for h in first.hyperlinks] == [
        ("Socialstyrelsen", "https://www.socialstyrelsen.se"),
        ("skriv till oss", "mailto:stod@example.org"),
    ]
    assert first.hyperlinks[0].runs[0].style.name == "Hyperlink"  # blue and underlined in Word
    second = paragraphs["Extern länk först i stycket."]
    assert [(h.text, h.address) for h in second.hyperlinks] == [
        ("Extern länk", "https://www.example.org/stod")
    ]


def test_other_links_are_written_as_text_and_address():
    data = export(sections=[("Källor", "Se [utkastet](/documents/1/) och [x](javascript:y).")])
    document = docx.Document(io.BytesIO(data))

    [paragraph] = [p for p in document.paragraphs if p.text.startswith("Se ")]
    # markdown-it makes no link of javascript: at all, so that stays the text it was.
    assert paragraph.text == "Se utkastet (/documents/1/) och [x](javascript:y)."
    assert paragraph.hyperlinks == []


def test_a_link_survives_import_export_and_import_again():
    word = docx.Document()
    word.add_heading("Källor", level=1)
    paragraph = word.add_paragraph()
    add_hyperlink(paragraph, "https://www.example.org/stod", "extern länk")
    paragraph.add_run(" och mer.")

    first = parse_docx(save(word)).sections[0].body
    again = parse_docx(export(sections=[("Källor", first)])).sections[0].body

    assert first == "[extern länk](https://www.example.org/stod) och mer."
    assert again == first


def test_each_numbered_list_starts_again_from_one():
    data = export(sections=[("Listor", "1. a\n2. b\n\nMellan.\n\n1. c\n2. d")])
    document = docx.Document(io.BytesIO(data))

    num_ids = {
        p.text: p._p.pPr.numPr.numId.val
        for p in document.paragraphs
        if p.style.name == "List Number"
    }
    assert num_ids["a"] == num_ids["b"] != num_ids["c"] == num_ids["d"]


def test_a_version_round_trips_through_word():
    parsed = parse_docx(export())

    assert parsed.title == "Regional strategi för föräldraskapsstöd Örebro län"
    assert parsed.had_headings is True
    # The title page (version, date, checksum) does not come back as a section.
    assert [s.heading for s in parsed.sections] == [heading for heading, _ in SECTIONS]
    for (_, body), section in zip(SECTIONS, parsed.sections, strict=True):
        assert html(section.body) == html(body)


def test_an_imported_strategy_round_trips_through_word():
    first = parse_docx(make_strategy_docx())
    sections = [(s.heading, s.body) for s in first.sections]

    again = parse_docx(export(sections=sections))

    assert [(s.heading, s.body) for s in again.sections] == sections


def test_an_adopted_version_says_so_on_the_title_page_with_date_and_signatories():
    adoption = Adoption(
        adopted_on=datetime.date(2022, 12, 14),
        signatories=(
            Signatory("Anna Andersson", datetime.date(2022, 12, 13)),
            Signatory("Bo Berg", datetime.date(2022, 12, 14)),
        ),
    )
    document = docx.Document(io.BytesIO(export(adoption=adoption)))
    texts = [p.text for p in document.paragraphs]

    assert texts[texts.index("Adopted 2022-12-14") + 1 :][:3] == [
        "Signed by:",
        "Anna Andersson, 2022-12-13",
        "Bo Berg, 2022-12-14",
    ]
    assert document.core_properties.content_status == "Adopted"
    not_adopted = docx.Document(io.BytesIO(export()))
    assert not any(p.text.startswith("Adopted") for p in not_adopted.paragraphs)
