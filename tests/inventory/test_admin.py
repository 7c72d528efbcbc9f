"""The staff admin for the catalogue and stock: it shows everything, edits nothing directly, and
changes stock only through "Adjust stock", which calls the same service as the API."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from inventory.models import Location, Product, StockAdjustment, StockLevel, Variant
from inventory.services import (
    Actor,
    location_create,
    location_default,
    product_create,
    stock_adjust,
)
from portal.services import workspace_setup
from tests.factories import UserFactory

MODELS = {
    "product": Product,
    "variant": Variant,
    "location": Location,
    "stocklevel": StockLevel,
    "stockadjustment": StockAdjustment,
}

# Something each change page must show of the object.
SHOWN = {
    "product": "MER-CREW-M",  # the variants, inline
    "variant": "4006381333931",
    "location": "Main warehouse",
    "stocklevel": "MER-CREW-M",
    "stockadjustment": "First delivery",
}


@pytest.fixture
def staff(db):
    user = UserFactory(email="ops@salync.example", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return user, client


@pytest.fixture
def stock(db):
    """A workspace with a product of two variants, a second location and some history."""
    workspace = workspace_setup(name="Acme Supplies", owner=None, plan="pro")
    product = product_create(
        workspace=workspace,
        name="Merino crew sweater",
        variants=[
            {"sku": "MER-CREW-M", "options": {"size": "M"}, "barcode": "4006381333931"},
            {"sku": "MER-CREW-L", "options": {"size": "L"}},
        ],
    )
    variant = product.variants.get(sku="MER-CREW-M")
    location_create(workspace=workspace, name="Retail store")
    entry, level = stock_adjust(
        workspace=workspace,
        variant=variant,
        location=location_default(workspace),
        quantity=12,
        reason="received",
        note="First delivery",
        actor=Actor.system(),
    )
    return {
        "product": product,
        "variant": variant,
        "location": location_default(workspace),
        "stocklevel": level,
        "stockadjustment": entry,
    }


def admin_url(model: str, view: str, *args) -> str:
    return reverse(f"admin:inventory_{model}_{view}", args=args)


def ledger_state():
    return (
        list(StockLevel.objects.order_by("id").values_list("id", "on_hand", "updated_at")),
        StockAdjustment.objects.count(),
    )


# --- Everything is visible ---------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_change_page_show(staff, stock, model):
    _, client = staff
    obj = stock[model]

    changelist = client.get(admin_url(model, "changelist"))
    change = client.get(admin_url(model, "change", obj.pk))

    assert changelist.status_code == 200
    assert change.status_code == 200
    assert admin_url(model, "change", obj.pk) in changelist.content.decode()
    assert SHOWN[model] in change.content.decode()


def test_changelists_find_by_sku(staff, stock):
    _, client = staff

    response = client.get(admin_url("stocklevel", "changelist"), {"q": "MER-CREW-M"})

    html = response.content.decode()
    assert "MER-CREW-M" in html
    assert "MER-CREW-L" not in html


def test_the_stock_level_page_is_read_only(staff, stock):
    _, client = staff
    level = stock["stocklevel"]

    html = client.get(admin_url("stocklevel", "change", level.pk)).content.decode()

    assert not re.search(r"<input[^>]*name=\"on_hand\"", html)
    assert not re.search(r"<(input|select|textarea)[^>]*name=\"(?!csrfmiddlewaretoken)", html)
    assert 'name="_save"' not in html
    assert (
        admin_url("stocklevel", "adjust", level.pk)
        in client.get(admin_url("stocklevel", "changelist")).content.decode()
    )


@pytest.mark.parametrize("model", MODELS)
def test_change_pages_accept_no_edit(staff, stock, model):
    _, client = staff
    obj = stock[model]
    before = ledger_state(), Product.objects.get().name, Variant.objects.get(sku="MER-CREW-M").sku

    response = client.post(
        admin_url(model, "change", obj.pk),
        {"on_hand": "999", "name": "Hijacked", "sku": "HIJACK", "quantity": "999"},
    )

    assert response.status_code == 403
    after = ledger_state(), Product.objects.get().name, Variant.objects.get(sku="MER-CREW-M").sku
    assert after == before


@pytest.mark.parametrize("model", MODELS)
def test_add_and_delete_are_forbidden(staff, stock, model):
    _, client = staff
    obj = stock[model]
    counts = {name: m.objects.count() for name, m in MODELS.items()}

    assert client.get(admin_url(model, "add")).status_code == 403
    assert client.post(admin_url(model, "add"), {"name": "New"}).status_code == 403
    assert client.get(admin_url(model, "delete", obj.pk)).status_code == 403
    assert client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    client.post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )

    assert {name: m.objects.count() for name, m in MODELS.items()} == counts


# --- Adjust stock: through the service --------------------------------------------------------


def test_adjust_stock_goes_through_the_service_and_the_ledger(staff, stock):
    user, client = staff
    level = stock["stocklevel"]
    url = admin_url("stocklevel", "adjust", level.pk)

    page = client.get(url)
    response = client.post(url, {"quantity": "-5", "reason": "damaged", "note": "Moth holes"})

    assert page.status_code == 200
    assert "12" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == admin_url("stocklevel", "changelist")
    level.refresh_from_db()
    assert level.on_hand == 7
    entry = StockAdjustment.objects.latest("id")
    assert (entry.level_id, entry.quantity, entry.on_hand_after) == (level.pk, -5, 7)
    assert (entry.reason, entry.note) == ("damaged", "Moth holes")
    assert (entry.source_type, entry.source_id, entry.source_name) == (
        "user",
        user.pk,
        "ops@salync.example",
    )
    assert StockAdjustment.objects.count() == 2
    events = level.workspace.events.filter(type="stock.adjusted")
    assert events.count() == 2
    assert events.latest("id").data["object"]["source"]["name"] == "ops@salync.example"


def test_adjust_stock_below_zero_shows_an_error_and_changes_nothing(staff, stock):
    _, client = staff
    level = stock["stocklevel"]
    before = ledger_state()
    events = level.workspace.events.count()

    response = client.post(
        admin_url("stocklevel", "adjust", level.pk), {"quantity": "-13", "reason": "lost"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["quantity"]
    assert "below zero" in response.content.decode()
    assert ledger_state() == before
    assert level.workspace.events.count() == events


@pytest.mark.parametrize(
    "data",
    [
        {"quantity": "0", "reason": "count"},
        {"quantity": "2", "reason": "stolen"},
        {"quantity": "two", "reason": "received"},
        {"reason": "received"},
    ],
    ids=["zero", "unknown-reason", "not-a-number", "no-quantity"],
)
def test_adjust_stock_refuses_invalid_input(staff, stock, data):
    _, client = staff
    before = ledger_state()

    response = client.post(admin_url("stocklevel", "adjust", stock["stocklevel"].pk), data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert ledger_state() == before


def test_adjust_stock_needs_the_change_permission(db, stock):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_stocklevel"))
    client = Client()
    client.force_login(viewer)
    url = admin_url("stocklevel", "adjust", stock["stocklevel"].pk)
    before = ledger_state()

    assert client.get(admin_url("stocklevel", "changelist")).status_code == 200
    assert client.get(url).status_code == 403
    assert client.post(url, {"quantity": "5", "reason": "received"}).status_code == 403
    assert ledger_state() == before


def test_adjust_stock_is_for_staff_only(client, stock):
    url = admin_url("stocklevel", "adjust", stock["stocklevel"].pk)
    before = ledger_state()

    response = client.post(url, {"quantity": "5", "reason": "received"})

    assert response.status_code == 302
    assert response["Location"].endswith(f"?next={url}")
    assert ledger_state() == before
