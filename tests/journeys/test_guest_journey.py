"""A body with nobody in Samverka answers a round as a guest, the way its registrar does it.

Lekebergs kommun has nobody in Samverka, only a registry address. The chair starts a round on
the strategy and consults it (with the county network, and Laxå kommun, which has no address at
all); before opening she is told who gets a guest link, at which address, and who cannot be
reached. The e-mail in the SMTP sink carries the link; the registrar opens it in a browser of
her own, asks for a code, types a wrong one first, then the right one with her name and title,
and lands on the round as Lekeberg's guest. She comments on a passage she selects with the mouse
(for Lekeberg, without having to choose it) and submits the body's formal response. The chair
sees the link sent, opened and answered; closes the round and publishes the report, which names
"Eva Ek, Registrator (gäst)". After the close her page offers no commenting, a form left open is
refused, and every page outside her round is not found. axe-core runs on every page state.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.utils import dateformat, timezone, translation
from playwright.sync_api import expect

from consultations import guests
from consultations.models import Comment, Consultee, GuestPass, Response, ReviewRound
from documents.demo import TITLE
from documents.demo import seed_demo as seed_documents
from documents.models import Document
from networks.demo import ARBETSGRUPP, LANSSAMVERKAN, registry_address
from networks.demo import seed_demo as seed_networks
from networks.models import Affiliation, Membership, Organisation
from tests.browser.test_rounds import select_with_mouse
from tests.journeys.test_chain import document_tab, main_menu, message

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

CHAIR = "chair@example.org"
LEKEBERG = "Lekebergs kommun"
LAXA = "Laxå kommun"  # nobody in Samverka, and (in this journey) no registry address
REGISTRY = registry_address(LEKEBERG)
MASKED = guests.masked(REGISTRY)  # r••••••••••@lekebergs.example
GUEST_NAME = "Eva Ek"
GUEST_TITLE = "Registrator"
SIGNED = "Eva Ek, Registrator (gäst)"

ROUND_TITLE = "Remiss: regional strategi till kommunerna"
PASSAGE_SECTION = "Inledning"
GUEST_COMMENT = "Lekebergs kommun vill att strategin nämner de mindre kommunernas förutsättningar."
GUEST_SUMMARY = "Lekebergs kommun tillstyrker strategin."
LATE_COMMENT = "En synpunkt efter att remissrundan stängts."


def swedish_date(moment) -> str:
    """A date as the e-mails write it ("18 december 2026")."""
    with translation.override("sv"):
        return dateformat.format(timezone.localtime(moment), "j F Y")


def mails_to(journey, address: str) -> list:
    return [mail for recipients, mail in list(journey.inbox.messages) if address in recipients]


def plain(mail) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()


def code_mailed_to(journey, address: str, *, after: int, timeout: float = 15.0) -> str:
    """The six digits of the newest code e-mail to `address` among those after the first
    `after` e-mails to it."""
    deadline = time.monotonic() + timeout
    while True:
        codes = [
            found.group(1)
            for mail in mails_to(journey, address)[after:]
            if (found := re.search(r"^\s+(\d{6})\s*$", plain(mail), re.MULTILINE))
        ]
        if codes:
            return codes[-1]
        assert time.monotonic() < deadline, f"no code e-mail to {address}"
        time.sleep(0.1)


def within_the_card(page, label: str) -> None:
    """Nothing on a link page's card reaches past its edges (a date pushed out of it, a value
    squeezed to a few letters beside a long term)."""
    sticking_out = page.evaluate(
        """() => {
            const card = document.querySelector(".auth-page .card").getBoundingClientRect();
            return [...document.querySelectorAll(".auth-page .card *")]
                .filter(el => el.getBoundingClientRect().right > card.right + 1)
                .map(el => el.tagName + ": " + el.textContent.trim().slice(0, 40));
        }"""
    )
    assert not sticking_out, f"{label}: past the card's edge: {sticking_out}"


# --- 1. Set-up: the demo, Lekeberg with nobody in Samverka, Laxå with no address ---------------


def set_up() -> Document:
    seed_networks()
    seed_documents()
    lekeberg = Organisation.objects.get(name=LEKEBERG)
    assert lekeberg.registry_email == REGISTRY
    assert not Membership.objects.filter(organisation=lekeberg).exists()
    assert not Affiliation.objects.filter(organisation=lekeberg).exists()
    laxa = Organisation.objects.get(name=LAXA)
    laxa.registry_email = ""
    laxa.save(update_fields=["registry_email"])
    assert not Membership.objects.filter(organisation=laxa).exists()
    document = Document.objects.get(title=TITLE)
    assert document.network.name == ARBETSGRUPP
    assert document.versions.exists()
    return document


# --- 2. The chair starts the round, is told who is reached how, opens it ------------------------


def chair_starts_and_opens(journey, document):
    axe = journey.axe
    chair = journey.as_person(CHAIR)
    main_menu(chair, "Mina nätverk").click()
    chair.get_by_role("main").get_by_role("link", name=ARBETSGRUPP, exact=True).click()
    chair.get_by_role("link", name="Dokument", exact=True).click()
    chair.get_by_role("link", name=TITLE).click()
    document_tab(chair, "Remiss").click()
    chair.get_by_role("link", name="Starta en remissrunda").click()
    chair.get_by_label("Namn på remissrundan").fill(ROUND_TITLE)
    chair.get_by_label("Instruktioner till remissinstanserna").fill(
        "Lämna synpunkter per avsnitt och ett samlat remissvar för er organisation."
    )
    last_day = timezone.localdate() + timedelta(days=14)
    chair.get_by_label("Sista svarsdag").fill(last_day.isoformat())
    chair.get_by_role("group", name="Nätverk").get_by_label(LANSSAMVERKAN).check()
    organisations = chair.get_by_role("group", name="Organisationer")
    organisations.get_by_label(LEKEBERG).check()
    organisations.get_by_label(LAXA).check()
    axe(chair, "start a round with two organisations nobody in Samverka speaks for")
    chair.get_by_role("button", name="Spara remissrundan som planerad").click()
    expect(chair.get_by_role("heading", level=1)).to_have_text(ROUND_TITLE)
    review_round = ReviewRound.objects.get(title=ROUND_TITLE)

    chair.get_by_role("link", name="Öppna remissrundan").click()
    step = chair.get_by_role("main")
    by_link = step.get_by_role("note").filter(has_text="får en gästlänk")
    expect(by_link).to_contain_text("1 remissinstans får en gästlänk")
    expect(by_link.get_by_role("listitem")).to_have_text(f"{LEKEBERG}: {REGISTRY}")
    unreachable = step.get_by_role("note").filter(has_text="kan inte nås")
    expect(unreachable).to_contain_text("1 remissinstans kan inte nås")
    expect(unreachable.get_by_role("listitem")).to_contain_text(LAXA)
    expect(step).not_to_contain_text(LANSSAMVERKAN + ":")  # its members are told in Samverka
    axe(chair, "open the round: who gets a guest link, who cannot be reached")
    chair.get_by_role("button", name="Öppna remissrundan").click()
    expect(message(chair)).to_contain_text("Remissrundan är öppen")
    review_round.refresh_from_db()
    assert review_round.status == ReviewRound.Status.OPEN
    axe(chair, "the round, open, with a guest link on its way")
    return chair, review_round


# --- 3. The registrar opens the link, gets a code, types it (a wrong one first) -----------------


def guest_comes_in(journey, review_round):
    axe = journey.axe
    links = journey.links_mailed_to(REGISTRY, containing="/guest/")
    assert len(links) == 1, f"one link to {REGISTRY}: {links}"
    (mail,) = mails_to(journey, REGISTRY)
    text = plain(mail)
    assert TITLE in text, text
    assert swedish_date(review_round.closes_at) in text, text
    assert TITLE in mail["Subject"], mail["Subject"]
    assert "lekeberg" not in links[0].lower()  # the address names nothing but the token

    guest = journey.new_page("guest")
    guest.goto(links[0])
    expect(guest.get_by_role("heading", level=1)).to_have_text(ROUND_TITLE)
    expect(guest.get_by_role("main")).to_contain_text(LEKEBERG)
    expect(guest.get_by_role("main")).to_contain_text(MASKED)
    within_the_card(guest, "the guest link's page")
    axe(guest, "the guest link's page")
    guest.set_viewport_size({"width": 390, "height": 844})  # the registrar's phone
    within_the_card(guest, "the guest link's page at 390 px")
    assert guest.evaluate("document.documentElement.scrollWidth") <= 390
    axe(guest, "the guest link's page at 390 px")
    guest.set_viewport_size({"width": 1280, "height": 720})
    mails_before = len(mails_to(journey, REGISTRY))
    guest.get_by_role("button", name="Skicka kod").click()
    expect(guest.get_by_role("heading", level=1)).to_have_text("Skriv koden och ditt namn")
    expect(message(guest)).to_contain_text(f"En kod har skickats till {MASKED}")
    code = code_mailed_to(journey, REGISTRY, after=mails_before)
    within_the_card(guest, "type the code")
    axe(guest, "type the code")

    wrong = f"{(int(code) + 1) % 10**6:06d}"
    guest.get_by_label("Koden från e-postmeddelandet").fill(wrong)
    guest.get_by_label("Ditt namn").fill(GUEST_NAME)
    guest.get_by_label("Titel/roll (frivilligt)").fill(GUEST_TITLE)
    guest.get_by_role("button", name="Fortsätt").click()
    errors = guest.get_by_role("alert")
    expect(errors).to_contain_text("Koden stämmer inte")
    expect(errors).to_be_focused()
    expect(guest).to_have_title(re.compile("^Fel: "))
    # What was typed stays, except the code.
    expect(guest.get_by_label("Koden från e-postmeddelandet")).to_have_value("")
    expect(guest.get_by_label("Ditt namn")).to_have_value(GUEST_NAME)
    expect(guest.get_by_label("Titel/roll (frivilligt)")).to_have_value(GUEST_TITLE)
    assert not GuestPass.objects.get(consultee__round=review_round).opened_at
    axe(guest, "a wrong code")

    guest.get_by_label("Koden från e-postmeddelandet").fill(code)
    guest.get_by_role("button", name="Fortsätt").click()
    expect(guest.get_by_role("heading", level=1)).to_have_text(ROUND_TITLE)
    expect(message(guest)).to_contain_text(
        f"Välkommen, {GUEST_NAME}. Du svarar för {LEKEBERG} i den här remissrundan."
    )
    header = guest.locator("header.site-header")
    expect(header).to_contain_text(f"Gäst för {LEKEBERG} · {GUEST_NAME}")
    menu = guest.get_by_role("navigation", name="Huvudmeny")
    expect(menu.get_by_role("link")).to_have_text(["Remissrundan"])
    for elsewhere in ("Mitt arbete", "Mina nätverk", "Mina synpunkter", "Organisationer"):
        expect(header.get_by_role("link", name=elsewhere)).to_have_count(0)
    axe(guest, "the round, as the guest")
    return guest


# --- 4. The guest comments on a passage and submits the body's response ------------------------


def guest_comments_and_responds(journey, review_round, guest):
    axe = journey.axe
    section = guest.get_by_role("region", name=PASSAGE_SECTION)
    passage = select_with_mouse(guest, section.locator(".prose"))
    section.get_by_role("button", name="Lämna synpunkt på det markerade textavsnittet").click()
    expect(section.locator("[data-quote-shown]")).to_have_text(passage)
    section.get_by_label("Din synpunkt").fill(GUEST_COMMENT)
    # A guest writes for the body whose link they came by: already chosen.
    lekeberg = Organisation.objects.get(name=LEKEBERG)
    expect(section.get_by_label("Jag skriver för")).to_have_value(str(lekeberg.pk))
    axe(guest, "a comment on a selected passage, as the guest")
    section.get_by_role("button", name="Skicka synpunkt").click()
    expect(message(guest)).to_contain_text("Din synpunkt är sparad")
    section = guest.get_by_role("region", name=PASSAGE_SECTION)
    expect(section.get_by_text(GUEST_COMMENT)).to_be_visible()
    comment = Comment.objects.get(round=review_round, body=GUEST_COMMENT)
    assert comment.quote_exact == passage
    assert comment.on_behalf_of == lekeberg
    assert comment.author.is_guest

    guest.get_by_role("region", name="Ditt remissvar").get_by_role("link", name=LEKEBERG).click()
    expect(guest.get_by_role("heading", level=1)).to_have_text(LEKEBERG)
    axe(guest, "the body's response, as the guest")
    guest.get_by_label("Tillstyrker", exact=True).check()
    guest.get_by_label("Sammanfattning av remissvaret").fill(GUEST_SUMMARY)
    guest.get_by_role("button", name="Godkänn och skicka in").click()
    check = guest.get_by_role("region", name="Kontrollera innan du skickar in")
    expect(check).to_contain_text(GUEST_SUMMARY)
    axe(guest, "the body's response, checked before it is submitted")
    check.get_by_role("button", name="Skicka in", exact=True).click()
    expect(message(guest)).to_contain_text("Remissvaret är inskickat")
    parties = guest.get_by_role("region", name="Remissinstanser")
    expect(parties.get_by_role("listitem").filter(has_text=LEKEBERG)).to_contain_text("Tillstyrker")
    response = Response.objects.get(consultee__round=review_round, consultee__organisation=lekeberg)
    assert response.state == Response.State.SUBMITTED
    assert response.position == Response.Position.SUPPORTS
    assert response.approved_by == comment.author
    axe(guest, "the round, the body has answered")
    # The page stays open on the round, its comment form ready (for after the close).
    section = guest.get_by_role("region", name=PASSAGE_SECTION)
    section.get_by_role("link", name=re.compile("^Kommentera avsnittet")).click()
    section.get_by_label("Din synpunkt").fill(LATE_COMMENT)


# --- 5. The chair sees the link sent, opened, answered; closes; publishes the report ----------


def chair_sees_reach_and_reports(journey, review_round, chair):
    axe = journey.axe
    chair.goto(journey.url(review_round.get_absolute_url()))
    parties = chair.get_by_role("region", name="Remissinstanser")
    lekeberg = parties.get_by_role("listitem").filter(has_text=LEKEBERG)
    expect(lekeberg).to_contain_text(f"Gästlänk till registratorsadress {MASKED}")
    for word in ("skickad", "öppnad", "svarade", "Tillstyrker"):
        expect(lekeberg).to_contain_text(word)
    expect(parties.get_by_role("listitem").filter(has_text=LAXA)).to_contain_text("Kan inte nås")
    axe(chair, "the round: the guest link sent, opened and answered")

    chair.get_by_role("link", name="Stäng remissrundan nu").click()
    chair.get_by_role("button", name="Stäng remissrundan").click()
    expect(message(chair)).to_contain_text("Remissrundan är stängd")
    chair.get_by_role("link", name="Publicera sammanställningen").click()
    chair.get_by_role("button", name="Publicera sammanställningen").click()
    expect(message(chair)).to_contain_text("Sammanställningen är publicerad")
    review_round.refresh_from_db()
    assert review_round.status == ReviewRound.Status.REPORTED
    chair.goto(journey.url(f"/rounds/{review_round.pk}/report/"))
    responses = chair.get_by_role("region", name="Remissvar")
    row = responses.get_by_role("row").filter(has_text=LEKEBERG)
    expect(row).to_contain_text("Tillstyrker")
    expect(row).to_contain_text(GUEST_SUMMARY)
    expect(row).to_contain_text(SIGNED)
    comments = chair.get_by_role("region", name=PASSAGE_SECTION)
    row = comments.get_by_role("row").filter(has_text=GUEST_COMMENT)
    expect(row).to_contain_text(SIGNED)
    expect(row).to_contain_text(LEKEBERG)
    axe(chair, "the published report with the guest's response and comment")


# --- 6. After the close: no commenting, a stale form refused, nothing outside the round --------


def guest_after_close(journey, review_round, document, guest):
    axe = journey.axe
    # The form left open before the close is sent now: refused, nothing saved.
    section = guest.get_by_role("region", name=PASSAGE_SECTION)
    section.get_by_role("button", name="Skicka synpunkt").click()
    expect(guest.get_by_role("main")).to_contain_text("Remissrundan är stängd")
    expect(guest.get_by_label("Din synpunkt")).to_have_value(LATE_COMMENT)  # kept, to copy
    expect(guest.get_by_role("main").locator("textarea")).to_have_count(1)  # no codes
    assert not Comment.objects.filter(body=LATE_COMMENT).exists()
    axe(guest, "a comment after the close, refused")

    guest.goto(journey.url(review_round.get_absolute_url()))
    expect(guest.get_by_role("heading", level=1)).to_have_text(ROUND_TITLE)
    expect(guest.get_by_role("main")).to_contain_text(GUEST_COMMENT)  # still readable
    expect(guest.get_by_role("link", name=re.compile("^Kommentera avsnittet"))).to_have_count(0)
    expect(guest.get_by_text("Lämna synpunkt på avsnittet")).to_have_count(0)
    expect(guest.get_by_text("Lämna synpunkt på hela dokumentet")).to_have_count(0)
    expect(guest.locator("form[action$='/comments/']")).to_have_count(0)
    axe(guest, "the round after the close, as the guest")

    for path in ("/networks/", document.get_absolute_url(), "/"):
        response = guest.goto(journey.url(path))
        assert response.status == 404, f"{path}: {response.status} for the guest"
        expect(guest.get_by_role("heading", level=1)).to_have_text("Vi hittade inte sidan")
    axe(guest, "not found, as the guest")
    guest.get_by_role("link", name="Tillbaka till remissrundan").click()
    expect(guest.get_by_role("heading", level=1)).to_have_text(ROUND_TITLE)


@pytest.mark.timeout(300)
def test_a_body_with_nobody_in_samverka_answers_as_a_guest(journey):
    document = set_up()
    chair, review_round = chair_starts_and_opens(journey, document)
    guest = guest_comes_in(journey, review_round)
    guest_comments_and_responds(journey, review_round, guest)
    chair_sees_reach_and_reports(journey, review_round, chair)
    guest_after_close(journey, review_round, document, guest)
    assert Consultee.objects.get(round=review_round, organisation__name=LEKEBERG).has_answered
    journey.finish()
