"""Reads that resolve what a request names into the workspace's objects. The stock API uses
them, and so will purchase-order lines and channel listings: one set of rules and messages."""

from django.core.exceptions import ValidationError

from accounts.models import Workspace
from core.sql import CompiledQuery, own_columns
from inventory.models import Location, Variant
from inventory.services import location_default

_VARIANTS_BY_ID = CompiledQuery(
    lambda workspace_id, ids: (
        Variant.objects.filter(workspace_id=workspace_id, pk__in=ids)
        .order_by()
        .values(*own_columns(Variant))
    )
)
_VARIANTS_BY_SKU = CompiledQuery(
    lambda workspace_id, skus: (
        Variant.objects.filter(workspace_id=workspace_id, sku__in=skus)
        .order_by()
        .values(*own_columns(Variant))
    )
)
_LOCATIONS_BY_ID = CompiledQuery(
    lambda workspace_id, ids: (
        Location.objects.filter(workspace_id=workspace_id, pk__in=ids)
        .order_by()
        .values(*own_columns(Location))
    )
)

# Enough to fix a request by; a body of 100 bad lines gets a short answer, not 100 messages.
MAX_LINE_ERRORS = 20


def _field(prefix: str, index: int | None, name: str) -> str:
    return f"{prefix}{index}.{name}" if index is not None else name


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(dict(list(errors.items())[:MAX_LINE_ERRORS]))


def variants_resolve(
    *, workspace: Workspace, items: list[dict], prefix: str = "", lines: bool = True
) -> list[Variant]:
    """The variant each item names by ``variant_id`` or ``sku``, in the items' order, looked up
    in the workspace only (another workspace's id is as unknown as a missing one), with one
    query per kind of reference. Unknown references are errors per line
    (``adjustments.3.sku``); with ``lines=False`` the single item's fields are named bare."""
    variant_ids = sorted({item["variant_id"] for item in items if "variant_id" in item})
    skus = sorted({item["sku"] for item in items if "variant_id" not in item})
    by_id = by_sku = {}
    if variant_ids:
        found = _VARIANTS_BY_ID.instances(Variant, workspace_id=workspace.pk, ids=variant_ids)
        by_id = {variant.pk: variant for variant in found}
    if skus:
        found = _VARIANTS_BY_SKU.instances(Variant, workspace_id=workspace.pk, skus=skus)
        by_sku = {variant.sku: variant for variant in found}
    found, errors = [], {}
    for index, item in enumerate(items):
        where = index if lines else None
        if "variant_id" in item:
            variant = by_id.get(item["variant_id"])
            if variant is None:
                errors[_field(prefix, where, "variant_id")] = ["No variant with this id."]
        else:
            variant = by_sku.get(item["sku"])
            if variant is None:
                errors[_field(prefix, where, "sku")] = ["No variant with this SKU."]
        found.append(variant)
    _raise(errors)
    return found


def locations_resolve(
    *, workspace: Workspace, items: list[dict], prefix: str = "", lines: bool = True
) -> list[Location]:
    """The location each item names by ``location_id``, or the workspace's default location
    where it names none; errors per line as ``variants_resolve``."""
    location_ids = sorted({item["location_id"] for item in items if "location_id" in item})
    by_id = {}
    if location_ids:
        found = _LOCATIONS_BY_ID.instances(Location, workspace_id=workspace.pk, ids=location_ids)
        by_id = {location.pk: location for location in found}
    default = None
    found, errors = [], {}
    for index, item in enumerate(items):
        if "location_id" in item:
            location = by_id.get(item["location_id"])
            if location is None:
                where = index if lines else None
                errors[_field(prefix, where, "location_id")] = ["No location with this id."]
        else:
            default = default or location_default(workspace)
            location = default
        found.append(location)
    _raise(errors)
    return found
