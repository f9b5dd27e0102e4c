"""Importing a Word file through the pages: the document appears, and every bad file gets a
clear message and creates nothing."""

import io
import zipfile

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents import docx_io, services
from documents.models import Document, DocxImport
from networks.models import Role
from tests.documents.docx_factory import (
    STRATEGY_HEADINGS,
    STRATEGY_TITLE,
    add_hyperlink,
    make_strategy_docx,
)
from tests.factories import MembershipFactory, NetworkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer_client(client):
    network = NetworkFactory()
    writer = MembershipFactory(network=network, role=Role.WRITER).user
    client.force_login(writer)
    client.network = network
    return client


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Post a file to the import page; the import task runs after the commit, as in real life."""

    def post(client, name, data, **extra):
        url = reverse("documents:import", args=[client.network.pk])
        form = {"file": SimpleUploadedFile(name, data), "kind": "strategy", "title": "", **extra}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, form)
        return client.get(response["Location"]) if response.status_code == 302 else response

    return post


def test_a_word_file_becomes_a_document_with_its_sections(writer_client, upload, settings):
    response = upload(writer_client, "strategi.docx", make_strategy_docx())
    assert response.status_code == 200
    job = DocxImport.objects.get()
    assert job.state == DocxImport.State.DONE
    assert job.progress == 100
    assert not job.file  # the file is not kept once imported: not named, and gone from the storage
    assert not [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]
    document = Document.objects.get()
    assert document.title == STRATEGY_TITLE
    assert list(document.sections.order_by("position").values_list("heading", flat=True)) == (
        STRATEGY_HEADINGS
    )
    assert document.get_absolute_url() in response.content.decode()
    history = document.sections.first().history.first()
    assert history.history_user is not None


def test_a_title_typed_in_the_form_wins(writer_client, upload):
    upload(writer_client, "s.docx", make_strategy_docx(), title="Handlingsplan 2024")
    assert Document.objects.get().title == "Handlingsplan 2024"


@pytest.mark.parametrize(
    "data",
    [
        "Hej, det här är text.".encode(),
        b"\x89PNG\r\n\x1a\n" + b"0" * 50,
        b"\xd0\xcf\x11\xe0" + b"0" * 50,
    ],
    ids=["text", "png", "old-doc"],
)
def test_a_file_that_is_not_a_docx_is_refused_at_once(writer_client, upload, data):
    response = upload(writer_client, "fil.docx", data)
    assert response.status_code == 400
    assert ".docx" in response.content.decode()
    assert not DocxImport.objects.exists()
    assert not Document.objects.exists()


def test_a_file_over_20_mb_is_refused(writer_client, upload):
    response = upload(writer_client, "stor.docx", b"PK\x03\x04" + b"0" * docx_io.MAX_BYTES)
    assert response.status_code == 400
    assert "20 MB" in response.content.decode()
    assert not DocxImport.objects.exists()


def test_a_corrupt_docx_ends_in_a_clear_message(writer_client, upload, settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/nothing.xml", "<x/>")
    response = upload(writer_client, "trasig.docx", buffer.getvalue())
    job = DocxImport.objects.get()
    assert job.state == DocxImport.State.FAILED
    assert 'role="alert"' in response.content.decode()
    assert not Document.objects.exists()
    assert not job.file  # the failed file is not kept either
    assert not [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]


def test_a_file_without_headings_is_split_by_block_and_the_user_is_told(writer_client, upload):
    word = docx.Document()
    word.add_paragraph("Första stycket om föräldraskapsstöd i länet.")
    word.add_paragraph("Andra stycket om samverkan mellan kommunerna.")
    buffer = io.BytesIO()
    word.save(buffer)
    response = upload(writer_client, "utan-rubriker.docx", buffer.getvalue())
    job = DocxImport.objects.get()
    assert job.state == DocxImport.State.DONE
    assert not job.had_headings
    assert Document.objects.get().sections.count() == 2
    assert "rubrik" in response.content.decode().lower() or "heading" in response.content.decode()


def test_only_the_person_who_imported_sees_the_progress(writer_client, client, upload):
    upload(writer_client, "s.docx", make_strategy_docx())
    job = DocxImport.objects.get()
    other = MembershipFactory(network=writer_client.network, role=Role.WRITER).user
    client.force_login(other)
    assert client.get(reverse("documents:import_status", args=[job.pk])).status_code == 404


def test_the_import_task_does_its_work_once(writer_client, upload):
    from documents.tasks import process_docx_import

    upload(writer_client, "s.docx", make_strategy_docx())
    job = DocxImport.objects.get()
    assert process_docx_import(job.pk) == "already handled"
    assert Document.objects.count() == 1


def test_a_hyperlink_in_the_word_file_is_a_link_on_the_page_and_in_the_word_download(
    writer_client, upload
):
    word = docx.Document()
    word.add_heading("Källor", level=1)
    paragraph = word.add_paragraph()
    add_hyperlink(paragraph, "https://www.example.org/stod", "extern länk")
    paragraph.add_run(" om föräldraskapsstöd.")
    unsafe = word.add_paragraph("Och ")
    add_hyperlink(unsafe, "javascript:alert(1)", "en fälla")
    buffer = io.BytesIO()
    word.save(buffer)

    upload(writer_client, "kallor.docx", buffer.getvalue())
    document = Document.objects.get()
    page = writer_client.get(document.get_absolute_url()).content.decode()

    assert (
        '<a href="https://www.example.org/stod" rel="noopener noreferrer">extern länk</a>'
        " om föräldraskapsstöd." in page
    )
    assert "\\[extern länk]" not in page
    assert "[extern länk]" not in page
    assert "Och en fälla" in page
    assert "javascript:" not in page  # the text, never the link

    writer = document.sections.get().history.last().history_user
    services.publish_version(document, by_user=writer, label="v1", change_summary="")
    download = writer_client.get(reverse("documents:export", args=[document.pk, 1]))
    exported = docx.Document(io.BytesIO(download.content))
    [linked] = [p for p in exported.paragraphs if p.hyperlinks]
    assert linked.text == "extern länk om föräldraskapsstöd."
    assert [(h.text, h.address) for h in linked.hyperlinks] == [
        ("extern länk", "https://www.example.org/stod")
    ]
