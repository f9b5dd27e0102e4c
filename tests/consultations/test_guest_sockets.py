"""A guest's websockets: their round's live updates, and nothing else (no inbox, no other
round)."""

import pytest
from channels.db import database_sync_to_async

from consultations.services import comments
from tests.consultations.guesting import consult_by_link, guest_user
from tests.websockets import connect

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("close_db_connections"),
]


@pytest.fixture
def eva(world, smtp_inbox, django_capture_on_commit_callbacks):
    reached = consult_by_link(
        world["round"], world["people"]["chair"], smtp_inbox, django_capture_on_commit_callbacks
    )
    return guest_user(reached, smtp_inbox)


async def test_a_guest_has_no_notifications_socket(layer, eva):
    for path in ("/ws/notifications/", f"/ws/notifications/{eva.pk}/"):
        communicator, connected, _code = await connect(path, user=eva)
        assert connected
        assert (await communicator.receive_output())["code"] == 4403


async def test_a_guest_hears_their_round_live(layer, world, eva):
    page, connected, _code = await connect(f"/ws/rounds/{world['round'].pk}/", user=eva)
    assert connected
    hello = await page.receive_json_from()
    assert hello["type"] == "hello"
    await database_sync_to_async(comments.add_comment)(
        world["round"], by_user=world["people"]["member"], body="Ny synpunkt"
    )
    event = await page.receive_json_from(timeout=3)
    assert event["sequence"] == hello["sequence"] + 1
    await page.disconnect()


async def test_a_guest_is_turned_away_from_another_round(layer, world, eva):
    other = await database_sync_to_async(_another_round)(world)
    page, connected, _code = await connect(f"/ws/rounds/{other.pk}/", user=eva)
    assert connected
    assert (await page.receive_output())["code"] == 4404


async def test_a_revoked_guest_is_turned_away_from_the_round(layer, world, eva):
    from consultations import guests
    from consultations.models import GuestPass

    def revoke():
        guests.revoke(GuestPass.objects.get(), by_user=world["people"]["chair"])

    await database_sync_to_async(revoke)()
    page, connected, _code = await connect(f"/ws/rounds/{world['round'].pk}/", user=eva)
    assert connected
    assert (await page.receive_output())["code"] == 4404


def _another_round(world):
    from datetime import timedelta

    from django.utils import timezone

    from consultations.services import rounds as round_services

    return round_services.create_round(
        world["document"],
        by_user=world["people"]["chair"],
        version=world["version"],
        title="En annan remiss",
        closes_at=timezone.now() + timedelta(days=5),
    )
