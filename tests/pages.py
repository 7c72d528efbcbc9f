"""Measuring a page the way every page query-count test pins it."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def measure(client, path: str) -> tuple[str, list[str]]:
    """The page's HTML and the SQL of a warm request: the first GET writes the session and
    fills the caches, the second is the one counted."""
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in queries.captured_queries]
