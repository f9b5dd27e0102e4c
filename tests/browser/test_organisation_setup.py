"""Setting up an organisation in a real browser, with axe-core on every page it passes.

A coordinator opens the organisations, adds a civil-society organisation with its registry
address, then changes that address from the organisation's page.
"""

import re

import pytest
from playwright.sync_api import expect

from networks.demo import DEMO_PASSWORD, seed_demo
from networks.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COORDINATOR = "coordinator@example.org"
NAME = "Bygdegårdarna i Örebro län"
TIMEOUT_MS = 10_000


def test_a_coordinator_adds_an_organisation_and_changes_its_registry_address(
    live_server_url, page, axe
):
    seed_demo()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server_url}/login/")
    page.get_by_label(re.compile(r"e-?post|e-?mail", re.I)).fill(COORDINATOR)
    page.get_by_label(re.compile(r"lösenord|password", re.I)).fill(DEMO_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"{live_server_url}/")

    # The organisations, and the form to add one.
    page.goto(f"{live_server_url}/organisations/")
    axe(page, "organisations")
    page.get_by_role("link", name="Lägg till organisation").click()
    page.wait_for_url(f"{live_server_url}/organisations/new/")
    axe(page, "add an organisation")

    # A wrong organisation number is refused with what was typed kept.
    page.get_by_label("Namn").fill(NAME)
    page.get_by_label("Typ").select_option(label="Civilsamhälle")
    page.get_by_label("Organisationsnummer").fill("802456-7890")
    page.get_by_label("Registratorns e-post").fill("registrator@bygdegardarna.se")
    page.get_by_role("button", name="Lägg till organisationen").click()
    expect(page.locator("#form-errors")).to_contain_text("inte ett giltigt organisationsnummer")
    expect(page.get_by_label("Namn")).to_have_value(NAME)
    axe(page, "add an organisation, refused")

    page.get_by_label("Organisationsnummer").fill("802456-7896")
    page.get_by_role("button", name="Lägg till organisationen").click()
    added = Organisation.objects.get(name=NAME)
    page.wait_for_url(f"{live_server_url}{added.get_absolute_url()}")
    expect(page.locator(".message--success")).to_contain_text(NAME)
    expect(page.get_by_text("registrator@bygdegardarna.se")).to_be_visible()
    axe(page, "the new organisation")

    # Change its registry address.
    page.get_by_role("link", name=f"Ändra {NAME}").click()
    page.wait_for_url(f"{live_server_url}/organisations/{added.pk}/edit/")
    axe(page, "change the organisation")
    page.get_by_label("Registratorns e-post").fill("orebro@bygdegardarna.se")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(f"{live_server_url}{added.get_absolute_url()}")
    expect(page.get_by_text("orebro@bygdegardarna.se")).to_be_visible()
    added.refresh_from_db()
    assert added.registry_email == "orebro@bygdegardarna.se"
    assert added.history.first().history_user.email == COORDINATOR
