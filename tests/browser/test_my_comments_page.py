"""'What happened to my comments' in a real browser: axe-core on the page with answers, replies,
an applied proposal and the passages as they read in the latest version (the demo)."""

import pytest
from playwright.sync_api import expect

from consultations.demo import seed_demo as seed_rounds
from documents.demo import seed_demo as seed_documents
from networks.demo import seed_demo
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_my_comments_passes_axe(live_server_url, page, axe):
    seed_demo()
    seed_documents()
    seed_rounds()
    page.set_default_timeout(10_000)
    log_in(page, live_server_url, "member@example.org", then="/my-comments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vad hände med mina synpunkter")
    expect(page.locator(".carried").first).to_be_visible()
    axe(page, "my comments")
