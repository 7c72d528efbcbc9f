"""Purchase orders and Suppliers pages (SPEC §4): the list with its filters, "New purchase
order" with lines added server-side, the order page with "Receive" and "Cancel", and the
suppliers. Owners and admins change through the services, with the API's messages beside the
fields; members read and are refused (403) on every write."""

import re
from datetime import timedelta

import pytest

from accounts.models import Role
from inventory.models import StockLevel
from purchasing.models import OrderStatus, PurchaseOrder, Supplier
from purchasing.page_queries import today_utc
from tests.purchasing.conftest import snapshot
from tests.purchasing.factories import make_order, make_supplier

pytestmark = pytest.mark.django_db

ORDERS = "/purchase-orders/"
NEW = "/purchase-orders/new/"


@pytest.fixture
def seller(client, make_member, shop):
    client.force_login(make_member(shop.workspace, Role.OWNER).user)
    return client


@pytest.fixture
def reader(client, make_member, shop):
    client.force_login(make_member(shop.workspace, Role.MEMBER).user)
    return client


def text(response) -> str:
    """The page's text with tags and runs of whitespace gone, to read copy as a person does."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def order_body(shop, lines, **header):
    body = {
        "supplier": shop.supplier.pk,
        "location": shop.main.pk,
        "expected_date": "",
        "lines-TOTAL_FORMS": len(lines),
        "lines-INITIAL_FORMS": 0,
        **header,
    }
    for n, (sku, quantity, unit_cost) in enumerate(lines):
        body.update({f"lines-{n}-sku": sku, f"lines-{n}-quantity": quantity})
        body[f"lines-{n}-unit_cost"] = unit_cost
    return body


def on_hand(shop, variant) -> int:
    return StockLevel.objects.get(variant=variant, location=shop.main).on_hand


# --- The list ---------------------------------------------------------------------------------


def test_an_empty_list_offers_its_one_action(seller):
    page = seller.get(ORDERS)

    assert "No purchase orders yet." in text(page)
    assert page.content.decode().count(">New purchase order</a>") == 1
    assert 'href="/purchase-orders/" aria-current="page">Purchase orders</a>' in page.text


def test_the_list_shows_each_order_with_its_progress(seller, shop):
    order = make_order(
        shop.workspace, [(shop.crew_m, 10), (shop.crew_l, 4)], supplier=shop.supplier
    )

    page = text(seller.get(ORDERS))

    assert f"{order.number} {shop.supplier.name} {shop.main.name}" in page
    assert "Ordered 0 of 14 units 2 lines" in page


def test_the_status_filter_and_due_filter(seller, shop):
    today = today_utc()
    due = make_order(shop.workspace, [(shop.crew_m, 1)], expected_date=today)
    later = make_order(shop.workspace, [(shop.crew_m, 1)], expected_date=today + timedelta(1))
    draft = make_order(
        shop.workspace, [(shop.crew_m, 1)], status=OrderStatus.DRAFT, expected_date=today
    )

    def numbers(query):
        return set(re.findall(r"PO-\d{4}(?=</a>)", seller.get(ORDERS + query).text))

    assert numbers("") == {due.number, later.number, draft.number}
    assert numbers("?due=on") == {due.number}
    assert numbers("?status=draft") == {draft.number}
    assert "No purchase orders match these filters." in text(
        seller.get(ORDERS + "?status=received")
    )


# --- New purchase order -----------------------------------------------------------------------


def test_add_line_renders_one_more_line_keeping_what_was_typed(seller, shop):
    body = order_body(shop, [("MER-CREW-M", "10", "")], add_line="1")

    page = seller.post(NEW, body).content.decode()

    assert PurchaseOrder.objects.count() == 0
    assert 'name="lines-TOTAL_FORMS" value="2"' in page
    assert 'name="lines-0-sku" value="MER-CREW-M"' in page
    assert 'name="lines-1-sku"' in page
    assert "<legend>Line 2</legend>" in page
    assert "This field is required." not in page  # errors wait for "Save"
    assert f'<option value="{shop.supplier.pk}" selected>' in page


def test_save_places_the_order_skipping_blank_lines(seller, shop):
    body = order_body(
        shop,
        [("MER-CREW-M", "10", "4.50"), ("", "", ""), ("MER-CREW-L", "2", "5")],
        expected_date="2026-12-24",
    )

    response = seller.post(NEW, body)

    order = PurchaseOrder.objects.get()
    assert response.status_code == 302
    assert response.url == f"/purchase-orders/{order.pk}/"
    assert order.status == OrderStatus.ORDERED
    assert str(order.expected_date) == "2026-12-24"
    assert list(order.lines.values_list("variant__sku", "quantity", "unit_cost")) == [
        ("MER-CREW-M", 10, 4.5),
        ("MER-CREW-L", 2, 5),
    ]
    assert f"Placed {order.number} with {shop.supplier.name}." in text(seller.get(response.url))


def test_the_services_messages_appear_beside_the_lines_fields(seller, shop):
    body = order_body(shop, [("", "", ""), ("NOPE", "3", "1"), ("MER-CREW-M", "0", "-1")])

    page = seller.post(NEW, body).content.decode()

    assert PurchaseOrder.objects.count() == 0
    assert re.search(r'id="id_lines-1-sku_error"><p>No variant with this SKU.</p>', page)

    body = order_body(shop, [("MER-CREW-M", "0", "-1")])
    page = seller.post(NEW, body).content.decode()
    assert re.search(r'id="id_lines-0-quantity_error"><p>Must be from 1 to \d+\.</p>', page)
    assert 'id="id_lines-0-unit_cost_error"><p>Must be 0 or more.</p>' in page


def test_an_order_needs_a_line(seller, shop):
    page = text(seller.post(NEW, order_body(shop, [("", "", "")])))

    assert "An order needs at least one line." in page
    assert PurchaseOrder.objects.count() == 0


def test_an_archived_variant_cannot_be_ordered(seller, shop):
    from inventory.services import variant_archive

    variant_archive(variant=shop.crew_m)

    page = text(seller.post(NEW, order_body(shop, [("MER-CREW-M", "1", "1")])))

    assert "This variant is archived: it cannot be ordered." in page


def test_without_suppliers_the_page_asks_for_one_first(client, make_member):
    owner = make_member(role=Role.OWNER)
    client.force_login(owner.user)

    page = client.get(NEW)

    assert "this workspace has none yet" in text(page)
    assert ">New supplier</a>" in page.text
    assert '<form method="post" class="card' not in page.text


# --- The order page: receive and cancel --------------------------------------------------------


@pytest.fixture
def order(shop):
    return make_order(shop.workspace, [(shop.crew_m, 10), (shop.crew_l, 4)], supplier=shop.supplier)


def receive(client, order, quantities):
    lines = order.lines.order_by("pk")
    body = {f"line_{line.pk}": q for line, q in zip(lines, quantities, strict=True)}
    return client.post(f"/purchase-orders/{order.pk}/receive/", body)


def test_the_order_page_prefills_what_is_outstanding(seller, shop, order):
    make_receipt = receive(seller, order, [4, 0])
    assert make_receipt.status_code == 302

    page = seller.get(f"/purchase-orders/{order.pk}/").content.decode()

    m, l_ = order.lines.order_by("pk")
    assert (
        f'<label for="id_line_{m.pk}">Quantity to receive'
        '<span class="visually-hidden"> (MER-CREW-M)</span></label>'
    ) in page
    assert re.search(rf'name="line_{m.pk}" value="6"', page)
    assert re.search(rf'name="line_{l_.pk}" value="4"', page)
    assert "Partially received" in page
    assert ">Receive</button>" in page
    assert ">Cancel</a>" in page


def test_receiving_part_then_the_rest(seller, shop, order):
    response = receive(seller, order, [5, 0])

    order.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_RECEIVED
    assert on_hand(shop, shop.crew_m) == 5
    assert "Received 5 units on PO-0001: it is partially received." in text(
        seller.get(response.url)
    )

    receive(seller, order, [5, 4])

    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    assert (on_hand(shop, shop.crew_m), on_hand(shop, shop.crew_l)) == (10, 4)
    page = seller.get(f"/purchase-orders/{order.pk}/").content.decode()
    assert ">Receive</button>" not in page
    assert ">Cancel</a>" not in page


def test_an_over_receipt_is_refused_and_changes_nothing(seller, shop, order):
    before = snapshot(shop.workspace)

    response = receive(seller, order, [11, 1])

    assert response.status_code == 200
    page = response.content.decode()
    assert "Over receipt: MER-CREW-M has 10 outstanding; 11 is more." in page
    m, _ = order.lines.order_by("pk")
    assert f'id="id_line_{m.pk}_error"><p>MER-CREW-M has 10 outstanding; 11 is more.</p>' in page
    assert snapshot(shop.workspace) == before


def test_receiving_nothing_is_refused(seller, shop, order):
    before = snapshot(shop.workspace)

    page = text(receive(seller, order, [0, 0]))

    assert "Enter a quantity to receive on at least one line." in page
    assert snapshot(shop.workspace) == before


def test_the_cancel_page_names_the_order_and_the_consequence(seller, shop, order):
    page = text(seller.get(f"/purchase-orders/{order.pk}/cancel/"))

    assert "Cancel PO-0001?" in page
    assert "Its 14 outstanding units stop counting as incoming stock at" in page

    response = seller.post(f"/purchase-orders/{order.pk}/cancel/")

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    page = seller.get(response.url).content.decode()
    assert "Cancelled PO-0001" in page
    assert ">Receive</button>" not in page
    assert ">Cancel</a>" not in page
    assert "PO-0001 is cancelled: nothing more can be received on it." in text(
        seller.get(f"/purchase-orders/{order.pk}/receive/", follow=True)
    )


def test_a_draft_is_placed_from_its_page_once(seller, shop):
    draft = make_order(shop.workspace, [(shop.crew_m, 6)], status=OrderStatus.DRAFT)
    page = seller.get(f"/purchase-orders/{draft.pk}/").content.decode()
    assert ">Place order</button>" in page
    assert ">Receive</button>" not in page

    response = seller.post(f"/purchase-orders/{draft.pk}/place/")

    draft.refresh_from_db()
    assert draft.status == OrderStatus.ORDERED
    page = seller.get(response.url).content.decode()
    assert f"Placed {draft.number}: its quantities now count as incoming stock." in page
    assert ">Place order</button>" not in page
    assert ">Receive</button>" in page
    again = text(seller.post(f"/purchase-orders/{draft.pk}/place/", follow=True))
    assert "is ordered, not a draft." in again
    assert seller.get(f"/purchase-orders/{draft.pk}/place/").status_code == 405


def test_a_member_reads_the_order_and_is_refused_every_write(reader, shop, order):
    page = reader.get(f"/purchase-orders/{order.pk}/").content.decode()
    assert "MER-CREW-M" in page
    assert ">Receive</button>" not in page
    assert ">Cancel</a>" not in page
    before = snapshot(shop.workspace)

    assert receive(reader, order, [1, 0]).status_code == 403
    assert reader.post(f"/purchase-orders/{order.pk}/cancel/").status_code == 403
    assert reader.post(f"/purchase-orders/{order.pk}/place/").status_code == 403
    assert reader.post(NEW, order_body(shop, [("MER-CREW-M", "1", "1")])).status_code == 403
    assert reader.post("/suppliers/new/", {"name": "X", "currency": "EUR"}).status_code == 403
    edit = f"/suppliers/{shop.supplier.pk}/edit/"
    assert reader.get(edit).status_code == 200
    assert (
        reader.post(edit, {"name": "X", "currency": "EUR", "lead_time_days": 0}).status_code == 403
    )
    assert snapshot(shop.workspace) == before


def test_another_workspaces_order_and_supplier_are_not_found(seller, other):
    theirs = make_order(other.workspace, [(other.crew_m, 1)], supplier=other.supplier)

    assert seller.get(f"/purchase-orders/{theirs.pk}/").status_code == 404
    assert seller.post(f"/purchase-orders/{theirs.pk}/cancel/").status_code == 404
    assert seller.get(f"/suppliers/{other.supplier.pk}/edit/").status_code == 404
    assert seller.post(NEW, order_body(other, [("OTH-CREW-M", "1", "1")])).status_code == 200
    assert PurchaseOrder.objects.filter(workspace=other.workspace).count() == 1


# --- Suppliers ---------------------------------------------------------------------------------


def test_an_empty_supplier_list_offers_new_supplier(client, make_member):
    client.force_login(make_member(role=Role.OWNER).user)

    page = client.get("/suppliers/")

    assert "No suppliers yet." in text(page)
    assert page.text.count(">New supplier</a>") == 1


def test_create_and_edit_a_supplier(seller, shop):
    body = {"name": " Nordic Yarns ", "email": "orders@nordic.example", "currency": "SEK"}
    response = seller.post("/suppliers/new/", {**body, "lead_time_days": "14", "phone": ""})

    supplier = Supplier.objects.get(name="Nordic Yarns")
    assert response.url == "/suppliers/"
    assert (supplier.currency, supplier.lead_time_days) == ("SEK", 14)
    page = text(seller.get("/suppliers/"))
    assert "Added the supplier Nordic Yarns." in page
    assert "Nordic Yarns orders@nordic.example — SEK 14 days 0" in page

    edit = f"/suppliers/{supplier.pk}/edit/"
    assert 'value="orders@nordic.example"' in seller.get(edit).text
    seller.post(edit, {**body, "name": "Nordic Yarns AB", "lead_time_days": "7"})

    supplier.refresh_from_db()
    assert (supplier.name, supplier.lead_time_days) == ("Nordic Yarns AB", 7)


def test_a_blank_name_is_refused_with_the_services_message(seller, shop):
    body = {"name": "   ", "currency": "EUR", "lead_time_days": "0"}

    page = seller.post(f"/suppliers/{shop.supplier.pk}/edit/", body).content.decode()

    assert 'id="id_name_error"><p>' in page
    shop.supplier.refresh_from_db()
    assert shop.supplier.name == "Highland Wool Mill"


def test_new_order_lists_only_the_workspaces_suppliers_and_locations(seller, shop, other):
    make_supplier(shop.workspace, name="Second Mill")

    page = seller.get(NEW).content.decode()

    def options(name):
        select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group()
        return re.findall(r">([^<]+)</option>", select)

    assert options("supplier") == ["Highland Wool Mill", "Second Mill"]
    assert options("location") == ["Main warehouse", "Retail store"]
    assert 'type="date" name="expected_date"' in page
