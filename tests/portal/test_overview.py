"""The Overview (SPEC §4): what needs attention today, each entry a link with its count to the
list filtered to exactly what was counted; a new workspace's "Get started" steps; and Settings →
Webhooks' ``?failing=on``, which lists the endpoints the Overview counts. One query for all the
figures, whatever the number of rows."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from accounts.plans import Plan
from core import events
from inventory.models import Reason, StockLevel
from inventory.services import Actor, location_default, product_create, stock_adjust
from purchasing.models import OrderStatus, PurchaseOrder
from purchasing.services import (
    OrderLine,
    purchase_order_cancel,
    purchase_order_create,
    purchase_order_receive,
    supplier_create,
)
from saleschannels import sync
from saleschannels.models import Channel, Listing, ListingState
from tests.api_client import ApiClient
from tests.factories import MembershipFactory, make_key, make_workspace
from tests.pages import measure
from tests.saleschannels.factories import make_channel, make_listing, make_variant
from webhooks.delivery import GONE_REASON
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db

ENTRIES = {
    "Below reorder point": "/stock/?below_reorder_point=on",
    "Purchase orders due": "/purchase-orders/?due=on",
    "Listings in error": "/channels/listings/?state=error",
    "Failing webhook endpoints": "/settings/webhooks/?failing=on",
}


def owner_client(workspace) -> Client:
    client = Client()
    client.force_login(MembershipFactory(workspace=workspace, role=Role.OWNER).user)
    return client


def overview(workspace) -> str:
    response = owner_client(workspace).get("/")
    assert response.status_code == 200
    return response.content.decode()


def counts(body: str) -> dict[str, tuple[str, int]]:
    """Entry label -> (its link, its count)."""
    found = re.findall(
        r'<a href="([^"]+)"><span class="attention-label">([^<]+)</span> '
        r'<span class="attention-count">(\d+)</span></a>',
        body,
    )
    return {label: (href.replace("&amp;", "&"), int(count)) for href, label, count in found}


def steps(body: str) -> dict[str, tuple[str, str]]:
    """Get started step -> (its link, its badge)."""
    section = re.search(r'id="get-started-title".*?</ol>', body, re.S)
    if section is None:
        return {}
    found = re.findall(
        r'<a href="([^"]+)">([^<]+)</a>\s*<span class="badge[^"]*">([^<]+)</span>', section[0]
    )
    return {label: (href, badge) for href, label, badge in found}


def endpoint(workspace, n: int, **state) -> Endpoint:
    return Endpoint.objects.create(
        workspace=workspace,
        url=f"https://hooks.example.com/{n}",
        description=f"Receiver {n}",
        event_types=[events.STOCK_ADJUSTED],
        **state,
    )


# --- What needs attention -----------------------------------------------------------------------


def test_a_new_workspace_gets_started_and_nothing_needs_attention():
    body = overview(make_workspace("New Co", plan=Plan.GROWTH, limits=None))

    assert steps(body) == {
        "Add a product": ("/products/new/", "To do"),
        "Connect a channel": ("/settings/channels/", "To do"),
        "Generate an API key": ("/settings/api-keys/", "To do"),
    }
    assert "Nothing needs your attention." in body
    assert counts(body) == {
        label: (url, 0) for label, url in ENTRIES.items() if label != "Failing webhook endpoints"
    }  # Growth has no webhooks and there are no endpoints: the entry would be noise
    assert body.index("Get started") < body.index("Needs attention today")


def test_each_step_says_done_and_the_list_goes_once_all_are_done():
    workspace = make_workspace("Steps Co", plan=Plan.GROWTH, limits=None)
    product_create(workspace=workspace, name="Sock", variants=[{"sku": "SOCK"}])

    assert steps(overview(workspace))["Add a product"] == ("/products/new/", "Done")

    make_channel(workspace)
    make_key(workspace)

    body = overview(workspace)
    assert steps(body) == {}
    assert "Get started" not in body


def test_on_free_the_api_step_explains_the_plan_and_keeps_nothing_open():
    workspace = make_workspace("Free Co", plan=Plan.FREE, limits=None)

    body = overview(workspace)
    assert steps(body)["Generate an API key"] == ("/settings/plan/", "To do")
    assert "The API needs the Growth or Pro plan" in body

    product_create(workspace=workspace, name="Sock", variants=[{"sku": "SOCK"}])
    make_channel(workspace)
    assert steps(overview(workspace)) == {}


def test_levels_below_their_reorder_point_as_the_api_filter_counts_them(client):
    workspace = make_workspace("Stock Co")
    actor = Actor.user(MembershipFactory(workspace=workspace).user)
    product = product_create(
        workspace=workspace,
        name="Socks",
        variants=[
            {"sku": "BELOW", "reorder_point": 5},
            {"sku": "AT", "reorder_point": 5},
            {"sku": "NONE", "reorder_point": 0},
        ],
    )
    location = location_default(workspace)
    variants = {variant.sku: variant for variant in product.variants.all()}
    for sku, quantity in (("BELOW", 2), ("AT", 5)):
        stock_adjust(
            workspace=workspace,
            variant=variants[sku],
            location=location,
            quantity=quantity,
            reason=Reason.RECEIVED,
            actor=actor,
        )
    other = make_workspace("Other Co")
    product_create(workspace=other, name="Hats", variants=[{"sku": "HAT", "reorder_point": 9}])

    assert counts(overview(workspace))["Below reorder point"][1] == 1
    api = ApiClient(client, make_key(workspace))
    listed = api.get("stock", {"below_threshold": "true"}).json()["results"]
    assert [row["sku"] for row in listed] == ["BELOW"]
    assert StockLevel.objects.filter(workspace=workspace).count() == 3


def test_purchase_orders_due_are_open_and_expected_today_or_earlier():
    workspace = make_workspace("Orders Co")
    actor = Actor.user(MembershipFactory(workspace=workspace).user)
    variant = product_create(workspace=workspace, name="Sock", variants=[{"sku": "SOCK"}])
    variant = variant.variants.get()
    supplier = supplier_create(workspace=workspace, name="Mill")
    location = location_default(workspace)
    today = timezone.now().date()

    def order(expected_date, **fields):
        return purchase_order_create(
            workspace=workspace,
            supplier=supplier,
            location=location,
            lines=[OrderLine(variant=variant, quantity=10, unit_cost=Decimal("1.00"))],
            expected_date=expected_date,
            **fields,
        )

    order(today)  # due today
    order(today - timedelta(days=9))  # overdue
    partial = order(today - timedelta(days=1))
    purchase_order_receive(order=partial, actor=actor, lines=[(partial.lines.get().pk, 4)])
    order(today + timedelta(days=1))  # not yet
    order(None)  # no date: never due
    order(today, status=OrderStatus.DRAFT)  # not sent
    purchase_order_cancel(order=order(today))
    purchase_order_receive(order=order(today), actor=actor)  # received in full

    assert PurchaseOrder.objects.filter(workspace=workspace).count() == 8
    assert counts(overview(workspace))["Purchase orders due"][1] == 3


def test_listings_in_error():
    workspace = make_workspace("Listing Co")
    amazon = make_channel(workspace, type="amazon", name="Amazon")
    refused = make_listing(amazon, make_variant(workspace, "NO-GTIN", barcode=""))
    listed = make_listing(amazon, make_variant(workspace, "GTIN"))
    sync.listings_sync([refused.pk, listed.pk])

    states = dict(Listing.objects.values_list("variant__sku", "state"))
    assert states == {"NO-GTIN": ListingState.ERROR, "GTIN": ListingState.ACTIVE}
    assert counts(overview(workspace))["Listings in error"][1] == 1


def test_failing_endpoints_are_failing_now_or_disabled_by_salync():
    workspace = make_workspace("Hooks Co")
    then = timezone.now() - timedelta(days=6)
    endpoint(workspace, 1)  # healthy
    endpoint(workspace, 2, failing_since=then)  # failing now
    endpoint(workspace, 3, enabled=False, failing_since=then, disabled_reason="Every delivery…")
    endpoint(workspace, 4, enabled=False, disabled_reason=GONE_REASON)  # 410 at the first try
    endpoint(workspace, 5, enabled=False, disabled_reason="Disabled by a member of the workspace.")
    client = owner_client(workspace)

    body = client.get("/").content.decode()
    assert counts(body)["Failing webhook endpoints"] == (ENTRIES["Failing webhook endpoints"], 3)

    listed = client.get("/settings/webhooks/?failing=on").content.decode()
    assert re.findall(r"Receiver (\d)", listed) == ["2", "3", "4"]
    assert "Showing failing endpoints" in listed
    assert '<a href="/settings/webhooks/">Show all</a>' in listed
    assert 'aria-labelledby="add-endpoint-title"' not in listed

    everything = client.get("/settings/webhooks/").content.decode()
    assert re.findall(r"Receiver (\d)", everything) == ["1", "2", "3", "4", "5"]
    assert "Showing failing endpoints" not in everything


def test_no_failing_endpoint_says_so_on_the_filtered_list():
    workspace = make_workspace("Calm Co")
    endpoint(workspace, 1)

    listed = owner_client(workspace).get("/settings/webhooks/?failing=on").content.decode()

    assert "No endpoint is failing" in listed
    assert "Receiver 1" not in listed


def test_the_webhook_entry_shows_on_a_plan_without_webhooks_that_keeps_endpoints():
    workspace = make_workspace("Downgraded Co", plan=Plan.GROWTH, limits=None)
    endpoint(workspace, 1, failing_since=timezone.now())

    assert counts(overview(workspace))["Failing webhook endpoints"][1] == 1


def test_a_member_sees_the_same_overview():
    workspace = make_workspace("Read Co")
    endpoint(workspace, 1, failing_since=timezone.now())
    member = Client()
    member.force_login(MembershipFactory(workspace=workspace, role=Role.MEMBER).user)

    body = member.get("/").content.decode()

    assert counts(body)["Failing webhook endpoints"][1] == 1


# --- What it costs ------------------------------------------------------------------------------

PAGE_QUERIES = 4  # session, user, membership (with its workspace), the workspace switcher
PINNED = PAGE_QUERIES + 1  # every figure and every step, in one query


def build(name: str, rows: int) -> Client:
    """A Pro workspace with ``rows`` of everything the Overview counts (bulk-made: what is
    measured is the page, not the services)."""
    workspace = make_workspace(name)
    product = product_create(
        workspace=workspace,
        name="Socks",
        variants=[{"sku": f"SKU-{n}", "reorder_point": 5} for n in range(rows)],
    )
    variants = list(product.variants.all())
    supplier = supplier_create(workspace=workspace, name="Mill")
    location = location_default(workspace)
    yesterday = timezone.now().date() - timedelta(days=1)
    PurchaseOrder.objects.bulk_create(
        PurchaseOrder(
            workspace=workspace,
            supplier=supplier,
            location=location,
            number=f"PO-{n:04}",
            expected_date=yesterday,
        )
        for n in range(rows)
    )
    channel = Channel.objects.create(workspace=workspace, type="amazon", name="Amazon")
    Listing.objects.bulk_create(
        Listing(workspace=workspace, channel=channel, variant=variant, state=ListingState.ERROR)
        for variant in variants
    )
    Endpoint.objects.bulk_create(
        Endpoint(
            workspace=workspace,
            url=f"https://hooks.example.com/{n}",
            failing_since=timezone.now(),
        )
        for n in range(rows)
    )
    return owner_client(workspace)


def test_200_of_everything_costs_what_2_do():
    few, small_sql = measure(build("Small", rows=2), "/")
    many, large_sql = measure(build("Large", rows=200), "/")

    assert {count for _, count in counts(few).values()} == {2}
    assert {count for _, count in counts(many).values()} == {200}
    assert len(large_sql) == len(small_sql) == PINNED, "\n\n".join(large_sql)
