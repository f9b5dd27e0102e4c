"""The bell in a real browser: it rings live while the person works, the screen reader hears
it, and the list and preferences pages pass axe."""

import pytest
from playwright.sync_api import expect

from networks.demo import ARBETSGRUPP, seed_demo
from networks.models import Network
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000


def test_the_bell_rings_live_when_someone_invites_me(live_server_url, browser, axe):
    seed_demo()
    base = live_server_url
    group = Network.objects.get(name=ARBETSGRUPP)
    watcher_context, chair_context = browser.new_context(), browser.new_context()
    try:
        watcher = watcher_context.new_page()
        watcher.set_default_timeout(TIMEOUT_MS)
        log_in(watcher, base, "signatory@example.org", then="/networks/")
        watcher.goto(f"{base}/notifications/")
        count = watcher.locator("[data-bell-count]")
        expect(count).to_be_hidden()
        axe(watcher, "notifications, empty")
        watcher.wait_for_timeout(500)  # let the socket connect

        chair = chair_context.new_page()
        chair.set_default_timeout(TIMEOUT_MS)
        log_in(chair, base, "chair@example.org", then="/networks/")
        chair.goto(f"{base}/networks/{group.pk}/members/")
        form = chair.locator(f"form[action='/networks/{group.pk}/members/']")
        form.locator("[name=email]").fill("signatory@example.org")
        form.locator("select[name=role]").select_option("signatory")
        form.locator("button[type=submit]").click()
        expect(chair.locator(".message--success")).to_be_visible()

        # Without reloading, the watcher's bell shows 1, the screen reader hears the news.
        expect(count).to_have_text("1")
        expect(count).to_be_visible()
        expect(watcher.locator("[data-bell-announcer]")).to_contain_text(ARBETSGRUPP)
        expect(watcher.locator(".notification--unread")).to_have_count(1)
        axe(watcher, "notifications, one new")

        watcher.locator(".notification__link").first.click()
        watcher.wait_for_url(f"{base}/invitations/**")
        # The page it opened marks it read (a POST from its script) and updates the bell.
        expect(watcher.locator("[data-bell-count]")).to_be_hidden()
        watcher.goto(f"{base}/notifications/settings/")
        axe(watcher, "notification preferences")
        expect(watcher.locator("[data-bell-count]")).to_be_hidden()  # opening marked it read
    finally:
        watcher_context.close()
        chair_context.close()
