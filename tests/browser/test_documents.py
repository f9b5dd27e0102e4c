"""A writer's day in a real browser: import the Word file, edit a section in place, publish,
edit again, publish, and compare the two versions; axe-core on every page."""

import re

import pytest
from playwright.sync_api import expect

from documents.models import Document
from networks.demo import ARBETSGRUPP, DEMO_PASSWORD, seed_demo
from networks.models import Network
from tests.documents.docx_factory import STRATEGY_HEADINGS, STRATEGY_TITLE, make_strategy_docx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 15_000


def test_import_edit_publish_and_compare(live_server_url, page, axe, tmp_path):
    seed_demo()
    base = live_server_url
    group = Network.objects.get(name=ARBETSGRUPP)
    page.set_default_timeout(TIMEOUT_MS)
    docx_path = tmp_path / "strategi.docx"
    make_strategy_docx(docx_path)

    page.goto(f"{base}/login/")
    page.locator("[name=username]").fill("writer@example.org")
    page.locator("[name=password]").fill(DEMO_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"{base}/")  # "Mitt arbete", the start page
    page.goto(f"{base}/networks/")

    # The documents of the working group, and the import form.
    page.goto(f"{base}/networks/{group.pk}/documents/")
    axe(page, "documents of the working group")
    page.locator(f"a[href='/networks/{group.pk}/documents/import/']").click()
    axe(page, "import form")
    page.locator("input[name=file]").set_input_files(str(docx_path))
    page.locator("form.form button[type=submit]").click()

    # The progress page ends with a link to the new document.
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    open_link = page.locator("#import-progress a.button--primary")
    expect(open_link).to_be_visible()
    axe(page, "import done")
    open_link.click()
    document = Document.objects.get(title=STRATEGY_TITLE)
    page.wait_for_url(f"{base}{document.get_absolute_url()}")
    headings = page.locator(".doc-section h2")
    expect(headings).to_have_text(STRATEGY_HEADINGS)
    expect(page.locator(".doc-section table")).to_have_count(1)  # the Word table survived
    axe(page, "imported document")

    # Publish version 1.
    page.locator(f"a[href='/documents/{document.pk}/publish/']").first.click()
    axe(page, "publish form")
    page.locator("[name=label]").fill("Remissversion augusti 2022")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"{base}/documents/{document.pk}/versions/1/")
    # The checksum is folded into "Verifiera", and there to be read out in a meeting.
    checksum = page.locator(".version-card .verify code").first
    expect(checksum).not_to_be_visible()
    page.locator(".version-card .verify summary").click()
    expect(checksum).to_have_text(re.compile(r"^[0-9a-f ]{19}$"))
    axe(page, "version 1")

    # Edit the second section in place (htmx), without leaving the page.
    page.goto(f"{base}{document.get_absolute_url()}")
    section = document.sections.order_by("position")[1]
    box = page.locator(f"#section-{section.key}")
    box.locator("a[href$='/edit/']").click()
    form_box = page.locator(f"#section-{section.key} form")
    expect(form_box).to_be_visible()
    axe(page, "editing a section in place")
    form_box.locator("[name=body]").fill(
        "Arbetet ska vila på bästa tillgängliga kunskap och på föräldrarnas egna erfarenheter."
    )
    form_box.locator("button[type=submit]").click()
    expect(page.locator(f"#section-{section.key} .prose")).to_contain_text(
        "föräldrarnas egna erfarenheter"
    )
    assert page.url == f"{base}{document.get_absolute_url()}"

    # Publish version 2 and compare.
    page.goto(f"{base}/documents/{document.pk}/publish/")
    page.locator("[name=label]").fill("Reviderad version oktober 2022")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"{base}/documents/{document.pk}/versions/2/")
    page.goto(f"{base}/documents/{document.pk}/compare/?from=1&to=2")
    changed = page.locator(".diff-section--changed")
    expect(changed).to_have_count(1)
    expect(changed.locator("ins")).to_contain_text(["föräldrarnas egna erfarenheter"])
    expect(changed.locator("del").first).to_be_attached()
    axe(page, "compare 1 → 2")

    # Versions, history, the section's history.
    for path, label in [
        (f"/documents/{document.pk}/versions/", "versions"),
        (f"/documents/{document.pk}/history/", "history"),
        (f"/documents/{document.pk}/sections/{section.key}/history/", "section history"),
    ]:
        page.goto(base + path)
        axe(page, label)

    # The Word download of version 2.
    with page.expect_download() as download:
        page.goto(f"{base}/documents/{document.pk}/versions/2/")
        page.locator(f"a[href='/documents/{document.pk}/versions/2/word/']").first.click()
    assert download.value.suggested_filename.endswith("-v2.docx")
