"""A review round in two browsers at once, with axe-core on every page it passes.

A member selects a passage with the mouse and comments on it; the coordinator, on the same round
page, sees the comment (with its quote) appear without reloading and hears it announced. The
coordinator replies, and the member sees the reply appear. The coordinator closes the round,
answers the comment (the member sees the answer appear), opens the report and downloads it as
Word (read back with python-docx) and as CSV.
"""

import csv
import io
import re

import docx
import pytest
from playwright.sync_api import expect

from consultations.demo import NOVEMBER
from consultations.demo import seed_demo as seed_rounds
from consultations.models import Comment, Disposition, ReviewRound
from documents.demo import seed_demo as seed_documents
from networks.demo import DEMO_PASSWORD, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEMBER = "member@example.org"
COORDINATOR = "coordinator@example.org"
# In the first paragraph of the first section ("Inledning") of the demo strategy.
PASSAGE = "insatser, aktiviteter och verksamheter"
COMMENT = "Skriv ut vilka insatser som avses, med exempel från länets kommuner."
REPLY = "Tack! Skrivargruppen tar med exempel i nästa version."
RATIONALE = "Exempel läggs i en bilaga i stället för i själva strategin."
TIMEOUT_MS = 10_000
ANSWERED = re.compile(r"\b1 (av|of) 1\b")


def log_in(page, base, email):
    page.goto(f"{base}/login/")
    page.locator("[name=username]").fill(email)
    page.locator("[name=password]").fill(DEMO_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"{base}/networks/")


def mark_loaded(page):
    """Put a flag on the window: it is gone if the page is reloaded or navigated."""
    page.evaluate("() => { window.__notReloaded = true; }")


def assert_not_reloaded(page, who):
    assert page.evaluate("() => window.__notReloaded === true"), f"{who}'s page was reloaded"


def select_with_mouse(page, prose, text):
    """Drag the mouse over `text` inside `prose`, the way a person selects a passage."""
    box = prose.evaluate(
        """(prose, text) => {
            const walker = document.createTreeWalker(prose, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(text);
                if (at < 0) continue;
                const rect = (from, to) => {
                    const range = document.createRange();
                    range.setStart(node, from);
                    range.setEnd(node, to);
                    return range.getBoundingClientRect();
                };
                const first = rect(at, at + 1), last = rect(at + text.length - 1, at + text.length);
                return {
                    x1: first.left + 1, y1: first.top + first.height / 2,
                    x2: last.right - 1, y2: last.top + last.height / 2,
                };
            }
            return null;
        }""",
        text,
    )
    assert box, f"{text!r} is not in the section's text"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=5)
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()
    assert page.evaluate("() => window.getSelection().toString()") == text


def test_two_people_comment_reply_and_answer_live_and_get_the_report(
    live_server_url, browser, axe, tmp_path
):
    seed_demo()
    seed_documents()
    seed_rounds()
    base = live_server_url
    review_round = ReviewRound.objects.get(title=NOVEMBER)
    assert review_round.status == ReviewRound.Status.OPEN
    round_url = f"{base}/rounds/{review_round.pk}/"
    member_context = browser.new_context()
    coordinator_context = browser.new_context(accept_downloads=True)
    try:
        member = member_context.new_page()
        coordinator = coordinator_context.new_page()
        for page, email, who in ((member, MEMBER, "member"), (coordinator, COORDINATOR, "coord")):
            page.set_default_timeout(TIMEOUT_MS)
            log_in(page, base, email)
            page.goto(round_url)
            expect(page.get_by_role("heading", level=1)).to_have_text(NOVEMBER)
            axe(page, f"round page, open, as {who}")
        mark_loaded(coordinator)

        # The member selects a passage in the first section with the mouse.
        prose = member.locator(".prose[data-section-key]").first
        key = prose.get_attribute("data-section-key")
        assert key
        button = member.locator(f'[data-comment-selection="{key}"]')
        expect(button).to_be_hidden()
        select_with_mouse(member, prose, PASSAGE)
        expect(button).to_be_visible()
        axe(member, "round page, passage selected")
        button.click()

        # The section's comment form opens with the passage quoted.
        form = member.locator(f'details[data-comment-form="{key}"]')
        expect(form).to_have_attribute("open", "")
        expect(form.locator("[data-quote-shown]")).to_be_visible()
        expect(form.locator("[data-quote-shown]")).to_have_text(PASSAGE)
        expect(form.locator("[data-quote-exact]")).to_have_value(PASSAGE)
        body = form.locator("textarea[name=body]")
        expect(body).to_be_focused()
        axe(member, "round page, comment form with a quote")
        body.fill(COMMENT)
        form.locator("button[type=submit]").click()
        member.wait_for_url(re.compile(rf"/rounds/{review_round.pk}/#comment-\d+$"))
        comment = Comment.objects.get(round=review_round, body=COMMENT)
        assert comment.section_key == key
        assert comment.quote_exact == PASSAGE
        thread_id = f"#thread-{comment.pk}"
        expect(member.locator(f'[data-threads="{key}"] {thread_id}')).to_contain_text(COMMENT)
        mark_loaded(member)

        # The coordinator sees it appear, with its quote, without reloading; it is announced.
        thread = coordinator.locator(f'[data-threads="{key}"] {thread_id}')
        expect(thread.locator(".comment__body")).to_have_text(COMMENT)
        expect(thread.locator(".comment__quote")).to_contain_text(PASSAGE)
        expect(coordinator.locator("[data-round-announcer]")).not_to_be_empty()
        assert_not_reloaded(coordinator, "the coordinator")
        axe(coordinator, "round page, a comment arrived live")

        # The coordinator replies (this navigates their page) ...
        reply_form = thread.locator("details.thread__reply")
        reply_form.locator("summary").click()
        reply_form.locator("textarea[name=body]").fill(REPLY)
        axe(coordinator, "round page, reply form open")
        reply_form.locator("button[type=submit]").click()
        coordinator.wait_for_url(re.compile(rf"/rounds/{review_round.pk}/#comment-\d+$"))
        expect(coordinator.locator(f"{thread_id} .comment--reply")).to_contain_text(REPLY)

        # ... and the member sees the reply appear without reloading.
        member_thread = member.locator(f'[data-threads="{key}"] {thread_id}')
        expect(member_thread.locator(".comment--reply")).to_contain_text(REPLY)
        expect(member.locator("[data-round-announcer]")).not_to_be_empty()
        assert_not_reloaded(member, "the member")
        axe(member, "round page, a reply arrived live")

        # The coordinator closes the round.
        coordinator.goto(f"{base}/rounds/{review_round.pk}/close/")
        axe(coordinator, "close the round")
        coordinator.locator("main form.form button[type=submit]").click()
        coordinator.wait_for_url(round_url)
        review_round.refresh_from_db()
        assert review_round.status == ReviewRound.Status.CLOSED
        axe(coordinator, "round page, closed, nothing answered")

        # ... and answers the member's comment.
        thread = coordinator.locator(f'[data-threads="{key}"] {thread_id}')
        answer = thread.locator("details.thread__answer")
        expect(answer).to_have_attribute("open", "")  # unanswered comments show the form open
        outcome = answer.locator("select[name=outcome]")
        outcome.select_option(Disposition.Outcome.PARTLY_ACCEPTED.value)
        outcome_label = outcome.locator("option:checked").inner_text().strip()
        answer.locator("textarea[name=rationale]").fill(RATIONALE)
        answer.locator("button[type=submit]:not([name=apply])").click()
        coordinator.wait_for_url(re.compile(rf"/rounds/{review_round.pk}/#comment-\d+$"))
        thread = coordinator.locator(f'[data-threads="{key}"] {thread_id}')
        expect(thread.locator(".disposition")).to_contain_text(outcome_label)
        expect(thread.locator(".disposition")).to_contain_text(RATIONALE)
        progress = coordinator.locator("section[aria-labelledby=progress-heading]")
        expect(progress.locator("strong")).to_have_text(ANSWERED)
        expect(progress.locator("progress")).to_have_attribute("value", "1")
        axe(coordinator, "round page, closed, comment answered")
        assert Disposition.objects.get(comment=comment).outcome == "partly"

        # The member sees the answer appear too.
        expect(member_thread.locator(".disposition")).to_contain_text(RATIONALE)
        assert_not_reloaded(member, "the member")

        # The report, on screen.
        progress.locator(f"a[href='/rounds/{review_round.pk}/report/']").click()
        coordinator.wait_for_url(f"{base}/rounds/{review_round.pk}/report/")
        expect(coordinator.get_by_role("heading", level=1)).to_have_text(NOVEMBER)
        row = coordinator.locator("table tbody tr").filter(has_text=COMMENT)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(PASSAGE)
        expect(row).to_contain_text(outcome_label)
        expect(row).to_contain_text(RATIONALE)
        expect(coordinator.locator(".page-header__lede")).to_contain_text(ANSWERED)
        axe(coordinator, "report")

        # ... as Word, read back with python-docx ...
        with coordinator.expect_download() as download_info:
            coordinator.locator("a[href$='/report.docx']").click()
        download = download_info.value
        assert download.suggested_filename.endswith(".docx")
        word_path = tmp_path / download.suggested_filename
        download.save_as(word_path)
        word = docx.Document(str(word_path))
        rows = [
            [cell.text for cell in table_row.cells]
            for table in word.tables
            for table_row in table.rows
        ]
        comment_rows = [cells for cells in rows if any(COMMENT in text for text in cells)]
        assert len(comment_rows) == 1, f"the comment is not in one table row of the report: {rows}"
        assert PASSAGE in comment_rows[0][0]
        assert outcome_label in comment_rows[0], comment_rows[0]
        assert RATIONALE in comment_rows[0], comment_rows[0]
        assert review_round.title in "\n".join(p.text for p in word.paragraphs)

        # ... and as CSV.
        with coordinator.expect_download() as download_info:
            coordinator.locator("a[href$='/report.csv']").click()
        download = download_info.value
        assert download.suggested_filename.endswith(".csv")
        csv_path = tmp_path / download.suggested_filename
        download.save_as(csv_path)
        text = csv_path.read_text(encoding="utf-8-sig")
        csv_rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        comment_rows = [cells for cells in csv_rows if COMMENT in cells]
        assert len(comment_rows) == 1, f"the comment is not in one row of the CSV:\n{text}"
        assert PASSAGE in comment_rows[0]
        assert outcome_label in comment_rows[0]
        assert RATIONALE in comment_rows[0]
    finally:
        member_context.close()
        coordinator_context.close()
