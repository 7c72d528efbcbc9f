"""Fixtures for the API's front door: keys on each plan and a client that speaks Bearer + HTTPS.

``Key``, ``make_key``, ``ApiClient``, ``assert_api_error`` and ``INDEX`` live in
``tests.factories`` and ``tests.api_client``; they are importable from here too.
"""

import pytest

from accounts.plans import Plan
from apikeys.models import Access
from tests.api_client import INDEX, ApiClient, assert_api_error
from tests.factories import Key, WorkspaceFactory, make_key

__all__ = ["INDEX", "ApiClient", "Key", "assert_api_error", "make_key", "remaining_today"]


def remaining_today(response) -> int:
    return int(response["X-RateLimit-Remaining"])


@pytest.fixture
def api(client) -> ApiClient:
    """Bound to no key: each request names its own with ``auth=``."""
    return ApiClient(client)


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(plan=Plan.GROWTH)


@pytest.fixture
def api_key(workspace) -> Key:
    """A read & write key on a Growth workspace."""
    return make_key(workspace)


@pytest.fixture
def read_only_key(workspace) -> Key:
    return make_key(workspace, access=Access.READ_ONLY, name="Reporting")


@pytest.fixture
def free_key(db) -> Key:
    """A key on a Free workspace (kept from a paid plan, say): the plan has no API."""
    return make_key(WorkspaceFactory(plan=Plan.FREE), name="Old integration")
