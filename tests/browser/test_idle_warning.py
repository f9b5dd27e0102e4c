"""The idle warning in a real browser: it appears before the session ends, takes the focus to
its button, passes axe, "Stay logged in" keeps the session; ignored, the page goes to login."""

import re

import pytest
from playwright.sync_api import expect

from networks.demo import seed_demo
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_warning_comes_before_the_end_and_staying_keeps_the_session(
    live_server_url, page, axe, settings
):
    settings.SESSION_IDLE_SECONDS = 8
    settings.SESSION_IDLE_WARNING_SECONDS = 5
    seed_demo()
    base = live_server_url
    page.set_default_timeout(10_000)
    log_in(page, base, "member@example.org", then="/networks/")
    warning = page.get_by_role("alertdialog", name="Du loggas snart ut")
    expect(warning).to_be_hidden()

    expect(warning).to_be_visible()
    stay = warning.get_by_role("button", name="Fortsätt vara inloggad")
    expect(stay).to_be_focused()
    axe(page, "idle warning")

    stay.click()
    expect(warning).to_be_hidden()
    assert page.url == f"{base}/networks/"

    # Ignored the second time: the page goes to the login page, which says why.
    expect(warning).to_be_visible()
    page.wait_for_url(re.compile(r"/login/"), timeout=15_000)
    expect(page.locator(".messages")).to_contain_text("utan aktivitet")
