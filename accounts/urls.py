from django.contrib.auth.views import LogoutView
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SalyncLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("signup/", views.sign_up, name="sign_up"),
    path("workspaces/switch/", views.switch_workspace, name="switch_workspace"),
    path("workspaces/new/", views.workspace_create, name="workspace_create"),
    path("settings/", views.settings_index, name="settings"),
    path("settings/workspace/", views.settings_workspace, name="settings_workspace"),
    path("settings/plan/", views.settings_plan, name="settings_plan"),
]
