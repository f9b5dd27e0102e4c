"""Role × page matrix for the round pages: readers of the document, consulted people from
outside the network (who see this round and nothing else), someone from another county (who sees
nothing); refused writes change nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import (
    Comment,
    Consultee,
    Disposition,
    GuestLink,
    GuestPass,
    Response,
    ReviewRound,
    RoundReminder,
)
from consultations.services import comments
from consultations.services import rounds as round_services
from notifications.models import Notification
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

VISITORS = [
    "chair",
    "coordinator",
    "member",
    "observer",
    "writer",
    "manager",
    "drafter",
    "approver",
    "expert",
    "outsider",
    "anonymous",
]
DOCUMENT_READERS = {"chair", "coordinator", "member", "observer", "writer"}
CONSULTED = {"manager", "drafter", "approver", "expert"}
ROUND_READERS = DOCUMENT_READERS | CONSULTED
RUNNERS = {"chair", "coordinator"}
COMMENTERS = {"chair", "coordinator", "member", "writer"} | CONSULTED
KUMLA = {"drafter", "approver"}


def snapshot():
    return (
        sorted(ReviewRound.objects.values_list("id", "status", "closes_at")),
        sorted(Comment.objects.values_list("id", "body", "deleted_at")),
        sorted(Response.objects.values_list("id", "state", "position", "summary")),
        sorted(Disposition.objects.values_list("id", "outcome")),
        sorted(Consultee.objects.values_list("id", "status")),
        Notification.objects.count(),
        sorted(GuestPass.objects.values_list("id", "email", "revoked_at")),
        sorted(GuestLink.objects.values_list("id", "reason")),
        RoundReminder.objects.count(),
    )


def login(client, world, visitor):
    if visitor != "anonymous":
        client.force_login(world["people"][visitor])


def expected(visitor, allowed, ok, *, seen=ROUND_READERS):
    if visitor == "anonymous":
        return 302
    if visitor in allowed:
        return ok
    return 403 if visitor in seen else 404


@pytest.fixture
def setup(open_world):
    w = open_world
    w["comment"] = comments.add_comment(w["round"], by_user=w["people"]["member"], body="Bra.")
    w["kumla_party"] = w["round"].consultees.get(organisation=w["kumla"])
    # A party reached by a guest link to its registry address (sent when it was added).
    lekeberg = OrganisationFactory(name="Lekebergs kommun", registry_email="kommunen@lekeberg.se")
    round_services.add_consultees(
        w["round"], by_user=w["people"]["chair"], organisations=[lekeberg]
    )
    w["guest_party"] = w["round"].consultees.get(organisation=lekeberg)
    return w


def pages(w):
    r, c, k = w["round"], w["comment"], w["kumla_party"]
    return {
        "round": (r.get_absolute_url(), ROUND_READERS, ROUND_READERS),
        "rounds_of_document": (
            reverse("consultations:document_rounds", args=[w["document"].pk]),
            DOCUMENT_READERS,
            DOCUMENT_READERS,
        ),
        "new_round": (
            reverse("consultations:round_new", args=[w["document"].pk]),
            RUNNERS,
            DOCUMENT_READERS,
        ),
        "thread": (
            reverse("consultations:thread", args=[r.pk, c.pk]),
            ROUND_READERS,
            ROUND_READERS,
        ),
        "section_threads": (  # "Visa alla": every thread of a section, as the page shows them
            reverse("consultations:section_threads", args=[r.pk, w["section"].key]),
            ROUND_READERS,
            ROUND_READERS,
        ),
        "whole_document_threads": (
            reverse("consultations:section_threads", args=[r.pk, "-"]),
            ROUND_READERS,
            ROUND_READERS,
        ),
        "edit_comment": (  # the member's comment: only its author may change it
            reverse("consultations:comment_edit", args=[r.pk, c.pk]),
            {"member"},
            ROUND_READERS,
        ),
        "respond": (  # Kumla's people write it; the writing group reads it
            reverse("consultations:respond", args=[r.pk, k.pk]),
            KUMLA | RUNNERS | {"writer"},
            ROUND_READERS,
        ),
        "enter": (
            reverse("consultations:enter_response", args=[r.pk, k.pk]),
            RUNNERS,
            ROUND_READERS,
        ),
        "report": (reverse("consultations:report", args=[r.pk]), ROUND_READERS, ROUND_READERS),
        "report_docx": (
            reverse("consultations:report_file", args=[r.pk, "docx"]),
            ROUND_READERS,
            ROUND_READERS,
        ),
        "report_csv": (
            reverse("consultations:report_file", args=[r.pk, "csv"]),
            ROUND_READERS,
            ROUND_READERS,
        ),
        "report_in_no_format_we_make": (
            reverse("consultations:report_file", args=[r.pk, "pdf"]),
            set(),
            set(),
        ),
        "step_close": (reverse("consultations:step", args=[r.pk, "close"]), RUNNERS, ROUND_READERS),
        "step_extend": (
            reverse("consultations:step", args=[r.pk, "extend"]),
            RUNNERS,
            ROUND_READERS,
        ),
        "remind": (  # the question asked before the parties are reminded
            reverse("consultations:remind", args=[r.pk]),
            RUNNERS,
            ROUND_READERS,
        ),
        "withdraw_link": (  # the question asked before a guest link is withdrawn
            reverse("consultations:withdraw_link", args=[r.pk, w["guest_party"].pk]),
            RUNNERS,
            ROUND_READERS,
        ),
    }


PAGES = [
    "round",
    "rounds_of_document",
    "new_round",
    "thread",
    "section_threads",
    "whole_document_threads",
    "edit_comment",
    "respond",
    "enter",
    "report",
    "report_docx",
    "report_csv",
    "report_in_no_format_we_make",
    "step_close",
    "step_extend",
    "remind",
    "withdraw_link",
]


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("name", PAGES)
def test_pages(client, setup, visitor, name):
    url, allowed, seen = pages(setup)[name]
    login(client, setup, visitor)
    response = client.get(url)
    assert response.status_code == expected(visitor, allowed, 200, seen=seen)
    if response.status_code == 404:
        assert setup["round"].title not in response.content.decode()


def writes(w):
    r, c, k = w["round"], w["comment"], w["kumla_party"]
    deadline = (timezone.localdate() + timedelta(days=20)).isoformat()
    return {
        "comment": (
            reverse("consultations:comment_add", args=[r.pk]),
            {"kind": "remark", "body": "Ny synpunkt"},
            COMMENTERS,
        ),
        "reply": (
            reverse("consultations:reply_add", args=[r.pk, c.pk]),
            {"body": "Svar"},
            COMMENTERS,
        ),
        "draft_response": (
            reverse("consultations:respond", args=[r.pk, k.pk]),
            {"position": "supports", "summary": "Ja", "step": "save"},
            KUMLA,
        ),
        "enter_response": (
            reverse("consultations:enter_response", args=[r.pk, k.pk]),
            {
                "position": "supports",
                "summary": "Brev",
                "via": "letter",
                "received_on": timezone.localdate().isoformat(),
            },
            RUNNERS,
        ),
        "extend": (
            reverse("consultations:step", args=[r.pk, "extend"]),
            {"closes_on": deadline},
            RUNNERS,
        ),
        "close": (reverse("consultations:step", args=[r.pk, "close"]), {}, RUNNERS),
        "send_link": (
            reverse("consultations:send_link", args=[r.pk, w["guest_party"].pk]),
            {},
            RUNNERS,
        ),
        "withdraw_link": (
            reverse("consultations:withdraw_link", args=[r.pk, w["guest_party"].pk]),
            {},
            RUNNERS,
        ),
        "remind": (reverse("consultations:remind", args=[r.pk]), {}, RUNNERS),
        "consult_outside": (
            reverse("consultations:step", args=[r.pk, "consult"]),
            {"outside": "Anna Berg <anna.berg@oru.se>"},
            RUNNERS,
        ),
    }


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize(
    "action",
    [
        "comment",
        "reply",
        "draft_response",
        "enter_response",
        "extend",
        "close",
        "send_link",
        "withdraw_link",
        "remind",
        "consult_outside",
    ],
)
def test_writes(client, setup, visitor, action):
    url, data, allowed = writes(setup)[action]
    login(client, setup, visitor)
    before = snapshot()
    response = client.post(url, data)
    # Those who see the round but may not do this are told so (403); others find nothing (404).
    status = expected(visitor, allowed, 302, seen=ROUND_READERS)
    assert response.status_code == status, response.content[:400]
    if visitor in allowed:
        assert snapshot() != before
    else:
        assert snapshot() == before


@pytest.mark.parametrize("visitor", VISITORS)
def test_dispositions(client, setup, visitor):
    round_services.close_round(setup["round"], by_user=setup["people"]["chair"])
    url = reverse("consultations:disposition", args=[setup["round"].pk, setup["comment"].pk])
    login(client, setup, visitor)
    before = snapshot()
    response = client.post(url, {"outcome": "noted", "rationale": "Noterat."})
    writing_group = {"chair", "coordinator", "writer"}
    if visitor == "anonymous":
        assert response.status_code == 302
    elif visitor in writing_group:
        assert response.status_code == 302
        assert snapshot() != before
    else:
        # Readers of the round get the refusal in words next to the form; others find nothing.
        assert response.status_code == (400 if visitor in ROUND_READERS else 404)
        assert snapshot() == before
        if visitor in ROUND_READERS:
            assert (
                "skrivargrupp" in response.content.decode().lower()
                or "writing group" in response.content.decode()
            )


def test_someone_from_another_county_sees_nothing_of_the_round(client, setup):
    client.force_login(setup["people"]["outsider"])
    for url in [setup["round"].get_absolute_url(), setup["document"].get_absolute_url()]:
        assert client.get(url).status_code == 404


def test_an_outside_expert_sees_the_round_and_its_version_but_not_the_document(client, setup):
    client.force_login(setup["people"]["expert"])
    page = client.get(setup["round"].get_absolute_url()).content.decode()
    assert "barnets hela uppväxt" in page  # the version's text is on the round page
    assert client.get(setup["document"].get_absolute_url()).status_code == 404
    assert client.get(setup["version"].get_absolute_url()).status_code == 404


@pytest.mark.parametrize("state", ["planned", "closed", "reported"])
@pytest.mark.parametrize("visitor", ["chair", "coordinator", "member", "outsider"])
def test_reminding_outside_an_open_round_is_refused_in_words_and_sends_nothing(
    client, world, state, visitor
):
    review_round, chair = world["round"], world["people"]["chair"]
    if state != "planned":
        round_services.open_round(review_round, by_user=chair)
        round_services.close_round(review_round, by_user=chair)
    if state == "reported":
        round_services.publish_report(review_round, by_user=chair)
    login(client, world, visitor)
    before = snapshot()
    url = reverse("consultations:remind", args=[review_round.pk])
    for response in (client.get(url), client.post(url)):
        if visitor in RUNNERS:
            assert response.status_code == 302
            said = " ".join(m.message for m in response.wsgi_request._messages)
            assert ("inte öppnats" if state == "planned" else "redan stängd") in said
        else:  # a reader of the document is told it is not theirs; others find nothing
            assert response.status_code == (404 if visitor == "outsider" else 403)
    assert snapshot() == before


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("state", ["planned", "open", "closed"])
def test_a_sections_threads_are_seen_exactly_by_those_who_see_the_round(
    client, world, visitor, state
):
    """The fragment "Visa alla" loads answers as the round page does, for every role in every
    state of the round: outsiders get 404, never the threads."""
    review_round, chair = world["round"], world["people"]["chair"]
    if state != "planned":
        round_services.open_round(review_round, by_user=chair)
        comments.add_comment(review_round, by_user=world["people"]["member"], body="Bra.")
    if state == "closed":
        round_services.close_round(review_round, by_user=chair)
    login(client, world, visitor)
    fragment = reverse("consultations:section_threads", args=[review_round.pk, "-"])
    page = client.get(review_round.get_absolute_url())
    response = client.get(fragment, HTTP_HX_REQUEST="true")
    assert response.status_code == page.status_code
    assert response.status_code in (200, 302, 404)
    if response.status_code == 200 and state != "planned":
        assert "Bra." in response.content.decode()
    if response.status_code == 404:
        assert "Bra." not in response.content.decode()
