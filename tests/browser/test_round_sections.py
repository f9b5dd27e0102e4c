"""The lighter round page with its script (issue 15), with axe-core on every state.

A member opens a round whose section has more comments than the page opens with: "Visa alla"
loads the section's every thread in place (htmx), with the focus on them; "Kommentera
avsnittet" moves the page's one comment form into another section, with the focus in "Din
synpunkt" and said to screen readers; the comment sent from there belongs to that section.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consultations.demo import NOVEMBER
from consultations.demo import seed_demo as seed_rounds
from consultations.models import Comment, ReviewRound
from documents.demo import seed_demo as seed_documents
from networks.demo import seed_demo
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEMBER = "member@example.org"
MANY = 12
COMMENT = "Avsnittet behöver ett exempel från en kommun."


def test_show_all_loads_the_threads_and_the_comment_form_moves_to_the_section(
    live_server_url, browser, axe
):
    seed_demo()
    seed_documents()
    seed_rounds()
    review_round = ReviewRound.objects.get(title=NOVEMBER)
    sections = list(review_round.version.sections.order_by("position"))
    first, other = sections[0], sections[-1]
    author = review_round.chair
    start = timezone.now() - timedelta(days=3)
    Comment.objects.bulk_create(
        Comment(
            round=review_round,
            version=review_round.version,
            section_key=first.key,
            body=f"Äldre synpunkt {n}",
            author=author,
            created_at=start + timedelta(minutes=n),
        )
        for n in range(MANY)
    )
    total = review_round.comments.filter(section_key=first.key, parent__isnull=True).count()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, live_server_url, MEMBER)
        page.goto(f"{live_server_url}/rounds/{review_round.pk}/")
        section = page.locator(f"#section-{first.key}")
        threads = section.locator(f"#threads-{first.key} .thread")
        expect(section).to_contain_text(re.compile(rf"Visar \d+ av {total} synpunkter"))
        shown = threads.count()
        assert shown < total
        axe(page, "round page, a section showing some of its threads")

        section.get_by_role("link", name=re.compile(f"^Visa alla {total} synpunkter")).click()

        expect(threads).to_have_count(total)
        expect(section).not_to_contain_text("Visa alla")
        expect(page.locator(f"#threads-{first.key}")).to_be_focused()
        assert "avsnitt=" not in page.url  # loaded in place, not by loading the page again
        axe(page, "round page, a section's every thread shown")

        target = page.locator(f"#section-{other.key}")
        target.get_by_role("link", name=re.compile("^Kommentera avsnittet")).click()

        form = target.locator(f'details[data-comment-form="{other.key}"]')
        expect(form).to_have_attribute("open", "")
        body = form.get_by_label("Din synpunkt")
        expect(body).to_be_focused()
        expect(page.locator("[data-round-announcer]")).to_have_text(
            "Formuläret för synpunkter finns nu i avsnittet. Skriv din synpunkt."
        )
        expect(page.locator("details.comment-form")).to_have_count(1)
        assert "kommentera=" not in page.url
        axe(page, "round page, the comment form moved to a section")
        body.fill(COMMENT)
        form.get_by_role("button", name="Skicka synpunkt").click()

        page.wait_for_url(re.compile(rf"/rounds/{review_round.pk}/#comment-\d+$"))
        comment = Comment.objects.get(round=review_round, body=COMMENT)
        assert comment.section_key == other.key
        expect(page.locator(f"#section-{other.key} #thread-{comment.pk}")).to_contain_text(COMMENT)
        axe(page, "round page, the comment sent")
    finally:
        context.close()
