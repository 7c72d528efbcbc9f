"""Products and Stock pages (SPEC §4). Everyone in the workspace reads; owners and admins
change, through ``inventory.services`` after the API's own request serializers, so a page
refuses what the API refuses with the same messages."""

from datetime import UTC

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import manager_required, manager_required_for_writes
from core.charts import bars
from core.errors import DomainError, InvalidState
from inventory import page_queries, services
from inventory.errors import InsufficientStock, StockChanged
from inventory.forms import (
    AdjustForm,
    HistoryFilterForm,
    LevelFilterForm,
    ProductFilterForm,
    ProductForm,
    VariantFormSet,
    add_service_errors,
    check_with,
    filled_rows,
)
from inventory.limits import MAX_VARIANTS
from inventory.models import Product, SourceType, Status
from inventory.serializers import (
    ProductCreateSerializer,
    ProductUpdateSerializer,
    VariantUpdateSerializer,
)

PRODUCTS = "products"
STOCK = "stock"
CHANGED_MESSAGE = (
    "The stock changed since you opened this form: on hand is now {on_hand}. "
    "Nothing was changed; check the figure and try again."
)


# --- Products ----------------------------------------------------------------------------------


@manager_required_for_writes
@require_http_methods(["GET"])
def products(request):
    """The products, searchable by name or SKU, filtered by status, paginated."""
    filters = ProductFilterForm(request.GET)
    filters.is_valid()  # an invalid filter is ignored; the valid ones still apply
    chosen = filters.cleaned_data
    search, status = chosen.get("q", ""), chosen.get("status") or Status.ACTIVE
    page = page_queries.products_page(
        request.workspace, search=search, status=status, page_number=request.GET.get("page")
    )
    filtered = bool(search) or status != Status.ACTIVE
    # An empty active list says "No products yet" only when nothing is archived either.
    all_archived = (
        not page.object_list
        and not filtered
        and Product.objects.filter(workspace=request.workspace, status=Status.ARCHIVED).exists()
    )
    return render(
        request,
        "inventory/products.html",
        {
            "page": page,
            "filters": filters,
            "filtered": filtered,
            "all_archived": all_archived,
            "section": PRODUCTS,
        },
    )


def _rows_from_post(data) -> list[dict]:
    """What the new-product form's rows held, to render them again with one more."""
    total = min(VariantFormSet(data, prefix="variants").total_form_count(), MAX_VARIANTS - 1)
    names = VariantFormSet.form.base_fields
    return [
        {name: data.get(f"variants-{index}-{name}", "") for name in names} for index in range(total)
    ]


@manager_required
@require_http_methods(["GET", "POST"])
def product_new(request):
    """The "New product" form and its variant rows; "Add variant" renders one more row, no
    JavaScript needed."""
    if request.method == "POST" and "add_variant" in request.POST:
        form = ProductForm(
            initial={name: request.POST.get(name, "") for name in ProductForm.base_fields}
        )
        formset = VariantFormSet(initial=[*_rows_from_post(request.POST), {}], prefix="variants")
    elif request.method == "POST":
        form = ProductForm(request.POST)
        formset = VariantFormSet(request.POST, prefix="variants")
        product = _create(request, form, formset)
        if product is not None:
            messages.success(request, f"Created “{product.name}”.")
            return redirect("inventory:product", product.pk)
    else:
        form, formset = ProductForm(), VariantFormSet(prefix="variants")
    return render(
        request,
        "inventory/product_new.html",
        {"form": form, "formset": formset, "section": PRODUCTS},
    )


def _create(request, form, formset):
    """The product the forms describe, or ``None`` with every refusal beside its field."""
    if not all([form.is_valid(), formset.is_valid()]):  # both, so every error shows
        return None
    rows = filled_rows(formset)
    payload = {**form.payload(), "variants": [row.payload() for row in rows]}
    data = check_with(ProductCreateSerializer, payload, form, rows)
    if data is None:
        return None
    try:
        return services.product_create(workspace=request.workspace, **data)
    except (ValidationError, DomainError) as error:
        add_service_errors(form, error, rows)
        return None


def _chart(days) -> tuple:
    """The on-hand bars and their accessible summary (the table beside them has every day)."""
    labels = [day.day.strftime("%-d %b") for day in days]
    chart = bars(labels, [("On hand", [day.on_hand for day in days])])
    title = (
        f"On hand at the end of each day from {days[0].day:%-d %b} to {days[-1].day:%-d %b %Y}: "
        f"{days[0].on_hand} then, {days[-1].on_hand} today, at most "
        f"{max(day.on_hand for day in days)}."
    )
    return chart, title


@manager_required_for_writes
@require_http_methods(["GET"])
def product_detail(request, pk):
    """A product: its variants, stock per location and on hand over the last 30 days."""
    product = page_queries.product_get(request.workspace, pk)
    levels = page_queries.product_levels(product)
    on_hand = sum(level["on_hand"] for level in levels)
    days = page_queries.on_hand_history(
        product, on_hand_now=on_hand, today=timezone.now().astimezone(UTC).date()
    )
    chart, chart_title = _chart(days)
    return render(
        request,
        "inventory/product_detail.html",
        {
            "product": product,
            "variants": page_queries.product_variants(product),
            "levels": levels,
            "on_hand": on_hand,
            "days": days,
            "chart": chart,
            "chart_title": chart_title,
            "section": PRODUCTS,
        },
    )


@manager_required
@require_http_methods(["GET", "POST"])
def product_edit(request, pk):
    """Edit a product's name, description and variants, all saved together or none."""
    product = page_queries.product_get(request.workspace, pk)
    variants = page_queries.product_variants(product)
    initial = [
        {name: getattr(variant, name) for name in VariantFormSet.form.base_fields}
        for variant in variants
    ]
    product_initial = {"name": product.name, "description": product.description}
    if request.method == "POST":
        form = ProductForm(request.POST, initial=product_initial)
        formset = VariantFormSet(request.POST, initial=initial, prefix="variants")
        if _save(form, formset, product, variants):
            messages.success(request, f"Saved “{product.name}”.")
            return redirect("inventory:product", product.pk)
        product.refresh_from_db()  # a refused save may have left changes on the instance
    else:
        form = ProductForm(initial=product_initial)
        formset = VariantFormSet(initial=initial, prefix="variants")
    return render(
        request,
        "inventory/product_edit.html",
        {
            "product": product,
            "form": form,
            "formset": formset,
            "section": PRODUCTS,
        },
    )


def _save(form, formset, product, variants) -> bool:
    """Apply the edit through the services in one transaction; ``False`` with the refusals
    beside their fields (and nothing saved) otherwise."""
    if not all([form.is_valid(), formset.is_valid()]):  # both, so every error shows
        return False
    rows = list(formset)
    if len(rows) != len(variants):  # a variant was added meanwhile: these rows are stale
        form.add_error(None, "The product's variants changed meanwhile. Reload the page.")
        return False
    product_data = check_with(ProductUpdateSerializer, form.payload(), form)
    variant_data = [check_with(VariantUpdateSerializer, row.payload(), row) for row in rows]
    if product_data is None or None in variant_data:
        return False
    try:
        with transaction.atomic():
            if form.has_changed():
                services.product_update(product=product, **product_data)
            for row, variant, data in zip(rows, variants, variant_data, strict=True):
                if row.has_changed():
                    try:
                        services.variant_update(variant=variant, **data)
                    except (ValidationError, DomainError) as error:
                        add_service_errors(row, error)
                        raise
    except (ValidationError, DomainError) as error:
        if not any(row.errors for row in rows):
            add_service_errors(form, error)
        return False
    return True


@manager_required
@require_http_methods(["GET", "POST"])
def product_archive(request, pk):
    """Archive a product (the confirmation page is the dialog's fallback)."""
    product = page_queries.product_get(request.workspace, pk)
    if request.method == "POST":
        try:
            services.product_archive(product=product)
        except InvalidState as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Archived “{product.name}”.")
        return redirect("inventory:product", product.pk)
    return render(
        request, "inventory/product_archive.html", {"product": product, "section": PRODUCTS}
    )


@manager_required
@require_POST
def product_unarchive(request, pk):
    """Bring an archived product back to the lists."""
    product = page_queries.product_get(request.workspace, pk)
    try:
        services.product_unarchive(product=product)
    except InvalidState as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Unarchived “{product.name}”.")
    return redirect("inventory:product", product.pk)


# --- Stock -------------------------------------------------------------------------------------


def adjust_form(level: dict) -> AdjustForm:
    """A level's "Adjust stock" form, expecting the on hand it shows."""
    initial = {"expected_on_hand": level["on_hand"]}
    return AdjustForm(prefix=f"adjust-{level['pk']}", initial=initial)


@manager_required_for_writes
@require_http_methods(["GET"])
def levels(request):
    """The stock levels, by location or below their reorder point, each with "Adjust stock"."""
    locations = page_queries.locations(request.workspace)
    filters = LevelFilterForm(request.GET, locations=locations)
    filters.is_valid()  # an invalid filter is ignored; the valid ones still apply
    chosen = filters.cleaned_data
    page = page_queries.levels_page(
        request.workspace,
        location_id=chosen.get("location"),
        below_reorder_point=chosen.get("below_reorder_point", False),
        page_number=request.GET.get("page"),
    )
    rows = [
        {
            **level,
            "below": level["on_hand"] < level["variant__reorder_point"],
            "form": adjust_form(level) if request.membership.can_manage else None,
        }
        for level in page.object_list
    ]
    return render(
        request,
        "inventory/levels.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "filtered": bool(chosen.get("location") or chosen.get("below_reorder_point")),
            "next": request.get_full_path(),
            "section": STOCK,
        },
    )


def _levels_page_to_return_to(request) -> str:
    """The levels page the adjustment was opened from (its filters and page kept), or the
    plain one: ``next`` is only followed to the levels page of this site."""
    levels_path = reverse("inventory:levels")
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()})
    return wanted if safe and wanted.startswith(levels_path) else levels_path


@manager_required
@require_http_methods(["GET", "POST"])
def level_adjust(request, pk):
    """ "Adjust stock" of one level (the dialog's fallback page, and where both post)."""
    level = page_queries.level_get(request.workspace, pk)
    prefix = f"adjust-{level.pk}"
    back = _levels_page_to_return_to(request)
    if request.method == "POST":
        form = AdjustForm(request.POST, prefix=prefix)
        if form.is_valid():
            data = form.cleaned_data
            try:
                _, level = services.stock_adjust(
                    workspace=request.workspace,
                    variant=level.variant,
                    location=level.location,
                    quantity=data["quantity"],
                    reason=data["reason"],
                    note=data["note"],
                    expected_on_hand=data["expected_on_hand"],
                    actor=services.Actor.user(request.user),
                )
            except StockChanged:
                # The same form again, now expecting what is on hand: the next "Save" applies.
                level = page_queries.level_get(request.workspace, pk)
                fresh = request.POST.copy()
                fresh[f"{prefix}-expected_on_hand"] = level.on_hand
                form = AdjustForm(fresh, prefix=prefix)
                form.is_valid()
                form.add_error(None, CHANGED_MESSAGE.format(on_hand=level.on_hand))
            except InsufficientStock as error:
                form.add_error("quantity", error.message)  # the API's own words
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Adjusted {level.variant.sku} at {level.location.name} by "
                    f"{data['quantity']:+d}: on hand is now {level.on_hand}.",
                )
                return redirect(back)
    else:
        form = AdjustForm(prefix=prefix, initial={"expected_on_hand": level.on_hand})
    return render(
        request,
        "inventory/level_adjust.html",
        {"level": level, "form": form, "next": back, "section": STOCK},
    )


# A ledger entry's source document, by URL name: inventory imports neither app.
SOURCE_PAGES = {
    SourceType.PURCHASE_ORDER: "purchasing:order",
    SourceType.CHANNEL_ORDER: "saleschannels:channel",  # source_id is the channel
}


def _source_url(entry: dict) -> str:
    name = SOURCE_PAGES.get(entry["source_type"])
    if name is None or entry["source_id"] is None:
        return ""
    try:
        return reverse(name, args=[entry["source_id"]])
    except NoReverseMatch:  # the page is not mounted in this deployment
        return ""


@manager_required_for_writes
@require_http_methods(["GET"])
def history(request):
    """The stock ledger, newest first: who, why, what, the result and the source document."""
    locations = page_queries.locations(request.workspace)
    filters = HistoryFilterForm(request.GET, locations=locations)
    filters.is_valid()  # an invalid filter is ignored; the valid ones still apply
    chosen = filters.cleaned_data
    page = page_queries.history_page(
        request.workspace,
        variant_id=chosen.get("variant"),
        sku=chosen.get("sku", ""),
        location_id=chosen.get("location"),
        page_number=request.GET.get("page"),
    )
    sources = dict(SourceType.choices)
    rows = [
        {
            **entry,
            "source_label": sources.get(entry["source_type"], entry["source_type"]),
            "source_url": _source_url(entry),
        }
        for entry in page.object_list
    ]
    return render(
        request,
        "inventory/history.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "filtered": any(chosen.get(name) for name in ("variant", "sku", "location")),
            "section": STOCK,
        },
    )
