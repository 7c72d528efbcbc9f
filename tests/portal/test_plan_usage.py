"""Settings → Plan & usage: requests per key per UTC day over the last 7 days, today's from the
live counters (real API requests) and earlier days from the history, as a stacked SVG bar chart
with a table beside it; Free says there is no API; the page costs the same for 50 keys as for 2."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from accounts.models import Role
from accounts.plans import Plan
from api.models import ApiKeyUsageDay
from apikeys.models import ApiKey
from apikeys.services import api_key_revoke
from tests.api_client import ApiClient
from tests.factories import MembershipFactory, make_key, make_workspace
from tests.pages import measure

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
DAYS = ["25 Nov", "26 Nov", "27 Nov", "28 Nov", "29 Nov", "30 Nov", "1 Dec"]
PAGE_QUERIES = 4  # session, user, membership (with its workspace), the workspace switcher
PINNED = PAGE_QUERIES + 2  # the keys of the week, their history rows


def owner_client(workspace) -> Client:
    client = Client()
    client.force_login(MembershipFactory(workspace=workspace, role=Role.OWNER).user)
    return client


def remember(key, **by_days_back: int) -> None:
    """History rows for ``key``: ``remember(key, d1=40)`` is 40 requests yesterday."""
    ApiKeyUsageDay.objects.bulk_create(
        ApiKeyUsageDay(
            api_key=key.record, day=NOW.date() - timedelta(days=int(name[1:])), requests=n
        )
        for name, n in by_days_back.items()
    )


def week_table(body: str) -> dict[str, list[str]]:
    """Row header (the key's name) -> its 7 day cells and the total."""
    table = re.search(r"<caption>Requests per key per day.*?</table>", body, re.S).group(0)
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', re.sub(r">\s+<", "><", table))
    return {
        re.sub(r"<.*", "", header).strip(): re.findall(r"<td>(.*?)</td>", cells)
        for header, cells in rows
    }


def test_the_week_per_key_from_history_and_todays_live_counters(client):
    workspace = make_workspace("Usage Co", plan=Plan.GROWTH, limits=None)
    erp, shop = make_key(workspace, name="ERP"), make_key(workspace, name="Shop")
    remember(erp, d1=40, d6=7, d7=1000)  # 7 days back is outside the week
    remember(shop, d2=3)
    remember(erp, d0=1)  # a stale copy of today: the live counter wins
    with time_machine.travel(NOW, tick=False):
        api = ApiClient(client)
        for _ in range(5):
            assert api.get(auth=erp).status_code == 200
        assert api.get(auth=shop).status_code == 200
        body = owner_client(workspace).get("/settings/plan/").content.decode()

    table = week_table(body)
    assert re.findall(r'<th scope="col">(.*?)</th>', body.split("<caption>Requests per key")[1])[
        :9
    ] == ["Key", *DAYS, "Total"]
    assert table["ERP"] == ["7", "0", "0", "0", "0", "40", "5", "52"]
    assert table["Shop"] == ["0", "0", "0", "0", "3", "0", "1", "4"]
    assert table["All keys"] == ["7", "0", "0", "0", "3", "40", "6", "56"]
    assert '<svg viewBox="0 0 640 200" role="img"' in body
    assert "stacked by key: 56 in all, 6 today." in body
    assert body.count('class="chart-bar series-') == 5  # the non-zero segments
    assert "<title>30 Nov, ERP (" in body
    # Today's table beside it, from the same live counters.
    assert re.search(r"ERP <code>[^<]+</code></th><td>5</td><td>495</td>", body)


def test_a_key_revoked_this_week_stays_in_the_week_and_leaves_today(client):
    workspace = make_workspace("Usage Co", plan=Plan.GROWTH, limits=None)
    old, recent = make_key(workspace, name="Old"), make_key(workspace, name="Recent")
    remember(old, d3=9)
    remember(recent, d3=11)
    with time_machine.travel(NOW - timedelta(days=30)):
        api_key_revoke(api_key=old.record, revoked_by=None)
    with time_machine.travel(NOW - timedelta(days=2)):
        api_key_revoke(api_key=recent.record, revoked_by=None)
    with time_machine.travel(NOW, tick=False):
        body = owner_client(workspace).get("/settings/plan/").content.decode()

    assert set(week_table(body)) == {"Recent", "All keys"}
    assert "Revoked</span></th><td>0</td><td>0</td><td>0</td><td>11</td>" in re.sub(
        r">\s+<", "><", body
    )
    assert "No active API keys." in body


def test_a_key_expired_this_week_stays_and_one_expired_before_is_gone(client):
    workspace = make_workspace("Usage Co", plan=Plan.GROWTH, limits=None)
    long_gone, lapsed = make_key(workspace, name="Long gone"), make_key(workspace, name="Lapsed")
    remember(lapsed, d4=8)
    ApiKey.objects.filter(pk=long_gone.record.pk).update(expires_at=NOW - timedelta(days=20))
    ApiKey.objects.filter(pk=lapsed.record.pk).update(expires_at=NOW - timedelta(days=1))
    with time_machine.travel(NOW, tick=False):
        body = owner_client(workspace).get("/settings/plan/").content.decode()

    assert set(week_table(body)) == {"Lapsed", "All keys"}
    assert "Expired</span></th><td>0</td><td>0</td><td>8</td>" in re.sub(r">\s+<", "><", body)


def test_free_says_there_is_no_api_and_draws_nothing():
    workspace = make_workspace("Free Co", plan=Plan.FREE, limits=None)
    make_key(workspace, name="Kept from Growth")

    body = owner_client(workspace).get("/settings/plan/").content.decode()

    assert "Your plan has no API, so there is no usage to show." in body
    assert "<svg" not in body
    assert "Requests per key per day" not in body


def build(name: str, keys: int) -> Client:
    """A Growth workspace with ``keys`` keys, each with six days of history."""
    workspace = make_workspace(name, plan=Plan.GROWTH)
    for n in range(keys):
        remember(make_key(workspace, name=f"Key {n}"), **{f"d{d}": n + d for d in range(1, 7)})
    return owner_client(workspace)


def test_50_keys_cost_what_2_do():
    with time_machine.travel(NOW, tick=False):
        few, small_sql = measure(build("Small", keys=2), "/settings/plan/")
        many, large_sql = measure(build("Large", keys=50), "/settings/plan/")

    assert len(week_table(few)) == 2 + 1
    assert len(week_table(many)) == 50 + 1
    assert len(large_sql) == len(small_sql) == PINNED, "\n\n".join(large_sql)
