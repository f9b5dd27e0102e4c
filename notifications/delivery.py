"""Delivering notifications: live to open pages, and by e-mail exactly once.

E-mail: a worker first *claims* a row (a conditional UPDATE that only one worker can win),
sends, then records the send. A duplicate task finds the row claimed or sent and does nothing;
a worker that dies leaves a claim that expires after LEASE, after which the sweep hands the row
to another worker. The SMTP server's answer and our record of it are not one transaction, so a
worker killed in the instant between the two could send twice: the window is that one UPDATE
(for the e-mails of a big event sent in a batch, the few milliseconds in which sends are
recorded together, see `_Records`). A second send carries the same Message-ID.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import select
import smtplib
import threading
import time
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import sanitize_address
from django.db import DatabaseError, transaction
from django.db import connection as database
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from psycopg import pq

from notifications.kinds import Channel
from notifications.models import Digest, Notification

log = logging.getLogger(__name__)

LIVE_TIMEOUT_SECONDS = 1.0
LIVE_BATCH = 100  # pushes in flight at once (each takes a connection from the layer's pool)
# An event that e-mails at least EMAIL_BATCH_FROM people at once (a round opened to a network)
# hands them to workers in batches of EMAIL_BATCH_SIZE, each sent over one SMTP connection and
# claimed EMAIL_CLAIM_CHUNK rows at a time; fewer go one task each.
EMAIL_BATCH_FROM = 50
EMAIL_BATCH_SIZE = 100
EMAIL_CLAIM_CHUNK = 20
# A batch's sends are recorded together when they go out this fast (see _Records).
RECORD_WITHIN_SECONDS = 0.01
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


def after_commit(notifications: list[Notification]) -> None:
    """Enqueue e-mails, then push to open pages. Any failure here only delays: the rows remain.
    E-mails go first so that workers start while the pages are being told. `notifications`:
    the rows notify() wrote, as it holds them (nothing is read again)."""
    from notifications import tasks  # the tasks module imports this one

    emails = [n.pk for n in notifications if n.channel == Channel.IMMEDIATE]
    try:
        if len(emails) >= EMAIL_BATCH_FROM:
            for start in range(0, len(emails), EMAIL_BATCH_SIZE):
                tasks.send_notification_emails.delay(emails[start : start + EMAIL_BATCH_SIZE])
        else:
            for pk in emails:
                tasks.send_notification_email.delay(pk)
    except Exception:  # noqa: BLE001 - the broker is away; the sweep will send them
        log.warning("Could not enqueue e-mails of notifications %s", emails[:10])
    push_live(notifications)


def push_live(notifications: list[Notification]) -> None:
    """Tell the open pages of the people notified. Most of the people a big event tells have
    no page open: one round trip finds those who do, and only they are counted and told."""
    layer = get_channel_layer()
    recipients = sorted({n.recipient_id for n in notifications if n.recipient_id})
    if layer is None or not recipients:
        return
    try:
        listening = set(async_to_sync(_listening)(layer, recipients))
    except Exception:  # noqa: BLE001 - live delivery is at most once; pages re-fetch
        log.warning("Could not reach the pages of users %s", recipients[:10])
        return
    if not listening:
        return
    unread = dict(
        Notification.objects.filter(recipient_id__in=listening, read_at__isnull=True)
        .values("recipient_id")
        .annotate(count=Count("pk"))
        .values_list("recipient_id", "count")
    )
    texts: dict[tuple, str] = {}  # an event tells many people the same words
    _send_to_groups(
        [
            (n.recipient_id, _live_message(n, unread, texts))
            for n in notifications
            if n.recipient_id in listening
        ]
    )


async def _listening(layer, user_ids: list[int]) -> list[int]:
    """Those of `user_ids` whose group has a member (a page open), asked of Redis in one round
    trip per host; with a layer that cannot be asked so (not channels_redis), all of them. A
    page that opens meanwhile reads its count when it connects (NotificationConsumer)."""
    group_key = getattr(layer, "_group_key", None)
    if not isinstance(layer, RedisChannelLayer) or group_key is None:
        return user_ids
    by_host: dict[int, list[int]] = {}
    for user_id in user_ids:
        by_host.setdefault(layer.consistent_hash(group_name(user_id)), []).append(user_id)
    listening = []
    for index, ids in by_host.items():
        async with layer.connection(index).pipeline(transaction=False) as pipe:
            for user_id in ids:
                pipe.exists(group_key(group_name(user_id)))
            found = await pipe.execute()
        listening += [user_id for user_id, exists in zip(ids, found, strict=True) if exists]
    return listening


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


def _live_message(
    notification: Notification, unread: dict[int, int], texts: dict[tuple, str] | None = None
) -> dict:
    key = (notification.kind, notification.language, json.dumps(notification.context))
    text = texts.get(key) if texts is not None else None
    if text is None:
        with translation.override(notification.language):
            text = notification.message
        if texts is not None:
            texts[key] = text
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


def build_email(
    notification: Notification,
    address: str | None = None,
    rendered: dict[tuple, tuple[str, str, str]] | None = None,
) -> EmailMultiAlternatives:
    """`address`: the recipient's, when the caller has it (saves loading the person);
    `rendered`: texts already rendered for other notifications, by what they depend on."""
    has_account = notification.recipient_id is not None
    key = (
        notification.kind,
        notification.language,
        json.dumps(notification.context, sort_keys=True),
        notification.url,
        has_account,
    )
    texts = rendered.get(key) if rendered is not None else None
    if texts is None:
        with translation.override(notification.language):
            context = {
                # the templates read its language only: the key above holds all they depend on
                "notification": notification,
                "message": notification.message,
                "link": absolute_url(notification.url) if notification.url else settings.SITE_URL,
                "preferences": absolute_url(reverse("notifications:preferences")),
                "has_account": has_account,
            }
            texts = (
                f"Samverka: {notification.subject}",
                render_to_string("notifications/email/notification.txt", context),
                render_to_string("notifications/email/notification.html", context),
            )
        if rendered is not None:
            rendered[key] = texts
    subject, body, html = texts
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
WHERE id {which} AND channel = %(channel)s AND emailed_at IS NULL
  AND email_attempts < %(max_attempts)s
  AND (email_claimed_at IS NULL OR email_claimed_at < %(stale)s)
RETURNING id, recipient_id, email, kind, context, url, language,
  (SELECT person.email FROM {user} person WHERE person.id = {notification}.recipient_id)
"""


def _claim_and_read(notification_id: int) -> tuple[Notification, str, object] | None:
    """Claim the row (as `_claim` does) and read it: the notification, its address and the
    claim's time; None if another worker has it, it is sent, or it is not for e-mail."""
    claimed, now = _claim_and_read_many([notification_id])
    if not claimed:
        return None
    notification, address = claimed[0]
    return notification, address, now


def _claim_and_read_many(ids: list[int]) -> tuple[list[tuple[Notification, str]], object]:
    """Claim those of the rows no other worker has, that are not sent and are for e-mail, in
    one statement (each row is won by one worker only), and read them: (notification,
    address) in the order of `ids`, and the claim's time."""
    from django.contrib.auth import get_user_model

    now = timezone.now()
    quote, adapt = database.ops.quote_name, database.ops.adapt_datetimefield_value
    sql = _CLAIM_AND_READ.format(
        # one placeholder per id: the same SQL for PostgreSQL and SQLite
        which="IN ({})".format(", ".join(f"%(id{n})s" for n in range(len(ids)))),
        notification=quote(Notification._meta.db_table),
        user=quote(get_user_model()._meta.db_table),
    )
    params = {
        **{f"id{n}": pk for n, pk in enumerate(ids)},
        "now": adapt(now),
        "channel": Channel.IMMEDIATE.value,
        "max_attempts": MAX_EMAIL_ATTEMPTS,
        "stale": adapt(now - lease()),
    }
    with database.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    claimed = {}
    for pk, recipient_id, email, kind, context, url, language, person_email in rows:
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
        claimed[pk] = (notification, person_email if recipient_id else email)
    return [claimed[pk] for pk in ids if pk in claimed], now


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
    _record_sent(notification_id)
    return "sent"


def _record_sent(notification_id: int) -> None:
    """Record the send at once, without waiting for the write-ahead log to reach the disk
    (see `_without_waiting_for_the_disk`; here for this one transaction)."""
    with transaction.atomic():
        if database.vendor == "postgresql":
            with database.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        Notification.objects.filter(pk=notification_id).update(
            emailed_at=timezone.now(), email_error=""
        )


_RECORD_SENT = "UPDATE {notification} SET emailed_at = {now}, email_error = '' WHERE id {ids}"


class _Records:
    """Records the sends of a batch. A send waits to be recorded at most RECORD_WITHIN_SECONDS
    counted from the start of its SMTP conversation, and at most EMAIL_CLAIM_CHUNK sends wait
    together: the sends of a few milliseconds go in one UPDATE (one each would cost the
    database more than the SMTP conversations themselves), and a send that took longer than
    that (a slow server) is recorded before the next message starts, as `send_one` does. A
    worker killed meanwhile leaves those few rows claimed: after the lease they are sent again,
    with the same Message-ID.

    On PostgreSQL outside a transaction, the UPDATE is sent and its answer read only before
    the next statement, while the next messages' SMTP conversations go on (the connection's
    libpq API, `Connection.pgconn`); elsewhere it is waited for. Either way the statement is
    written out, not built through the ORM."""

    def __init__(self):
        database.ensure_connection()
        table = database.ops.quote_name(Notification._meta.db_table)
        self.sql = _RECORD_SENT.format(notification=table, now="%s", ids="IN ({ids})")
        # libpq's own placeholder; the time is the database's, as the statement runs at once
        self.pg_sql = _RECORD_SENT.format(
            notification=table, now="now()", ids="= ANY($1::bigint[])"
        ).encode()
        self.pgconn = None
        if database.vendor == "postgresql" and not database.in_atomic_block:
            self.pgconn = database.connection.pgconn
        self.waiting: list[int] = []  # sent, not yet recorded
        self.since = 0.0  # when the conversation of the first of them began
        self.pending = False  # an UPDATE on its way, its answer not read yet

    def sent(self, notification_id: int, began: float) -> None:
        """The server has taken the message, whose conversation began at `began`
        (time.monotonic())."""
        if not self.waiting:
            self.since = began
        self.waiting.append(notification_id)
        if (
            len(self.waiting) >= EMAIL_CLAIM_CHUNK
            or time.monotonic() - self.since >= RECORD_WITHIN_SECONDS
        ):
            self.flush()

    def flush(self) -> None:
        """Send the UPDATE for the sends waiting, if any."""
        if not self.waiting:
            return
        ids, self.waiting = self.waiting, []
        if self.pgconn is None:
            with database.cursor() as cursor:
                cursor.execute(
                    self.sql.format(ids=", ".join(["%s"] * len(ids))),
                    [database.ops.adapt_datetimefield_value(timezone.now()), *ids],
                )
            return
        self.wait()
        self.pgconn.send_query_params(
            self.pg_sql, ["{{{}}}".format(",".join(str(pk) for pk in ids)).encode()]
        )
        self.pending = True
        while self.pgconn.flush():  # 1: not all sent yet
            select.select([], [self.pgconn.socket], [])

    def wait(self) -> None:
        """Read the answer to the UPDATE on its way, if any: before anything else uses the
        connection. An UPDATE that failed raises here (the rows stay claimed: after the lease
        they are sent again, with the same Message-ID)."""
        if not self.pending or self.pgconn is None:
            return
        self.pending = False
        failure = None
        while True:
            while self.pgconn.is_busy():
                select.select([self.pgconn.socket], [], [])
                self.pgconn.consume_input()
            result = self.pgconn.get_result()
            if result is None:
                break
            if result.status != pq.ExecStatus.COMMAND_OK and failure is None:
                failure = result.error_message.decode(errors="replace")
        if failure is not None:
            raise DatabaseError(f"Could not record e-mails as sent: {failure}")

    def done(self) -> None:
        """Every send recorded and every answer read."""
        self.flush()
        self.wait()


@contextlib.contextmanager
def _without_waiting_for_the_disk():
    """On PostgreSQL, commits in this block do not wait for the write-ahead log to reach the
    disk (`synchronous_commit` off for this connection meanwhile): each row is updated and seen
    by every worker at once, and a worker that dies afterwards changes nothing; only a crash of
    the database server itself in the next fraction of a second could forget a record, and that
    e-mail would then be sent again, with the same Message-ID. Waiting for the disk costs more
    than the SMTP conversation (milliseconds per e-mail on this machine kind)."""
    if database.vendor != "postgresql" or database.in_atomic_block:
        yield
        return
    with database.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with database.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


_TO, _ID = "to.placeholder@samverka.invalid", "<id.placeholder@samverka.invalid>"
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


def _send_from_template(notification, address, rendered, prepared) -> None:
    """Send as `send_message(build_email(...))` would, but the MIME message of each distinct
    text is built once, with stand-ins for the address and the Message-ID that are replaced in
    its bytes (building a MIME message costs as much as the SMTP conversation). Addresses that
    need encoding take the ordinary way."""
    if not _PLAIN_ADDRESS.fullmatch(address or ""):
        send_message(build_email(notification, address, rendered))
        return
    key = (
        notification.kind,
        notification.language,
        json.dumps(notification.context, sort_keys=True),
        notification.url,
        notification.recipient_id is not None,
    )
    if key not in prepared:
        message = build_email(notification, _TO, rendered)
        message.extra_headers["Message-ID"] = _ID
        data = message.message().as_bytes(linesep="\r\n")
        if data.count(_TO.encode()) != 1 or data.count(_ID.encode()) != 1:
            send_message(build_email(notification, address, rendered))
            return
        encoding = message.encoding or settings.DEFAULT_CHARSET
        prepared[key] = (sanitize_address(message.from_email, encoding), data)
    sender, template = prepared[key]
    data = template.replace(_TO.encode(), address.encode()).replace(
        _ID.encode(), f"<notification.{notification.pk}@samverka>".encode()
    )
    try:
        _connection().connection.sendmail(sender, [address], data)
    except smtplib.SMTPServerDisconnected:
        # as in send_message: the server closed an idle connection; nothing was sent
        with contextlib.suppress(Exception):
            _connection().close()
        _smtp.key = None
        _connection().connection.sendmail(sender, [address], data)


def send_batch(notification_ids: list[int]) -> dict[str, int]:
    """Send many notifications' e-mails over this worker's one SMTP connection: the e-mails of
    one event differ only in their address and Message-ID, so each distinct text is rendered
    once. Rows are claimed EMAIL_CLAIM_CHUNK at a time (a worker that dies holds at most that
    many until the lease expires; the rest are still free for the sweep), and the sends are
    recorded as they go (autocommitted UPDATEs, not waiting for the disk): those of a few
    milliseconds together, one that took longer at once (`_Records`), so the window in which
    a second send can happen is a few milliseconds of sending. A transient failure gives
    the unsent rows of the chunk back and raises (the task retries: what was sent is skipped);
    a permanent refusal gives up that address only."""
    with _without_waiting_for_the_disk():
        return _send_batch(notification_ids)


def _send_batch(notification_ids: list[int]) -> dict[str, int]:
    outcome = {"sent": 0, "skipped": 0, "refused": 0}
    rendered: dict[tuple, tuple[str, str, str]] = {}
    prepared: dict[tuple, tuple[str, bytes]] = {}
    ids = list(dict.fromkeys(notification_ids))
    records = _Records()
    try:
        for start in range(0, len(ids), EMAIL_CLAIM_CHUNK):
            chunk = ids[start : start + EMAIL_CLAIM_CHUNK]
            records.done()
            claimed, claim = _claim_and_read_many(chunk)
            outcome["skipped"] += len(chunk) - len(claimed)
            for position, (notification, address) in enumerate(claimed):
                began = time.monotonic()
                try:
                    _send_from_template(notification, address, rendered, prepared)
                except Exception as error:
                    records.done()
                    failed = Notification.objects.filter(pk=notification.pk, email_claimed_at=claim)
                    message = f"{type(error).__name__}: {error}"[:500]
                    if _permanent(error):
                        failed.update(email_attempts=MAX_EMAIL_ATTEMPTS, email_error=message)
                        outcome["refused"] += 1
                        continue
                    failed.update(email_claimed_at=None, email_error=message)
                    rest = [n.pk for n, _address in claimed[position + 1 :]]
                    Notification.objects.filter(pk__in=rest, email_claimed_at=claim).update(
                        email_claimed_at=None, email_attempts=F("email_attempts") - 1
                    )
                    raise
                records.sent(notification.pk, began)
                outcome["sent"] += 1
    finally:
        records.done()
    return outcome


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
