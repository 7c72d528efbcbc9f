"""The staff admin for channels and listings: it shows them, edits nothing directly, and its
"Sync now" actions go through the services and tasks."""

import pytest
from django.urls import reverse

from core.crypto import secret_encrypt
from saleschannels.models import Channel, Listing
from saleschannels.sync import listings_sync
from tests.saleschannels.factories import make_channel, make_listing, make_variant

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def listing(workspace, no_broker):
    listing = make_listing(
        make_channel(workspace, "amazon", "Amazon EU"),
        make_variant(workspace, "ADM-1", barcode=None),
    )
    listings_sync([listing.pk])
    return listing


@pytest.mark.parametrize("model", ["channel", "listing", "channelorderline", "simulatedlisting"])
def test_the_lists_and_pages_show_and_edit_nothing(staff_client, listing, model):
    changelist = staff_client.get(reverse(f"admin:saleschannels_{model}_changelist"))
    assert changelist.status_code == 200
    assert staff_client.get(reverse(f"admin:saleschannels_{model}_add")).status_code == 403


def test_a_listing_page_shows_its_error(staff_client, listing):
    page = staff_client.get(reverse("admin:saleschannels_listing_change", args=[listing.pk]))
    assert page.status_code == 200
    assert "Amazon needs a valid GTIN" in page.content.decode()
    before = Listing.objects.get(pk=listing.pk).state
    staff_client.post(
        reverse("admin:saleschannels_listing_change", args=[listing.pk]), {"state": "active"}
    )
    assert Listing.objects.get(pk=listing.pk).state == before


def test_sync_now_queues_the_channels_listings(staff_client, listing, no_broker):
    no_broker.clear()
    response = staff_client.post(
        reverse("admin:saleschannels_channel_changelist"),
        {"action": "sync_now", "_selected_action": [listing.channel_id]},
    )
    assert response.status_code == 302
    assert no_broker == [("now", ([listing.pk],), {"force": True})]


def test_retry_queues_the_selected_listings(staff_client, listing, no_broker):
    no_broker.clear()
    staff_client.post(
        reverse("admin:saleschannels_listing_changelist"),
        {"action": "retry", "_selected_action": [listing.pk]},
    )
    assert no_broker == [("now", ([listing.pk],), {"force": True})]
    assert Channel.objects.count() == 1


def test_a_channel_page_shows_its_settings(staff_client, listing):
    page = staff_client.get(
        reverse("admin:saleschannels_channel_change", args=[listing.channel_id])
    )
    assert page.status_code == 200
    assert "Amazon EU" in page.content.decode()


def test_a_live_channels_key_is_in_no_admin_page(staff_client, workspace):
    """Made directly: connecting for real needs a store (tests/saleschannels/
    test_medusa_connector.py connects to one)."""
    key = "sk_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    channel = Channel.objects.create(
        workspace=workspace,
        type="medusa",
        name="Medusa shop",
        store_url="https://shop.example.com",
        credentials=secret_encrypt(key),
        external_location_id="sloc_01",
    )
    search = staff_client.get(reverse("admin:saleschannels_channel_changelist"), {"q": key})
    assert "0 results" in search.content.decode()  # the key is not searchable either
    pages = [
        staff_client.get(reverse("admin:saleschannels_channel_changelist")),
        staff_client.get(reverse("admin:saleschannels_channel_change", args=[channel.pk])),
    ]
    for page in pages:
        body = page.content.decode()
        assert page.status_code == 200
        assert key not in body
        assert channel.credentials not in body
    assert "https://shop.example.com" in pages[1].content.decode()
    assert key not in repr(channel) + str(channel)
