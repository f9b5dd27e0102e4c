"""The Örebro 2022 chain in full (domain/004): the written consultation of August 2022
(answered and reported), version 2, the manager group's views, the council's endorsement, KC/RD's
sign-off and adoption; and a second document, the agreement on family centres, in the middle of
an open round (idempotent)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from consultations import guests
from consultations.models import (
    Comment,
    Consultee,
    Decision,
    Disposition,
    GuestLink,
    Question,
    Response,
    ReviewRound,
    Signature,
    SignOff,
)
from documents.demo import TITLE
from documents.models import Document, Section, Version, VersionSection, content_hash
from networks.demo import date_history
from networks.models import Affiliation, Network, Organisation

STOCKHOLM = ZoneInfo("Europe/Stockholm")
AUGUST = "Remissrunda augusti 2022"
NOVEMBER = "Remiss: reviderad överenskommelse om familjecentraler"
AGREEMENT = "Överenskommelse om samverkan kring familjecentraler"


def _at(*args):
    return datetime(*args, tzinfo=STOCKHOLM)


# The chair planned the August round a few days before version 1 was published and it opened.
PLANNED = _at(2022, 8, 12, 10)


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
    head = users.get(email="kerstin.socialchef@example.org")  # a demo login (networks.demo)
    for affiliation, new in (
        Affiliation.objects.get_or_create(
            user=head, organisation=kumla, defaults={"can_approve": True, "title": "Socialchef"}
        ),
        Affiliation.objects.get_or_create(
            user=member, organisation=kumla, defaults={"title": "Utvecklare"}
        ),
    ):
        if new:
            date_history(affiliation, _at(2022, 2, 1, 9))
    v1, v2 = document.versions.get(number=1), document.versions.get(number=2)
    sections = {s.heading: s for s in v1.sections.all()}

    august = ReviewRound.objects.create(
        document=document,
        version=v1,
        title=AUGUST,
        chair=coordinator,
        instructions="Läs förslaget och lämna synpunkter per avsnitt. Varje organisation "
        "lämnar ett samlat remissvar.",
        opens_at=_at(2022, 8, 15, 11),  # the morning version 1 was published (10:00)
        closes_at=_at(2022, 9, 2, 23, 59),
        status=ReviewRound.Status.REPORTED,
        opened_at=_at(2022, 8, 15, 11),
        closed_at=_at(2022, 9, 2, 23, 59),
        reported_at=_at(2022, 9, 20, 10),
        created_at=PLANNED,
    )
    date_history(august, PLANNED)
    date_history(
        Question.objects.create(round=august, position=1, text="Saknas något viktigt område?"),
        PLANNED,
    )
    parties = {
        org: Consultee.objects.create(
            round=august, organisation=org, added_by=coordinator, added_at=PLANNED
        )
        for org in (kumla, karlskoga, orebro)
    }
    kumla_response = Response.objects.create(
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
    karlskoga_response = Response.objects.create(
        consultee=parties[karlskoga],
        position=Response.Position.SUPPORTS,
        summary="Karlskoga kommun tillstyrker förslaget.",
        state=Response.State.SUBMITTED,
        received_via=Response.Via.LETTER,
        received_at=_at(2022, 9, 1, 12),
        submitted_at=_at(2022, 9, 1, 12),
        entered_by=coordinator,
    )
    for party, response in (
        (parties[kumla], kumla_response),
        (parties[karlskoga], karlskoga_response),
    ):
        party.status = Consultee.Status.SUBMITTED
        party.save(update_fields=["status"])
        date_history(response, response.submitted_at)
        date_history(party, PLANNED, response.submitted_at)
    date_history(parties[orebro], PLANNED)
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
    date_history(proposal, proposal.created_at)
    proposal_answer = Disposition.objects.create(
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
    date_history(question, question.created_at)
    question_answer = Disposition.objects.create(
        comment=question,
        outcome=Disposition.Outcome.ACCEPTED,
        decided_by=writer,
        rationale="Ett avsnitt om uppföljning är tillagt.",
        applied_in=v2,
        decided_at=_at(2022, 9, 14, 13),
    )
    reply = Comment.objects.create(
        round=august,
        version=v1,
        parent=question,
        author=writer,
        body="Bra fråga, vi tar upp den på skrivargruppens möte.",
        created_at=_at(2022, 8, 25, 8),
    )
    date_history(reply, reply.created_at)
    for answer in (proposal_answer, question_answer):
        date_history(answer, answer.decided_at)

    # November–December 2022: anchoring and decision (domain/004: the manager group gives its
    # views, the cooperation council endorses, KC/RD decides).
    managers = Network.objects.get(name="Chefsnätverk socialtjänst")
    council = Network.objects.get(name="Specifika samverkansrådet")
    views = Decision.objects.create(
        document=document,
        version=v2,
        body_network=managers,
        kind=Decision.Kind.VIEWS,
        decided_on=date(2022, 11, 8),
        recorded_at=_at(2022, 11, 9, 10),  # the day after the meeting
        minutes_reference="§ 14",
        recorded_by=coordinator,
        text="Chefsnätverket har lämnat synpunkter på det reviderade förslaget och ställer sig "
        "positivt till inriktningen.",
    )
    endorsement = Decision.objects.create(
        document=document,
        version=v2,
        body_network=council,
        kind=Decision.Kind.ENDORSEMENT,
        decided_on=date(2022, 11, 17),
        recorded_at=_at(2022, 11, 18, 10),
        minutes_reference="§ 23",
        recorded_by=coordinator,
        text="Specifika samverkansrådet ställer sig bakom förslaget till regional strategi.",
    )
    for decision in (views, endorsement):
        date_history(decision, decision.recorded_at)
    signers = [
        users.get(email="signatory@example.org"),
        users.get(email="henrik.ek@example.org"),
        users.get(email="birgitta.svan@example.org"),
    ]
    sign_off = SignOff.objects.create(
        document=document,
        version=v2,
        requested_by=coordinator,
        required=len(signers),
        status=SignOff.Status.APPROVED,
        requested_at=_at(2022, 12, 1, 9),
        completed_at=_at(2022, 12, 9, 11),
    )
    sign_off.signatories.set(signers)
    for day, person in zip((5, 7, 9), signers, strict=True):
        Signature.objects.create(
            sign_off=sign_off,
            signer=person,
            verdict=Signature.Verdict.APPROVE,
            signed_at=_at(2022, 12, day, 11),
            content_hash=v2.content_hash,
        )
    date_history(sign_off, sign_off.requested_at, sign_off.completed_at)
    document.status = Document.Status.ADOPTED
    document.save(update_fields=["status"])
    date_history(document, document.created_at, sign_off.completed_at)

    # The next piece of work, in the middle of an open round: the agreement on family centres
    # (domain/004: to be revised in 2023).
    now = timezone.now()
    begun = now - timedelta(days=40)  # drafted for a few weeks, published, sent out
    agreement = Document.objects.create(
        network=document.network,
        title=AGREEMENT,
        kind=Document.Kind.AGREEMENT,
        created_by=writer,
        created_at=begun,
    )
    texts = [
        (
            "Syfte",
            "Överenskommelsen beskriver hur kommunerna och Region Örebro län samverkar "
            "kring familjecentraler.",
        ),
        ("Parter", "Parter är länets tolv kommuner och Region Örebro län."),
        (
            "Åtaganden",
            "- Kommunerna ansvarar för öppen förskola och förebyggande socialtjänst.\n"
            "- Regionen ansvarar för barnhälsovård och mödrahälsovård.",
        ),
        ("Uppföljning", "Överenskommelsen följs upp varje år i den strategiska arbetsgruppen."),
    ]
    rows = [
        Section.objects.create(document=agreement, heading=h, body=b, position=n)
        for n, (h, b) in enumerate(texts, start=1)
    ]
    for row in rows:
        date_history(row, begun)
    a1 = Version.objects.create(
        created_at=now - timedelta(days=5),  # published, then sent out on consultation
        document=agreement,
        number=1,
        label="Remissversion",
        title=agreement.title,
        content_hash=content_hash(agreement.title, rows),
        created_by=writer,
        change_summary="Förslag till reviderad överenskommelse.",
    )
    VersionSection.objects.bulk_create(
        VersionSection(version=a1, key=r.key, heading=r.heading, body=r.body, position=r.position)
        for r in rows
    )
    open_round = ReviewRound.objects.create(
        document=agreement,
        version=a1,
        title=NOVEMBER,
        chair=coordinator,
        instructions="Lämna synpunkter på förslaget till reviderad överenskommelse. Varje "
        "kommun lämnar ett samlat remissvar.",
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=12),
        status=ReviewRound.Status.OPEN,
        opened_at=now - timedelta(days=2),
        created_at=now - timedelta(days=3),
    )
    Question.objects.create(round=open_round, position=1, text="Är ansvarsfördelningen tydlig?")
    Consultee.objects.create(round=open_round, network=managers, added_by=coordinator)
    Consultee.objects.create(round=open_round, organisation=kumla, added_by=coordinator)
    Consultee.objects.create(round=open_round, organisation=karlskoga, added_by=coordinator)
    # Nobody in Samverka speaks for Lekeberg: the round went to its registry address as a link.
    lekeberg = Organisation.objects.get(name="Lekebergs kommun")
    by_link = Consultee.objects.create(
        round=open_round, organisation=lekeberg, added_by=coordinator
    )
    guests.send_links(open_round, [by_link], by_user=coordinator, reason=GuestLink.Reason.OPENING)
    agreement.status = Document.Status.IN_CONSULTATION
    agreement.save(update_fields=["status"])
    date_history(agreement, begun, open_round.opened_at)
    date_history(a1, a1.created_at)
    date_history(open_round, open_round.opened_at)
    return {"rounds": 2}
