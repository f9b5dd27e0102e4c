"""The accessibility statement in a real browser: reached from the footer while logged out,
read in Swedish, passes axe (at 320 px too)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000


def test_the_statement_is_reached_from_the_footer_and_passes_axe(live_server_url, page, axe):
    base = live_server_url
    page.set_default_timeout(TIMEOUT_MS)
    page.set_extra_http_headers({"Accept-Language": "sv-SE,sv;q=0.9"})  # a Swedish browser
    page.goto(f"{base}/login/")
    page.get_by_role("contentinfo").get_by_role("link", name="Tillgänglighetsredogörelse").click()

    page.wait_for_url(f"{base}/tillganglighet/")
    expect(page).to_have_title("Tillgänglighetsredogörelse – Samverka")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tillgänglighetsredogörelse")
    expect(page.get_by_role("heading", name="Tillsyn")).to_be_visible()
    expect(page.get_by_role("link", name="https://www.digg.se/tdosanmalan")).to_be_visible()
    axe(page, "accessibility statement")

    page.set_viewport_size({"width": 320, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    axe(page, "accessibility statement at 320 px")
