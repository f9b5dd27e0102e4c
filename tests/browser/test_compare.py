"""The comparison of two versions of the demo strategy, inline and side by side: the text is
rendered (lists, a table), both views pass axe (WCAG 2.1 AA and best practice), the link between
them works without JavaScript, and at 320 px no view is wider than the screen (the columns stack,
the table scrolls in its own region)."""

import pytest
from playwright.sync_api import expect

from documents.demo import TITLE
from documents.demo import seed_demo as seed_documents
from documents.models import Document
from networks.demo import seed_demo
from tests.browser.conftest import AXE_JS, AXE_TAGS, _describe
from tests.browser.session import log_in
from tests.browser.test_reflow import STICKING_OUT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000


def axe_with_best_practice(page, label):
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text())
    results = page.evaluate(
        "options => axe.run(document, options)",
        {
            "runOnly": {"type": "tag", "values": [*AXE_TAGS, "best-practice"]},
            "resultTypes": ["violations"],
        },
    )
    violations = results["violations"]
    assert not violations, f"{label}: {len(violations)} violation(s):\n{_describe(violations)}"


def test_both_views_read_as_the_document_and_fit_a_phone(live_server_url, page):
    seed_demo()
    seed_documents()
    strategy = Document.objects.get(title=TITLE)
    base = live_server_url
    page.set_default_timeout(TIMEOUT_MS)
    # JavaScript off would need a new context; the views are plain links, followed here by click.
    log_in(page, base, "coordinator@example.org")
    page.goto(f"{base}/documents/{strategy.pk}/compare/?from=1&to=2")

    # Inline: lists and the new section's table are rendered, nothing of the Markdown source.
    body = page.locator("#diff-heading").locator("xpath=..")
    expect(body.locator("li").first).to_be_visible()
    expect(body.locator("ins").first).to_be_visible()
    assert "| Målområde" not in body.inner_text()
    assert "**" not in body.inner_text()
    table = body.get_by_role("region", name="Tabell: Målområde, Indikator, Ansvar")
    expect(table.locator("tr.diff-row--inserted").first).to_be_attached()
    # Underlined and struck out, not colour alone.
    ins = body.locator("ins").first
    assert "underline" in ins.evaluate("el => getComputedStyle(el).textDecorationLine")
    struck = page.evaluate(
        """() => { const d = document.createElement("del"); document.body.append(d);
                   const line = getComputedStyle(d).textDecorationLine;
                   d.remove(); return line; }"""
    )  # the demo's second version removes nothing
    assert "line-through" in struck
    axe_with_best_practice(page, "compare inline")

    page.get_by_role("link", name="Sida vid sida").click()
    page.wait_for_url("**visning=sida-vid-sida")
    expect(page.get_by_role("link", name="Sida vid sida")).to_have_attribute("aria-current", "page")
    old_column = page.locator(".diff-column--old").first
    new_column = page.locator(".diff-column--new").first
    expect(old_column).to_contain_text("Före: Version 1")
    expect(new_column).to_contain_text("Efter: Version 2")
    page.set_viewport_size({"width": 1280, "height": 800})
    left, right = old_column.bounding_box(), new_column.bounding_box()
    assert left["x"] + left["width"] <= right["x"], "the columns are side by side on a wide screen"
    assert old_column.locator("ins").count() == 0
    assert new_column.locator("del").count() == 0
    axe_with_best_practice(page, "compare side by side")

    for view in ("inline", "sida-vid-sida"):
        page.set_viewport_size({"width": 320, "height": 740})
        page.goto(f"{base}/documents/{strategy.pk}/compare/?from=1&to=2&visning={view}")
        wide, screen = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert wide <= screen, f"{view} at 320 px is {wide} px wide: {page.evaluate(STICKING_OUT)}"
        axe_with_best_practice(page, f"compare {view} at 320 px")
    # On the phone the columns stack: the newer text under the older one.
    left, right = old_column.bounding_box(), new_column.bounding_box()
    assert right["y"] >= left["y"] + left["height"]
