"""The Channels pages (SPEC §4): `/channels/` with status and listing counts, a channel's page
with its listings by state and their error messages, "Publish variant" and "Sync now", and
`/channels/listings/` across channels. Members read everything and change nothing."""

import re

import pytest

from accounts.models import Role
from inventory.services import product_archive, variant_archive
from saleschannels import sync
from saleschannels.connectors.amazon import NO_GTIN
from saleschannels.errors import AlreadyListed
from saleschannels.models import Listing, ListingState
from tests.factories import MembershipFactory, WorkspaceFactory
from tests.saleschannels.factories import make_channel, make_listing, make_variant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_broker")]

OVERVIEW = "/channels/"
LISTINGS = "/channels/listings/"


@pytest.fixture
def member_client(client, owner):
    client.force_login(MembershipFactory(workspace=owner.workspace, role=Role.MEMBER).user)
    return client


def page_of(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def error_beside(page: str, field: str) -> str:
    found = re.search(rf'<div class="error" id="id_{field}_error">(.*?)</div>', page, re.S)
    assert found, page
    return found.group(1)


def amazon_with_an_error(workspace):
    """An Amazon channel with one active listing and one refused for its missing GTIN."""
    channel = make_channel(workspace, "amazon", "Amazon EU")
    make_listing(channel, make_variant(workspace, "GOOD-1"))
    make_listing(channel, make_variant(workspace, "NOGTIN-1", barcode=""))
    sync.listings_sync(list(Listing.objects.values_list("pk", flat=True)))
    return channel


# --- /channels/ --------------------------------------------------------------------------------


def test_the_overview_lists_each_channel_with_its_counts_and_links_to_its_page(owner_client, owner):
    channel = amazon_with_an_error(owner.workspace)
    make_channel(owner.workspace, "etsy", "Etsy shop")

    page = page_of(owner_client, OVERVIEW)

    assert 'href="/channels/" aria-current="page">Channels</a>' in page
    assert f'<a href="/channels/{channel.pk}/">Amazon EU</a>' in page
    assert "Etsy shop" in page
    assert page.count("simulated</span>") == 2
    assert page.count('<span class="badge badge-ok">Connected</span>') == 2
    # Amazon EU: 1 active, 0 pending, 0 inactive, 1 in error (linked to the filtered page).
    amazon_row = page[page.index("Amazon EU</a>") : page.index("Etsy shop")]
    cells = re.findall(r"<td>(.*?)</td>", amazon_row, re.S)
    assert cells[2:5] == ["1", "0", "0"]
    assert f'href="/channels/{channel.pk}/?state=error"><strong>1</strong>' in cells[5]
    assert 'href="/channels/listings/?state=error">Listings in error</a>' in page


def test_a_channel_in_error_shows_its_reason(owner_client, owner):
    channel = make_channel(owner.workspace, "shopify", "Shopify")
    channel.status, channel.status_message = "error", "The shop refused our token."
    channel.save()

    page = page_of(owner_client, OVERVIEW)

    assert '<span class="badge badge-error">Error</span>' in page
    assert "The shop refused our token." in page


def test_an_empty_workspace_gets_connect_channel_pointing_to_settings(owner_client):
    page = page_of(owner_client, OVERVIEW)

    assert "No channels yet." in page
    assert 'href="/settings/channels/#connect-title">Connect channel</a>' in page


def test_a_member_sees_an_empty_state_without_the_action(member_client):
    page = page_of(member_client, OVERVIEW)
    assert "No channels yet." in page
    assert "Connect channel" not in page


def test_the_settings_list_links_each_channel_to_its_page(owner_client, owner):
    channel = make_channel(owner.workspace, "ebay", "eBay UK")
    page = page_of(owner_client, "/settings/channels/")
    assert f'<a href="/channels/{channel.pk}/">eBay UK</a>' in page
    assert "Never" in page  # not synced yet


# --- A channel's page --------------------------------------------------------------------------


def test_the_channel_page_shows_its_facts_and_listings_with_their_errors(owner_client, owner):
    channel = amazon_with_an_error(owner.workspace)

    page = page_of(owner_client, f"/channels/{channel.pk}/")

    assert "<h1>Amazon EU</h1>" in page
    for fact in ("Type", "Status", "Locations", "Stock buffer", "Last synced"):
        assert f"<dt>{fact}</dt>" in page
    assert "All locations" in page
    assert "0 units held back" in page
    assert "<code>GOOD-1</code>" in page
    assert "<code>NOGTIN-1</code>" in page
    assert '<span class="badge badge-ok">Active</span>' in page
    assert '<span class="badge badge-error">Error</span>' in page
    assert NO_GTIN.replace("'", "&#x27;") in page
    assert "UTC" in page  # the last push's exact time is in its tooltip
    assert ">Sync now</button>" in page
    assert "Every active variant is listed on Amazon EU." in page  # nothing left to publish


def test_publish_variant_is_offered_while_a_variant_is_not_listed(owner_client, owner):
    channel = make_channel(owner.workspace, "amazon", "Amazon EU")
    make_variant(owner.workspace, "FREE-1")
    page = page_of(owner_client, f"/channels/{channel.pk}/")
    assert ">Publish variant</button>" in page


def test_the_channel_page_filters_its_listings_by_state(owner_client, owner):
    channel = amazon_with_an_error(owner.workspace)

    page = page_of(owner_client, f"/channels/{channel.pk}/?state=error")

    assert "<code>NOGTIN-1</code>" in page
    assert "<code>GOOD-1</code>" not in page
    assert re.search(r'href="\?state=error" aria-current="page">Error <span[^>]*>1</span>', page)
    assert re.search(r'href="\?">All <span class="badge">2</span>', page)

    pending = page_of(owner_client, f"/channels/{channel.pk}/?state=pending")
    assert "No pending listings on Amazon EU." in pending
    unknown = page_of(owner_client, f"/channels/{channel.pk}/?state=nonsense")
    assert "<code>GOOD-1</code>" in unknown
    assert "<code>NOGTIN-1</code>" in unknown


def test_a_channel_with_no_listings_says_so(owner_client, owner):
    channel = make_channel(owner.workspace, "etsy", "Etsy shop")
    page = page_of(owner_client, f"/channels/{channel.pk}/")
    assert "Nothing is listed on Etsy shop yet." in page


def test_another_workspaces_channel_is_not_found(owner_client):
    theirs = make_channel(WorkspaceFactory(), "etsy", "Theirs")
    assert owner_client.get(f"/channels/{theirs.pk}/").status_code == 404
    assert owner_client.post(f"/channels/{theirs.pk}/sync/").status_code == 404
    assert owner_client.post(f"/channels/{theirs.pk}/publish/", {}).status_code == 404


# --- Publish variant ---------------------------------------------------------------------------


def test_the_variant_choices_are_this_workspaces_active_variants_not_yet_listed(
    owner_client, owner
):
    channel = make_channel(owner.workspace, "shopify", "Shopify")
    make_listing(channel, make_variant(owner.workspace, "LISTED-1"))
    make_variant(owner.workspace, "FREE-1", product_name="Mug", name="Blue")
    product_archive(product=make_variant(owner.workspace, "OLD-1").product)
    variant_archive(variant=make_variant(owner.workspace, "OLD-2"))
    make_variant(WorkspaceFactory(), "THEIRS-1")

    page = page_of(owner_client, f"/channels/{channel.pk}/")

    assert '<label for="id_variant">Variant</label>' in page
    options = re.findall(r"<option value=\"\d*\"[^>]*>(.*?)</option>", page)
    assert options == ["Choose a variant", "FREE-1 · Mug — Blue"]


def test_an_owner_publishes_a_variant(owner_client, owner, no_broker):
    channel = make_channel(owner.workspace, "shopify", "Shopify")
    variant = make_variant(owner.workspace, "MUG-1")

    response = owner_client.post(f"/channels/{channel.pk}/publish/", {"variant": variant.pk})

    assert response.status_code == 302
    assert response.url == f"/channels/{channel.pk}/"
    listing = Listing.objects.get()
    assert (listing.channel, listing.variant, listing.state) == (
        channel,
        variant,
        ListingState.PENDING,
    )
    page = page_of(owner_client, response.url)
    assert "Published MUG-1 on Shopify" in page
    assert '<span class="badge badge-off">Pending</span>' in page


@pytest.mark.parametrize("value", ["", "987654"])
def test_an_invalid_choice_is_shown_beside_the_variant_and_nothing_is_listed(
    owner_client, owner, value
):
    channel = make_channel(owner.workspace, "shopify", "Shopify")
    make_variant(owner.workspace, "MUG-1")

    response = owner_client.post(f"/channels/{channel.pk}/publish/", {"variant": value})

    assert response.status_code == 200
    message = "This field is required." if not value else "Select a valid choice."
    assert message in error_beside(response.content.decode(), "variant")
    assert not Listing.objects.exists()


def test_another_workspaces_variant_cannot_be_published(owner_client, owner):
    channel = make_channel(owner.workspace, "shopify", "Shopify")
    theirs = make_variant(WorkspaceFactory(), "THEIRS-1")

    response = owner_client.post(f"/channels/{channel.pk}/publish/", {"variant": theirs.pk})

    assert "Select a valid choice." in error_beside(response.content.decode(), "variant")
    assert not Listing.objects.exists()


def test_the_services_refusal_is_shown_beside_the_variant(owner_client, owner, monkeypatch):
    """A variant listed by someone else between the page and the post: the service's words."""
    from saleschannels import services

    channel = make_channel(owner.workspace, "shopify", "Shopify")
    variant = make_variant(owner.workspace, "MUG-1")

    def listed_meanwhile(*, channel, variant):
        raise AlreadyListed(f"{variant.sku} is already listed on {channel.name}.")

    monkeypatch.setattr(services, "listing_publish", listed_meanwhile)
    response = owner_client.post(f"/channels/{channel.pk}/publish/", {"variant": variant.pk})

    assert response.status_code == 200
    page = response.content.decode()
    assert "MUG-1 is already listed on Shopify." in error_beside(page, "variant")


# --- Sync now ----------------------------------------------------------------------------------


def test_sync_now_queues_every_listing_and_says_so(owner_client, owner, no_broker):
    channel = amazon_with_an_error(owner.workspace)
    ids = sorted(Listing.objects.values_list("pk", flat=True))
    no_broker.clear()

    response = owner_client.post(f"/channels/{channel.pk}/sync/")

    assert response.status_code == 302
    assert response.url == f"/channels/{channel.pk}/"
    [(kind, args, kwargs)] = no_broker
    assert (kind, sorted(args[0]), kwargs) == ("now", ids, {"force": True})
    assert "Syncing 2 listings on Amazon EU" in page_of(owner_client, response.url)


def test_sync_now_without_listings_says_there_is_nothing_to_sync(owner_client, owner, no_broker):
    channel = make_channel(owner.workspace, "etsy", "Etsy shop")

    response = owner_client.post(f"/channels/{channel.pk}/sync/")

    assert no_broker == []
    assert "Etsy shop has no listings yet: nothing to sync." in page_of(owner_client, response.url)


def test_sync_now_is_a_post(owner_client, owner):
    channel = make_channel(owner.workspace, "etsy", "Etsy shop")
    assert owner_client.get(f"/channels/{channel.pk}/sync/").status_code == 405
    assert owner_client.get(f"/channels/{channel.pk}/publish/").status_code == 405


# --- Members -----------------------------------------------------------------------------------


def test_a_member_reads_the_channel_page_and_cannot_publish_or_sync(
    member_client, owner, no_broker
):
    channel = amazon_with_an_error(owner.workspace)
    variant = make_variant(owner.workspace, "FREE-1")
    no_broker.clear()

    page = page_of(member_client, f"/channels/{channel.pk}/")
    assert NO_GTIN.replace("'", "&#x27;") in page
    assert "Sync now" not in page
    assert "Publish variant" not in page

    published = member_client.post(f"/channels/{channel.pk}/publish/", {"variant": variant.pk})
    assert published.status_code == 403
    assert member_client.post(f"/channels/{channel.pk}/sync/").status_code == 403
    assert Listing.objects.count() == 2
    assert no_broker == []


# --- /channels/listings/ -----------------------------------------------------------------------


def test_the_listings_page_filters_across_channels_by_state(owner_client, owner):
    amazon = amazon_with_an_error(owner.workspace)
    etsy = make_channel(owner.workspace, "etsy", "Etsy shop")
    make_listing(etsy, make_variant(owner.workspace, "PENDING-1"))
    other = WorkspaceFactory()
    make_listing(make_channel(other, "amazon", "Theirs"), make_variant(other, "THEIRS-1"))

    page = page_of(owner_client, f"{LISTINGS}?state=error")

    assert 'href="/channels/" aria-current="page">Channels</a>' in page
    assert "<code>NOGTIN-1</code>" in page
    assert f'<a href="/channels/{amazon.pk}/">Amazon EU</a>' in page
    assert NO_GTIN.replace("'", "&#x27;") in page
    for absent in ("GOOD-1", "PENDING-1", "THEIRS-1"):
        assert absent not in page
    assert re.search(r'href="\?">All <span class="badge">3</span>', page)

    everything = page_of(owner_client, LISTINGS)
    for sku in ("GOOD-1", "NOGTIN-1", "PENDING-1"):
        assert f"<code>{sku}</code>" in everything
    assert "THEIRS-1" not in everything


def test_the_listings_page_is_paginated(owner_client, owner):
    channel = make_channel(owner.workspace, "shopify", "Shopify")
    for n in range(51):
        make_listing(channel, make_variant(owner.workspace, f"SKU-{n:03d}"))

    first = page_of(owner_client, f"{LISTINGS}?state=pending")
    second = page_of(owner_client, f"{LISTINGS}?state=pending&page=2")

    assert first.count("<code>SKU-") == 50
    assert "Page 1 of 2" in first
    assert 'href="?state=pending&amp;page=2">Next</a>' in first
    assert second.count("<code>SKU-") == 1
    assert "<code>SKU-050</code>" in second


def test_no_listings_yet_points_to_the_channels(owner_client):
    page = page_of(owner_client, LISTINGS)
    assert "Nothing is listed on a channel yet." in page
    assert 'href="/channels/">Go to channels</a>' in page


def test_a_filter_without_matches_says_so(owner_client, owner):
    amazon_with_an_error(owner.workspace)
    page = page_of(owner_client, f"{LISTINGS}?state=inactive")
    assert "No inactive listings." in page
