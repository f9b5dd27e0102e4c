"""The chair follows a round on a phone (390 × 844), by keyboard.

Cecilia chairs the working group whose agreement is out on consultation (the demo's November
round: the managers' network, Kumla, Karlskoga, and Lekeberg reached by a guest link; Karlskoga's
letter came yesterday). She logs in, finds the round in "Mitt arbete", and the round page shows
her the parties first, before the document: who has answered and when, how many days are left,
how each party is reached. She reminds those who have not answered (the question names them, the
button says how many), sees the reminder recorded on the page, and the people of the parties
and Lekeberg's registry address get it by e-mail. Then she goes to close the round, and the
close step gives her the numbers before the button. axe (WCAG 2.1 AA and best practice) runs on
every page state; the Tab presses are counted (`-s` prints them).
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consultations.demo import NOVEMBER
from consultations.demo import seed_demo as seed_rounds
from consultations.models import Consultee, Response, ReviewRound, RoundReminder
from documents.demo import seed_demo as seed_documents
from networks.demo import registry_address
from networks.demo import seed_demo as seed_networks
from tests.browser.conftest import AXE_JS, _describe
from tests.journeys.conftest import log_in_here
from tests.journeys.keyboard import Keyboard
from tests.journeys.test_chain import message

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

CHAIR = "chair@example.org"
PHONE = {"width": 390, "height": 844}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
WAITING = ("Chefsnätverk socialtjänst", "Kumla kommun", "Lekebergs kommun")


def axe(page, label: str) -> None:
    """axe-core on the page: no WCAG 2.1 A/AA violation, and no best-practice one."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text())
    violations = page.evaluate(
        "options => axe.run(document, options)",
        {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
    )["violations"]
    assert not violations, f"axe on {label} ({page.url}) at 390 px:\n{_describe(violations)}"


def karlskoga_answered_by_letter() -> None:
    party = Consultee.objects.get(round__title=NOVEMBER, organisation__name="Karlskoga kommun")
    yesterday = timezone.now() - timedelta(days=1)
    Response.objects.create(
        consultee=party,
        position=Response.Position.SUPPORTS,
        summary="Karlskoga kommun tillstyrker.",
        state=Response.State.SUBMITTED,
        received_via=Response.Via.LETTER,
        received_at=yesterday,
        submitted_at=yesterday,
    )
    party.status = Consultee.Status.SUBMITTED
    party.save(update_fields=["status"])


def mails_with(journey, subject: str, timeout: float = 15.0) -> list:
    deadline = time.monotonic() + timeout
    while True:
        found = [(to, m) for to, m in list(journey.inbox.messages) if subject in m["Subject"]]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_the_chair_follows_reminds_and_closes_a_round_on_a_phone(journey):
    seed_networks()
    seed_documents()
    seed_rounds()
    karlskoga_answered_by_letter()
    review_round = ReviewRound.objects.get(title=NOVEMBER)

    context = journey.browser.new_context(viewport=PHONE, locale="sv-SE")
    journey.contexts.append(context)
    page = context.new_page()
    journey.errors.watch(page, CHAIR)
    page.goto(journey.url("/"))
    log_in_here(page, CHAIR)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mitt arbete")
    axe(page, "Mitt arbete, the chair")

    keys = Keyboard(page)
    keys.tab_to(page.get_by_role("main").get_by_role("link", name=NOVEMBER))
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(NOVEMBER)
    from_my_work = keys.counts()["tabs"]
    axe(page, "the round, as its chair")

    # The parties first, on a phone too: the card's top is above the document's first heading.
    parties = page.get_by_role("region", name="Remissinstanser")
    first_section = page.locator(".round-section h2").first
    card_top = parties.bounding_box()["y"]
    assert card_top < first_section.bounding_box()["y"]
    assert card_top < PHONE["height"] * 1.5, "within the first screen and a half"
    expect(parties).to_contain_text("1 av 4 har svarat · 12 dagar kvar")
    expect(parties).to_contain_text("svarade")  # Karlskoga, with the day
    expect(parties).to_contain_text("Gästlänk till registratorsadress")  # how Lekeberg is reached

    # How far, by keyboard from the page's top: the first control of the party card, and the
    # step to close (each counted on its own, the page loaded afresh).
    to_party_card = Keyboard(page)
    to_party_card.tab_to(parties.locator("a, button").first)
    page.reload()
    to_close_link = Keyboard(page)
    to_close_link.tab_to(page.get_by_role("link", name="Stäng remissrundan nu"))
    page.reload()

    # Remind those who have not answered, by keyboard.
    before = keys.counts()["tabs"]
    keys.tab_to(parties.get_by_role("link", name="Påminn de 3 remissinstanser som inte svarat"))
    to_remind = keys.counts()["tabs"] - before
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Påminn de som inte svarat")
    for party in WAITING:
        expect(page.get_by_role("main")).to_contain_text(party)
    expect(page.get_by_role("main")).not_to_contain_text("Karlskoga kommun")
    axe(page, "remind: the question")
    before = keys.counts()["tabs"]
    keys.tab_to(page.get_by_role("button", name="Skicka påminnelsen till 3 remissinstanser"))
    to_send = keys.counts()["tabs"] - before
    keys.press("Enter")
    expect(message(page)).to_contain_text("En påminnelse har skickats till de 3 remissinstanser")
    parties = page.get_by_role("region", name="Remissinstanser")
    expect(parties).to_contain_text("Påmint senast")
    expect(parties).to_contain_text("av Cecilia Ordförande (3 remissinstanser)")
    expect(parties).to_contain_text("Du kan påminna dem igen i morgon.")
    axe(page, "the round, reminded")
    assert RoundReminder.objects.filter(round=review_round, parties=3).count() == 1
    # The parties' people are told by e-mail, and Lekeberg's registry address gets a new link.
    assert mails_with(journey, "Påminnelse: ")
    assert journey.links_mailed_to(registry_address("Lekebergs kommun"), containing="/guest/")

    # Then to close: the numbers before the button.
    before = keys.counts()["tabs"]
    keys.tab_to(page.get_by_role("link", name="Stäng remissrundan nu"))
    to_close = keys.counts()["tabs"] - before
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stäng remissrundan nu")
    numbers = page.get_by_role("note")
    expect(numbers).to_contain_text("3 av 4 har inte svarat.")
    expect(numbers).to_contain_text("12 dagar kvar till sista dag.")
    for party in WAITING:
        expect(numbers).to_contain_text(party)
    axe(page, "close: the numbers")
    keys.tab_to(page.get_by_role("button", name="Stäng remissrundan"))
    keys.press("Enter")
    expect(message(page)).to_contain_text("Remissrundan är stängd")
    review_round.refresh_from_db()
    assert review_round.status == ReviewRound.Status.CLOSED
    axe(page, "the round, closed")

    assert keys.counts()["clicks"] == 0
    print(
        f"chair at 390 px: party card top at {card_top:.0f} px "
        f"({card_top / PHONE['height']:.1f} screens); Tab presses: Mitt arbete → round "
        f"{from_my_work}, round's top → party card {to_party_card.tabs}, round's top → close "
        f"link {to_close_link.tabs}, round's top → remind {to_remind}, question → send "
        f"{to_send}, reminded round → close {to_close}"
    )
    assert to_party_card.tabs <= 15  # the header's links, then the card (main: 22)
    assert to_close_link.tabs <= 25  # after the card's links (main: 20)
    keys.report("chair follows, reminds and closes at 390 px")
    journey.finish()
