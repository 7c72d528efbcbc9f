"""The one shape of each catalogue and stock object: what the API answers, and the
``data.object`` of the domain events the services record.

Built from rows, not from serializers (STYLE.md "Fast by construction"): each kind reads its
top level with ``.values()`` and loads what it nests with one query per level for all its rows
at once (a page of products → their variants → those variants' levels), joined in Python into
plain dicts. A page of 200 costs the queries a page of 2 does, and no field objects are built
per request. Sentry's ``serialize(objects)`` with its batch ``get_attrs`` is the model.

Every kind is a :class:`Representer`: the columns its rows are read with, and the batch
builder. Views list through ``rows()`` and ``many()``; services represent what they hold with
``of()``. Values are written exactly as DRF's fields write them (ISO 8601 with ``Z``, money as
strings with two places); the schema's serializers are in ``inventory.schema``.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Context, Decimal

from django.db.models import QuerySet
from django.utils import timezone

from core.sql import CompiledQuery
from inventory.models import Product, StockLevel, Variant
from inventory.queries import stock_incoming

# --- Values, as DRF writes them -----------------------------------------------------------------

_CENTS = Decimal("0.01")
# DRF's DecimalField quantizes with the field's max_digits as the precision.
_MONEY = Context(prec=Variant._meta.get_field("price").max_digits, rounding=ROUND_HALF_EVEN)


def datetime_writer() -> Callable[[datetime], str]:
    """DRF's DateTimeField for a batch: ISO 8601 in the current time zone, ``Z`` for UTC. The
    zone is read once per batch (reading it per value was a fifth of a list's time)."""
    zone = timezone.get_current_timezone()
    in_utc = zone.utcoffset(None) == timedelta(0) and getattr(zone, "key", "UTC") == "UTC"

    def write(value: datetime) -> str:
        if in_utc and value.tzinfo is UTC:  # as the database gives it: nothing to convert
            return value.isoformat()[:-6] + "Z"
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write


def money_text(value: Decimal | None) -> str | None:
    """DRF's DecimalField (two places, coerced to a string); null stays null."""
    return None if value is None else f"{value.quantize(_CENTS, context=_MONEY):f}"


# --- The pattern ---------------------------------------------------------------------------------


def _attribute(obj, column: str):
    for name in column.split("__"):
        obj = getattr(obj, name)
    return obj


@dataclass(frozen=True)
class Representer:
    """How one kind is represented: ``columns`` (``.values()`` names, ``variant__sku`` through
    a relation) and ``build``, which turns a list of such rows into their representations,
    loading what they nest with one query per level for the whole list."""

    columns: tuple[str, ...]
    build: Callable[[list[dict]], list[dict]]
    # One compiled lookup by id per queryset builder (see ``scoped_one``).
    _scoped: dict = field(default_factory=dict, compare=False, repr=False)

    def rows(self, queryset: QuerySet) -> QuerySet:
        """The queryset's rows as ``many`` wants them (still lazy: filter, order, paginate)."""
        return queryset.values(*self.columns)

    def many(self, rows: Iterable[dict]) -> list[dict]:
        return self.build(list(rows))

    def one(self, queryset: QuerySet, pk) -> dict:
        """``pk`` in ``queryset`` as it is now; the model's DoesNotExist when it is not there."""
        found = self.many(self.rows(queryset.filter(pk=pk)))
        if not found:
            raise queryset.model.DoesNotExist(f"No {queryset.model.__name__} {pk}.")
        return found[0]

    def scoped_one(self, builder: Callable[[int], QuerySet], workspace_id: int, pk: int) -> dict:
        """``pk`` among ``builder(workspace_id)``'s objects as it is now, like ``one`` but with
        the lookup's SQL compiled once (the API's detail GETs); DoesNotExist when absent."""
        lookup = self._scoped.get(builder)
        if lookup is None:
            lookup = self._scoped[builder] = CompiledQuery(
                lambda workspace_id, pk: self.rows(builder(workspace_id).filter(pk=pk))
            )
        found = self.many(lookup.rows(workspace_id=workspace_id, pk=pk))
        if not found:
            model = builder(workspace_id).model
            raise model.DoesNotExist(f"No {model.__name__} {pk}.")
        return found[0]

    def of(self, objects: Iterable) -> list[dict]:
        """Model instances in hand (a service's, after its write): the top level costs no
        query, so relations named in ``columns`` must be loaded."""
        return self.many(
            {column: _attribute(obj, column) for column in self.columns} for obj in objects
        )


def _grouped(items: list[dict], key: str) -> dict[int, list[dict]]:
    groups = defaultdict(list)
    for item in items:
        groups[item[key]].append(item)
    return groups


# --- Locations -----------------------------------------------------------------------------------

LOCATION_COLUMNS = ("id", "name", "is_default", "created_at", "updated_at")


def locations_represent(rows: list[dict]) -> list[dict]:
    when = datetime_writer()
    return [
        {
            "id": row["id"],
            "name": row["name"],
            "is_default": row["is_default"],
            "created_at": when(row["created_at"]),
            "updated_at": when(row["updated_at"]),
        }
        for row in rows
    ]


LOCATIONS = Representer(LOCATION_COLUMNS, locations_represent)


# --- Variants and products -----------------------------------------------------------------------

VARIANT_COLUMNS = (
    "id", "product_id", "sku", "name", "options", "barcode", "price", "cost", "reorder_point",
    "status", "created_at", "updated_at",
)  # fmt: skip


_LEVELS_OF_VARIANTS = CompiledQuery(
    lambda variant_ids: (
        StockLevel.objects.filter(variant_id__in=variant_ids)
        .order_by("location_id")
        .annotate(incoming=stock_incoming())
        .values("variant_id", "location_id", "on_hand", "incoming")
    )
)


def _stock_of(variant_ids: list[int]) -> dict[int, list[dict]]:
    """Each variant's on hand per location, by location id: one query for all of them."""
    stock = defaultdict(list)
    for level in _LEVELS_OF_VARIANTS.rows(variant_ids=variant_ids):
        stock[level["variant_id"]].append(
            {
                "location_id": level["location_id"],
                "on_hand": level["on_hand"],
                "incoming": level["incoming"],
            }
        )
    return stock


def variants_represent(rows: list[dict]) -> list[dict]:
    if not rows:
        return []
    return _variants_build(rows, _stock_of([row["id"] for row in rows]))


def _variants_build(rows: list[dict], stock: dict[int, list[dict]]) -> list[dict]:
    when = datetime_writer()
    return [
        {
            "id": row["id"],
            "product_id": row["product_id"],
            "sku": row["sku"],
            "name": row["name"],
            "options": row["options"],
            "barcode": row["barcode"] or None,
            "price": money_text(row["price"]),
            "cost": money_text(row["cost"]),
            "reorder_point": row["reorder_point"],
            "status": row["status"],
            "stock": stock.get(row["id"], []),
            "created_at": when(row["created_at"]),
            "updated_at": when(row["updated_at"]),
        }
        for row in rows
    ]


_VARIANTS_WITH_LEVELS = CompiledQuery(
    lambda product_ids: (
        Variant.objects.filter(product_id__in=product_ids)
        .order_by("id", "stock_levels__location_id")
        .annotate(incoming=stock_incoming("id", "stock_levels__location_id"))
        .values(*VARIANT_COLUMNS, "stock_levels__location_id", "stock_levels__on_hand", "incoming")
    )
)


def _variants_with_stock_of(product_ids: list[int]) -> list[dict]:
    """The products' variants by id, each with its stock: one query, the variants joined to
    their levels (a variant without levels comes once, with an empty stock)."""
    rows, stock = {}, defaultdict(list)
    for row in _VARIANTS_WITH_LEVELS.rows(product_ids=product_ids):
        location_id = row.pop("stock_levels__location_id")
        on_hand = row.pop("stock_levels__on_hand")
        incoming = row.pop("incoming")
        rows.setdefault(row["id"], row)
        if location_id is not None:
            stock[row["id"]].append(
                {"location_id": location_id, "on_hand": on_hand, "incoming": incoming}
            )
    return _variants_build(list(rows.values()), stock)


VARIANTS = Representer(VARIANT_COLUMNS, variants_represent)

PRODUCT_COLUMNS = ("id", "name", "description", "status", "created_at", "updated_at")


def products_represent(rows: list[dict]) -> list[dict]:
    """Products with all their variants (by id), each with its stock."""
    when = datetime_writer()
    if not rows:
        return []
    variants = _grouped(_variants_with_stock_of([row["id"] for row in rows]), "product_id")
    return [
        {
            "id": row["id"],
            "name": row["name"],
            "description": row["description"],
            "status": row["status"],
            "variants": variants.get(row["id"], []),
            "created_at": when(row["created_at"]),
            "updated_at": when(row["updated_at"]),
        }
        for row in rows
    ]


PRODUCTS = Representer(PRODUCT_COLUMNS, products_represent)


def product_represent(pk: int) -> dict:
    """One product as it is now, variants and stock included (three queries)."""
    return PRODUCTS.one(Product.objects.all(), pk)


# --- Stock -----------------------------------------------------------------------------------

LEVEL_COLUMNS = (
    "id", "variant_id", "variant__sku", "location_id", "on_hand", "variant__reorder_point",
    "created_at", "updated_at", "incoming",
)  # fmt: skip


def levels_represent(rows: list[dict]) -> list[dict]:
    when = datetime_writer()
    return [
        {
            "id": row["id"],
            "variant_id": row["variant_id"],
            "sku": row["variant__sku"],
            "location_id": row["location_id"],
            "on_hand": row["on_hand"],
            "incoming": row["incoming"],
            "reorder_point": row["variant__reorder_point"],
            "below_threshold": row["on_hand"] < row["variant__reorder_point"],
            "created_at": when(row["created_at"]),
            "updated_at": when(row["updated_at"]),
        }
        for row in rows
    ]


class _LevelRepresenter(Representer):
    """A level's ``incoming`` (units on open purchase orders) is an annotation, not a column
    (``inventory.queries.stock_incoming``, which the level queryset builder adds): ``rows``
    annotates a queryset that lacks it. The instances given to ``of`` carry it (the services
    lock levels with it)."""

    def rows(self, queryset: QuerySet) -> QuerySet:
        if "incoming" not in queryset.query.annotations:
            queryset = queryset.annotate(incoming=stock_incoming())
        return super().rows(queryset)


LEVELS = _LevelRepresenter(LEVEL_COLUMNS, levels_represent)

ADJUSTMENT_COLUMNS = (
    "id", "variant_id", "variant__sku", "location_id", "quantity", "on_hand_after", "reason",
    "note", "source_type", "source_id", "source_name", "source_reference", "created_at",
)  # fmt: skip


def adjustments_represent(rows: list[dict]) -> list[dict]:
    when = datetime_writer()
    represented = []
    for row in rows:
        created_at = when(row["created_at"])
        represented.append(
            {
                "id": row["id"],
                "variant_id": row["variant_id"],
                "sku": row["variant__sku"],
                "location_id": row["location_id"],
                "quantity": row["quantity"],
                "on_hand_after": row["on_hand_after"],
                "reason": row["reason"],
                "note": row["note"],
                "source": {
                    "type": row["source_type"],
                    # A channel order is named by the store's own id (SPEC §5.4).
                    "id": row["source_reference"] or row["source_id"],
                    "name": row["source_name"],
                },
                "created_at": created_at,
                "updated_at": created_at,  # ledger entries never change
            }
        )
    return represented


ADJUSTMENTS = Representer(ADJUSTMENT_COLUMNS, adjustments_represent)
