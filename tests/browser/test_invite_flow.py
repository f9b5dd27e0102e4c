"""The invitation flow in a real browser, with axe-core on every page it passes.

A chair logs in, opens the working group, invites someone by e-mail; the invited person opens the
link from the e-mail in a fresh browser (on a phone-sized screen), creates an account and lands in
the group as a member.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from networks.demo import ARBETSGRUPP, DEMO_PASSWORD, seed_demo
from networks.models import Invitation, Network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHAIR = "chair@example.org"
INVITED = "nina.nyberg@example.org"
INVITED_NAME = "Nina Nyberg"
STRONG_PASSWORD = "Blåbärsskog-vid-Hjälmaren-2931"
PHONE = {"width": 375, "height": 800}
TIMEOUT_MS = 10_000


def test_a_chair_invites_someone_who_joins_from_the_email(
    live_server_url, page, browser, axe, settings
):
    seed_demo()
    group = Network.objects.get(name=ARBETSGRUPP)
    # Links in e-mails are absolute (SITE_URL): point them at the test server.
    settings.SITE_URL = live_server_url
    page.set_default_timeout(TIMEOUT_MS)

    # The chair logs in.
    page.goto(f"{live_server_url}/login/")
    axe(page, "login")
    page.get_by_label(re.compile(r"e-?post|e-?mail", re.I)).fill(CHAIR)
    page.get_by_label(re.compile(r"lösenord|password", re.I)).fill(DEMO_PASSWORD)
    page.locator("form.form button[type=submit]").click()

    # The start page, "Mitt arbete", then my networks.
    page.wait_for_url(f"{live_server_url}/")
    axe(page, "my work")
    page.goto(f"{live_server_url}/networks/")
    axe(page, "my networks")

    # The working group.
    page.get_by_role("link", name=ARBETSGRUPP, exact=True).click()
    page.wait_for_url(f"{live_server_url}{group.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(ARBETSGRUPP)
    axe(page, "working group")

    # Member management.
    page.locator("main a[href$='/members/']").click()
    members_url = f"{live_server_url}/networks/{group.pk}/members/"
    page.wait_for_url(members_url)
    axe(page, "members")

    # Invite someone as writer, representing Kumla kommun.
    form = page.locator(f"form[action='/networks/{group.pk}/members/']")
    form.locator("[name=email]").fill(INVITED)
    form.locator("select[name=role]").select_option("writer")
    form.locator("select[name=organisation]").select_option(label="Kumla kommun")
    form.locator("button[type=submit]").click()
    page.wait_for_url(members_url)  # Post/Redirect/Get back to the members page
    expect(page.locator(".message--success")).to_contain_text(INVITED)
    pending = page.locator(".table-wrap[aria-labelledby=pending-heading]")
    expect(pending.get_by_role("rowheader").filter(has_text=INVITED)).to_contain_text(
        "Kumla kommun"
    )
    axe(page, "members, after inviting")

    # The e-mail. The server thread runs in this process, so Django's in-memory backend collects
    # its mail in the same django.core.mail.outbox; the task runs eagerly (test settings), so the
    # e-mail has been sent by the time the redirected page is shown.
    invitation = Invitation.objects.get(network=group, email=INVITED, accepted_at__isnull=True)
    sent = [message for message in mail.outbox if INVITED in message.to]
    assert len(sent) == 1, (
        f"expected one e-mail to {INVITED}, outbox: {mail.outbox!r} "
        "(is CELERY_TASK_ALWAYS_EAGER on in the test settings?)"
    )
    match = re.search(r"https?://\S+?/invitations/[\w-]+/", sent[0].body)
    assert match, f"no invitation link in the e-mail:\n{sent[0].body}"
    link = match.group(0)
    assert link == f"{live_server_url}{invitation.get_absolute_url()}"
    assert link in sent[0].alternatives[0][0]  # the HTML part has the same link
    assert ARBETSGRUPP in sent[0].subject

    # The invited person opens the link on a phone, not logged in.
    context = browser.new_context(viewport=PHONE)
    try:
        invited = context.new_page()
        invited.set_default_timeout(TIMEOUT_MS)
        invited.goto(link)
        expect(invited.locator("[name=full_name]")).to_be_visible()
        axe(invited, "invitation, phone")
        invited.locator("[name=full_name]").fill(INVITED_NAME)
        invited.locator("[name=password1]").fill(STRONG_PASSWORD)
        invited.locator("[name=password2]").fill(STRONG_PASSWORD)
        invited.locator("form.form button[type=submit]").click()

        # They land in the working group, as a member.
        invited.wait_for_url(f"{live_server_url}{group.get_absolute_url()}")
        expect(invited.locator(".message--success")).to_contain_text(ARBETSGRUPP)
        members = invited.locator(".table-wrap[aria-labelledby=members-heading] table")
        expect(members.get_by_role("rowheader", name=INVITED_NAME, exact=True)).to_be_visible()
        axe(invited, "working group as the new member, phone")
    finally:
        context.close()

    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert group.memberships.filter(user__email=INVITED, role="writer").exists()
