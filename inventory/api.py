"""The catalogue and stock endpoints under /api/v1/ (SPEC §5.4). Views are thin:
parse → service → represent, reads through the queryset builders in ``inventory.queries`` and
answers built by ``inventory.representations``; ``inventory.schema`` describes them."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import status
from rest_framework.response import Response

from api.generics import (
    WorkspaceDetailView,
    WorkspaceListView,
    WorkspaceStatusView,
    WorkspaceUpdateView,
    WorkspaceView,
)
from inventory import queries, selectors, services
from inventory import representations as rep
from inventory.filters import (
    LocationFilter,
    ProductFilter,
    StockAdjustmentFilter,
    StockLevelFilter,
    VariantFilter,
)
from inventory.schema import (
    LocationSerializer,
    ProductSerializer,
    StockAdjustmentSerializer,
    StockLevelSerializer,
    VariantSerializer,
)
from inventory.serializers import (
    AdjustmentBatchSerializer,
    AdjustmentInputSerializer,
    LocationCreateSerializer,
    ProductCreateSerializer,
    ProductUpdateSerializer,
    VariantInputSerializer,
    VariantUpdateSerializer,
)

AdjustmentResultSerializer = inline_serializer(
    "AdjustmentResult",
    {"adjustment": StockAdjustmentSerializer(), "level": StockLevelSerializer()},
)
BatchResultSerializer = inline_serializer(
    "AdjustmentBatchResult",
    {"adjustments": AdjustmentResultSerializer.__class__(many=True)},
)


# --- Products ----------------------------------------------------------------------------------


class ProductView:
    serializer_class = ProductSerializer
    queryset_builder = staticmethod(queries.product_queryset)
    representer = rep.PRODUCTS
    object_param = "product"


class ProductStatusView(ProductView, WorkspaceStatusView):
    """``POST products/{id}/archive`` and ``/unarchive``."""


@extend_schema_view(
    get=extend_schema(summary="List products", description="Active products unless `status` says."),
    post=extend_schema(
        summary="Create a product with its variants",
        request=ProductCreateSerializer,
        responses={201: ProductSerializer},
        description="409 `sku_taken` when a SKU is already used in the workspace.",
    ),
)
class ProductListView(ProductView, WorkspaceListView):
    filterset_class = ProductFilter

    def post(self, request):
        data = self.parse(ProductCreateSerializer)
        return self.created(services.product_create(workspace=self.workspace, **data).pk)


@extend_schema_view(
    get=extend_schema(summary="Retrieve a product"),
    patch=extend_schema(summary="Update a product", request=ProductUpdateSerializer),
)
class ProductDetailView(ProductView, WorkspaceUpdateView):
    update = staticmethod(services.product_update)
    update_serializer_class = ProductUpdateSerializer


# --- Variants ----------------------------------------------------------------------------------


class VariantView:
    serializer_class = VariantSerializer
    queryset_builder = staticmethod(queries.variant_queryset)
    representer = rep.VARIANTS
    object_param = "variant"


class VariantStatusView(VariantView, WorkspaceStatusView):
    """``POST variants/{id}/archive`` and ``/unarchive``."""


@extend_schema_view(
    get=extend_schema(summary="List a product's variants"),
    post=extend_schema(
        summary="Add a variant to a product",
        request=VariantInputSerializer,
        responses={201: VariantSerializer},
        description="409 `sku_taken` when the SKU is already used in the workspace.",
    ),
)
class ProductVariantListView(VariantView, WorkspaceListView):
    filterset_class = VariantFilter

    def get_product(self):
        return get_object_or_404(queries.product_queryset(self.workspace), pk=self.kwargs["pk"])

    def scoped_queryset(self):
        return super().scoped_queryset().filter(product=self.get_product())

    def post(self, request, pk):
        product = self.get_product()
        data = self.parse(VariantInputSerializer)
        return self.created(services.variant_create(product=product, **data).pk)


@extend_schema_view(
    get=extend_schema(summary="Retrieve a variant"),
    patch=extend_schema(
        summary="Update a variant",
        request=VariantUpdateSerializer,
        description="409 `sku_taken` when the new SKU is already used in the workspace.",
    ),
)
class VariantDetailView(VariantView, WorkspaceUpdateView):
    update = staticmethod(services.variant_update)
    update_serializer_class = VariantUpdateSerializer


# --- Locations ---------------------------------------------------------------------------------


class LocationView:
    serializer_class = LocationSerializer
    queryset_builder = staticmethod(queries.location_queryset)
    representer = rep.LOCATIONS


@extend_schema_view(
    get=extend_schema(summary="List locations"),
    post=extend_schema(
        summary="Create a location",
        request=LocationCreateSerializer,
        responses={201: LocationSerializer},
    ),
)
class LocationListView(LocationView, WorkspaceListView):
    filterset_class = LocationFilter

    def post(self, request):
        data = self.parse(LocationCreateSerializer)
        location = services.location_create(workspace=self.workspace, name=data["name"])
        return Response(rep.LOCATIONS.of([location])[0], status=status.HTTP_201_CREATED)


@extend_schema_view(get=extend_schema(summary="Retrieve a location"))
class LocationDetailView(LocationView, WorkspaceDetailView):
    pass


# --- Stock -------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(summary="List stock levels", description="On hand per variant and location.")
)
class StockLevelListView(WorkspaceListView):
    serializer_class = StockLevelSerializer
    queryset_builder = staticmethod(queries.stock_level_queryset)
    representer = rep.LEVELS
    filterset_class = StockLevelFilter


def adjustment_lines(workspace, items: list[dict], prefix: str = "", lines: bool = True):
    """Validated adjustment input → the service's lines, variants and locations resolved in
    the workspace with errors per line (``adjustments.3.sku``)."""
    variants = selectors.variants_resolve(
        workspace=workspace, items=items, prefix=prefix, lines=lines
    )
    locations = selectors.locations_resolve(
        workspace=workspace, items=items, prefix=prefix, lines=lines
    )
    return [
        services.AdjustmentLine(
            variant=variant,
            location=location,
            quantity=item["quantity"],
            reason=item["reason"],
            note=item.get("note", ""),
            expected_on_hand=item.get("expected_on_hand"),
        )
        for item, variant, location in zip(items, variants, locations, strict=True)
    ]


def _result(applied: services.Adjusted) -> dict:
    """The line's answer, as the service represented it for its events: nothing twice."""
    return {"adjustment": applied.represented, "level": applied.level_represented}


@extend_schema_view(
    get=extend_schema(summary="The stock ledger", description="Append-only, oldest first."),
    post=extend_schema(
        summary="Adjust stock",
        request=AdjustmentInputSerializer,
        responses={201: AdjustmentResultSerializer},
        description="409 `insufficient_stock` below zero; 409 `stock_changed` when "
        "`expected_on_hand` does not match. Nothing changes on either.",
    ),
)
class StockAdjustmentListView(WorkspaceListView):
    serializer_class = StockAdjustmentSerializer
    queryset_builder = staticmethod(queries.stock_adjustment_queryset)
    representer = rep.ADJUSTMENTS
    filterset_class = StockAdjustmentFilter

    def post(self, request):
        data = self.parse(AdjustmentInputSerializer)
        lines = adjustment_lines(self.workspace, [data], lines=False)
        [applied] = services.stock_apply(
            workspace=self.workspace,
            lines=lines,
            actor=services.Actor.api_key(self.api_key),
            batch=False,
        )
        return Response(_result(applied), status=status.HTTP_201_CREATED)


@extend_schema_view(
    post=extend_schema(
        summary="Adjust stock in a batch (all or nothing)",
        request=AdjustmentBatchSerializer,
        responses={201: BatchResultSerializer},
        description="Up to 100 adjustments applied in order in one transaction: if any line "
        "fails, none is applied. `level` is the level after the whole batch.",
    )
)
class StockAdjustmentBatchView(WorkspaceView):
    serializer_class = AdjustmentBatchSerializer

    def post(self, request):
        data = self.parse(AdjustmentBatchSerializer)
        lines = adjustment_lines(self.workspace, data["adjustments"], prefix="adjustments.")
        applied = services.stock_apply(
            workspace=self.workspace, lines=lines, actor=services.Actor.api_key(self.api_key)
        )
        return Response(
            {"adjustments": [_result(line) for line in applied]}, status=status.HTTP_201_CREATED
        )
