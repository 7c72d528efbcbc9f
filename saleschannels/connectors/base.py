"""The one interface every marketplace connector implements, simulated or live.

The sync (``saleschannels.sync``) is the only caller: it hands a connector listings with their
variants loaded and records what the connector answers. A connector never writes a
``Listing`` or a ``Channel``; a live one (step 9: Medusa) replaces a simulated one by
registering under the same interface, nothing else changes. A live store also answers
``connect`` (the Settings form checks its credentials) and ``orders_since`` (its orders come
back as stock movements, ``saleschannels.orders``).
"""

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime


class ListingRejected(Exception):
    """The marketplace refuses the listing: ``reason`` is a sentence for the seller."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class ChannelUnavailable(Exception):
    """The marketplace cannot be reached or refuses the connection (credentials, outage):
    every listing in the call failed with ``reason``."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class PushResult:
    """One listing's answer to a quantity push: ``ok``, or the marketplace's ``error``."""

    ok: bool
    error: str = ""
    quantity: int | None = None  # what the store reads back, when it was asked


PUSHED = PushResult(ok=True)


@dataclass(frozen=True)
class Published:
    """Where a published listing lives in a store: its ``external_id`` (the store's variant)
    and, for a store that counts stock per inventory item, that item's id."""

    external_id: str
    item_id: str = ""


@dataclass(frozen=True)
class Store:
    """What connecting to a live store found: the stock location Salync's stock goes to."""

    location_id: str


@dataclass(frozen=True)
class StoreOrderLine:
    external_id: str
    sku: str
    quantity: int


@dataclass(frozen=True)
class StoreOrder:
    """An order a store sold, as its orders list shows it."""

    external_id: str
    name: str  # how people name it: "#1042"
    created_at: datetime
    updated_at: datetime
    lines: list[StoreOrderLine] = field(default_factory=list)
    canceled: bool = False


def listing_title(variant) -> str:
    """The title a variant is listed under: its product's name and, if it has one, its own."""
    name = variant.product.name
    return f"{name} — {variant.name}" if variant.name else name


class Connector(ABC):
    """A marketplace, seen through one of its channels.

    ``type`` is the channel type it serves, ``label`` the name people see and ``simulated``
    whether it stands in for a marketplace not connected for real yet."""

    type: str = ""
    label: str = ""
    simulated: bool = False
    live: bool = False  # a real store: connecting asks for its URL and a secret API key

    def __init__(self, channel):
        self.channel = channel

    @classmethod
    def connect(cls, *, store_url: str, api_key: str) -> Store:
        """Check a live store's URL and key and prepare it for Salync (network: never inside a
        transaction). Raises ``ValidationError`` keyed ``store_url`` or ``api_key``."""
        raise NotImplementedError(f"{cls.label} is not a live store.")

    @abstractmethod
    def publish(self, listing, variant) -> str | Published:
        """Create or refresh the listing of ``variant`` on the marketplace; its external id
        (or a :class:`Published`). Raises :class:`ListingRejected` with the marketplace's
        reason, or :class:`ChannelUnavailable`."""

    @abstractmethod
    def push_quantities(self, items: list[tuple[object, int]]) -> dict[int, PushResult]:
        """Set each published listing's quantity (``(listing, available)`` pairs); a result
        per listing id. Raises :class:`ChannelUnavailable` when nothing could be pushed."""

    @abstractmethod
    def unpublish(self, listing) -> None:
        """Take the listing off sale on the marketplace (it may be published again)."""

    def orders_since(self, since: datetime) -> Iterator[StoreOrder]:
        """The store's orders updated at or after ``since``, oldest change first (a
        simulated marketplace sells nothing). Raises :class:`ChannelUnavailable`."""
        return iter(())
