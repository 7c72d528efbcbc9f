"""Purchase orders and Suppliers pages (mounted in salync/urls.py)."""

from django.urls import path

from purchasing import views

app_name = "purchasing"

urlpatterns = [
    path("purchase-orders/", views.orders, name="orders"),
    path("purchase-orders/new/", views.order_new, name="order_new"),
    path("purchase-orders/<int:pk>/", views.order_detail, name="order"),
    path("purchase-orders/<int:pk>/receive/", views.order_receive, name="order_receive"),
    path("purchase-orders/<int:pk>/place/", views.order_place, name="order_place"),
    path("purchase-orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("suppliers/", views.suppliers, name="suppliers"),
    path("suppliers/new/", views.supplier_new, name="supplier_new"),
    path("suppliers/<int:pk>/edit/", views.supplier_edit, name="supplier_edit"),
]
