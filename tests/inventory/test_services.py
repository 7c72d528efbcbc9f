"""The catalogue and stock services, called directly: the stock recipe, all-or-nothing batches,
the database constraints behind them, and who the ledger says made each change."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apikeys.services import api_key_create
from core.errors import InvalidState
from core.models import DomainEvent
from inventory import services
from inventory.errors import InsufficientStock, SkuTaken, StockChanged
from inventory.limits import MAX_COUNT
from inventory.models import Location, Product, StockAdjustment, StockLevel, Variant
from inventory.services import Actor, AdjustmentLine
from portal.services import workspace_setup
from tests.api_client import ApiClient
from tests.factories import UserFactory, WorkspaceFactory, make_workspace

SYSTEM = Actor.system()


@pytest.fixture
def product(workspace):
    return services.product_create(
        workspace=workspace,
        name="Merino crew",
        variants=[{"sku": "MER-M", "reorder_point": 5}, {"sku": "MER-L"}],
    )


@pytest.fixture
def variant(product):
    return product.variants.get(sku="MER-M")


def adjust(workspace, variant, quantity, *, location=None, reason="received", **kwargs):
    return services.stock_adjust(
        workspace=workspace,
        variant=variant,
        location=location or services.location_default(workspace),
        quantity=quantity,
        reason=reason,
        actor=kwargs.pop("actor", SYSTEM),
        **kwargs,
    )


def counts(workspace) -> tuple:
    return tuple(
        model.objects.filter(workspace=workspace).count()
        for model in (Product, Variant, DomainEvent)
    )


def state(workspace) -> tuple:
    return (
        sorted(StockLevel.objects.filter(workspace=workspace).values_list("pk", "on_hand")),
        StockAdjustment.objects.filter(workspace=workspace).count(),
        DomainEvent.objects.filter(workspace=workspace).count(),
    )


# --- The stock recipe --------------------------------------------------------------------------


def test_stock_adjust_changes_on_hand_and_appends_a_consistent_ledger(workspace, variant):
    location = services.location_default(workspace)
    quantities = [10, -3, 5, -12, 7]

    returned = [adjust(workspace, variant, q, note=f"step {i}") for i, q in enumerate(quantities)]

    level = StockLevel.objects.get(variant=variant, location=location)
    assert level.on_hand == sum(quantities) == 7
    entries = list(StockAdjustment.objects.filter(level=level).order_by("id"))
    assert [e.quantity for e in entries] == quantities
    assert [e.on_hand_after for e in entries] == [10, 7, 12, 0, 7]
    previous = 0
    for entry in entries:
        assert entry.on_hand_after == previous + entry.quantity
        assert (entry.variant, entry.location, entry.workspace) == (variant, location, workspace)
        previous = entry.on_hand_after
    assert [e.note for e in entries] == [f"step {i}" for i in range(5)]
    adjustment, returned_level = returned[-1]
    assert adjustment == entries[-1]
    assert returned_level.pk == level.pk
    assert returned_level.on_hand == 7


def test_stock_adjust_at_a_new_location_creates_its_level(workspace, variant):
    shop = services.location_create(workspace=workspace, name="Shop")

    _, level = adjust(workspace, variant, 4, location=shop)

    assert (level.location, level.on_hand) == (shop, 4)
    assert StockLevel.objects.filter(variant=variant).count() == 2


def test_insufficient_stock_raises_and_changes_nothing(workspace, variant):
    adjust(workspace, variant, 3)
    before = state(workspace)

    with pytest.raises(InsufficientStock) as raised:
        adjust(workspace, variant, -4, reason="sold")

    assert raised.value.code == "insufficient_stock"
    assert raised.value.status == 409
    assert state(workspace) == before
    assert StockLevel.objects.get(variant=variant).on_hand == 3


def test_stock_changed_on_an_expected_on_hand_mismatch(workspace, variant):
    adjust(workspace, variant, 3)
    before = state(workspace)

    with pytest.raises(StockChanged):
        adjust(workspace, variant, 1, expected_on_hand=2)

    assert state(workspace) == before
    _, level = adjust(workspace, variant, 1, expected_on_hand=3)
    assert level.on_hand == 4


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [({"quantity": 0}, "quantity"), ({"quantity": 1, "reason": "stolen"}, "reason")],
)
def test_stock_adjust_validates_its_input(workspace, variant, kwargs, expected):
    before = state(workspace)

    with pytest.raises(ValidationError) as raised:
        adjust(workspace, variant, **kwargs)

    assert expected in raised.value.message_dict
    assert state(workspace) == before


def test_stock_adjust_refuses_another_workspaces_variant_or_location(workspace, variant):
    other = make_workspace("Other Co")
    their_location = services.location_default(other)

    with pytest.raises(ValidationError):
        adjust(other, variant, 1, location=their_location)
    with pytest.raises(ValidationError):
        adjust(workspace, variant, 1, location=their_location)
    assert not StockAdjustment.objects.filter(workspace__in=[workspace, other]).exists()


def test_on_hand_cannot_pass_the_32_bit_ceiling(workspace, variant):
    adjust(workspace, variant, 1)
    StockLevel.objects.filter(variant=variant).update(on_hand=MAX_COUNT)

    with pytest.raises(ValidationError):
        adjust(workspace, variant, 1)

    assert StockLevel.objects.get(variant=variant).on_hand == MAX_COUNT


def test_an_archived_variant_can_still_be_adjusted(workspace, variant):
    services.variant_archive(variant=variant)

    _, level = adjust(workspace, variant, 2)

    assert level.on_hand == 2


# --- Batches -----------------------------------------------------------------------------------


def test_a_batch_is_all_or_nothing(workspace, product):
    medium, large = product.variants.order_by("id")
    location = services.location_default(workspace)
    adjust(workspace, medium, 5)
    before = state(workspace)
    lines = [
        AdjustmentLine(variant=medium, location=location, quantity=-2, reason="sold"),
        AdjustmentLine(variant=large, location=location, quantity=10, reason="received"),
        AdjustmentLine(variant=medium, location=location, quantity=-4, reason="sold"),
    ]

    with pytest.raises(InsufficientStock) as raised:
        services.stock_adjust_batch(workspace=workspace, lines=lines, actor=SYSTEM)

    assert "line 3" in raised.value.message
    assert state(workspace) == before

    results = services.stock_adjust_batch(workspace=workspace, lines=lines[:2], actor=SYSTEM)
    assert [(a.quantity, a.on_hand_after) for a, _ in results] == [(-2, 3), (10, 10)]
    assert StockLevel.objects.get(variant=medium).on_hand == 3


def test_a_batch_with_a_stale_expectation_writes_nothing(workspace, product):
    medium, large = product.variants.order_by("id")
    location = services.location_default(workspace)
    before = state(workspace)
    lines = [
        AdjustmentLine(variant=large, location=location, quantity=1, reason="received"),
        AdjustmentLine(
            variant=medium, location=location, quantity=1, reason="received", expected_on_hand=9
        ),
    ]

    with pytest.raises(StockChanged):
        services.stock_adjust_batch(workspace=workspace, lines=lines, actor=SYSTEM)

    assert state(workspace) == before


# --- Database constraints: the last line -------------------------------------------------------


def test_the_database_refuses_negative_on_hand_even_bypassing_the_service(workspace, variant):
    level = StockLevel.objects.get(variant=variant)

    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(pk=level.pk).update(on_hand=-1)

    assert StockLevel.objects.get(pk=level.pk).on_hand == 0


def test_the_database_allows_one_level_per_variant_and_location(workspace, variant):
    location = services.location_default(workspace)

    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.create(workspace=workspace, variant=variant, location=location)

    assert StockLevel.objects.filter(variant=variant, location=location).count() == 1


def test_the_database_keeps_skus_unique_per_workspace(workspace, product):
    with pytest.raises(IntegrityError), transaction.atomic():
        Variant.objects.create(workspace=workspace, product=product, sku="MER-M")

    other = make_workspace("Other Co")
    their_product = Product.objects.create(workspace=other, name="Theirs")
    Variant.objects.create(workspace=other, product=their_product, sku="MER-M")
    assert Variant.objects.filter(workspace__in=[workspace, other], sku="MER-M").count() == 2


def test_the_ledger_refuses_a_zero_quantity_or_negative_result(workspace, variant):
    _, level = adjust(workspace, variant, 1)
    location = level.location
    base = {
        "workspace": workspace,
        "level": level,
        "variant": variant,
        "location": location,
        "reason": "count",
        "source_type": "system",
    }

    with pytest.raises(IntegrityError), transaction.atomic():
        StockAdjustment.objects.create(**base, quantity=0, on_hand_after=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockAdjustment.objects.create(**base, quantity=-2, on_hand_after=-1)


# --- Who made the change -----------------------------------------------------------------------


def test_a_users_change_is_recorded_with_their_email(workspace, variant, client):
    user = UserFactory(email="dana@example.com")

    adjustment, _ = adjust(workspace, variant, 3, actor=Actor.user(user))

    adjustment.refresh_from_db()
    assert (adjustment.source_type, adjustment.source_id, adjustment.source_name) == (
        "user",
        user.pk,
        "dana@example.com",
    )
    ledger = ApiClient.for_workspace(client, workspace).get("stock/adjustments").json()["results"]
    assert ledger[0]["source"] == {"type": "user", "id": user.pk, "name": "dana@example.com"}


def test_an_api_keys_change_is_recorded_with_its_name(workspace, variant):
    key, _ = api_key_create(workspace=workspace, name="Warehouse scanner", created_by=None)

    adjustment, _ = adjust(workspace, variant, 3, actor=Actor.api_key(key))

    assert (adjustment.source_type, adjustment.source_id, adjustment.source_name) == (
        "api_key",
        key.pk,
        "Warehouse scanner",
    )


# --- Locations ---------------------------------------------------------------------------------


def test_every_new_workspace_gets_exactly_one_default_location(db):
    first = workspace_setup(name="First", owner=None, plan="growth")
    second = workspace_setup(name="Second", owner=UserFactory(), plan="free")

    for workspace in (first, second):
        locations = Location.objects.filter(workspace=workspace)
        assert locations.count() == 1
        assert locations.get().is_default is True
        assert services.location_default(workspace) == locations.get()


def test_location_default_creates_one_when_missing_and_only_once(db):
    workspace = WorkspaceFactory()  # bypasses the service: no location yet
    assert not Location.objects.filter(workspace=workspace).exists()

    created = services.location_default(workspace)
    again = services.location_default(workspace)

    assert created == again
    assert created.is_default
    assert Location.objects.filter(workspace=workspace).count() == 1


def test_the_database_allows_one_default_location(workspace):
    with pytest.raises(IntegrityError), transaction.atomic():
        Location.objects.create(workspace=workspace, name="Second default", is_default=True)


def test_location_create_refuses_duplicates_and_blank_names(workspace):
    services.location_create(workspace=workspace, name="Shop")

    with pytest.raises(ValidationError):
        services.location_create(workspace=workspace, name="Shop")
    with pytest.raises(ValidationError):
        services.location_create(workspace=workspace, name="  ")
    assert Location.objects.filter(workspace=workspace).count() == 2


# --- Products and variants ---------------------------------------------------------------------


def test_product_create_stocks_every_variant_at_zero_in_the_default_location(workspace, product):
    location = services.location_default(workspace)

    levels = StockLevel.objects.filter(variant__product=product)

    assert sorted(levels.values_list("variant__sku", "location", "on_hand")) == [
        ("MER-L", location.pk, 0),
        ("MER-M", location.pk, 0),
    ]


def test_product_create_refuses_a_taken_sku_and_writes_nothing(workspace, product):
    before = counts(workspace)

    with pytest.raises(SkuTaken) as raised:
        services.product_create(
            workspace=workspace, name="Copy", variants=[{"sku": "NEW"}, {"sku": "MER-L"}]
        )

    assert raised.value.fields == {"variants.1.sku": [raised.value.fields["variants.1.sku"][0]]}
    assert (counts(workspace)) == before


def test_product_create_needs_a_variant(workspace):
    with pytest.raises(ValidationError):
        services.product_create(workspace=workspace, name="Empty", variants=[])
    assert not Product.objects.filter(workspace=workspace).exists()


def test_product_update_changes_only_name_and_description(product):
    with pytest.raises(ValidationError):
        services.product_update(product=product, status="archived")

    services.product_update(product=product, name="Renamed", description="Warm")

    product.refresh_from_db()
    assert (product.name, product.description, product.status) == ("Renamed", "Warm", "active")


def test_archive_and_unarchive_refuse_a_repeat(product, variant):
    services.product_archive(product=product)
    with pytest.raises(InvalidState):
        services.product_archive(product=product)
    services.product_unarchive(product=product)
    with pytest.raises(InvalidState):
        services.product_unarchive(product=product)

    services.variant_archive(variant=variant)
    with pytest.raises(InvalidState):
        services.variant_archive(variant=variant)
    services.variant_unarchive(variant=variant)
    with pytest.raises(InvalidState):
        services.variant_unarchive(variant=variant)


def test_variant_update_refuses_a_taken_sku(product, variant):
    with pytest.raises(SkuTaken):
        services.variant_update(variant=variant, sku="MER-L")

    assert Variant.objects.get(pk=variant.pk).sku == "MER-M"
