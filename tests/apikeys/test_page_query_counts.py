"""Query counts pinned for Settings → API Keys: a page of 200 keys (50 shown) costs exactly what a
list of 2 does, for the working keys and for the revoked and expired ones, with every row's
creator, revoker and roll partner on it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from apikeys.models import Access, ApiKey
from tests.factories import MembershipFactory, UserFactory, make_workspace
from tests.pages import measure

pytestmark = pytest.mark.django_db

# Session, user and membership come first on every page; then what the page reads itself.
PAGE_QUERIES = 4  # session, user, membership (with its workspace), the workspace switcher
PINNED = PAGE_QUERIES + 3  # the two counts (one query), the page's count, the page's rows


def build(name: str, keys: int) -> Client:
    """A Pro workspace with ``keys`` keys, a quarter in each state: working, rolled (in its
    grace, beside its working successor), revoked, expired. Bulk-made: the page is measured,
    not the services."""
    workspace = make_workspace(name)
    creator, revoker = UserFactory(), UserFactory()
    now = timezone.now()
    grace_end, lifetime_end, lapsed = now + timedelta(hours=24), now + timedelta(days=30), now
    expiry = [lifetime_end, grace_end, lifetime_end, lapsed]  # by n % 4
    made = ApiKey.objects.bulk_create(
        ApiKey(
            workspace=workspace,
            name=f"Key {n}",
            prefix=f"slk_{workspace.pk:03}{n:05}",
            key_hash=f"{n:064}",
            access=Access.READ_ONLY if n % 2 else Access.READ_WRITE,
            created_by=creator,
            lifetime_days=30,
            expires_at=expiry[n % 4],
            revoked_at=now if n % 4 == 2 else None,
            revoked_by=revoker if n % 4 == 2 else None,
            last_used_at=now if n % 4 == 0 else None,
        )
        for n in range(keys)
    )
    for successor, rolled in zip(made[::4], made[1::4], strict=True):
        successor.rolled_from = rolled
        successor.save(update_fields=["rolled_from"])
    client = Client()
    client.force_login(MembershipFactory(workspace=workspace, role=Role.OWNER).user)
    return client


@pytest.mark.parametrize("path", ["/settings/api-keys/", "/settings/api-keys/?status=inactive"])
def test_a_page_of_200_keys_costs_what_2_do(path):
    small = build("Small", keys=4)  # 2 on each list
    large = build("Large", keys=200)

    few, small_sql = measure(small, path)
    many, large_sql = measure(large, path)

    rows = many.count('<th scope="row">Key ')
    assert few.count('<th scope="row">Key ') == 2
    assert rows == 50, "a full page of the 100"
    assert "Page 1 of 2" in many
    if "inactive" not in path:
        assert "Rolled: replaced by <code>" in many
        assert "Replaces <code>" in many
    else:
        assert ">Revoked</span>" in many
        assert ">Expired</span>" in many
    assert len(large_sql) == len(small_sql) == PINNED, "\n\n".join(large_sql)
