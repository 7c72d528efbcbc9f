"""purchasing's resources under /api/v1/ (mounted in salync/urls.py)."""

from api.routing import ID, route
from purchasing import api

urlpatterns = [
    route("suppliers", api.SupplierListView.as_view(), "suppliers", resource=True),
    route(rf"suppliers/{ID}", api.SupplierDetailView.as_view(), "supplier"),
    route("purchase-orders", api.PurchaseOrderListView.as_view(), "purchase-orders", resource=True),
    route(rf"purchase-orders/{ID}", api.PurchaseOrderDetailView.as_view(), "purchase-order"),
    route(
        rf"purchase-orders/{ID}/receive",
        api.PurchaseOrderReceiveView.as_view(),
        "purchase-order-receive",
    ),
    route(
        rf"purchase-orders/{ID}/cancel",
        api.PurchaseOrderCancelView.as_view(),
        "purchase-order-cancel",
    ),
]
