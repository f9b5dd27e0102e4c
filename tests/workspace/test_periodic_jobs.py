"""`make run` (eager Celery, no beat) runs the periodic jobs of workspace/celery.py in the web
server; never in tests, never when Celery has a broker (then one real beat runs them)."""

import asyncio
import io
import socket
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from consultations.models import ReviewRound
from notifications.kinds import Kind
from notifications.models import Notification
from workspace.celery import app as celery_app
from workspace.periodic import InProcessScheduler, PeriodicJobs


def serve(application, lifespan):
    """uvicorn in a thread, as `make run` serves the app; returns (server, thread)."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(application, lifespan=lifespan, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    return server, thread, sock


@pytest.fixture
def overdue_round(transactional_db):
    call_command("seed_demo", stdout=io.StringIO())
    review_round = ReviewRound.objects.filter(status=ReviewRound.Status.OPEN).first()
    now = timezone.now()
    ReviewRound.objects.filter(pk=review_round.pk).update(
        opens_at=now - timedelta(days=20), closes_at=now - timedelta(minutes=5)
    )
    return review_round


def wait_until_closed(review_round, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            review_round.refresh_from_db()
        except OperationalError:  # SQLite's shared in-memory test database: the job holds it
            time.sleep(0.05)
            continue
        if review_round.status != ReviewRound.Status.OPEN:
            return True
        time.sleep(0.1)
    return False


def test_the_server_closes_a_round_whose_deadline_passed(overdue_round, settings):
    from workspace.asgi import application

    settings.PERIODIC_JOBS_IN_PROCESS = True  # the default, whatever this shell has set

    assert celery_app.conf.task_always_eager
    server, thread, sock = serve(application, lifespan="on")
    try:
        assert PeriodicJobs.running is not None
        assert wait_until_closed(overdue_round, seconds=20), "the scheduler did not close it"
        assert Notification.objects.filter(kind=Kind.ROUND_CLOSED).exists()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
    assert PeriodicJobs.running is None  # stopped with the server


def test_without_the_servers_lifespan_nothing_runs(overdue_round):
    """Tests (and the test client) never send the lifespan: no scheduler starts."""
    from workspace.asgi import application

    server, thread, sock = serve(application, lifespan="off")
    try:
        time.sleep(1)
        assert PeriodicJobs.running is None
        assert not wait_until_closed(overdue_round, seconds=0.5)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_with_a_broker_the_web_server_leaves_the_jobs_to_beat(settings):
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        assert asyncio.run(_start()) is None
    finally:
        celery_app.conf.task_always_eager = eager


def test_it_can_be_switched_off(settings):
    settings.PERIODIC_JOBS_IN_PROCESS = False
    assert asyncio.run(_start()) is None


async def _start():
    return PeriodicJobs.start()


def test_the_schedule_is_the_one_beat_runs():
    scheduler = InProcessScheduler(celery_app)
    assert set(scheduler.schedule) == set(celery_app.conf.beat_schedule)
    for name, entry in scheduler.schedule.items():
        assert entry.task == celery_app.conf.beat_schedule[name]["task"]
