"""Websocket routes. Each app's consumers are listed here (see workspace/asgi.py)."""

websocket_urlpatterns: list = []
