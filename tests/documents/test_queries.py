"""Document pages cost the same number of queries with 5 sections as with 80."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents import services
from networks.models import Role
from tests.factories import DocumentFactory, MembershipFactory, SectionFactory

pytestmark = pytest.mark.django_db


def build(size):
    document = DocumentFactory()
    writer = MembershipFactory(network=document.network, role=Role.WRITER).user
    sections = [
        SectionFactory(
            document=document,
            position=n,
            body=f"Stycke ett i avsnitt {n}.\n\n- punkt a\n- punkt b\n\nStycke två i avsnitt {n}.",
        )
        for n in range(1, size + 1)
    ]
    services.publish_version(document, by_user=writer, label="v1", change_summary="")
    for section in sections[::3]:
        services.save_section(
            document,
            key=section.key,
            by_user=writer,
            heading=section.heading,
            body=section.body + " Tillägg.",
            base_revision=section.revision,
        )
    services.publish_version(document, by_user=writer, label="v2", change_summary="")
    return document, writer, sections


def count(client, url):
    client.get(url)  # warm up the session and the caches of rendered text
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


PAGES = {
    "document": lambda d, s: d.get_absolute_url(),
    "versions": lambda d, s: reverse("documents:versions", args=[d.pk]),
    "version": lambda d, s: reverse("documents:version", args=[d.pk, 2]),
    "compare": lambda d, s: reverse("documents:compare", args=[d.pk]) + "?from=1&to=2",
    "compare_draft": lambda d, s: reverse("documents:compare", args=[d.pk]) + "?from=1&to=draft",
    "compare_side": lambda d, s: (
        reverse("documents:compare", args=[d.pk]) + "?from=1&to=2&visning=sida-vid-sida"
    ),
    "history": lambda d, s: reverse("documents:history", args=[d.pk]),
    "section_history": lambda d, s: reverse("documents:section_history", args=[d.pk, s[0].key]),
    "edit": lambda d, s: reverse("documents:section_edit", args=[d.pk, s[0].key]),
    "publish": lambda d, s: reverse("documents:publish", args=[d.pk]),
    "documents": lambda d, s: reverse("documents:network_documents", args=[d.network.pk]),
    "export": lambda d, s: reverse("documents:export", args=[d.pk, 2]),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_document_pages_do_not_grow_with_the_sections(client, name):
    counts = []
    for size in (5, 80):
        document, writer, sections = build(size)
        client.force_login(writer)
        counts.append(count(client, PAGES[name](document, sections)))
    assert counts[0] == counts[1]


def test_the_document_list_does_not_grow_with_the_documents(client):
    document, writer, _ = build(2)
    client.force_login(writer)
    url = reverse("documents:network_documents", args=[document.network.pk])
    one = count(client, url)
    for _ in range(10):
        DocumentFactory(network=document.network)
    assert count(client, url) == one
