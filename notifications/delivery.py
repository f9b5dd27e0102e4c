"""Delivering notifications: live to open pages, and by e-mail exactly once.

E-mail: a worker first *claims* a row (a conditional UPDATE that only one worker can win),
sends, then records the send. A duplicate task finds the row claimed or sent and does nothing;
a worker that dies leaves a claim that expires after LEASE, after which the sweep hands the row
to another worker. The SMTP server's answer and our record of it are not one transaction, so a
worker killed in the instant between the two could send twice: the window is that one UPDATE.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import smtplib
import threading
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as database
from django.db import transaction
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from notifications.kinds import Channel
from notifications.models import Digest, Notification

log = logging.getLogger(__name__)

LIVE_TIMEOUT_SECONDS = 1.0
LIVE_BATCH = 100  # pushes in flight at once (each takes a connection from the layer's pool)
# After this many tries an e-mail is given up (a permanent refusal gives up at once); the row
# keeps the error for the record, and the sweep no longer picks it.
MAX_EMAIL_ATTEMPTS = 12


def _permanent(error: Exception) -> bool:
    """The server said no for good (5xx), not "later": retrying would not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "NOTIFICATION_EMAIL_LEASE_SECONDS", 600))


def group_name(user_id: int) -> str:
    return f"notifications.user.{user_id}"


def unread_count(user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


# --- after the event commits ------------------------------------------------------------------


def after_commit(ids: list[int]) -> None:
    """Enqueue e-mails, then push to open pages. Any failure here only delays: the rows remain.
    E-mails go first so that workers start while the pages are being told."""
    from notifications import tasks  # the tasks module imports this one

    notifications = list(
        Notification.objects.filter(pk__in=ids).select_related("recipient", "actor")
    )
    for notification in notifications:
        if notification.channel != Channel.IMMEDIATE:
            continue
        try:
            tasks.send_notification_email.delay(notification.pk)
        except Exception:  # noqa: BLE001 - the broker is away; the sweep will send it
            log.warning("Could not enqueue e-mails of notifications %s", ids[:10])
            break
    recipients = {n.recipient_id for n in notifications if n.recipient_id}
    if not recipients:
        return
    unread = dict(
        Notification.objects.filter(recipient_id__in=recipients, read_at__isnull=True)
        .values("recipient_id")
        .annotate(count=Count("pk"))
        .values_list("recipient_id", "count")
    )
    _send_to_groups(
        [(n.recipient_id, _live_message(n, unread)) for n in notifications if n.recipient_id]
    )


def _send_to_groups(messages: list[tuple[int, dict]]) -> bool:
    """Push to people's open pages, all on one event loop (an event can notify hundreds). If
    the channel layer is away, the rest is dropped: pages catch up when they reconnect."""
    layer = get_channel_layer()
    if layer is None or not messages:
        return False

    async def send(user_id, message):
        await asyncio.wait_for(
            layer.group_send(group_name(user_id), message), timeout=LIVE_TIMEOUT_SECONDS
        )

    async def send_all():
        for start in range(0, len(messages), LIVE_BATCH):
            batch = messages[start : start + LIVE_BATCH]
            await asyncio.gather(*(send(user_id, message) for user_id, message in batch))

    try:
        async_to_sync(send_all)()
    except Exception:  # noqa: BLE001 - live delivery is at most once; pages re-fetch
        log.warning("Could not push to the pages of users %s", [m[0] for m in messages[:10]])
        return False
    return True


def _live_message(notification: Notification, unread: dict[int, int]) -> dict:
    with translation.override(notification.language):
        text = notification.message
    return {
        "type": "notification.created",
        "id": notification.pk,
        "kind": notification.kind,
        "text": text,
        "url": reverse("notifications:open", args=[notification.pk]),
        "created": notification.created_at.isoformat(),
        "unread": unread.get(notification.recipient_id, 0),
    }


def push_unread_count(user_id: int) -> None:
    _send_to_groups([(user_id, {"type": "notification.count", "unread": unread_count(user_id)})])


# --- e-mail -----------------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path if path.startswith("/") else path


_smtp = threading.local()


def _connection():
    """This worker thread's open connection to the mail server: opening one costs more than
    the message itself. A change of mail settings gives a new one."""
    key = (settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT)
    if getattr(_smtp, "key", None) != key:
        _smtp.connection, _smtp.key = get_connection(), key
        _smtp.connection.open()  # opened here, it stays open between messages
    return _smtp.connection


def send_message(message: EmailMultiAlternatives) -> None:
    message.connection = _connection()
    try:
        message.send()
    except smtplib.SMTPServerDisconnected:
        # The server closed an idle connection before taking the message: open a new one and
        # try once more (nothing was sent, so nothing is sent twice).
        with contextlib.suppress(Exception):
            message.connection.close()
        _smtp.key = None
        message.connection = _connection()
        message.send()


def build_email(notification: Notification, address: str | None = None) -> EmailMultiAlternatives:
    """`address`: the recipient's, when the caller has it (saves loading the person)."""
    with translation.override(notification.language):
        context = {
            "notification": notification,
            "message": notification.message,
            "link": absolute_url(notification.url) if notification.url else settings.SITE_URL,
            "preferences": absolute_url(reverse("notifications:preferences")),
            "has_account": notification.recipient_id is not None,
        }
        subject = f"Samverka: {notification.subject}"
        body = render_to_string("notifications/email/notification.txt", context)
        html = render_to_string("notifications/email/notification.html", context)
    message = EmailMultiAlternatives(subject, body, to=[address or notification.address])
    message.attach_alternative(html, "text/html")
    # The same notification always carries the same Message-ID: a mail system that sees it
    # twice can tell.
    message.extra_headers["Message-ID"] = f"<notification.{notification.pk}@samverka>"
    return message


def _claim(queryset, *, claimed: str, attempts: str):
    """Win the right to send: only one worker's conditional UPDATE can match the row."""
    now = timezone.now()
    won = (
        queryset.filter(emailed_at__isnull=True, **{f"{attempts}__lt": MAX_EMAIL_ATTEMPTS})
        .filter(Q(**{f"{claimed}__isnull": True}) | Q(**{f"{claimed}__lt": now - lease()}))
        .update(**{claimed: now, attempts: F(attempts) + 1})
    )
    return now if won else None


# One statement claims the row and reads what the e-mail needs, one records the send: a worker
# sends hundreds a minute after a big event, and each statement is a commit.
_CLAIM_AND_READ = """
UPDATE {notification} SET email_claimed_at = %(now)s, email_attempts = email_attempts + 1
WHERE id = %(id)s AND channel = %(channel)s AND emailed_at IS NULL
  AND email_attempts < %(max_attempts)s
  AND (email_claimed_at IS NULL OR email_claimed_at < %(stale)s)
RETURNING id, recipient_id, email, kind, context, url, language,
  (SELECT person.email FROM {user} person WHERE person.id = {notification}.recipient_id)
"""


def _claim_and_read(notification_id: int) -> tuple[Notification, str, object] | None:
    """Claim the row (as `_claim` does) and read it: the notification, its address and the
    claim's time; None if another worker has it, it is sent, or it is not for e-mail."""
    from django.contrib.auth import get_user_model

    now = timezone.now()
    quote, adapt = database.ops.quote_name, database.ops.adapt_datetimefield_value
    sql = _CLAIM_AND_READ.format(
        notification=quote(Notification._meta.db_table),
        user=quote(get_user_model()._meta.db_table),
    )
    params = {
        "now": adapt(now),
        "id": notification_id,
        "channel": Channel.IMMEDIATE.value,
        "max_attempts": MAX_EMAIL_ATTEMPTS,
        "stale": adapt(now - lease()),
    }
    with database.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    pk, recipient_id, email, kind, context, url, language, person_email = row
    notification = Notification(
        pk=pk,
        recipient_id=recipient_id,
        email=email,
        kind=kind,
        context=json.loads(context) if isinstance(context, str) else context,
        url=url,
        language=language,
        channel=Channel.IMMEDIATE,
    )
    return notification, (person_email if recipient_id else email), now


def send_one(notification_id: int) -> str:
    """Send one notification's e-mail unless it is sent, being sent, or not for e-mail."""
    claimed = _claim_and_read(notification_id)
    if claimed is None:
        return "skipped"
    notification, address, claim = claimed
    try:
        send_message(build_email(notification, address))
    except Exception as error:
        failed = Notification.objects.filter(pk=notification_id, email_claimed_at=claim)
        message = f"{type(error).__name__}: {error}"[:500]
        if _permanent(error):
            failed.update(email_attempts=MAX_EMAIL_ATTEMPTS, email_error=message)
            return "refused"
        failed.update(email_claimed_at=None, email_error=message)
        raise
    Notification.objects.filter(pk=notification_id).update(
        emailed_at=timezone.now(), email_error=""
    )
    return "sent"


# --- digests ----------------------------------------------------------------------------------


def collect_digests(now=None) -> list[int]:
    """Put everyone's waiting summary notifications into today's digest (one per person and
    day, however often this runs); return the ids of digests to send."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    waiting = Notification.objects.filter(
        channel=Channel.DIGEST,
        digest__isnull=True,
        emailed_at__isnull=True,
        recipient__isnull=False,
        created_at__lt=now,
    )
    digest_ids = []
    for recipient_id in waiting.order_by().values_list("recipient_id", flat=True).distinct():
        with transaction.atomic():
            digest, _created = Digest.objects.get_or_create(recipient_id=recipient_id, day=today)
            if digest.emailed_at is None:
                waiting.filter(recipient_id=recipient_id).update(digest=digest)
                digest_ids.append(digest.pk)
    return digest_ids


def build_digest_email(digest: Digest, notifications: list[Notification]) -> EmailMultiAlternatives:
    recipient = digest.recipient
    language = getattr(recipient, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        items = [
            {"message": n.message, "link": absolute_url(reverse("notifications:open", args=[n.pk]))}
            for n in notifications
        ]
        context = {
            "items": items,
            "day": digest.day,
            "preferences": absolute_url(reverse("notifications:preferences")),
            "link": absolute_url(reverse("notifications:list")),
        }
        subject = render_to_string("notifications/email/digest_subject.txt", context).strip()
        body = render_to_string("notifications/email/digest.txt", context)
        html = render_to_string("notifications/email/digest.html", context)
    message = EmailMultiAlternatives(subject, body, to=[recipient.email])
    message.attach_alternative(html, "text/html")
    message.extra_headers["Message-ID"] = f"<digest.{digest.pk}@samverka>"
    return message


def send_digest(digest_id: int) -> str:
    claim = _claim(Digest.objects.filter(pk=digest_id), claimed="claimed_at", attempts="attempts")
    if claim is None:
        return "skipped"
    digest = Digest.objects.select_related("recipient").get(pk=digest_id)
    notifications = list(digest.notifications.order_by("created_at"))
    if not notifications:
        Digest.objects.filter(pk=digest_id).update(emailed_at=timezone.now())
        return "empty"
    try:
        build_digest_email(digest, notifications).send()
    except Exception as error:
        Digest.objects.filter(pk=digest_id, claimed_at=claim).update(
            claimed_at=None, last_error=f"{type(error).__name__}: {error}"[:500]
        )
        raise
    sent = timezone.now()
    with transaction.atomic():
        Digest.objects.filter(pk=digest_id).update(emailed_at=sent, last_error="")
        digest.notifications.update(emailed_at=sent)
    return "sent"


# --- the sweep --------------------------------------------------------------------------------


def due_for_email(now=None, limit: int = 500) -> tuple[list[int], list[int]]:
    """Notifications and digests whose e-mail is due and not sent or being sent. A short grace
    period leaves fresh rows to the task enqueued right after their event."""
    now = now or timezone.now()
    grace = timedelta(seconds=getattr(settings, "NOTIFICATION_SWEEP_GRACE_SECONDS", 30))
    stale = now - lease()
    notifications = (
        Notification.objects.filter(
            channel=Channel.IMMEDIATE,
            emailed_at__isnull=True,
            created_at__lte=now - grace,
            email_attempts__lt=MAX_EMAIL_ATTEMPTS,
        )
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=stale))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    digests = (
        Digest.objects.filter(emailed_at__isnull=True, attempts__lt=MAX_EMAIL_ATTEMPTS)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .values_list("pk", flat=True)[:limit]
    )
    return list(notifications), list(digests)
