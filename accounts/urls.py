from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SalyncLoginView.as_view(), name="login"),
    path("logout/", views.SalyncLogoutView.as_view(), name="logout"),
    path("password-reset/", views.SalyncPasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        views.SalyncPasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/done/",
        views.SalyncPasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.SalyncPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("workspaces/switch/", views.switch_workspace, name="switch_workspace"),
    path("settings/", views.settings_index, name="settings"),
    path("settings/workspace/", views.settings_workspace, name="settings_workspace"),
    path(
        "settings/workspace/invitations/",
        views.invitation_create_view,
        name="invitation_create",
    ),
    path(
        "settings/workspace/invitations/<int:pk>/revoke/",
        views.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("settings/workspace/members/<int:pk>/role/", views.member_role_view, name="member_role"),
    path(
        "settings/workspace/members/<int:pk>/remove/",
        views.member_remove_view,
        name="member_remove",
    ),
    path("invitations/<str:token>/", views.invitation_view, name="invitation"),
]
