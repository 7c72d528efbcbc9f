"""The demo's channels: two (one Amazon), listings active and in error for real reasons, and
seeding twice changes nothing."""

import pytest

from portal.demo_catalogue import demo_catalogue_seed
from saleschannels.demo import demo_channels_seed
from saleschannels.models import Channel, Listing, SimulatedListing

pytestmark = pytest.mark.usefixtures("no_broker")


def test_the_demo_has_two_channels_with_listings_some_in_error(workspace):
    demo_catalogue_seed(workspace)

    amazon, etsy = demo_channels_seed(workspace)

    assert (amazon.type, etsy.type) == ("amazon", "etsy")
    assert [loc.name for loc in etsy.locations.all()] == ["Retail store"]
    errors = dict(
        Listing.objects.filter(state="error").values_list("variant__sku", "error_message")
    )
    assert set(errors) == {"GIFT-CARD-50", "SAMPLE-PACK"}
    assert "Amazon needs a valid GTIN" in errors["GIFT-CARD-50"]
    assert "positive price" in errors["SAMPLE-PACK"]
    assert Listing.objects.filter(state="active").count() == 14
    assert SimulatedListing.objects.count() == 14

    counts = (Channel.objects.count(), Listing.objects.count(), SimulatedListing.objects.count())
    demo_channels_seed(workspace)
    assert (
        Channel.objects.count(),
        Listing.objects.count(),
        SimulatedListing.objects.count(),
    ) == counts
