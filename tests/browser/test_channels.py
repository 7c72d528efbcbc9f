"""Channels in the browser, from a fresh workspace: connect an Amazon channel under Settings →
Channels, publish a variant that has no GTIN on the channel's page, see the listing in error
with Amazon's reason, fix the barcode on the product's edit page, "Sync now", and see it
active. The test process plays the Celery worker (``saleschannels.sync.listings_sync`` on what
the pages queued); the real worker path is tested in tests/saleschannels. Elements are found by
role and label (SPEC §4 copy)."""

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from saleschannels import sync
from saleschannels.connectors.amazon import NO_GTIN
from saleschannels.models import Listing, ListingState
from tests.browser.a11y import assert_no_serious_violations
from tests.browser.steps import log_in
from tests.factories import MembershipFactory, ProductFactory, make_workspace

SKU = "LAMP-1"
GTIN = "4006381333931"


@pytest.fixture
def queued(monkeypatch):
    """The syncs the pages queue, as (listing ids, force), instead of messages to the broker."""
    from saleschannels import tasks

    sent: list[tuple[list[int], bool]] = []
    monkeypatch.setattr(
        tasks.sync_listings, "delay", lambda ids, force=False: sent.append((ids, force))
    )
    return sent


@pytest.fixture
def coalesced(monkeypatch):
    """The variant ids of the coalesced syncs a catalogue change schedules a few seconds
    ahead: recorded, never run, so the test sees that "Sync now" does not wait for them."""
    from saleschannels import tasks

    due: list[int] = []
    monkeypatch.setattr(
        tasks.sync_variant, "apply_async", lambda args, countdown: due.append(args[0])
    )
    return due


def work_the_queue(queued: list[tuple[list[int], bool]]) -> None:
    """What the worker would do with each queued sync."""
    assert queued, "nothing was queued"
    while queued:
        ids, force = queued.pop(0)
        sync.listings_sync(ids, force=force)


def listing_row(page: Page):
    return (
        page.get_by_role("region", name="Listings on Amazon EU")
        .get_by_role("row")
        .filter(has_text=SKU)
    )


@pytest.mark.browser
def test_connect_publish_see_the_error_fix_it_and_sync(page: Page, queued, coalesced):
    workspace = make_workspace("Lamp Co")
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER)
    product = ProductFactory(
        workspace=workspace, name="Desk lamp", variants=[{"sku": SKU, "price": "39.00"}]
    )
    nav = page.get_by_role("navigation", name="Main")

    log_in(page, owner.user.email)
    nav.get_by_role("link", name="Channels", exact=True).click()
    expect(page.get_by_role("heading", name="Channels", level=1)).to_be_visible()
    expect(page.get_by_text("No channels yet.")).to_be_visible()
    assert_no_serious_violations(page, "channels, empty")

    page.get_by_role("link", name="Connect channel").click()
    form = page.get_by_role("form", name="Connect a channel")
    form.get_by_label("Channel type", exact=True).select_option(label="Amazon (simulated)")
    form.get_by_label("Name", exact=True).fill("Amazon EU")
    form.get_by_role("button", name="Connect channel").click()
    expect(page.get_by_role("status")).to_contain_text("Connected “Amazon EU”.")

    nav.get_by_role("link", name="Channels", exact=True).click()
    page.get_by_role("link", name="Amazon EU", exact=True).click()
    expect(page.get_by_role("heading", name="Amazon EU", level=1)).to_be_visible()
    expect(page.get_by_text("Nothing is listed on Amazon EU yet.")).to_be_visible()

    page.get_by_label("Variant", exact=True).select_option(label=f"{SKU} · Desk lamp")
    page.get_by_role("button", name="Publish variant").click()
    expect(page.get_by_role("status")).to_contain_text(f"Published {SKU} on Amazon EU")
    expect(listing_row(page)).to_contain_text("Pending")

    work_the_queue(queued)
    page.reload()
    row = listing_row(page)
    expect(row).to_contain_text("Error")
    expect(row).to_contain_text(NO_GTIN)
    assert_no_serious_violations(page, "a channel with a listing in error")

    nav.get_by_role("link", name="Channels", exact=True).click()
    page.get_by_role("link", name="Listings in error").click()
    errors = page.get_by_role("region", name="Listings").get_by_role("row").filter(has_text=SKU)
    expect(errors).to_contain_text("Amazon EU")
    expect(errors).to_contain_text(NO_GTIN)

    page.goto(f"/products/{product.pk}/edit/")
    page.get_by_label("Barcode", exact=True).fill(GTIN)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Saved “Desk lamp”.")
    assert coalesced == [product.variants.get().pk]  # due in a few seconds

    nav.get_by_role("link", name="Channels", exact=True).click()
    page.get_by_role("link", name="Amazon EU", exact=True).click()
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_role("status")).to_contain_text("Syncing 1 listing on Amazon EU")
    work_the_queue(queued)
    page.reload()
    row = listing_row(page)
    expect(row).to_contain_text("Active")
    expect(row).not_to_contain_text(NO_GTIN)
    assert Listing.objects.get().state == ListingState.ACTIVE


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1280])
def test_the_channel_pages_fit_the_screen(page: Page, width):
    """A listing's long error message wraps inside the table's own scrolling box: the page
    itself never scrolls sideways."""
    from tests.saleschannels.factories import make_channel, make_listing, make_variant

    workspace = make_workspace("Narrow Co")
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER)
    channel = make_channel(workspace, "amazon", "Amazon EU")
    make_listing(channel, make_variant(workspace, SKU, barcode=""))
    sync.listings_sync(list(Listing.objects.values_list("pk", flat=True)))
    page.set_viewport_size({"width": width, "height": 800})

    log_in(page, owner.user.email)
    for path in ("/channels/", f"/channels/{channel.pk}/", "/channels/listings/?state=error"):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} at {width} px scrolls sideways by {overflow} px"
