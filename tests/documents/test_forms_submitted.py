"""The working draft's forms, submitted from the pages as a browser does: a new document, a Word
import, adding, editing, moving, removing and restoring sections, publishing a version."""

import pytest
from django.urls import reverse

from documents import services as document_services
from documents.models import Document, Section
from networks.models import Role
from tests.documents.docx_factory import STRATEGY_HEADINGS, STRATEGY_TITLE, make_strategy_docx
from tests.factories import DocumentFactory, MembershipFactory, NetworkFactory, SectionFactory
from tests.forms import browser_client, find_form, follow_link, page_text, submit_form, submits

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    network = NetworkFactory(name="Skrivargruppen")
    writer = MembershipFactory(network=network, role=Role.WRITER).user
    document = DocumentFactory(network=network, title="Regional strategi")
    SectionFactory(document=document, heading="Inledning", position=1, body="Första texten.")
    SectionFactory(document=document, heading="Mål", position=2, body="Tre målområden.")
    return {"network": network, "writer": writer, "document": document}


def headings(document):
    return list(document.sections.order_by("position").values_list("heading", flat=True))


@submits("documents:network_documents")
def test_a_writer_starts_a_new_document_from_the_networks_documents(draft):
    client = browser_client(draft["writer"])
    page = client.get(reverse("documents:network_documents", args=[draft["network"].pk]))

    response = submit_form(
        client,
        page,
        button="Skapa dokument",
        fields={"Titel": "Handlingsplan 2024", "Typ av dokument": "Strategi"},
    )

    assert "Dokumentet har skapats. Lägg till det första avsnittet." in page_text(response)
    document = Document.objects.get(title="Handlingsplan 2024")
    assert (document.network, document.kind) == (draft["network"], "strategy")
    assert response.redirect_chain[-1][0] == document.get_absolute_url()


@submits("documents:import")
def test_a_writer_imports_a_word_file_and_gets_the_document(
    draft, django_capture_on_commit_callbacks
):
    client = browser_client(draft["writer"])
    documents_page = client.get(reverse("documents:network_documents", args=[draft["network"].pk]))
    page = follow_link(client, documents_page, "Importera en Word-fil")

    with django_capture_on_commit_callbacks(execute=True):  # the import task, after the commit
        response = submit_form(
            client,
            page,
            button="Importera",
            fields={"Word-fil (.docx)": ("strategi.docx", make_strategy_docx())},
            follow=False,
        )

    assert response.status_code == 302
    status = client.get(response["Location"])
    document = Document.objects.get(title=STRATEGY_TITLE)
    assert document.network == draft["network"]
    assert headings(document) == STRATEGY_HEADINGS
    assert "Dokumentet är klart." in page_text(status)
    opened = follow_link(client, status, "Öppna dokumentet")
    assert STRATEGY_HEADINGS[1] in page_text(opened)


@submits("documents:section_add")
def test_a_writer_adds_a_section_from_the_document_page(draft):
    document = draft["document"]
    client = browser_client(draft["writer"])
    page = client.get(document.get_absolute_url())

    response = submit_form(
        client,
        page,
        button="Lägg till avsnitt",
        fields={"Rubrik": "Uppföljning", "Text": "Strategin följs upp varje år."},
    )

    assert "Avsnittet har lagts till." in page_text(response)
    assert "Strategin följs upp varje år." in page_text(response)
    assert headings(document) == ["Inledning", "Mål", "Uppföljning"]


@submits("documents:section_edit")
def test_a_writer_edits_a_section_without_javascript(draft):
    document = draft["document"]
    client = browser_client(draft["writer"])
    page = follow_link(client, client.get(document.get_absolute_url()), "Redigera: Inledning")

    response = submit_form(
        client, page, button="Spara", fields={"Text": "Alla föräldrar ska erbjudas stöd."}
    )

    assert "Avsnittet ”Inledning” har sparats." in page_text(response)
    assert "Alla föräldrar ska erbjudas stöd." in page_text(response)
    assert document.sections.get(heading="Inledning").body == "Alla föräldrar ska erbjudas stöd."


@submits("documents:section_move")
def test_a_writer_moves_a_section_down(draft):
    document = draft["document"]
    client = browser_client(draft["writer"])
    page = client.get(document.get_absolute_url())

    response = submit_form(client, page, button="Flytta ned: Inledning")

    assert headings(document) == ["Mål", "Inledning"]
    text = page_text(response)
    assert text.index("Tre målområden.") < text.index("Första texten.")


@submits("documents:section_delete")
def test_a_writer_removes_a_section_after_confirming(draft):
    document = draft["document"]
    client = browser_client(draft["writer"])
    page = follow_link(client, client.get(document.get_absolute_url()), "Ta bort: Mål")

    response = submit_form(client, page, button="Ta bort avsnitt")

    assert "Avsnittet ”Mål” har tagits bort." in page_text(response)
    assert headings(document) == ["Inledning"]


@submits("documents:section_restore")
def test_a_writer_puts_an_older_text_back_from_the_sections_history(draft):
    document = draft["document"]
    section = document.sections.get(heading="Inledning")
    document_services.save_section(
        document,
        key=section.key,
        by_user=draft["writer"],
        heading="Inledning",
        body="En sämre text.",
        base_revision=section.revision,
    )
    client = browser_client(draft["writer"])
    page = follow_link(
        client, client.get(document.get_absolute_url()), "Ändringshistorik: Inledning"
    )
    older = section.history.filter(body="Första texten.").order_by("history_id").last()

    response = submit_form(
        client,
        page,
        action="documents:section_restore",
        form_kwargs={"history_id": older.history_id},
    )

    assert "Den äldre texten finns i utkastet igen. Ändringen har registrerats." in page_text(
        response
    )
    assert Section.objects.get(pk=section.pk).body == "Första texten."


@submits("documents:publish")
def test_a_writer_publishes_a_version_from_the_draft(draft):
    document = draft["document"]
    client = browser_client(draft["writer"])
    page = follow_link(client, client.get(document.get_absolute_url()), "Publicera en version")

    response = submit_form(
        client,
        page,
        button="Publicera",
        fields={"Versionens namn": "Remissversion", "Vad som har ändrats": "Första utkastet."},
    )

    assert "Version 1 har publicerats. Den kommer aldrig att ändras." in page_text(response)
    version = document.versions.get()
    assert (version.number, version.label) == (1, "Remissversion")
    assert [s.heading for s in version.sections.order_by("position")] == ["Inledning", "Mål"]


def test_the_publish_form_offers_the_editorial_box_only_after_a_first_version(draft):
    document = draft["document"]
    client = browser_client(draft["writer"])
    url = reverse("documents:publish", args=[document.pk])
    form = find_form(client.get(url), button="Publicera")
    assert "editorial" not in {c.name for c in form.controls}


# -- a refused form comes back: correct it and send it again -------------------------------------


@submits("documents:section_edit")
def test_a_second_editor_gets_both_texts_and_saves_the_merged_one(draft):
    document, writer = draft["document"], draft["writer"]
    colleague = MembershipFactory(network=draft["network"], role=Role.WRITER).user
    client = browser_client(writer)
    page = follow_link(client, client.get(document.get_absolute_url()), "Redigera: Inledning")
    other = browser_client(colleague)
    other_page = follow_link(other, other.get(document.get_absolute_url()), "Redigera: Inledning")
    submit_form(other, other_page, button="Spara", fields={"Text": "Kollegans text."})

    conflict = submit_form(client, page, button="Spara", fields={"Text": "Min text."})

    assert conflict.status_code == 409
    assert "Någon annan sparade det här avsnittet medan du redigerade det." in page_text(conflict)
    assert "Kollegans text." in page_text(conflict)
    assert "Min text." in page_text(conflict)
    assert document.sections.get(heading="Inledning").body == "Kollegans text."

    response = submit_form(
        client,
        conflict,
        button="Spara min sammanslagna text",
        fields={"Text": "Kollegans text. Min text."},
    )

    assert "Avsnittet ”Inledning” har sparats." in page_text(response)
    assert document.sections.get(heading="Inledning").body == "Kollegans text. Min text."


@submits("documents:import")
def test_a_file_that_is_not_word_is_refused_and_the_right_one_imported(
    draft, django_capture_on_commit_callbacks
):
    client = browser_client(draft["writer"])
    page = client.get(reverse("documents:import", args=[draft["network"].pk]))

    refused = submit_form(
        client,
        page,
        button="Importera",
        fields={
            "Word-fil (.docx)": ("strategi.doc", b"\xd0\xcf\x11\xe0 an old Word file"),
            "Titel": "Strategin",
        },
    )
    assert refused.status_code == 400
    assert "Filen är inte ett Word-dokument (.docx)." in page_text(refused)
    assert not Document.objects.filter(title="Strategin").exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = submit_form(
            client,
            refused,  # the title is kept; a file must be chosen again, as in every browser
            button="Importera",
            fields={"Word-fil (.docx)": ("strategi.docx", make_strategy_docx())},
            follow=False,
        )

    assert response.status_code == 302
    assert headings(Document.objects.get(title="Strategin")) == STRATEGY_HEADINGS


@submits("documents:section_edit")
def test_with_javascript_a_section_is_edited_in_place(draft):
    document = draft["document"]
    section = document.sections.get(heading="Inledning")
    client = browser_client(draft["writer"])
    client.get(document.get_absolute_url())
    # "Redigera" fetches the form into the page (hx-get), and the form is sent by htmx.
    editor = client.get(
        reverse("documents:section_edit", args=[document.pk, section.key]), HTTP_HX_REQUEST="true"
    )

    response = submit_form(
        client, editor, button="Spara", fields={"Text": "Ny text på plats."}, htmx=True
    )

    assert response.status_code == 200
    assert f'id="section-{section.key}"' in response.content.decode()
    assert "Ny text på plats." in page_text(response)
    assert "Sparat." in page_text(response)
    section.refresh_from_db()
    assert section.body == "Ny text på plats."
