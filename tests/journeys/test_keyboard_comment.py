"""Commenting on a passage by keyboard alone (issue 14).

A member of the Örebro demo logs in, goes to the open round (from "Mitt arbete"), reaches
"Kommentera stycket" on a paragraph with Tab, presses Enter: the section's comment form opens
with the paragraph quoted and the focus in the comment field. She writes her comment, Tabs to
"Skicka synpunkt" and presses Enter, and sees her comment in the section's thread with the quote,
and the paragraph marked "1 synpunkt". No mouse at all: the walker's click count stays 0. axe-core
(wcag21aa and best-practice) runs on every page state. The Tab presses and keys are printed (run
with -s) and held under a ceiling.

Before issue 14 this journey could not be done by keyboard: a passage was quoted only by
selecting text with a mouse (or caret browsing), then clicking "Kommentera markerat stycke",
typing, and clicking "Skicka synpunkt" (a drag and two clicks).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from consultations.demo import NOVEMBER
from consultations.demo import seed_demo as seed_rounds
from consultations.models import Comment, ReviewRound
from documents.demo import seed_demo as seed_documents
from networks.demo import DEMO_PASSWORD
from networks.demo import seed_demo as seed_networks
from tests.journeys.keyboard import Keyboard

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

MEMBER = "member@example.org"
COMMENT = "Stycket bör nämna hur familjecentralerna når föräldrar som inte talar svenska."
# Ceilings a little above what the journey takes today (30 in all, at most 14 for one step), so
# that a page that makes people work harder fails: to one element from where the focus was, and
# for the whole journey.
MAX_TABS_TO_ONE = 20
MAX_TABS = 40


def test_a_member_comments_on_a_passage_by_keyboard_only(journey):
    seed_networks()
    seed_documents()
    seed_rounds()
    review_round = ReviewRound.objects.get(title=NOVEMBER)
    assert review_round.status == ReviewRound.Status.OPEN
    axe = journey.axe
    page = journey.new_page(MEMBER)
    keyboard = Keyboard(page)

    # Logging in.
    page.goto(journey.url("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in i Samverka")
    axe(page, "the login page")
    keyboard.tab_to(page.get_by_label("E-postadress"))
    keyboard.type(MEMBER)
    keyboard.tab_to(page.get_by_label("Lösenord"))
    keyboard.type(DEMO_PASSWORD)
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mitt arbete")
    steps = {"log in": keyboard.tabs}
    axe(page, "Mitt arbete, the member")

    # To the open round.
    keyboard.tab_to(page.get_by_role("main").get_by_role("link", name=NOVEMBER).first)
    keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(NOVEMBER)
    steps["to the round"] = keyboard.tabs - sum(steps.values())
    axe(page, "the open round, as the member")

    # "Kommentera stycket" on the first paragraph of the first section.
    prose = page.locator(".prose[data-section-key]").first
    key = prose.get_attribute("data-section-key")
    paragraph = prose.locator("p").first
    quoted = " ".join(
        paragraph.evaluate(
            """p => { const c = p.cloneNode(true);
                      c.querySelectorAll('[data-passage-ui]').forEach(n => n.remove());
                      return c.textContent; }"""
        ).split()
    )
    link = paragraph.get_by_role("link", name=re.compile(r"^Kommentera stycket"))
    expect(link).to_be_visible()
    keyboard.tab_to(link)
    steps["to 'Kommentera stycket'"] = keyboard.tabs - sum(steps.values())
    axe(page, "the round, 'Kommentera stycket' focused")
    keyboard.press("Enter")

    form = page.locator(f'details[data-comment-form="{key}"]')
    expect(form).to_have_attribute("open", "")
    expect(form.locator("[data-quote-shown]")).to_have_text(quoted)
    body = form.get_by_label("Din synpunkt")
    expect(body).to_be_focused()
    expect(page.locator("[data-round-announcer]")).to_have_text(
        "Stycket är citerat. Skriv din synpunkt."
    )
    axe(page, "the section's comment form, the paragraph quoted")
    keyboard.type(COMMENT)
    keyboard.tab_to(form.get_by_role("button", name="Skicka synpunkt"))
    steps["to 'Skicka synpunkt'"] = keyboard.tabs - sum(steps.values())
    keyboard.press("Enter")

    page.wait_for_url(re.compile(rf"/rounds/{review_round.pk}/#comment-\d+$"))
    comment = Comment.objects.get(round=review_round, body=COMMENT)
    assert (comment.section_key, comment.quote_exact, comment.kind) == (key, quoted, "remark")
    thread = page.locator(f'[data-threads="{key}"] #thread-{comment.pk}')
    expect(thread.locator(".comment__body")).to_have_text(COMMENT)
    expect(thread.locator(".comment__quote")).to_contain_text(quoted)
    count = page.locator(".prose[data-section-key]").first.locator("p").first
    expect(count.locator(".passage__count")).to_have_text(re.compile(r"^\d+ synpunkte?r?$"))
    axe(page, "the round, the comment in its thread")

    keyboard.report("comment on a passage by keyboard")
    print("Tab presses per step:", steps)
    counts = keyboard.counts()
    assert counts["clicks"] == 0
    assert max(steps.values()) <= MAX_TABS_TO_ONE
    assert counts["tabs"] <= MAX_TABS
    assert counts["keys"] == 4  # Enter: log in, open the round, quote the paragraph, send
    journey.finish()
