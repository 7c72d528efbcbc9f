"""How the app's PostgreSQL connections are set up."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from psycopg.postgres import types

from core.db import FastTimestamptzLoader
from inventory.models import Location
from tests.factories import make_workspace


@pytest.mark.postgres
@pytest.mark.django_db
def test_queries_never_start_parallel_workers():
    # Short OLTP queries: two parallel workers tripled a search's time (bench/explain-plans.md).
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("0",)


@pytest.mark.postgres
@pytest.mark.django_db
def test_timestamps_are_read_by_the_fast_loader_as_django_reads_them():
    with connection.cursor() as cursor:
        loader = cursor.connection.adapters.get_loader(
            types["timestamptz"].oid,
            0,  # text
        )
        assert loader is FastTimestamptzLoader
        cursor.execute(
            "SELECT '2026-12-01 12:00:00+00'::timestamptz, "
            "'2026-12-01 12:00:00.000001+00'::timestamptz, "
            "'2026-12-01 23:30:00.5-05:30'::timestamptz, "
            "'0001-01-01 00:00:00+00'::timestamptz, "
            "'9999-12-31 23:59:59.999999+00'::timestamptz"
        )
        values = cursor.fetchone()

    assert values == (
        datetime(2026, 12, 1, 12, 0, tzinfo=UTC),
        datetime(2026, 12, 1, 12, 0, 0, 1, tzinfo=UTC),
        datetime(2026, 12, 2, 5, 0, 0, 500000, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    )
    assert all(value.tzinfo is UTC for value in values)


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_timestamp_fromisoformat_cannot_read_goes_through_psycopg():
    with connection.cursor() as cursor:
        cursor.execute("SELECT '0044-03-15 12:00:00+00 BC'::timestamptz")
        with pytest.raises(Exception, match="BC"):
            cursor.fetchone()  # as before: Python has no year 0 or before


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_saved_row_reads_back_its_own_timestamps():
    location = Location.objects.get(workspace=make_workspace("Clock Co"), is_default=True)
    loaded = Location.objects.get(pk=location.pk)

    assert loaded.created_at == location.created_at
    assert loaded.updated_at.tzinfo is UTC
