"""Live updates of a round page: every change gets the round's next sequence number, in the
same transaction, and is pushed to the round's group after the commit. A page that reconnects
asks over HTTP for what came after the last number it saw."""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection, transaction

from consultations.models import ReviewRound, RoundEvent

log = logging.getLogger(__name__)


def group_name(round_id: int) -> str:
    return f"round.{round_id}"


# The round's next number, in one statement (the UPDATE's row lock keeps the numbers in order).
_NEXT_SEQUENCE = "UPDATE {table} SET sequence = sequence + 1 WHERE id = %s RETURNING sequence"


def record(review_round_id: int, kind: str, comment_id: int | None = None) -> RoundEvent:
    """Number the change and schedule the push for after the commit. `comment_id`: the comment
    concerned (kept as a plain number: the comment may be gone)."""
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(ReviewRound._meta.db_table)
        cursor.execute(_NEXT_SEQUENCE.format(table=table), [review_round_id])
        (sequence,) = cursor.fetchone()
    event = RoundEvent.objects.create(
        round_id=review_round_id, sequence=sequence, kind=kind, subject_id=comment_id
    )
    transaction.on_commit(lambda: push(event))
    return event


def push(event: RoundEvent) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message = {
        "type": "round.event",
        "sequence": event.sequence,
        "kind": event.kind,
        "comment": event.subject_id,
    }

    async def send():
        await asyncio.wait_for(layer.group_send(group_name(event.round_id), message), timeout=1)

    try:
        async_to_sync(send)()
    except Exception:  # noqa: BLE001 - at most once; the page catches up over HTTP
        log.warning("Could not push round event %s", event.pk)
