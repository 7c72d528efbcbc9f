"""The live Medusa channel against a real Medusa server (tests/medusa_server.py): connecting
checks the secret key and stores it encrypted, published variants get Salync's stock in
Medusa's own inventory, orders placed in Medusa come back once as ``sold`` adjustments, and a
store that stops loses nothing. Quantities are read from Medusa's own Admin API."""

import logging
import time
import uuid

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Role
from core.crypto import secret_decrypt
from inventory.models import StockAdjustment, StockLevel
from saleschannels.models import Channel, ChannelOrderLine, Listing
from saleschannels.orders import channel_orders_pull
from saleschannels.sync import listings_sync
from tests.api_client import ApiClient
from tests.concurrency import run_threads
from tests.factories import MembershipFactory
from tests.saleschannels.factories import make_channel, make_listing, make_variant, receive
from tests.saleschannels.test_medusa_server import new_variant

pytestmark = [pytest.mark.medusa, pytest.mark.django_db(transaction=True)]

WITHIN_SECONDS = 20
LOCATION = "Salync"


@pytest.fixture(autouse=True)
def _private_store_allowed(settings):
    """The test store is on 127.0.0.1: allowed only with the switch, as in production."""
    settings.SALYNC_WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def running(medusa):
    """The shared Medusa, running again if a test stopped it."""
    if medusa._process is None:
        medusa.start()
    yield medusa
    if medusa._process is None:
        medusa.start()


def sku() -> str:
    return f"MED-{uuid.uuid4().hex[:8].upper()}"


def connect(workspace, medusa, **fields) -> Channel:
    return make_channel(
        workspace, "medusa", store_url=medusa.base_url, api_key=medusa.api_key, **fields
    )


def salync_location(medusa) -> dict:
    found = medusa.api(
        "GET",
        "/admin/stock-locations",
        params={"name": LOCATION, "fields": "id,name,sales_channels.id"},
    ).json()["stock_locations"]
    (location,) = found
    return location


def medusa_level(medusa, item_id: str, location_id: str) -> dict | None:
    """Medusa's own level of an inventory item at a location."""
    answer = medusa.api(
        "GET",
        f"/admin/inventory-items/{item_id}/location-levels",
        params={"location_id": location_id},
    )
    assert answer.status_code == 200, answer.text
    levels = answer.json()["inventory_levels"]
    return levels[0] if levels else None


def medusa_available(medusa, listing: Listing) -> int | None:
    level = medusa_level(medusa, listing.external_item_id, listing.channel.external_location_id)
    return None if level is None else level["available_quantity"]


def on_hand(variant) -> int:
    return sum(StockLevel.objects.filter(variant=variant).values_list("on_hand", flat=True))


def wait_for(condition, seconds: float = WITHIN_SECONDS):
    """Poll ``condition`` until it returns a truthy value; that value, or fail."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"not within {seconds} s"
        time.sleep(0.2)


# --- Connecting ----------------------------------------------------------------------------------


def connect_form(owner_client, medusa, **fields):
    return owner_client.post(
        reverse("saleschannels:list"),
        {
            "type": "medusa",
            "name": "My Medusa",
            "store_url": medusa.base_url,
            "api_key": medusa.api_key,
            "stock_buffer": "0",
            **fields,
        },
    )


@pytest.fixture
def owner_client(client, workspace):
    """An owner of the (Pro) channels workspace, logged in."""
    client.force_login(MembershipFactory(workspace=workspace, role=Role.OWNER).user)
    return client


def test_a_wrong_key_at_connect_gives_a_form_error_and_saves_nothing(running, owner_client):
    page = connect_form(owner_client, running, api_key="sk_" + "0" * 64)

    assert page.status_code == 200
    assert "Medusa refused the secret API key (401)" in page.content.decode()
    assert not Channel.objects.exists()


def test_an_unreachable_store_at_connect_gives_a_form_error_and_saves_nothing(
    running, owner_client
):
    from tests.servers import free_port

    page = connect_form(owner_client, running, store_url=f"http://127.0.0.1:{free_port()}")

    assert "The Medusa store could not be reached: your server refused the connection" in (
        page.content.decode()
    )
    assert not Channel.objects.exists()


def test_a_private_store_url_is_refused_without_the_switch(running, owner_client, settings):
    settings.SALYNC_WEBHOOK_ALLOW_PRIVATE = False

    page = connect_form(owner_client, running)

    assert "This store URL cannot be used" in page.content.decode()
    assert "must use https" in page.content.decode()
    assert not Channel.objects.exists()


def test_connecting_stores_the_key_encrypted_and_links_the_salync_location(
    running, owner_client, caplog
):
    caplog.set_level(logging.DEBUG)
    page = connect_form(owner_client, running)

    assert page.status_code == 302
    channel = Channel.objects.get()
    assert (channel.type, channel.status, channel.store_url) == (
        "medusa",
        "connected",
        running.base_url,
    )
    assert running.api_key not in channel.credentials
    assert secret_decrypt(channel.credentials) == running.api_key
    location = salync_location(running)
    assert channel.external_location_id == location["id"]
    assert running.sales_channel_id in {sc["id"] for sc in location["sales_channels"]}
    listing_page = owner_client.get(reverse("saleschannels:list")).content.decode()
    assert "My Medusa" in listing_page
    assert running.api_key not in listing_page
    assert running.api_key not in caplog.text
    api = ApiClient.for_workspace(owner_client, channel.workspace, name="ERP")
    shown = api.get(f"channels/{channel.pk}").json()
    assert (shown["type"], shown["simulated"], shown["status"]) == ("medusa", False, "connected")
    assert running.api_key not in str(shown)


def test_the_edit_page_replaces_the_key_only_when_the_store_accepts_it(
    running, workspace, owner_client
):
    channel = connect(workspace, running)
    edit = reverse("saleschannels:edit", args=[channel.pk])
    stored = channel.credentials
    form = {"store_url": running.base_url, "stock_buffer": "1"}

    refused = owner_client.post(edit, {**form, "api_key": "sk_" + "1" * 64})

    assert "Medusa refused the secret API key (401)" in refused.content.decode()
    channel.refresh_from_db()
    assert (channel.credentials, channel.stock_buffer) == (stored, 0)

    kept = owner_client.post(edit, form)  # no key typed: the stored one stays

    assert kept.status_code == 302
    channel.refresh_from_db()
    assert (channel.credentials, channel.stock_buffer) == (stored, 1)
    page = owner_client.get(reverse("saleschannels:channel", args=[channel.pk])).content.decode()
    assert running.base_url in page
    assert running.api_key not in page + owner_client.get(edit).content.decode()


# --- Publishing and stock ----------------------------------------------------------------------


@pytest.mark.postgres  # and the Redis broker: the worker is another process
@pytest.mark.skipif(
    not settings.REDIS_URL or not settings.CELERY_BROKER_URL.startswith("redis"),
    reason="needs the shared Redis cache and broker, as on the real stack",
)
def test_three_published_variants_get_on_hand_less_the_buffer_in_medusa(running, workspace, worker):
    """Through the real path: the publish and every stock change are synced by a Celery worker,
    and Medusa's own levels show on_hand - buffer within a bounded wait."""
    existing = sku()
    existing_item = new_variant(running, existing)  # already in the store: found by SKU
    channel = connect(workspace, running, stock_buffer=2)
    variants = [make_variant(workspace, code, barcode="") for code in (existing, sku(), sku())]
    for variant, quantity in zip(variants, [10, 5, 1], strict=True):
        receive(workspace, variant, quantity)

    listings = [make_listing(channel, variant) for variant in variants]

    def all_active():
        rows = list(Listing.objects.filter(channel=channel).select_related("channel"))
        return rows if all(row.state == "active" for row in rows) else None

    rows = {row.variant_id: row for row in wait_for(all_active)}
    assert rows[variants[0].pk].external_item_id == existing_item
    for listing in listings:
        row = rows[listing.variant_id]
        found = running.api(
            "GET", "/admin/product-variants", params={"sku": row.variant.sku, "fields": "id"}
        ).json()["variants"]
        assert row.external_id == found[0]["id"]
    wait_for(lambda: [medusa_available(running, rows[v.pk]) for v in variants] == [8, 3, 0])

    started = time.monotonic()
    receive(workspace, variants[2], 6)  # 7 on hand: 5 offered
    wait_for(lambda: medusa_available(running, rows[variants[2].pk]) == 5)
    push_latency = time.monotonic() - started
    print(f"\nstock change to Medusa's level: {push_latency:.2f} s")

    def recorded():  # the worker records what Medusa read back once the push returns
        return [Listing.objects.get(pk=rows[v.pk].pk).published_quantity for v in variants]

    wait_for(lambda: recorded() == [max(on_hand(variant) - 2, 0) for variant in variants])
    assert recorded() == [8, 3, 5]


# --- Orders --------------------------------------------------------------------------------------


def published(workspace, medusa, quantity: int, **channel_fields):
    """A connected channel and one listed variant with ``quantity`` on hand, synced."""
    channel = connect(workspace, medusa, **channel_fields)
    variant = make_variant(workspace, sku(), barcode="")  # Medusa's barcodes are unique
    receive(workspace, variant, quantity)
    listing = make_listing(channel, variant)
    listings_sync([listing.pk])
    listing.refresh_from_db()
    assert listing.state == "active", listing.error_message
    return channel, variant, listing


def sold_entries(variant):
    return list(StockAdjustment.objects.filter(variant=variant, reason="sold"))


def test_an_order_for_two_lowers_on_hand_by_two_once_with_the_order_as_source(
    running, workspace, no_broker, owner_client
):
    channel, variant, listing = published(workspace, running, 10)
    make_listing(make_channel(workspace, "shopify"), variant)  # another channel sells it too
    order = running.place_order(listing.external_id, 2)
    no_broker.clear()

    started = time.monotonic()
    report = channel_orders_pull(channel=Channel.objects.get(pk=channel.pk))
    pull_latency = time.monotonic() - started
    print(f"\norder pull: {pull_latency:.2f} s")

    assert report.applied == 1
    assert on_hand(variant) == 8
    (entry,) = sold_entries(variant)
    assert (entry.quantity, entry.source_type, entry.source_reference) == (
        -2,
        "channel_order",
        order["id"],
    )
    assert entry.source_name == f"{channel.name} #{order['display_id']}"
    # The other channels are told: the sale schedules the variant's coalesced sync.
    assert [call[:2] for call in no_broker] == [("variant", ((variant.pk,),))]
    history = owner_client.get(reverse("inventory:history")).content.decode()
    order_link = reverse("saleschannels:channel", args=[channel.pk])
    assert f'href="{order_link}"' in history
    assert f"{channel.name} #{order['display_id']}" in history
    api = ApiClient.for_workspace(owner_client, workspace, name="ERP")
    (shown,) = api.get("stock/adjustments", {"variant_id": variant.pk, "reason": "sold"}).json()[
        "results"
    ]
    assert shown["source"] == {
        "type": "channel_order",
        "id": order["id"],
        "name": f"{channel.name} #{order['display_id']}",
    }

    again = channel_orders_pull(channel=Channel.objects.get(pk=channel.pk))

    assert again.applied == 0
    assert on_hand(variant) == 8
    assert len(sold_entries(variant)) == 1
    assert ChannelOrderLine.objects.filter(external_order_id=order["id"]).count() == 1

    listings_sync([listing.pk])  # the new quantity reaches the store: 8, not 10 - 2 again
    assert medusa_available(running, Listing.objects.get(pk=listing.pk)) == 8


@pytest.mark.postgres
def test_two_pulls_at_once_count_each_line_once(running, workspace, no_broker):
    channel, variant, listing = published(workspace, running, 10)
    running.place_order(listing.external_id, 2)

    def pull(index, barrier):
        mine = Channel.objects.get(pk=channel.pk)
        barrier.wait()
        return channel_orders_pull(channel=mine).applied

    results = run_threads(4, pull)

    assert sorted(results) == [0, 0, 0, 1], results
    assert on_hand(variant) == 8
    assert len(sold_entries(variant)) == 1


def test_a_stopped_store_shows_the_error_and_after_a_restart_loses_and_doubles_nothing(
    running, workspace, no_broker
):
    channel, variant, listing = published(workspace, running, 10)
    order = running.place_order(listing.external_id, 2)

    running.stop()
    receive(workspace, variant, 5)  # 15 on hand, 13 after the order
    listings_sync([listing.pk])
    pulled = channel_orders_pull(channel=Channel.objects.get(pk=channel.pk))

    listing.refresh_from_db()
    channel.refresh_from_db()
    assert listing.state == "error"
    assert "could not be reached" in listing.error_message
    assert (channel.status, channel.failures) == ("error", 2)
    assert "could not be reached" in pulled.error
    assert on_hand(variant) == 15

    running.start()
    listings_sync([listing.pk], force=True)  # "Sync now" does not wait out the backoff
    channel_orders_pull(channel=Channel.objects.get(pk=channel.pk))
    listings_sync([listing.pk], force=True)

    listing.refresh_from_db()
    channel.refresh_from_db()
    assert (listing.state, channel.status, channel.failures) == ("active", "connected", 0)
    assert on_hand(variant) == 13
    assert [entry.source_reference for entry in sold_entries(variant)] == [order["id"]]
    assert medusa_available(running, listing) == 13
    assert listing.published_quantity == 13
    channel_orders_pull(channel=Channel.objects.get(pk=channel.pk))
    assert on_hand(variant) == 13


def test_a_pull_that_dies_half_way_is_finished_by_the_next_without_doubling(
    running, workspace, no_broker, monkeypatch
):
    """The crash is the one fault injected: the pull raises after applying the first order."""
    from saleschannels import orders

    channel, variant, listing = published(workspace, running, 10)
    first = running.place_order(listing.external_id, 1)
    second = running.place_order(listing.external_id, 2)
    applied = orders._order_apply
    calls = []

    def dies_on_the_second(channel, order):
        calls.append(order.external_id)
        if order.external_id == second["id"]:
            raise RuntimeError("worker killed")
        return applied(channel, order)

    monkeypatch.setattr(orders, "_order_apply", dies_on_the_second)
    with pytest.raises(RuntimeError):
        channel_orders_pull(channel=Channel.objects.get(pk=channel.pk))
    assert on_hand(variant) == 9
    monkeypatch.undo()

    channel_orders_pull(channel=Channel.objects.get(pk=channel.pk))

    assert on_hand(variant) == 7
    assert sorted(entry.source_reference for entry in sold_entries(variant)) == sorted(
        [first["id"], second["id"]]
    )


def test_an_order_line_whose_sku_is_not_listed_changes_no_stock(running, workspace, no_broker):
    channel, _, _ = published(workspace, running, 10)
    other = sku()
    new_variant(running, other)
    other_id = running.api(
        "GET", "/admin/product-variants", params={"sku": other, "fields": "id"}
    ).json()["variants"][0]["id"]
    unlisted = make_variant(workspace, other, barcode="")
    receive(workspace, unlisted, 4)
    # Stock the store's own variant where orders reserve, then sell it there.
    item = running.api("GET", "/admin/inventory-items", params={"sku": other}).json()[
        "inventory_items"
    ][0]["id"]
    running.api(
        "POST",
        f"/admin/inventory-items/{item}/location-levels",
        json={"location_id": channel.external_location_id, "stocked_quantity": 3},
    )
    running.place_order(other_id, 1)

    channel_orders_pull(channel=Channel.objects.get(pk=channel.pk))

    assert on_hand(unlisted) == 4
    line = ChannelOrderLine.objects.get(sku=other)
    assert line.adjustment is None
    assert "not listed" in line.problem
