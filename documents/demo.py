"""The Örebro demo strategy: a working draft with its published versions (idempotent)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from documents.models import Document, Section, Version, VersionSection, content_hash
from networks.demo import ARBETSGRUPP, date_history
from networks.models import Network

TITLE = "Regional strategi för föräldraskapsstöd i Örebro län 2023–2026"
STOCKHOLM = ZoneInfo("Europe/Stockholm")

FIRST_DRAFT = [
    (
        "Inledning",
        "Föräldraskapsstöd är insatser, aktiviteter och verksamheter riktade till föräldrar som "
        "stärker föräldraförmågan och relationen mellan förälder och barn.\n\n"
        "Strategin har tagits fram av Strategisk arbetsgrupp för föräldraskapsstödsutveckling på "
        "uppdrag av KC/RD, med utgångspunkt i den nationella strategin för ett stärkt "
        "föräldraskapsstöd.",
    ),
    (
        "Syfte",
        "Strategin ska ge länets kommuner, Region Örebro län, Länsstyrelsen och civilsamhället en "
        "gemensam riktning för arbetet med föräldraskapsstöd under barnets hela uppväxt.",
    ),
    (
        "Målområde 1 – Ett kunskapsbaserat arbetssätt",
        "Det ska\n\n"
        "- erbjudas ett **målgruppsanpassat** och **kunskapsbaserat** föräldraskapsstöd till "
        "alla föräldrar under barnets hela uppväxt.\n"
        "- finnas tillgänglig kunskap för föräldrar om de rättigheter barnet har.\n"
        "- erbjudas möjlighet till kompetenshöjande insatser för professioner inom området.",
    ),
    (
        "Målområde 2 – Ett tillgängligt stöd",
        "Det ska\n\n"
        "- finnas ett behovsanpassat föräldraskapsstöd för alla föräldrar.\n"
        "- utvecklas arbetssätt för att nå de föräldrar som inte nås idag.\n"
        "- finnas tillgång till familjecentral i familjens närområde.",
    ),
    (
        "Målområde 3 – En stödjande organisation",
        "Det ska\n\n"
        "- finnas en regional stödjande organisation för länets arbete med föräldraskapsstöd "
        "för barn 0–18 år.\n"
        "- finnas lednings- eller samverkansgrupper för föräldraskapsstöd i alla länets "
        "kommuner.",
    ),
]

# What the writing group changed after the consultation round in August 2022.
REVISED = {
    "Målområde 2 – Ett tillgängligt stöd": (
        "Det ska\n\n"
        "- finnas ett behovsanpassat föräldraskapsstöd för alla föräldrar.\n"
        "- utvecklas arbetssätt för att nå de föräldrar som inte nås idag.\n"
        "- genomföras en kartläggning av befintliga föräldraskapsstödjande arenor inom "
        "respektive kommun.\n"
        "- finnas tillgång till familjecentral i familjens närområde, minst en per kommun."
    ),
}
ADDED = (
    "Uppföljning",
    "Strategin följs upp årligen av Strategisk arbetsgrupp för föräldraskapsstödsutveckling, "
    "som rapporterar till KC/RD.\n\n"
    "| Målområde | Indikator | Ansvar |\n"
    "|---|---|---|\n"
    "| 1 | Andel föräldrar som erbjudits föräldraskapsstöd | Kommunerna |\n"
    "| 2 | Antal familjecentraler per kommun | Kommunerna och regionen |\n"
    "| 3 | Finns lokal samverkansgrupp | Länsstyrelsen |",
)


def _publish(document, sections, *, number, label, summary, when, by):
    version = Version(
        document=document,
        number=number,
        label=label,
        change_summary=summary,
        title=document.title,
        content_hash=content_hash(document.title, sections),
        created_by=by,
        created_at=when,
    )
    version._history_user = by
    version.save()
    date_history(version, when)
    VersionSection.objects.bulk_create(
        VersionSection(version=version, key=s.key, heading=s.heading, body=s.body, position=i)
        for i, s in enumerate(sections, start=1)
    )


@transaction.atomic
def seed_demo() -> dict[str, int]:
    if Document.objects.filter(title=TITLE).exists():
        return {"documents": 0}
    writer = get_user_model().objects.get(email="writer@example.org")
    network = Network.objects.get(name=ARBETSGRUPP, parent=None)
    # The writing group began the draft in April 2022 (domain/004), revised it in September.
    begun = datetime(2022, 4, 4, 10, 0, tzinfo=STOCKHOLM)
    revised = datetime(2022, 9, 20, 13, 0, tzinfo=STOCKHOLM)
    document = Document(network=network, title=TITLE, created_by=writer, created_at=begun)
    document._history_user = writer
    document.save()
    date_history(document, begun)
    sections = []
    for position, (heading, body) in enumerate(FIRST_DRAFT, start=1):
        section = Section(document=document, heading=heading, body=body, position=position)
        section._history_user = writer
        section.save()
        sections.append(section)
    _publish(
        document,
        sections,
        number=1,
        label="Remissversion augusti 2022",
        summary="Första strategiförslaget, för skriftlig remissrunda till medlemsorganisationerna.",
        when=datetime(2022, 8, 15, 10, 0, tzinfo=STOCKHOLM),
        by=writer,
    )
    for section in sections:
        if section.heading in REVISED:
            section.body = REVISED[section.heading]
            section.revision += 1
            section._history_user = writer
            section.save()
    heading, body = ADDED
    added = Section(document=document, heading=heading, body=body, position=len(sections) + 1)
    added._history_user = writer
    added.save()
    sections.append(added)
    for section in sections:  # written in April, changed after the round in September
        date_history(section, begun if section is not added else revised, revised)
    _publish(
        document,
        sections,
        number=2,
        label="Reviderad version oktober 2022",
        summary="Skrivargruppen har bemött remissvaren: målområde 2 kompletterat och ett nytt "
        "avsnitt om uppföljning.",
        when=datetime(2022, 10, 3, 14, 0, tzinfo=STOCKHOLM),
        by=writer,
    )
    return {"documents": 1}
