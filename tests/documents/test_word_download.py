"""The Word file of a version, read back with python-docx: its title page is in the language of
the person downloading it (Swedish unless they chose English), and an adopted version says so,
with the date and who signed."""

import datetime
import io

import docx
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from consultations.services import decisions
from documents import services
from documents.models import Document
from networks.models import Network, Role
from tests.factories import (
    PASSWORD,
    DocumentFactory,
    MembershipFactory,
    NetworkFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(client):
    network = NetworkFactory(name="Arbetsgruppen")
    chair = MembershipFactory(network=network, role=Role.CHAIR).user
    reader = MembershipFactory(network=network, role=Role.MEMBER).user
    document = DocumentFactory(network=network, title="Regional strategi")
    SectionFactory(document=document, heading="Inledning", body="Alla föräldrar.", position=1)
    first = services.publish_version(document, by_user=chair, label="Remiss", change_summary="")
    document.sections.update(body="Alla föräldrar i länet.")
    second = services.publish_version(document, by_user=chair, label="Beslut", change_summary="")
    client.force_login(reader)
    return {"document": document, "chair": chair, "first": first, "second": second}


def title_page(client, version) -> list[str]:
    response = client.get(reverse("documents:export", args=[version.document_id, version.number]))
    assert response.status_code == 200
    word = docx.Document(io.BytesIO(response.content))
    first_heading = next(i for i, p in enumerate(word.paragraphs) if p.style.name == "Heading 1")
    return [p.text for p in word.paragraphs[:first_heading]]


def test_the_title_page_is_in_swedish_by_default_and_in_english_for_who_chose_it(client, world):
    version = world["second"]
    day = timezone.localtime(version.created_at).date().isoformat()
    start = " ".join(version.content_hash[i : i + 4] for i in range(0, 16, 4))

    swedish = title_page(client, version)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = title_page(client, version)

    assert f"Datum: {day}" in swedish
    assert f"Kontrollsumma (SHA-256): {start} …" in swedish
    assert not any("Checksum" in line or "Date" in line for line in swedish)
    assert f"Date: {day}" in english
    assert f"Checksum (SHA-256): {start} …" in english


def test_the_word_file_of_a_version_adopted_by_its_signatories_says_adopted_when_and_by_whom(
    client, world
):
    document, chair = world["document"], world["chair"]
    kcrd = NetworkFactory(name="KC/RD", kind=Network.Kind.MANAGEMENT_GROUP)
    # KC/RD's directors act for the organisations of the document's network (who may be asked
    # to sign: consultations.policies.decisions.signing_memberships).
    shared = document.network.memberships.exclude(organisation=None).first().organisation
    signatories = [
        MembershipFactory(
            network=kcrd, role=Role.SIGNATORY, organisation=shared, user=UserFactory(full_name=name)
        ).user
        for name in ("Anna Andersson", "Bo Berg")
    ]
    Document.objects.filter(pk=document.pk).update(status=Document.Status.ANCHORING)
    sign_off = decisions.request_sign_off(
        document, by_user=chair, version=world["second"], signatories=signatories, required=None
    )
    assert "Fastställd" not in " ".join(title_page(client, world["second"]))  # not yet
    for person in signatories:
        decisions.sign(sign_off, by_user=person, verdict="approve", password=PASSWORD)
    today = timezone.localdate().isoformat()

    lines = title_page(client, world["second"])

    assert f"Fastställd {today}" in lines
    signed = lines[lines.index("Undertecknad av:") + 1 :][:2]
    assert signed == [f"Anna Andersson, {today}", f"Bo Berg, {today}"]
    assert not any("Fastställd" in line for line in title_page(client, world["first"]))
    # A new revision cycle does not take it back: that version was adopted, on that day.
    decisions.start_new_revision(document, by_user=chair)
    assert f"Fastställd {today}" in title_page(client, world["second"])


def test_the_word_file_of_a_version_adopted_by_a_recorded_decision_names_the_body(client, world):
    decided_on = timezone.localdate() - datetime.timedelta(days=3)
    Document.objects.filter(pk=world["document"].pk).update(
        status=Document.Status.AWAITING_SIGN_OFF  # decided at a meeting, not signed here
    )
    decisions.record_decision(
        world["document"],
        by_user=world["chair"],
        version=world["second"],
        kind="adopted",
        decided_on=decided_on,
        text="Strategin fastställs.",
        body_name="Kommunchefer och regiondirektör",
    )

    lines = title_page(client, world["second"])

    assert f"Fastställd {decided_on.isoformat()}" in lines
    assert "Beslutad av: Kommunchefer och regiondirektör" in lines
