"""A member in the browser, from a fresh workspace with one of everything: they walk the
seller's pages through the navigation and read every figure, and no page offers them a
control that changes something. Then a POST forged in their own session, with their own valid
CSRF token, is refused (403) and changes nothing. (test_member_read_only.py walks every route
with the test client; this is the same promise as a person meets it.)"""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from accounts.plans import Plan
from inventory.models import StockLevel
from inventory.services import Actor, location_default, product_create, stock_adjust
from purchasing.services import OrderLine, purchase_order_create, supplier_create
from saleschannels.services import channel_connect, listing_publish
from tests.browser.steps import log_in
from tests.factories import MembershipFactory, make_workspace

WRITE_CONTROLS = [
    ("link", "New product"),
    ("link", "Edit"),
    ("link", "Archive"),
    ("link", "Adjust stock"),
    ("link", "New purchase order"),
    ("button", "Receive"),
    ("link", "Cancel"),
    ("link", "New supplier"),
    ("button", "Publish variant"),
    ("button", "Sync now"),
    ("button", "Generate new API key"),
    ("button", "Add endpoint"),
]


def no_write_controls(page: Page) -> None:
    main = page.get_by_role("main")
    for role, name in WRITE_CONTROLS:
        expect(main.get_by_role(role, name=name, exact=True)).to_have_count(0)


@pytest.mark.browser
def test_a_member_reads_everything_changes_nothing_and_a_forged_post_is_refused(
    page: Page, live_server
):
    workspace = make_workspace("Reader Co", plan=Plan.PRO)
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    member = MembershipFactory(workspace=workspace, role=Role.MEMBER).user
    product = product_create(
        workspace=workspace,
        name="Wool socks",
        variants=[{"sku": "SOCK-M", "price": Decimal("9.90"), "reorder_point": 5}],
    )
    variant = product.variants.get()
    location = location_default(workspace)
    stock_adjust(
        workspace=workspace, variant=variant, location=location, quantity=12, reason="count",
        actor=Actor.user(owner),
    )  # fmt: skip
    supplier = supplier_create(workspace=workspace, name="Yarn Mill")
    order = purchase_order_create(
        workspace=workspace, supplier=supplier, location=location,
        lines=[OrderLine(variant, 20, Decimal("3.10"))],
    )  # fmt: skip
    channel = channel_connect(workspace=workspace, type="amazon", name="Amazon EU")
    listing_publish(channel=channel, variant=variant)

    log_in(page, member.email)
    nav = page.get_by_role("navigation", name="Main")

    nav.get_by_role("link", name="Products").click()
    page.get_by_role("link", name="Wool socks").click()
    expect(page.get_by_role("heading", name="Wool socks", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="SOCK-M").first).to_be_visible()
    no_write_controls(page)

    nav.get_by_role("link", name="Stock").click()
    expect(page.get_by_role("cell", name="12", exact=True).first).to_be_visible()
    no_write_controls(page)

    nav.get_by_role("link", name="Purchase orders").click()
    page.get_by_role("link", name=order.number).click()
    expect(page.get_by_text("Only owners and admins can receive or cancel")).to_be_visible()
    no_write_controls(page)

    nav.get_by_role("link", name="Suppliers").click()
    expect(page.get_by_text("Yarn Mill")).to_be_visible()
    no_write_controls(page)

    nav.get_by_role("link", name="Channels").click()
    page.get_by_role("link", name="Amazon EU").click()
    expect(page.get_by_text("SOCK-M").first).to_be_visible()
    no_write_controls(page)

    for section in ("API Keys", "Webhooks"):
        nav.get_by_role("link", name="Settings", exact=True).click()
        page.get_by_role("navigation", name="Settings").get_by_role("link", name=section).click()
        no_write_controls(page)

    # The member's own session and CSRF token: only the role stands between them and a write.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    level = StockLevel.objects.get(variant=variant, location=location)
    forged = {
        f"/stock/{level.pk}/adjust/": {"quantity": "-12", "reason": "damaged"},
        "/products/new/": {"name": "Forged", "variants-0-sku": "FORGED-1"},
        f"/purchase-orders/{order.pk}/cancel/": {},
        f"/channels/{channel.pk}/sync/": {},
    }
    for path, fields in forged.items():
        response = page.request.post(
            path,
            form={"csrfmiddlewaretoken": token, **fields},
            headers={"Referer": f"{live_server.url}{path}"},
        )
        assert response.status == 403, path
        assert "Only owners and admins" in response.text(), path
    level.refresh_from_db()
    order.refresh_from_db()
    assert level.on_hand == 12
    assert order.status == "ordered"
    assert not workspace.products.filter(name="Forged").exists()
