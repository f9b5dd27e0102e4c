"""Reflow on a phone (WCAG 1.4.10): at 320 and 390 px no main page of the demo is wider than the
screen, each passes axe, and a table in a document's text scrolls in a region that the keyboard
reaches (Tab) and scrolls (arrow keys)."""

import pytest
from playwright.sync_api import expect

from consultations.demo import AUGUST
from consultations.demo import seed_demo as seed_rounds
from consultations.models import ReviewRound, SignOff
from documents.demo import TITLE
from documents.demo import seed_demo as seed_documents
from documents.models import Document
from networks.demo import ARBETSGRUPP, seed_demo
from networks.models import Network
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000
WIDTHS = (320, 390)

# Focus the last element the keyboard reaches before the region, so that one Tab must land on it.
FOCUS_BEFORE = """region => {
  const reachable = [...document.querySelectorAll(
    "a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])"
  )].filter(el => !el.disabled && el.getClientRects().length
    && (el.compareDocumentPosition(region) & Node.DOCUMENT_POSITION_FOLLOWING)
    && !region.contains(el));
  reachable[reachable.length - 1].focus();
}"""


# What sticks out past the right edge: the deepest such elements, to say where a page is too wide.
STICKING_OUT = """() => [...document.querySelectorAll("body *")]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5
    && ![...el.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 0.5))
  .slice(0, 5)
  .map(el => el.outerHTML.slice(0, 160))"""


def _main_pages():
    group = Network.objects.get(name=ARBETSGRUPP)
    strategy = Document.objects.get(title=TITLE)
    latest = strategy.versions.order_by("-number").first()
    august = ReviewRound.objects.get(title=AUGUST)
    sign_off = SignOff.objects.filter(document=strategy).order_by("pk").first()
    return [
        ("/", "Mitt arbete"),
        (group.get_absolute_url(), "network"),
        (f"/networks/{group.pk}/members/", "members"),
        (strategy.get_absolute_url(), "document"),
        (f"/documents/{strategy.pk}/versions/", "versions"),
        (f"/documents/{strategy.pk}/versions/{latest.number}/", "version"),
        (f"/documents/{strategy.pk}/compare/?from=1&to={latest.number}", "compare"),
        (august.get_absolute_url(), "round"),
        (f"/rounds/{august.pk}/report/", "report"),
        (f"/documents/{strategy.pk}/decisions/", "decisions"),
        (sign_off.get_absolute_url(), "sign-off"),
        ("/organisations/", "organisations"),
    ]


def test_the_main_pages_fit_a_phone_and_their_tables_scroll_by_keyboard(live_server_url, page, axe):
    seed_demo()
    seed_documents()
    seed_rounds()
    base = live_server_url
    page.set_default_timeout(TIMEOUT_MS)
    log_in(page, base, "coordinator@example.org")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    pages = _main_pages()

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 740})
        for path, label in pages:
            page.goto(base + path)
            wide, screen = page.evaluate(
                "() => [document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert wide <= screen, (
                f"{label} at {width} px is {wide} px wide: {page.evaluate(STICKING_OUT)}"
            )
            axe(page, f"{label} at {width} px")
        # The menu wraps: every item is on the screen, none hidden off to the side.
        menu = page.get_by_role("navigation", name="Huvudmeny")
        assert menu.evaluate("el => el.scrollWidth <= el.clientWidth")
        for link in menu.get_by_role("link").all():
            box = link.bounding_box()
            assert 0 <= box["x"] <= box["x"] + box["width"] <= width, link.inner_text()

    # The version's table (Uppföljning) is wider than 320 px: it scrolls in its own region.
    page.set_viewport_size({"width": 320, "height": 740})
    version_path = next(path for path, label in pages if label == "version")
    page.goto(base + version_path)
    region = page.get_by_role("region", name="Tabell: Målområde, Indikator, Ansvar")
    expect(region).to_have_attribute("tabindex", "0")
    region.evaluate(FOCUS_BEFORE)
    page.keyboard.press("Tab")
    expect(region).to_be_focused()
    assert region.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.activeElement.scrollLeft > 0", timeout=2_000)


# The header leaves the screen to the page: at most this tall on a phone (it was 324 px at 320).
HEADER_MAX_PX = 140


def test_the_header_is_low_on_a_phone_and_its_menu_opens_without_script(live_server_url, page, axe):
    seed_demo()
    base = live_server_url
    page.set_default_timeout(TIMEOUT_MS)
    page.set_extra_http_headers({"Accept-Language": "sv-SE,sv;q=0.9"})
    header = page.locator("header.site-header")
    page.goto(f"{base}/login/")
    heights = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 740})
        heights[f"logged out {width}"] = header.bounding_box()["height"]
    log_in(page, base, "kerstin.socialchef@example.org")  # the longest name of the demo
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 740})
        page.goto(f"{base}/networks/")
        heights[f"logged in {width}"] = header.bounding_box()["height"]
    assert all(h <= HEADER_MAX_PX for h in heights.values()), heights

    # The folded menu opens by keyboard, lies over the page within the screen, and passes axe.
    page.set_viewport_size({"width": 320, "height": 740})
    toggle = header.locator("summary", has_text="Meny")
    expect(toggle).to_be_visible()
    expect(header.get_by_role("button", name="Logga ut")).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    logout = header.get_by_role("button", name="Logga ut")
    expect(logout).to_be_visible()
    expect(header.get_by_label("Språk")).to_be_visible()
    box = page.locator(".account__panel").bounding_box()
    assert box["x"] >= 0, box
    assert box["x"] + box["width"] <= 320, box
    assert header.bounding_box()["height"] == heights["logged in 320"]  # nothing pushed down
    axe(page, "the person's menu open at 320 px")
    page.set_viewport_size({"width": 1366, "height": 800})
    expect(header.get_by_text("Kerstin", exact=False).first).to_be_visible()  # the name there
