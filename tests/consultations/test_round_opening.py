"""Starting and opening a round through its pages: each person is told once, the subjects do not
say "Remiss" twice, and the form tells nobody who has an account."""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from consultations.models import Consultee, ReviewRound
from networks.models import Affiliation, Role
from notifications.models import Notification
from tests.consultations.page_forms import fill, form_posting_to, form_with
from tests.factories import MembershipFactory, NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db


def start_round(client, world, **changes):
    """The chair fills in the new-round form as the page offers it, changing only `changes`."""
    url = reverse("consultations:round_new", args=[world["document"].pk])
    form = form_with(client.get(url).content.decode(), "title")
    day = (timezone.localdate() + timedelta(days=20)).isoformat()
    return client.post(url, fill(form, {"closes_on": day, **changes}))


def open_by_page(client, review_round):
    url = reverse("consultations:step", args=[review_round.pk, "open"])
    form = form_posting_to(client.get(url).content.decode())
    return client.post(url, fill(form))


def test_opening_a_round_tells_each_person_once(world, client):
    """A reader of the document who is in the consulted network and acts for the consulted
    organisation is told once; so is everyone else who follows the document, the writing
    group's writer too (they work on it; they were not told before issue 12)."""
    people = world["people"]
    both = MembershipFactory(network=world["group"], organisation=world["kumla"]).user
    Affiliation.objects.create(user=both, organisation=world["kumla"])
    client.force_login(people["chair"])
    created = start_round(
        client,
        world,
        title="Remiss hösten",
        networks=[str(world["group"].pk)],
        organisations=[str(world["kumla"].pk)],
    )
    assert created.status_code == 302
    review_round = ReviewRound.objects.get(title="Remiss hösten")
    assert open_by_page(client, review_round).status_code == 302
    review_round.refresh_from_db()
    assert review_round.status == ReviewRound.Status.OPEN

    told = Counter(
        Notification.objects.filter(target_id=str(review_round.pk)).values_list(
            "recipient_id", flat=True
        )
    )
    expected = {
        both.pk,
        people["member"].pk,
        people["coordinator"].pk,
        people["observer"].pk,
        people["writer"].pk,
        people["drafter"].pk,
        people["approver"].pk,
    }
    assert set(told) == expected
    assert set(told.values()) == {1}
    kinds = dict(
        Notification.objects.filter(target_id=str(review_round.pk)).values_list(
            "recipient_id", "kind"
        )
    )
    assert kinds[both.pk] == "consultee_added"  # asked to answer, not merely "it opened"


def test_a_party_added_to_an_open_round_does_not_tell_those_already_asked(open_world, client):
    """The drafter acts for Kumla (consulted at the start) and is in the writing group too:
    consulting the writing group tells only its other members."""
    from networks.models import Network

    people = open_world["people"]
    writing = Network.objects.get(name="Skrivargruppen")
    MembershipFactory(network=writing, user=people["drafter"])
    review_round = open_world["round"]

    def told():
        return Counter(
            Notification.objects.filter(target_id=str(review_round.pk)).values_list(
                "recipient_id", flat=True
            )
        )

    before = told()
    assert before[people["drafter"].pk] == 1
    client.force_login(people["chair"])
    url = reverse("consultations:step", args=[review_round.pk, "consult"])
    form = form_with(client.get(url).content.decode(), "people")
    assert client.post(url, fill(form, {"networks": [str(writing.pk)]})).status_code == 302
    assert review_round.consultees.filter(network=writing).exists()
    assert told() - before == Counter({people["writer"].pk: 1})


def test_the_suggested_title_does_not_give_remiss_twice_in_the_subject(world, client):
    people = world["people"]
    client.force_login(people["chair"])
    page = client.get(reverse("consultations:round_new", args=[world["document"].pk]))
    suggested = dict(form_with(page.content.decode(), "title").fields)["title"]
    assert suggested == "Remiss av Regional strategi"
    start_round(client, world, organisations=[str(world["kumla"].pk)])
    review_round = ReviewRound.objects.get(title=suggested)
    open_by_page(client, review_round)
    told = Notification.objects.filter(target_id=str(review_round.pk), kind="consultee_added")
    assert told.exists()
    with translation.override("sv"):
        subjects = {n.subject for n in told}
    assert subjects == {"Remiss av Regional strategi"}
    with translation.override("en"):
        assert {n.subject for n in told} == {"Consultation: Remiss av Regional strategi"}


def test_a_title_without_the_prefix_keeps_it(world, client):
    client.force_login(world["people"]["chair"])
    start_round(client, world, title="Augustirundan", organisations=[str(world["kumla"].pk)])
    review_round = ReviewRound.objects.get(title="Augustirundan")
    open_by_page(client, review_round)
    told = Notification.objects.filter(target_id=str(review_round.pk), kind="consultee_added")
    with translation.override("sv"):
        assert {n.subject for n in told} == {"Remiss: Augustirundan"}


def _answer(response, address):
    """The page as the chair reads it, with the address and the form's token taken out."""
    text = response.content.decode().replace(address, "ADDRESS")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", text)


def test_an_account_out_of_the_chairs_reach_is_answered_like_no_account(world, client):
    people = world["people"]
    elsewhere = MembershipFactory(
        network=NetworkFactory(name="Kalmar"), role=Role.MEMBER, user__email="ada@kalmar.example"
    ).user
    client.force_login(people["chair"])
    before = (ReviewRound.objects.count(), Consultee.objects.count())

    nobody = start_round(client, world, title="Remiss X", people="ingen@nowhere.example")
    someone = start_round(client, world, title="Remiss X", people=elsewhere.email)

    assert nobody.status_code == someone.status_code == 400
    assert "Ingen som du kan skicka remissen till har adressen" in nobody.content.decode()
    assert _answer(nobody, "ingen@nowhere.example") == _answer(someone, elsewhere.email)
    assert (ReviewRound.objects.count(), Consultee.objects.count()) == before
    assert elsewhere.email in someone.content.decode()  # what was typed is kept


def test_the_consult_step_answers_the_same_way(open_world, client):
    people = open_world["people"]
    UserFactory(email="bo@kalmar.example")  # an account nobody here can see
    client.force_login(people["chair"])
    url = reverse("consultations:step", args=[open_world["round"].pk, "consult"])
    form = form_with(client.get(url).content.decode(), "people")
    before = Consultee.objects.count()
    nobody = client.post(url, fill(form, {"people": "ingen@nowhere.example"}))
    someone = client.post(url, fill(form, {"people": "bo@kalmar.example"}))
    assert nobody.status_code == someone.status_code == 400
    assert _answer(nobody, "ingen@nowhere.example") == _answer(someone, "bo@kalmar.example")
    assert Consultee.objects.count() == before


def test_people_the_chair_can_see_are_consulted_by_name(world, client):
    people = world["people"]
    client.force_login(people["chair"])
    start_round(
        client,
        world,
        title="Remiss Y",
        people=f"{people['member'].email}\n{people['writer'].email.upper()}",
    )
    review_round = ReviewRound.objects.get(title="Remiss Y")
    named = set(review_round.consultees.values_list("person_id", flat=True))
    assert named == {people["member"].pk, people["writer"].pk}


def test_people_of_an_organisation_the_chair_does_not_work_with_are_not_within_reach(world, client):
    """Kumla takes part in none of the chair's networks, so its people are not shown to the
    chair anywhere (networks.policies.PersonPolicy): naming its approver is answered as for an
    address without an account, and nothing is created."""
    people = world["people"]
    client.force_login(people["chair"])
    before = Consultee.objects.count()
    response = start_round(client, world, title="Remiss Z", people=people["approver"].email)
    assert response.status_code == 400
    assert people["approver"].email in response.content.decode()
    assert Consultee.objects.count() == before


def _party_badges(page: str) -> dict[str, str]:
    """Each consulted party's status badge, as the round page lists them."""
    found = re.findall(
        r'<li class="party">\s*<span>([^<]+)</span>\s*<span class="badge[^"]*">([^<]+)</span>', page
    )
    return {party.strip(): badge.strip() for party, badge in found}


def test_closing_early_does_not_call_the_silent_parties_late(open_world, client):
    people = open_world["people"]
    client.force_login(people["chair"])
    review_round = open_world["round"]
    url = reverse("consultations:step", args=[review_round.pk, "close"])
    form = form_posting_to(client.get(url).content.decode())
    assert client.post(url, fill(form)).status_code == 302

    page = client.get(review_round.get_absolute_url()).content.decode()
    badges = _party_badges(page)
    assert badges["Kumla kommun"] == "Svarade inte – rundan stängdes i förtid"
    assert "Försenad" not in page
    assert "stängdes i förtid, den" in page


def test_parties_silent_at_the_deadline_are_late(open_world, client):
    from consultations.services import rounds as round_services

    review_round = open_world["round"]
    ReviewRound.objects.filter(pk=review_round.pk).update(
        opens_at=timezone.now() - timedelta(days=10),
        closes_at=timezone.now() - timedelta(minutes=1),
    )
    round_services.close_due_rounds()
    client.force_login(open_world["people"]["chair"])
    page = client.get(review_round.get_absolute_url()).content.decode()
    assert _party_badges(page)["Kumla kommun"] == "Försenad"
    assert "i förtid" not in page
