"""Periodic scans of the review rounds (scheduled in workspace/celery.py)."""

from celery import shared_task

from consultations.services import rounds


@shared_task
def close_due_rounds() -> int:
    """Every minute: close the open rounds whose deadline has passed (idempotent)."""
    return len(rounds.close_due_rounds())


@shared_task
def send_deadline_reminders() -> int:
    """Every minute: remind parties that have not answered, 3 days and 1 day before the
    deadline; each party's people once per threshold, however often this runs."""
    return rounds.send_reminders()
