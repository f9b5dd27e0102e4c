"""Role × page matrix for the documents pages: readers read, writers write, outsiders get 404,
and refused writes change nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from documents import services
from documents.models import Document, DocxImport, Section, Version
from networks.models import Network, Role
from tests.documents.docx_factory import make_strategy_docx
from tests.factories import DocumentFactory, MembershipFactory, NetworkFactory, SectionFactory

pytestmark = pytest.mark.django_db

VISITORS = [
    "chair",
    "coordinator",
    "writer",
    "member",
    "signatory",
    "observer",
    "writing_group_writer",
    "writing_group_member",
    "ended",
    "outsider",
    "anonymous",
]
EDITORS = {"chair", "coordinator", "writer", "writing_group_writer"}
READERS = EDITORS | {"member", "signatory", "observer", "writing_group_member"}


@pytest.fixture
def world():
    network = NetworkFactory(name="Arbetsgruppen")
    writing_group = NetworkFactory(parent=network, kind=Network.Kind.WRITING_GROUP)
    people = {
        role: MembershipFactory(network=network, role=role).user
        for role in ["chair", "coordinator", "writer", "member", "signatory", "observer"]
    }
    people["writing_group_writer"] = MembershipFactory(network=writing_group, role=Role.WRITER).user
    people["writing_group_member"] = MembershipFactory(network=writing_group, role=Role.MEMBER).user
    today = timezone.localdate()
    people["ended"] = MembershipFactory(
        network=network, role=Role.WRITER, start_date=today - timedelta(days=5), end_date=today
    ).user
    people["outsider"] = MembershipFactory(network=NetworkFactory(), role=Role.CHAIR).user
    people["anonymous"] = None
    document = DocumentFactory(network=network, title="Regional strategi")
    first = SectionFactory(document=document, heading="Inledning", body="Text ett.", position=1)
    second = SectionFactory(document=document, heading="Mål", body="Text två.", position=2)
    services.publish_version(document, by_user=people["chair"], label="v1", change_summary="")
    services.save_section(
        document,
        key=first.key,
        by_user=people["chair"],
        heading="Inledning",
        body="Text ett, ändrad.",
        base_revision=1,
    )
    services.publish_version(document, by_user=people["chair"], label="v2", change_summary="")
    record = first.history.order_by("history_date").first()
    return {
        "network": network,
        "document": document,
        "first": first,
        "second": second,
        "record": record,
        "people": people,
    }


def snapshot():
    return (
        sorted(Document.objects.values_list("id", "title", "status")),
        sorted(Section.objects.values_list("id", "heading", "body", "position", "revision")),
        sorted(Version.objects.values_list("id", "number")),
        DocxImport.objects.count(),
        Section.history.count(),
    )


def login(client, person):
    if person is not None:
        client.force_login(person)


def expected(visitor, allowed, ok):
    if visitor == "anonymous":
        return 302
    if visitor in allowed:
        return ok
    if visitor in READERS:
        return 403
    return 404


def pages(w):
    d, first = w["document"], w["first"]
    return {
        "documents": (reverse("documents:network_documents", args=[w["network"].pk]), READERS),
        "document": (d.get_absolute_url(), READERS),
        "versions": (reverse("documents:versions", args=[d.pk]), READERS),
        "version": (reverse("documents:version", args=[d.pk, 1]), READERS),
        "compare": (reverse("documents:compare", args=[d.pk]) + "?from=1&to=2", READERS),
        "compare_draft": (reverse("documents:compare", args=[d.pk]) + "?from=2&to=draft", READERS),
        "history": (reverse("documents:history", args=[d.pk]), READERS),
        "section_history": (
            reverse("documents:section_history", args=[d.pk, first.key]),
            READERS,
        ),
        "export": (reverse("documents:export", args=[d.pk, 2]), READERS),
        "edit": (reverse("documents:section_edit", args=[d.pk, first.key]), EDITORS),
        "add": (reverse("documents:section_add", args=[d.pk]), EDITORS),
        "remove": (reverse("documents:section_delete", args=[d.pk, first.key]), EDITORS),
        "publish": (reverse("documents:publish", args=[d.pk]), EDITORS),
        "import": (reverse("documents:import", args=[w["network"].pk]), EDITORS),
    }


PAGE_NAMES = [
    "documents",
    "document",
    "versions",
    "version",
    "compare",
    "compare_draft",
    "history",
    "section_history",
    "export",
    "edit",
    "add",
    "remove",
    "publish",
    "import",
]


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("page_name", PAGE_NAMES)
def test_pages(client, world, visitor, page_name):
    url, allowed = pages(world)[page_name]
    login(client, world["people"][visitor])
    response = client.get(url)
    assert response.status_code == expected(visitor, allowed, 200)
    if response.status_code == 404:
        assert world["document"].title not in response.content.decode()


def writes(w):
    d, first, second = w["document"], w["first"], w["second"]
    return {
        "create": (
            reverse("documents:network_documents", args=[w["network"].pk]),
            {"title": "Ny handlingsplan", "kind": "action_plan"},
        ),
        "add": (reverse("documents:section_add", args=[d.pk]), {"new-heading": "Nytt avsnitt"}),
        "edit": (
            reverse("documents:section_edit", args=[d.pk, first.key]),
            {"heading": "Inledning", "body": "Ny text.", "revision": 2},
        ),
        "remove": (reverse("documents:section_delete", args=[d.pk, second.key]), {}),
        "move": (
            reverse("documents:section_move", args=[d.pk, second.key]),
            {
                "direction": "up",
                "structure_revision": Document.objects.get(pk=d.pk).structure_revision,
            },
        ),
        "publish": (reverse("documents:publish", args=[d.pk]), {"label": "v3"}),
        "restore": (
            reverse("documents:section_restore", args=[d.pk, first.key, w["record"].history_id]),
            {},
        ),
        "import": (
            reverse("documents:import", args=[w["network"].pk]),
            {"kind": "strategy", "title": ""},
        ),
    }


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize(
    "action", ["create", "add", "edit", "remove", "move", "publish", "restore", "import"]
)
def test_writes(client, world, visitor, action):
    url, data = writes(world)[action]
    if action == "import":
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {**data, "file": SimpleUploadedFile("strategi.docx", make_strategy_docx())}
    if action == "publish":
        Section.objects.filter(pk=world["second"].pk).update(body="Ändrat inför v3.")
    login(client, world["people"][visitor])
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == expected(visitor, EDITORS, 302), response.content[:500]
    if visitor in EDITORS:
        assert snapshot() != before
    else:
        assert snapshot() == before


@pytest.mark.parametrize("visitor", ["chair", "writer"])
def test_an_adopted_document_refuses_edits_with_a_message(client, world, visitor):
    Document.objects.filter(pk=world["document"].pk).update(status=Document.Status.ADOPTED)
    login(client, world["people"][visitor])
    before = snapshot()
    url, data = writes(world)["edit"]
    response = client.post(url, data)
    assert response.status_code == 409
    assert (
        "fastställ" in response.content.decode().lower() or "adopted" in response.content.decode()
    )
    assert snapshot() == before
    assert client.get(world["document"].get_absolute_url()).status_code == 200
