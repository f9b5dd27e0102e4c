"""Notification e-mail is delivered exactly once, through a real worker on Redis and a real SMTP
server, whatever fails on the way: Redis, the SMTP server, the broker delivering a task twice, a
worker killed mid-batch, or the same keyed event raised twice.

Every test ends the same way: the SMTP server holds exactly one message per notification (counted
by the Message-ID delivery.build_email sets, `<notification.{id}@samverka>`), and every
notification is recorded as e-mailed.
"""

import signal
import threading
import time
import uuid

import pytest
from channels.layers import channel_layers
from django.db import connection, transaction
from django.urls import reverse

from networks.models import Role
from notifications import delivery, tasks
from notifications.kinds import Channel, Kind
from notifications.models import Notification
from notifications.services import notify
from tests.factories import MembershipFactory, UserFactory
from tests.notifications.conftest import (
    celery_on,
    in_process_worker,
    message_id,
    reset_publisher_pools,
    wait_until,
)

SEND = tasks.send_notification_email.name
CONTEXT = {"round": "Remiss 2025", "document": "Regional strategi", "deadline": "1 juni"}


def notify_consultees(people, **kwargs) -> list[Notification]:
    """The event of the tests: people are asked to answer a consultation (e-mailed at once)."""
    with transaction.atomic():
        return notify(kind=Kind.CONSULTEE_ADDED, recipients=people, context=CONTEXT, **kwargs)


def sink_count_reaches(sink, count, timeout=20.0) -> bool:
    return wait_until(lambda: sink.count() >= count, timeout)


def all_emailed(ids) -> bool:
    return not Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).exists()


def assert_each_delivered_once(sink, notifications):
    ids = [n.pk for n in notifications]
    received = sink.message_ids()
    assert {mid: n for mid, n in received.items() if n > 1} == {}, "duplicates"
    assert set(received) == {message_id(pk) for pk in ids}, "missing or unexpected e-mail"
    assert Notification.objects.count() == len(ids)
    assert all_emailed(ids), "an e-mail was sent but not recorded"
    recipients = sink.recipients_by_message_id()
    for notification in Notification.objects.filter(pk__in=ids).select_related("recipient"):
        assert recipients[message_id(notification.pk)] == [notification.address]


def run_in_threads(function, count: int = 2) -> list:
    """Run `function()` in `count` threads released together; return what each returned."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = function()
        except Exception as error:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    if errors:
        raise errors[0]
    return results


# --- the way it should go ---------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_each_person_gets_one_email_through_the_worker_and_smtp(
    celery_worker_on_redis, smtp_sink, task_runs
):
    people = UserFactory.create_batch(20)

    created = notify_consultees(people)

    assert len(created) == 20
    assert sink_count_reaches(smtp_sink, 20)
    runs = task_runs.wait_for(SEND, 20)
    assert sorted(run["retval"] for run in runs) == ["sent"] * 20
    assert_each_delivered_once(smtp_sink, created)


# --- Redis stopped while the event happens ----------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_the_invitation_succeeds_and_the_sweep_sends_it_later(
    client, settings, smtp_sink, throwaway_redis, task_runs
):
    # Given everything that uses Redis (broker, channel layer, cache) on a Redis of the test's own
    chair = MembershipFactory(role=Role.CHAIR).user
    network = chair.memberships.get().network
    colleague = UserFactory(email="kollega@example.org")
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [throwaway_redis.url(1)]},
        }
    }
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": throwaway_redis.url(2),
        }
    }
    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 0
    queue = f"test-{uuid.uuid4().hex}"
    channel_layers.backends.clear()
    client.force_login(chair)
    try:
        with celery_on(throwaway_redis.url(0), queue):
            # ...when Redis stops, and the chair invites a colleague and a newcomer
            throwaway_redis.stop()
            for email in (colleague.email, "ny.person@example.org"):
                started = time.monotonic()
                response = client.post(
                    reverse("networks:members", args=[network.pk]),
                    {"email": email, "role": Role.MEMBER},
                )
                # then the page answers, and in time
                assert response.status_code == 302, response.content[:500]
                assert time.monotonic() - started < 10

            notifications = list(Notification.objects.order_by("pk"))
            assert [(n.recipient, n.email) for n in notifications] == [
                (colleague, ""),
                (None, "ny.person@example.org"),
            ]
            assert all(
                n.emailed_at is None and n.email_claimed_at is None and n.email_attempts == 0
                for n in notifications
            )
            assert smtp_sink.count() == 0

            # when Redis is back, a worker runs, and the sweep comes by
            throwaway_redis.start()
            reset_publisher_pools()
            channel_layers.backends.clear()
            with in_process_worker(queue):
                assert tasks.sweep_unsent() == 2
                assert sink_count_reaches(smtp_sink, 2)
                assert wait_until(lambda: all_emailed([n.pk for n in notifications]), 10)
                task_runs.wait_for(SEND, 2)
                # and a second sweep finds nothing left to send
                assert tasks.sweep_unsent() == 0
    finally:
        channel_layers.backends.clear()

    # then each of them got the invitation once
    assert_each_delivered_once(smtp_sink, notifications)


# --- the SMTP server refusing for a while -----------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_emails_refused_for_a_while_are_sent_once_when_the_server_accepts(
    celery_worker_on_redis, smtp_sink, task_runs
):
    # Given an SMTP server that answers "try again later" to the first four messages
    smtp_sink.refuse_data = 4
    people = UserFactory.create_batch(8)

    created = notify_consultees(people)

    # then the worker retries them (Celery's autoretry: after 0–5 s, with jitter) until sent
    assert sink_count_reaches(smtp_sink, 8)
    assert wait_until(lambda: all_emailed([n.pk for n in created]), 10)
    assert wait_until(lambda: task_runs.retries_outstanding(SEND) == 0, 20)
    assert len(smtp_sink.refused) == 4
    refused_ids = {n.pk for n in created if message_id(n.pk) in smtp_sink.refused}
    for notification in Notification.objects.filter(pk__in=[n.pk for n in created]):
        if notification.pk in refused_ids:
            assert notification.email_attempts > 1
            assert notification.email_error == ""
        else:
            assert notification.email_attempts == 1
    assert_each_delivered_once(smtp_sink, created)


# --- the same e-mail task delivered twice -----------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_same_task_delivered_twice_sends_one_email(
    celery_worker_on_redis, smtp_sink, task_runs
):
    (notification,) = notify_consultees([UserFactory()])
    assert sink_count_reaches(smtp_sink, 1)

    # the broker hands the same task (the same id) to a worker again, and once more
    task_id = str(uuid.uuid4())
    tasks.send_notification_email.apply_async(args=[notification.pk], task_id=task_id)
    tasks.send_notification_email.apply_async(args=[notification.pk], task_id=task_id)

    runs = task_runs.wait_for(SEND, 3)
    assert sorted(run["retval"] for run in runs) == ["sent", "skipped", "skipped"]
    notification.refresh_from_db()
    assert notification.email_attempts == 1
    assert_each_delivered_once(smtp_sink, [notification])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_email_at_once_send_it_once(smtp_sink):
    # the row notify() writes; no broker here: as if two copies of its task had arrived at once
    notification = Notification.objects.create(
        recipient=UserFactory(),
        kind=Kind.CONSULTEE_ADDED,
        channel=Channel.IMMEDIATE,
        context=CONTEXT,
    )

    results = run_in_threads(lambda: delivery.send_one(notification.pk))

    assert sorted(results) == ["sent", "skipped"]
    assert smtp_sink.wait_for(1) == 1
    notification.refresh_from_db()
    assert notification.email_attempts == 1
    assert_each_delivered_once(smtp_sink, [notification])


# --- a worker killed mid-batch ----------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_nothing_unsent_and_nothing_twice(
    settings, smtp_sink, worker_processes
):
    # Given a slow SMTP server: it waits before answering RCPT TO, i.e. before the message is
    # sent, and tells when the 14th e-mail reaches that point
    smtp_sink.rcpt_delay = 0.05
    smtp_sink.stall_at = 14
    people = UserFactory.create_batch(40)
    with celery_on(settings.REDIS_URL, worker_processes.queue):
        created = notify_consultees(people)
        ids = [n.pk for n in created]

        # when a worker process works through them and is killed in the middle of the 14th
        first = worker_processes.start(smtp_port=smtp_sink.port)
        assert smtp_sink.stalled.wait(timeout=30), worker_processes.logs()
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert smtp_sink.count() == 13

        # then the one it had claimed stays claimed, and another worker sends the rest
        claimed = Notification.objects.get(
            pk__in=ids, emailed_at__isnull=True, email_claimed_at__isnull=False
        )
        assert claimed.email_attempts == 1
        worker_processes.start(smtp_port=smtp_sink.port, lease_seconds=1)
        assert sink_count_reaches(smtp_sink, 39, timeout=30), worker_processes.logs()
        assert wait_until(lambda: Notification.objects.filter(emailed_at=None).count() == 1, 10)

        # and once the killed worker's claim has expired, the sweep hands that one on
        settings.NOTIFICATION_EMAIL_LEASE_SECONDS = 1
        settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 0
        assert wait_until(lambda: tasks.sweep_unsent() == 1, timeout=5, interval=0.5)
        assert sink_count_reaches(smtp_sink, 40), worker_processes.logs()
        assert wait_until(lambda: all_emailed(ids), 10)
        assert tasks.sweep_unsent() == 0

    claimed.refresh_from_db()
    assert claimed.email_attempts == 2
    assert_each_delivered_once(smtp_sink, created)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_known_window_a_worker_killed_after_the_server_took_the_email_sends_it_again(
    settings, smtp_sink, worker_processes
):
    """Pins the limit that notifications/delivery.py documents: the SMTP server's "250" and our
    record of it are not one transaction. A worker killed after the server has taken the message
    but before the row says so leaves the row claimed-not-sent, and it is sent again. The
    same Message-ID lets the receiving side recognise the repeat."""
    smtp_sink.data_delay = 0.5  # the server holds its "250" for a while after taking a message
    smtp_sink.taken_at = 2
    people = UserFactory.create_batch(3)
    with celery_on(settings.REDIS_URL, worker_processes.queue):
        created = notify_consultees(people)
        ids = [n.pk for n in created]

        worker = worker_processes.start(smtp_port=smtp_sink.port)
        assert smtp_sink.taken.wait(timeout=30), worker_processes.logs()
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        smtp_sink.data_delay = 0
        taken = smtp_sink.messages[1][1]["Message-ID"]

        # another worker sends the third; the second stays claimed, and not recorded as sent
        worker_processes.start(smtp_port=smtp_sink.port, lease_seconds=1)
        assert sink_count_reaches(smtp_sink, 3, timeout=30), worker_processes.logs()
        assert wait_until(lambda: Notification.objects.filter(emailed_at=None).count() == 1, 10)

        # so once the claim has expired, the sweep has it sent again
        settings.NOTIFICATION_EMAIL_LEASE_SECONDS = 1
        settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 0
        assert wait_until(lambda: tasks.sweep_unsent() == 1, timeout=5, interval=0.5)
        assert sink_count_reaches(smtp_sink, 4), worker_processes.logs()
        assert wait_until(lambda: all_emailed(ids), 10)

    received = smtp_sink.message_ids()
    assert received == {message_id(pk): 2 if message_id(pk) == taken else 1 for pk in ids}
    assert all_emailed(ids)


# --- exactly once per key ---------------------------------------------------------------------


DEADLINE = {"round": "Remiss 2025", "deadline": "1 juni"}


def deadline_scan(people) -> list[Notification]:
    """What the reminder scan does for a round three days before its deadline."""
    with transaction.atomic():
        return notify(
            kind=Kind.DEADLINE_IN_3_DAYS,
            recipients=people,
            key="round:1:deadline:3d",
            context=DEADLINE,
        )


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_keyed_reminder_raised_by_two_scans_reaches_each_person_once(
    celery_worker_on_redis, smtp_sink, task_runs
):
    people = UserFactory.create_batch(5)

    first = deadline_scan(people)
    second = deadline_scan(people)

    assert len(first) == 5
    assert second == []
    assert sink_count_reaches(smtp_sink, 5)
    assert [run["retval"] for run in task_runs.wait_for(SEND, 5)] == ["sent"] * 5
    assert_each_delivered_once(smtp_sink, first)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_keyed_reminder_raised_by_two_scans_at_once_reaches_each_person_once(
    celery_worker_on_redis, smtp_sink, task_runs
):
    people = UserFactory.create_batch(10)

    results = run_in_threads(lambda: deadline_scan(people))

    created = [n for result in results for n in result]
    assert sorted(len(result) for result in results) == [0, 10]
    assert Notification.objects.count() == 10
    assert sink_count_reaches(smtp_sink, 10)
    assert [run["retval"] for run in task_runs.wait_for(SEND, 10)] == ["sent"] * 10
    assert_each_delivered_once(smtp_sink, created)
