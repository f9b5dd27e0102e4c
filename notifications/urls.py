from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/recent/", views.recent, name="recent"),
    path("notifications/settings/", views.preferences, name="preferences"),
    path("notifications/read/", views.mark_read, name="mark_all_read"),
    path("notifications/<int:pk>/read/", views.mark_read, name="mark_read"),
    path("notifications/<int:pk>/open/", views.open_notification, name="open"),
]
