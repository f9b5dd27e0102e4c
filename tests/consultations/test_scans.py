"""The every-minute scans: rounds close themselves at the deadline; reminders go 3 days and
1 day before it, once per party and threshold, only to those who have not submitted (to a guest
party's address as a fresh link)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from consultations import guests
from consultations.models import Consultee, DeadlineReminder, GuestLink, GuestPass, ReviewRound
from consultations.policies import rounds as policy
from consultations.services import responses
from consultations.services import rounds as round_services
from consultations.tasks import close_due_rounds, send_deadline_reminders
from documents.models import Document
from networks.models import Affiliation
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


def test_a_run_after_the_reminders_went_out_costs_two_queries_and_writes_nothing(open_world):
    """The scan selects only the parties due and not yet reminded: once they were, every later
    run in the 48 hours of the window makes one query per threshold, however many parties
    there are, and tries no INSERT at all (none that fails on a unique key)."""
    review_round = open_world["round"]
    round_services.add_consultees(
        review_round,
        by_user=open_world["people"]["chair"],
        organisations=[OrganisationFactory() for _n in range(12)],
    )
    three_days = review_round.closes_at - timedelta(days=2, hours=23)
    assert round_services.send_reminders(now=three_days) > 0
    for minute in (1, 60, 24 * 60):
        with CaptureQueriesContext(connection) as queries:
            assert round_services.send_reminders(now=three_days + timedelta(minutes=minute)) == 0
        statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
        assert statements == ["SELECT", "SELECT"], statements
    reminded_parties = DeadlineReminder.objects.filter(consultee__round=review_round)
    assert (
        reminded_parties.count()
        == review_round.consultees.exclude(
            status__in=[Consultee.Status.SUBMITTED, Consultee.Status.DECLINED]
        ).count()
    )


def test_what_a_run_costs_grows_with_the_reminders_due_not_with_the_parties(open_world):
    """The first run at a threshold: its queries do not grow with the number of parties."""
    review_round = open_world["round"]
    three_days = review_round.closes_at - timedelta(days=2, hours=23)

    def first_run_with(parties: int) -> int:
        DeadlineReminder.objects.all().delete()
        Notification.objects.all().delete()
        round_services.add_consultees(
            review_round,
            by_user=open_world["people"]["chair"],
            organisations=[OrganisationFactory() for _n in range(parties)],
        )
        with CaptureQueriesContext(connection) as queries:
            assert round_services.send_reminders(now=three_days) > 0
        return len(queries)

    few = first_run_with(2)
    many = first_run_with(20)
    assert many == few, (few, many)


def test_one_person_who_speaks_for_two_waiting_parties_is_reminded_once(open_world):
    """A member of the consulted network who is also affiliated with a consulted organisation:
    one reminder per round and threshold, not one per party."""
    people, review_round = open_world["people"], open_world["round"]
    manager = people["manager"]  # a member of the consulted managers' network
    Affiliation.objects.create(user=manager, organisation=open_world["kumla"])
    kumla = review_round.consultees.get(organisation=open_world["kumla"])
    speaks_for = [
        c for c in review_round.consultees.all() if manager in policy.people_of(review_round, [c])
    ]
    assert kumla in speaks_for
    assert len(speaks_for) == 2
    three_days = review_round.closes_at - timedelta(days=2, hours=23)
    round_services.send_reminders(now=three_days)
    round_services.send_reminders(now=three_days + timedelta(minutes=1))
    told = Notification.objects.filter(kind=Kind.DEADLINE_IN_3_DAYS, recipient=manager)
    assert told.count() == 1
