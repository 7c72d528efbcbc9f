"""Amazon (simulated): every listing needs a valid GTIN (UPC, EAN…) with its check digit."""

from inventory.validators import gtin_is_valid
from saleschannels.connectors.registry import register
from saleschannels.connectors.simulated import SimulatedConnector

NO_GTIN = (
    "Amazon needs a valid GTIN (UPC or EAN) for every listing: set the variant's barcode "
    "(8, 12, 13 or 14 digits with a correct check digit)."
)
MAX_TITLE = 200


@register
class AmazonConnector(SimulatedConnector):
    type = "amazon"
    label = "Amazon"
    prefix = "AMZ"

    def problems(self, variant):
        problems = super().problems(variant)
        if not gtin_is_valid(variant.barcode or ""):
            problems.append(NO_GTIN)
        if len(self.title(variant)) > MAX_TITLE:
            problems.append(f"Amazon titles are at most {MAX_TITLE} characters.")
        return problems
