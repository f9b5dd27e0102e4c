from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from networks.views.auth import LoginView, PasswordResetView
from workspace import health, idle, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("session/", idle.session_status, name="session_status"),
    path("language/", views.set_language, name="set_language"),
    path("tillganglighet/", views.accessibility, name="accessibility"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("", include("networks.urls")),
    path("", include("documents.urls")),
    path("", include("notifications.urls")),
    path("", include("consultations.urls")),
    path("admin/", admin.site.urls),
]
