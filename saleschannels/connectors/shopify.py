"""Shopify (simulated): product titles are at most 255 characters."""

from saleschannels.connectors.registry import register
from saleschannels.connectors.simulated import SimulatedConnector

MAX_TITLE = 255


@register
class ShopifyConnector(SimulatedConnector):
    type = "shopify"
    label = "Shopify"
    prefix = "SHOP"

    def problems(self, variant):
        problems = super().problems(variant)
        if len(self.title(variant)) > MAX_TITLE:
            problems.append(f"Shopify titles are at most {MAX_TITLE} characters.")
        return problems
