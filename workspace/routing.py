"""Websocket routes. Each app's consumers are listed here (see workspace/asgi.py)."""

from consultations.routing import websocket_urlpatterns as round_routes
from notifications.routing import websocket_urlpatterns as notification_routes

websocket_urlpatterns: list = [*notification_routes, *round_routes]
