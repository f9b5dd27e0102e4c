"""Asking for sign-off in a real browser: the working group's chair asks KC/RD's directors to sign
the newest version; axe-core on the request page, with and without a refusal."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consultations.models import SignOff
from consultations.services import decisions
from documents.demo import seed_demo as seed_documents
from documents.models import Document
from networks.demo import seed_demo
from networks.models import User
from tests.browser.session import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 10_000
DIRECTORS = ["Sven Beslutsfattare", "Henrik Ek", "Birgitta Svan"]


def test_the_chair_asks_kcrd_to_sign(live_server_url, browser, axe):
    seed_demo()
    seed_documents()
    document = Document.objects.get()
    Document.objects.filter(pk=document.pk).update(status=Document.Status.REVISING)
    chair = User.objects.get(email="chair@example.org")
    decisions.record_decision(
        document,
        by_user=chair,
        version=document.versions.get(number=2),
        kind="views",
        decided_on=timezone.localdate(),
        text="Synpunkter.",
        body_name="Chefsnätverket",
    )
    base = live_server_url
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        log_in(page, base, "chair@example.org", then=f"/documents/{document.pk}/decisions/")
        page.locator(f"a[href='/documents/{document.pk}/sign-off/new/']").click()
        expect(page.locator("dl.details")).to_contain_text("Version 2: Reviderad version")
        expect(page.locator("label", has_text="Sven Beslutsfattare")).to_contain_text(
            "Beslutsfattare, KC/RD"
        )
        expect(page.locator("label", has_text="Otto Utomstående")).to_have_count(0)
        axe(page, "ask for sign-off")
        page.locator("form.form button[type=submit]").click()  # nobody chosen
        expect(page.locator(".form-errors")).to_contain_text("Välj minst en undertecknare")
        axe(page, "ask for sign-off, nobody chosen")
        for name in DIRECTORS:
            page.get_by_label(name).check()
        page.locator("form.form button[type=submit]").click()
        page.wait_for_url(f"{base}/sign-offs/**")
        sign_off = SignOff.objects.get()
        assert sorted(p.get_full_name() for p in sign_off.signatories.all()) == sorted(DIRECTORS)
    finally:
        context.close()
