"""Every write to the catalogue and to stock. API views, the admin and seed_demo call these.

Stock follows one recipe (STYLE.md): inside one transaction, lock the levels in primary-key
order, check, change, and append the ledger row and the domain events. The database's
``CHECK (on_hand >= 0)`` is the last line behind it.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Func, Q, Subquery
from django.utils import timezone

from accounts.models import Workspace
from core import events
from core.errors import InvalidState
from core.sql import CompiledQuery, own_columns
from inventory.errors import InsufficientStock, SkuTaken, StockChanged
from inventory.limits import MAX_COUNT
from inventory.models import (
    Location,
    Product,
    Reason,
    SourceType,
    Status,
    StockAdjustment,
    StockLevel,
    Variant,
)
from inventory.queries import stock_incoming
from inventory.representations import ADJUSTMENTS, LEVELS, product_represent

DEFAULT_LOCATION_NAME = "Main warehouse"
VARIANT_FIELDS = ("sku", "name", "options", "barcode", "price", "cost", "reorder_point")


@dataclass(frozen=True)
class Actor:
    """Who makes a change, as the ledger records it."""

    type: str
    id: int | None
    name: str
    reference: str = ""  # another system's id of the source (a channel order's)

    @classmethod
    def api_key(cls, api_key) -> "Actor":
        return cls(SourceType.API_KEY, api_key.pk, api_key.name)

    @classmethod
    def user(cls, user) -> "Actor":
        return cls(SourceType.USER, user.pk, user.email)

    @classmethod
    def channel_order(cls, *, channel_id: int, order_id: str, name: str) -> "Actor":
        """A live channel's order: ``id`` is the channel, ``reference`` the store's order id."""
        return cls(SourceType.CHANNEL_ORDER, channel_id, name, order_id)

    @classmethod
    def system(cls, name: str = "Salync") -> "Actor":
        return cls(SourceType.SYSTEM, None, name)


# --- Locations ---------------------------------------------------------------------------------


def location_create(*, workspace: Workspace, name: str, is_default: bool = False) -> Location:
    """Create a location; names are unique in a workspace."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A location needs a name."})
    if Location.objects.filter(workspace=workspace, name=name).exists():
        raise ValidationError({"name": f"There is already a location named {name!r}."})
    try:
        with transaction.atomic():
            return Location.objects.create(workspace=workspace, name=name, is_default=is_default)
    except IntegrityError:
        raise ValidationError({"name": f"There is already a location named {name!r}."}) from None


_DEFAULT_LOCATION = CompiledQuery(
    lambda workspace_id: (
        Location.objects.filter(workspace_id=workspace_id, is_default=True)
        .order_by("pk")
        .values(*own_columns(Location))[:1]
    )
)


def location_default(workspace: Workspace) -> Location:
    """The workspace's default location, created if it has none yet."""
    for location in _DEFAULT_LOCATION.instances(Location, workspace_id=workspace.pk):
        return location
    with transaction.atomic():
        Location.objects.bulk_create(
            [Location(workspace=workspace, name=DEFAULT_LOCATION_NAME, is_default=True)],
            ignore_conflicts=True,
        )
    return Location.objects.get(workspace=workspace, is_default=True)


# --- Products and variants ---------------------------------------------------------------------


def _record_product_event(workspace: Workspace, product_id: int, type: str) -> None:
    """A product event carries the whole product, variants and stock included, as it is now."""
    events.event_record(workspace=workspace, type=type, obj=product_represent(product_id))


def _check_skus_free(workspace: Workspace, skus: dict[str, str], exclude_variant=None) -> None:
    """``skus`` maps each SKU to the error field naming it (``variants.1.sku``)."""
    taken = Variant.objects.filter(workspace=workspace, sku__in=list(skus))
    if exclude_variant is not None:
        taken = taken.exclude(pk=exclude_variant.pk)
    taken_skus = sorted(taken.values_list("sku", flat=True))
    if taken_skus:
        raise SkuTaken(
            f"SKU {taken_skus[0]!r} is already used in this workspace.",
            fields={
                skus[sku]: ["This SKU is already used in this workspace."] for sku in taken_skus
            },
        )


def _variant_values(data: dict) -> dict:
    values = {name: data[name] for name in VARIANT_FIELDS if name in data}
    if "barcode" in values and values["barcode"] is None:
        values["barcode"] = ""
    return values


@transaction.atomic
def product_create(
    *, workspace: Workspace, name: str, variants: list[dict], description: str = ""
) -> Product:
    """Create a product with at least one variant, each stocked at 0 in the default location."""
    if not variants:
        raise ValidationError({"variants": "A product needs at least one variant."})
    _check_skus_free(workspace, {v["sku"]: f"variants.{i}.sku" for i, v in enumerate(variants)})
    product = Product.objects.create(workspace=workspace, name=name, description=description)
    location = location_default(workspace)
    try:
        with transaction.atomic():
            created = [
                Variant.objects.create(workspace=workspace, product=product, **_variant_values(v))
                for v in variants
            ]
    except IntegrityError:  # a concurrent request took a SKU between check and insert
        raise SkuTaken() from None
    StockLevel.objects.bulk_create(
        [StockLevel(workspace=workspace, variant=v, location=location) for v in created]
    )
    _record_product_event(workspace, product.pk, events.PRODUCT_CREATED)
    return product


@transaction.atomic
def product_update(*, product: Product, **changes) -> Product:
    """Change a product's name or description."""
    allowed = {"name", "description"}
    if set(changes) - allowed:
        raise ValidationError(f"Only {', '.join(sorted(allowed))} can be changed here.")
    for name, value in changes.items():
        setattr(product, name, value)
    product.save()
    _record_product_event(product.workspace, product.pk, events.PRODUCT_UPDATED)
    return product


def _set_status(model, obj, status: str, error: str) -> None:
    """Move ``obj`` to ``status`` with one conditional UPDATE: of two racing requests, exactly
    one changes it and the other gets 409 invalid_state."""
    now = timezone.now()
    changed = (
        model.objects.filter(pk=obj.pk).exclude(status=status).update(status=status, updated_at=now)
    )
    if not changed:
        raise InvalidState(error)
    obj.status, obj.updated_at = status, now


@transaction.atomic
def product_archive(*, product: Product) -> Product:
    """Archive a product: it leaves default lists; its stock and history stay."""
    _set_status(Product, product, Status.ARCHIVED, "The product is already archived.")
    _record_product_event(product.workspace, product.pk, events.PRODUCT_ARCHIVED)
    return product


@transaction.atomic
def product_unarchive(*, product: Product) -> Product:
    """Bring an archived product back."""
    _set_status(Product, product, Status.ACTIVE, "The product is not archived.")
    _record_product_event(product.workspace, product.pk, events.PRODUCT_UPDATED)
    return product


@transaction.atomic
def variant_create(*, product: Product, **data) -> Variant:
    """Add a variant to a product, stocked at 0 in the default location."""
    workspace = product.workspace
    _check_skus_free(workspace, {data["sku"]: "sku"})
    try:
        with transaction.atomic():
            variant = Variant.objects.create(
                workspace=workspace, product=product, **_variant_values(data)
            )
    except IntegrityError:
        raise SkuTaken(fields={"sku": ["This SKU is already used in this workspace."]}) from None
    StockLevel.objects.create(
        workspace=workspace, variant=variant, location=location_default(workspace)
    )
    Product.objects.filter(pk=product.pk).update(updated_at=variant.updated_at)
    _record_product_event(workspace, product.pk, events.PRODUCT_UPDATED)
    return variant


@transaction.atomic
def variant_update(*, variant: Variant, **data) -> Variant:
    """Change a variant. Raising its reorder point above a level's on_hand flags that level."""
    values = _variant_values(data)
    if "sku" in values and values["sku"] != variant.sku:
        _check_skus_free(variant.workspace, {values["sku"]: "sku"}, exclude_variant=variant)
    levels = list(
        StockLevel.objects.select_for_update(of=("self",))
        .select_related("variant")
        .filter(variant=variant)
        .annotate(incoming=stock_incoming())
        .order_by("pk")
    )
    was_below = {level.pk: level.below_threshold for level in levels}
    for name, value in values.items():
        setattr(variant, name, value)
    try:
        with transaction.atomic():
            variant.save()
    except IntegrityError:
        raise SkuTaken(fields={"sku": ["This SKU is already used in this workspace."]}) from None
    for level in levels:
        level.variant = variant
        if level.below_threshold and not was_below[level.pk]:
            events.event_record(
                workspace=variant.workspace,
                type=events.STOCK_BELOW_THRESHOLD,
                obj=LEVELS.of([level])[0],
            )
    Product.objects.filter(pk=variant.product_id).update(updated_at=variant.updated_at)
    _record_product_event(variant.workspace, variant.product_id, events.PRODUCT_UPDATED)
    return variant


def _variant_set_status(variant: Variant, status: str, error: str) -> Variant:
    _set_status(Variant, variant, status, error)
    Product.objects.filter(pk=variant.product_id).update(updated_at=variant.updated_at)
    _record_product_event(variant.workspace, variant.product_id, events.PRODUCT_UPDATED)
    return variant


@transaction.atomic
def variant_archive(*, variant: Variant) -> Variant:
    """Archive a variant: off default lists and new orders; stock and history stay."""
    return _variant_set_status(variant, Status.ARCHIVED, "The variant is already archived.")


@transaction.atomic
def variant_unarchive(*, variant: Variant) -> Variant:
    """Bring an archived variant back."""
    return _variant_set_status(variant, Status.ACTIVE, "The variant is not archived.")


# --- Stock -------------------------------------------------------------------------------------


@dataclass
class AdjustmentLine:
    """One requested change of stock."""

    variant: Variant
    location: Location
    quantity: int
    reason: str
    note: str = ""
    expected_on_hand: int | None = None


def stock_levels_ensure(*, workspace: Workspace, pairs: Iterable[tuple[int, int]]) -> None:
    """A level (at 0) for each (variant id, location id) of ``pairs`` that has none: so that a
    purchase order for a variant never stocked at its location shows as ``incoming``. Inserted
    in sorted order, locking nothing (see ``_lock_levels``); one inserted meanwhile is kept."""
    pairs = sorted(set(pairs))
    if not pairs:
        return
    variant_ids, location_ids = [list(ids) for ids in zip(*pairs, strict=True)]
    scoped = _levels_of_pairs(workspace.pk, variant_ids, location_ids)
    existing = set(scoped.values_list("variant_id", "location_id"))
    StockLevel.objects.bulk_create(
        [
            StockLevel(workspace=workspace, variant_id=variant_id, location_id=location_id)
            for variant_id, location_id in pairs
            if (variant_id, location_id) not in existing
        ],
        ignore_conflicts=True,
    )


def _lock_levels(workspace: Workspace, lines: list[AdjustmentLine]) -> dict:
    """Lock the levels of the lines' (variant, location) pairs in primary-key order (no
    deadlocks), creating the missing ones first; each comes with the line's variant and
    location objects (no join for them).

    Nearly always they all exist: one query locks them, and only if it finds all of them (a
    transaction that held some while waiting on another's insert of the rest could deadlock
    with it). Otherwise it locks none, the missing are inserted in sorted order (two batches
    creating the same levels would otherwise each wait on a row the other has just inserted;
    ``ignore_conflicts`` for the one inserted meanwhile), and then all are locked."""
    pairs = sorted({(line.variant.pk, line.location.pk) for line in lines})
    variant_ids, location_ids = [list(ids) for ids in zip(*pairs, strict=True)]
    levels = _LOCK_ALL_OR_NONE.instances(
        StockLevel, workspace_id=workspace.pk, variant_ids=variant_ids, location_ids=location_ids
    )
    if len(levels) < len(pairs):
        stock_levels_ensure(workspace=workspace, pairs=pairs)
        levels = _locked(_levels_of_pairs(workspace.pk, variant_ids, location_ids))
    variants = {line.variant.pk: line.variant for line in lines}
    locations = {line.location.pk: line.location for line in lines}
    for level in levels:
        level.variant, level.location = variants[level.variant_id], locations[level.location_id]
    return {(level.variant_id, level.location_id): level for level in levels}


def _locked(levels) -> list[StockLevel]:
    return list(levels.select_for_update().annotate(incoming=stock_incoming()).order_by("pk"))


def _levels_of_pairs(workspace_id: int, variant_ids: list[int], location_ids: list[int]):
    match = Q()
    for variant_id, location_id in zip(variant_ids, location_ids, strict=True):
        match |= Q(variant_id=variant_id, location_id=location_id)
    return StockLevel.objects.filter(match, workspace_id=workspace_id)


def _lock_all_or_none(workspace_id: int, variant_ids: list[int], location_ids: list[int]):
    """The pairs' levels locked in primary-key order, only if every one of them exists."""
    scoped = _levels_of_pairs(workspace_id, variant_ids, location_ids)
    found = scoped.order_by().annotate(n=Func("pk", function="COUNT")).values("n")
    return (
        scoped.alias(found=Subquery(found))
        .filter(found=len(variant_ids))
        .select_for_update()
        .annotate(incoming=stock_incoming())
        .order_by("pk")
        .values(*own_columns(StockLevel), "incoming")
    )


# Compiled once per number of pairs (core.sql): an adjustment builds no query.
_LOCK_ALL_OR_NONE = CompiledQuery(_lock_all_or_none)


def _line_label(line: AdjustmentLine, index: int | None) -> str:
    where = f"line {index + 1} ({line.variant.sku})" if index is not None else line.variant.sku
    return f"{where} at {line.location.name}"


@dataclass(frozen=True)
class Adjusted:
    """One applied line, represented once: ``represented`` is the ledger entry's
    representation (its ``stock.adjusted`` event's object) and ``level_represented`` the
    level's, as the whole batch left it."""

    adjustment: StockAdjustment
    level: StockLevel
    represented: dict
    level_represented: dict


@transaction.atomic
def stock_apply(
    *, workspace: Workspace, lines: list[AdjustmentLine], actor: Actor, batch: bool = True
) -> list[Adjusted]:
    """Apply adjustments in order, all or nothing, each represented once for its events and
    for the caller's answer."""
    for line in lines:
        if line.reason not in Reason.values:
            raise ValidationError({"reason": f"Unknown reason {line.reason!r}."})
        if line.quantity == 0:
            raise ValidationError({"quantity": "Must not be zero."})
        if line.variant.workspace_id != workspace.pk or line.location.workspace_id != workspace.pk:
            raise ValidationError("The variant and the location must belong to the workspace.")
    levels = _lock_levels(workspace, lines)
    applied = []
    level_now = {}  # a level's representation, while no later line has changed it
    for index, line in enumerate(lines):
        label = _line_label(line, index if batch else None)
        level = levels[(line.variant.pk, line.location.pk)]
        before = level.on_hand
        if line.expected_on_hand is not None and before != line.expected_on_hand:
            raise StockChanged(
                f"{label}: on_hand is {before}, not the expected {line.expected_on_hand}."
            )
        after = before + line.quantity
        if after < 0:
            raise InsufficientStock(
                f"{label}: on_hand is {before}; taking {-line.quantity} would go below zero."
            )
        if after > MAX_COUNT:
            raise ValidationError(f"{label}: on_hand would exceed {MAX_COUNT}.")
        was_below = level.below_threshold
        level.on_hand = after  # safe: the row is locked until commit
        level.save(update_fields=["on_hand", "updated_at"])
        level_now.pop(level.pk, None)
        adjustment = StockAdjustment.objects.create(
            workspace=workspace,
            level=level,
            variant=level.variant,
            location=level.location,
            quantity=line.quantity,
            on_hand_after=after,
            reason=line.reason,
            note=line.note,
            source_type=actor.type,
            source_id=actor.id,
            source_name=actor.name,
            source_reference=actor.reference,
        )
        [represented] = ADJUSTMENTS.of([adjustment])
        events.event_record(workspace=workspace, type=events.STOCK_ADJUSTED, obj=represented)
        if level.below_threshold and not was_below:
            [level_now[level.pk]] = LEVELS.of([level])
            events.event_record(
                workspace=workspace, type=events.STOCK_BELOW_THRESHOLD, obj=level_now[level.pk]
            )
        applied.append((adjustment, level, represented))
    unrepresented = list({lv.pk: lv for _, lv, _ in applied if lv.pk not in level_now}.values())
    level_now.update(zip((lv.pk for lv in unrepresented), LEVELS.of(unrepresented), strict=True))
    return [
        Adjusted(entry, lv, represented, level_now[lv.pk]) for entry, lv, represented in applied
    ]


def stock_adjust_batch(
    *, workspace: Workspace, lines: list[AdjustmentLine], actor: Actor, batch: bool = True
) -> list[tuple[StockAdjustment, StockLevel]]:
    """Apply adjustments in order, all or nothing. Returns (ledger entry, level) per line."""
    applied = stock_apply(workspace=workspace, lines=lines, actor=actor, batch=batch)
    return [(line.adjustment, line.level) for line in applied]


def stock_adjust(
    *,
    workspace: Workspace,
    variant: Variant,
    location: Location,
    quantity: int,
    reason: str,
    actor: Actor,
    note: str = "",
    expected_on_hand: int | None = None,
) -> tuple[StockAdjustment, StockLevel]:
    """Change on_hand by ``quantity`` (signed) and append it to the ledger, race-free."""
    line = AdjustmentLine(
        variant=variant,
        location=location,
        quantity=quantity,
        reason=reason,
        note=note,
        expected_on_hand=expected_on_hand,
    )
    return stock_adjust_batch(workspace=workspace, lines=[line], actor=actor, batch=False)[0]
