"""A realistic Word file to import: a Swedish regional strategy, built with python-docx.

Used by the import tests and the browser tests. The file has a Title, four Heading 1 sections,
paragraphs with bold and italic, a bullet list, a numbered list and a small table, the way an
official would have written it in Word.
"""

import io
import os

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

STRATEGY_TITLE = "Regional strategi för föräldraskapsstöd Örebro län"
STRATEGY_HEADINGS = [
    "Inledning",
    "Målområde 1 – Ett kunskapsbaserat arbetssätt",
    "Målområde 2 – Ett tillgängligt stöd",
    "Målområde 3 – En stödjande organisation",
]


def make_strategy_docx(path: str | os.PathLike | None = None) -> bytes:
    """Return the .docx bytes; also write them to `path` if one is given (for file uploads)."""
    document = docx.Document()
    document.add_paragraph(STRATEGY_TITLE, style="Title")

    document.add_heading(STRATEGY_HEADINGS[0], level=1)
    document.add_paragraph(
        "Föräldraskapsstöd är en del av det förebyggande arbetet för barns hälsa och utveckling. "
        "Strategin gäller för kommunerna och Region Örebro län under perioden 2022–2026."
    )
    paragraph = document.add_paragraph("Strategin bygger på den ")
    paragraph.add_run("nationella strategin för föräldraskapsstöd").italic = True
    paragraph.add_run(" och på en kartläggning av stödet i länet.")

    document.add_heading(STRATEGY_HEADINGS[1], level=1)
    paragraph = document.add_paragraph("Arbetet ska vila på ")
    paragraph.add_run("bästa tillgängliga kunskap").bold = True
    paragraph.add_run(". Det innebär att vi:")
    for item in (
        "använder metoder med vetenskapligt stöd",
        "följer upp insatserna systematiskt",
        "tar tillvara föräldrarnas erfarenheter",
    ):
        document.add_paragraph(item, style="List Bullet")

    document.add_heading(STRATEGY_HEADINGS[2], level=1)
    document.add_paragraph(
        "Alla föräldrar i länet ska kunna få stöd när barnet är mellan 0 och 17 år."
    )
    for item in (
        "Stödet erbjuds på tider som passar föräldrar som arbetar.",
        "Informationen finns på lätt svenska och på flera språk.",
    ):
        document.add_paragraph(item, style="List Number")

    document.add_heading(STRATEGY_HEADINGS[3], level=1)
    document.add_paragraph("Ansvaret fördelas så här:")
    rows = [
        ("Aktör", "Ansvar"),
        ("Kommunerna", "Erbjuder föräldraskapsstöd"),
        ("Region Örebro län", "Samordnar och följer upp"),
    ]
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    for row, cells in zip(table.rows, rows, strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text

    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    if path is not None:
        with open(path, "wb") as file:
            file.write(data)
    return data


def add_hyperlink(paragraph, address: str, text: str) -> None:
    """Append a hyperlink the way Word stores one: a w:hyperlink around a run, its address in
    an external relationship of the document part."""
    hyperlink = OxmlElement("w:hyperlink")
    hyperlink.set(qn("r:id"), paragraph.part.relate_to(address, RT.HYPERLINK, is_external=True))
    run = OxmlElement("w:r")
    shown = OxmlElement("w:t")
    shown.text = text
    shown.set(qn("xml:space"), "preserve")
    run.append(shown)
    hyperlink.append(run)
    paragraph._p.append(hyperlink)
