"""The other pages in a real browser: axe-core on each, the language switch, and the role change
in place (htmx) that also works as a plain form."""

import re

import pytest
from playwright.sync_api import expect

from consultations.demo import NOVEMBER
from consultations.demo import seed_demo as seed_rounds
from documents.demo import seed_demo as seed_documents
from networks.demo import ARBETSGRUPP, seed_demo
from networks.models import Membership, Network
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000


def test_every_other_page_passes_axe(live_server_url, page, axe):
    seed_demo()
    base = live_server_url
    page.set_default_timeout(TIMEOUT_MS)
    for path, label in [
        ("/password-reset/", "password reset"),
        ("/invitations/no-such-token/", "unknown invitation"),
        ("/networks/999999/", "not found"),
    ]:
        page.goto(base + path)
        axe(page, label)
    log_in(page, base, "chair@example.org", then="/networks/")
    group = Network.objects.get(name=ARBETSGRUPP)
    member = Membership.objects.get(network=group, user__email="member@example.org")
    page.goto(f"{base}/networks/{group.pk}/members/{member.pk}/end/")
    axe(page, "end membership")
    page.goto(f"{base}/networks/{group.pk}/members/{member.pk}/organisation/")
    axe(page, "change the organisation a member represents")
    writing_group = Network.objects.get(name="Skrivargrupp")
    page.goto(f"{base}{writing_group.get_absolute_url()}")
    axe(page, "sub-group seen from above")
    # A member who may not manage sees a readable refusal.
    page.context.clear_cookies()
    log_in(page, base, "member@example.org", then="/networks/")
    page.goto(f"{base}/networks/{group.pk}/members/")
    axe(page, "refused")


def test_my_work_is_reached_from_the_main_menu_and_reads_on_a_phone(live_server_url, page, axe):
    """The coordinator runs the agreement's open round (the demo): the menu's first link leads
    to Mitt arbete, which says how many parties have answered and how long is left."""
    seed_demo()
    seed_documents()
    seed_rounds()
    base = live_server_url
    page.set_default_timeout(TIMEOUT_MS)
    log_in(page, base, "coordinator@example.org", then="/networks/")
    menu = page.get_by_role("navigation", name="Huvudmeny")
    expect(menu.get_by_role("link").first).to_have_text("Mitt arbete")
    expect(menu.get_by_role("link", name="Mitt arbete")).not_to_have_attribute(
        "aria-current", "page"
    )

    menu.get_by_role("link", name="Mitt arbete").click()

    page.wait_for_url(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mitt arbete")
    expect(menu.get_by_role("link", name="Mitt arbete")).to_have_attribute("aria-current", "page")
    running = page.get_by_role("region", name="Remissrundor du leder")
    expect(running.get_by_role("link", name=NOVEMBER).first).to_be_visible()
    expect(running).to_contain_text(re.compile(r"0 av 4 har svarat\s·\s\d+ dagar kvar"))
    expect(page.locator(".empty-state")).to_have_count(0)
    axe(page, "Mitt arbete, the coordinator")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(running.get_by_role("link", name="Följ remissrundan")).to_be_visible()
    axe(page, "Mitt arbete at 390 px")


def test_the_language_switch_turns_the_page_english_and_back(live_server_url, page, axe):
    seed_demo()
    page.set_default_timeout(TIMEOUT_MS)
    log_in(page, live_server_url, "member@example.org", then="/networks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina nätverk")
    page.locator(".account__toggle").click()  # the person's menu holds the language
    page.locator("#language-select").select_option("en")
    page.locator(".lang-switch button").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My networks")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    axe(page, "my networks in English")
    page.locator(".account__toggle").click()
    page.locator("#language-select").select_option("sv")
    page.locator(".lang-switch button").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina nätverk")


def test_a_role_changes_in_place_and_the_last_chair_is_kept(live_server_url, page, axe):
    seed_demo()
    page.set_default_timeout(TIMEOUT_MS)
    base = live_server_url
    log_in(page, base, "chair@example.org", then="/networks/")
    group = Network.objects.get(name=ARBETSGRUPP)
    page.goto(f"{base}/networks/{group.pk}/members/")
    member = Membership.objects.get(network=group, user__email="member@example.org")
    row = page.locator(f"#member-{member.pk}")
    row.locator("select[name=role]").select_option("writer")
    row.locator("button[type=submit]").click()
    expect(page.locator(f"#member-{member.pk} [role=status]")).to_be_visible()
    assert page.url == f"{base}/networks/{group.pk}/members/"  # no page load: swapped in place
    member.refresh_from_db()
    assert member.role == "writer"

    chair = Membership.objects.get(network=group, user__email="chair@example.org")
    chair_row = page.locator(f"#member-{chair.pk}")
    chair_row.locator("select[name=role]").select_option("member")
    chair_row.locator("button[type=submit]").click()
    alert = page.locator(f"#member-{chair.pk} [role=alert]")
    expect(alert).to_contain_text(re.compile("ordförande", re.I))
    axe(page, "members, after a refused change")
    chair.refresh_from_db()
    assert chair.role == "chair"
