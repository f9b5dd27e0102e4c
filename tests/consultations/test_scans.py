"""The every-minute scans: rounds close themselves at the deadline; reminders go 3 days and
1 day before it, once per party and threshold, only to those who have not submitted (to a guest
party's address as a fresh link)."""

from datetime import timedelta

import pytest
from django.db.models import Q

from consultations import guests
from consultations.models import Consultee, GuestLink, GuestPass, ReviewRound
from consultations.services import responses
from consultations.services import rounds as round_services
from consultations.tasks import close_due_rounds, send_deadline_reminders
from documents.models import Document
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def reminded(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient", flat=True))


def test_reminders_go_once_per_threshold_and_not_to_those_who_submitted(open_world):
    people, deadline = open_world["people"], open_world["round"].closes_at
    kumla = open_world["round"].consultees.get(organisation=open_world["kumla"])
    responses.save_draft(kumla, by_user=people["approver"], position="supports", summary="Ja")
    responses.approve_and_submit(kumla, by_user=people["approver"])

    assert round_services.send_reminders(now=deadline - timedelta(days=5)) == 0
    three_days = deadline - timedelta(days=2, hours=23)
    first = round_services.send_reminders(now=three_days)
    again = round_services.send_reminders(now=three_days + timedelta(minutes=1))
    assert first > 0
    assert again == 0
    told = reminded(Kind.DEADLINE_IN_3_DAYS)
    assert {people["manager"].pk, people["expert"].pk} <= told
    assert not told & {people["drafter"].pk, people["approver"].pk}  # Kumla has answered
    assert not reminded(Kind.DEADLINE_IN_1_DAY)

    for minute in range(3):
        round_services.send_reminders(now=deadline - timedelta(hours=20, minutes=minute))
    one_day = Notification.objects.filter(kind=Kind.DEADLINE_IN_1_DAY)
    assert one_day.count() == len(told)
    assert set(one_day.values_list("recipient", flat=True)) == told


def test_a_round_closes_itself_at_the_deadline_once(open_world):
    review_round = open_world["round"]
    assert round_services.close_due_rounds(now=review_round.closes_at - timedelta(minutes=1)) == []
    assert round_services.close_due_rounds(now=review_round.closes_at) == [review_round.pk]
    assert round_services.close_due_rounds(now=review_round.closes_at) == []
    review_round.refresh_from_db()
    assert review_round.status == ReviewRound.Status.CLOSED
    open_world["document"].refresh_from_db()
    assert open_world["document"].status == Document.Status.REVISING
    assert Notification.objects.filter(kind=Kind.ROUND_CLOSED).exists()


def test_the_tasks_run_the_scans(open_world):
    from django.utils import timezone

    now = timezone.now()
    rounds = ReviewRound.objects.filter(pk=open_world["round"].pk)
    rounds.update(opens_at=now - timedelta(days=2), closes_at=now + timedelta(days=2, hours=23))
    assert send_deadline_reminders() > 0
    assert {open_world["people"]["manager"].pk, open_world["people"]["expert"].pk} <= reminded(
        Kind.DEADLINE_IN_3_DAYS
    )
    assert send_deadline_reminders() == 0  # once per threshold

    rounds.update(closes_at=now - timedelta(minutes=1))
    assert close_due_rounds() == 1
    assert rounds.get().status == ReviewRound.Status.CLOSED
    assert close_due_rounds() == 0


def test_a_guest_party_is_reminded_once_per_threshold_and_parties_with_people_get_no_link(
    open_world,
):
    """Parties reached by a guest link get a fresh link at their address 3 days and 1 day before
    the deadline, once each however often the scan runs; not once they have answered, not after
    the chair withdrew their link; parties whose people are in Samverka are told as people."""
    review_round, chair = open_world["round"], open_world["people"]["chair"]
    lekeberg, answered, withdrawn = (
        OrganisationFactory(name=name, registry_email=f"registrator@{name.split()[0].lower()}.se")
        for name in ("Lekebergs kommun", "Laxå kommun", "Hallsbergs kommun")
    )
    round_services.add_consultees(
        review_round,
        by_user=chair,
        organisations=[lekeberg, answered, withdrawn],
        outside=[("anna.berg@oru.se", "Anna Berg")],
    )
    review_round.consultees.filter(organisation=answered).update(status=Consultee.Status.SUBMITTED)
    guests.revoke(GuestPass.objects.get(consultee__organisation=withdrawn), by_user=chair)
    three_days = review_round.closes_at - timedelta(days=2, hours=23)
    one_day = review_round.closes_at - timedelta(hours=20)

    for minute in range(3):
        round_services.send_reminders(now=three_days + timedelta(minutes=minute))
    for minute in range(3):
        round_services.send_reminders(now=one_day + timedelta(minutes=minute))

    def links(**party):
        return list(
            GuestLink.objects.filter(**{f"guest_pass__consultee__{k}": v for k, v in party.items()})
            .order_by("pk")
            .values_list("reason", flat=True)
        )

    assert links(organisation=lekeberg) == ["added", "reminder_3d", "reminder_1d"]
    assert links(outside_email="anna.berg@oru.se") == ["added", "reminder_3d", "reminder_1d"]
    assert links(organisation=answered) == ["added"]
    assert links(organisation=withdrawn) == ["added"]
    with_people = review_round.consultees.filter(
        Q(organisation=open_world["kumla"]) | Q(network__isnull=False) | Q(person__isnull=False)
    )
    assert with_people.count() == 3
    assert not GuestPass.objects.filter(consultee__in=with_people).exists()
    told = {open_world["people"]["manager"].pk, open_world["people"]["expert"].pk}
    assert told <= reminded(Kind.DEADLINE_IN_1_DAY)
