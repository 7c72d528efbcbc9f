"""The one interface every marketplace connector implements, simulated or live.

The sync (``saleschannels.sync``) is the only caller: it hands a connector listings with their
variants loaded and records what the connector answers. A connector never writes a
``Listing`` or a ``Channel``; a live one (step 9: Medusa) replaces a simulated one by
registering under the same interface, nothing else changes.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass


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


PUSHED = PushResult(ok=True)


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

    def __init__(self, channel):
        self.channel = channel

    @abstractmethod
    def publish(self, listing, variant) -> str:
        """Create or refresh the listing of ``variant`` on the marketplace; its external id.
        Raises :class:`ListingRejected` with the marketplace's reason."""

    @abstractmethod
    def push_quantities(self, items: list[tuple[object, int]]) -> dict[int, PushResult]:
        """Set each published listing's quantity (``(listing, available)`` pairs); a result
        per listing id. Raises :class:`ChannelUnavailable` when nothing could be pushed."""

    @abstractmethod
    def unpublish(self, listing) -> None:
        """Take the listing off sale on the marketplace (it may be published again)."""
