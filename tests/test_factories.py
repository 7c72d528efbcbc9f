"""The factories make things as the product does: through the services, never a bare save."""

import pytest
from django.core.exceptions import ValidationError

from accounts.plans import Plan
from apikeys.models import Access
from apikeys.services import api_key_authenticate
from core.models import DomainEvent
from inventory.models import StockLevel
from inventory.services import location_default
from tests.factories import (
    HIGH_LIMIT,
    Key,
    KeyFactory,
    LocationFactory,
    ProductFactory,
    SetUpWorkspaceFactory,
    VariantFactory,
    make_key,
    make_workspace,
)

pytestmark = pytest.mark.django_db


def levels(variant) -> list[tuple[int, int]]:
    return list(StockLevel.objects.filter(variant=variant).values_list("location_id", "on_hand"))


def test_a_set_up_workspace_has_its_default_location_a_plan_and_high_limits():
    workspace = SetUpWorkspaceFactory()

    assert workspace.locations.filter(is_default=True).count() == 1
    assert workspace.plan == Plan.PRO
    assert workspace.daily_limit_override == workspace.burst_limit_override == HIGH_LIMIT


def test_make_workspace_names_it_and_may_keep_the_plans_own_limits():
    workspace = make_workspace("Other Co", Plan.GROWTH, limits=None)

    assert workspace.name == "Other Co"
    assert workspace.plan == Plan.GROWTH
    assert workspace.daily_limit_override is None
    assert workspace.burst_limit_override is None
    assert workspace.locations.filter(is_default=True).exists()


def test_a_key_is_the_record_and_the_raw_key_that_authenticates():
    key = KeyFactory(access=Access.READ_ONLY, name="Reporting")
    record, raw = key

    assert isinstance(key, Key)
    assert (key.record, key.raw) == (record, raw)
    assert api_key_authenticate(raw) == record
    assert key.authorization == f"Bearer {raw}"
    assert (record.name, record.access) == ("Reporting", Access.READ_ONLY)
    assert record.workspace.locations.filter(is_default=True).exists()


def test_make_key_puts_the_key_on_the_workspace_given():
    workspace = make_workspace()

    key = make_key(workspace, name="Warehouse")

    assert key.record.workspace == workspace
    assert list(workspace.api_keys.values_list("name", "access")) == [
        ("Warehouse", Access.READ_WRITE)
    ]


def test_a_product_is_stocked_at_zero_in_the_default_location_and_recorded():
    product = ProductFactory(variants=[{"sku": "MER-M"}, {"sku": "MER-L"}])
    default = location_default(product.workspace)

    assert [v.sku for v in product.variants.all()] == ["MER-M", "MER-L"]
    for variant in product.variants.all():
        assert levels(variant) == [(default.pk, 0)]
    assert DomainEvent.objects.filter(workspace=product.workspace, type="product.created").exists()


def test_products_get_fresh_skus_by_default():
    first, second = ProductFactory.create_batch(2, workspace=make_workspace())

    assert first.variants.get().sku != second.variants.get().sku


def test_a_variant_is_added_to_its_product_with_a_level_in_the_default_location():
    variant = VariantFactory(reorder_point=5)
    product = variant.product

    assert variant.workspace == product.workspace
    assert variant.reorder_point == 5
    assert product.variants.count() == 2
    assert levels(variant) == [(location_default(product.workspace).pk, 0)]


def test_a_location_goes_through_its_service():
    store = LocationFactory(name="Pop-up")

    assert not store.is_default
    with pytest.raises(ValidationError):
        LocationFactory(workspace=store.workspace, name="Pop-up")
