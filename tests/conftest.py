import pytest
from django.core.cache import cache
from django.db import connection

from accounts.models import Role
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
from tests.medusa_server import medusa  # noqa: F401 (fixture)
from tests.receivers import fake_dns, receiver, receiver6  # noqa: F401 (fixtures)


def pytest_collection_modifyitems(config, items):
    """Concurrency tests need PostgreSQL's row locks; on SQLite they are skipped, loudly."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (runs in .ci/run on the real stack)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit and throttle counters live in the cache: no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def owner(db):
    return MembershipFactory(role=Role.OWNER)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner.user)
    return client


@pytest.fixture
def make_member(db):
    """Add a user with a role to a workspace: ``make_member(workspace, Role.MEMBER)``."""

    def make(workspace=None, role=Role.MEMBER, **user_fields):
        return MembershipFactory(
            workspace=workspace or WorkspaceFactory(),
            user=UserFactory(**user_fields),
            role=role,
        )

    return make


@pytest.fixture
def staff_client(client, db):
    """The test client logged in as a superuser of the staff admin."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client
