"""`notify(...)`: the one call every app makes to tell people that something happened.

It writes the notifications in the caller's transaction (the outbox) and, once that commits,
pushes them to the recipients' open pages and hands immediate e-mails to Celery. If Redis is
down at that moment the rows are still there: the periodic sweep sends them later. Nothing is
lost, and the claim on each row makes sure nothing is sent twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone, translation
from django.utils.functional import Promise

from notifications import delivery
from notifications.kinds import I18N, TEXTS, Channel
from notifications.models import Notification, Preference

log = logging.getLogger(__name__)


def channel_for(user, kind: str, preferences: dict[int, str] | None = None) -> str:
    if preferences is not None and user.pk in preferences:
        return preferences[user.pk]
    return TEXTS[kind].default


def notify(
    *,
    kind: str,
    recipients: Iterable,
    context: dict,
    actor=None,
    target=None,
    url: str = "",
    key: str | None = None,
    language: str | None = None,
) -> list[Notification]:
    """Tell each recipient (a user, or an e-mail address of someone without an account) about
    an event. The actor is never told about their own act. With a `key`, each recipient is
    told at most once for that key, however often this is called (reminders)."""
    if kind not in TEXTS:
        raise ValueError(f"Unknown notification kind: {kind}")
    users, addresses, seen = [], [], set()
    for recipient in recipients:
        if isinstance(recipient, str):
            address = recipient.strip().lower()
            if address and address not in seen:
                seen.add(address)
                addresses.append(address)
        elif recipient is not None and recipient.pk not in seen and recipient.is_active:
            if getattr(recipient, "is_guest", False):
                continue  # no inbox here: their party's address is told (consultations.guests)
            if actor is not None and recipient.pk == actor.pk:
                continue
            seen.add(recipient.pk)
            users.append(recipient)
    preferences = dict(
        Preference.objects.filter(user__in=users, kind=kind).values_list("user_id", "channel")
    )
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    context = dict(context)
    if actor is not None:
        context.setdefault("actor", actor.get_full_name())
    common = {
        "kind": kind,
        "actor": actor,
        "target_type": target_type,
        "target_id": str(target.pk) if target is not None else "",
        "context": store_context(context),
        "url": url,
        "key": key,
        "created_at": timezone.now(),
    }
    rows = [
        Notification(
            recipient=user,
            channel=channel_for(user, kind, preferences),
            language=getattr(user, "language", "") or settings.LANGUAGE_CODE,
            **common,
        )
        for user in users
    ]
    fallback_language = language or getattr(actor, "language", "") or settings.LANGUAGE_CODE
    rows += [
        Notification(email=address, channel=Channel.IMMEDIATE, language=fallback_language, **common)
        for address in addresses
    ]
    created = _save(rows, keyed=key is not None)
    if created:
        transaction.on_commit(lambda: delivery.after_commit(created))
    return created


def store_context(context: dict) -> dict:
    """Plain strings are stored as they are; translatable ones (gettext_lazy, e.g. a role's
    name) in every language, so each recipient reads them in their own."""
    stored: dict[str, object] = {}
    for name, value in context.items():
        if isinstance(value, Promise):
            texts = {}
            for language, _label in settings.LANGUAGES:
                with translation.override(language):
                    texts[language] = str(value)
            stored[name] = {I18N: texts}
        else:
            stored[name] = str(value)
    return stored


def _save(rows: list[Notification], *, keyed: bool) -> list[Notification]:
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _insert_all(rows, keyed=keyed)
    if not keyed:
        return Notification.objects.bulk_create(rows)
    # One statement: a person already told about this key is skipped by the unique index (ON
    # CONFLICT DO NOTHING), not by a failing INSERT each. The rows written are then read back
    # by their key and this call's timestamp, as the statement does not return them. One order
    # for every caller: two calls naming the same people in different orders would otherwise
    # wait on each other's rows.
    rows = sorted(rows, key=lambda row: (row.recipient_id or 0, row.email))
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Notification.objects.filter(key=rows[0].key, created_at=rows[0].created_at).order_by("pk")
    )


# The rows of one call differ only in who is told (person or address), by which channel and in
# which language: one INSERT takes those as four arrays and the rest once, instead of a VALUES
# list of ~15 parameters per person (which costs more to build and to parse than to write).
# A keyed call skips, through the unique index, those already told about the key (ON CONFLICT
# DO NOTHING), and RETURNING gives the rows written, so they need no second read.
_INSERT_ALL = """
INSERT INTO {table} (recipient_id, email, channel, language, {common})
SELECT person.recipient_id, person.email, person.channel, person.language, {values}
FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[])
  AS person (recipient_id, email, channel, language)
{conflict}
RETURNING id, recipient_id, email
"""
_COMMON = (
    "kind",
    "actor",
    "target_type",
    "target_id",
    "context",
    "url",
    "key",
    "created_at",
    "email_attempts",
    "email_error",
)


def _insert_all(rows: list[Notification], *, keyed: bool) -> list[Notification]:
    """Write the rows of one notify() call in one statement (PostgreSQL); return those written
    (a keyed call: only the people not told before), with their ids, in the order of the ids."""
    # One order for every caller: two keyed calls naming the same people in different orders
    # would otherwise wait on each other's rows.
    rows = sorted(rows, key=lambda row: (row.recipient_id or 0, row.email))
    first = rows[0]
    fields = [cast(Field, Notification._meta.get_field(name)) for name in _COMMON]
    sql = _INSERT_ALL.format(
        table=connection.ops.quote_name(Notification._meta.db_table),
        common=", ".join(connection.ops.quote_name(field.column) for field in fields),
        values=", ".join("%s::jsonb" if field.name == "context" else "%s" for field in fields),
        conflict="ON CONFLICT DO NOTHING" if keyed else "",
    )
    params = [  # in the order of the statement: the values once, then the four arrays
        *(field.get_db_prep_save(field.pre_save(first, add=True), connection) for field in fields),
        [row.recipient_id for row in rows],
        [row.email for row in rows],
        [row.channel for row in rows],
        [row.language for row in rows],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = {(recipient_id, email): pk for pk, recipient_id, email in cursor.fetchall()}
    created = []
    for row in rows:
        pk = written.get((row.recipient_id, row.email))
        if pk is not None:
            row.pk = pk
            row._state.adding, row._state.db = False, connection.alias
            created.append(row)
    return sorted(created, key=lambda row: row.pk)


def mark_read(user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the person's own notifications read (all when no ids are given)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    count = unread.update(read_at=timezone.now())
    if count:
        transaction.on_commit(lambda: delivery.push_unread_count(user.pk))
    return count


@transaction.atomic
def set_preferences(user, choices: dict[str, str]) -> None:
    """Save the person's choice per kind; a choice equal to the default removes the row."""
    for kind, channel in choices.items():
        if kind not in TEXTS or channel not in Channel.values:
            continue
        existing = Preference.objects.filter(user=user, kind=kind).first()
        if channel == TEXTS[kind].default:
            if existing:
                existing._history_user = user
                existing.delete()
        elif existing is None:
            preference = Preference(user=user, kind=kind, channel=channel)
            preference._history_user = user
            preference.save()
        elif existing.channel != channel:
            existing.channel = channel
            existing._history_user = user
            existing.save(update_fields=["channel"])
