"""The process stepper on the document's page: Utkast → Remiss → Bemötande → Förankring →
Fastställande → Fastställd, the current step marked for screen readers, and what comes next."""

import lxml.html
import pytest
from django.conf import settings

from documents.models import Document
from documents.process import STEPS, process_of
from networks.models import Role
from tests.factories import DocumentFactory, MembershipFactory, SectionFactory

pytestmark = pytest.mark.django_db

Status = Document.Status

WHERE = {
    Status.DRAFTING: (1, "Utkast", "Nästa steg: publicera en version"),
    Status.IN_CONSULTATION: (2, "Remiss", "Nästa steg: när remissen har stängts"),
    Status.REVISING: (3, "Bemötande", "Nästa steg: förankra det bearbetade förslaget"),
    Status.ANCHORING: (4, "Förankring", "Nästa steg: be beslutsfattarna fastställa"),
    Status.AWAITING_SIGN_OFF: (5, "Fastställande", "Nästa steg: dokumentet fastställs"),
    Status.ADOPTED: (6, "Fastställd", "Processen är klar."),
}


def test_every_status_of_the_lifecycle_but_archived_is_a_step_in_its_order():
    assert [status for status, _label, _next in STEPS] == [
        s for s in Status if s != Status.ARCHIVED
    ]


@pytest.mark.parametrize("status", list(WHERE))
def test_the_current_step_is_the_documents_status(status):
    number, _label, _next = WHERE[status]
    process = process_of(DocumentFactory.build(status=status))
    assert process.current.number == number
    assert [s.number for s in process.steps if s.current] == [number]
    # Steps before it are done; after it, still to come. The last one, reached, is done too.
    assert [s.done for s in process.steps] == [
        n < number or status == Status.ADOPTED for n in range(1, 7)
    ]


def test_an_archived_document_has_left_the_process():
    assert process_of(DocumentFactory.build(status=Status.ARCHIVED)) is None


def page_of(client, document):
    reader = MembershipFactory(network=document.network, role=Role.MEMBER).user
    client.force_login(reader)
    response = client.get(document.get_absolute_url())
    assert response.status_code == 200
    return lxml.html.fromstring(response.content)


@pytest.mark.parametrize("status", list(WHERE))
def test_the_page_shows_where_the_document_is_and_what_comes_next(client, status):
    number, label, next_words = WHERE[status]
    document = DocumentFactory(status=status)
    SectionFactory(document=document, heading="Inledning", body="Text.")
    page = page_of(client, document)

    steps = page.xpath("//ol[contains(@class, 'stepper')]/li")
    assert len(steps) == 6
    current = page.xpath("//ol[contains(@class, 'stepper')]/li[@aria-current='step']")
    assert len(current) == 1
    # What a screen reader reads: the number of the step, of how many, and its name.
    assert " ".join(current[0].text_content().split()).endswith(f"Steg {number} av 6: {label}")
    done = [" ".join(s.text_content().split()) for s in steps[: number - 1]]
    assert all(text.endswith(", klart") for text in done), done
    assert next_words in page.xpath("string(//*[contains(@class, 'process__next')])")


def test_an_archived_document_shows_no_stepper(client):
    document = DocumentFactory(status=Status.ARCHIVED)
    page = page_of(client, document)
    assert not page.xpath("//*[@aria-current='step']")
    assert "arkiverat" in page.xpath("string(//*[contains(@class, 'callout')])")


def test_the_stepper_is_in_english_for_an_english_reader(client):
    document = DocumentFactory(status=Status.REVISING)
    client.force_login(MembershipFactory(network=document.network, role=Role.MEMBER).user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = lxml.html.fromstring(client.get(document.get_absolute_url()).content)
    current = page.xpath("//li[@aria-current='step']")[0]
    assert " ".join(current.text_content().split()).endswith("Step 3 of 6: Revision")
