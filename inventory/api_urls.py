from api.routing import ID, route
from inventory import api, services

urlpatterns = [
    route("products", api.ProductListView.as_view(), "products", resource=True),
    route(rf"products/{ID}", api.ProductDetailView.as_view(), "product"),
    route(
        rf"products/{ID}/archive",
        api.ProductStatusView.as_view(change=services.product_archive),
        "product-archive",
    ),
    route(
        rf"products/{ID}/unarchive",
        api.ProductStatusView.as_view(change=services.product_unarchive),
        "product-unarchive",
    ),
    route(rf"products/{ID}/variants", api.ProductVariantListView.as_view(), "product-variants"),
    route(rf"variants/{ID}", api.VariantDetailView.as_view(), "variant"),
    route(
        rf"variants/{ID}/archive",
        api.VariantStatusView.as_view(change=services.variant_archive),
        "variant-archive",
    ),
    route(
        rf"variants/{ID}/unarchive",
        api.VariantStatusView.as_view(change=services.variant_unarchive),
        "variant-unarchive",
    ),
    route("locations", api.LocationListView.as_view(), "locations", resource=True),
    route(rf"locations/{ID}", api.LocationDetailView.as_view(), "location"),
    route("stock", api.StockLevelListView.as_view(), "stock", resource=True),
    route(
        "stock/adjustments",
        api.StockAdjustmentListView.as_view(),
        "stock-adjustments",
        resource=True,
    ),
    route(
        "stock/adjustments/batch", api.StockAdjustmentBatchView.as_view(), "stock-adjustments-batch"
    ),
]
