"""The approver sends a response back to its drafters, with the reason: the response is a draft
again, the reason is recorded, and the drafter is told. Anyone else, or a response that does not
wait for approval, is refused and nothing changes."""

import pytest

from consultations.errors import (
    NotAwaitingApproval,
    OnlyApproverSendsBack,
    ResponseExists,
    SendBackWithoutComment,
)
from consultations.models import Response
from consultations.services import responses
from networks.errors import DomainError
from notifications.kinds import Kind
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def kumla(world):
    return world["round"].consultees.get(organisation=world["kumla"])


def waiting(world):
    party, people = kumla(world), world["people"]
    responses.save_draft(party, by_user=people["drafter"], position="supports", summary="Ja.")
    responses.ask_for_approval(party, by_user=people["drafter"])
    return party


def snapshot(party):
    response = Response.objects.get(consultee=party)
    return (
        response.state,
        response.sent_back_by_id,
        response.sent_back_comment,
        Response.history.filter(id=response.pk).count(),
        Notification.objects.count(),
    )


def test_sending_back_makes_it_a_draft_records_why_and_tells_the_drafter(open_world):
    party, people = waiting(open_world), open_world["people"]
    responses.send_back(party, by_user=people["approver"], comment="  Skärp andra stycket. ")

    response = Response.objects.get(consultee=party)
    assert response.state == Response.State.DRAFT
    assert (response.sent_back_by, response.sent_back_comment) == (
        people["approver"],
        "Skärp andra stycket.",
    )
    assert response.sent_back_at is not None
    last = Response.history.filter(id=response.pk).latest("history_date")
    assert (last.history_user, last.state) == (people["approver"], Response.State.DRAFT)
    assert last.history_change_reason == "Skärp andra stycket."
    told = Notification.objects.get(kind=Kind.RESPONSE_SENT_BACK)
    assert told.recipient == people["drafter"]
    assert "Skärp andra stycket." in told.message

    # sent for approval again: the old reason no longer shows, the history keeps it
    responses.ask_for_approval(party, by_user=people["drafter"])
    response.refresh_from_db()
    assert (response.state, response.sent_back_comment) == (Response.State.AWAITING_APPROVAL, "")


@pytest.mark.parametrize("who", ["drafter", "chair", "member"])
def test_only_the_approver_sends_back_and_a_refusal_changes_nothing(open_world, who):
    party, people = waiting(open_world), open_world["people"]
    before = snapshot(party)
    with pytest.raises(DomainError) as refused:  # the drafter: not the approver; others: 404
        responses.send_back(party, by_user=people[who], comment="Nej.")
    if who == "drafter":
        assert isinstance(refused.value, OnlyApproverSendsBack)
    assert snapshot(party) == before


def test_a_response_that_does_not_wait_for_approval_is_not_sent_back(open_world):
    party, people = kumla(open_world), open_world["people"]
    responses.save_draft(party, by_user=people["drafter"], position="supports", summary="Ja.")
    before = snapshot(party)
    with pytest.raises(NotAwaitingApproval):
        responses.send_back(party, by_user=people["approver"], comment="Nej.")
    assert snapshot(party) == before
    responses.ask_for_approval(party, by_user=people["drafter"])
    responses.approve_and_submit(party, by_user=people["approver"])
    before = snapshot(party)
    with pytest.raises(ResponseExists):  # submitted: the party has answered
        responses.send_back(party, by_user=people["approver"], comment="Nej.")
    assert snapshot(party) == before


def test_sending_back_without_a_reason_is_refused(open_world):
    party, people = waiting(open_world), open_world["people"]
    before = snapshot(party)
    with pytest.raises(SendBackWithoutComment):
        responses.send_back(party, by_user=people["approver"], comment="   ")
    assert snapshot(party) == before
