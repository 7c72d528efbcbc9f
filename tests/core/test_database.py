"""How the app's PostgreSQL connections are set up."""

import pytest
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_queries_never_start_parallel_workers():
    # Short OLTP queries: two parallel workers tripled a search's time (bench/explain-plans.md).
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("0",)
