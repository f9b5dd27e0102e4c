"""A review round in two browsers at once, with axe-core on every page it passes.

A member selects a passage with the mouse and comments on it; the coordinator, on the same round
page, sees the comment (with its quote) appear without reloading and hears it announced. The
coordinator replies, and the member sees the reply appear. The coordinator closes the round,
answers the comment (the member sees the answer appear), opens the report and downloads it as
Word (read back with python-docx) and as CSV.
"""

import csv
import io
import json
import re
import time

import docx
import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from consultations.demo import NOVEMBER
from consultations.demo import seed_demo as seed_rounds
from consultations.models import Comment, Disposition, ReviewRound
from documents.demo import seed_demo as seed_documents
from networks.demo import seed_demo
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEMBER = "member@example.org"
COORDINATOR = "coordinator@example.org"
COMMENT = "Stycket behöver ett konkret exempel från en av länets kommuner."
REPLY = "Tack! Skrivargruppen tar med ett exempel i nästa version."
RATIONALE = "Ett exempel läggs i en bilaga i stället för i själva texten."
TIMEOUT_MS = 10_000


def mark_loaded(page):
    """Put a flag on the window: it is gone if the page is reloaded or navigated."""
    page.evaluate("() => { window.__notReloaded = true; }")


def assert_not_reloaded(page, who):
    assert page.evaluate("() => window.__notReloaded === true"), f"{who}'s page was reloaded"


class Sockets:
    """What a page's round websockets received: proof that a change was pushed, not fetched on
    a reconnect."""

    def __init__(self, page):
        self.page = page
        self.opened = 0
        self.frames = []
        page.on("websocket", self._opened)

    def _opened(self, socket):
        if "/ws/rounds/" in socket.url:
            self.opened += 1
            socket.on("framereceived", lambda payload: self.frames.append(json.loads(payload)))

    def wait_for(self, what, **fields):
        """Wait until a frame of type `what` (with these fields) arrives; return it."""
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while time.monotonic() < deadline:
            for frame in self.frames:
                if frame.get("type") == what and all(frame.get(k) == v for k, v in fields.items()):
                    return frame
            self.page.wait_for_timeout(50)  # lets Playwright deliver the events
        raise AssertionError(f"no {what} {fields} frame on the round socket: {self.frames}")


def select_with_mouse(page, prose):
    """Drag the mouse over a few words in the middle of the section's first sentence, the way a
    person selects a passage; return the selected text."""
    prose.scroll_into_view_if_needed()
    box = prose.evaluate(
        """prose => {
            const walker = document.createTreeWalker(prose, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                // words 2-4 of a text node with at least five words: text on both sides of it
                const words = [...node.data.matchAll(/\\S+/g)];
                if (words.length < 5) continue;
                const start = words[1].index, end = words[3].index + words[3][0].length;
                const rect = (from, to) => {
                    const range = document.createRange();
                    range.setStart(node, from);
                    range.setEnd(node, to);
                    return range.getBoundingClientRect();
                };
                const first = rect(start, start + 1), last = rect(end - 1, end);
                return {
                    text: node.data.slice(start, end),
                    x1: first.left + 1, y1: first.top + first.height / 2,
                    x2: last.right - 1, y2: last.top + last.height / 2,
                };
            }
            return null;
        }"""
    )
    assert box, f"no sentence of five words in the section: {prose.inner_text()!r}"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=5)
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()
    assert page.evaluate("() => window.getSelection().toString()") == box["text"]
    return " ".join(box["text"].split())


def answered_text(review_round):
    """'1 av 1' / '1 of 1': how many of the round's comments are answered, as the pages say it."""
    comments = Comment.objects.filter(round=review_round, parent=None, deleted_at=None)
    answered = comments.filter(disposition__isnull=False).count()
    return answered, re.compile(rf"\b{answered} (av|of) {comments.count()}\b")


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
        member_sockets, coordinator_sockets = Sockets(member), Sockets(coordinator)
        for page, email, who in ((member, MEMBER, "member"), (coordinator, COORDINATOR, "coord")):
            page.set_default_timeout(TIMEOUT_MS)
            log_in(page, base, email)
            page.goto(round_url)
            expect(page.get_by_role("heading", level=1)).to_have_text(NOVEMBER)
            axe(page, f"round page, open, as {who}")
        member_sockets.wait_for("hello")
        coordinator_sockets.wait_for("hello")  # connected and in the round's group
        mark_loaded(coordinator)

        # The member selects a passage in the first section with the mouse.
        prose = member.locator(".prose[data-section-key]").first
        key = prose.get_attribute("data-section-key")
        assert key
        button = member.locator(f'[data-comment-selection="{key}"]')
        expect(
            button, "the passage button shows before anything is selected ([hidden] vs .button)"
        ).to_be_hidden()
        passage = select_with_mouse(member, prose)
        expect(button).to_be_visible()
        axe(member, "round page, passage selected")
        button.click()

        # The section's comment form opens with the passage quoted.
        form = member.locator(f'details[data-comment-form="{key}"]')
        expect(form).to_have_attribute("open", "")
        expect(form.locator("[data-quote-shown]")).to_be_visible()
        expect(form.locator("[data-quote-shown]")).to_have_text(passage)
        expect(form.locator("[data-quote-exact]")).to_have_value(passage)
        body = form.locator("textarea[name=body]")
        expect(body).to_be_focused()
        axe(member, "round page, comment form with a quote")
        body.fill(COMMENT)
        form.locator("button[type=submit]").click()
        member.wait_for_url(re.compile(rf"/rounds/{review_round.pk}/#comment-\d+$"))
        comment = Comment.objects.get(round=review_round, body=COMMENT)
        assert comment.section_key == key
        assert comment.quote_exact == passage
        thread_id = f"#thread-{comment.pk}"
        expect(member.locator(f'[data-threads="{key}"] {thread_id}')).to_contain_text(COMMENT)
        mark_loaded(member)
        member_sockets.wait_for("hello")

        # The coordinator sees it appear, with its quote, without reloading; it is announced.
        thread = coordinator.locator(f'[data-threads="{key}"] {thread_id}')
        expect(thread.locator(".comment__body")).to_have_text(COMMENT)
        expect(thread.locator(".comment__quote")).to_contain_text(passage)
        member_name = get_user_model().objects.get(email=MEMBER).get_full_name()
        expect(coordinator.locator("[data-round-announcer]")).to_contain_text(member_name)
        assert_not_reloaded(coordinator, "the coordinator")
        coordinator_sockets.wait_for("event", kind="comment")  # pushed over the socket
        assert coordinator_sockets.opened == 1  # not a reconnect's catch-up
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
        member_sockets.wait_for("event", kind="reply")
        assert member_sockets.opened == 2  # one per page load: the round page, then after sending
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
        answer = thread.locator(".thread__answer")
        expect(answer.locator("form")).to_be_visible()  # unanswered comments show the form
        outcome = answer.locator("select[name=outcome]")
        expect(outcome).to_have_value("")  # nothing chosen for the writing group
        # Sent without an outcome: the error comes back at the field, the rationale as typed.
        answer.locator("textarea[name=rationale]").fill(RATIONALE)
        answer.locator("button[type=submit]:not([name=apply])").click()
        outcome = thread.locator("select[name=outcome]")
        expect(outcome).to_have_attribute("aria-invalid", "true")
        expect(outcome).to_be_focused()
        expect(thread.locator("textarea[name=rationale]")).to_have_value(RATIONALE)
        axe(coordinator, "round page, an answer without an outcome")
        outcome.select_option(Disposition.Outcome.PARTLY_ACCEPTED.value)
        outcome_label = outcome.locator("option:checked").inner_text().strip()
        coordinator.evaluate("() => { window.__answeredInPlace = true; }")
        thread.locator("button[type=submit]:not([name=apply])").click()
        # Saved in place: the confirmation takes the focus, the page is not reloaded.
        expect(thread.locator(".thread__saved")).to_be_focused()
        expect(thread.locator(".thread__saved")).to_contain_text(re.compile(r"\b1 (av|of) 1\b"))
        assert coordinator.evaluate("() => window.__answeredInPlace === true")
        thread = coordinator.locator(f'[data-threads="{key}"] {thread_id}')
        expect(thread.locator(".disposition")).to_contain_text(outcome_label)
        expect(thread.locator(".disposition")).to_contain_text(RATIONALE)
        answered, answered_pattern = answered_text(review_round)
        assert answered >= 1
        progress = coordinator.locator("section[aria-labelledby=progress-heading]")
        expect(progress.locator("strong")).to_have_text(answered_pattern)
        expect(progress.locator("progress")).to_have_attribute("value", str(answered))
        axe(coordinator, "round page, closed, comment answered")
        assert Disposition.objects.get(comment=comment).outcome == "partly"

        # The member sees the answer appear too.
        expect(member_thread.locator(".disposition")).to_contain_text(RATIONALE)
        member_sockets.wait_for("event", kind="disposition")
        assert_not_reloaded(member, "the member")

        # The report, on screen.
        progress.locator(f"a[href='/rounds/{review_round.pk}/report/']").click()
        coordinator.wait_for_url(f"{base}/rounds/{review_round.pk}/report/")
        expect(coordinator.get_by_role("heading", level=1)).to_have_text(NOVEMBER)
        row = coordinator.locator("table tbody tr").filter(has_text=COMMENT)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(passage)
        expect(row).to_contain_text(outcome_label)
        expect(row).to_contain_text(RATIONALE)
        expect(coordinator.locator(".page-header__lede")).to_contain_text(answered_pattern)
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
        assert passage in comment_rows[0][0]
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
        assert passage in comment_rows[0]
        assert outcome_label in comment_rows[0]
        assert RATIONALE in comment_rows[0]
    finally:
        member_context.close()
        coordinator_context.close()
