from django.urls import path

from notifications.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    path("ws/notifications/<int:user_id>/", NotificationConsumer.as_asgi()),
]
