"""Shared fixtures. Tests that need a real service declare it with a marker:

- `postgres`: DATABASE_URL points at PostgreSQL
- `redis`: REDIS_URL is set (a real Redis)
- `browser`: /usr/bin/chromium and node_modules/axe-core are there

Without the service the test is skipped with a reason naming what is missing; with CI=true it fails
instead, because nothing may be skipped in CI.
"""

import os
import shutil
from pathlib import Path

import pytest
import pytest_asyncio
from django.conf import settings

from tests.factories import MembershipFactory, NetworkFactory, OrganisationFactory, UserFactory
from tests.services import missing

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def _missing(marker: str) -> str | None:
    engine = settings.DATABASES["default"]["ENGINE"]
    if marker == "postgres" and engine != "django.db.backends.postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/samverka"
    if marker == "redis" and not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0"
    if marker == "browser":
        if not CHROMIUM.exists() and not shutil.which("chromium"):
            return "needs Chromium at /usr/bin/chromium (Debian package 'chromium')"
        if not AXE.exists():
            return "needs node_modules/axe-core (run 'npm ci')"
    return None


def pytest_collection_modifyitems(config, items):
    # Browser tests last: Playwright's loop in the main thread upsets later asyncio tests.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker):
            reason = _missing(marker)
            if reason:
                missing(reason)


@pytest.fixture(autouse=True)
def _swedish_by_default(settings):
    """Tests run with the product's default language, Swedish, unless they switch."""
    settings.LANGUAGE_CODE = "sv"


@pytest.fixture(autouse=True)
def _files_of_this_test(settings, tmp_path):
    """Uploaded files go to a directory of this test's own (the file storage reads MEDIA_ROOT
    when it is used), never into the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: its database rows can have the ids of an earlier
    test's (or an earlier run's, in Redis), and cached pages are keyed by them."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def network(db):
    return NetworkFactory()


@pytest.fixture
def member_of(db):
    """member_of(network, role) -> a user with an active membership."""

    def make(network, role="member", **kwargs):
        return MembershipFactory(network=network, role=role, **kwargs).user

    return make


@pytest.fixture
def user(db):
    return UserFactory()


class _Inbox:
    """What a real SMTP server on loopback received."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"

    def wait_for(self, count, timeout=15.0):
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1; Django sends its e-mail there."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def celery_worker_on_redis(settings):
    """A real Celery worker (a thread of this process) consuming from the real Redis, on a queue
    of its own so that no stray worker steals the test's tasks."""
    import uuid

    import celery.contrib.testing.tasks  # noqa: F401 - the test worker expects its ping task
    from celery.contrib.testing.worker import start_worker

    from tests.workers import connections_closed_after_each_task
    from workspace.celery import app

    queue = f"test-{uuid.uuid4().hex}"
    saved = {
        key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")
    }
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.REDIS_URL
    app.conf.task_default_queue = queue
    try:
        with (
            connections_closed_after_each_task(),
            start_worker(app, queues=[queue], perform_ping_check=False, pool="solo") as worker,
        ):
            yield worker
    finally:
        app.conf.update(saved)
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def layer(request, settings):
    """The channel layer, once in memory and once on the real Redis."""
    from channels.layers import channel_layers

    if request.param == "redis":
        from workspace.settings import redis_db_url

        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [redis_db_url(settings.REDIS_URL, 1)]},
            }
        }
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield request.param
    channel_layers.backends.clear()


@pytest_asyncio.fixture
async def close_db_connections():
    """Async tests on PostgreSQL leave a connection open in asgiref's executor (STACK-NOTES 4)."""
    yield
    from channels.db import database_sync_to_async
    from django.db import connections

    await database_sync_to_async(connections.close_all)()
