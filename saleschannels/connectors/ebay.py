"""eBay (simulated): titles are at most 80 characters."""

from saleschannels.connectors.registry import register
from saleschannels.connectors.simulated import SimulatedConnector

MAX_TITLE = 80


@register
class EbayConnector(SimulatedConnector):
    type = "ebay"
    label = "eBay"
    prefix = "EBAY"

    def problems(self, variant):
        problems = super().problems(variant)
        title = self.title(variant)
        if len(title) > MAX_TITLE:
            problems.append(
                f"eBay titles are at most {MAX_TITLE} characters; this one has {len(title)}."
            )
        return problems
