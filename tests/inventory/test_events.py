"""SPEC §5.5 as far as step 3 goes: the domain events catalogue and stock writes record, in the
same transaction as the change, with the API representation at that moment."""

import re

import pytest
from django.db import transaction

from core import events
from core.models import DomainEvent
from inventory import services
from tests.api_client import ApiClient, assert_error
from tests.factories import make_workspace


def recorded(workspace=None, type=None) -> list[DomainEvent]:
    queryset = DomainEvent.objects.order_by("id")
    if workspace is not None:
        queryset = queryset.filter(workspace=workspace)
    if type is not None:
        queryset = queryset.filter(type=type)
    return list(queryset)


def types(workspace) -> list[str]:
    return [event.type for event in recorded(workspace)]


@pytest.fixture
def product(api, default_location):
    created = api.create_product(
        "Merino crew", variants=[{"sku": "MER-M", "reorder_point": 5}, {"sku": "MER-L"}]
    )
    DomainEvent.objects.filter(workspace=api.workspace).delete()  # each test sees its own
    return created


def level_of(api, sku, **params) -> dict:
    (level,) = api.get("stock", {"sku": sku, **params}).json()["results"]
    return level


# --- Products ----------------------------------------------------------------------------------


def test_product_created_carries_the_api_representation(api, default_location):
    response = api.post(
        "products",
        {
            "name": "Merino crew",
            "variants": [{"sku": "MER-M", "price": "19.90", "options": {"size": "M"}}],
        },
    )

    (event,) = recorded(api.workspace)
    assert event.type == "product.created"
    assert event.data == {"object": response.json()}
    payload = event.payload
    assert set(payload) == {"id", "type", "created_at", "data"}
    assert re.fullmatch(r"evt_[0-9a-f]{24}", payload["id"])
    assert payload["id"] == event.public_id
    assert payload["type"] == "product.created"
    assert payload["created_at"].endswith("Z")
    assert payload["data"]["object"]["variants"][0]["price"] == "19.90"


def test_event_ids_are_unique(api, default_location):
    api.create_product("A", ["A-1"])
    api.create_product("B", ["B-1"])

    ids = [event.payload["id"] for event in recorded(api.workspace)]
    assert len(ids) == len(set(ids)) == 2


def test_product_updated_on_patch(api, product):
    response = api.patch(f"products/{product['id']}", {"name": "Merino crew neck"})

    (event,) = recorded(api.workspace)
    assert event.type == "product.updated"
    assert event.data["object"] == response.json()
    assert event.data["object"]["name"] == "Merino crew neck"


def test_product_updated_on_variant_create_update_archive_and_unarchive(api, product):
    pid = product["id"]

    def last_product_updated():
        event = recorded(api.workspace)[-1]
        assert event.type == "product.updated"
        assert event.data["object"] == api.get(f"products/{pid}").json()
        return event.data["object"]

    created = api.post(f"products/{pid}/variants", {"sku": "MER-XL"}).json()
    assert [v["sku"] for v in last_product_updated()["variants"]] == ["MER-M", "MER-L", "MER-XL"]

    api.patch(f"variants/{created['id']}", {"name": "Extra large"})
    assert last_product_updated()["variants"][2]["name"] == "Extra large"

    api.post(f"variants/{created['id']}/archive")
    assert last_product_updated()["variants"][2]["status"] == "archived"

    api.post(f"variants/{created['id']}/unarchive")
    assert last_product_updated()["variants"][2]["status"] == "active"

    assert types(api.workspace) == ["product.updated"] * 4


def test_product_archived_on_archive_and_updated_on_unarchive(api, product):
    archived = api.post(f"products/{product['id']}/archive")
    restored = api.post(f"products/{product['id']}/unarchive")

    first, second = recorded(api.workspace)
    assert first.type == "product.archived"
    assert first.data["object"] == archived.json()
    assert first.data["object"]["status"] == "archived"
    assert second.type == "product.updated"
    assert second.data["object"] == restored.json()


def test_refused_catalogue_writes_record_nothing(api, product):
    api.post("products", {"name": "Copy", "variants": [{"sku": "MER-M"}]})  # sku_taken
    api.post("products", {"name": "Bad", "variants": []})  # validation_error
    api.post(f"products/{product['id']}/unarchive")  # invalid_state
    api.patch(f"variants/{product['variants'][0]['id']}", {"sku": "MER-L"})  # sku_taken

    assert recorded(api.workspace) == []


# --- Stock -------------------------------------------------------------------------------------


def test_stock_adjusted_per_adjustment_carries_the_ledger_entry(api, product):
    response = api.post("stock/adjustments", {"sku": "MER-L", "quantity": 4, "reason": "received"})

    (event,) = recorded(api.workspace)
    assert event.type == "stock.adjusted"
    assert event.data == {"object": response.json()["adjustment"]}
    assert event.data["object"]["source"]["name"] == "ERP sync"


def test_a_batch_records_one_stock_adjusted_per_line(api, product):
    lines = [
        {"sku": "MER-L", "quantity": 4, "reason": "received"},
        {"sku": "MER-L", "quantity": -1, "reason": "sold"},
        {"sku": "MER-M", "quantity": 9, "reason": "received"},
    ]

    response = api.post("stock/adjustments/batch", {"adjustments": lines})

    adjusted = recorded(api.workspace, "stock.adjusted")
    assert [e.data["object"] for e in adjusted] == [
        item["adjustment"] for item in response.json()["adjustments"]
    ]


def test_below_threshold_only_when_a_level_crosses_its_reorder_point(api, product):
    """MER-M has a reorder point of 5; starting at 0 it is already below."""
    steps = [
        (10, False),  # 0 -> 10: was below, now above
        (-4, False),  # 10 -> 6: stays above
        (-1, False),  # 6 -> 5: at the reorder point is not below
        (-1, True),  # 5 -> 4: crosses
        (-1, False),  # 4 -> 3: already below
        (-3, False),  # 3 -> 0: still below
        (20, False),  # 0 -> 20
        (-16, True),  # 20 -> 4: crosses again
    ]
    for quantity, crosses in steps:
        before = len(recorded(api.workspace, "stock.below_threshold"))
        response = api.post(
            "stock/adjustments",
            {"sku": "MER-M", "quantity": quantity, "reason": "correction"},
        )
        assert response.status_code == 201, response.content
        below = recorded(api.workspace, "stock.below_threshold")
        assert len(below) == before + crosses, (quantity, response.json()["level"])
        if crosses:
            assert below[-1].data == {"object": response.json()["level"]}
            assert below[-1].data["object"]["below_threshold"] is True
            assert below[-1].data["object"]["on_hand"] == 4
    assert len(recorded(api.workspace, "stock.adjusted")) == len(steps)


def test_below_threshold_within_a_batch_fires_once_per_crossing(api, product):
    api.adjust(6, sku="MER-M")
    lines = [
        {"sku": "MER-M", "quantity": -2, "reason": "sold"},  # 6 -> 4: crosses
        {"sku": "MER-M", "quantity": -1, "reason": "sold"},  # 4 -> 3: already below
    ]

    api.post("stock/adjustments/batch", {"adjustments": lines})

    (event,) = recorded(api.workspace, "stock.below_threshold")
    assert event.data["object"]["on_hand"] == 4


def test_a_level_with_reorder_point_zero_never_fires(api, product):
    api.adjust(3, sku="MER-L")
    api.adjust(-3, sku="MER-L", reason="sold")

    assert recorded(api.workspace, "stock.below_threshold") == []


def test_below_threshold_when_patch_raises_the_reorder_point_above_on_hand(api, product):
    variant_id = product["variants"][0]["id"]
    api.adjust(6, sku="MER-M")  # reorder point 5: above
    DomainEvent.objects.filter(workspace=api.workspace).delete()

    def patch(reorder_point):
        response = api.patch(f"variants/{variant_id}", {"reorder_point": reorder_point})
        assert response.status_code == 200, response.content
        return recorded(api.workspace, "stock.below_threshold")

    assert patch(6) == []  # 6 is not below 6
    fired = patch(7)
    assert len(fired) == 1
    assert fired[0].data == {"object": level_of(api, "MER-M")}
    assert fired[0].data["object"]["reorder_point"] == 7
    assert fired[0].data["object"]["below_threshold"] is True
    assert len(patch(12)) == 1  # already below: nothing new
    assert len(patch(3)) == 1  # back above: nothing
    assert len(patch(10)) == 2  # crosses again
    assert len(patch(10)) == 2  # unchanged


def test_raising_the_reorder_point_fires_only_for_levels_it_crosses(api, product):
    variant_id = product["variants"][0]["id"]
    shop = api.post("locations", {"name": "Shop"}).json()
    api.adjust(6, sku="MER-M")
    api.adjust(20, sku="MER-M", location_id=shop["id"])
    DomainEvent.objects.filter(workspace=api.workspace).delete()

    api.patch(f"variants/{variant_id}", {"reorder_point": 10})

    (event,) = recorded(api.workspace, "stock.below_threshold")
    assert event.data["object"]["location_id"] != shop["id"]
    assert event.data["object"]["on_hand"] == 6
    assert types(api.workspace) == ["stock.below_threshold", "product.updated"]


def test_a_refused_adjustment_records_no_event(api, product):
    api.adjust(6, sku="MER-M")
    DomainEvent.objects.filter(workspace=api.workspace).delete()

    refusals = [
        api.post("stock/adjustments", {"sku": "MER-M", "quantity": -7, "reason": "sold"}),
        api.post(
            "stock/adjustments",
            {"sku": "MER-M", "quantity": -2, "reason": "sold", "expected_on_hand": 5},
        ),
        api.post(
            "stock/adjustments/batch",
            {
                "adjustments": [
                    {"sku": "MER-M", "quantity": -2, "reason": "sold"},  # would cross
                    {"sku": "MER-L", "quantity": -1, "reason": "sold"},  # 0 on hand
                ]
            },
        ),
    ]

    assert [r.status_code for r in refusals] == [409, 409, 409]
    assert_error(refusals[0], 409, "insufficient_stock")
    assert_error(refusals[1], 409, "stock_changed")
    assert recorded(api.workspace) == []


def test_events_belong_to_the_workspace_that_changed(api, product, client):
    other = ApiClient.for_workspace(client, make_workspace("Other Co"), name="Other")
    other.create_product("Theirs", ["THEIRS-1"])

    assert types(api.workspace) == []
    assert types(other.workspace) == ["product.created"]


# --- Same transaction --------------------------------------------------------------------------


class Rollback(Exception):
    pass


def test_an_event_rolls_back_with_its_change(workspace):
    def create_then_fail():
        with transaction.atomic():
            services.product_create(workspace=workspace, name="Doomed", variants=[{"sku": "D-1"}])
            assert types(workspace) == ["product.created"]
            raise Rollback

    with pytest.raises(Rollback):
        create_then_fail()

    assert recorded(workspace) == []
    assert not workspace.products.exists()


@pytest.mark.django_db(transaction=True)
def test_event_record_outside_a_transaction_raises():
    workspace = make_workspace()

    with pytest.raises(RuntimeError):
        events.event_record(workspace=workspace, type=events.PRODUCT_UPDATED, obj={"id": 1})

    assert not DomainEvent.objects.filter(workspace=workspace).exists()


@pytest.mark.django_db(transaction=True)
def test_api_writes_record_their_events_under_real_transactions(client):
    """Without the test's wrapping transaction, every write still records inside its own."""
    api = ApiClient.for_workspace(client, make_workspace())
    product = api.create_product("Merino crew", variants=[{"sku": "MER-M", "reorder_point": 2}])
    api.adjust(3, sku="MER-M")
    api.adjust(-2, sku="MER-M", reason="sold")
    api.post(f"products/{product['id']}/archive")

    assert types(api.workspace) == [
        "product.created",
        "stock.adjusted",
        "stock.adjusted",
        "stock.below_threshold",
        "product.archived",
    ]
