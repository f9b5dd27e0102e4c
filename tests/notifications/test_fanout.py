"""A round opened to a whole network: the in-app rows are written in a number of statements that
does not grow with the people, and the e-mails go out in batches over one SMTP connection each,
still exactly once, with the same Message-ID on every send of one notification."""

import signal
import time
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations.services import rounds as round_services
from documents import services as document_services
from networks.models import Membership, Network, Role
from notifications import delivery, tasks
from notifications.kinds import Channel, Kind
from notifications.models import Notification
from tests.factories import (
    DocumentFactory,
    MembershipFactory,
    NetworkFactory,
    SectionFactory,
    UserFactory,
)
from tests.notifications.conftest import celery_on, message_id, wait_until
from tests.notifications.test_delivery_faults import (
    all_emailed,
    assert_each_delivered_once,
    notify_consultees,
    run_in_threads,
    sink_count_reaches,
)

SEND_MANY = tasks.send_notification_emails.name
CONTEXT = {"round": "Remiss 2025", "document": "Regional strategi", "deadline": "1 juni"}


def rows_for(count: int) -> list[Notification]:
    """The rows notify() writes for `count` people; no broker here, so no task is sent: the
    test calls what the task would."""
    return Notification.objects.bulk_create(
        Notification(
            recipient=user, kind=Kind.CONSULTEE_ADDED, channel=Channel.IMMEDIATE, context=CONTEXT
        )
        for user in UserFactory.create_batch(count)
    )


def round_to(people: int):
    """A round on a document of the chair's network that consults a network of `people`."""
    chair = MembershipFactory(network=NetworkFactory(), role=Role.CHAIR).user
    home = chair.memberships.get().network
    consulted = NetworkFactory(kind=Network.Kind.WORKING_GROUP)
    Membership.objects.bulk_create(
        Membership(user=user, network=consulted, role=Role.MEMBER)
        for user in UserFactory.create_batch(people)
    )
    document = DocumentFactory(network=home)
    SectionFactory(document=document, heading="Inledning", position=1, body="Text.")
    version = document_services.publish_version(
        document, by_user=chair, label="Remissversion", change_summary=""
    )
    review_round = round_services.create_round(
        document,
        by_user=chair,
        version=version,
        title="Remiss",
        closes_at=timezone.now() + timedelta(days=10),
    )
    round_services.add_consultees(review_round, by_user=chair, networks=[consulted])
    return review_round, chair


def statements_of_opening(people: int) -> tuple[int, int]:
    review_round, chair = round_to(people)
    ContentType.objects.clear_cache()  # each opening looks the round's type up alike
    with CaptureQueriesContext(connection) as queries:
        round_services.open_round(review_round, by_user=chair)
    told = Notification.objects.filter(kind=Kind.CONSULTEE_ADDED, target_id=str(review_round.pk))
    return len(queries), told.count()


@pytest.mark.postgres  # SQLite splits a bulk INSERT by its limit of parameters per statement
@pytest.mark.django_db
def test_opening_a_round_writes_the_rows_in_statements_that_do_not_grow_with_the_people():
    few, told_few = statements_of_opening(10)
    many, told_many = statements_of_opening(200)

    assert (told_few, told_many) == (10, 200)
    assert many == few


# --- the Message-ID ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_second_send_of_the_same_notification_carries_the_same_message_id(smtp_sink):
    [notification] = rows_for(1)
    assert delivery.send_one(notification.pk) == "sent"
    # as after a worker killed between the server's "250" and the record: sent once more
    Notification.objects.filter(pk=notification.pk).update(emailed_at=None, email_claimed_at=None)
    assert delivery.send_batch([notification.pk]) == {"sent": 1, "skipped": 0, "refused": 0}

    assert smtp_sink.message_ids() == {message_id(notification.pk): 2}


# --- the batch path ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_batch_sends_each_once_and_a_second_run_of_it_sends_nothing(smtp_sink):
    created = rows_for(45)
    ids = [n.pk for n in created]

    assert delivery.send_batch(ids) == {"sent": 45, "skipped": 0, "refused": 0}
    assert delivery.send_batch(ids) == {"sent": 0, "skipped": 45, "refused": 0}

    assert smtp_sink.count() == 45
    assert_each_delivered_once(smtp_sink, created)
    # each message is addressed to its own recipient, and reads as one built alone would
    [alone] = rows_for(1)
    delivery.send_one(alone.pk)
    by_id = {message["Message-ID"]: message for _rcpt, message in smtp_sink.messages}
    for notification in Notification.objects.filter(pk__in=ids).select_related("recipient"):
        message = by_id[message_id(notification.pk)]
        assert message["To"] == notification.recipient.email
    single = by_id[message_id(alone.pk)]
    batched = by_id[message_id(ids[0])]
    assert batched["Subject"] == single["Subject"]
    assert [part.get_content() for part in batched.walk() if not part.is_multipart()] == [
        part.get_content() for part in single.walk() if not part.is_multipart()
    ]


@pytest.mark.django_db(transaction=True)
def test_a_refusal_in_a_batch_fails_the_rest_of_the_batch_back_for_a_retry(smtp_sink):
    created = rows_for(5)
    ids = [n.pk for n in created]
    smtp_sink.refuse_data = 1  # "451 try again later" for the first

    with pytest.raises(Exception, match="451"):
        delivery.send_batch(ids)

    # nothing stays claimed, and the retry sends each once
    assert not Notification.objects.filter(email_claimed_at__isnull=False, emailed_at=None)
    assert delivery.send_batch(ids)["sent"] == 5
    assert_each_delivered_once(smtp_sink, created)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_big_event_goes_in_batches_through_the_worker_each_once(
    celery_worker_on_redis, smtp_sink, task_runs
):
    count = delivery.EMAIL_BATCH_SIZE + 20
    created = notify_consultees(UserFactory.create_batch(count))

    assert sink_count_reaches(smtp_sink, count, timeout=60)
    runs = task_runs.wait_for(SEND_MANY, 2)
    assert sorted(run["retval"]["sent"] for run in runs) == [20, delivery.EMAIL_BATCH_SIZE]
    assert task_runs.of(tasks.send_notification_email.name) == []
    assert_each_delivered_once(smtp_sink, created)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_the_same_batch_at_once_send_each_once(smtp_sink):
    created = rows_for(60)
    ids = [n.pk for n in created]

    outcomes = run_in_threads(lambda: delivery.send_batch(ids))

    assert sum(outcome["sent"] for outcome in outcomes) == 60
    assert sink_count_reaches(smtp_sink, 60)
    assert_each_delivered_once(smtp_sink, created)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_holds_only_its_claimed_chunk_and_nothing_goes_twice(
    settings, smtp_sink, worker_processes
):
    # Given a slow SMTP server that tells when the 14th e-mail reaches RCPT TO (before it is sent)
    smtp_sink.rcpt_delay = 0.05
    smtp_sink.stall_at = 14
    people = UserFactory.create_batch(60)
    with celery_on(settings.REDIS_URL, worker_processes.queue):
        created = notify_consultees(people)
        ids = [n.pk for n in created]

        # when the worker sending the batch is killed in the middle of the 14th
        first = worker_processes.start(smtp_port=smtp_sink.port)
        assert smtp_sink.stalled.wait(timeout=30), worker_processes.logs()
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert smtp_sink.count() == 13

        # then 13 are recorded, the rest of the first claimed chunk waits for its lease, and
        # the other rows were never claimed
        rows = Notification.objects.filter(pk__in=ids)
        assert rows.filter(emailed_at__isnull=False).count() == 13
        claimed = rows.filter(emailed_at=None, email_claimed_at__isnull=False)
        assert claimed.count() == delivery.EMAIL_CLAIM_CHUNK - 13
        assert rows.filter(email_claimed_at=None).count() == 60 - delivery.EMAIL_CLAIM_CHUNK

        # and once the claims have expired, the sweep has another worker send the 47 left
        smtp_sink.rcpt_delay = 0
        settings.NOTIFICATION_EMAIL_LEASE_SECONDS = 1
        settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 0
        worker_processes.start(smtp_port=smtp_sink.port, lease_seconds=1)
        time.sleep(1.2)  # the killed worker's claims are now older than the lease
        assert tasks.sweep_unsent() == 47
        assert sink_count_reaches(smtp_sink, 60, timeout=30), worker_processes.logs()
        assert wait_until(lambda: all_emailed(ids), 10)

    assert_each_delivered_once(smtp_sink, created)
    assert set(Notification.objects.values_list("channel", flat=True)) == {Channel.IMMEDIATE}
