"""The approver's journey in a real browser: a response waits for her; she reviews it read-only,
sends it back with a comment; the drafter sends it again; she changes the text, checks it and
submits it. axe-core on the review page and the check page."""

import pytest
from playwright.sync_api import expect

from consultations.models import Response
from consultations.services import responses
from networks.demo import DEMO_PASSWORD
from tests.browser.session import log_in
from tests.consultations.conftest import open_world, world  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000


def test_the_approver_reviews_sends_back_then_checks_and_submits(
    live_server_url,
    browser,
    axe,
    open_world,  # noqa: F811
):
    people = open_world["people"]
    for who in ("drafter", "approver"):
        people[who].set_password(DEMO_PASSWORD)
        people[who].save()
    party = open_world["round"].consultees.get(organisation=open_world["kumla"])
    responses.save_draft(
        party, by_user=people["drafter"], position="supports", summary="Vi stöder förslaget."
    )
    responses.ask_for_approval(party, by_user=people["drafter"])
    url = f"/rounds/{open_world['round'].pk}/respond/{party.pk}/"

    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        log_in(page, live_server_url, people["approver"].email, then=url)
        review = page.get_by_role("region", name="Remissvaret väntar på ditt godkännande")
        expect(review).to_contain_text("Vi stöder förslaget.")
        expect(page.get_by_label("Sammanfattning av remissvaret")).to_have_count(0)
        axe(page, "the response, reviewed by the approver")
        page.get_by_role("button", name="Skicka tillbaka").click()  # no comment: refused
        expect(page.locator(".form-errors")).to_be_visible()
        axe(page, "the review, a comment missing")
        page.get_by_label("Varför det skickas tillbaka").fill("Nämn tidplanen.")
        page.get_by_role("button", name="Skicka tillbaka").click()
        expect(page.locator("h1")).not_to_have_text(str(party.party))  # back on the round
        assert Response.objects.get(consultee=party).state == Response.State.DRAFT

        responses.ask_for_approval(party, by_user=people["drafter"])
        page.goto(f"{live_server_url}{url}")
        page.get_by_role("link", name="Ändra texten").click()
        page.get_by_label("Sammanfattning av remissvaret").fill("Vi stöder, med tidplan.")
        page.get_by_role("button", name="Godkänn och skicka in").click()
        check = page.get_by_role("region", name="Kontrollera innan du skickar in")
        expect(check).to_contain_text("Vi stöder, med tidplan.")
        axe(page, "check before the response is submitted")
        check.get_by_role("button", name="Skicka in", exact=True).click()
        expect(page.locator(".messages, [role=status]").first).to_contain_text(
            "Remissvaret är inskickat"
        )
    finally:
        context.close()
    response = Response.objects.get(consultee=party)
    assert (response.state, response.summary) == (
        Response.State.SUBMITTED,
        "Vi stöder, med tidplan.",
    )
