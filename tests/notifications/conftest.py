"""Fixtures for the e-mail delivery fault tests.

- `smtp_sink`: a real SMTP server (aiosmtpd) on loopback that can refuse for a while and stall,
  and counts what it accepted by Message-ID.
- `task_runs`: what the in-process Celery worker ran (name, retries, state, return value).
- `celery_on` / `in_process_worker`: point the Celery app at a broker and run a real worker in a
  thread of this process.
- `throwaway_redis`: a redis-server of the test's own, on a free port, that the test can stop and
  start again (the shared Redis is never stopped).
- `worker_processes`: real `celery worker` processes that a test can SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import quote

import pytest
from celery.signals import task_postrun

from tests.services import missing
from workspace.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def message_id(notification_id: int) -> str:
    """The Message-ID that delivery.build_email gives a notification's e-mail."""
    return f"<notification.{notification_id}@samverka>"


# --- the SMTP sink ----------------------------------------------------------------------------


class SmtpSink:
    """What a real SMTP server on 127.0.0.1 accepted, plus two ways to misbehave:

    - `refuse_data`: answer the next this-many DATA commands "451 4.3.0 Try again later";
    - `rcpt_delay`: wait this long before answering RCPT TO, i.e. *before* the client has sent the
      message, so a client killed meanwhile has certainly not delivered it. `stall_at` = n makes
      `stalled` fire when the n-th RCPT TO starts waiting.
    - `data_delay`: wait this long *after* taking the message and before answering 250: a client
      killed meanwhile does not know that it was delivered (the window the docstring of
      notifications/delivery.py admits). `taken_at` = n makes `taken` fire on the n-th message.
    """

    def __init__(self):
        self.port: int | None = None
        self._lock = threading.Lock()
        self.messages = []  # (envelope recipients, parsed message), in the order accepted
        self.refused: list[str] = []  # Message-IDs answered 451
        self.refuse_data = 0
        self.rcpt_delay = 0.0
        self.data_delay = 0.0
        self.rcpts = 0
        self.stall_at: int | None = None
        self.stalled = threading.Event()
        self.taken_at: int | None = None
        self.taken = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        with self._lock:
            self.rcpts += 1
            number = self.rcpts
        if number == self.stall_at:
            self.stalled.set()
        if self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            if self.refuse_data > 0:
                self.refuse_data -= 1
                self.refused.append(message["Message-ID"])
                return "451 4.3.0 Try again later"
            self.messages.append((list(envelope.rcpt_tos), message))
            number = len(self.messages)
        if number == self.taken_at:
            self.taken.set()
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        return "250 OK"

    def count(self) -> int:
        with self._lock:
            return len(self.messages)

    def message_ids(self) -> Counter:
        with self._lock:
            return Counter(message["Message-ID"] for _rcpt, message in self.messages)

    def recipients_by_message_id(self) -> dict[str, list[str]]:
        with self._lock:
            return {message["Message-ID"]: rcpt for rcpt, message in self.messages}

    def wait_for(self, count: int, timeout: float = 15.0) -> int:
        wait_until(lambda: self.count() >= count, timeout)
        return self.count()


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1; Django in this process sends its e-mail there.
    A worker in another process gets `smtp://127.0.0.1:{smtp_sink.port}`."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    try:
        yield sink
    finally:
        controller.stop()


# --- what the in-process worker ran -----------------------------------------------------------


class TaskRuns:
    def __init__(self):
        self._lock = threading.Lock()
        self.runs: list[dict] = []

    def record(self, sender=None, task_id=None, task=None, retval=None, state=None, **kwargs):
        with self._lock:
            self.runs.append(
                {
                    "name": task.name,
                    "id": task_id,
                    "retries": task.request.retries,
                    "state": state,
                    "retval": retval,
                }
            )

    def of(self, name: str) -> list[dict]:
        with self._lock:
            return [run for run in self.runs if run["name"] == name]

    def wait_for(self, name: str, count: int, timeout: float = 15.0) -> list[dict]:
        wait_until(lambda: len(self.of(name)) >= count, timeout)
        return self.of(name)

    def retries_outstanding(self, name: str) -> int:
        """Retries scheduled (runs that ended in RETRY) that have not run yet."""
        runs = self.of(name)
        return sum(run["state"] == "RETRY" for run in runs) - sum(
            run["retries"] > 0 for run in runs
        )


@pytest.fixture
def task_runs():
    """Every task the in-process worker finishes (Celery's task_postrun, in this process)."""
    runs = TaskRuns()
    task_postrun.connect(runs.record, weak=False)
    try:
        yield runs
    finally:
        task_postrun.disconnect(runs.record)


# --- the Celery app and in-process workers ----------------------------------------------------


def reset_publisher_pools() -> None:
    # The app keeps its broker connection pool for publishing, made from broker_url the first
    # time; Celery itself drops it this way after a fork. Without this, a changed broker_url
    # would only be seen by workers, not by `.delay()`. (kombu keeps the pools themselves, per
    # broker, for the process: closing them here would break the next test on that broker.)
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")  # a cached property: absent until first used
    if amqp is not None:
        amqp._producer_pool = None


@contextlib.contextmanager
def celery_on(broker_url: str, queue: str):
    """Publish tasks to `queue` on `broker_url` for real (not eagerly); restore afterwards.
    Celery reads Django's settings once, so this changes the app's conf directly."""
    keys = ("task_always_eager", "broker_url", "task_default_queue")
    saved = {key: celery_app.conf[key] for key in keys}
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = broker_url
    celery_app.conf.task_default_queue = queue
    reset_publisher_pools()
    try:
        yield
    finally:
        celery_app.conf.update(saved)
        reset_publisher_pools()


@contextlib.contextmanager
def in_process_worker(queue: str):
    """A real Celery worker (solo pool, a thread of this process) on the app's current broker."""
    import celery.contrib.testing.tasks  # noqa: F401 - the test worker expects its ping task
    from celery.contrib.testing.worker import start_worker

    from tests.workers import connections_closed_after_each_task

    with (
        connections_closed_after_each_task(),
        start_worker(celery_app, queues=[queue], perform_ping_check=False, pool="solo") as worker,
    ):
        yield worker


def delete_queue(broker_url: str, queue: str) -> None:
    import redis

    with contextlib.suppress(Exception), celery_app.connection_for_write(broker_url) as conn:
        conn.default_channel.queue_delete(queue)
    # kombu keeps the binding table of the queue's exchange (named after the queue) in Redis
    client = redis.Redis.from_url(broker_url)
    try:
        client.delete(f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    finally:
        client.close()


def forget_unacked(redis_url: str, queue: str) -> int:
    """Drop the messages a killed worker had taken from `queue` but not acknowledged. Redis keeps
    them (for an hour, the visibility timeout) to hand them out again; after the test nobody
    consumes that queue, so they would only linger in a developer's Redis."""
    import json

    import redis

    client = redis.Redis.from_url(redis_url)
    dropped = 0
    try:
        for tag, payload in client.hscan_iter("unacked"):
            with contextlib.suppress(ValueError, TypeError, IndexError):
                if json.loads(payload)[2] == queue:
                    client.pipeline().hdel("unacked", tag).zrem("unacked_index", tag).execute()
                    dropped += 1
    finally:
        client.close()
    return dropped


# --- a Redis of the test's own ----------------------------------------------------------------


class ThrowawayRedis:
    """A redis-server on a free loopback port, without persistence, that can be stopped and
    started again on the same port."""

    def __init__(self, binary: str):
        self.binary = binary
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.2)

        def answers():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        try:
            if not wait_until(answers, timeout=10):
                raise RuntimeError(f"redis-server did not start on port {self.port}")
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def throwaway_redis():
    binary = shutil.which("redis-server")
    if binary is None:
        missing("needs the redis-server binary: install the Debian package 'redis-server'")
    server = ThrowawayRedis(binary)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- worker processes -------------------------------------------------------------------------


def database_url() -> str:
    """The URL of the database this test uses (pytest-django's test database)."""
    from django.db import connection

    settings = connection.settings_dict
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or "5432"
    return (
        f"postgres://{quote(settings['USER'], safe='')}{password}@{host}:{port}/{settings['NAME']}"
    )


class WorkerProcesses:
    """`celery -A workspace worker` processes on the real Redis and the test database."""

    def __init__(self, redis_url: str, log_dir: Path):
        self.redis_url = redis_url
        self.log_dir = log_dir
        self.queue = f"test-{uuid.uuid4().hex}"
        self.processes: list[subprocess.Popen] = []

    def start(self, *, smtp_port: int, lease_seconds: int | None = None) -> subprocess.Popen:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="workspace.test_settings",
            DATABASE_URL=database_url(),
            REDIS_URL=self.redis_url,
            EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
            PYTHONUNBUFFERED="1",
        )
        if lease_seconds is not None:
            env["NOTIFICATION_EMAIL_LEASE_SECONDS"] = str(lease_seconds)
        log = self.log_dir / f"worker-{len(self.processes) + 1}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "workspace",
                    "worker",
                    "-Q",
                    self.queue,
                    "-c",
                    "1",
                    "-P",
                    "solo",
                    "--without-heartbeat",
                    "--without-mingle",
                    "--without-gossip",
                    "--loglevel=INFO",
                    "-n",
                    f"{self.queue}-{len(self.processes) + 1}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')}"
            for path in sorted(self.log_dir.glob("worker-*.log"))
        )

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # a warm shutdown closes its connections
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture
def worker_processes(settings, tmp_path):
    """Start real worker processes with `.start(smtp_port=...)`; each consumes
    `worker_processes.queue`. Every one still running is stopped after the test."""
    workers = WorkerProcesses(settings.REDIS_URL, tmp_path)
    try:
        yield workers
    finally:
        workers.stop_all()
        delete_queue(settings.REDIS_URL, workers.queue)
        forget_unacked(settings.REDIS_URL, workers.queue)
