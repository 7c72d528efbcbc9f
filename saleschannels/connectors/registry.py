"""Channel type → connector class. Each marketplace module registers its connector here; a
live connector registered for a type replaces the simulated one for every channel of it."""

from importlib import import_module

from saleschannels.connectors.base import Connector

# The marketplace modules, in the order people see the types; each registers its connector.
MODULES = ["shopify", "amazon", "ebay", "etsy", "woocommerce", "medusa"]

_CONNECTORS: dict[str, type[Connector]] = {}
_imported = False


def register(connector: type[Connector]) -> type[Connector]:
    """Class decorator: ``connector.type`` is served by ``connector`` from now on."""
    _CONNECTORS[connector.type] = connector
    return connector


def _loaded() -> dict[str, type[Connector]]:
    global _imported
    if not _imported:
        for module in MODULES:
            import_module(f"saleschannels.connectors.{module}")
        _imported = True
    order = {type: index for index, type in enumerate(MODULES)}
    return dict(sorted(_CONNECTORS.items(), key=lambda item: order.get(item[0], len(order))))


def types() -> list[str]:
    return list(_loaded())


def connector_class(type: str) -> type[Connector]:
    """The connector of a channel type; ``KeyError`` for a type nobody serves."""
    return _loaded()[type]


def connector_for(channel) -> Connector:
    return connector_class(channel.type)(channel)


def label(type: str) -> str:
    connector = _loaded().get(type)
    return connector.label if connector else type


def is_simulated(type: str) -> bool:
    connector = _loaded().get(type)
    return bool(connector and connector.simulated)


def is_live(type: str) -> bool:
    connector = _loaded().get(type)
    return bool(connector and connector.live)


def live_types() -> list[str]:
    """The types served by a live connector (a real store, with orders to pull)."""
    return [type for type, connector in _loaded().items() if connector.live]


def choices() -> list[tuple[str, str]]:
    """``(type, label)`` for every registered type, in registration order."""
    return [(type, connector.label) for type, connector in _loaded().items()]
