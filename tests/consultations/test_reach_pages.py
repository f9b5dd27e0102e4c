"""The round page tells those who run the round how each party is reached: its people in
Samverka, a guest link to its address (sent, opened, answered), or not at all and why, with the
way to fix it; others see none of it. Outside people are listed by name and address wherever the
parties are, the report and its files too. The page costs the same however many parties."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations import guests
from consultations.models import Consultee, GuestLink, GuestPass, Response
from consultations.services import rounds as round_services
from networks.models import Role
from tests.factories import MembershipFactory, OrganisationFactory
from tests.forms import page_text, parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def reached(world):
    """Lekeberg gets a guest link (nobody here, a registry address), Askersund cannot be reached
    (an observer represents it in the working group: they read, they do not speak), and a
    researcher outside Samverka is consulted by address."""
    chair = world["people"]["chair"]
    lekeberg = OrganisationFactory(name="Lekebergs kommun", registry_email="kommunen@lekeberg.se")
    askersund = OrganisationFactory(name="Askersunds kommun")
    MembershipFactory(network=world["group"], role=Role.OBSERVER, organisation=askersund)
    round_services.add_consultees(
        world["round"],
        by_user=chair,
        organisations=[lekeberg, askersund],
        outside=[("anna.berg@oru.se", "Anna Berg")],
    )
    parties = world["round"].consultees
    world["lekeberg"] = parties.get(organisation=lekeberg)
    world["askersund"] = parties.get(organisation=askersund)
    world["anna"] = parties.get(outside_email="anna.berg@oru.se")
    return world


def party_line(page, party: str) -> str:
    """What the list of parties says of one party (its item's text, as a person reads it)."""
    items = [
        " ".join(node.text(visible=True).split())
        for node in parse(page.content.decode()).walk()
        if node.tag == "li" and node.attrs.get("class") == "party"
    ]
    [found] = [item for item in items if item.startswith(party)]
    return found


def test_the_chair_sees_how_each_party_is_reached(client, reached):
    chair = reached["people"]["chair"]
    round_services.open_round(reached["round"], by_user=chair)
    lekeberg_pass = GuestPass.objects.get(consultee=reached["lekeberg"])
    sent = timezone.make_aware(timezone.datetime(2025, 12, 3, 10))
    GuestLink.objects.filter(guest_pass=lekeberg_pass).update(sent_at=sent)
    GuestPass.objects.filter(pk=lekeberg_pass.pk).update(opened_at=sent + timedelta(days=1))
    Response.objects.create(
        consultee=reached["lekeberg"],
        state=Response.State.SUBMITTED,
        position=Response.Position.SUPPORTS,
        submitted_at=sent + timedelta(days=2),
    )
    Consultee.objects.filter(pk=reached["lekeberg"].pk).update(status=Consultee.Status.SUBMITTED)
    client.force_login(chair)

    page = client.get(reached["round"].get_absolute_url())
    text = page_text(page)

    lekeberg = party_line(page, "Lekebergs kommun")
    masked = guests.masked("kommunen@lekeberg.se")
    assert f"Gästlänk till registratorsadress {masked}" in lekeberg
    assert "svarade 5 dec" in lekeberg  # on the party's line, for every party
    assert "skickad 3 dec öppnad 4 dec" in lekeberg
    assert "kommunen@lekeberg.se" not in text  # the address is shown masked
    assert "Personer i Samverka" in party_line(page, "Kumla kommun")
    askersund = party_line(page, "Askersunds kommun")
    assert "Kan inte nås: Ingen i Samverka företräder Askersunds kommun" in askersund
    assert "Lägg till registratorsadress" in askersund
    anna = party_line(page, "Anna Berg")
    assert f"Gästlänk till {guests.masked('anna.berg@oru.se')} på väg" in anna
    assert "Skicka länken igen" in anna
    assert "Dra tillbaka länken" in anna


def test_the_edit_link_shows_only_to_who_may_edit_the_organisation(client, reached):
    """The round's own chair from outside the network runs the round, but the organisation's
    facts are edited by the coordinators of the networks it takes part in."""
    round_services.open_round(reached["round"], by_user=reached["people"]["chair"])
    coordinator = reached["people"]["coordinator"]
    client.force_login(coordinator)
    assert "Lägg till registratorsadress" in page_text(
        client.get(reached["round"].get_absolute_url())
    )
    reached["round"].chair = MembershipFactory(network=reached["managers"]).user
    reached["round"].save(update_fields=["chair"])
    client.force_login(reached["round"].chair)

    text = page_text(client.get(reached["round"].get_absolute_url()))

    assert "Kan inte nås: Ingen i Samverka företräder Askersunds kommun" in text
    assert "Lägg till registratorsadress" not in text


@pytest.mark.parametrize("who", ["member", "writer", "manager", "expert"])
def test_those_who_do_not_run_the_round_are_not_shown_how_parties_are_reached(client, reached, who):
    round_services.open_round(reached["round"], by_user=reached["people"]["chair"])
    client.force_login(reached["people"][who])

    text = page_text(client.get(reached["round"].get_absolute_url()))

    assert "Lekebergs kommun" in text
    for hidden in ("Gästlänk", "Kan inte nås", "Personer i Samverka", "Skicka länken"):
        assert hidden not in text


def test_a_planned_round_says_the_links_go_out_when_it_opens(client, reached):
    client.force_login(reached["people"]["chair"])

    page = client.get(reached["round"].get_absolute_url())
    text = page_text(page)

    assert "1 remissinstans kan inte nås" in text
    assert "2 remissinstanser får en gästlänk" in text
    assert "Länken skickas när remissen öppnas." in party_line(page, "Lekebergs kommun")
    assert "Skicka länken" not in text


def test_outside_people_are_in_the_report_and_its_files(client, reached):
    chair = reached["people"]["chair"]
    round_services.open_round(reached["round"], by_user=chair)
    round_services.close_round(reached["round"], by_user=chair)
    client.force_login(chair)
    pk = reached["round"].pk

    report = page_text(client.get(reverse("consultations:report", args=[pk])))
    csv = client.get(reverse("consultations:report_file", args=[pk, "csv"]))
    docx = client.get(reverse("consultations:report_file", args=[pk, "docx"]))

    assert "Anna BergHar inte svarat" in report
    assert "anna.berg@oru.se" not in report  # by name: her address is not published
    assert (
        "Anna Berg" in b"".join(csv.streaming_content).decode()
        if (csv.streaming)
        else csv.content.decode()
    )
    assert docx.status_code == 200


# ------------------------------------------------------------------------------ query counts


def grow(world, count, offset=0):
    """Parties of every kind of reach: organisations with an address (a link), without one
    (nobody reaches them), and people outside Samverka."""
    chair = world["people"]["chair"]
    with_address = [
        OrganisationFactory(name=f"Kommun A{offset + n}", registry_email=f"reg{offset + n}@k.se")
        for n in range(count)
    ]
    without = [OrganisationFactory(name=f"Kommun B{offset + n}") for n in range(count)]
    for organisation in without:
        MembershipFactory(network=world["group"], role=Role.OBSERVER, organisation=organisation)
    round_services.add_consultees(
        world["round"],
        by_user=chair,
        organisations=[*with_address, *without],
        outside=[(f"person{offset + n}@uni.se", f"Person {offset + n}") for n in range(count)],
    )
    GuestLink.objects.update(sent_at=timezone.now())


def queries(client, url):
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# The chair's pages, with how every party is reached: its people (one query for all), its guest
# pass (one), and, when an organisation cannot be reached, whether the chair may add its address
# (two); and on the round page the last reminder (one).
MOST = {"round": 18, "open": 13}


@pytest.mark.parametrize("page", ["round", "open"])
def test_the_pages_that_tell_how_parties_are_reached_do_not_grow_with_them(client, world, page):
    client.force_login(world["people"]["chair"])
    url = (
        world["round"].get_absolute_url()
        if page == "round"
        else reverse("consultations:step", args=[world["round"].pk, "open"])
    )
    grow(world, 2)
    few = queries(client, url)
    grow(world, 20, offset=100)
    assert queries(client, url) == few
    assert few <= MOST[page]


def test_the_open_round_page_does_not_grow_with_its_guest_parties(client, open_world):
    client.force_login(open_world["people"]["chair"])
    url = open_world["round"].get_absolute_url()
    grow(open_world, 2)
    few = queries(client, url)
    grow(open_world, 20, offset=100)
    assert GuestPass.objects.count() == 44
    assert queries(client, url) == few
    assert few <= MOST["round"]


def test_withdrawing_what_cannot_be_withdrawn_says_why_and_changes_nothing(client, reached):
    chair = reached["people"]["chair"]
    round_services.open_round(reached["round"], by_user=chair)
    client.force_login(chair)

    def withdraw(party, method):
        url = reverse("consultations:withdraw_link", args=[reached["round"].pk, party.pk])
        response = getattr(client, method)(url, follow=True)
        assert response.redirect_chain[-1][0].endswith(f"#party-{party.pk}")
        return page_text(response)

    for method in ("get", "post"):
        assert "Ingen gästlänk har skickats till den här remissinstansen" in withdraw(
            reached["askersund"], method
        )
    round_services.close_round(reached["round"], by_user=chair)
    for method in ("get", "post"):
        assert "Remissrundan är redan stängd." in withdraw(reached["lekeberg"], method)
    assert not GuestPass.objects.filter(revoked_at__isnull=False).exists()
