"""A step of a round that its state forbids is refused by the round's policy, whoever asks, with
the reason in words, and nothing changes; the pages offer only the steps allowed now."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from consultations.errors import InvalidTransition, ReportPublished, RoundNotOpen
from consultations.models import Consultee
from consultations.services import responses
from consultations.services import rounds as round_services
from tests.consultations.test_rules import snapshot

pytestmark = pytest.mark.django_db


def to_state(world, status):
    chair, review_round = world["people"]["chair"], world["round"]
    if status != "planned":
        round_services.open_round(review_round, by_user=chair)
    if status in ("closed", "reported"):
        round_services.close_round(review_round, by_user=chair)
    if status == "reported":
        round_services.publish_report(review_round, by_user=chair)
    review_round.refresh_from_db()
    return review_round


def later():
    return timezone.now() + timedelta(days=30)


STEPS = {
    "open": lambda r, by: round_services.open_round(r, by_user=by),
    "close": lambda r, by: round_services.close_round(r, by_user=by),
    "report": lambda r, by: round_services.publish_report(r, by_user=by),
    "extend": lambda r, by: round_services.extend_deadline(r, by_user=by, closes_at=later()),
    "consult": lambda r, by: round_services.add_consultees(r, by_user=by, people=[by]),
}


@pytest.mark.parametrize(
    ("status", "step", "reason"),
    [
        ("planned", "close", "has not opened yet"),
        ("planned", "report", "Close the round before"),
        ("open", "open", "already open"),
        ("open", "report", "Close the round before"),
        ("closed", "open", "already closed"),
        ("closed", "extend", "already closed"),
        ("closed", "consult", "already closed"),
        ("reported", "open", "already closed"),
        ("reported", "close", "already closed"),
        ("reported", "extend", "already closed"),
        ("reported", "consult", "already closed"),
        ("reported", "report", "already been published"),
    ],
)
def test_a_step_the_state_forbids_is_refused_in_words_and_changes_nothing(
    world, status, step, reason
):
    review_round = to_state(world, status)
    before = snapshot()
    with pytest.raises(InvalidTransition) as refused:
        STEPS[step](review_round, world["people"]["coordinator"])
    with translation.override("en"):
        assert reason in str(refused.value.message)
    assert snapshot() == before


def kumla(world):
    party = world["round"].consultees.get(organisation=world["kumla"])
    party.round = world["round"]
    return party


@pytest.mark.parametrize(
    ("status", "error"), [("planned", RoundNotOpen), ("reported", ReportPublished)]
)
def test_no_response_is_entered_before_the_round_opens_or_after_its_report(world, status, error):
    """Entering a letter is for a round that is out (or closed, for a letter that came in time);
    the published report no longer changes."""
    to_state(world, status)
    before = snapshot()
    with pytest.raises(error):
        responses.enter_on_behalf(
            kumla(world),
            by_user=world["people"]["coordinator"],
            position="supports",
            summary="Brev",
            via="letter",
            received_at=timezone.now(),
        )
    assert snapshot() == before
    assert kumla(world).status == Consultee.Status.INVITED


def test_a_response_that_came_in_time_is_entered_after_the_round_closed(world):
    to_state(world, "closed")
    responses.enter_on_behalf(
        kumla(world),
        by_user=world["people"]["coordinator"],
        position="supports",
        summary="Brev",
        via="letter",
        received_at=timezone.now(),
    )
    assert kumla(world).status == Consultee.Status.SUBMITTED


@pytest.mark.parametrize(
    ("status", "step"), [("planned", "close"), ("open", "report"), ("reported", "extend")]
)
def test_the_page_of_a_step_the_state_forbids_sends_back_to_the_round_with_the_reason(
    client, world, status, step
):
    review_round = to_state(world, status)
    client.force_login(world["people"]["chair"])
    if step == "report":  # publishing has a path of its own
        url = reverse("consultations:publish", args=[review_round.pk])
    else:
        url = reverse("consultations:step", args=[review_round.pk, step])
    for response in (client.get(url), client.post(url, {"closes_on": "2999-01-01"})):
        assert response.status_code == 302
        assert response["Location"] == review_round.get_absolute_url()
        assert [str(m) for m in get_messages(response.wsgi_request)]
    assert not client.get(review_round.get_absolute_url()).context["may"][
        {"close": "close_round", "report": "publish_report", "extend": "extend_round"}[step]
    ]


def test_the_round_page_offers_no_response_to_enter_once_the_report_is_published(client, world):
    to_state(world, "closed")
    client.force_login(world["people"]["coordinator"])
    enter = reverse("consultations:enter_response", args=[world["round"].pk, kumla(world).pk])
    assert enter in client.get(world["round"].get_absolute_url()).content.decode()
    round_services.publish_report(world["round"], by_user=world["people"]["chair"])
    page = client.get(world["round"].get_absolute_url()).content.decode()
    assert enter not in page
    assert client.get(enter).status_code == 302  # back to the round, with the reason
