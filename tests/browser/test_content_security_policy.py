"""The Content-Security-Policy in a real browser: the main pages load, their scripts run (the
live bell and round connections, htmx) and Chromium reports no violation of the policy."""

import pytest
from playwright.sync_api import expect

from consultations.demo import seed_demo as seed_rounds
from consultations.models import ReviewRound
from documents.demo import seed_demo as seed_documents
from documents.models import Document
from networks.demo import ARBETSGRUPP, seed_demo
from networks.models import Membership, Network
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000

# Recorded in every page before its own scripts run (the driver's script is not under the policy).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def test_the_main_pages_run_under_the_policy_without_violations(live_server_url, page):
    seed_demo()
    seed_documents()
    seed_rounds()
    base = live_server_url
    page.set_default_timeout(TIMEOUT_MS)
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(f"{page.url}: {m.text}"))
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    page.add_init_script(RECORD_VIOLATIONS)

    def visit(path):
        response = page.goto(base + path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # the deferred scripts open their connections
        violations = page.evaluate("() => window.__cspViolations")
        assert violations == [], f"{path}: {violations}"

    visit("/login/")
    visit("/password-reset/")
    log_in(page, base, "coordinator@example.org")
    group = Network.objects.get(name=ARBETSGRUPP)
    document = Document.objects.order_by("pk").first()
    review = ReviewRound.objects.order_by("pk").first()
    for path in [
        "/",
        "/networks/",
        group.get_absolute_url(),
        f"/networks/{group.pk}/members/",
        "/organisations/",
        document.get_absolute_url(),
        f"/documents/{document.pk}/compare/",
        review.get_absolute_url(),
        "/notifications/",
        "/notifications/settings/",
        "/my-comments/",
    ]:
        visit(path)

    # The scripts really ran: htmx swaps a role change in place on the members page.
    page.goto(f"{base}/networks/{group.pk}/members/")
    page.evaluate("() => { window.__notReloaded = true; }")
    member = Membership.objects.get(network=group, user__email="member@example.org")
    row = page.locator(f"#member-{member.pk}")
    row.locator("select[name=role]").select_option("writer")
    row.locator("button[type=submit]").click()
    expect(page.locator(f"#member-{member.pk} [role=status]")).to_be_visible()
    assert page.evaluate("() => window.__notReloaded === true")
    assert page.evaluate("() => window.__cspViolations") == []
    assert not [e for e in errors if "Content Security Policy" in e], errors
