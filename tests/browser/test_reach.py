"""How the round reaches its parties, in a real browser with axe-core: the coordinator's round
page lists per party its people, its guest link or why nobody is reached; the coordinator sends a
link again, and withdraws one after the question page."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from consultations.demo import NOVEMBER
from consultations.demo import seed_demo as seed_rounds
from consultations.models import GuestPass, ReviewRound
from consultations.services import rounds as round_services
from documents.demo import seed_demo as seed_documents
from networks.demo import seed_demo
from networks.models import Organisation
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COORDINATOR = "coordinator@example.org"
TIMEOUT_MS = 10_000


def test_the_coordinator_sees_how_parties_are_reached_and_sends_and_withdraws_links(
    live_server_url, page, axe
):
    seed_demo()
    seed_documents()
    seed_rounds()
    review_round = ReviewRound.objects.get(title=NOVEMBER)
    coordinator = get_user_model().objects.get(email=COORDINATOR)
    lekeberg, _ = Organisation.objects.update_or_create(
        name="Lekebergs kommun", defaults={"registry_email": "kommunen@lekeberg.se"}
    )
    nowhere = Organisation.objects.create(name="Exempelstads kommun")
    round_services.add_consultees(
        review_round,
        by_user=coordinator,
        organisations=[lekeberg, nowhere],
        outside=[("anna.berg@oru.se", "Anna Berg")],
    )
    page.set_default_timeout(TIMEOUT_MS)
    base = live_server_url
    log_in(page, base, COORDINATOR, then=review_round.get_absolute_url())

    parties = page.locator(".party-list")
    expect(parties).to_contain_text("Personer i Samverka")
    expect(parties).to_contain_text("Gästlänk till registratorsadress k•••••••@lekeberg.se")
    expect(parties).to_contain_text("Kan inte nås: Ingen i Samverka företräder Exempelstads kommun")
    axe(page, "round page with how parties are reached")

    page.get_by_role("button", name="Skicka länken igen (Anna Berg)").click()
    expect(page.locator(".messages")).to_contain_text(
        "En ny länk till remissen är på väg till anna.berg@oru.se"
    )
    axe(page, "round page after sending a link")

    page.get_by_role("link", name="Dra tillbaka länken (Lekebergs kommun)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Dra tillbaka länken till Lekebergs kommun?"
    )
    axe(page, "withdraw a guest link")
    page.get_by_role("button", name="Dra tillbaka länken").click()
    expect(page.locator(".party-list")).to_contain_text("tillbakadragen")
    assert GuestPass.objects.get(consultee__organisation=lekeberg).revoked_at is not None


def test_before_opening_the_coordinator_reads_who_cannot_be_reached(live_server_url, page, axe):
    seed_demo()
    seed_documents()
    seed_rounds()
    open_round = ReviewRound.objects.get(title=NOVEMBER)
    coordinator = get_user_model().objects.get(email=COORDINATOR)
    planned = ReviewRound.objects.create(
        document=open_round.document,
        version=open_round.version,
        title="Remiss till forskarna",
        chair=coordinator,
        opens_at=open_round.opens_at,
        closes_at=open_round.closes_at,
    )
    round_services.add_consultees(
        planned,
        by_user=coordinator,
        organisations=[Organisation.objects.create(name="Exempelstads kommun")],
        outside=[("anna.berg@oru.se", "Anna Berg")],
    )
    page.set_default_timeout(TIMEOUT_MS)
    base = live_server_url
    log_in(page, base, COORDINATOR, then=planned.get_absolute_url())

    expect(page.locator(".callout--warning")).to_contain_text("1 remissinstans kan inte nås")
    expect(page.locator(".party-list")).to_contain_text("Länken skickas när remissen öppnas.")
    axe(page, "planned round with how parties are reached")
    page.get_by_role("link", name="Öppna remissrundan").click()
    expect(page.locator("main")).to_contain_text("1 remissinstans får en gästlänk")
    expect(page.locator("main")).to_contain_text("Anna Berg: anna.berg@oru.se")
    axe(page, "opening a round, told who cannot be reached")
