"""Purchase orders in the browser, from a fresh workspace: add a supplier on its page, order 10
of a variant with "Add line" and "Save", receive 5 (changing the prefilled 10), see "Partially
received" and 5 on hand on the Stock page, receive the prefilled rest, see "Received" and 10;
an over-receipt is refused with the service's message and changes nothing. "Cancel" asks in a
dialog that names the order and what cancelling does. Elements are found by role and label
(SPEC §4 copy)."""

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Role
from inventory.models import StockLevel
from tests.browser.steps import log_in
from tests.factories import MembershipFactory, ProductFactory, make_workspace
from tests.purchasing.factories import make_order

SKU = "TEE-RED"


def expect_status(page: Page, status: str) -> None:
    """The order's facts say ``status`` (a text badge, beside the term "Status")."""
    expect(page.get_by_role("definition").get_by_text(status, exact=True)).to_be_visible()


def expect_on_hand(page: Page, quantity: int) -> None:
    """The Stock page's row for the variant shows ``quantity`` on hand (its third cell)."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Stock").click()
    row = page.get_by_role("row").filter(has_text=SKU)
    expect(row.get_by_role("cell").nth(2)).to_have_text(str(quantity))


@pytest.mark.browser
def test_order_receive_half_then_the_rest(page: Page):
    workspace = make_workspace("Tee Shop")
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER)
    ProductFactory(workspace=workspace, name="Tee", variants=[{"sku": SKU}])
    nav = page.get_by_role("navigation", name="Main")

    log_in(page, owner.user.email)
    nav.get_by_role("link", name="Suppliers", exact=True).click()
    expect(page.get_by_text("No suppliers yet.")).to_be_visible()
    page.get_by_role("link", name="New supplier").click()
    page.get_by_label("Name", exact=True).fill("Cotton Mill")
    page.get_by_label("Email", exact=True).fill("orders@cotton.example")
    page.get_by_label("Currency", exact=True).select_option("GBP")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Added the supplier Cotton Mill.")
    expect(page.get_by_role("link", name="Cotton Mill")).to_be_visible()

    nav.get_by_role("link", name="Purchase orders", exact=True).click()
    expect(page.get_by_text("No purchase orders yet.")).to_be_visible()
    page.get_by_role("link", name="New purchase order").click()
    expect(page.get_by_label("Supplier", exact=True)).to_have_value(
        str(workspace.suppliers.get().pk)
    )
    page.get_by_label("Expected date", exact=True).fill("2026-12-24")
    line = page.get_by_role("group", name="Line 1")
    line.get_by_label("SKU", exact=True).fill(SKU)
    line.get_by_label("Quantity", exact=True).fill("10")
    page.get_by_role("button", name="Add line").click()
    # The server added a line and kept what was typed.
    expect(page.get_by_role("group", name="Line 2")).to_be_visible()
    line = page.get_by_role("group", name="Line 1")
    expect(line.get_by_label("SKU", exact=True)).to_have_value(SKU)
    line.get_by_label("Unit cost", exact=True).fill("3.20")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_role("heading", name="PO-0001", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Placed PO-0001 with Cotton Mill.")
    expect_status(page, "Ordered")
    to_receive = page.get_by_label(f"Quantity to receive ({SKU})", exact=True)
    expect(to_receive).to_have_value("10")

    # More than is outstanding: refused with the service's message, and nothing received.
    to_receive.fill("11")
    page.get_by_role("button", name="Receive", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"Over receipt: {SKU} has 10 outstanding; 11 is more."
    )
    assert StockLevel.objects.get(variant__sku=SKU).on_hand == 0

    page.get_by_label(f"Quantity to receive ({SKU})", exact=True).fill("5")
    page.get_by_role("button", name="Receive", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Received 5 units on PO-0001")
    expect_status(page, "Partially received")
    expect(page.get_by_label(f"Quantity to receive ({SKU})", exact=True)).to_have_value("5")
    expect_on_hand(page, 5)

    nav.get_by_role("link", name="Purchase orders", exact=True).click()
    page.get_by_role("link", name="PO-0001").click()
    page.get_by_role("button", name="Receive", exact=True).click()  # the prefilled 5
    expect_status(page, "Received")
    expect(page.get_by_role("button", name="Receive", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Cancel", exact=True)).to_have_count(0)
    expect_on_hand(page, 10)
    assert StockLevel.objects.get(variant__sku=SKU).on_hand == 10


@pytest.mark.browser
def test_cancel_asks_in_a_dialog_naming_the_order(page: Page):
    workspace = make_workspace("Tee Shop")
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER)
    product = ProductFactory(workspace=workspace, name="Tee", variants=[{"sku": SKU}])
    order = make_order(workspace, [(product.variants.get(), 10)])

    log_in(page, owner.user.email)
    page.goto(f"/purchase-orders/{order.pk}/")
    page.get_by_role("link", name="Cancel", exact=True).click()
    dialog = page.get_by_role("dialog", name="Cancel PO-0001?")
    expect(dialog).to_contain_text("Its 10 outstanding units stop counting as incoming stock")
    dialog.get_by_role("button", name="Keep order").click()
    expect(dialog).to_be_hidden()
    assert order.lines.get().is_open

    page.get_by_role("link", name="Cancel", exact=True).click()
    dialog.get_by_role("button", name="Cancel order").click()
    expect(page.get_by_role("status")).to_contain_text("Cancelled PO-0001")
    expect_status(page, "Cancelled")
    expect(page.get_by_role("link", name="Cancel", exact=True)).to_have_count(0)
