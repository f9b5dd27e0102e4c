"""'Mitt arbete': each person sees what waits for them, and nothing of anyone else's work; the
page costs the same however much there is."""

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

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
from documents.models import Document, Version
from networks import registry
from networks.models import Network, Role
from tests.consultations import conftest as consultations
from tests.consultations import guesting
from tests.factories import (
    DocumentFactory,
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    UserFactory,
)
from workspace import dashboard
from workspace.dashboard import Ask, Step, my_work

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


def main_content(response) -> str:
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def page_text(response) -> str:
    """The main content's words as a person reads them: no tags, one space between words."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main_content(response))).split())


def headings(response) -> list[str]:
    found = re.findall(r"<h[12][^>]*>(.*?)</h[12]>", main_content(response), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", h).split()) for h in found]


def links(response) -> dict[str, str]:
    """The links of the main content by their text."""
    main = main_content(response)
    found = re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', main, re.S)
    return {" ".join(re.sub(r"<[^>]+>", " ", text).split()): href for href, text in found}


def main_menu(response) -> list[tuple[str, str, str | None]]:
    """(text, href, aria-current) of each link in the main menu."""
    body = response.content.decode()
    nav = re.search(r'<nav class="site-nav".*?</nav>', body, re.S)
    if nav is None:
        return []
    found = re.findall(r"<a ([^>]*)>(.*?)</a>", nav.group(0), re.S)
    menu = []
    for attributes, text in found:
        href = re.search(r'href="([^"]+)"', attributes).group(1)
        current = re.search(r'aria-current="([^"]+)"', attributes)
        menu.append((" ".join(text.split()), href, current.group(1) if current else None))
    return menu


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


# ------------------------------------------------------------------------------ to approve


def test_a_response_sent_for_approval_waits_for_the_approver_not_the_drafter(open_world):
    """The approver's list says "approve", not "write the response", once the drafter asks."""
    people = open_world["people"]
    kumla = open_world["round"].consultees.get(organisation=open_world["kumla"])
    response_services.save_draft(
        kumla, by_user=people["drafter"], position=Response.Position.SUPPORTS, summary="Ja."
    )
    approver = my_work(people["approver"])
    assert approver.to_approve == []  # a draft is not yet asked for
    assert [(o.consultee, o.started) for o in approver.owed] == [(kumla, True)]

    response_services.ask_for_approval(kumla, by_user=people["drafter"])

    approver = my_work(people["approver"])
    assert [a.consultee for a in approver.to_approve] == [kumla]
    assert approver.to_approve[0].deadline.days_left == 10
    assert approver.owed == []  # listed once, where it is asked
    drafter = my_work(people["drafter"])
    assert drafter.to_approve == []  # the drafter may not approve
    assert [(o.consultee, o.awaiting_approval) for o in drafter.owed] == [(kumla, True)]
    for who in ("chair", "coordinator", "member", "manager", "expert", "outsider"):
        assert my_work(people[who]).to_approve == [], who

    response_services.approve_and_submit(kumla, by_user=people["approver"])

    assert my_work(people["approver"]).to_approve == []
    assert my_work(people["drafter"]).owed == []


def test_the_responses_owed_come_by_deadline(open_world, kronoberg):
    """The expert owes Örebro's round (ten days) and a second one closing sooner."""
    people = open_world["people"]
    Consultee.objects.create(round=kronoberg["round"], person=people["expert"])

    owed = my_work(people["expert"]).owed

    assert titles(owed) == ["Kronobergs remiss", "Remiss augusti"]
    assert [o.deadline.days_left for o in owed] == [2, 10]


def test_the_group_whose_deadline_comes_first_is_on_top(open_world, kronoberg):
    """The chair runs Örebro's round (ten days left) and is asked, by name, for a response to
    Kronoberg's: the sooner deadline leads; a sign-off, which has none, comes last."""
    people = open_world["people"]
    chair = people["chair"]
    Consultee.objects.create(round=kronoberg["round"], person=chair)
    pending_sign_off(open_world, [chair])

    assert [g.ask for g in my_work(chair).groups] == [Ask.ANSWER, Ask.RUN, Ask.SIGN]

    ReviewRound.objects.filter(pk=kronoberg["round"].pk).update(
        closes_at=timezone.now() + timedelta(days=20)
    )

    assert [g.ask for g in my_work(chair).groups] == [Ask.RUN, Ask.ANSWER, Ask.SIGN]


def test_empty_groups_fold_into_one_line(open_world):
    with translation.override("en"):
        work = my_work(open_world["people"]["expert"])
        assert [g.ask for g in work.groups] == [Ask.ANSWER]
        assert work.folded == (
            "Nothing to approve, no comments to answer, nothing to sign, no round to run."
        )
    with translation.override("sv"):
        assert my_work(open_world["people"]["chair"]).folded == (
            "Inget remissvar att skriva, inget att godkänna, inga synpunkter att bemöta, "
            "inget att skriva under."
        )


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


# --------------------------------------------------------------------------- rounds to run


def test_those_who_run_a_round_always_see_it_while_it_is_open(open_world):
    """Not only in its last week: with ten days left, and how many parties have answered."""
    people = open_world["people"]
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
        running = my_work(people[who]).running
        assert titles(running) == ["Remiss augusti"], who
        assert running[0].step == Step.FOLLOW
        assert (running[0].consulted, running[0].answered) == (3, 1)
        assert running[0].deadline.days_left == 10
    for who in ("member", "observer", "writer", "manager", "expert", "outsider"):
        assert my_work(people[who]).running == [], who


def test_a_round_to_run_goes_from_sending_out_to_following_to_the_report(world):
    people = world["people"]
    review_round = world["round"]

    def steps():
        return [(r.review_round.title, r.step) for r in my_work(people["chair"]).running]

    assert steps() == [("Remiss augusti", Step.OPEN)]  # planned: send it out
    planned = my_work(people["chair"]).running[0]
    assert planned.consulted == 3
    assert planned.deadline.at == review_round.opens_at
    round_services.open_round(review_round, by_user=people["chair"])
    assert steps() == [("Remiss augusti", Step.FOLLOW)]
    comment_services.add_comment(review_round, by_user=people["member"], body="Saknas något?")
    round_services.close_round(review_round, by_user=people["chair"])
    closed = my_work(people["chair"]).running
    assert [(r.step, r.deadline, r.waiting) for r in closed] == [(Step.REPORT, None, 1)]
    round_services.publish_report(review_round, by_user=people["chair"])

    assert steps() == []


def test_the_chair_of_a_round_sees_it_even_without_a_role_in_the_network(open_world):
    people = open_world["people"]
    ReviewRound.objects.filter(pk=open_world["round"].pk).update(chair=people["manager"])

    assert titles(my_work(people["manager"]).running) == ["Remiss augusti"]


# --------------------------------------------------------------------------- sign-offs


def signing(user):
    return [item.sign_off for item in my_work(user).to_sign]


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

    assert signing(people["manager"]) == [sign_off]
    assert signing(people["expert"]) == [sign_off]
    Signature.objects.create(
        sign_off=sign_off,
        signer=people["manager"],
        verdict=Signature.Verdict.APPROVE,
        content_hash=world["version"].content_hash,
    )

    assert signing(people["manager"]) == []
    assert signing(people["expert"]) == [sign_off]
    for who in ("chair", "coordinator", "member", "writer", "outsider"):
        assert signing(people[who]) == [], who


def test_a_last_day_to_sign_is_the_sign_off_s_deadline(client, world):
    people = world["people"]
    sign_off = pending_sign_off(world, [people["manager"]])
    assert my_work(people["manager"]).to_sign[0].deadline is None
    SignOff.objects.filter(pk=sign_off.pk).update(sign_by=timezone.localdate() + timedelta(days=2))

    due = my_work(people["manager"]).to_sign[0].deadline
    assert due.days_left == 2
    assert not due.overdue
    client.force_login(people["manager"])
    assert "Skriv under senast" in page_text(client.get(reverse("home")))


def test_what_a_signatory_signed_is_listed_with_when_newest_first(client, world):
    people = world["people"]
    sign_off = pending_sign_off(world, [people["manager"], people["expert"]])
    Signature.objects.create(
        sign_off=sign_off,
        signer=people["manager"],
        verdict=Signature.Verdict.APPROVE,
        content_hash=world["version"].content_hash,
    )

    assert [s.sign_off for s in my_work(people["manager"]).signed] == [sign_off]
    assert my_work(people["expert"]).signed == []
    client.force_login(people["manager"])
    page = main_content(client.get(reverse("home")))
    signed = page.split('id="signed-heading"')[1]
    assert "Du har skrivit under" in page
    assert world["document"].title in signed
    assert sign_off.get_absolute_url() in signed


def test_a_sign_off_that_no_longer_waits_leaves_the_list(world):
    people = world["people"]
    sign_off = pending_sign_off(world, [people["manager"]])
    SignOff.objects.filter(pk=sign_off.pk).update(
        status=SignOff.Status.WITHDRAWN, completed_at=timezone.now()
    )

    assert signing(people["manager"]) == []


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


def test_the_latest_decisions_come_by_the_day_they_were_taken(world):
    today = timezone.localdate()
    earlier = decide(world, decided_on=today - timedelta(days=30))
    later = decide(
        world, decided_on=today - timedelta(days=2), recorded_at=timezone.now() - timedelta(days=9)
    )

    assert my_work(world["people"]["member"]).decisions == [later, earlier]


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
    assert work.to_approve == work.to_answer == work.running == work.to_sign == []
    assert [d.document.title for d in work.decisions] == ["Kronobergs strategi"]


def test_orebro_sees_only_what_kronoberg_asks_of_orebro(answered_in_part, kronoberg):
    people = answered_in_part["people"]

    assert "Kronobergs remiss" in titles(my_work(people["drafter"]).owed)  # Kumla is consulted
    assert "Kronobergs remiss" in titles(my_work(people["manager"]).owed)
    for who in ("chair", "coordinator", "member", "writer"):
        work = my_work(people[who])
        assert "Kronobergs remiss" not in titles(work.owed + work.running), who
        assert all(d.document.title != "Kronobergs strategi" for d in work.decisions), who


# ------------------------------------------- the lists agree with the policies' actions


@pytest.fixture
def many_networks(world):
    """Rounds on documents of the working group, of an archived group, of a sub-group and of
    a group the writing group does not write for: planned, open closing soon, and closed with
    a waiting comment (each on its own document); and a planned round on an adopted document."""
    people = world["people"]
    archived = NetworkFactory(name="Nedlagd grupp", archived=True)
    sub = NetworkFactory(name="Undergrupp", parent=world["group"])
    elsewhere = NetworkFactory(name="Annan grupp")
    for who in ("chair", "writer", "member"):
        MembershipFactory(network=archived, user=people[who], role=Role.CHAIR)
    MembershipFactory(network=elsewhere, user=people["writer"], role=Role.WRITER)
    MembershipFactory(network=elsewhere, user=people["observer"], role=Role.COORDINATOR)
    rounds = []

    def add(network, status, document_status=Document.Status.DRAFTING):
        document = DocumentFactory(network=network, status=document_status)
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

    for network in (world["group"], archived, sub, elsewhere):
        for status in ReviewRound.Status:
            add(network, status)
    add(world["group"], ReviewRound.Status.PLANNED, Document.Status.ADOPTED)
    return rounds


@pytest.mark.parametrize("who", EVERYONE)
def test_the_lists_agree_with_the_permission_rules(world, many_networks, who):
    user = world["people"][who]
    work = my_work(user)
    rounds = list(ReviewRound.objects.select_related("document"))

    def where(action):
        return {r.pk for r in rounds if action in registry.actions(user, r)}

    def listed(step):
        return {r.review_round.pk for r in work.running if r.step == step}

    assert {t.review_round.pk for t in work.to_answer} == where(RoundAction.ANSWER) - {
        r.pk for r in rounds if r.status != ReviewRound.Status.CLOSED
    }
    assert listed(Step.OPEN) == where(RoundAction.OPEN)
    assert listed(Step.FOLLOW) == where(RoundAction.CLOSE)
    assert listed(Step.REPORT) == where(RoundAction.PUBLISH_REPORT)


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
    text = page_text(response)
    assert "<h1>My work</h1>" in html
    # The groups: the round closing in two days first, then those without a deadline.
    assert headings(response) == [
        "My work",
        "Rounds you run 2",
        "Comments to answer 1",
        "Waiting for your signature 1",
        "Recent decisions",
    ]
    assert answered_in_part["round"].get_absolute_url() in html
    assert "2 comments wait for an answer" in text
    assert soon.get_absolute_url() in html
    assert "0 of 3 have answered · 2 days left" in text
    assert reverse("consultations:report", args=[answered_in_part["round"].pk]) in html
    assert sign_off.get_absolute_url() in html
    assert "Samverkansrådet endorses the proposal" in text
    assert "No response to write, nothing to approve." in text
    assert 'class="empty-state"' not in html
    assert reverse("networks:list") in html
    assert "<time datetime=" in html


def test_the_chair_sees_in_swedish_how_many_have_answered(client, open_world):
    people = open_world["people"]
    kumla = open_world["round"].consultees.get(organisation=open_world["kumla"])
    response_services.enter_on_behalf(
        kumla,
        by_user=people["chair"],
        position=Response.Position.SUPPORTS,
        summary="",
        via=Response.Via.EMAIL,
        received_at=timezone.now(),
    )
    client.force_login(people["chair"])

    text = page_text(client.get(reverse("home")))

    assert "Remissrundor du leder 1" in text
    assert "1 av 3 har svarat · 10 dagar kvar" in text
    assert "Följ remissrundan" in text


def test_the_start_page_says_when_nothing_waits(client, english):
    client.force_login(UserFactory())

    response = client.get(reverse("home"))

    assert "Nothing waits for you" in page_text(response)
    assert headings(response) == ["My work", "Recent decisions"]  # no empty boxes
    assert 'class="empty-state"' not in response.content.decode()


def test_a_consulted_person_is_led_to_the_response_form(client, english, open_world):
    kumla = open_world["round"].consultees.get(organisation=open_world["kumla"])
    client.force_login(open_world["people"]["drafter"])

    response = client.get(reverse("home"))

    link = reverse("consultations:respond", args=[open_world["round"].pk, kumla.pk])
    assert links(response)["Write the response"] == link
    assert "Regional strategi, for Kumla kommun" in page_text(response)
    assert "10 days left" in page_text(response)
    assert "Nothing to approve, no comments to answer, nothing to sign, no round to run." in (
        page_text(response)
    )


def test_the_approver_is_led_to_the_response_to_approve(client, english, open_world):
    people = open_world["people"]
    kumla = open_world["round"].consultees.get(organisation=open_world["kumla"])
    response_services.ask_for_approval(
        kumla,
        by_user=people["drafter"],
        draft=response_services.Draft(position=Response.Position.SUPPORTS, summary="Ja."),
    )
    link = reverse("consultations:respond", args=[open_world["round"].pk, kumla.pk])

    client.force_login(people["approver"])
    response = client.get(reverse("home"))

    assert headings(response)[1] == "To approve 1"
    assert links(response)["Review and approve the response"] == link
    assert "Write the response" not in page_text(response)

    client.force_login(people["drafter"])
    response = client.get(reverse("home"))

    assert "Sent for approval" in page_text(response)
    assert links(response)["Open the response"] == link


def test_the_signatory_is_led_to_the_sign_off(client, english, world):
    sign_off = pending_sign_off(world, [world["people"]["manager"]])
    client.force_login(world["people"]["manager"])

    response = client.get(reverse("home"))

    assert headings(response)[1] == "Waiting for your signature 1"
    assert links(response)["Read and sign"] == sign_off.get_absolute_url()
    assert "Requested by" in page_text(response)


def test_the_writing_group_is_led_to_the_comments(client, english, answered_in_part):
    client.force_login(answered_in_part["people"]["writer"])

    response = client.get(reverse("home"))

    assert headings(response)[1] == "Comments to answer 1"
    # The answering page, showing the comments that wait (the round's title leads to the round).
    answers = reverse("consultations:answers", args=[answered_in_part["round"].pk])
    assert links(response)["Answer the comments"] == f"{answers}?outcome=unanswered"


def test_my_work_is_first_in_the_main_menu_and_marked_there(client, english, world):
    client.force_login(world["people"]["member"])

    menu = main_menu(client.get(reverse("home")))
    assert menu[0] == ("My work", reverse("home"), "page")

    menu = main_menu(client.get(reverse("networks:list")))
    assert menu[0] == ("My work", reverse("home"), None)
    assert ("My networks", reverse("networks:list"), "page") in menu


def test_a_guest_has_no_my_work_in_the_menu(
    client, english, world, smtp_inbox, django_capture_on_commit_callbacks
):
    """A guest (who came by their party's link) has their round in the menu, not Mitt arbete,
    which would be 404 for them."""
    review_round = world["round"]
    reached = guesting.consult_by_link(
        review_round,
        world["people"]["chair"],
        smtp_inbox,
        django_capture_on_commit_callbacks,
    )
    client.force_login(guesting.guest_user(reached, smtp_inbox))

    response = client.get(review_round.get_absolute_url())

    assert response.status_code == 200
    menu = [href for _name, href, _current in main_menu(response)]
    assert menu == [review_round.get_absolute_url()]  # their round, without "Mitt arbete"
    assert client.get(reverse("home")).status_code == 404


# ------------------------------------------------------------------------------ query counts


def grow(world, count):
    """`count` documents more, each with a planned, an open and a closed round that consult
    Kumla, the manager group, the expert and another organisation, with comments waiting for
    an answer and, in the open round, Kumla's response waiting for approval; a pending
    sign-off for the manager, the expert and the chair; and decisions. Straight in the
    database."""
    people = world["people"]
    for n in range(count):
        document = DocumentFactory(network=world["group"])
        version = Version.objects.create(
            document=document, number=1, label="1", title=document.title, content_hash=f"{n}"
        )
        for status in (
            ReviewRound.Status.PLANNED,
            ReviewRound.Status.OPEN,
            ReviewRound.Status.CLOSED,
        ):
            review_round = ReviewRound.objects.create(
                document=document,
                version=version,
                title=f"Runda {n} {status}",
                status=status,
                opens_at=timezone.now() - timedelta(days=5),
                closes_at=timezone.now() + timedelta(days=2 + n),
                chair=people["chair"],
            )
            kumla, *_others = Consultee.objects.bulk_create(
                [
                    Consultee(round=review_round, organisation=world["kumla"]),
                    Consultee(round=review_round, network=world["managers"]),
                    Consultee(round=review_round, person=people["expert"]),
                    Consultee(round=review_round, organisation=OrganisationFactory()),
                ]
            )
            if status == ReviewRound.Status.OPEN:
                Response.objects.create(
                    consultee=kumla,
                    position=Response.Position.SUPPORTS,
                    state=Response.State.AWAITING_APPROVAL,
                )
            for author in ("member", "manager", "expert"):
                Comment.objects.create(
                    round=review_round, version=version, body="?", author=people[author]
                )
        sign_off = SignOff.objects.create(
            document=document, version=version, requested_by=people["chair"], required=2
        )
        sign_off.signatories.set([people["manager"], people["expert"], people["chair"]])
        Signature.objects.create(  # the expert has signed: it shows in what they signed
            sign_off=sign_off,
            signer=people["expert"],
            verdict=Signature.Verdict.APPROVE,
            content_hash=version.content_hash,
        )
        decide(world, document=document, version=version)
    # And work in another county, which nobody of Örebro sees.
    county = NetworkFactory(name=f"Län {count}", kind=Network.Kind.NETWORK)
    for _n in range(count):
        decide(world, document=DocumentFactory(network=county))


def size(work) -> int:
    return sum(len(group.items) for group in work.groups) + len(work.decisions)


def queries(action):
    with CaptureQueriesContext(connection) as captured:
        result = action()
    return len(captured), result


EVERYONE_AT_WORK = ["chair", "coordinator", "writer", "drafter", "approver", "manager", "expert"]
# Two for the ties that make a person speak for a party, three for the networks whose comments
# they answer, whose rounds they run and whose documents they read (a few ids, read once:
# planned on the indexes, where the nested rule read every round on national data), one for
# each list: answer and approve (one query), comments, sign, rounds to run, decisions, and what
# they signed.
QUERIES = 11
# The page adds the session, the person and the unread notifications.
PAGE_QUERIES = QUERIES + 3


@pytest.mark.parametrize("who", [*EVERYONE_AT_WORK, "outsider"])
def test_my_work_costs_the_same_with_little_and_much_work(world, who):
    user = world["people"][who]
    grow(world, 2)
    few, little = queries(lambda: my_work(user))
    grow(world, 20)
    many, much = queries(lambda: my_work(user))

    assert few == many <= QUERIES
    if who != "outsider":
        assert size(much) > size(little) > 0


@pytest.mark.parametrize("who", ["chair", "approver", "manager"])
def test_the_start_page_costs_the_same_with_little_and_much_work(client, world, who):
    client.force_login(world["people"][who])
    grow(world, 2)
    client.get(reverse("home"))
    few, _response = queries(lambda: client.get(reverse("home")))
    grow(world, 20)
    many, response = queries(lambda: client.get(reverse("home")))

    assert response.status_code == 200
    assert few == many <= PAGE_QUERIES


# ------------------------------------------------------------------- long lists: "show all"


def test_a_long_list_shows_its_first_items_and_how_many_there_are(
    client, english, open_world, kronoberg, monkeypatch
):
    """The expert owes two responses; with one shown per group, the sooner deadline is listed,
    the heading counts both, and "Show all 2" lists both, without a link to show more."""
    monkeypatch.setattr(dashboard, "SHOWN", 1)
    expert = open_world["people"]["expert"]
    Consultee.objects.create(round=kronoberg["round"], person=expert)
    client.force_login(expert)

    response = client.get(reverse("home"))

    assert "Responses to write 2" in headings(response)
    text = page_text(response)
    assert "Kronobergs remiss" in text
    assert "Remiss augusti" not in text
    assert links(response)["Show all 2"] == "?visa=answer#todo-answer"

    response = client.get(reverse("home"), {"visa": "answer"})

    assert "Responses to write 2" in headings(response)
    text = page_text(response)
    assert "Kronobergs remiss" in text
    assert "Remiss augusti" in text
    assert "Show all 2" not in links(response)


def test_the_rounds_one_runs_are_counted_and_the_first_by_deadline_shown(
    open_world, kronoberg, monkeypatch
):
    monkeypatch.setattr(dashboard, "SHOWN", 1)
    chair = open_world["people"]["chair"]
    ReviewRound.objects.filter(pk=kronoberg["round"].pk).update(chair=chair)

    work = my_work(chair)

    assert titles(work.running) == ["Kronobergs remiss"]  # two days left, the other ten
    group = next(g for g in work.groups if g.ask == Ask.RUN)
    assert (group.total, group.more) == (2, True)
    work = my_work(chair, show_all=Ask.RUN)
    assert titles(work.running) == ["Kronobergs remiss", "Remiss augusti"]
    assert not next(g for g in work.groups if g.ask == Ask.RUN).more


def test_an_unknown_group_to_show_whole_is_ignored(client, open_world):
    client.force_login(open_world["people"]["chair"])

    response = client.get(reverse("home"), {"visa": "<script>"})

    assert response.status_code == 200
    assert "Remiss augusti" in page_text(response)
