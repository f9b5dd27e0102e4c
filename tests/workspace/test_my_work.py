"""'Mitt arbete': each person sees what waits for them, and nothing of anyone else's work; the
page costs the same however much there is."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.models import (
    Comment,
    Consultee,
    Decision,
    Disposition,
    Response,
    ReviewRound,
    Signature,
    SignOff,
)
from consultations.policies.actions import RoundAction
from consultations.services import comments as comment_services
from consultations.services import responses as response_services
from consultations.services import rounds as round_services
from documents.models import Version
from networks import registry
from networks.models import Network, Role
from tests.consultations import conftest as consultations
from tests.factories import (
    DocumentFactory,
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    UserFactory,
)
from workspace.dashboard import my_work

pytestmark = pytest.mark.django_db

# The review-round world of tests/consultations (Örebro's working group, Kumla, an expert and
# someone from Kronoberg), shared rather than rebuilt.
world = consultations.world
open_world = consultations.open_world

EVERYONE = [
    "chair",
    "coordinator",
    "member",
    "observer",
    "writer",
    "manager",
    "drafter",
    "approver",
    "expert",
    "outsider",
]


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


def titles(items):
    return [item.review_round.title for item in items]


def close_soon(review_round, days=3):
    ReviewRound.objects.filter(pk=review_round.pk).update(
        closes_at=timezone.now() + timedelta(days=days, minutes=5)
    )


# -------------------------------------------------------------------------- responses owed


def test_a_consulted_party_owes_its_response_until_it_is_submitted(open_world):
    people = open_world["people"]

    for who in ("drafter", "approver", "manager", "expert"):
        owed = my_work(people[who]).owed
        assert titles(owed) == ["Remiss augusti"], who
        assert owed[0].deadline.days_left == 10
        assert not owed[0].deadline.overdue
    assert str(my_work(people["drafter"]).owed[0].consultee.party) == "Kumla kommun"
    assert str(my_work(people["manager"]).owed[0].consultee.party) == "Chefsnätverket"

    kumla = open_world["round"].consultees.get(organisation=open_world["kumla"])
    response_services.save_draft(
        kumla, by_user=people["drafter"], position=Response.Position.SUPPORTS, summary="Ja."
    )
    assert titles(my_work(people["drafter"]).owed) == ["Remiss augusti"]  # a draft is not an answer
    response_services.approve_and_submit(kumla, by_user=people["approver"])

    assert my_work(people["drafter"]).owed == []
    assert my_work(people["approver"]).owed == []
    assert titles(my_work(people["manager"]).owed) == ["Remiss augusti"]


def test_nobody_owes_a_response_to_a_planned_or_closed_round(world):
    people = world["people"]
    assert my_work(people["drafter"]).owed == []  # planned: not sent out yet

    round_services.open_round(world["round"], by_user=people["chair"])
    round_services.close_round(world["round"], by_user=people["chair"])

    assert my_work(people["drafter"]).owed == []


def test_members_of_the_network_who_are_not_consulted_owe_nothing(open_world):
    for who in ("chair", "coordinator", "member", "observer", "writer", "outsider"):
        assert my_work(open_world["people"][who]).owed == [], who


def test_a_passed_deadline_is_shown_as_overdue(open_world):
    ReviewRound.objects.filter(pk=open_world["round"].pk).update(
        opens_at=timezone.now() - timedelta(days=20),
        closes_at=timezone.now() - timedelta(hours=1),
    )

    owed = my_work(open_world["people"]["expert"]).owed

    assert owed[0].deadline.overdue
    assert owed[0].deadline.urgent


# ---------------------------------------------------------------------- comments to answer


@pytest.fixture
def answered_in_part(open_world):
    """Four comments and a reply in the round, then closed: one comment answered, one removed
    by its author, two waiting for the writing group."""
    people = open_world["people"]
    review_round = open_world["round"]

    def add(who, body, **kwargs):
        return comment_services.add_comment(review_round, by_user=people[who], body=body, **kwargs)

    answered = add("member", "Bra inledning.")
    add("expert", "Saknar forskningsstöd.")
    waiting = add("manager", "Vem ansvarar?")
    add("member", "Kommunerna, tänker jag.", parent=waiting)
    removed = add("member", "Fel av mig.")
    comment_services.delete_comment(removed, by_user=people["member"])
    round_services.close_round(review_round, by_user=people["chair"])
    Disposition.objects.create(
        comment=answered, outcome="accepted", rationale="Tack.", decided_by=people["writer"]
    )
    return open_world


def test_the_writing_group_sees_the_comments_waiting_for_its_answer(answered_in_part):
    people = answered_in_part["people"]

    for who in ("writer", "chair", "coordinator"):
        to_answer = my_work(people[who]).to_answer
        assert titles(to_answer) == ["Remiss augusti"], who
        assert to_answer[0].waiting == 2, who


def test_those_who_do_not_answer_comments_see_none_to_answer(answered_in_part):
    for who in ("member", "observer", "manager", "drafter", "approver", "expert", "outsider"):
        assert my_work(answered_in_part["people"][who]).to_answer == [], who


def test_a_round_whose_comments_are_all_answered_leaves_the_list(answered_in_part):
    people = answered_in_part["people"]
    for comment in Comment.objects.filter(
        round=answered_in_part["round"],
        parent__isnull=True,
        deleted_at__isnull=True,
        disposition__isnull=True,
    ):
        Disposition.objects.create(
            comment=comment, outcome="noted", rationale="Noterat.", decided_by=people["writer"]
        )

    assert my_work(people["writer"]).to_answer == []


def test_comments_of_an_open_round_are_not_yet_to_answer(open_world):
    comment_services.add_comment(
        open_world["round"], by_user=open_world["people"]["member"], body="Tidigt."
    )

    assert my_work(open_world["people"]["writer"]).to_answer == []


# ------------------------------------------------------------------- rounds closing soon


def test_those_who_run_a_round_see_it_in_its_last_week(open_world):
    people = open_world["people"]
    assert my_work(people["chair"]).chairing == []  # ten days left

    close_soon(open_world["round"])
    kumla = open_world["round"].consultees.get(organisation=open_world["kumla"])
    response_services.enter_on_behalf(
        kumla,
        by_user=people["chair"],
        position=Response.Position.SUPPORTS,
        summary="",
        via=Response.Via.EMAIL,
        received_at=timezone.now(),
    )

    for who in ("chair", "coordinator"):
        chairing = my_work(people[who]).chairing
        assert titles(chairing) == ["Remiss augusti"], who
        assert (chairing[0].consulted, chairing[0].answered) == (3, 1)
        assert chairing[0].deadline.days_left in (3, 4)  # calendar days, local time
    for who in ("member", "observer", "writer", "manager", "expert", "outsider"):
        assert my_work(people[who]).chairing == [], who


def test_the_chair_of_a_round_sees_it_even_without_a_role_in_the_network(open_world):
    people = open_world["people"]
    ReviewRound.objects.filter(pk=open_world["round"].pk).update(chair=people["manager"])
    close_soon(open_world["round"])

    assert titles(my_work(people["manager"]).chairing) == ["Remiss augusti"]


# --------------------------------------------------------------------------- sign-offs


def pending_sign_off(world, signatories):
    sign_off = SignOff.objects.create(
        document=world["document"],
        version=world["version"],
        requested_by=world["people"]["chair"],
        required=len(signatories),
    )
    sign_off.signatories.set(signatories)
    return sign_off


def test_a_signatory_sees_the_sign_off_until_they_have_signed(world):
    people = world["people"]
    sign_off = pending_sign_off(world, [people["manager"], people["expert"]])

    assert my_work(people["manager"]).to_sign == [sign_off]
    assert my_work(people["expert"]).to_sign == [sign_off]
    Signature.objects.create(
        sign_off=sign_off,
        signer=people["manager"],
        verdict=Signature.Verdict.APPROVE,
        content_hash=world["version"].content_hash,
    )

    assert my_work(people["manager"]).to_sign == []
    assert my_work(people["expert"]).to_sign == [sign_off]
    for who in ("chair", "coordinator", "member", "writer", "outsider"):
        assert my_work(people[who]).to_sign == [], who


def test_a_sign_off_that_no_longer_waits_leaves_the_list(world):
    people = world["people"]
    sign_off = pending_sign_off(world, [people["manager"]])
    SignOff.objects.filter(pk=sign_off.pk).update(
        status=SignOff.Status.WITHDRAWN, completed_at=timezone.now()
    )

    assert my_work(people["manager"]).to_sign == []


# ----------------------------------------------------------------------------- decisions


def decide(world, document=None, version=None, **kwargs):
    return Decision.objects.create(
        document=document or world["document"],
        version=version or world["version"],
        body_name="Samverkansrådet",
        kind=kwargs.pop("kind", Decision.Kind.ENDORSEMENT),
        decided_on=kwargs.pop("decided_on", timezone.localdate()),
        text="Samverkansrådet ställer sig bakom förslaget.",
        recorded_by=world["people"]["chair"],
        **kwargs,
    )


def test_recent_decisions_reach_everyone_in_the_network_and_nobody_else(world):
    decision = decide(world)

    for who in ("chair", "coordinator", "member", "observer", "writer"):
        assert my_work(world["people"][who]).decisions == [decision], who
    for who in ("manager", "drafter", "approver", "expert", "outsider"):
        assert my_work(world["people"][who]).decisions == [], who


def test_decisions_older_than_sixty_days_are_no_longer_news(world):
    decide(world, recorded_at=timezone.now() - timedelta(days=61))

    assert my_work(world["people"]["member"]).decisions == []


# ------------------------------------------------------------------ another county's work


@pytest.fixture
def kronoberg(world):
    """Another county's whole chain, in which nobody of Örebro takes part."""
    outsider = world["people"]["outsider"]
    county = outsider.memberships.get().network
    chair = MembershipFactory(network=county, role=Role.CHAIR).user
    document = DocumentFactory(network=county, title="Kronobergs strategi")
    version = Version.objects.create(
        document=document, number=1, label="Remiss", title=document.title, content_hash="c" * 64
    )
    open_round = ReviewRound.objects.create(
        document=document,
        version=version,
        title="Kronobergs remiss",
        status=ReviewRound.Status.OPEN,
        opens_at=timezone.now() - timedelta(days=1),
        opened_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=2),
        chair=chair,
    )
    Consultee.objects.create(round=open_round, network=county)
    Consultee.objects.create(round=open_round, organisation=world["kumla"])  # invited, still
    Consultee.objects.create(round=open_round, network=world["managers"])
    decide(world, document=document, version=version)
    return {"chair": chair, "round": open_round}


def test_someone_from_another_county_sees_nothing_of_orebro(answered_in_part, kronoberg):
    close_soon(answered_in_part["round"])
    decide(answered_in_part)
    pending_sign_off(answered_in_part, [answered_in_part["people"]["chair"]])

    work = my_work(answered_in_part["people"]["outsider"])

    assert titles(work.owed) == ["Kronobergs remiss"]  # their own network is consulted
    assert work.to_answer == work.chairing == work.to_sign == []
    assert [d.document.title for d in work.decisions] == ["Kronobergs strategi"]


def test_orebro_sees_only_what_kronoberg_asks_of_orebro(answered_in_part, kronoberg):
    people = answered_in_part["people"]

    assert "Kronobergs remiss" in titles(my_work(people["drafter"]).owed)  # Kumla is consulted
    assert "Kronobergs remiss" in titles(my_work(people["manager"]).owed)
    for who in ("chair", "coordinator", "member", "writer"):
        work = my_work(people[who])
        assert "Kronobergs remiss" not in titles(work.owed + work.chairing), who
        assert all(d.document.title != "Kronobergs strategi" for d in work.decisions), who


# ------------------------------------------- the lists agree with the policies' actions


@pytest.fixture
def many_networks(world):
    """Rounds on documents of the working group, of an archived group, of a sub-group and of
    a group the writing group does not write for: closed with a waiting comment, and open
    closing soon (each on its own document)."""
    people = world["people"]
    archived = NetworkFactory(name="Nedlagd grupp", archived=True)
    sub = NetworkFactory(name="Undergrupp", parent=world["group"])
    elsewhere = NetworkFactory(name="Annan grupp")
    for who in ("chair", "writer", "member"):
        MembershipFactory(network=archived, user=people[who], role=Role.CHAIR)
    MembershipFactory(network=elsewhere, user=people["writer"], role=Role.WRITER)
    MembershipFactory(network=elsewhere, user=people["observer"], role=Role.COORDINATOR)
    rounds = []
    for network in (world["group"], archived, sub, elsewhere):
        for status in (ReviewRound.Status.CLOSED, ReviewRound.Status.OPEN):
            document = DocumentFactory(network=network)
            version = Version.objects.create(
                document=document, number=1, label="1", title=document.title, content_hash="d"
            )
            review_round = ReviewRound.objects.create(
                document=document,
                version=version,
                title=f"{network} {status}",
                status=status,
                opens_at=timezone.now() - timedelta(days=5),
                closes_at=timezone.now() + timedelta(days=2),
                chair=people["coordinator"],
            )
            Comment.objects.create(
                round=review_round, version=version, body="?", author=people["member"]
            )
            rounds.append(review_round)
    return rounds


@pytest.mark.parametrize("who", EVERYONE)
def test_the_lists_agree_with_the_permission_rules(world, many_networks, who):
    user = world["people"][who]
    work = my_work(user)

    closed = [r for r in many_networks if r.status == ReviewRound.Status.CLOSED]
    opened = [r for r in many_networks if r.status == ReviewRound.Status.OPEN]
    assert {t.review_round.pk for t in work.to_answer} == {
        r.pk for r in closed if RoundAction.ANSWER in registry.actions(user, r)
    }
    assert {c.review_round.pk for c in work.chairing} == {
        r.pk for r in opened if RoundAction.CLOSE in registry.actions(user, r)
    }


# ---------------------------------------------------------------------------------- page


def test_the_start_page_asks_an_anonymous_visitor_to_log_in(client):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_start_page_shows_my_work(client, english, answered_in_part):
    people = answered_in_part["people"]
    document = DocumentFactory(network=answered_in_part["group"], title="Handlingsplan")
    version = Version.objects.create(
        document=document, number=1, label="1", title=document.title, content_hash="e" * 64
    )
    soon = ReviewRound.objects.create(
        document=document,
        version=version,
        title="Remiss handlingsplan",
        status=ReviewRound.Status.OPEN,
        opens_at=timezone.now() - timedelta(days=20),
        opened_at=timezone.now() - timedelta(days=20),
        closes_at=timezone.now() + timedelta(days=2, minutes=5),
        chair=people["chair"],
    )
    for organisation in OrganisationFactory.create_batch(3):
        Consultee.objects.create(round=soon, organisation=organisation)
    decide(answered_in_part)
    sign_off = pending_sign_off(answered_in_part, [people["chair"]])
    client.force_login(people["chair"])

    response = client.get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>My work</h1>" in html
    assert answered_in_part["round"].get_absolute_url() in html
    assert "2 comments wait for an answer" in html
    assert soon.get_absolute_url() in html
    assert "0 of 3 parties have answered" in html
    assert sign_off.get_absolute_url() in html
    assert "Samverkansrådet endorses the proposal" in html
    assert reverse("networks:list") in html
    assert "<time datetime=" in html


def test_the_start_page_says_when_nothing_waits(client, english):
    client.force_login(UserFactory())

    html = client.get(reverse("home")).content.decode()

    assert "Nothing waits for you" in html
    assert html.count('class="empty-state"') == 5


def test_a_consulted_person_is_led_to_the_response_form(client, english, open_world):
    kumla = open_world["round"].consultees.get(organisation=open_world["kumla"])
    client.force_login(open_world["people"]["drafter"])

    html = client.get(reverse("home")).content.decode()

    assert reverse("consultations:respond", args=[open_world["round"].pk, kumla.pk]) in html
    assert "Closes in 10 days" in html


# ------------------------------------------------------------------------------ query counts


def grow(world, count):
    """`count` documents more, each with an open round closing soon that consults Kumla, the
    manager group and the expert; a closed round with waiting comments; a pending sign-off for
    the manager and the expert; and decisions. Straight in the database."""
    people = world["people"]
    for n in range(count):
        document = DocumentFactory(network=world["group"])
        version = Version.objects.create(
            document=document, number=1, label="1", title=document.title, content_hash=f"{n}"
        )
        for status in (ReviewRound.Status.OPEN, ReviewRound.Status.CLOSED):
            review_round = ReviewRound.objects.create(
                document=document,
                version=version,
                title=f"Runda {n} {status}",
                status=status,
                opens_at=timezone.now() - timedelta(days=5),
                closes_at=timezone.now() + timedelta(days=2),
                chair=people["chair"],
            )
            Consultee.objects.bulk_create(
                [
                    Consultee(round=review_round, organisation=world["kumla"]),
                    Consultee(round=review_round, network=world["managers"]),
                    Consultee(round=review_round, person=people["expert"]),
                    Consultee(round=review_round, organisation=OrganisationFactory()),
                ]
            )
            for author in ("member", "manager", "expert"):
                Comment.objects.create(
                    round=review_round, version=version, body="?", author=people[author]
                )
        sign_off = SignOff.objects.create(
            document=document, version=version, requested_by=people["chair"], required=2
        )
        sign_off.signatories.set([people["manager"], people["expert"], people["chair"]])
        decide(world, document=document, version=version)
    # And work in another county, which nobody of Örebro sees.
    county = NetworkFactory(name=f"Län {count}", kind=Network.Kind.NETWORK)
    for _n in range(count):
        decide(world, document=DocumentFactory(network=county))


def queries(action):
    with CaptureQueriesContext(connection) as captured:
        result = action()
    return len(captured), result


@pytest.mark.parametrize("who", ["chair", "writer", "drafter", "manager", "expert", "outsider"])
def test_my_work_costs_the_same_with_little_and_much_work(world, who):
    user = world["people"][who]
    grow(world, 2)
    few, little = queries(lambda: my_work(user))
    grow(world, 20)
    many, much = queries(lambda: my_work(user))

    assert few == many
    assert many <= 12
    if who != "outsider":
        size = len(much.owed + much.to_answer + much.chairing + much.to_sign + much.decisions)
        assert size > len(little.owed + little.to_answer + little.chairing + little.to_sign)


@pytest.mark.parametrize("who", ["chair", "manager"])
def test_the_start_page_costs_the_same_with_little_and_much_work(client, world, who):
    client.force_login(world["people"][who])
    grow(world, 2)
    client.get(reverse("home"))
    few, _response = queries(lambda: client.get(reverse("home")))
    grow(world, 20)
    many, response = queries(lambda: client.get(reverse("home")))

    assert response.status_code == 200
    assert few == many
