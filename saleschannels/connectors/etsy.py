"""Etsy (simulated): titles are at most 140 characters, with at most 13 tags of at most 20
characters each (the tags are the variant's option values)."""

from saleschannels.connectors.registry import register
from saleschannels.connectors.simulated import SimulatedConnector

MAX_TITLE = 140
MAX_TAGS = 13
MAX_TAG_LENGTH = 20


@register
class EtsyConnector(SimulatedConnector):
    type = "etsy"
    label = "Etsy"
    prefix = "ETSY"

    def problems(self, variant):
        problems = super().problems(variant)
        title, tags = self.title(variant), self.tags(variant)
        if len(title) > MAX_TITLE:
            problems.append(
                f"Etsy titles are at most {MAX_TITLE} characters; this one has {len(title)}."
            )
        if len(tags) > MAX_TAGS:
            problems.append(
                f"Etsy listings have at most {MAX_TAGS} tags (the variant's option values); "
                f"this one has {len(tags)}."
            )
        long_tags = [tag for tag in tags if len(tag) > MAX_TAG_LENGTH]
        if long_tags:
            problems.append(
                f"Etsy tags are at most {MAX_TAG_LENGTH} characters: {long_tags[0]!r} is longer."
            )
        return problems
