"""/healthz tells a load balancer whether the database, channel layer and broker are reachable."""

import pytest
from channels.layers import channel_layers

from workspace.celery import app as celery_app

pytestmark = pytest.mark.django_db

CLOSED_PORT = "redis://127.0.0.1:9/0"  # nothing listens on the discard port here


@pytest.fixture
def fresh_layers():
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def test_healthy_when_everything_answers(client, fresh_layers):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert set(body["checks"]) == {"database", "channel_layer", "broker"}


@pytest.mark.redis
def test_healthy_on_the_real_redis(client, settings, fresh_layers):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [settings.REDIS_URL]},
        }
    }
    eager, broker = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = settings.REDIS_URL
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, broker
    assert response.status_code == 200, response.json()


def test_an_unreachable_channel_layer_gives_503_and_names_it(client, settings, fresh_layers):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [CLOSED_PORT]},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["channel_layer"]
    assert body["checks"]["database"]["ok"] is True


def test_an_unreachable_broker_gives_503_and_names_it(client, fresh_layers):
    eager, broker = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = CLOSED_PORT
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, broker
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


def test_health_needs_no_login_and_is_never_cached(client, fresh_layers):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]


@pytest.fixture
def silent_redis():
    """A port that accepts connections and never answers: a Redis that hangs."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)  # the kernel completes the handshakes; nobody ever reads or writes
    yield f"redis://127.0.0.1:{sock.getsockname()[1]}/0"
    sock.close()


def test_a_silent_redis_is_reported_within_a_second_and_a_half(client, settings, silent_redis):
    import time

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [silent_redis]},
        }
    }
    channel_layers.backends.clear()
    eager, broker = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = silent_redis
    try:
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, broker
        channel_layers.backends.clear()
    assert response.status_code == 503
    assert response.json()["failing"] == ["channel_layer", "broker"]
    assert elapsed < 1.5, f"/healthz took {elapsed:.1f} s"


def test_the_answer_names_the_failing_part_and_nothing_about_why(client, fresh_layers):
    eager, broker = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = CLOSED_PORT
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = eager, broker
    assert response.json() == {
        "status": "unavailable",
        "failing": ["broker"],
        "checks": {
            "database": {"ok": True},
            "channel_layer": {"ok": True},
            "broker": {"ok": False},
        },
    }
    assert "127.0.0.1" not in response.content.decode()
    assert "Error" not in response.content.decode()


@pytest.mark.redis
@pytest.mark.asyncio
async def test_the_channel_layer_answers_while_a_page_listens_on_it(settings, fresh_layers):
    """An open page (a websocket consumer) waits on the channel layer all the time; the
    process's health check must still get its round trip through at once, not report the
    layer as unreachable (which would take every process with a live page out of the balancer)."""
    import asyncio
    import time

    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer

    from workspace import health

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [settings.REDIS_URL]},
        }
    }
    layer = get_channel_layer()
    page = asyncio.ensure_future(layer.receive(await layer.new_channel()))
    await asyncio.sleep(0.2)  # the page's receive holds the layer's receive loop
    try:
        started = time.monotonic()
        await sync_to_async(health.check_channel_layer)()
        elapsed = time.monotonic() - started
    finally:
        page.cancel()
    assert elapsed < health.TIMEOUT_SECONDS
