"""GET /healthz for load balancers: the database, the channel layer and the Celery broker.

The answer names the failing parts only; what went wrong is logged, not shown to whoever asks.
Each check gives up after TIMEOUT_SECONDS, so a Redis that is down (or silent) does not hold the
load balancer's request."""

import asyncio
import logging
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from workspace.celery import app as celery_app

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 0.5


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_channel_layer() -> None:
    layer = get_channel_layer()

    async def round_trip():
        # A channel of the process's own kind ("specific", as every websocket consumer's):
        # channels_redis receives all of a process's channels of one prefix through one loop
        # that waits on Redis for up to 5 s at a time, so a channel with a prefix of its own
        # would wait behind any open page's receive and time out (the scale-out check saw
        # every process with a live page fail its health check).
        channel = await layer.new_channel()
        payload = {"type": "healthz.ping", "id": uuid.uuid4().hex}
        await layer.send(channel, payload)
        received = await layer.receive(channel)
        if received.get("id") != payload["id"]:
            raise RuntimeError("channel layer returned another message")

    async def bounded():
        await asyncio.wait_for(round_trip(), timeout=TIMEOUT_SECONDS)

    async_to_sync(bounded)()


def check_broker() -> None:
    if celery_app.conf.task_always_eager:
        return  # no broker: tasks run in the web process
    url = celery_app.conf.broker_url
    if url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(
            url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
        )
        try:
            client.ping()
        finally:
            client.close()
        return
    with celery_app.connection_for_write(connect_timeout=TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=TIMEOUT_SECONDS)


CHECKS = {
    "database": check_database,
    "channel_layer": check_channel_layer,
    "broker": check_broker,
}


@never_cache
@require_GET
def healthz(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
            logger.warning(
                "healthz: %s is not reachable: %s: %s", name, type(error).__name__, error
            )
            results[name] = {"ok": False}
        else:
            results[name] = {"ok": True}
    failing = [name for name, result in results.items() if not result["ok"]]
    return JsonResponse(
        {"status": "unavailable" if failing else "ok", "failing": failing, "checks": results},
        status=503 if failing else 200,
    )
