from django.contrib.auth.views import LogoutView
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SalyncLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("workspaces/switch/", views.switch_workspace, name="switch_workspace"),
    path("settings/", views.settings_index, name="settings"),
    path("settings/workspace/", views.settings_workspace, name="settings_workspace"),
]
