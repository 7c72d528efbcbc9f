"""Rolling under concurrency, on PostgreSQL with real threads and real row locks: a key rolled
from many requests at once gets exactly one successor, and the old key's grace is set once."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from apikeys.models import ApiKey
from apikeys.services import ROLL_GRACE, api_key_authenticate, api_key_roll
from tests.concurrency import run_threads
from tests.factories import make_key, make_workspace

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def test_rolling_one_key_from_8_threads_at_once_makes_one_successor():
    workspace = make_workspace("Concurrent Co")
    old, old_raw = make_key(workspace, name="ERP sync")

    def work(index, barrier):
        api_key = ApiKey.objects.get(pk=old.pk)  # each request loads the key itself
        barrier.wait()
        return api_key_roll(api_key=api_key, rolled_by=None)

    results = run_threads(THREADS, work)

    rolled = [result for result in results if isinstance(result, tuple)]
    refused = [result for result in results if isinstance(result, ValidationError)]
    assert len(rolled) == 1, results
    assert len(refused) == THREADS - 1, results
    ((successor, successor_raw),) = rolled
    # The lock made them take turns: each loser saw the winner's successor (without it they
    # would have met the unique column instead: "rolled at the same moment").
    assert {error.messages[0] for error in refused} == {
        f"“ERP sync” was already rolled: its new key starts {successor.prefix}…"
    }
    assert list(ApiKey.objects.filter(rolled_from=old)) == [successor]
    assert ApiKey.objects.count() == 2
    old.refresh_from_db()
    grace_end = successor.created_at + ROLL_GRACE
    assert abs(old.expires_at - grace_end) < timedelta(seconds=1), "set once, by the winner"
    assert api_key_authenticate(old_raw) == old
    assert api_key_authenticate(successor_raw) == successor


def test_rolling_different_keys_at_once_rolls_each():
    workspace = make_workspace("Concurrent Co")
    keys = [make_key(workspace, name=f"Key {n}").record for n in range(THREADS)]

    def work(index, barrier):
        barrier.wait()
        return api_key_roll(api_key=keys[index], rolled_by=None)

    results = run_threads(THREADS, work)

    assert all(isinstance(result, tuple) for result in results), results
    for api_key, (successor, _raw) in zip(keys, results, strict=True):
        assert successor.rolled_from_id == api_key.pk
        assert successor.name == api_key.name
