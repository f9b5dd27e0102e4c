"""GET /healthz for load balancers: the database, the channel layer and the Celery broker."""

import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from workspace.celery import app as celery_app

TIMEOUT_SECONDS = 3


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_channel_layer() -> None:
    layer = get_channel_layer()

    async def round_trip():
        import asyncio

        channel = await layer.new_channel(prefix="healthz.")
        payload = {"type": "healthz.ping", "id": uuid.uuid4().hex}
        await layer.send(channel, payload)
        received = await asyncio.wait_for(layer.receive(channel), timeout=TIMEOUT_SECONDS)
        if received.get("id") != payload["id"]:
            raise RuntimeError("channel layer returned another message")

    async_to_sync(round_trip)()


def check_broker() -> None:
    if celery_app.conf.task_always_eager:
        return  # no broker: tasks run in the web process
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)


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
            results[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
        else:
            results[name] = {"ok": True}
    healthy = all(r["ok"] for r in results.values())
    failing = [name for name, r in results.items() if not r["ok"]]
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "failing": failing, "checks": results},
        status=200 if healthy else 503,
    )
