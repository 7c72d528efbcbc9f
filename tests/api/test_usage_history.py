"""Usage history per key and UTC day: ``api.tasks.flush_key_usage`` copies the live counters
that real API requests leave in the cache into ``ApiKeyUsageDay``, upserting today's and
yesterday's figures and forgetting days past 90; the API's own requests never touch it."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from accounts.services import workspace_set_plan
from api.models import ApiKeyUsageDay
from api.tasks import flush_key_usage
from apikeys.services import api_key_revoke
from tests.api_client import ApiClient
from tests.factories import make_key

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def call(api: ApiClient, key, times: int) -> None:
    for _ in range(times):
        assert api.get(auth=key).status_code == 200


def history() -> dict[tuple[int, date], int]:
    return {
        (row.api_key_id, row.day): row.requests
        for row in ApiKeyUsageDay.objects.order_by("api_key_id", "day")
    }


def test_the_flush_copies_each_keys_requests_today(api, workspace):
    erp, shop, idle = (make_key(workspace, name=name) for name in ("ERP", "Shop", "Idle"))
    with time_machine.travel(MORNING, tick=False):
        call(api, erp, 3)
        call(api, shop, 1)

        assert flush_key_usage() == 2

    day = MORNING.date()
    assert history() == {(erp.record.pk, day): 3, (shop.record.pk, day): 1}
    assert idle.record.pk not in {api_key_id for api_key_id, _ in history()}


def test_a_second_flush_updates_the_day_in_place(api, api_key):
    with time_machine.travel(MORNING, tick=False):
        call(api, api_key, 2)
        flush_key_usage()
        call(api, api_key, 5)
        flush_key_usage()

    assert history() == {(api_key.record.pk, MORNING.date()): 7}


def test_refused_requests_are_not_history(api, workspace):
    workspace_set_plan(workspace=workspace, plan=workspace.plan, daily_limit=2, burst_limit=10)
    key = make_key(workspace)
    with time_machine.travel(MORNING, tick=False):
        call(api, key, 2)
        assert api.get(auth=key).status_code == 429
        flush_key_usage()

    assert history() == {(key.record.pk, MORNING.date()): 2}


def test_yesterdays_last_requests_are_taken_after_midnight(api, api_key):
    """The counter outlives its day by an hour: the first flush after midnight still reads it,
    so requests made after the last flush of the day are kept."""
    late = datetime(2026, 11, 30, 23, 58, tzinfo=UTC)
    with time_machine.travel(late, tick=False):
        call(api, api_key, 2)
        flush_key_usage()
        call(api, api_key, 4)
    with time_machine.travel(late + timedelta(minutes=5), tick=False):  # 00:03, the next day
        call(api, api_key, 1)
        flush_key_usage()

    assert history() == {
        (api_key.record.pk, date(2026, 11, 30)): 6,
        (api_key.record.pk, date(2026, 12, 1)): 1,
    }


def test_a_key_revoked_today_keeps_its_requests(api, api_key):
    with time_machine.travel(MORNING, tick=False):
        call(api, api_key, 3)
        api_key_revoke(api_key=api_key.record, revoked_by=None)
        assert api.get(auth=api_key).status_code == 401
        flush_key_usage()

    assert history() == {(api_key.record.pk, MORNING.date()): 3}


def test_days_older_than_90_are_forgotten(api, api_key):
    today = MORNING.date()
    ApiKeyUsageDay.objects.bulk_create(
        [
            ApiKeyUsageDay(api_key=api_key.record, day=today - timedelta(days=back), requests=9)
            for back in (1, 90, 91, 200)
        ]
    )
    with time_machine.travel(MORNING, tick=False):
        flush_key_usage()

    assert sorted(day for _, day in history()) == [
        today - timedelta(days=90),
        today - timedelta(days=1),
    ]


def test_an_api_request_still_asks_the_database_nothing(api, api_key, django_assert_num_queries):
    """The history is written by the task alone: a warm request stays free of queries, as
    ``test_key_cache`` pins it, also with history rows for the key."""
    with time_machine.travel(MORNING, tick=False):
        call(api, api_key, 2)
        flush_key_usage()
        with django_assert_num_queries(0):
            call(api, api_key, 1)
