"""Helpers for tests that run a real Celery worker as a thread of the test process."""

import contextlib


@contextlib.contextmanager
def connections_closed_after_each_task():
    """Workers keep their database connection between tasks (CELERY_DB_REUSE_MAX). A worker that
    is a thread of the test process must not: the test database is dropped at the end, and an
    open connection of a finished thread would keep it in use."""
    from celery.signals import task_postrun
    from django.db import connections

    def close_connections(**_kwargs):
        connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    try:
        yield
    finally:
        task_postrun.disconnect(close_connections)
