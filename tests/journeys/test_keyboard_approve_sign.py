"""Approving a body's response and signing a document, by keyboard alone (issue 14).

The approver and the signatory start where they land after logging in, "Mitt arbete", and do
their part with Tab, Space, Enter and typing: no mouse. The journeys count what they cost
(Tab presses, other keys, clicks: none) and print it; run with `-s` to read the figures. axe-core
(WCAG 2.1 AA and best practice) runs on every page state.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from consultations.demo import NOVEMBER
from consultations.demo import seed_demo as seed_rounds
from consultations.models import Consultee, Response, ReviewRound, Signature
from consultations.services import decisions, responses
from documents.demo import TITLE
from documents.demo import seed_demo as seed_documents
from documents.models import Document
from networks.demo import DEMO_PASSWORD
from networks.demo import seed_demo as seed_networks
from networks.models import Organisation, User
from tests.journeys.keyboard import Keyboard

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

MEMBER = "member@example.org"
APPROVER = "kerstin.socialchef@example.org"
COORDINATOR = "coordinator@example.org"
SIGNATORY = "signatory@example.org"
KUMLA_SUMMARY = "Kumla kommun tillstyrker överenskommelsen."

# Ceilings: the figures measured when these journeys were written, with a little room. A page
# change that makes people press Tab many more times to do the same thing fails here.
APPROVE_TABS = 35
SIGN_TABS = 38


def test_the_approver_approves_a_response_by_keyboard_alone(journey):
    seed_networks()
    seed_documents()
    seed_rounds()
    review_round = ReviewRound.objects.get(title=NOVEMBER)
    party = review_round.consultees.get(organisation=Organisation.objects.get(name="Kumla kommun"))
    member = User.objects.get(email=MEMBER)
    responses.save_draft(
        party, by_user=member, position=Response.Position.SUPPORTS, summary=KUMLA_SUMMARY
    )
    responses.ask_for_approval(party, by_user=member)

    page = journey.as_person(APPROVER)
    keys = Keyboard(page)
    journey.axe(page, "Mitt arbete: a response waits for approval")
    keys.tab_to(page.get_by_role("link", name="Granska och godkänn remissvaret"))
    keys.press("Enter")
    review = page.get_by_role("region", name="Remissvaret väntar på ditt godkännande")
    expect(review).to_contain_text(KUMLA_SUMMARY)
    journey.axe(page, "the response, reviewed read-only")
    # The review page is the check: the text as it will be submitted, and what approving means.
    expect(page.get_by_role("region", name="Godkänn och skicka in")).to_contain_text(
        "kan inte ändras"
    )
    keys.tab_to(page.get_by_role("button", name="Godkänn och skicka in"))
    keys.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Remissvaret är inskickat")
    journey.axe(page, "the response is submitted")

    keys.report("approving a response by keyboard")
    assert keys.clicks == 0
    assert keys.tabs <= APPROVE_TABS, keys.counts()
    party.refresh_from_db()
    response = Response.objects.get(consultee=party)
    assert response.state == Response.State.SUBMITTED
    assert response.approved_by.email == APPROVER
    assert party.status == Consultee.Status.SUBMITTED
    journey.finish()


def test_the_signatory_signs_by_keyboard_alone_and_the_document_is_adopted(journey):
    seed_networks()
    seed_documents()
    document = Document.objects.get(title=TITLE)
    Document.objects.filter(pk=document.pk).update(status=Document.Status.ANCHORING)
    signatory = User.objects.get(email=SIGNATORY)
    sign_off = decisions.request_sign_off(
        document,
        by_user=User.objects.get(email=COORDINATOR),
        version=document.versions.order_by("-number").first(),
        signatories=[signatory],
        required=None,
    )

    page = journey.as_person(SIGNATORY)
    keys = Keyboard(page)
    journey.axe(page, "Mitt arbete: a signature waits")
    keys.tab_to(page.get_by_role("link", name="Läs och skriv under"))
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(document.title)
    journey.axe(page, "the sign-off, with its context")
    keys.tab_to(page.get_by_label("Jag godkänner"))
    keys.press("Space")
    expect(page.get_by_label("Jag godkänner")).to_be_checked()
    keys.tab_to(page.get_by_label("Lösenord"))
    keys.type("not my password")
    keys.press("Enter")  # a wrong password: refused, nothing recorded, the error has the focus
    expect(page.locator(".form-errors")).to_be_focused()
    assert not Signature.objects.filter(sign_off=sign_off).exists()
    journey.axe(page, "the sign-off, a wrong password")
    keys.tab_to(page.get_by_label("Lösenord"))
    keys.type(DEMO_PASSWORD)
    keys.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Dokumentet är nu fastställt.")
    expect(page.locator(".my-signatures li")).to_contain_text(document.title)
    journey.axe(page, "signed, and the document adopted")

    keys.report("signing by keyboard")
    assert keys.clicks == 0
    assert keys.tabs <= SIGN_TABS, keys.counts()
    document.refresh_from_db()
    assert document.status == Document.Status.ADOPTED
    assert Signature.objects.get(sign_off=sign_off).verdict == Signature.Verdict.APPROVE
    journey.finish()
