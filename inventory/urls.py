"""The seller's inventory pages: Products and Stock (mounted in salync/urls.py)."""

from django.urls import path

from inventory import views

app_name = "inventory"

urlpatterns = [
    path("products/", views.products, name="products"),
    path("products/new/", views.product_new, name="product_new"),
    path("products/<int:pk>/", views.product_detail, name="product"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:pk>/archive/", views.product_archive, name="product_archive"),
    path("products/<int:pk>/unarchive/", views.product_unarchive, name="product_unarchive"),
    path("stock/", views.levels, name="levels"),
    path("stock/<int:pk>/adjust/", views.level_adjust, name="adjust"),
    path("stock/history/", views.history, name="history"),
]
