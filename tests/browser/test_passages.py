"""Commenting on a passage with the page's script (issue 14), with axe-core on every state.

A member of the demo presses "Kommentera stycket" on a list item: the section's form opens with
the item quoted, the proposed text starting as the quote, and the focus in the comment field.
Selecting a few words of the item narrows the quote (and the untouched proposed text follows).
Changing the proposed text makes the comment a change proposal, and says so. After sending, the
item is marked "1 synpunkt", linked to the thread.
"""

import re

import pytest
from playwright.sync_api import expect

from consultations.demo import NOVEMBER
from consultations.demo import seed_demo as seed_rounds
from consultations.models import Comment, ReviewRound
from documents.demo import seed_demo as seed_documents
from networks.demo import seed_demo
from tests.browser.session import log_in
from tests.browser.test_rounds import select_with_mouse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEMBER = "member@example.org"
ITEM = "Kommunerna ansvarar för öppen förskola och förebyggande socialtjänst."
PROPOSED = "Kommunerna ansvarar för öppen förskola, förebyggande socialtjänst och elevhälsa."
COMMENT = "Elevhälsan saknas bland kommunernas åtaganden."


def test_a_member_quotes_an_item_narrows_it_and_proposes_a_change(live_server_url, browser, axe):
    seed_demo()
    seed_documents()
    seed_rounds()
    review_round = ReviewRound.objects.get(title=NOVEMBER)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, live_server_url, MEMBER)
        page.goto(f"{live_server_url}/rounds/{review_round.pk}/")
        section = page.locator("section.round-section").filter(
            has=page.get_by_role("heading", name="Åtaganden", level=2)
        )
        key = section.locator(".prose").get_attribute("data-section-key")
        item = section.locator(".prose li").first
        form = section.locator(f'details[data-comment-form="{key}"]')
        expect(form).to_have_count(0)  # the page's one form stands with the whole document

        item.get_by_role("link", name=re.compile("^Kommentera stycket")).click()

        expect(form).to_have_attribute("open", "")
        expect(form.locator("[data-quote-shown]")).to_have_text(ITEM)
        expect(form.locator("[data-quote-exact]")).to_have_value(ITEM)
        expect(form.get_by_label("Föreslagen text (för ett ändringsförslag)")).to_have_value(ITEM)
        expect(form.get_by_label("Din synpunkt")).to_be_focused()
        assert f"?stycke={key}:" not in page.url  # quoted here, not by loading the page again
        axe(page, "round page, an item quoted")

        # A few words of the item, selected with the mouse, narrow the quote.
        passage = select_with_mouse(page, item)
        section.locator(f'[data-comment-selection="{key}"]').click()
        expect(form.locator("[data-quote-shown]")).to_have_text(passage)
        proposal = form.get_by_label("Föreslagen text (för ett ändringsförslag)")
        expect(proposal).to_have_value(passage)  # untouched, it follows the quote
        kind = form.get_by_label("Typ")
        expect(kind).to_have_value("remark")

        proposal.fill(PROPOSED)
        expect(kind).to_have_value("proposal")
        expect(page.locator("[data-round-announcer]")).to_have_text(
            "Typ: ändringsförslag, eftersom du ändrade den citerade texten."
        )
        axe(page, "round page, the quote changed into a proposal")
        form.get_by_label("Din synpunkt").fill(COMMENT)
        form.get_by_role("button", name="Skicka synpunkt").click()

        page.wait_for_url(re.compile(rf"/rounds/{review_round.pk}/#comment-\d+$"))
        comment = Comment.objects.get(round=review_round, body=COMMENT)
        assert (comment.kind, comment.quote_exact, comment.proposed_text) == (
            "proposal",
            passage,
            PROPOSED,
        )
        count = section.locator(".prose li").first.locator(".passage__count")
        expect(count).to_have_text("1 synpunkt")
        axe(page, "round page, the item marked with its comment")
        count.click()
        page.wait_for_url(re.compile(rf"#thread-{comment.pk}$"))
    finally:
        context.close()
