from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.sign_up, name="sign_up"),
    path("workspaces/new/", views.workspace_create, name="workspace_create"),
    path("settings/plan/", views.settings_plan, name="settings_plan"),
    path("developers/", views.developers, name="developers"),
    path("favicon.ico", views.favicon, name="favicon"),
]
