"""Opening a notification in a real browser: the page it leads to marks it read with a POST and
tidies its address; without JavaScript following the link changes nothing."""

import pytest
from playwright.sync_api import expect

from networks.demo import seed_demo
from networks.models import Network, User
from notifications import services
from notifications.kinds import Kind
from notifications.models import Notification
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000


def raise_one(person, url):
    [notification] = services.notify(
        kind=Kind.DOCUMENT_ADOPTED,
        recipients=[person],
        context={"document": "Regional strategi", "version": "2"},
        url=url,
    )
    return notification


def test_the_opened_page_marks_the_notification_read(live_server_url, page):
    seed_demo()
    base = live_server_url
    page.set_default_timeout(TIMEOUT_MS)
    person = User.objects.get(email="member@example.org")
    network = Network.objects.filter(memberships__user=person).first()
    notification = raise_one(person, network.get_absolute_url())
    log_in(page, base, "member@example.org", then="/notifications/")
    expect(page.locator("[data-bell-count]")).to_have_text("1")

    page.locator(f"#notification-{notification.pk} .notification__link").click()

    page.wait_for_url(f"{base}{network.get_absolute_url()}")  # the parameter is taken out
    expect(page.locator("[data-bell-count]")).to_be_hidden()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_without_javascript_following_the_link_changes_nothing(live_server_url, browser):
    seed_demo()
    base = live_server_url
    person = User.objects.get(email="member@example.org")
    network = Network.objects.filter(memberships__user=person).first()
    notification = raise_one(person, network.get_absolute_url())
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        log_in(page, base, "member@example.org", then="/notifications/")
        page.locator(f"#notification-{notification.pk} .notification__link").click()
        page.wait_for_url(f"{base}{network.get_absolute_url()}?notification={notification.pk}")
        page.wait_for_timeout(300)
    finally:
        context.close()
    assert Notification.objects.get(pk=notification.pk).read_at is None
