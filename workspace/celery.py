"""The Celery application. Without REDIS_URL tasks run eagerly in the web process."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_postrun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workspace.settings")

app = Celery("samverka")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job, in one place. Each is a scan of the database, never a long ETA task
# (Redis may deliver those more than once). Run exactly one beat.
app.conf.beat_schedule = {
    "notifications-sweep": {
        "task": "notifications.tasks.sweep_unsent",
        "schedule": 60.0,
    },
    "rounds-close-at-deadline": {
        "task": "consultations.tasks.close_due_rounds",
        "schedule": 60.0,
    },
    "guest-links-sweep": {
        "task": "consultations.tasks.sweep_guest_links",
        "schedule": 60.0,
    },
    "rounds-deadline-reminders": {
        "task": "consultations.tasks.send_deadline_reminders",
        "schedule": 60.0,
    },
    "notifications-daily-digests": {
        "task": "notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0),
    },
}


@task_postrun.connect
def drop_broken_database_connections(**_kwargs) -> None:
    """Workers keep their database connection between tasks (CELERY_DB_REUSE_MAX). One that
    broke (the database restarted) is dropped after the task that found it broken, so that the
    next task connects again instead of failing on it until Celery recycles it."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if connection.errors_occurred and not connection.is_usable():
            connection.close()
