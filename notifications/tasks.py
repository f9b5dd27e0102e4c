"""Celery tasks of the notifications app: they take ids, re-read, and are idempotent."""

from smtplib import SMTPException

from celery import shared_task

from notifications import delivery

RETRY = {
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 10,
}


@shared_task(acks_late=True, reject_on_worker_lost=True, **RETRY)
def send_notification_email(notification_id: int) -> str:
    return delivery.send_one(notification_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, **RETRY)
def send_notification_emails(notification_ids: list[int]) -> dict[str, int]:
    """The e-mails of a big event (a round opened to a network), over one SMTP connection."""
    return delivery.send_batch(notification_ids)


@shared_task(acks_late=True, reject_on_worker_lost=True, **RETRY)
def send_digest_email(digest_id: int) -> str:
    return delivery.send_digest(digest_id)


@shared_task
def sweep_unsent() -> int:
    """Every minute: hand every e-mail that is due and not sent (Redis or SMTP was away, a
    worker died) to a worker again. The claim on each row keeps this from sending twice."""
    notifications, digests = delivery.due_for_email()
    for notification_id in notifications:
        send_notification_email.delay(notification_id)
    for digest_id in digests:
        send_digest_email.delay(digest_id)
    return len(notifications) + len(digests)


@shared_task
def send_daily_digests() -> int:
    """Every morning: one summary e-mail per person with what they chose to get that way."""
    digests = delivery.collect_digests()
    for digest_id in digests:
        send_digest_email.delay(digest_id)
    return len(digests)
