"""Setting a group up in a real browser, with axe-core on every page it passes.

The coordinator of the working group creates a new writing group under it from the working
group's page, lands on the new group as its coordinator, and finds it under the working group.
"""

import re

import pytest
from playwright.sync_api import expect

from networks.demo import ARBETSGRUPP, DEMO_PASSWORD, seed_demo
from networks.models import Membership, Network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COORDINATOR = "coordinator@example.org"
NEW_GROUP = "Skrivargrupp för familjecentraler"
TIMEOUT_MS = 10_000


def test_a_coordinator_creates_a_writing_group_under_the_working_group(live_server_url, page, axe):
    seed_demo()
    group = Network.objects.get(name=ARBETSGRUPP)
    page.set_default_timeout(TIMEOUT_MS)

    page.goto(f"{live_server_url}/login/")
    page.get_by_label(re.compile(r"e-?post|e-?mail", re.I)).fill(COORDINATOR)
    page.get_by_label(re.compile(r"lösenord|password", re.I)).fill(DEMO_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"{live_server_url}/")

    page.goto(f"{live_server_url}{group.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(ARBETSGRUPP)
    axe(page, "working group, for its coordinator")

    page.get_by_role("link", name="Ny underliggande grupp").click()
    page.wait_for_url(f"{live_server_url}/networks/{group.pk}/groups/new/")
    axe(page, "new group form")

    page.get_by_label("Namn").fill(NEW_GROUP)
    page.get_by_label("Typ").select_option(label="Skrivargrupp")
    page.get_by_label("Beskrivning").fill("Skriver överenskommelsen om familjecentraler.")
    page.get_by_role("button", name="Skapa gruppen").click()

    created = Network.objects.get(name=NEW_GROUP)
    page.wait_for_url(f"{live_server_url}{created.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_GROUP)
    expect(page.locator(".message--success")).to_contain_text("Du är samordnare")
    members = page.locator(".table-wrap[aria-labelledby=members-heading] table")
    expect(members).to_contain_text("Samordnare")
    axe(page, "the new group")

    page.get_by_role("navigation", name="Du är här").get_by_role("link", name=ARBETSGRUPP).click()
    page.wait_for_url(f"{live_server_url}{group.get_absolute_url()}")
    groups = page.locator("aside[aria-labelledby=groups-heading]")
    expect(groups.get_by_role("link", name=NEW_GROUP)).to_be_visible()

    assert created.parent == group
    assert Membership.objects.get(network=created).user.email == COORDINATOR
