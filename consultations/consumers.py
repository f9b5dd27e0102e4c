"""Live round pages: one group per round; only people who may see the round join it. What each
of them sees of a change, and may do on it, is the round page's answer when it fetches the change
(consultations.views.rounds.round_events, from the policies)."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from consultations.live import group_name
from consultations.models import ReviewRound
from consultations.policies.actions import RoundAction
from networks import registry

UNAUTHENTICATED = 4401
NOT_FOUND = 4404


class RoundConsumer(AsyncJsonWebsocketConsumer):
    """Session-authenticated and Origin-checked (workspace.asgi). Messages carry the round's
    sequence number; the page fetches the changes themselves over HTTP, so a page that was
    offline gets the same answer by asking from the last number it saw."""

    group = None

    async def connect(self):
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        round_id = self.scope["url_route"]["kwargs"]["round_id"]
        sequence = await self._visible_sequence(user, round_id)
        if sequence is None:
            await self.close(code=NOT_FOUND)  # the same answer for missing and not visible
            return
        self.group = group_name(round_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json({"type": "hello", "sequence": sequence})

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        """The page only listens; anything it sends is ignored."""

    async def round_event(self, event):
        await self.send_json(
            {"type": "event", "sequence": event["sequence"], "kind": event["kind"]}
        )

    @database_sync_to_async
    def _visible_sequence(self, user, round_id):
        review_round = (
            ReviewRound.objects.select_related("document__network").filter(pk=round_id).first()
        )
        if review_round is None or not registry.can(user, RoundAction.VIEW, review_round):
            return None
        return review_round.sequence
