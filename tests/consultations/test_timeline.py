"""A document's timeline: the whole chain in order, for its readers only, at a fixed cost."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.models import (
    Consultee,
    Decision,
    Response,
    ReviewRound,
    Signature,
    SignOff,
)
from consultations.services import decisions as decision_services
from consultations.services import responses as response_services
from consultations.services import rounds as round_services
from consultations.timeline import build_timeline, by_month, decided_at
from documents import services as document_services
from documents.models import Section, Version
from networks.models import Network, Role
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DECISION_KINDS = {"decision", "endorsement", "correction"}


def at(*args) -> datetime:
    return datetime(*args, tzinfo=STOCKHOLM)


@pytest.fixture
def chain(open_world):
    """The whole process through the services: the round of `world` extended, answered (in
    Samverka and by e-mail), closed and reported; a revised version endorsed (and the record
    corrected); a sign-off approved by both signatories."""
    people = open_world["people"]
    chair = people["chair"]
    review_round = open_world["round"]
    document = open_world["document"]
    round_services.extend_deadline(
        review_round, by_user=chair, closes_at=review_round.closes_at + timedelta(days=5)
    )
    kumla = review_round.consultees.get(organisation=open_world["kumla"])
    response_services.save_draft(
        kumla, by_user=people["drafter"], position=Response.Position.SUPPORTS, summary="Bra."
    )
    response_services.approve_and_submit(kumla, by_user=people["approver"])
    managers = review_round.consultees.get(network=open_world["managers"])
    response_services.enter_on_behalf(
        managers,
        by_user=chair,
        position=Response.Position.SUPPORTS_WITH_RESERVATIONS,
        summary="Med reservation.",
        via=Response.Via.EMAIL,
        received_at=timezone.now() - timedelta(hours=2),
    )
    round_services.close_round(review_round, by_user=chair)
    round_services.publish_report(review_round, by_user=chair)
    Section.objects.filter(pk=open_world["section"].pk).update(body="Reviderad text.")
    revised = document_services.publish_version(
        document, by_user=chair, label="Reviderad", change_summary="Efter remissen."
    )
    endorsement = decision_services.record_decision(
        document,
        by_user=chair,
        version=revised,
        kind=Decision.Kind.ENDORSEMENT,
        decided_on=timezone.localdate(),
        text="Samverkansrådet ställer sig bakom förslaget.",
        body_name="Samverkansrådet",
        minutes_reference="§ 12",
    )
    decision_services.record_decision(
        document,
        by_user=chair,
        version=revised,
        kind=Decision.Kind.ENDORSEMENT,
        decided_on=timezone.localdate(),
        text="Rättat: paragrafen är § 14.",
        body_name="Samverkansrådet",
        minutes_reference="§ 14",
        corrects=endorsement,
    )
    kcrd = NetworkFactory(name="KC/RD", kind=Network.Kind.MANAGEMENT_GROUP)
    region = open_world["group"].memberships.get(user=chair).organisation  # shared: may sign
    signatories = [
        MembershipFactory(
            network=kcrd,
            role=Role.SIGNATORY,
            organisation=region,
            user=UserFactory(full_name=name),
        ).user
        for name in ("Kim Direktör", "Ulla Region")
    ]
    sign_off = decision_services.request_sign_off(
        document, by_user=chair, version=revised, signatories=signatories, required=None
    )
    for signatory in signatories:
        decision_services.sign(sign_off, by_user=signatory, verdict="approve", password=PASSWORD)
    return open_world


def test_the_timeline_tells_the_whole_chain_in_order(chain):
    events = build_timeline(chain["document"])

    assert [e.order_at for e in events] == sorted(e.order_at for e in events)
    # The endorsement of version 2 (dated today, recorded after it was published) stands after
    # that version and before the sign-off it made possible, whatever the hour of the test.
    assert [e.kind for e in events] == [
        "version",
        "opened",
        "extended",
        "response",
        "response",
        "closed",
        "report",
        "version",
        "endorsement",
        "correction",
        "sign_off",
        "signature",
        "signature",
        "adopted",
    ]
    assert all(e.at.tzinfo is not None for e in events)


def test_each_event_says_what_who_and_where(chain, settings):
    settings.LANGUAGE_CODE = "en"
    chair = chain["people"]["chair"].get_full_name()
    review_round = chain["round"]
    events = {}
    for event in build_timeline(chain["document"]):
        events.setdefault(event.kind, []).append(event)

    first, revised = events["version"]
    assert first.title == "Version 1 published: Remissversion"
    assert first.who == chair
    assert first.url == Version.objects.get(document=chain["document"], number=1).get_absolute_url()
    assert revised.detail == "Efter remissen."

    assert events["opened"][0].url == review_round.get_absolute_url()
    assert events["opened"][0].who == chair
    extended = events["extended"][0]
    assert extended.title == "Deadline extended: Remiss augusti"
    assert extended.detail.startswith("from ")
    assert " to " in extended.detail
    assert extended.who == chair

    kumla, managers = events["response"]
    assert kumla.title == "Response from Kumla kommun"
    assert "Supports (tillstyrker)" in kumla.detail
    assert kumla.who == chain["people"]["approver"].get_full_name()
    assert managers.title == "Response from Chefsnätverket"
    assert "Supports with reservations" in managers.detail
    assert "By e-mail, received" in managers.detail
    assert managers.who == chair

    assert events["closed"][0].who == chair
    assert events["report"][0].url == reverse("consultations:report", args=[review_round.pk])

    endorsement = events["endorsement"][0]
    assert endorsement.title == "Samverkansrådet endorses the proposal"
    assert "minutes § 12" in endorsement.detail
    assert "corrected by the record of" in endorsement.detail
    assert endorsement.date_only
    correction = events["correction"][0]
    assert correction.title == "Correction: Samverkansrådet endorses the proposal"
    assert "corrects the record of" in correction.detail

    assert events["sign_off"][0].detail.endswith("2 signatories, all must approve")
    assert {e.who for e in events["signature"]} == {"Kim Direktör", "Ulla Region"}
    assert events["signature"][0].title.endswith("approved version 2")
    assert events["adopted"][0].title == "Version 2 adopted"


def test_a_decision_stands_at_noon_in_stockholm_on_its_day():
    moment = decided_at(date(2022, 11, 17))

    assert moment.tzinfo is not None
    assert moment == datetime(2022, 11, 17, 12, 0, tzinfo=STOCKHOLM)
    assert moment.utcoffset() == timedelta(hours=1)  # winter time


def publish_on(world, moment, label="Reviderad"):
    """A new version of the world's document, published at `moment`."""
    section = world["section"]
    Section.objects.filter(pk=section.pk).update(body=f"Ändrad {label}.")
    version = document_services.publish_version(
        world["document"], by_user=world["people"]["chair"], label=label, change_summary=""
    )
    Version.objects.filter(pk=version.pk).update(created_at=moment)
    version.refresh_from_db()
    return version


def record_on(world, version, day, recorded_at, **extra):
    return Decision.objects.create(
        document=world["document"],
        version=version,
        body_name=extra.pop("body_name", "Samverkansrådet"),
        kind=extra.pop("kind", Decision.Kind.ENDORSEMENT),
        decided_on=day,
        text="Ställer sig bakom förslaget.",
        recorded_by=world["people"]["chair"],
        recorded_at=recorded_at,
        **extra,
    )


def test_a_decision_of_the_day_stands_after_the_versions_published_that_morning(client, world):
    """Versions 1 and 2 published in the afternoon, the council's endorsement of version 2
    recorded later that day: oldest first reads version 1, version 2, the endorsement."""
    Version.objects.filter(pk=world["version"].pk).update(created_at=at(2022, 11, 17, 13))
    revised = publish_on(world, at(2022, 11, 17, 14))
    record_on(world, revised, date(2022, 11, 17), at(2022, 11, 17, 14, 30))

    events = build_timeline(world["document"])

    assert [(e.kind, e.title[:9]) for e in events] == [
        ("version", "Version 1"),
        ("version", "Version 2"),
        ("endorsement", "Samverkan"),
    ]
    client.force_login(world["people"]["member"])
    html = client.get(reverse("consultations:timeline", args=[world["document"].pk])).text
    first = html.index("Version 1 publicerad")
    assert first < html.index("Version 2 publicerad")
    assert html.index("Version 2 publicerad") < html.index("ställer sig bakom förslaget")


def test_a_decision_recorded_days_later_stands_after_the_timed_events_of_its_day(world):
    Version.objects.filter(pk=world["version"].pk).update(created_at=at(2022, 11, 1, 9))
    record_on(world, world["version"], date(2022, 11, 17), at(2022, 11, 21, 10))
    publish_on(world, at(2022, 11, 17, 16))  # later that day, with a time

    events = build_timeline(world["document"])

    assert [e.kind for e in events] == ["version", "version", "endorsement"]
    assert events[2].date_only
    assert timezone.localtime(events[2].at).date() == date(2022, 11, 17)


def test_a_decision_dated_before_its_version_is_never_shown_before_it(world):
    """The council met on 31 October on the text that was published as version 2 the next
    morning: the endorsement still comes after version 2, under November."""
    Version.objects.filter(pk=world["version"].pk).update(created_at=at(2022, 10, 3, 9))
    revised = publish_on(world, at(2022, 11, 1, 9))
    record_on(world, revised, date(2022, 10, 31), at(2022, 11, 2, 10))

    months = by_month(build_timeline(world["document"]))

    assert [(m.first, [e.kind for e in m.events]) for m in months] == [
        (date(2022, 10, 1), ["version"]),
        (date(2022, 11, 1), ["version", "endorsement"]),
    ]


def test_a_correction_dated_earlier_still_follows_the_record_it_corrects(world):
    Version.objects.filter(pk=world["version"].pk).update(created_at=at(2022, 10, 3, 9))
    wrong = record_on(world, world["version"], date(2022, 11, 17), at(2022, 11, 18, 9))
    record_on(
        world,
        world["version"],
        date(2022, 11, 15),  # the right date, recorded as a correction
        at(2022, 11, 20, 9),
        corrects=wrong,
    )

    events = build_timeline(world["document"])

    assert [e.kind for e in events] == ["version", "endorsement", "correction"]


def test_a_round_closed_at_the_deadline_says_so(open_world):
    review_round = open_world["round"]
    ReviewRound.objects.filter(pk=review_round.pk).update(
        opens_at=timezone.now() - timedelta(days=10),
        closes_at=timezone.now() - timedelta(minutes=1),
    )
    round_services.close_due_rounds()

    closed = next(e for e in build_timeline(open_world["document"]) if e.kind == "closed")

    assert closed.who == ""
    assert closed.detail  # "Closed automatically at the deadline"


def test_a_refused_and_a_withdrawn_sign_off_are_on_the_timeline(world):
    document, version = world["document"], world["version"]
    chair = world["people"]["chair"]
    signer = UserFactory(full_name="Rut Nej")
    refused = SignOff.objects.create(
        document=document,
        version=version,
        requested_by=chair,
        required=1,
        status=SignOff.Status.REJECTED,
        requested_at=at(2022, 12, 1, 9),
        completed_at=at(2022, 12, 2, 9),
    )
    refused.signatories.set([signer])
    Signature.objects.create(
        sign_off=refused,
        signer=signer,
        verdict=Signature.Verdict.REJECT,
        reason="Målen saknar mått.",
        signed_at=at(2022, 12, 2, 9),
        content_hash=version.content_hash,
    )
    SignOff.objects.create(
        document=document,
        version=version,
        requested_by=chair,
        required=1,
        status=SignOff.Status.WITHDRAWN,
        requested_at=at(2022, 12, 5, 9),
        completed_at=at(2022, 12, 6, 9),
    )

    events = [e for e in build_timeline(document) if e.at.year == 2022]

    assert [e.kind for e in events] == [
        "sign_off",
        "signature",
        "rejected",
        "sign_off",
        "withdrawn",
    ]
    assert events[1].detail == "Målen saknar mått."
    assert events[2].who == "Rut Nej"


def the_2022_process(world):
    """Region Örebro 2022 (DESIGN.md), straight in the database with its real dates."""
    document, chair = world["document"], world["people"]["chair"]
    first = world["version"]
    Version.objects.filter(pk=first.pk).update(created_at=at(2022, 8, 1, 10))
    review_round = world["round"]
    review_round.history.all().delete()  # created today by the fixture: history from 2022 on
    review_round.closes_at = at(2022, 9, 10, 23, 59)
    review_round.opens_at = at(2022, 8, 15, 8)
    review_round._history_date = at(2022, 8, 1, 11)
    review_round.save()
    review_round.status, review_round.opened_at = ReviewRound.Status.OPEN, at(2022, 8, 15, 8)
    review_round._history_date, review_round._history_user = at(2022, 8, 15, 8), chair
    review_round.save()
    review_round.closes_at = at(2022, 9, 15, 23, 59)
    review_round._history_date, review_round._history_user = at(2022, 9, 5, 14), chair
    review_round.save()
    review_round.status, review_round.closed_at = ReviewRound.Status.CLOSED, at(2022, 9, 16, 0)
    review_round._history_date, review_round._history_user = at(2022, 9, 16, 0), None
    review_round.save()
    review_round.status, review_round.reported_at = ReviewRound.Status.REPORTED, at(2022, 9, 30)
    review_round._history_date, review_round._history_user = at(2022, 9, 30), chair
    review_round.save()
    kumla = review_round.consultees.get(organisation=world["kumla"])
    Response.objects.create(
        consultee=kumla,
        position=Response.Position.SUPPORTS,
        state=Response.State.SUBMITTED,
        submitted_at=at(2022, 9, 12, 15),
        approved_by=world["people"]["approver"],
    )
    revised = Version.objects.create(
        document=document,
        number=2,
        label="Reviderat förslag",
        title=document.title,
        content_hash="b" * 64,
        created_by=chair,
        created_at=at(2022, 10, 20, 9),
    )
    Decision.objects.create(
        document=document,
        version=revised,
        body_name="Samverkansrådet",
        kind=Decision.Kind.ENDORSEMENT,
        decided_on=date(2022, 11, 17),
        minutes_reference="§ 12",
        text="Samverkansrådet ställer sig bakom förslaget.",
        recorded_by=chair,
    )
    directors = [UserFactory(full_name="Kim Direktör"), UserFactory(full_name="Ulla Region")]
    sign_off = SignOff.objects.create(
        document=document,
        version=revised,
        requested_by=chair,
        required=2,
        status=SignOff.Status.APPROVED,
        requested_at=at(2022, 12, 1, 9),
        completed_at=at(2022, 12, 8, 16),
    )
    sign_off.signatories.set(directors)
    for day, director in zip((5, 8), directors, strict=True):
        Signature.objects.create(
            sign_off=sign_off,
            signer=director,
            verdict=Signature.Verdict.APPROVE,
            signed_at=at(2022, 12, day, 16),
            content_hash=revised.content_hash,
        )
    return document


def test_the_2022_process_reads_month_by_month(world):
    document = the_2022_process(world)

    months = by_month(build_timeline(document))

    assert [(m.first, [e.kind for e in m.events]) for m in months] == [
        (date(2022, 8, 1), ["version", "opened"]),
        (date(2022, 9, 1), ["extended", "response", "closed", "report"]),
        (date(2022, 10, 1), ["version"]),
        (date(2022, 11, 1), ["endorsement"]),
        (date(2022, 12, 1), ["sign_off", "signature", "signature", "adopted"]),
    ]
    closed = months[1].events[2]
    assert closed.who == ""
    assert closed.detail  # closed by the deadline scan


def test_the_timeline_page_shows_the_chain_under_month_headings(client, world):
    document = the_2022_process(world)
    client.force_login(world["people"]["member"])

    response = client.get(reverse("consultations:timeline", args=[document.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<ol class="timeline">' in html
    assert html.count('class="timeline__item ') == 12
    assert 'class="timeline__item timeline__item--endorsement"' in html
    assert html.index("Augusti 2022") < html.index("September 2022") < html.index("December 2022")
    assert '<time class="timeline__when" datetime="2022-11-17">' in html
    opened = html.split("timeline__item--opened")[1].split("</li>")[0]
    assert "10 september 2022" in opened  # the deadline as announced; the move comes later
    assert reverse("consultations:report", args=[world["round"].pk]) in html


def test_a_document_without_versions_has_an_empty_timeline(client, world):
    from tests.factories import DocumentFactory

    document = DocumentFactory(network=world["group"])
    client.force_login(world["people"]["member"])

    response = client.get(reverse("consultations:timeline", args=[document.pk]))

    assert response.status_code == 200
    assert 'class="empty-state"' in response.content.decode()
    assert build_timeline(document) == []


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("chair", 200),
        ("member", 200),
        ("observer", 200),
        ("writer", 200),  # the writing group writes the working group's documents
        ("expert", 404),  # consulted in one round: sees that round, not the document
        ("drafter", 404),
        ("outsider", 404),  # another county sees nothing of Örebro
    ],
)
def test_only_the_documents_readers_see_its_timeline(client, open_world, who, status):
    client.force_login(open_world["people"][who])

    response = client.get(reverse("consultations:timeline", args=[open_world["document"].pk]))

    assert response.status_code == status


def test_an_anonymous_visitor_is_sent_to_log_in(client, world):
    url = reverse("consultations:timeline", args=[world["document"].pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_missing_document_is_not_found(client, world):
    client.force_login(world["people"]["chair"])

    assert client.get(reverse("consultations:timeline", args=[999999])).status_code == 404


# ------------------------------------------------------------------------------ query counts


def grow(world, count):
    """`count` more of everything, straight in the database: versions, rounds (with a moved
    deadline), responses, decisions (with corrections), sign-offs with signatures."""
    document, chair = world["document"], world["people"]["chair"]
    start = Version.objects.filter(document=document).count()
    for n in range(count):
        version = Version.objects.create(
            document=document,
            number=start + n + 1,
            label=f"Version {start + n + 1}",
            title=document.title,
            content_hash=f"{n:064d}",
            created_by=chair,
        )
        review_round = ReviewRound.objects.create(
            document=document,
            version=version,
            title=f"Runda {n}",
            opens_at=timezone.now(),
            closes_at=timezone.now() + timedelta(days=10),
            chair=chair,
        )
        review_round.status, review_round.opened_at = ReviewRound.Status.OPEN, timezone.now()
        review_round._history_user = chair
        review_round.save()
        review_round.closes_at += timedelta(days=3)
        review_round.save()
        review_round.status = ReviewRound.Status.REPORTED
        review_round.closed_at = review_round.reported_at = timezone.now()
        review_round.save()
        consultee = Consultee.objects.create(
            round=review_round, organisation=OrganisationFactory(), status="submitted"
        )
        Response.objects.create(
            consultee=consultee,
            position=Response.Position.SUPPORTS,
            state=Response.State.SUBMITTED,
            submitted_at=timezone.now(),
            received_via=Response.Via.LETTER,
            received_at=timezone.now(),
            entered_by=chair,
        )
        decision = Decision.objects.create(
            document=document,
            version=version,
            body_network=world["managers"],
            kind=Decision.Kind.VIEWS,
            decided_on=timezone.localdate(),
            text="Synpunkter.",
            recorded_by=chair,
        )
        Decision.objects.create(
            document=document,
            version=version,
            body_network=world["managers"],
            kind=Decision.Kind.VIEWS,
            decided_on=timezone.localdate(),
            text="Rättelse.",
            recorded_by=chair,
            corrects=decision,
        )
        sign_off = SignOff.objects.create(
            document=document,
            version=version,
            requested_by=chair,
            required=1,
            status=SignOff.Status.REJECTED,
            completed_at=timezone.now(),
        )
        signer = UserFactory()
        sign_off.signatories.set([signer, chair])
        Signature.objects.create(
            sign_off=sign_off,
            signer=signer,
            verdict=Signature.Verdict.REJECT,
            reason="Nej.",
            content_hash=version.content_hash,
        )


def queries(action) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = action()
    return len(captured), result


def test_building_the_timeline_costs_the_same_for_a_short_and_a_long_chain(world):
    document = world["document"]
    grow(world, 2)
    few, short = queries(lambda: build_timeline(document))
    grow(world, 18)
    many, long = queries(lambda: build_timeline(document))

    assert len(long) > len(short) + 100
    assert few == many
    assert many <= 7  # one query for each kind of record


def test_the_timeline_page_costs_the_same_for_a_short_and_a_long_chain(client, world):
    url = reverse("consultations:timeline", args=[world["document"].pk])
    client.force_login(world["people"]["member"])
    grow(world, 2)
    client.get(url)
    few, _response = queries(lambda: client.get(url))
    grow(world, 18)
    many, response = queries(lambda: client.get(url))

    assert response.status_code == 200
    assert few == many
