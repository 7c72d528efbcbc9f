"""Stock under concurrent writers, on PostgreSQL with real threads and real row locks.

Each thread has its own database connection (Django's are per thread) and closes it when done.
What is proved: no lost update, no stock below zero, a ledger whose ``on_hand_after`` values
form one consistent chain, all-or-nothing batches, pk-ordered locking that cannot deadlock,
and a SKU that two simultaneous creates cannot both take.
"""

import random
import threading
from collections import Counter

import pytest
from django.test import Client

from core.models import DomainEvent
from inventory.errors import InsufficientStock, StockChanged
from inventory.models import Location, Product, StockAdjustment, StockLevel, Variant
from inventory.services import (
    Actor,
    AdjustmentLine,
    location_create,
    location_default,
    product_create,
    stock_adjust,
    stock_adjust_batch,
)
from tests.api_client import ApiClient
from tests.concurrency import run_threads
from tests.factories import make_key, make_workspace

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


# --- Helpers -----------------------------------------------------------------------------------


def make_variant(workspace, sku: str) -> Variant:
    product = product_create(workspace=workspace, name=f"Product {sku}", variants=[{"sku": sku}])
    return product.variants.get()


def level_of(variant: Variant, location: Location) -> StockLevel:
    return StockLevel.objects.get(variant=variant, location=location)


def assert_no_errors(results):
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]


def assert_chain(level: StockLevel, start: int, entries: list[StockAdjustment]) -> None:
    """Ordered by id, every entry's on_hand_after is the previous one's plus its quantity,
    from ``start`` to the level's on_hand now."""
    running = start
    for entry in entries:
        assert entry.level_id == level.pk
        assert entry.on_hand_after == running + entry.quantity, (entry.pk, running, entry)
        assert entry.on_hand_after >= 0
        running = entry.on_hand_after
    assert running == level.on_hand


def api_client(raw_key: str):
    """``post(path, body)`` with the key, on a Django client of the calling thread's own."""
    return ApiClient(Client(), f"Bearer {raw_key}").post


@pytest.fixture
def workspace():
    return make_workspace("Concurrent Co", limits=1_000_000)


@pytest.fixture
def raw_key(workspace) -> str:
    return make_key(workspace, name="ERP sync").raw


@pytest.fixture
def main(workspace) -> Location:
    return location_default(workspace)


# --- a) Many ±1 adjustments on one level --------------------------------------------------------


def test_500_concurrent_plus_minus_one_adjustments_end_exact_with_a_consistent_ledger(
    workspace, main
):
    variant = make_variant(workspace, "MER-CREW-M")
    stock_adjust(
        workspace=workspace,
        variant=variant,
        location=main,
        quantity=1000,
        reason="received",
        actor=Actor.system(),
    )
    level = level_of(variant, main)
    first_new_id = StockAdjustment.objects.latest("id").pk + 1
    events_before = DomainEvent.objects.filter(type="stock.adjusted").count()
    rng = random.Random(4)  # noqa: S311 — test data
    plans = [[rng.choice((1, -1)) for _ in range(25)] for _ in range(20)]
    assert {d for plan in plans for d in plan} == {1, -1}

    def work(index, barrier):
        barrier.wait()
        seen = []
        for delta in plans[index]:
            adjustment, after = stock_adjust(
                workspace=workspace,
                variant=variant,
                location=main,
                quantity=delta,
                reason="received" if delta > 0 else "sold",
                actor=Actor.system(f"thread {index}"),
            )
            assert adjustment.on_hand_after == after.on_hand
            seen.append(adjustment.pk)
        return seen

    results = run_threads(20, work)

    assert_no_errors(results)
    level.refresh_from_db()
    assert level.on_hand == 1000 + sum(sum(plan) for plan in plans)
    entries = list(StockAdjustment.objects.filter(level=level, pk__gte=first_new_id).order_by("id"))
    assert len(entries) == 500
    assert sorted(e.pk for e in entries) == sorted(pk for seen in results for pk in seen)
    assert_chain(level, 1000, entries)
    assert Counter(e.source_name for e in entries) == {f"thread {i}": 25 for i in range(20)}
    assert DomainEvent.objects.filter(type="stock.adjusted").count() == events_before + 500


def test_concurrent_api_adjustments_on_one_variant_end_exact_with_a_consistent_ledger(
    workspace, main, raw_key
):
    variant = make_variant(workspace, "OCT-TEE-M")
    stock_adjust(
        workspace=workspace,
        variant=variant,
        location=main,
        quantity=500,
        reason="received",
        actor=Actor.system(),
    )
    level = level_of(variant, main)
    first_new_id = StockAdjustment.objects.latest("id").pk + 1
    rng = random.Random(5)  # noqa: S311 — test data
    plans = [[rng.choice((1, -1)) for _ in range(15)] for _ in range(10)]

    def work(index, barrier):
        post = api_client(raw_key)
        barrier.wait()
        statuses = []
        for n, delta in enumerate(plans[index]):
            # Name the variant both ways the contract allows.
            ref = {"sku": variant.sku} if n % 2 else {"variant_id": variant.pk}
            response = post(
                "stock/adjustments",
                {**ref, "quantity": delta, "reason": "received" if delta > 0 else "sold"},
            )
            statuses.append(response.status_code)
            if response.status_code == 201:
                body = response.json()
                assert body["level"]["on_hand"] == body["adjustment"]["on_hand_after"]
        return statuses

    results = run_threads(10, work)

    assert_no_errors(results)
    assert Counter(s for statuses in results for s in statuses) == {201: 150}
    level.refresh_from_db()
    assert level.on_hand == 500 + sum(sum(plan) for plan in plans)
    entries = list(StockAdjustment.objects.filter(level=level, pk__gte=first_new_id).order_by("id"))
    assert len(entries) == 150
    assert {e.source_type for e in entries} == {"api_key"}
    assert_chain(level, 500, entries)


# --- b) Decrements that would go below zero -----------------------------------------------------


def test_concurrent_decrements_past_zero_are_refused_never_applied(workspace, main):
    variant = make_variant(workspace, "WOOL-BEAN-RUST")
    stock_adjust(
        workspace=workspace,
        variant=variant,
        location=main,
        quantity=10,
        reason="received",
        actor=Actor.system(),
    )
    level = level_of(variant, main)
    first_new_id = StockAdjustment.objects.latest("id").pk + 1

    def work(index, barrier):
        barrier.wait()
        _, after = stock_adjust(
            workspace=workspace,
            variant=variant,
            location=main,
            quantity=-1,
            reason="sold",
            actor=Actor.system(),
        )
        return after.on_hand

    results = run_threads(30, work)

    succeeded = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, InsufficientStock)]
    assert len(succeeded) == 10, results
    assert len(refused) == 20, results
    assert sorted(succeeded) == list(range(10))  # each success saw its own, distinct level
    level.refresh_from_db()
    assert level.on_hand == 0
    entries = list(StockAdjustment.objects.filter(level=level, pk__gte=first_new_id).order_by("id"))
    assert len(entries) == 10
    assert [e.on_hand_after for e in entries] == list(range(9, -1, -1))
    assert_chain(level, 10, entries)


def test_concurrent_api_decrements_past_zero_answer_409_and_change_nothing(
    workspace, main, raw_key
):
    variant = make_variant(workspace, "STN-MUG-SAGE")
    stock_adjust(
        workspace=workspace,
        variant=variant,
        location=main,
        quantity=10,
        reason="received",
        actor=Actor.system(),
    )
    level = level_of(variant, main)
    first_new_id = StockAdjustment.objects.latest("id").pk + 1

    def work(index, barrier):
        post = api_client(raw_key)
        barrier.wait()
        response = post("stock/adjustments", {"sku": variant.sku, "quantity": -1, "reason": "sold"})
        return response.status_code, response.json()

    results = run_threads(30, work)

    assert_no_errors(results)
    assert Counter(status for status, _ in results) == {201: 10, 409: 20}
    codes = {body["error"]["code"] for status, body in results if status == 409}
    assert codes == {"insufficient_stock"}
    level.refresh_from_db()
    assert level.on_hand == 0
    entries = list(StockAdjustment.objects.filter(level=level, pk__gte=first_new_id).order_by("id"))
    assert len(entries) == 10
    assert_chain(level, 10, entries)


def test_concurrent_compare_and_set_lets_exactly_one_writer_win(workspace, main):
    variant = make_variant(workspace, "LIN-SHIRT-M")
    stock_adjust(
        workspace=workspace,
        variant=variant,
        location=main,
        quantity=50,
        reason="count",
        actor=Actor.system(),
    )

    def work(index, barrier):
        barrier.wait()
        return stock_adjust(
            workspace=workspace,
            variant=variant,
            location=main,
            quantity=-(index + 1),
            reason="sold",
            expected_on_hand=50,
            actor=Actor.system(),
        )

    results = run_threads(12, work)

    winners = [r for r in results if isinstance(r, tuple)]
    assert len(winners) == 1, results
    assert all(isinstance(r, StockChanged) for r in results if not isinstance(r, tuple)), results
    adjustment, level = winners[0]
    level.refresh_from_db()
    assert level.on_hand == 50 + adjustment.quantity
    assert StockAdjustment.objects.filter(level=level).count() == 2


# --- c) A batch that fails in its 100th line ----------------------------------------------------


def test_a_batch_failing_in_its_100th_line_writes_nothing(workspace, main, raw_key):
    a = make_variant(workspace, "SEL-JEAN-32")
    b = make_variant(workspace, "SEL-JEAN-34")
    store = location_create(workspace=workspace, name="Retail store")  # no levels there yet
    stock_adjust(
        workspace=workspace, variant=a, location=main, quantity=60, reason="received",
        actor=Actor.system(),
    )  # fmt: skip
    lines = (
        [{"sku": a.sku, "quantity": -1, "reason": "sold"} for _ in range(50)]  # a: 60 → 10
        + [{"variant_id": b.pk, "quantity": 2, "reason": "received"} for _ in range(25)]
        + [
            {"sku": b.sku, "location_id": store.pk, "quantity": 1, "reason": "received"}
            for _ in range(24)
        ]
        + [{"sku": a.sku, "quantity": -11, "reason": "sold"}]  # alone it would fit in 60
    )
    assert len(lines) == 100

    def state():
        return {
            "levels": sorted(
                StockLevel.objects.filter(workspace=workspace).values_list(
                    "variant_id", "location_id", "on_hand", "updated_at"
                )
            ),
            "ledger": StockAdjustment.objects.count(),
            "events": DomainEvent.objects.count(),
        }

    before = state()

    response = api_client(raw_key)("stock/adjustments/batch", {"adjustments": lines})

    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "insufficient_stock"
    assert "line 100" in error["message"]
    assert state() == before
    assert not StockLevel.objects.filter(location=store).exists()

    # The first 99 lines alone are fine: it is the 100th that sinks the whole batch.
    response = api_client(raw_key)("stock/adjustments/batch", {"adjustments": lines[:99]})

    assert response.status_code == 201, response.content
    assert StockAdjustment.objects.count() == before["ledger"] + 99
    assert level_of(a, main).on_hand == 10
    assert level_of(b, main).on_hand == 50
    assert level_of(b, store).on_hand == 24


# --- d) Batches locking the same levels in opposite orders -------------------------------------


def test_batches_touching_two_levels_in_opposite_orders_never_deadlock(workspace, main, raw_key):
    a = make_variant(workspace, "CNV-SNKR-42")
    b = make_variant(workspace, "CNV-SNKR-43")
    for variant in (a, b):
        stock_adjust(
            workspace=workspace, variant=variant, location=main, quantity=1000,
            reason="received", actor=Actor.system(),
        )  # fmt: skip
    level_a, level_b = level_of(a, main), level_of(b, main)
    first_new_id = StockAdjustment.objects.latest("id").pk + 1
    rounds = 20

    def a_then_b(index):
        return [
            AdjustmentLine(a, main, 2, "received", note=f"t{index}"),
            AdjustmentLine(b, main, -1, "sold", note=f"t{index}"),
        ]

    def b_then_a(index):
        return [
            AdjustmentLine(b, main, 3, "received", note=f"t{index}"),
            AdjustmentLine(a, main, -1, "sold", note=f"t{index}"),
        ]

    def work(index, barrier):
        if index >= 8:  # two threads go through the API's batch endpoint
            post = api_client(raw_key)
            order = [a, b] if index % 2 else [b, a]
            body = {
                "adjustments": [
                    {"sku": order[0].sku, "quantity": 1, "reason": "received"},
                    {"sku": order[1].sku, "quantity": 1, "reason": "received"},
                ]
            }
            barrier.wait()
            return [post("stock/adjustments/batch", body).status_code for _ in range(rounds)]
        make = a_then_b if index % 2 else b_then_a
        barrier.wait()
        for _ in range(rounds):
            stock_adjust_batch(workspace=workspace, lines=make(index), actor=Actor.system())
        return "done"

    results = run_threads(10, work)

    assert_no_errors(results)
    assert results[:8] == ["done"] * 8
    assert results[8:] == [[201] * rounds] * 2
    service_a_first = service_b_first = 4 * rounds
    level_a.refresh_from_db()
    level_b.refresh_from_db()
    assert level_a.on_hand == 1000 + 2 * service_a_first - service_b_first + 2 * rounds
    assert level_b.on_hand == 1000 - service_a_first + 3 * service_b_first + 2 * rounds
    for level in (level_a, level_b):
        entries = list(
            StockAdjustment.objects.filter(level=level, pk__gte=first_new_id).order_by("id")
        )
        assert len(entries) == 8 * rounds + 2 * rounds
        assert_chain(level, 1000, entries)


# --- e) Two creates of the same SKU at once -----------------------------------------------------


def test_two_simultaneous_creates_with_one_sku_give_one_201_and_one_409(workspace, raw_key):
    rounds = 6
    events_before = DomainEvent.objects.filter(type="product.created").count()

    def work(index, barrier):
        post = api_client(raw_key)
        outcomes = []
        for r in range(rounds):
            barrier.wait()
            response = post(
                "products",
                {"name": f"Round {r} thread {index}", "variants": [{"sku": f"RACE-{r}"}]},
            )
            outcomes.append((response.status_code, response.json()))
        return outcomes

    results = run_threads(2, work)

    assert_no_errors(results)
    for r in range(rounds):
        (status_0, body_0), (status_1, body_1) = results[0][r], results[1][r]
        assert sorted([status_0, status_1]) == [201, 409], (r, body_0, body_1)
        created, refused = (body_0, body_1) if status_0 == 201 else (body_1, body_0)
        assert refused["error"]["code"] == "sku_taken"
        assert [v["sku"] for v in created["variants"]] == [f"RACE-{r}"]
        assert Variant.objects.filter(workspace=workspace, sku=f"RACE-{r}").count() == 1
        assert (
            Product.objects.filter(workspace=workspace, name__startswith=f"Round {r} ").count() == 1
        )
        assert Product.objects.get(name__startswith=f"Round {r} ").pk == created["id"]
    assert DomainEvent.objects.filter(type="product.created").count() == events_before + rounds


def test_batches_creating_the_same_new_levels_never_deadlock(workspace, raw_key):
    skus = [f"SOCK-{n:03d}" for n in range(100)]
    product_create(workspace=workspace, name="Trail socks", variants=[{"sku": s} for s in skus])
    rounds = 3
    # A fresh location per round: none of its levels exist until a batch creates them.
    stores = [location_create(workspace=workspace, name=f"Pop-up {r}") for r in range(rounds)]
    rng = random.Random(7)  # noqa: S311 — test data
    plans = [[rng.sample(skus, rng.randint(20, 100)) for _ in range(8)] for _ in stores]
    failed = threading.Event()

    def work(index, barrier):
        client = ApiClient(Client(raise_request_exception=False), f"Bearer {raw_key}")
        statuses = []
        for store, plan in zip(stores, plans, strict=True):
            body = {
                "adjustments": [
                    {"sku": sku, "location_id": store.pk, "quantity": 1, "reason": "received"}
                    for sku in plan[index]
                ]
            }
            barrier.wait()
            if failed.is_set():  # one failure is the finding: stop early, keep the test short
                break
            response = client.post("stock/adjustments/batch", body)
            statuses.append(response.status_code)
            if response.status_code != 201:
                failed.set()
        return statuses

    results = run_threads(8, work)

    assert_no_errors(results)
    assert {status for statuses in results for status in statuses} == {201}, results
    for store, plan in zip(stores, plans, strict=True):
        for sku in skus:
            expected = sum(sku in chosen for chosen in plan)
            level = StockLevel.objects.filter(location=store, variant__sku=sku).first()
            assert (level.on_hand if level else 0) == expected
