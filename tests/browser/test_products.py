"""Products and Stock in the browser, from a fresh workspace, as its owner: create a product
with two variants through "New product", adjust one variant's stock in the "Adjust stock"
dialog, see the entry in History and today's on hand in the product page's chart table; and
an adjustment below zero shows the API's message and changes nothing. Elements are found by
role and label (SPEC §4 copy)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from inventory.models import StockAdjustment, StockLevel
from tests.browser.steps import log_in
from tests.factories import MembershipFactory


def fill_variant(page: Page, number: int, **fields: str) -> None:
    row = page.get_by_role("group", name=f"Variant {number}")
    for label, value in fields.items():
        row.get_by_label(label, exact=True).fill(value)


def open_adjust_dialog(page: Page, sku: str):
    row = page.get_by_role("row").filter(has=page.get_by_text(sku, exact=True))
    row.get_by_role("link", name="Adjust stock").click()
    dialog = page.get_by_role("dialog", name=re.compile(f"Adjust stock of {sku}"))
    expect(dialog).to_be_visible()
    return dialog


@pytest.mark.browser
def test_create_a_product_adjust_its_stock_and_see_history_and_chart(page: Page):
    owner = MembershipFactory(role=Role.OWNER, workspace__name="Tee Co")
    log_in(page, owner.user.email)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Products").click()
    expect(page.get_by_role("heading", name="Products", level=1)).to_be_visible()
    expect(page.get_by_text("No products yet.")).to_be_visible()
    page.get_by_role("link", name="New product").click()

    page.get_by_label("Name", exact=True).fill("Organic tee")
    page.get_by_label("Description", exact=True).fill("Heavy cotton, three sizes soon.")
    fill_variant(page, 1, **{"SKU": "TEE-S", "Variant name": "Small", "Price": "19.90"})
    page.get_by_role("button", name="Add variant").click()
    expect(page.get_by_role("group", name="Variant 1").get_by_label("SKU")).to_have_value("TEE-S")
    fill_variant(page, 2, **{"SKU": "TEE-M", "Variant name": "Medium", "Reorder point": "4"})
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_role("heading", name="Organic tee", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Created “Organic tee”.")
    stock = page.get_by_role("region", name="Stock per location")
    expect(stock.get_by_role("row")).to_have_count(3)  # the header and one level per variant
    expect(
        stock.get_by_role("row", name=re.compile("TEE-M")).get_by_role("cell").nth(1)
    ).to_have_text("0")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Stock").click()
    dialog = open_adjust_dialog(page, "TEE-M")
    dialog.get_by_label("Quantity", exact=True).fill("12")
    dialog.get_by_label("Reason", exact=True).select_option(label="Received")
    dialog.get_by_label("Note", exact=True).fill("First delivery")
    dialog.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        "Adjusted TEE-M at Main warehouse by +12: on hand is now 12."
    )

    page.get_by_role("navigation", name="Stock pages").get_by_role("link", name="History").click()
    entry = page.get_by_role("row", name=re.compile("TEE-M"))
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("+12")
    expect(entry).to_contain_text("Received")
    expect(entry).to_contain_text("First delivery")
    expect(entry).to_contain_text(owner.user.email)

    entry.get_by_role("link", name="Organic tee").click()
    chart_table = page.get_by_role("region", name="On hand per day")
    expect(chart_table.get_by_role("columnheader")).to_have_text(["Date", "On hand"])
    days = chart_table.get_by_role("row")
    expect(days).to_have_count(31)  # the header and 30 days
    today = timezone.now().strftime("%-d %b %Y")
    expect(days.last).to_have_text(re.compile(rf"{today}\s*12"))
    expect(page.get_by_role("img", name=re.compile("12 today"))).to_be_visible()


@pytest.mark.browser
def test_an_adjustment_below_zero_shows_the_api_message_and_changes_nothing(page: Page):
    owner = MembershipFactory(role=Role.OWNER, workspace__name="Tee Co")
    log_in(page, owner.user.email)
    page.goto("/products/new/")
    fill_variant(page, 1, SKU="MUG-1")
    page.get_by_label("Name", exact=True).fill("Mug")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name="Mug", level=1)).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Stock").click()
    dialog = open_adjust_dialog(page, "MUG-1")
    dialog.get_by_label("Quantity", exact=True).fill("-3")
    dialog.get_by_role("button", name="Save", exact=True).click()

    message = "MUG-1 at Main warehouse: on_hand is 0; taking 3 would go below zero."
    expect(
        page.get_by_role("heading", name="Adjust stock of MUG-1 at Main warehouse")
    ).to_be_visible()
    expect(page.get_by_text(message)).to_be_visible()
    expect(page.get_by_label("Quantity", exact=True)).to_have_value("-3")
    level = StockLevel.objects.get(variant__sku="MUG-1")
    assert level.on_hand == 0
    assert not StockAdjustment.objects.filter(level=level).exists()


@pytest.mark.browser
def test_archive_in_its_dialog_names_the_product_then_unarchive(page: Page):
    owner = MembershipFactory(role=Role.OWNER, workspace__name="Tee Co")
    log_in(page, owner.user.email)
    page.goto("/products/new/")
    page.get_by_label("Name", exact=True).fill("Mug")
    fill_variant(page, 1, SKU="MUG-1")
    page.get_by_role("button", name="Save", exact=True).click()

    page.get_by_role("link", name="Archive", exact=True).click()
    dialog = page.get_by_role("dialog", name="Archive “Mug”?")
    expect(dialog).to_contain_text("Its variants, stock and history stay")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()

    page.get_by_role("link", name="Archive", exact=True).click()
    dialog.get_by_role("button", name="Archive product").click()
    expect(page.get_by_role("status")).to_contain_text("Archived “Mug”.")
    expect(page.get_by_text("Archived", exact=True)).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Products").click()
    expect(page.get_by_role("link", name="Mug")).to_have_count(0)
    page.get_by_label("Status", exact=True).select_option(label="Archived")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Mug").click()
    page.get_by_role("button", name="Unarchive").click()
    expect(page.get_by_role("status")).to_contain_text("Unarchived “Mug”.")
    expect(page.get_by_role("link", name="Archive", exact=True)).to_be_visible()
