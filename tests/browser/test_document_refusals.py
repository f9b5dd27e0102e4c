"""Editing in place in a real browser when the document has moved on: the refusal appears in
the section (htmx swaps a fragment), never as a second page inside it; and the section buttons
have the names Chromium computes, "Redigera: Målgrupp", without a space before the colon."""

import pytest
from playwright.sync_api import expect

from documents.models import Document
from networks.models import Membership, Role
from tests.factories import PASSWORD, DocumentFactory, MembershipFactory, SectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TIMEOUT_MS = 15_000
LOCKED_SV = "Dokumentet är fastställt och kan inte längre ändras."


@pytest.fixture
def writing(live_server_url, page):
    document = DocumentFactory(title="Regional strategi")
    writer = MembershipFactory(network=document.network, role=Role.WRITER).user
    SectionFactory(document=document, heading="Inledning", body="Första.", position=1)
    section = SectionFactory(
        document=document, heading="Målgrupp", body="Alla föräldrar.", position=2
    )
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server_url}/login/")
    page.locator("[name=username]").fill(writer.email)
    page.locator("[name=password]").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"{live_server_url}/")
    page.goto(f"{live_server_url}{document.get_absolute_url()}")
    return document, writer, section


def adopt(document):
    Document.objects.filter(pk=document.pk).update(status=Document.Status.ADOPTED)


def test_the_section_buttons_are_named_without_a_space_before_the_colon(writing, page):
    tools = page.locator(".doc-section__tools")
    expect(tools.get_by_role("link", name="Redigera: Målgrupp", exact=True)).to_have_count(1)
    expect(tools.get_by_role("button", name="Flytta upp: Målgrupp", exact=True)).to_have_count(1)
    expect(tools.get_by_role("button", name="Flytta ned: Inledning", exact=True)).to_have_count(1)
    history = tools.get_by_role("link", name="Ändringshistorik: Målgrupp", exact=True)
    expect(history).to_have_count(1)
    expect(tools.get_by_role("link", name="Ta bort: Målgrupp", exact=True)).to_have_count(1)
    expect(tools.get_by_role("link", name="Redigera : Målgrupp", exact=True)).to_have_count(0)


def test_opening_the_editor_of_an_adopted_document_shows_the_message_in_the_section(
    writing, page, axe
):
    document, _writer, section = writing
    adopt(document)  # by the signatories, while this page was open

    page.get_by_role("link", name="Redigera: Målgrupp", exact=True).click()

    in_place = page.locator(f"#section-{section.key}")
    expect(in_place.get_by_role("alert")).to_contain_text(LOCKED_SV)
    expect(in_place).to_contain_text("Alla föräldrar.")
    expect(page.locator("header")).to_have_count(1)  # no second page inside the section
    expect(page.locator("footer")).to_have_count(1)
    axe(page, "an edit refused in place")


def test_saving_after_adoption_keeps_the_text_in_the_section_with_the_message(writing, page, axe):
    document, _writer, section = writing
    page.get_by_role("link", name="Redigera: Målgrupp", exact=True).click()
    body = page.locator(f"#section-{section.key} [contenteditable=true]")  # the section editor
    body.fill("Alla föräldrar i länet, med min nya mening.")
    adopt(document)

    page.locator(f"#section-{section.key} button[type=submit]").click()

    in_place = page.locator(f"#section-{section.key}")
    expect(in_place.get_by_role("alert")).to_contain_text(LOCKED_SV)
    expect(in_place.locator("textarea[readonly]")).to_have_value(
        "Alla föräldrar i länet, med min nya mening."
    )
    expect(page.locator("header")).to_have_count(1)
    axe(page, "a save refused in place")


def test_a_writer_whose_role_was_taken_away_sees_the_page_again_with_the_reason(writing, page):
    _document, writer, _section = writing
    Membership.objects.filter(user=writer).update(role=Role.MEMBER)

    page.get_by_role("link", name="Redigera: Målgrupp", exact=True).click()

    expect(page.locator(".messages")).to_contain_text("behörighet")  # after the reload
    expect(page.get_by_role("link", name="Redigera: Målgrupp", exact=True)).to_have_count(0)
    expect(page.locator("header")).to_have_count(1)
