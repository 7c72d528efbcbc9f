"""Channels and listings made as the product makes them: through the services."""

from decimal import Decimal

from inventory.models import Variant
from inventory.services import Actor, location_default, product_create, stock_adjust
from saleschannels.models import Channel, Listing
from saleschannels.services import channel_connect, listing_publish

VALID_GTIN = "4006381333931"


def make_channel(workspace, type: str = "shopify", name: str | None = None, **fields) -> Channel:
    return channel_connect(
        workspace=workspace, type=type, name=name or f"{type.title()} store", **fields
    )


def make_variant(workspace, sku: str, *, price="19.90", barcode=VALID_GTIN, **fields) -> Variant:
    """A product with one sellable variant (a price and a valid GTIN unless told)."""
    product = product_create(
        workspace=workspace,
        name=fields.pop("product_name", f"Product {sku}"),
        variants=[
            {
                "sku": sku,
                "price": None if price is None else Decimal(price),
                "barcode": barcode or "",
                **fields,
            }
        ],
    )
    return product.variants.get()


def make_listing(channel: Channel, variant: Variant) -> Listing:
    return listing_publish(channel=channel, variant=variant)


def receive(workspace, variant: Variant, quantity: int) -> None:
    """``quantity`` more on hand at the default location (``received``, by the system)."""
    stock_adjust(
        workspace=workspace,
        variant=variant,
        location=location_default(workspace),
        quantity=quantity,
        reason="received",
        actor=Actor.system(),
    )
