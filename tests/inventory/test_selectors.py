"""Variants and locations named in a request resolve in the workspace, with errors per line."""

import pytest
from django.core.exceptions import ValidationError

from inventory import selectors
from inventory.services import location_default
from tests.inventory.conftest import assert_fields


def batch(*lines):
    return {"adjustments": [{"quantity": 1, "reason": "received", **line} for line in lines]}


def test_a_batch_names_every_unknown_reference_by_line(api):
    api.create_product(skus=("TEE-S",))
    response = api.post(
        "stock/adjustments/batch",
        batch({"sku": "NOPE-1"}, {"sku": "TEE-S"}, {"sku": "NOPE-2"}, {"variant_id": 999_999}),
    )
    fields = assert_fields(
        response, "adjustments.0.sku", "adjustments.2.sku", "adjustments.3.variant_id"
    )
    assert "adjustments.1.sku" not in fields
    assert fields["adjustments.0.sku"] == ["No variant with this SKU."]


def test_unknown_locations_are_named_by_line(api):
    api.create_product(skus=("TEE-S",))
    response = api.post(
        "stock/adjustments/batch",
        batch({"sku": "TEE-S"}, {"sku": "TEE-S", "location_id": 999_999}),
    )
    fields = assert_fields(response, "adjustments.1.location_id")
    assert fields["adjustments.1.location_id"] == ["No location with this id."]


def test_the_error_list_is_capped(api):
    lines = [{"sku": f"NOPE-{n}"} for n in range(60)]
    fields = assert_fields(api.post("stock/adjustments/batch", batch(*lines)), "adjustments.0.sku")
    assert len(fields) == selectors.MAX_LINE_ERRORS


def test_another_workspaces_variant_is_as_unknown_as_a_missing_one(api, other_api):
    theirs = other_api.create_product(skus=("THEIRS-1",))["variants"][0]
    with pytest.raises(ValidationError) as raised:
        selectors.variants_resolve(
            workspace=api.workspace,
            items=[{"variant_id": theirs["id"]}, {"sku": "THEIRS-1"}],
            prefix="lines.",
        )
    assert raised.value.message_dict == {
        "lines.0.variant_id": ["No variant with this id."],
        "lines.1.sku": ["No variant with this SKU."],
    }


def test_resolution_keeps_the_order_and_defaults_the_location(api):
    product = api.create_product(skus=("A-1", "B-1"))
    a, b = product["variants"]
    variants = selectors.variants_resolve(
        workspace=api.workspace, items=[{"sku": "B-1"}, {"variant_id": a["id"]}, {"sku": "B-1"}]
    )
    assert [v.pk for v in variants] == [b["id"], a["id"], b["id"]]
    locations = selectors.locations_resolve(workspace=api.workspace, items=[{}, {}])
    assert locations == [location_default(api.workspace)] * 2
