"""Reads that resolve what a purchasing request names into the workspace's objects, with
errors per field (``lines.3.sku``), on inventory's variant selector."""

from django.core.exceptions import ValidationError

from accounts.models import Workspace
from inventory.models import Status, Variant
from inventory.selectors import locations_resolve, variants_resolve
from purchasing.models import Supplier


def order_variants_resolve(*, workspace: Workspace, items: list[dict]) -> list[Variant]:
    """Each line's variant (by ``variant_id`` or ``sku``), refusing archived ones under the
    field the line named it by."""
    variants = variants_resolve(workspace=workspace, items=items, prefix="lines.")
    archived = {
        f"lines.{index}.{'variant_id' if 'variant_id' in item else 'sku'}": [
            "This variant is archived: it cannot be ordered."
        ]
        for index, (item, variant) in enumerate(zip(items, variants, strict=True))
        if variant.status == Status.ARCHIVED
    }
    if archived:
        raise ValidationError(archived)
    return variants


def order_refs_resolve(*, workspace: Workspace, data: dict) -> tuple[Supplier, object]:
    """The order's supplier and location (the default one when none is named)."""
    supplier = Supplier.objects.filter(workspace=workspace, pk=data["supplier_id"]).first()
    errors = {} if supplier else {"supplier_id": ["No supplier with this id."]}
    try:
        [location] = locations_resolve(workspace=workspace, items=[data], lines=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return supplier, location
