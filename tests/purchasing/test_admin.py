"""The staff admin for suppliers and purchase orders: it shows orders with their lines, saves
suppliers through the services, and moves orders only with actions that call the services."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from inventory.models import StockAdjustment, StockLevel
from purchasing.models import OrderStatus, PurchaseOrder, Supplier
from tests.factories import UserFactory
from tests.purchasing.factories import make_order


@pytest.fixture
def staff(db):
    user = UserFactory(email="ops@salync.example", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return user, client


def changelist(model: str) -> str:
    return reverse(f"admin:purchasing_{model}_changelist")


def test_the_lists_and_an_orders_page_with_its_lines_show(staff, shop):
    _, client = staff
    order = make_order(shop.workspace, [(shop.crew_m, 10), (shop.crew_l, 4)])

    assert "Highland Wool Mill" in client.get(changelist("supplier")).content.decode()
    assert order.number in client.get(changelist("purchaseorder")).content.decode()
    page = client.get(reverse("admin:purchasing_purchaseorder_change", args=[order.pk]))
    assert page.status_code == 200
    assert "MER-CREW-M" in page.content.decode()
    assert "MER-CREW-L" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()  # read-only


def test_orders_cannot_be_added_or_deleted_in_the_admin(staff, shop):
    _, client = staff
    order = make_order(shop.workspace, [(shop.crew_m, 1)])

    assert client.get(reverse("admin:purchasing_purchaseorder_add")).status_code == 403
    assert (
        client.post(reverse("admin:purchasing_purchaseorder_delete", args=[order.pk])).status_code
        == 403
    )
    assert PurchaseOrder.objects.filter(pk=order.pk).exists()


def supplier_form(shop, **fields) -> dict:
    return {
        "workspace": shop.workspace.pk,
        "name": "Porto Cotton Works",
        "email": "",
        "phone": "",
        "address": "",
        "currency": "EUR",
        "lead_time_days": 14,
        "notes": "",
        **fields,
    }


def test_a_supplier_is_added_and_changed_through_the_admin(staff, shop):
    _, client = staff

    added = client.post(reverse("admin:purchasing_supplier_add"), supplier_form(shop))

    assert added.status_code == 302, added.content.decode()[:3000]
    supplier = Supplier.objects.get(name="Porto Cotton Works")
    assert (supplier.workspace, supplier.lead_time_days) == (shop.workspace, 14)

    changed = client.post(
        reverse("admin:purchasing_supplier_change", args=[supplier.pk]),
        supplier_form(shop, currency="USD", lead_time_days=0),
    )

    assert changed.status_code == 302
    supplier.refresh_from_db()
    assert (supplier.currency, supplier.lead_time_days) == ("USD", 0)


def test_a_bad_supplier_is_refused_by_the_admin_form(staff, shop):
    _, client = staff

    response = client.post(
        reverse("admin:purchasing_supplier_add"), supplier_form(shop, lead_time_days=-3)
    )

    assert response.status_code == 200  # the form again, with its error
    assert not Supplier.objects.filter(name="Porto Cotton Works").exists()


def act(client, action: str, *orders):
    return client.post(
        changelist("purchaseorder"),
        {"action": action, "_selected_action": [o.pk for o in orders]},
        follow=True,
    )


def test_receive_everything_goes_through_the_ledger_under_the_staff_members_name(staff, shop):
    user, client = staff
    order = make_order(shop.workspace, [(shop.crew_m, 10)], location=shop.store)

    response = act(client, "receive_all", order)

    assert "Received 1 order(s)." in response.content.decode()
    assert PurchaseOrder.objects.get(pk=order.pk).status == OrderStatus.RECEIVED
    assert StockLevel.objects.get(variant=shop.crew_m, location=shop.store).on_hand == 10
    entry = StockAdjustment.objects.get(source_type="purchase_order", source_id=order.pk)
    assert entry.source_name == order.number
    assert user.email in entry.note


def test_actions_report_refusals_by_order_number(staff, shop):
    _, client = staff
    draft = make_order(shop.workspace, [(shop.crew_m, 1)], status="draft")
    ordered = make_order(shop.workspace, [(shop.crew_m, 1)])

    response = act(client, "receive_all", draft, ordered)

    text = response.content.decode()
    assert f"{draft.number}: " in text
    assert "Received 1 order(s)." in text
    assert PurchaseOrder.objects.get(pk=draft.pk).status == OrderStatus.DRAFT

    act(client, "place", draft)
    assert PurchaseOrder.objects.get(pk=draft.pk).status == OrderStatus.ORDERED
    act(client, "cancel", draft)
    assert PurchaseOrder.objects.get(pk=draft.pk).status == OrderStatus.CANCELLED


def test_staff_who_may_only_view_cannot_run_the_actions(db, shop):
    viewer = UserFactory(email="viewer@salync.example", is_staff=True)
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_purchaseorder"),
        Permission.objects.get(codename="view_supplier"),
    )
    client = Client()
    client.force_login(viewer)
    order = make_order(shop.workspace, [(shop.crew_m, 1)])

    page = client.get(changelist("purchaseorder"))
    act(client, "receive_all", order)

    assert page.status_code == 200
    assert "receive_all" not in page.content.decode()
    assert PurchaseOrder.objects.get(pk=order.pk).status == OrderStatus.ORDERED
