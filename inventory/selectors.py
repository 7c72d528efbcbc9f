"""Reads that resolve what a request names into the workspace's objects. The stock API uses
them, and so will purchase-order lines and channel listings: one set of rules and messages."""

from django.core.exceptions import ValidationError

from accounts.models import Workspace
from inventory.models import Location, Variant
from inventory.services import location_default

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
    variant_ids = {item["variant_id"] for item in items if "variant_id" in item}
    skus = {item["sku"] for item in items if "variant_id" not in item}
    variants = Variant.objects.filter(workspace=workspace)
    by_id = {v.pk: v for v in variants.filter(pk__in=variant_ids)} if variant_ids else {}
    by_sku = {v.sku: v for v in variants.filter(sku__in=skus)} if skus else {}
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
    location_ids = {item["location_id"] for item in items if "location_id" in item}
    by_id = (
        {loc.pk: loc for loc in Location.objects.filter(workspace=workspace, pk__in=location_ids)}
        if location_ids
        else {}
    )
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
