"""A simulated marketplace: it enforces its marketplace's published listing rules and keeps its
own record of what each listing shows (``SimulatedListing``), as the real one would. Each
marketplace module subclasses it with its rules."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from saleschannels.connectors.base import (
    PUSHED,
    Connector,
    ListingRejected,
    PushResult,
    listing_title,
)
from saleschannels.models import SimulatedListing

ARCHIVED = "The variant is archived: archived variants cannot be listed."
NO_PRICE = "Every listing needs a positive price: set the variant's price."


class SimulatedConnector(Connector):
    simulated = True
    prefix = "SIM"  # external ids look like the marketplace's own: "AMZ-…"

    # --- The marketplace's rules ------------------------------------------------------------

    def title(self, variant) -> str:
        return listing_title(variant)

    def tags(self, variant) -> list[str]:
        """The listing's search tags: the variant's option values, once each."""
        return list(dict.fromkeys(str(value) for value in (variant.options or {}).values()))

    def problems(self, variant) -> list[str]:
        """Every reason the marketplace would refuse this variant, as sentences."""
        problems = []
        if variant.status == "archived":
            problems.append(ARCHIVED)
        if variant.price is None or variant.price <= Decimal(0):
            problems.append(NO_PRICE)
        return problems

    # --- The interface ----------------------------------------------------------------------

    def external_id(self, listing) -> str:
        return listing.external_id or f"{self.prefix}-{listing.channel_id}-{listing.pk}"

    def publish(self, listing, variant) -> str:
        problems = self.problems(variant)
        if problems:
            raise ListingRejected(" ".join(problems))
        external_id = self.external_id(listing)
        SimulatedListing.objects.update_or_create(
            channel_id=listing.channel_id,
            external_id=external_id,
            defaults={
                "sku": variant.sku,
                "title": self.title(variant),
                "price": variant.price,
                "tags": self.tags(variant),
                "state": "active",
            },
        )
        return external_id

    def push_quantities(self, items):
        results = {}
        records = {
            record.external_id: record
            for record in SimulatedListing.objects.filter(
                channel_id=self.channel.pk, external_id__in=[li.external_id for li, _ in items]
            )
        }
        now = timezone.now()
        with transaction.atomic():
            for listing, quantity in items:
                record = records.get(listing.external_id)
                if record is None:
                    results[listing.pk] = PushResult(
                        ok=False,
                        error=f"{self.label} has no listing {listing.external_id!r} any more.",
                    )
                    continue
                if record.state != "active":
                    results[listing.pk] = PushResult(
                        ok=False, error=f"{self.label} shows the listing as {record.state}."
                    )
                    continue
                SimulatedListing.objects.filter(pk=record.pk).update(
                    quantity=max(quantity, 0), pushes=F("pushes") + 1, updated_at=now
                )
                results[listing.pk] = PUSHED
        return results

    def unpublish(self, listing) -> None:
        if listing.external_id:
            SimulatedListing.objects.filter(
                channel_id=listing.channel_id, external_id=listing.external_id
            ).update(state="inactive", updated_at=timezone.now())
