"""The Products and Stock pages (SPEC §4): what they show, what they change through the
services, and what they refuse, with the API's own messages and nothing changed."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from inventory.models import SourceType, StockAdjustment, StockLevel, Variant
from inventory.services import (
    Actor,
    location_create,
    location_default,
    product_archive,
    stock_adjust,
)
from tests.factories import ProductFactory
from tests.inventory.conftest import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace(owner):
    return owner.workspace


@pytest.fixture
def member_client(make_member, workspace):
    client = Client()
    client.force_login(make_member(workspace, Role.MEMBER).user)
    return client


def tee(workspace, **fields):
    variants = [{"sku": "TEE-S", "name": "Small"}, {"sku": "TEE-M", "reorder_point": 3}]
    return ProductFactory(workspace=workspace, name="Tee", variants=variants, **fields)


def adjust(workspace, sku, quantity, *, actor=None, reason="count"):
    variant = Variant.objects.get(workspace=workspace, sku=sku)
    return stock_adjust(
        workspace=workspace,
        variant=variant,
        location=location_default(workspace),
        quantity=quantity,
        reason=reason,
        actor=actor or Actor.system(),
    )


def variant_rows(*rows) -> dict:
    """The POST body of the variant formset holding ``rows``."""
    data = {"variants-TOTAL_FORMS": str(len(rows)), "variants-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        fields = {
            "sku": "",
            "name": "",
            "barcode": "",
            "price": "",
            "cost": "",
            "reorder_point": "",
        }
        data.update(
            {f"variants-{index}-{name}": value for name, value in {**fields, **row}.items()}
        )
    return data


def errors_of(response) -> dict:
    """Field name → error messages, as the form the page rendered holds them."""
    return {name: list(messages) for name, messages in response.context["form"].errors.items()}


# --- Products list ----------------------------------------------------------------------------


def test_the_list_shows_each_product_with_variants_on_hand_and_status(member_client, workspace):
    product = tee(workspace)
    adjust(workspace, "TEE-S", 4)
    adjust(workspace, "TEE-M", 3)
    ProductFactory(workspace=ProductFactory().workspace, name="Someone else's")

    page = member_client.get("/products/").content.decode()

    assert f'<a href="/products/{product.pk}/">Tee</a>' in page
    assert "<td>2</td>" in page
    assert "<td>7</td>" in page
    assert ">Active</span>" in page
    assert "Someone else" not in page


def test_search_finds_names_and_skus_and_status_filters(member_client, workspace):
    tee(workspace)
    mug = ProductFactory(workspace=workspace, name="Mug", variants=[{"sku": "MUG-1"}])
    product_archive(product=mug)

    def names(query):
        page = member_client.get(f"/products/{query}")
        return [row["name"] for row in page.context["page"].object_list]

    assert names("") == ["Tee"]
    assert names("?q=tee-m") == ["Tee"]
    assert names("?q=ug&status=all") == ["Mug"]
    assert names("?status=archived") == ["Mug"]
    assert names("?q=nothing") == []
    assert (
        "No products match these filters." in member_client.get("/products/?q=x").content.decode()
    )


def test_an_empty_workspace_gets_the_empty_state_with_new_product(owner_client):
    page = owner_client.get("/products/").content.decode()
    assert "No products yet." in page
    assert page.count('href="/products/new/"') == 1


def test_a_workspace_whose_products_are_all_archived_is_pointed_at_them(owner_client, workspace):
    product_archive(product=tee(workspace))
    page = owner_client.get("/products/").content.decode()
    assert "No products yet." not in page
    assert "every product is archived" in page
    assert 'href="?status=archived"' in page


# --- New product ------------------------------------------------------------------------------


def test_new_product_with_two_variants_each_stocked_at_zero_at_the_default_location(
    owner_client, workspace
):
    body = {
        "name": "Hoodie",
        "description": "Heavy cotton.",
        **variant_rows(
            {"sku": "HOOD-S", "name": "Small", "price": "39.90", "reorder_point": "2"},
            {"sku": "HOOD-M", "barcode": "4006381333931", "cost": "12.5"},
            {},  # a row added and left blank is no variant
        ),
    }
    response = owner_client.post("/products/new/", body)

    variants = Variant.objects.filter(workspace=workspace).order_by("sku")
    assert [v.sku for v in variants] == ["HOOD-M", "HOOD-S"]
    product = variants[0].product
    assert response.status_code == 302
    assert response.url == f"/products/{product.pk}/"
    assert (product.name, product.description) == ("Hoodie", "Heavy cotton.")
    assert str(variants[1].price) == "39.90"
    assert variants[1].reorder_point == 2
    assert variants[0].barcode == "4006381333931"
    levels = StockLevel.objects.filter(variant__product=product)
    assert (
        sorted((lv.location_id, lv.on_hand) for lv in levels)
        == [(location_default(workspace).pk, 0)] * 2
    )


def test_add_variant_renders_one_more_row_and_creates_nothing(owner_client, workspace):
    body = {"name": "Hoodie", "add_variant": "1", **variant_rows({"sku": "HOOD-S"})}
    response = owner_client.post("/products/new/", body)

    assert response.status_code == 200
    formset = response.context["formset"]
    assert formset.total_form_count() == 2
    assert not formset.is_bound  # the rows again, with no errors shown
    assert formset.forms[0].initial["sku"] == "HOOD-S"
    assert response.context["form"].initial["name"] == "Hoodie"
    assert 'id="id_variants-1-sku"' in response.content.decode()
    assert snapshot(workspace)["products"] == 0


def test_a_sku_already_used_is_refused_on_its_row_with_the_api_message(owner_client, workspace):
    tee(workspace)
    before = snapshot(workspace)
    body = {"name": "Hoodie", **variant_rows({"sku": "HOOD-S"}, {"sku": "TEE-M"})}

    response = owner_client.post("/products/new/", body)

    assert response.status_code == 200
    rows = response.context["formset"].forms
    assert rows[1].errors == {"sku": ["This SKU is already used in this workspace."]}
    assert not rows[0].errors
    assert "This SKU is already used in this workspace." in response.content.decode()
    assert snapshot(workspace) == before


def test_the_api_rules_and_messages_apply_to_each_row(owner_client, workspace):
    body = {
        "name": "Hoodie",
        **variant_rows(
            {"sku": "HOOD S", "barcode": "4006381333932"},
            {"sku": "HOOD-M", "price": "1.999"},
            {"sku": "HOOD-M"},
        ),
    }
    response = owner_client.post("/products/new/", body)

    rows = response.context["formset"].forms
    assert rows[0].errors == {
        "sku": ["A SKU is one word: no spaces."],
        "barcode": ["Enter a valid GTIN: 8, 12, 13 or 14 digits with a correct check digit."],
    }
    assert rows[1].errors["price"][0].startswith("Must be a decimal string")
    assert snapshot(workspace)["products"] == 0


def test_the_same_sku_twice_in_one_product_is_refused(owner_client, workspace):
    body = {"name": "Hoodie", **variant_rows({"sku": "HOOD-M"}, {"sku": "HOOD-M"})}
    rows = owner_client.post("/products/new/", body).context["formset"].forms
    assert rows[1].errors == {"sku": ["The same SKU appears twice in this product."]}


def test_a_member_cannot_open_or_post_new_product(member_client, workspace):
    assert member_client.get("/products/new/").status_code == 403
    body = {"name": "Hoodie", **variant_rows({"sku": "HOOD-S"})}
    assert member_client.post("/products/new/", body).status_code == 403
    assert snapshot(workspace)["products"] == 0


# --- Product page -----------------------------------------------------------------------------


def test_the_product_page_shows_variants_and_stock_per_location(member_client, workspace):
    product = tee(workspace)
    shelf = location_create(workspace=workspace, name="Shop floor")
    stock_adjust(
        workspace=workspace,
        variant=Variant.objects.get(sku="TEE-S"),
        location=shelf,
        quantity=6,
        reason="received",
        actor=Actor.system(),
    )
    page = member_client.get(f"/products/{product.pk}/")
    html = page.content.decode()

    assert [level["location__name"] for level in page.context["levels"]] == [
        "Main warehouse",
        "Shop floor",
        "Main warehouse",
    ]
    assert "<code>TEE-M</code>" in html
    assert "Small" in html
    assert page.context["on_hand"] == 6
    assert f'href="/products/{product.pk}/edit/"' not in html  # a member changes nothing


def test_another_workspaces_product_is_not_found(owner_client):
    other = ProductFactory()
    assert owner_client.get(f"/products/{other.pk}/").status_code == 404
    assert owner_client.get(f"/products/{other.pk}/edit/").status_code == 404


def test_the_chart_table_has_30_days_carried_forward_from_the_ledger(owner_client, workspace):
    product = tee(workspace)
    now = timezone.now()
    moves = [(10, 25), (-3, 25), (5, 4), (2, 0)]  # (quantity, days ago): two on one day
    for quantity, days_ago in moves:
        adjustment, _ = adjust(workspace, "TEE-S", quantity)
        StockAdjustment.objects.filter(pk=adjustment.pk).update(
            created_at=now - timedelta(days=days_ago)
        )
    adjust(workspace, "TEE-M", 1)  # today, another variant: summed in
    old, _ = adjust(workspace, "TEE-M", 4)  # before the window: already on hand on day one
    StockAdjustment.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=40))

    response = owner_client.get(f"/products/{product.pk}/")
    days = response.context["days"]
    html = response.content.decode()

    today = now.astimezone(UTC).date()
    assert len(days) == 30
    assert days[0].day == today - timedelta(days=29)
    assert days[-1].day == today
    by_age = {(today - day.day).days: day.on_hand for day in days}
    assert by_age[29] == by_age[26] == 4
    assert by_age[25] == by_age[5] == 11
    assert by_age[4] == by_age[1] == 16
    assert by_age[0] == 19 == response.context["on_hand"]
    assert html.count("<tr><td><time datetime=") == 30
    assert '<th scope="col">Date</th><th scope="col">On hand</th>' in html
    assert (
        f'<time datetime="{today:%Y-%m-%d}">{today.day} {today:%b %Y}</time></td><td>19</td>'
        in html
    )
    assert '<svg viewBox="0 0 640 200" role="img"' in html


def test_the_chart_counts_days_in_utc(owner_client, workspace, settings):
    settings.TIME_ZONE = "America/New_York"
    product = tee(workspace)
    adjustment, _ = adjust(workspace, "TEE-S", 7)
    today = timezone.now().astimezone(UTC).date()
    late_yesterday = datetime(today.year, today.month, today.day, tzinfo=UTC) - timedelta(minutes=1)
    StockAdjustment.objects.filter(pk=adjustment.pk).update(created_at=late_yesterday)

    days = owner_client.get(f"/products/{product.pk}/").context["days"]

    assert [day.on_hand for day in days[-3:]] == [0, 7, 7]


# --- Edit, archive, unarchive -----------------------------------------------------------------


def edit_body(product, **changes) -> dict:
    variants = list(product.variants.order_by("pk"))
    body = {
        "name": product.name,
        "description": product.description,
        "variants-TOTAL_FORMS": str(len(variants)),
        "variants-INITIAL_FORMS": str(len(variants)),
    }
    for index, variant in enumerate(variants):
        for name in ("sku", "name", "barcode", "price", "cost", "reorder_point"):
            value = getattr(variant, name)
            body[f"variants-{index}-{name}"] = "" if value is None else str(value)
    return {**body, **changes}


def test_edit_saves_the_product_and_its_variants(owner_client, workspace):
    product = tee(workspace)
    body = edit_body(
        product, name="Classic tee", **{"variants-1-sku": "TEE-L", "variants-1-price": "9.50"}
    )
    response = owner_client.post(f"/products/{product.pk}/edit/", body)

    assert response.status_code == 302
    product.refresh_from_db()
    assert product.name == "Classic tee"
    assert list(product.variants.order_by("pk").values_list("sku", flat=True)) == [
        "TEE-S",
        "TEE-L",
    ]
    assert str(product.variants.get(sku="TEE-L").price) == "9.50"


def test_edit_refuses_a_taken_sku_on_its_row_and_saves_nothing(owner_client, workspace):
    product = tee(workspace)
    ProductFactory(workspace=workspace, name="Mug", variants=[{"sku": "MUG-1"}])
    before = snapshot(workspace)
    body = edit_body(product, name="Renamed", **{"variants-1-sku": "MUG-1"})

    response = owner_client.post(f"/products/{product.pk}/edit/", body)

    assert response.status_code == 200
    rows = response.context["formset"].forms
    assert rows[1].errors == {"sku": ["This SKU is already used in this workspace."]}
    product.refresh_from_db()
    assert product.name == "Tee"
    assert snapshot(workspace) == before


def test_archive_confirms_naming_the_product_then_archives_and_unarchives(owner_client, workspace):
    product = tee(workspace)
    detail = owner_client.get(f"/products/{product.pk}/").content.decode()
    assert 'data-dialog="archive-dialog"' in detail
    assert 'id="archive-dialog"' in detail
    confirm = owner_client.get(f"/products/{product.pk}/archive/").content.decode()
    assert "<h1>Archive “Tee”?</h1>" in confirm
    assert "stock and history stay" in confirm

    owner_client.post(f"/products/{product.pk}/archive/")
    product.refresh_from_db()
    assert product.status == "archived"
    assert list(owner_client.get("/products/").context["page"].object_list) == []

    owner_client.post(f"/products/{product.pk}/unarchive/")
    product.refresh_from_db()
    assert product.status == "active"


def test_a_member_cannot_edit_or_archive(member_client, workspace):
    product = tee(workspace)
    assert member_client.post(f"/products/{product.pk}/archive/").status_code == 403
    assert (
        member_client.post(f"/products/{product.pk}/edit/", edit_body(product)).status_code == 403
    )
    product.refresh_from_db()
    assert product.status == "active"


# --- Stock levels and "Adjust stock" ----------------------------------------------------------


def adjust_body(level, quantity, *, expected=None, reason="damaged", note="") -> dict:
    prefix = f"adjust-{level.pk}"
    return {
        f"{prefix}-quantity": str(quantity),
        f"{prefix}-reason": reason,
        f"{prefix}-note": note,
        f"{prefix}-expected_on_hand": str(level.on_hand if expected is None else expected),
    }


def test_levels_filter_by_location_and_below_reorder_point(member_client, workspace):
    tee(workspace)  # TEE-M has a reorder point of 3, both at 0
    shelf = location_create(workspace=workspace, name="Shop floor")
    stock_adjust(
        workspace=workspace,
        variant=Variant.objects.get(sku="TEE-M"),
        location=shelf,
        quantity=5,
        reason="received",
        actor=Actor.system(),
    )

    def levels(query):
        rows = member_client.get(f"/stock/{query}").context["rows"]
        return [(row["variant__sku"], row["location__name"]) for row in rows]

    assert levels("") == [
        ("TEE-M", "Main warehouse"),
        ("TEE-M", "Shop floor"),
        ("TEE-S", "Main warehouse"),
    ]
    assert levels(f"?location={shelf.pk}") == [("TEE-M", "Shop floor")]
    assert levels("?below_reorder_point=on") == [("TEE-M", "Main warehouse")]
    assert (
        "No stock levels match"
        in member_client.get(f"/stock/?location={shelf.pk}&below_reorder_point=on").content.decode()
    )


def test_each_level_has_adjust_stock_opening_its_dialog(owner_client, member_client, workspace):
    tee(workspace)
    level = StockLevel.objects.get(variant__sku="TEE-S")
    html = owner_client.get("/stock/").content.decode()
    link = f'href="/stock/{level.pk}/adjust/?next=/stock/" data-dialog="adjust-{level.pk}">'
    assert f"{link}Adjust stock</a>" in html
    assert f'<dialog id="adjust-{level.pk}"' in html
    assert f'action="/stock/{level.pk}/adjust/"' in html
    assert "Adjust stock" not in member_client.get("/stock/").content.decode()


def test_adjust_stock_changes_on_hand_and_writes_the_ledger_as_the_user(
    owner_client, owner, workspace
):
    tee(workspace)
    level = StockLevel.objects.get(variant__sku="TEE-S")

    response = owner_client.post(
        f"/stock/{level.pk}/adjust/", adjust_body(level, 8, reason="received", note="Box 4")
    )

    assert response.status_code == 302
    assert response.url == "/stock/"
    level.refresh_from_db()
    assert level.on_hand == 8
    entry = StockAdjustment.objects.get(level=level)
    assert (entry.quantity, entry.reason, entry.note) == (8, "received", "Box 4")
    assert (entry.source_type, entry.source_name) == (SourceType.USER, owner.user.email)


@pytest.mark.parametrize(
    ("next_url", "back"),
    [
        ("/stock/?below_reorder_point=on&page=2", "/stock/?below_reorder_point=on&page=2"),
        ("https://evil.example/stock/", "/stock/"),
        ("/products/", "/stock/"),
    ],
)
def test_adjust_stock_returns_to_the_levels_page_it_came_from(
    owner_client, workspace, next_url, back
):
    tee(workspace)
    level = StockLevel.objects.get(variant__sku="TEE-S")
    body = {**adjust_body(level, 1), "next": next_url}
    assert owner_client.post(f"/stock/{level.pk}/adjust/", body).url == back


def test_below_zero_is_refused_with_the_api_message_and_changes_nothing(owner_client, workspace):
    tee(workspace)
    adjust(workspace, "TEE-S", 2)
    level = StockLevel.objects.get(variant__sku="TEE-S")
    before = snapshot(workspace)

    response = owner_client.post(f"/stock/{level.pk}/adjust/", adjust_body(level, -3))

    assert response.status_code == 200
    message = "TEE-S at Main warehouse: on_hand is 2; taking 3 would go below zero."
    assert errors_of(response) == {"quantity": [message]}
    assert message in response.content.decode()
    assert snapshot(workspace) == before


def test_a_change_since_the_form_was_opened_is_refused_and_changes_nothing(owner_client, workspace):
    tee(workspace)
    level = StockLevel.objects.get(variant__sku="TEE-S")
    body = adjust_body(level, -1)  # the form as rendered: expecting 0 on hand
    adjust(workspace, "TEE-S", 5)  # meanwhile, someone else
    before = snapshot(workspace)

    response = owner_client.post(f"/stock/{level.pk}/adjust/", body)

    assert response.status_code == 200
    [message] = errors_of(response)["__all__"]
    assert message.startswith("The stock changed since you opened this form: on hand is now 5.")
    assert snapshot(workspace) == before
    form = response.context["form"]
    assert form["expected_on_hand"].value() == 5  # saving again applies to what is there now
    assert form["quantity"].value() == "-1"


def test_zero_is_refused_with_the_service_message(owner_client, workspace):
    tee(workspace)
    level = StockLevel.objects.get(variant__sku="TEE-S")
    response = owner_client.post(f"/stock/{level.pk}/adjust/", adjust_body(level, 0))
    assert errors_of(response) == {"quantity": ["Must not be zero."]}


def test_a_member_cannot_adjust_stock(member_client, workspace):
    tee(workspace)
    level = StockLevel.objects.get(variant__sku="TEE-S")
    assert member_client.get(f"/stock/{level.pk}/adjust/").status_code == 403
    assert (
        member_client.post(f"/stock/{level.pk}/adjust/", adjust_body(level, 5)).status_code == 403
    )
    level.refresh_from_db()
    assert level.on_hand == 0


def test_another_workspaces_level_is_not_found(owner_client):
    other = ProductFactory()
    level = StockLevel.objects.get(variant__product=other)
    assert owner_client.post(f"/stock/{level.pk}/adjust/", adjust_body(level, 5)).status_code == 404
    level.refresh_from_db()
    assert level.on_hand == 0


# --- History ----------------------------------------------------------------------------------


def test_history_shows_who_why_delta_result_and_the_source_document(
    member_client, owner, workspace
):
    tee(workspace)
    adjust(workspace, "TEE-S", 12, actor=Actor(SourceType.PURCHASE_ORDER, 41, "PO-0041"))
    adjust(workspace, "TEE-S", -2, actor=Actor.user(owner.user), reason="damaged")
    adjust(workspace, "TEE-M", 1, actor=Actor(SourceType.API_KEY, 7, "ERP sync"))

    response = member_client.get("/stock/history/")
    rows = response.context["rows"]
    html = response.content.decode()

    assert [(row["variant__sku"], row["quantity"], row["on_hand_after"]) for row in rows] == [
        ("TEE-M", 1, 1),
        ("TEE-S", -2, 10),
        ("TEE-S", 12, 12),
    ]
    assert [row["source_url"] for row in rows] == ["", "", "/purchase-orders/41/"]
    assert '<a href="/purchase-orders/41/">Purchase order PO-0041</a>' in html
    assert f'{owner.user.email}<br><span class="note">User</span>' in html
    assert 'ERP sync<br><span class="note">API key</span>' in html
    assert "<td>+12</td>" in html
    assert "<td>-2</td>" in html
    assert "Damaged" in html
    assert 'title="' in html
    assert " UTC" in html


def test_history_filters_by_sku_variant_and_location(member_client, workspace):
    tee(workspace)
    shelf = location_create(workspace=workspace, name="Shop floor")
    adjust(workspace, "TEE-S", 3)
    adjust(workspace, "TEE-M", 4)
    stock_adjust(
        workspace=workspace,
        variant=Variant.objects.get(sku="TEE-M"),
        location=shelf,
        quantity=9,
        reason="received",
        actor=Actor.system(),
    )
    medium = Variant.objects.get(sku="TEE-M")

    def quantities(query):
        return [
            row["quantity"] for row in member_client.get(f"/stock/history/{query}").context["rows"]
        ]

    assert quantities("") == [9, 4, 3]
    assert quantities("?sku=TEE-M") == [9, 4]
    assert quantities(f"?variant={medium.pk}&location={location_default(workspace).pk}") == [4]
    assert quantities(f"?location={shelf.pk}") == [9]
    assert quantities("?sku=NOPE") == []
