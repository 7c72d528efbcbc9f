"""Medusa (live): a seller's own Medusa v2 store, through its Admin API (SPEC §5.4).

- Connecting checks the secret key (``GET /admin/stores``) and makes sure the store has a
  stock location named "Salync", linked to its default sales channel: Salync's stock goes
  there, and the store's orders reserve from it.
- Publishing finds the store's variant by SKU, or creates a product with that variant; the
  listing keeps the variant's id (``external_id``) and its inventory item's (``item_id``).
- A push sets every item's level in one batch call: ``stocked_quantity`` = ``available`` +
  the store's own ``reserved_quantity`` (orders not fulfilled yet), so the store's
  ``available_quantity`` is Salync's ``available``; then it reads the levels back.
- Orders are read by ``updated_at`` (``saleschannels.orders`` applies them).
"""

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

from core.crypto import SecretUnreadable, secret_decrypt
from saleschannels.connectors.base import (
    ChannelUnavailable,
    Connector,
    ListingRejected,
    Published,
    PushResult,
    Store,
    StoreOrder,
    StoreOrderLine,
    listing_title,
)
from saleschannels.connectors.medusa_client import MedusaClient, MedusaRefused, StoreUnavailable
from saleschannels.connectors.registry import register
from saleschannels.limits import ORDERS_PAGE

LOCATION_NAME = "Salync"
OPTION = "Variant"  # the option a product Salync creates varies by (Medusa needs one)
ARCHIVED = "The variant is archived: archived variants cannot be listed."
NO_PRICE = "Medusa needs a price to create the product: set the variant's price."
UNREADABLE_KEY = (
    "The stored API key cannot be decrypted (SALYNC_ENCRYPTION_KEY changed): connect the "
    "channel again with its key."
)
NOT_MEDUSA = "The server at this URL does not answer like a Medusa store's Admin API."
# Orders in these states sold nothing (a draft is not an order yet).
NOT_SOLD = {"canceled", "draft"}


def _refused(action: str, refused: MedusaRefused) -> str:
    return f"Medusa refused to {action}: {refused.message}"


@register
class MedusaConnector(Connector):
    type = "medusa"
    label = "Medusa"
    live = True

    def __init__(self, channel):
        super().__init__(channel)
        self._client: MedusaClient | None = None
        self._store_facts: dict | None = None  # asked once per sync, when a product is created

    @property
    def client(self) -> MedusaClient:
        if self._client is None:
            try:
                api_key = secret_decrypt(self.channel.credentials)
            except SecretUnreadable:
                raise ChannelUnavailable(UNREADABLE_KEY) from None
            self._client = MedusaClient(self.channel.store_url, api_key)
        return self._client

    # --- Connecting --------------------------------------------------------------------------

    @classmethod
    def connect(cls, *, store_url: str, api_key: str) -> Store:
        client = MedusaClient(store_url, api_key)
        try:
            try:
                store = _store(client)
            except MedusaRefused:  # e.g. 404: there is no Admin API at this address
                raise ValidationError({"store_url": [NOT_MEDUSA]}) from None
            return Store(location_id=_salync_location(client, store))
        except StoreUnavailable as unavailable:
            raise ValidationError(
                {"api_key" if unavailable.auth else "store_url": [unavailable.reason]}
            ) from None
        except MedusaRefused as refused:
            raise ValidationError(
                {"store_url": [_refused("prepare its Salync stock location", refused)]}
            ) from None
        except (KeyError, TypeError, AttributeError):  # JSON, but not the Admin API's shapes
            raise ValidationError({"store_url": [NOT_MEDUSA]}) from None

    # --- Publishing ----------------------------------------------------------------------------

    def publish(self, listing, variant) -> Published:
        if variant.status == "archived":
            raise ListingRejected(ARCHIVED)
        try:
            found = self._variant(variant.sku) or self._product_create(variant)
            item_id = _item_id(found)
            if not item_id:
                raise ListingRejected(
                    f"Medusa's variant {variant.sku} does not manage its inventory: turn on "
                    "“Manage inventory” for it in Medusa, then publish again."
                )
            self._level_ensure(item_id)
        except MedusaRefused as refused:
            raise ListingRejected(_refused(f"list {variant.sku}", refused)) from None
        return Published(external_id=found["id"], item_id=item_id)

    def _variant(self, sku: str) -> dict | None:
        found = self.client.get(
            "/admin/product-variants",
            {"sku": sku, "fields": "id,sku,inventory_items.inventory_item_id"},
        )["variants"]
        return next((variant for variant in found if variant.get("sku") == sku), None)

    def _product_create(self, variant) -> dict:
        if variant.price is None or variant.price <= Decimal(0):
            raise ListingRejected(NO_PRICE)
        value = variant.name or variant.sku
        if self._store_facts is None:
            self._store_facts = _store(self.client)
        store = self._store_facts
        self.client.post(
            "/admin/products",
            {
                "title": listing_title(variant),
                "description": variant.product.description,
                "status": "published",
                "options": [{"title": OPTION, "values": [value]}],
                "variants": [
                    {
                        "title": value,
                        "sku": variant.sku,
                        "barcode": variant.barcode or None,
                        "manage_inventory": True,
                        "options": {OPTION: value},
                        "prices": [
                            {
                                "currency_code": store["currency_code"],
                                "amount": float(variant.price),
                            }
                        ],
                    }
                ],
                "sales_channels": [{"id": store["sales_channel_id"]}],
            },
        )
        created = self._variant(variant.sku)
        if created is None:
            raise ChannelUnavailable(f"Medusa created {variant.sku} but does not show it.")
        return created

    def _level_ensure(self, item_id: str) -> None:
        """Give the item a level at the Salync location, so the batch push can update it."""
        location_id = self.channel.external_location_id
        levels = self.client.get(
            f"/admin/inventory-items/{item_id}/location-levels", {"location_id": location_id}
        )["inventory_levels"]
        if not levels:
            self.client.post(
                f"/admin/inventory-items/{item_id}/location-levels",
                {"location_id": location_id, "stocked_quantity": 0},
            )

    # --- Stock ---------------------------------------------------------------------------------

    def push_quantities(self, items):
        location_id = self.channel.external_location_id
        by_item = {listing.external_item_id: (listing, quantity) for listing, quantity in items}
        results = {
            listing.pk: PushResult(ok=False, error="The listing has no Medusa inventory item yet.")
            for listing, _ in items
            if not listing.external_item_id
        }
        by_item.pop("", None)
        if not by_item:
            return results
        try:
            levels = self._levels(list(by_item))
            update, create = [], []
            for item_id, (_, quantity) in by_item.items():
                level = levels.get(item_id)
                stocked = max(quantity, 0) + (level["reserved_quantity"] if level else 0)
                entry = {
                    "inventory_item_id": item_id,
                    "location_id": location_id,
                    "stocked_quantity": stocked,
                }
                (update if level else create).append(entry)
            self.client.post(
                "/admin/inventory-items/location-levels/batch", {"create": create, "update": update}
            )
            after = self._levels(list(by_item))  # the batch's own answer can be stale
        except MedusaRefused as refused:
            reason = _refused("set the stock levels", refused)
            return results | {
                listing.pk: PushResult(False, reason) for listing, _ in by_item.values()
            }
        for item_id, (listing, _) in by_item.items():
            level = after.get(item_id)
            if level is None:
                results[listing.pk] = PushResult(
                    ok=False, error="Medusa has no stock level for the item at “Salync”."
                )
            else:
                results[listing.pk] = PushResult(ok=True, quantity=level["available_quantity"])
        return results

    def _levels(self, item_ids: list[str]) -> dict[str, dict]:
        """Each item's level at the Salync location (absent: none), in one request."""
        answer = self.client.get(
            "/admin/inventory-items",
            {
                "id[]": item_ids,
                "fields": "id,location_levels.location_id,location_levels.stocked_quantity,"
                "location_levels.reserved_quantity,location_levels.available_quantity",
                "limit": len(item_ids),
            },
        )
        # Every level of each item comes back (a location filter only drops items): pick ours.
        location_id = self.channel.external_location_id
        levels = {}
        for item in answer["inventory_items"]:
            for level in item.get("location_levels") or []:
                if level.get("location_id") == location_id:
                    levels[item["id"]] = level
        return levels

    def unpublish(self, listing) -> None:
        """Off sale in Salync's terms: nothing left to sell at the Salync location."""
        if listing.external_item_id:
            self.push_quantities([(listing, 0)])

    # --- Orders --------------------------------------------------------------------------------

    def orders_since(self, since: datetime) -> Iterator[StoreOrder]:
        offset = 0
        while True:
            try:
                answer = self.client.get(
                    "/admin/orders",
                    {
                        "updated_at[$gte]": since.isoformat(),
                        "order": "updated_at",
                        "limit": ORDERS_PAGE,
                        "offset": offset,
                        # The list returns every item in full whatever ``fields`` asks.
                        "fields": "id,display_id,status,created_at,updated_at,canceled_at",
                    },
                )
            except MedusaRefused as refused:
                raise ChannelUnavailable(_refused("list its orders", refused)) from None
            orders = answer.get("orders") or []
            for order in orders:
                yield _order(order)
            offset += len(orders)
            if not orders or offset >= answer.get("count", 0):
                return


def _store(client: MedusaClient) -> dict:
    """The store's default sales channel and currency (creating a product needs both)."""
    try:
        stores = client.get(
            "/admin/stores", {"fields": "id,default_sales_channel_id,*supported_currencies"}
        )["stores"]
    except KeyError:
        raise StoreUnavailable(
            "The Medusa store's answer to GET /admin/stores had no stores."
        ) from None
    if not stores:
        raise StoreUnavailable("The Medusa server has no store.")
    store = stores[0]
    currencies = store.get("supported_currencies") or []
    default = next(
        (c for c in currencies if c.get("is_default")), currencies[0] if currencies else None
    )
    return {
        "sales_channel_id": store.get("default_sales_channel_id"),
        "currency_code": (default or {}).get("currency_code", "usd"),
    }


def _salync_location(client: MedusaClient, store: dict) -> str:
    """The id of the stock location named "Salync", created and linked to the store's default
    sales channel when missing."""
    found = client.get(
        "/admin/stock-locations", {"name": LOCATION_NAME, "fields": "id,name,sales_channels.id"}
    )["stock_locations"]
    location = next((loc for loc in found if loc.get("name") == LOCATION_NAME), None)
    if location is None:
        location = client.post("/admin/stock-locations", {"name": LOCATION_NAME})["stock_location"]
        location["sales_channels"] = []
    channel_id = store["sales_channel_id"]
    linked = {sc.get("id") for sc in location.get("sales_channels") or []}
    if channel_id and channel_id not in linked:
        client.post(
            f"/admin/stock-locations/{location['id']}/sales-channels", {"add": [channel_id]}
        )
    return location["id"]


def _item_id(variant: dict) -> str:
    links = variant.get("inventory_items") or []
    return links[0].get("inventory_item_id", "") if links else ""


def _order(order: dict) -> StoreOrder:
    number = order.get("display_id")
    return StoreOrder(
        external_id=order["id"],
        name=f"#{number}" if number is not None else order["id"],
        created_at=_when(order["created_at"]),
        updated_at=_when(order["updated_at"]),
        lines=[
            StoreOrderLine(
                external_id=item["id"],
                sku=item.get("variant_sku") or "",
                quantity=int(item.get("quantity") or 0),
            )
            for item in order.get("items") or []
        ],
        canceled=order.get("status") in NOT_SOLD or bool(order.get("canceled_at")),
    )


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
