"""The writer answers comments by keyboard alone: from the closed round's page, "Nästa
obesvarade synpunkt" leads to the first comment that waits; Tab, the arrow keys, typing and
Enter choose the outcome, write the rationale and save it in place; "Svaret är sparat" takes the
focus, the count follows, and the next comment is one link away. A first try without an outcome
comes back next to the field, with the rationale as typed. axe-core runs on every state; the
Tab presses, other keys and clicks are printed and held under a ceiling.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from consultations.demo import NOVEMBER
from consultations.demo import seed_demo as seed_rounds
from consultations.models import Disposition, ReviewRound
from consultations.services import comments as comment_services
from consultations.services import rounds as round_services
from documents.demo import seed_demo as seed_documents
from networks.demo import seed_demo as seed_networks
from networks.models import Organisation
from tests.journeys.keyboard import Keyboard

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

WRITER = "writer@example.org"
FIRST_RATIONALE = "Vi förtydligar att regionen också är part."
SECOND_RATIONALE = "Uppföljningen beskrivs i ett eget avsnitt."
# What the two answers (and the first try without an outcome) may cost at most: measured 14 Tab
# presses and 9 other keys (run with -s for the report); the same two answers without the first
# try: 11 Tab presses, 8 other keys. On the page before (the outcome preselected, a reload after
# each answer, no "next" link) the same two answers, walked the same way from the skip link, took
# 28 Tab presses and 5 other keys with these 3 comments, and more with every comment before the
# next unanswered one.
MAX_TABS = 16
MAX_KEYS = 11


def closed_round_with_comments() -> tuple[ReviewRound, list]:
    """The demo's open round on the agreement, with three comments from Kumla kommun (on the
    whole document, on "Parter", on "Uppföljning"), closed by its chair."""
    from django.contrib.auth import get_user_model

    seed_networks()
    seed_documents()
    seed_rounds()
    review_round = ReviewRound.objects.get(title=NOVEMBER)
    users = get_user_model().objects
    member = users.get(email="member@example.org")
    kumla = Organisation.objects.get(name="Kumla kommun")
    keys = {s.heading: s.key for s in review_round.version.sections.all()}
    comments = [
        comment_services.add_comment(
            review_round,
            by_user=member,
            body=body,
            kind="remark",
            section_key=key,
            on_behalf_of=kumla,
        )
        for body, key in (
            ("Överenskommelsen behöver en tidplan.", ""),
            ("Regionen bör nämnas som part i första meningen.", keys["Parter"]),
            ("Hur följs överenskommelsen upp i kommunerna?", keys["Uppföljning"]),
        )
    ]
    round_services.close_round(review_round, by_user=review_round.chair)
    review_round.refresh_from_db()
    return review_round, comments


def answer_by_keyboard(keys: Keyboard, page, comment, *, arrows: int, rationale: str) -> None:
    """From the comment's thread (focused): the outcome by arrow keys, the rationale typed,
    Enter on the save button."""
    keys.tab_to(page.locator(f"#outcome-{comment.pk}"))
    keys.press("ArrowDown", times=arrows)
    keys.tab_to(page.locator(f"#rationale-{comment.pk}"))
    keys.type(rationale)
    keys.tab_to(page.locator(f"#thread-{comment.pk} button", has_text="Spara bemötandet"))
    keys.press("Enter")


@pytest.mark.timeout(300)
def test_the_writer_answers_two_comments_by_keyboard(journey):
    review_round, (whole, parter, follow_up) = closed_round_with_comments()
    axe = journey.axe
    page = journey.as_person(WRITER, then=review_round.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(NOVEMBER)
    progress = page.locator("#answer-progress")
    expect(progress).to_contain_text("0 av 3 synpunkter bemötta")
    expect(page.locator(f"#outcome-{whole.pk}")).to_have_value("")  # nothing chosen for her
    axe(page, "the closed round, as the writer")

    keys = Keyboard(page)
    page.locator("body").focus()
    keys.tab_to(page.get_by_role("link", name="Gå direkt till innehållet"))
    keys.press("Enter")
    keys.tab_to(page.get_by_role("link", name="Nästa obesvarade synpunkt"))
    keys.press("Enter")
    expect(page.locator(f"#thread-{whole.pk}")).to_be_focused()

    # First without an outcome: the error is said at the field, the rationale stays.
    keys.tab_to(page.locator(f"#rationale-{whole.pk}"))
    keys.type(FIRST_RATIONALE)
    keys.tab_to(page.locator(f"#thread-{whole.pk} button", has_text="Spara bemötandet"))
    keys.press("Enter")
    outcome = page.locator(f"#outcome-{whole.pk}")
    expect(outcome).to_be_focused()
    expect(outcome).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#outcome-{whole.pk}_error")).to_contain_text(
        "Välj hur synpunkten tas om hand"
    )
    expect(page.locator(f"#rationale-{whole.pk}")).to_have_value(FIRST_RATIONALE)
    assert not Disposition.objects.filter(comment=whole).exists()
    axe(page, "an answer without an outcome, sent back in place")

    # The outcome by arrow keys, and saved.
    keys.press("ArrowDown", times=2)  # — Välj — → Godtas → Godtas delvis
    keys.tab_to(page.locator(f"#thread-{whole.pk} button", has_text="Spara bemötandet"))
    keys.press("Enter")
    saved = page.locator(f"#saved-{whole.pk}")
    expect(saved).to_be_focused()
    expect(saved).to_contain_text("Svaret är sparat.")
    expect(progress).to_contain_text("1 av 3 synpunkter bemötta")
    expect(page.locator(f"#thread-{whole.pk} .disposition")).to_contain_text(FIRST_RATIONALE)
    axe(page, "one comment answered in place")
    assert Disposition.objects.get(comment=whole).outcome == "partly"

    # "Nästa obesvarade synpunkt", the second answer.
    keys.tab_to(saved.get_by_role("link", name="Nästa obesvarade synpunkt"))
    keys.press("Enter")
    expect(page.locator(f"#thread-{parter.pk}")).to_be_focused()
    answer_by_keyboard(keys, page, parter, arrows=1, rationale=SECOND_RATIONALE)
    saved = page.locator(f"#saved-{parter.pk}")
    expect(saved).to_be_focused()
    expect(progress).to_contain_text("2 av 3 synpunkter bemötta")
    expect(saved.get_by_role("link", name="Nästa obesvarade synpunkt")).to_have_attribute(
        "href", f"#thread-{follow_up.pk}"
    )
    expect(page.locator("#answer-nav a").first).to_have_attribute("href", f"#thread-{follow_up.pk}")
    axe(page, "two comments answered in place")
    assert Disposition.objects.get(comment=parter).outcome == "accepted"
    assert Disposition.objects.get(comment=parter).rationale == SECOND_RATIONALE

    # The page was never reloaded, and the live connection did not take the confirmation away.
    page.wait_for_timeout(1500)
    expect(saved).to_be_visible()

    keys.report("Answering two comments by keyboard (the round page)")
    counts = keys.counts()
    assert counts["clicks"] == 0
    assert counts["tabs"] <= MAX_TABS, counts
    assert counts["keys"] <= MAX_KEYS, counts

    # The answering page, by keyboard: the comments that are not answered yet.
    page.goto(journey.url(f"/rounds/{review_round.pk}/answers/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bemöt synpunkterna")
    expect(page.locator(".thread")).to_have_count(3)
    axe(page, "the answering page, every comment")
    filtering = Keyboard(page)
    page.locator("body").focus()
    filtering.tab_to(page.get_by_role("link", name="Gå direkt till innehållet"))
    filtering.press("Enter")
    filtering.tab_to(page.get_by_label("Utfall", exact=True))
    filtering.press("ArrowDown")  # Alla → Obesvarade
    filtering.tab_to(page.get_by_role("button", name="Visa", exact=True))
    filtering.press("Enter")
    expect(page.locator(".thread")).to_have_count(1)
    expect(page.locator(f"#thread-{follow_up.pk}")).to_be_visible()
    axe(page, "the answering page, the unanswered")
    filtering.report("Filtering the answering page on the unanswered by keyboard")
    assert filtering.counts()["clicks"] == 0
    assert filtering.counts()["tabs"] <= 6, filtering.counts()
    journey.finish()
