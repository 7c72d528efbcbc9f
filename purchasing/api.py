"""The suppliers and purchase-orders endpoints under /api/v1/ (SPEC §5.4). Views are thin:
parse → service → represent, reads through ``purchasing.queries`` and answers built by
``purchasing.representations``; ``purchasing.schema`` describes them."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from api.generics import (
    WorkspaceDetailView,
    WorkspaceListView,
    WorkspaceStatusView,
    WorkspaceUpdateView,
    WorkspaceView,
)
from inventory.services import Actor
from purchasing import queries, selectors, services
from purchasing import representations as rep
from purchasing.filters import PurchaseOrderFilter, SupplierFilter
from purchasing.schema import PurchaseOrderSerializer, SupplierSerializer
from purchasing.serializers import (
    PurchaseOrderCreateSerializer,
    ReceiptSerializer,
    SupplierInputSerializer,
    SupplierUpdateSerializer,
)

# --- Suppliers ---------------------------------------------------------------------------------


class SupplierView:
    serializer_class = SupplierSerializer
    queryset_builder = staticmethod(queries.supplier_queryset)
    representer = rep.SUPPLIERS
    object_param = "supplier"


@extend_schema_view(
    get=extend_schema(summary="List suppliers"),
    post=extend_schema(
        summary="Add a supplier",
        request=SupplierInputSerializer,
        responses={201: SupplierSerializer},
    ),
)
class SupplierListView(SupplierView, WorkspaceListView):
    filterset_class = SupplierFilter

    def post(self, request):
        data = self.parse(SupplierInputSerializer)
        return self.created(services.supplier_create(workspace=self.workspace, **data).pk)


@extend_schema_view(
    get=extend_schema(summary="Retrieve a supplier"),
    patch=extend_schema(summary="Update a supplier", request=SupplierUpdateSerializer),
)
class SupplierDetailView(SupplierView, WorkspaceUpdateView):
    update = staticmethod(services.supplier_update)
    update_serializer_class = SupplierUpdateSerializer


# --- Purchase orders ---------------------------------------------------------------------------


class PurchaseOrderView:
    serializer_class = PurchaseOrderSerializer
    queryset_builder = staticmethod(queries.purchase_order_queryset)
    representer = rep.ORDERS
    object_param = "order"


@extend_schema_view(
    get=extend_schema(summary="List purchase orders"),
    post=extend_schema(
        summary="Create a purchase order with its lines",
        request=PurchaseOrderCreateSerializer,
        responses={201: PurchaseOrderSerializer},
        description="Lines name their variant by `variant_id` or `sku`; archived variants "
        "cannot be ordered. A `draft` counts as nothing incoming until it is ordered.",
    ),
)
class PurchaseOrderListView(PurchaseOrderView, WorkspaceListView):
    filterset_class = PurchaseOrderFilter

    def post(self, request):
        data = self.parse(PurchaseOrderCreateSerializer)
        supplier, location = selectors.order_refs_resolve(workspace=self.workspace, data=data)
        variants = selectors.order_variants_resolve(workspace=self.workspace, items=data["lines"])
        order = services.purchase_order_create(
            workspace=self.workspace,
            supplier=supplier,
            location=location,
            lines=[
                services.OrderLine(variant, line["quantity"], line["unit_cost"])
                for line, variant in zip(data["lines"], variants, strict=True)
            ],
            status=data.get("status", "ordered"),
            expected_date=data.get("expected_date"),
            notes=data.get("notes", ""),
        )
        return self.created(order.pk)


@extend_schema_view(get=extend_schema(summary="Retrieve a purchase order"))
class PurchaseOrderDetailView(PurchaseOrderView, WorkspaceDetailView):
    pass


@extend_schema_view(
    post=extend_schema(
        summary="Receive a purchase order",
        request=ReceiptSerializer,
        responses={200: PurchaseOrderSerializer},
        description="Adds the received quantities to stock at the order's location, in one "
        "transaction, with the order as the ledger rows' source. No body (or no `lines`): "
        "everything outstanding. 409 `over_receipt` for more than a line has outstanding; "
        "409 `invalid_state` for a draft, cancelled or received order. Nothing changes on "
        "either.",
    )
)
class PurchaseOrderReceiveView(PurchaseOrderView, WorkspaceView):
    def post(self, request, pk):
        data = self.parse(ReceiptSerializer)  # no body: {}, everything outstanding
        lines = [(line["line_id"], line["quantity"]) for line in data.get("lines", [])]
        services.purchase_order_receive(
            order=self.get_object(), actor=Actor.api_key(self.api_key), lines=lines or None
        )
        return Response(self.represent(pk), status=status.HTTP_200_OK)


@extend_schema_view(
    post=extend_schema(
        summary="Cancel a purchase order",
        description="A draft, ordered or partially received order: what was received stays "
        "in stock, what is outstanding stops counting as incoming. 409 `invalid_state` "
        "otherwise.",
    )
)
class PurchaseOrderCancelView(PurchaseOrderView, WorkspaceStatusView):
    change = staticmethod(services.purchase_order_cancel)
