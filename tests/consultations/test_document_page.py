"""What consultations adds to the document's page: the banner under the stepper (the open round
and how many have answered, the sign-off waiting for signatures and how many have approved),
and an adopted document that opens on the version it was adopted in."""

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from consultations.models import Consultee, SignOff
from consultations.services import decisions
from consultations.services import rounds as round_services
from documents import services as document_services
from documents.models import Document
from networks.models import Role
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, SectionFactory

pytestmark = pytest.mark.django_db


def page_of(client, user, document, query=""):
    client.force_login(user)
    response = client.get(document.get_absolute_url() + query)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content)


def banners(page) -> list[tuple[str, str]]:
    """Each banner as a person reads it, and where its link goes."""
    return [
        (" ".join(b.text_content().split()), b.xpath("string(.//a/@href)"))
        for b in page.xpath("//*[contains(@class, 'process__banner')]")
    ]


def current_step(page) -> str:
    return " ".join(page.xpath("string(//li[@aria-current='step'])").split())


# ------------------------------------------------------------------------- an open round


def test_an_open_round_is_linked_with_its_deadline_and_how_many_have_answered(client, open_world):
    w = open_world
    review_round = w["round"]
    closes = date_format(timezone.localtime(review_round.closes_at).date(), "DATE_FORMAT")

    page = page_of(client, w["people"]["member"], w["document"])
    assert current_step(page).endswith("Steg 2 av 6: Remiss")
    assert banners(page) == [
        (
            f"Remissen är öppen till {closes} · 0 av 3 har svarat",
            review_round.get_absolute_url(),
        )
    ]

    # One party answers, another declines: both have answered.
    parties = list(review_round.consultees.order_by("pk"))
    Consultee.objects.filter(pk=parties[0].pk).update(status=Consultee.Status.SUBMITTED)
    Consultee.objects.filter(pk=parties[1].pk).update(status=Consultee.Status.DECLINED)
    page = page_of(client, w["people"]["member"], w["document"])
    assert banners(page)[0][0].endswith("· 2 av 3 har svarat")


def test_a_planned_round_and_a_closed_one_have_no_banner(client, world):
    page = page_of(client, world["people"]["member"], world["document"])
    assert banners(page) == []  # planned, not open yet
    round_services.open_round(world["round"], by_user=world["people"]["chair"])
    round_services.close_round(world["round"], by_user=world["people"]["chair"])
    page = page_of(client, world["people"]["member"], world["document"])
    assert banners(page) == []
    assert current_step(page).endswith("Steg 3 av 6: Bemötande")


# --------------------------------------------------------------------- a sign-off waiting


@pytest.fixture
def anchored(world):
    """The round run and closed, the manager group's views recorded: ready for sign-off."""
    people = world["people"]
    round_services.open_round(world["round"], by_user=people["chair"])
    round_services.close_round(world["round"], by_user=people["chair"])
    decisions.record_decision(
        world["document"],
        by_user=people["coordinator"],
        version=world["version"],
        kind="views",
        decided_on=timezone.localdate(),
        text="Förankrat.",
        body_name="Chefsgruppen",
    )
    return world


@pytest.fixture
def waiting(anchored):
    people = anchored["people"]
    anchored["sign_off"] = decisions.request_sign_off(
        anchored["document"],
        by_user=people["coordinator"],
        version=anchored["version"],
        signatories=[people["chair"], people["member"]],
        required=None,
    )
    return anchored


def test_a_waiting_sign_off_is_linked_with_how_many_have_approved(client, waiting):
    w = waiting
    url = w["sign_off"].get_absolute_url()

    page = page_of(client, w["people"]["writer"], w["document"])
    assert current_step(page).endswith("Steg 5 av 6: Fastställande")
    assert banners(page) == [("Version 1 väntar på underskrifter · 0 av 2 har godkänt", url)]

    # A signatory who has not signed reads that it waits for them.
    page = page_of(client, w["people"]["member"], w["document"])
    assert banners(page) == [("Version 1 väntar på din underskrift · 0 av 2 har godkänt", url)]

    decisions.sign(
        w["sign_off"], by_user=w["people"]["member"], verdict="approve", password=PASSWORD
    )
    page = page_of(client, w["people"]["member"], w["document"])
    assert banners(page) == [("Version 1 väntar på underskrifter · 1 av 2 har godkänt", url)]


def test_a_sign_off_that_needs_fewer_than_all_says_how_many(client, anchored):
    people = anchored["people"]
    decisions.request_sign_off(
        anchored["document"],
        by_user=people["coordinator"],
        version=anchored["version"],
        signatories=[people["chair"], people["member"], people["coordinator"]],
        required=2,
    )
    page = page_of(client, people["writer"], anchored["document"])
    assert banners(page)[0][0] == (
        "Version 1 väntar på underskrifter · 0 av 3 har godkänt · "
        "2 av 3 undertecknare måste godkänna"
    )


# ------------------------------------------------------------------ an adopted document


def edit_after_publishing(w, body):
    """The writer goes on with the draft while the signatories read version 1."""
    section = w["section"]
    section.refresh_from_db()
    document_services.save_section(
        w["document"],
        key=section.key,
        by_user=w["people"]["writer"],
        heading=section.heading,
        body=body,
        base_revision=section.revision,
    )


def sign_all(w):
    for name in ("chair", "member"):
        decisions.sign(
            w["sign_off"], by_user=w["people"][name], verdict="approve", password=PASSWORD
        )
    w["document"].refresh_from_db()
    assert w["document"].status == Document.Status.ADOPTED


def test_an_adopted_document_opens_on_the_version_that_was_signed(client, waiting):
    w = waiting
    signed_text = "Alla föräldrar ska erbjudas stöd under barnets hela uppväxt."
    edit_after_publishing(w, "En ny mening som ingen har signerat.")
    sign_all(w)

    page = page_of(client, w["people"]["member"], w["document"])
    text = " ".join(page.xpath("string(//main)").split())
    assert signed_text in text
    assert "En ny mening som ingen har signerat." not in text
    assert current_step(page).endswith("Steg 6 av 6: Fastställd")
    note = " ".join(page.xpath("string(//*[contains(@class, 'callout--adopted')])").split())
    day = date_format(timezone.localdate(), "DATE_FORMAT")
    assert f"Du läser den fastställda texten: version 1, ”Remissversion”, fastställd {day}." in note
    assert "Arbetsutkastet har ändrats sedan dess." in note
    # The tab names what the page opens on.
    assert page.xpath("string(//a[@aria-current='page'])") == "Fastställd text"

    # The working draft, a link away.
    link = page.xpath("//*[contains(@class, 'callout--adopted')]//a[text()='Läs arbetsutkastet']")
    assert link[0].get("href") == "?show=draft"
    draft = page_of(client, w["people"]["member"], w["document"], "?show=draft")
    text = " ".join(draft.xpath("string(//main)").split())
    assert "En ny mening som ingen har signerat." in text
    assert "Du läser arbetsutkastet, som har ändrats sedan version 1 fastställdes." in text
    back = draft.xpath("//a[starts-with(text(), 'Läs den fastställda texten')]")
    assert back[0].get("href") == w["document"].get_absolute_url()


def test_an_adopted_document_whose_draft_is_the_signed_text_offers_no_draft(client, waiting):
    sign_all(waiting)
    page = page_of(client, waiting["people"]["member"], waiting["document"])
    note = " ".join(page.xpath("string(//*[contains(@class, 'callout--adopted')])").split())
    assert "Du läser den fastställda texten: version 1" in note
    assert "Arbetsutkastet" not in note
    assert not page.xpath("//a[text()='Läs arbetsutkastet']")


def test_a_document_adopted_by_a_decision_opens_on_the_version_decided(client, anchored):
    w = anchored
    people = w["people"]
    edit_after_publishing(w, "Andra versionens text.")
    document_services.publish_version(
        w["document"], by_user=people["writer"], label="Version två", change_summary=""
    )
    decisions.record_decision(
        w["document"],
        by_user=people["coordinator"],
        version=w["version"],  # the council adopted version 1, as it was anchored
        kind="adopted",
        decided_on=timezone.localdate(),
        text="Fastställs.",
        body_name="Samverkansrådet",
    )
    page = page_of(client, people["member"], w["document"])
    note = " ".join(page.xpath("string(//*[contains(@class, 'callout--adopted')])").split())
    assert "Du läser den fastställda texten: version 1, ”Remissversion”" in note
    text = " ".join(page.xpath("string(//main)").split())
    assert "Andra versionens text." not in text


def test_the_adopted_versions_checksum_is_folded_into_verify_and_printed(client, waiting):
    sign_all(waiting)
    page = page_of(client, waiting["people"]["member"], waiting["document"])
    version = waiting["version"]
    verify = page.xpath("//details[contains(@class, 'verify')]")
    assert len(verify) == 1
    assert verify[0].xpath("string(summary)") == "Verifiera"
    assert version.short_hash in verify[0].text_content()
    assert version.content_hash in page.xpath("string(//*[contains(@class, 'print-only')])")


# ------------------------------------------------------------------------ query counts


def count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_with_an_open_round_does_not_grow_with_its_parties(client, open_world):
    w = open_world
    client.force_login(w["people"]["member"])
    url = w["document"].get_absolute_url()
    few = count(client, url)
    organisations = [OrganisationFactory() for _ in range(10)]
    round_services.add_consultees(
        w["round"], by_user=w["people"]["chair"], organisations=organisations
    )
    Consultee.objects.filter(organisation__in=organisations[:5]).update(
        status=Consultee.Status.SUBMITTED
    )
    for n in range(10):
        SectionFactory(document=w["document"], heading=f"Avsnitt {n}", position=10 + n)
    assert count(client, url) == few


def test_the_page_with_a_waiting_sign_off_does_not_grow_with_its_signatories(client, waiting):
    w = waiting
    client.force_login(w["people"]["writer"])
    url = w["document"].get_absolute_url()
    few = count(client, url)
    sign_off = w["sign_off"]
    SignOff.objects.filter(pk=sign_off.pk).update(required=100)  # nobody adopts it here
    for _ in range(8):
        person = MembershipFactory(network=w["group"], role=Role.MEMBER).user
        sign_off.signatories.add(person)
        decisions.sign(sign_off, by_user=person, verdict="approve", password=PASSWORD)
    assert count(client, url) == few


def test_the_adopted_document_does_not_grow_with_its_sections_or_signatures(client, waiting):
    w = waiting
    people = w["people"]
    client.force_login(people["writer"])
    url = w["document"].get_absolute_url()
    sign_all(w)
    few = count(client, url)

    # A new cycle: twelve sections, four signatories, adopted again.
    document = decisions.start_new_revision(w["document"], by_user=people["coordinator"])
    for n in range(10):
        SectionFactory(document=document, heading=f"Avsnitt {n}", position=10 + n)
    version = document_services.publish_version(
        document, by_user=people["writer"], label="Version två", change_summary=""
    )
    decisions.record_decision(
        document,
        by_user=people["coordinator"],
        version=version,
        kind="views",
        decided_on=timezone.localdate(),
        text="Förankrat igen.",
        body_name="Chefsgruppen",
    )
    signatories = [MembershipFactory(network=w["group"], role=Role.MEMBER).user for _ in range(4)]
    sign_off = decisions.request_sign_off(
        document,
        by_user=people["coordinator"],
        version=version,
        signatories=signatories,
        required=None,
    )
    for person in signatories:
        decisions.sign(sign_off, by_user=person, verdict="approve", password=PASSWORD)
    page = page_of(client, people["writer"], document)
    assert "version 2, ”Version två”" in page.xpath("string(//*[contains(@class, 'callout')])")
    assert count(client, url) == few
