"""A writer's day in a real browser: import the Word file, edit a section in place, publish,
edit again, publish, and compare the two versions; axe-core on every page. And the document's
page in two states of its process, on a desk and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from consultations.demo import AGREEMENT
from consultations.demo import seed_demo as seed_rounds
from documents.demo import TITLE
from documents.demo import seed_demo as seed_documents
from documents.models import Document
from networks.demo import ARBETSGRUPP, DEMO_PASSWORD, seed_demo
from networks.models import Network
from tests.browser.session import log_in
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
    # The text is written in the section editor (which writes Markdown into the form).
    editor = form_box.locator("[contenteditable=true]")
    expect(editor).to_be_visible()
    editor.fill(
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


# The parts of the document's page above its text: the header, the stepper, the banner, the note
# on what the page shows. (The text's own tables still need their scroll regions: issue 14,
# "Phone and reflow".)
ABOVE_THE_TEXT = ".page-header, .process, .callout"


def no_wider_than_the_screen(page, label):
    overflowing = page.evaluate(
        """selector => {
            const width = document.documentElement.clientWidth;
            return [...document.querySelectorAll(selector)]
                .filter(box => box.getBoundingClientRect().right > width
                    || box.scrollWidth > box.clientWidth)
                .map(box => box.className);
        }""",
        ABOVE_THE_TEXT,
    )
    assert not overflowing, f"{label}: wider than the screen: {overflowing}"


def test_the_stepper_in_a_round_and_after_adoption_on_a_phone_and_a_desk(
    live_server_url, page, axe
):
    """The agreement in the middle of its round, and the strategy adopted in December 2022: the
    stepper says where each is, the banner links the open round, the adopted document opens on
    the version that was signed; axe on both, at 1366 and at 320 px without a sideways scroll."""
    seed_demo()
    seed_documents()
    seed_rounds()
    base = live_server_url
    page.set_default_timeout(TIMEOUT_MS)
    agreement = Document.objects.get(title=AGREEMENT)
    strategy = Document.objects.get(title=TITLE)
    log_in(page, base, "member@example.org")

    for width, height in ((1366, 900), (320, 640)):
        page.set_viewport_size({"width": width, "height": height})

        # In consultation: step 2, and the open round a link away.
        page.goto(f"{base}{agreement.get_absolute_url()}")
        current = page.locator(".stepper [aria-current='step']")
        expect(current).to_have_count(1)
        expect(current).to_contain_text("Steg 2 av 6: Remiss")
        banner = page.locator(".process__banner a")
        expect(banner).to_have_text(re.compile(r"^Remissen är öppen till "))
        expect(page.locator(".process__banner")).to_contain_text("0 av 4 har svarat")
        no_wider_than_the_screen(page, f"document in consultation at {width} px")
        axe(page, f"document in consultation at {width} px")

        # Adopted: the last step, the signed version's text, its checksum folded away.
        page.goto(f"{base}{strategy.get_absolute_url()}")
        expect(page.locator(".stepper [aria-current='step']")).to_contain_text(
            "Steg 6 av 6: Fastställd"
        )
        expect(page.locator(".callout--adopted")).to_contain_text(
            "Du läser den fastställda texten: version 2"
        )
        verify = page.locator("details.verify")
        expect(verify.locator("code").first).not_to_be_visible()
        verify.locator("summary").click()
        expect(verify.locator("code").first).to_be_visible()
        no_wider_than_the_screen(page, f"adopted document at {width} px")
        axe(page, f"adopted document, its checksum unfolded, at {width} px")

    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{base}{agreement.get_absolute_url()}")
    page.locator(".process__banner a").click()
    page.wait_for_url(re.compile(r"/rounds/\d+/$"))
