"""Sign-off in a real browser: a signatory signs with their password; the adopted document
refuses editing; axe-core on every page."""

import re

import pytest
from playwright.sync_api import expect

from consultations.models import ReviewRound
from consultations.services import decisions
from documents.demo import seed_demo as seed_documents
from documents.models import Document
from networks.demo import DEMO_PASSWORD, seed_demo
from networks.models import User
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000


def test_a_signatory_signs_and_the_document_is_adopted_and_locked(live_server_url, browser, axe):
    seed_demo()
    seed_documents()
    base = live_server_url
    document = Document.objects.get()
    assert not ReviewRound.objects.exists()
    Document.objects.filter(pk=document.pk).update(status=Document.Status.ANCHORING)
    signatory = User.objects.get(email="signatory@example.org")
    sign_off = decisions.request_sign_off(
        document,
        by_user=User.objects.get(email="coordinator@example.org"),
        version=document.versions.order_by("-number").first(),
        signatories=[signatory],
        required=None,
    )
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        log_in(page, base, "signatory@example.org")
        axe(page, "my work, a signature waits")
        page.goto(f"{base}{sign_off.get_absolute_url()}")
        # The context: who asked (the coordinator), and what was decided before.
        expect(page.locator("#context-heading + p")).to_contain_text("Begärd av")
        expect(page.get_by_label("Jag godkänner")).to_be_visible()
        expect(page.get_by_label("Jag avböjer")).to_be_visible()
        axe(page, "sign-off")
        page.locator("[name=verdict][value=approve]").check()
        page.locator("[name=password]").fill("not my password")
        page.locator("form.form button[type=submit]").click()
        expect(page.locator(".form-errors")).to_be_visible()  # refused, nothing recorded
        axe(page, "sign-off, wrong password")
        page.locator("[name=verdict][value=approve]").check()
        page.locator("[name=password]").fill(DEMO_PASSWORD)
        page.locator("form.form button[type=submit]").click()
        expect(page.locator(".party .badge--success")).to_have_count(1)
        expect(page.locator(".messages")).to_contain_text("Dokumentet är nu fastställt.")
        expect(page.locator(".my-signatures li")).to_have_count(1)
        expect(page.locator(".my-signatures li")).to_contain_text(document.title)
        axe(page, "sign-off, signed and adopted")
        page.goto(f"{base}/")
        expect(page.locator(".my-signatures li")).to_contain_text(document.title)
        axe(page, "my work, what I signed")
        document.refresh_from_db()
        assert document.status == Document.Status.ADOPTED
    finally:
        context.close()

    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        log_in(page, base, "writer@example.org")
        page.goto(f"{base}{document.get_absolute_url()}")
        expect(page.locator(".callout--adopted")).to_be_visible()
        expect(page.locator("a[href$='/edit/']")).to_have_count(0)  # no way to edit
        axe(page, "adopted document")
        section = document.sections.first()
        page.goto(f"{base}/documents/{document.pk}/sections/{section.key}/edit/")
        expect(page.locator(".callout")).to_contain_text(re.compile("fastställ|adopted", re.I))
        axe(page, "editing refused")
        page.goto(f"{base}/documents/{document.pk}/decisions/")
        expect(page.locator(".adopted code")).to_have_text(re.compile(r"^[0-9a-f ]{19}$"))
        axe(page, "decisions of the adopted document")
    finally:
        context.close()


def test_a_signatory_declines_with_a_reason_and_sees_what_they_signed(
    live_server_url, browser, axe
):
    seed_demo()
    seed_documents()
    base = live_server_url
    document = Document.objects.get()
    Document.objects.filter(pk=document.pk).update(status=Document.Status.ANCHORING)
    sign_off = decisions.request_sign_off(
        document,
        by_user=User.objects.get(email="coordinator@example.org"),
        version=document.versions.order_by("-number").first(),
        signatories=[User.objects.get(email="signatory@example.org")],
        required=None,
    )
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        log_in(page, base, "signatory@example.org")
        page.goto(f"{base}{sign_off.get_absolute_url()}")
        page.get_by_label("Jag avböjer").check()
        page.locator("[name=reason]").fill("Siffrorna i avsnitt 2 stämmer inte.")
        page.locator("[name=password]").fill(DEMO_PASSWORD)
        page.locator("form.form button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text("Du avböjde.")
        expect(page.locator(".messages")).not_to_contain_text("fastställt")
        expect(page.locator(".my-signatures li")).to_contain_text("Avböjt")
        axe(page, "sign-off, declined")
        document.refresh_from_db()
        assert document.status == Document.Status.REVISING
    finally:
        context.close()
