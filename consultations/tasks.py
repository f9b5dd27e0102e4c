"""Periodic scans of the review rounds (scheduled in workspace/celery.py)."""

from celery import shared_task

from consultations import guests
from consultations.services import rounds
from notifications.tasks import RETRY


@shared_task
def close_due_rounds() -> int:
    """Every minute: close the open rounds whose deadline has passed (idempotent)."""
    return len(rounds.close_due_rounds())


@shared_task
def send_deadline_reminders() -> int:
    """Every minute: remind parties that have not answered, 3 days and 1 day before the
    deadline; each party's people once per threshold, however often this runs."""
    return rounds.send_reminders()


@shared_task(acks_late=True, reject_on_worker_lost=True, **RETRY)
def deliver_guest_link(link_id: int) -> str:
    """E-mail one guest link (its token is made here, and only its hash is kept)."""
    return guests.deliver_link(link_id)


@shared_task
def sweep_guest_links() -> int:
    """Every minute: hand the guest links not yet e-mailed to a worker again."""
    links = guests.unsent_links()
    for link_id in links:
        deliver_guest_link.delay(link_id)
    return len(links)
