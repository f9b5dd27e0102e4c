"""The live bell: one websocket per open page, joined to the person's own group only."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from notifications.delivery import group_name
from notifications.models import Notification

UNAUTHENTICATED = 4401
FORBIDDEN = 4403


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """Session-authenticated (AuthMiddlewareStack) and Origin-checked (workspace.asgi).

    Closing codes are application codes, so the socket is accepted first (a close before
    accept reaches the browser as a plain failed handshake)."""

    group = None

    async def connect(self):
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=UNAUTHENTICATED)
            return
        if getattr(user, "is_guest", False):
            # A guest (consultations.guests) has no inbox: notify() tells their party's address.
            await self.close(code=FORBIDDEN)
            return
        asked_for = self.scope["url_route"]["kwargs"].get("user_id")
        if asked_for is not None and int(asked_for) != user.pk:
            await self.close(code=FORBIDDEN)
            return
        self.group = group_name(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json({"type": "hello", "unread": await self._unread(user.pk)})

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        user = self.scope["user"]
        if not self.group:
            return
        other = content.get("user")
        if other is not None and str(other) != str(user.pk):
            await self.close(code=FORBIDDEN)  # nobody listens to someone else's bell
            return
        if content.get("action") == "mark_read" and isinstance(content.get("id"), int):
            await self._mark_read(user, content["id"])
        await self.send_json({"type": "count", "unread": await self._unread(user.pk)})

    async def notification_created(self, event):
        await self.send_json({k: v for k, v in event.items() if k != "type"} | {"type": "new"})

    async def notification_count(self, event):
        await self.send_json({"type": "count", "unread": event["unread"]})

    @database_sync_to_async
    def _unread(self, user_id):
        return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()

    @database_sync_to_async
    def _mark_read(self, user, notification_id):
        from notifications.services import mark_read

        return mark_read(user, [notification_id])
