"""A worker keeps its database connection between tasks; one that broke is dropped after the
task that found it broken, so that the next task connects again."""

import pytest
from django.db import OperationalError, connection

from workspace.celery import drop_broken_database_connections


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_broken_connection_is_dropped_and_the_next_task_connects_again():
    import psycopg
    from django.conf import settings

    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    database = settings.DATABASES["default"]
    with psycopg.connect(
        host=database["HOST"], port=database["PORT"], user=database["USER"], dbname="postgres"
    ) as admin:
        admin.execute("select pg_terminate_backend(%s)", [pid])  # as a database restart does

    # The task that finds it broken fails (and is retried).
    with pytest.raises(OperationalError), connection.cursor() as cursor:
        cursor.execute("select 1")
    drop_broken_database_connections()

    with connection.cursor() as cursor:  # the next task
        cursor.execute("select pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


@pytest.mark.django_db
def test_a_working_connection_is_kept():
    connection.ensure_connection()
    kept = connection.connection
    drop_broken_database_connections()
    assert connection.connection is kept
