"""The tabs a lower page shows of the apps above it are registered by those apps (networks/tabs.py):
a reader still finds every part of a network and a document, in the same order, from each page."""

import lxml.html
import pytest
from django.urls import reverse
from django.utils import translation

from networks import tabs
from networks.models import Role
from tests.factories import DocumentFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def tab_links(response) -> list[tuple[str, str, bool]]:
    page = lxml.html.fromstring(response.content.decode())
    return [
        (a.text_content().strip(), a.get("href"), a.get("aria-current") == "page")
        for a in page.xpath("//a[contains(@class, 'tabs__link')]")
    ]


@pytest.fixture
def document(client):
    document = DocumentFactory(title="Regional strategi")
    chair = MembershipFactory(network=document.network, role=Role.CHAIR).user
    client.force_login(chair)
    return document


def test_a_documents_header_leads_to_its_rounds_decisions_and_timeline_in_order(client, document):
    pk = document.pk
    response = client.get(reverse("consultations:decisions", args=[pk]))
    assert response.status_code == 200
    assert tab_links(response) == [
        ("Arbetsutkast", reverse("documents:detail", args=[pk]), False),
        ("Versioner", reverse("documents:versions", args=[pk]), False),
        ("Remiss", reverse("consultations:document_rounds", args=[pk]), False),
        ("Beslut", reverse("consultations:decisions", args=[pk]), True),
        ("Tidslinje", reverse("consultations:timeline", args=[pk]), False),
        ("Jämför", reverse("documents:compare", args=[pk]), False),
        ("Ändringshistorik", reverse("documents:history", args=[pk]), False),
    ]


def test_a_networks_page_leads_to_its_documents(client, document):
    network = document.network
    response = client.get(reverse("networks:detail", args=[network.pk]))
    assert response.status_code == 200
    links = tab_links(response)
    assert ("Dokument", reverse("documents:network_documents", args=[network.pk]), False) in links
    assert links[0][2]  # the overview is the page shown


def test_the_tab_labels_follow_the_language(client, document):
    with translation.override("en"):
        response = client.get(
            reverse("documents:detail", args=[document.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
    labels = [label for label, _href, _current in tab_links(response)]
    assert labels[2:5] == ["Consultation", "Decisions", "Timeline"]


def test_each_tab_is_registered_once_however_often_django_starts_the_apps():
    from django.apps import apps

    apps.get_app_config("consultations").ready()
    apps.get_app_config("documents").ready()
    assert [tab.key for tab in tabs.tabs_of(tabs.DOCUMENT)] == ["rounds", "decisions", "timeline"]
    assert [tab.key for tab in tabs.tabs_of(tabs.NETWORK)] == ["documents"]
