"""The catalogue and stock endpoints under /api/v1/ (SPEC §5.4). Views are thin:
parse → service → serialize, reads through the queryset builders in ``inventory.queries``."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from api.views import ApiViewMixin
from inventory import queries, services
from inventory.filters import (
    LocationFilter,
    ProductFilter,
    StockAdjustmentFilter,
    StockLevelFilter,
    VariantFilter,
)
from inventory.models import Location, Product, StockAdjustment, StockLevel, Variant
from inventory.serializers import (
    AdjustmentBatchSerializer,
    AdjustmentInputSerializer,
    LocationCreateSerializer,
    LocationSerializer,
    ProductCreateSerializer,
    ProductSerializer,
    ProductUpdateSerializer,
    StockAdjustmentSerializer,
    StockLevelSerializer,
    VariantInputSerializer,
    VariantSerializer,
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


def parse(serializer_class, request, **context):
    """Validate the request body; errors become 400 validation_error."""
    serializer = serializer_class(data=request.data, context={"request": request, **context})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class InventoryView(ApiViewMixin, generics.GenericAPIView):
    """A catalogue or stock endpoint: everything is scoped to the key's workspace.

    Subclasses set ``queryset`` to the model's ``.none()`` (what the schema generator sees)
    and implement ``scoped_queryset`` with a builder from ``inventory.queries``."""

    @property
    def workspace(self):
        return self.api_key.workspace

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular, without a request
            return self.queryset
        return self.scoped_queryset()

    def represent(self, pk) -> dict:
        """The object as it is now, read back through the view's queryset builder."""
        return self.get_serializer_class()(self.get_queryset().get(pk=pk)).data


# --- Products ----------------------------------------------------------------------------------


class ProductListView(InventoryView, generics.ListAPIView):
    queryset = Product.objects.none()
    serializer_class = ProductSerializer
    filterset_class = ProductFilter

    def scoped_queryset(self):
        return queries.product_queryset(self.workspace)

    @extend_schema(summary="List products", description="Active products unless `status` says.")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a product with its variants",
        request=ProductCreateSerializer,
        responses={201: ProductSerializer, 409: None},
        description="409 `sku_taken` when a SKU is already used in the workspace.",
    )
    def post(self, request):
        data = parse(ProductCreateSerializer, request)
        product = services.product_create(workspace=self.workspace, **data)
        return Response(self.represent(product.pk), status=status.HTTP_201_CREATED)


class ProductDetailView(InventoryView):
    queryset = Product.objects.none()
    serializer_class = ProductSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def scoped_queryset(self):
        return queries.product_queryset(self.workspace)

    @extend_schema(summary="Retrieve a product")
    def get(self, request, pk):
        return Response(ProductSerializer(self.get_object()).data)

    @extend_schema(summary="Update a product", request=ProductUpdateSerializer)
    def patch(self, request, pk):
        product = self.get_object()
        data = parse(ProductUpdateSerializer, request)
        services.product_update(product=product, **data)
        return Response(self.represent(pk))


class ProductStatusView(InventoryView):
    queryset = Product.objects.none()
    serializer_class = ProductSerializer
    archive = True  # False: unarchive

    def scoped_queryset(self):
        return queries.product_queryset(self.workspace)

    @extend_schema(request=None, responses={200: ProductSerializer, 409: None})
    def post(self, request, pk):
        product = self.get_object()
        change = services.product_archive if self.archive else services.product_unarchive
        change(product=product)
        return Response(self.represent(pk))


# --- Variants ----------------------------------------------------------------------------------


class ProductVariantListView(InventoryView, generics.ListAPIView):
    queryset = Variant.objects.none()
    serializer_class = VariantSerializer
    filterset_class = VariantFilter

    def get_product(self):
        return get_object_or_404(
            Product.objects.filter(workspace=self.workspace), pk=self.kwargs["pk"]
        )

    def scoped_queryset(self):
        return queries.variant_queryset(self.workspace).filter(product=self.get_product())

    @extend_schema(summary="List a product's variants")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Add a variant to a product",
        request=VariantInputSerializer,
        responses={201: VariantSerializer, 409: None},
    )
    def post(self, request, pk):
        product = self.get_product()
        data = parse(VariantInputSerializer, request)
        variant = services.variant_create(product=product, **data)
        return Response(self.represent(variant.pk), status=status.HTTP_201_CREATED)


class VariantDetailView(InventoryView):
    queryset = Variant.objects.none()
    serializer_class = VariantSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def scoped_queryset(self):
        return queries.variant_queryset(self.workspace)

    @extend_schema(summary="Retrieve a variant")
    def get(self, request, pk):
        return Response(VariantSerializer(self.get_object()).data)

    @extend_schema(
        summary="Update a variant",
        request=VariantUpdateSerializer,
        responses={200: VariantSerializer, 409: None},
    )
    def patch(self, request, pk):
        variant = self.get_object()
        data = parse(VariantUpdateSerializer, request)
        services.variant_update(variant=variant, **data)
        return Response(self.represent(pk))


class VariantStatusView(InventoryView):
    queryset = Variant.objects.none()
    serializer_class = VariantSerializer
    archive = True  # False: unarchive

    def scoped_queryset(self):
        return queries.variant_queryset(self.workspace)

    @extend_schema(request=None, responses={200: VariantSerializer, 409: None})
    def post(self, request, pk):
        variant = self.get_object()
        change = services.variant_archive if self.archive else services.variant_unarchive
        change(variant=variant)
        return Response(self.represent(pk))


# --- Locations ---------------------------------------------------------------------------------


class LocationListView(InventoryView, generics.ListAPIView):
    queryset = Location.objects.none()
    serializer_class = LocationSerializer
    filterset_class = LocationFilter

    def scoped_queryset(self):
        return queries.location_queryset(self.workspace)

    @extend_schema(summary="List locations")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a location",
        request=LocationCreateSerializer,
        responses={201: LocationSerializer},
    )
    def post(self, request):
        data = parse(LocationCreateSerializer, request)
        location = services.location_create(workspace=self.workspace, name=data["name"])
        return Response(LocationSerializer(location).data, status=status.HTTP_201_CREATED)


class LocationDetailView(InventoryView, generics.RetrieveAPIView):
    queryset = Location.objects.none()
    serializer_class = LocationSerializer

    def scoped_queryset(self):
        return queries.location_queryset(self.workspace)

    @extend_schema(summary="Retrieve a location")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- Stock -------------------------------------------------------------------------------------


class StockLevelListView(InventoryView, generics.ListAPIView):
    queryset = StockLevel.objects.none()
    serializer_class = StockLevelSerializer
    filterset_class = StockLevelFilter

    def scoped_queryset(self):
        return queries.stock_level_queryset(self.workspace)

    @extend_schema(summary="List stock levels", description="On hand per variant and location.")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def resolve_adjustments(workspace, items: list[dict], prefix: str = "") -> list:
    """Validated adjustment input → service lines, looking variants and locations up in the
    workspace only (another workspace's id is as unknown as a missing one), with one query per
    kind of reference however many lines there are. Errors name the line: ``adjustments.3.sku``.
    """
    variant_ids = {item["variant_id"] for item in items if "variant_id" in item}
    skus = {item["sku"] for item in items if "sku" in item}
    location_ids = {item["location_id"] for item in items if "location_id" in item}
    variants = Variant.objects.filter(workspace=workspace)
    by_id = {v.pk: v for v in variants.filter(pk__in=variant_ids)} if variant_ids else {}
    by_sku = {v.sku: v for v in variants.filter(sku__in=skus)} if skus else {}
    locations = (
        {loc.pk: loc for loc in Location.objects.filter(workspace=workspace, pk__in=location_ids)}
        if location_ids
        else {}
    )
    default = None
    lines = []
    for index, item in enumerate(items):
        where = f"{prefix}{index}." if prefix else ""
        if "variant_id" in item:
            variant = by_id.get(item["variant_id"])
            missing = (f"{where}variant_id", "No variant with this id.")
        else:
            variant = by_sku.get(item["sku"])
            missing = (f"{where}sku", "No variant with this SKU.")
        if variant is None:
            raise serializers.ValidationError({missing[0]: [missing[1]]})
        if "location_id" in item:
            location = locations.get(item["location_id"])
            if location is None:
                raise serializers.ValidationError(
                    {f"{where}location_id": ["No location with this id."]}
                )
        else:
            default = default or services.location_default(workspace)
            location = default
        lines.append(
            services.AdjustmentLine(
                variant=variant,
                location=location,
                quantity=item["quantity"],
                reason=item["reason"],
                note=item.get("note", ""),
                expected_on_hand=item.get("expected_on_hand"),
            )
        )
    return lines


def _result(adjustment, level) -> dict:
    return {
        "adjustment": StockAdjustmentSerializer(adjustment).data,
        "level": StockLevelSerializer(level).data,
    }


class StockAdjustmentListView(InventoryView, generics.ListAPIView):
    queryset = StockAdjustment.objects.none()
    serializer_class = StockAdjustmentSerializer
    filterset_class = StockAdjustmentFilter

    def scoped_queryset(self):
        return queries.stock_adjustment_queryset(self.workspace)

    @extend_schema(summary="The stock ledger", description="Append-only, oldest first.")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Adjust stock",
        request=AdjustmentInputSerializer,
        responses={201: AdjustmentResultSerializer, 409: None},
        description="409 `insufficient_stock` below zero; 409 `stock_changed` when "
        "`expected_on_hand` does not match. Nothing changes on either.",
    )
    def post(self, request):
        data = parse(AdjustmentInputSerializer, request)
        [line] = resolve_adjustments(self.workspace, [data])
        adjustment, level = services.stock_adjust(
            workspace=self.workspace,
            variant=line.variant,
            location=line.location,
            quantity=line.quantity,
            reason=line.reason,
            note=line.note,
            expected_on_hand=line.expected_on_hand,
            actor=services.Actor.api_key(self.api_key),
        )
        return Response(_result(adjustment, level), status=status.HTTP_201_CREATED)


class StockAdjustmentBatchView(InventoryView):
    serializer_class = AdjustmentBatchSerializer

    @extend_schema(
        summary="Adjust stock in a batch (all or nothing)",
        request=AdjustmentBatchSerializer,
        responses={201: BatchResultSerializer, 409: None},
        description="Up to 100 adjustments applied in order in one transaction: if any line "
        "fails, none is applied. `level` is the level after the whole batch.",
    )
    def post(self, request):
        data = parse(AdjustmentBatchSerializer, request)
        lines = resolve_adjustments(self.workspace, data["adjustments"], prefix="adjustments.")
        results = services.stock_adjust_batch(
            workspace=self.workspace, lines=lines, actor=services.Actor.api_key(self.api_key)
        )
        return Response(
            {"adjustments": [_result(adjustment, level) for adjustment, level in results]},
            status=status.HTTP_201_CREATED,
        )
