"""Reading PostgreSQL timestamps fast: every list row carries two or three of them.

psycopg parses each ``timestamptz`` with a regular expression, and Django's loader then puts
the result in its time zone: on a list of 100 products that was the largest single cost of
the request (bench/README.md). The connections speak ISO dates in UTC, which
``datetime.fromisoformat`` reads several times faster; anything it does not read (a BC date,
``infinity``) goes through psycopg's own parsing, and the value is the one Django's loader
gives either way (tests/core/test_database.py).
"""

from datetime import UTC, datetime

from django.db.backends.signals import connection_created
from psycopg.types.datetime import TimestamptzLoader


class FastTimestamptzLoader(TimestamptzLoader):
    # Django compares this with the connection's zone on every cursor, and registers its own
    # loader on a cursor whose zone differs.
    timezone = UTC

    def load(self, data) -> datetime:
        try:
            value = datetime.fromisoformat(bytes(data).decode())
        except ValueError:
            value = super().load(data)
        if value.tzinfo is UTC:
            return value
        return value.astimezone(UTC) if value.utcoffset() else value.replace(tzinfo=UTC)


def _register(sender, connection, **kwargs) -> None:
    if connection.vendor == "postgresql" and connection.timezone_name == "UTC":
        connection.connection.adapters.register_loader("timestamptz", FastTimestamptzLoader)


def fast_timestamps_install() -> None:
    """Use the fast loader on every new PostgreSQL connection (called by CoreConfig.ready)."""
    connection_created.connect(_register, dispatch_uid="core.db.fast_timestamps")
