"""Prepared statements on PostgreSQL (workspace/settings.py): a query a connection has run twice
is kept prepared there, whatever its values, so PostgreSQL stops planning it anew."""

import pytest
from django.db import connection

from networks.models import Organisation

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
    ),
]


def prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_query_run_twice_with_other_values_is_prepared_once():
    for name in ("Kumla kommun", "Örebro kommun", "Region Örebro län"):
        Organisation.objects.filter(name=name).exists()
    mine = [s for s in prepared() if '"networks_organisation"."name" = $' in s]
    assert len(mine) == 1  # one statement for the three names: the values travel apart
