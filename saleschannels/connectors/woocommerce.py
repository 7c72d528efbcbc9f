"""WooCommerce (simulated): the common rules (a positive price, no archived variant)."""

from saleschannels.connectors.registry import register
from saleschannels.connectors.simulated import SimulatedConnector


@register
class WooCommerceConnector(SimulatedConnector):
    type = "woocommerce"
    label = "WooCommerce"
    prefix = "WOO"
