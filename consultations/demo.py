"""The Örebro demo rounds: the written consultation of August 2022 (closed, answered and
reported), and an open round on the revised version for the manager group (idempotent)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from consultations.models import Comment, Consultee, Disposition, Question, Response, ReviewRound
from documents.demo import TITLE
from documents.models import Document
from networks.models import Affiliation, Network, Organisation

STOCKHOLM = ZoneInfo("Europe/Stockholm")
AUGUST = "Remissrunda augusti 2022"
NOVEMBER = "Chefsgruppens synpunkter på reviderat förslag"


def _at(*args):
    return datetime(*args, tzinfo=STOCKHOLM)


@transaction.atomic
def seed_demo() -> dict[str, int]:
    document = Document.objects.filter(title=TITLE).first()
    if document is None or document.rounds.exists():
        return {"rounds": 0}
    users = get_user_model().objects
    coordinator = users.get(email="coordinator@example.org")
    member = users.get(email="member@example.org")
    writer = users.get(email="writer@example.org")
    kumla = Organisation.objects.get(name="Kumla kommun")
    karlskoga = Organisation.objects.get(name="Karlskoga kommun")
    orebro = Organisation.objects.get(name="Örebro kommun")
    head, _ = users.get_or_create(
        email="kerstin.socialchef@example.org", defaults={"full_name": "Kerstin Socialchef"}
    )
    if not head.has_usable_password():
        head.set_password("demo")
        head.save()
    Affiliation.objects.get_or_create(
        user=head, organisation=kumla, defaults={"can_approve": True, "title": "Socialchef"}
    )
    Affiliation.objects.get_or_create(
        user=member, organisation=kumla, defaults={"title": "Utvecklare"}
    )
    v1, v2 = document.versions.get(number=1), document.versions.get(number=2)
    sections = {s.heading: s for s in v1.sections.all()}

    august = ReviewRound.objects.create(
        document=document,
        version=v1,
        title=AUGUST,
        chair=coordinator,
        instructions="Läs förslaget och lämna synpunkter per avsnitt. Varje organisation "
        "lämnar ett samlat remissvar.",
        opens_at=_at(2022, 8, 15, 9),
        closes_at=_at(2022, 9, 2, 23, 59),
        status=ReviewRound.Status.REPORTED,
        opened_at=_at(2022, 8, 15, 9),
        closed_at=_at(2022, 9, 2, 23, 59),
        reported_at=_at(2022, 9, 20, 10),
    )
    Question.objects.create(round=august, position=1, text="Saknas något viktigt område?")
    parties = {
        org: Consultee.objects.create(round=august, organisation=org, added_by=coordinator)
        for org in (kumla, karlskoga, orebro)
    }
    Response.objects.create(
        consultee=parties[kumla],
        position=Response.Position.SUPPORTS_WITH_RESERVATIONS,
        summary="Kumla kommun ställer sig bakom strategin men vill att kartläggningen av "
        "arenor nämns uttryckligen.",
        state=Response.State.SUBMITTED,
        approved_by=head,
        approved_at=_at(2022, 8, 30, 15),
        submitted_at=_at(2022, 8, 30, 15),
        received_at=_at(2022, 8, 30, 15),
    )
    Response.objects.create(
        consultee=parties[karlskoga],
        position=Response.Position.SUPPORTS,
        summary="Karlskoga kommun tillstyrker förslaget.",
        state=Response.State.SUBMITTED,
        received_via=Response.Via.LETTER,
        received_at=_at(2022, 9, 1, 12),
        submitted_at=_at(2022, 9, 1, 12),
        entered_by=coordinator,
    )
    for party in (parties[kumla], parties[karlskoga]):
        party.status = Consultee.Status.SUBMITTED
        party.save(update_fields=["status"])
    goal2 = sections["Målområde 2 – Ett tillgängligt stöd"]
    proposal = Comment.objects.create(
        round=august,
        version=v1,
        section_key=goal2.key,
        author=member,
        on_behalf_of=kumla,
        kind=Comment.Kind.PROPOSAL,
        quote_exact="finnas tillgång till familjecentral i familjens närområde",
        body="Ange en miniminivå, annars blir målet svårt att följa upp.",
        proposed_text="finnas tillgång till familjecentral i familjens närområde, minst en per "
        "kommun",
        created_at=_at(2022, 8, 22, 10),
    )
    Disposition.objects.create(
        comment=proposal,
        outcome=Disposition.Outcome.ACCEPTED,
        decided_by=writer,
        rationale="Förslaget är infört.",
        applied_in=v2,
        decided_at=_at(2022, 9, 14, 13),
    )
    question = Comment.objects.create(
        round=august,
        version=v1,
        author=member,
        kind=Comment.Kind.QUESTION,
        body="Hur ska strategin följas upp?",
        created_at=_at(2022, 8, 24, 9),
    )
    Disposition.objects.create(
        comment=question,
        outcome=Disposition.Outcome.ACCEPTED,
        decided_by=writer,
        rationale="Ett avsnitt om uppföljning är tillagt.",
        applied_in=v2,
        decided_at=_at(2022, 9, 14, 13),
    )
    Comment.objects.create(
        round=august,
        version=v1,
        parent=question,
        author=writer,
        body="Bra fråga, vi tar upp den på skrivargruppens möte.",
        created_at=_at(2022, 8, 25, 8),
    )

    managers = Network.objects.get(name="Chefsnätverk socialtjänst")
    now = timezone.now()
    november = ReviewRound.objects.create(
        document=document,
        version=v2,
        title=NOVEMBER,
        chair=coordinator,
        instructions="Chefsgruppen ger synpunkter på det reviderade förslaget inför den "
        "politiska förankringen.",
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=12),
        status=ReviewRound.Status.OPEN,
        opened_at=now,
    )
    Consultee.objects.create(round=november, network=managers, added_by=coordinator)
    Consultee.objects.create(round=november, organisation=kumla, added_by=coordinator)
    document.status = Document.Status.IN_CONSULTATION
    document.save(update_fields=["status"])
    return {"rounds": 2}
