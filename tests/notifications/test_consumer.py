"""The live bell over a websocket: session-authenticated, Origin-checked, and each person hears
only their own notifications."""

import pytest
from channels.db import database_sync_to_async

from notifications import services
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import UserFactory
from tests.websockets import connect

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("close_db_connections"),
]


def raise_for(user, document="Strategi"):
    return services.notify(
        kind=Kind.SIGNOFF_AWAITING_SIGNATURE,
        recipients=[user],
        context={"document": document, "version": "2"},
        url="/documents/1/",
    )


async def test_anonymous_sockets_are_closed_with_4401(layer):
    communicator, connected, _ = await connect("/ws/notifications/")
    assert connected
    assert (await communicator.receive_output())["code"] == 4401


async def test_a_foreign_origin_is_refused(layer):
    me = await database_sync_to_async(UserFactory)()
    _communicator, connected, _ = await connect(
        "/ws/notifications/", user=me, origin="http://evil.example"
    )
    assert not connected


async def test_my_page_hears_my_notification_live(layer):
    me = await database_sync_to_async(UserFactory)(language="en")
    communicator, connected, _ = await connect("/ws/notifications/", user=me)
    assert connected
    hello = await communicator.receive_json_from()
    assert hello == {"type": "hello", "unread": 0}
    await database_sync_to_async(raise_for)(me, "Regional strategi")
    message = await communicator.receive_json_from(timeout=3)
    assert message["type"] == "new"
    assert message["unread"] == 1
    assert "Regional strategi" in message["text"]
    assert "signature" in message["text"]
    await communicator.disconnect()


async def test_i_never_hear_someone_elses_notifications(layer):
    me = await database_sync_to_async(UserFactory)()
    other = await database_sync_to_async(UserFactory)()
    communicator, _, _ = await connect("/ws/notifications/", user=me)
    await communicator.receive_json_from()
    await database_sync_to_async(raise_for)(other)
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


async def test_another_persons_id_in_the_url_is_refused(layer):
    me = await database_sync_to_async(UserFactory)()
    other = await database_sync_to_async(UserFactory)()
    communicator, connected, _ = await connect(f"/ws/notifications/{other.pk}/", user=me)
    assert connected
    assert (await communicator.receive_output())["code"] == 4403
    mine, connected, _ = await connect(f"/ws/notifications/{me.pk}/", user=me)
    assert (await mine.receive_json_from())["type"] == "hello"
    await mine.disconnect()


async def test_another_persons_id_in_a_message_is_refused(layer):
    me = await database_sync_to_async(UserFactory)()
    other = await database_sync_to_async(UserFactory)()
    communicator, _, _ = await connect("/ws/notifications/", user=me)
    await communicator.receive_json_from()
    await communicator.send_json_to({"action": "mark_read", "id": 1, "user": other.pk})
    assert (await communicator.receive_output())["code"] == 4403


async def test_marking_read_over_the_socket_touches_only_my_own(layer):
    me = await database_sync_to_async(UserFactory)()
    other = await database_sync_to_async(UserFactory)()
    [mine] = await database_sync_to_async(raise_for)(me)
    [theirs] = await database_sync_to_async(raise_for)(other)
    communicator, _, _ = await connect("/ws/notifications/", user=me)
    assert (await communicator.receive_json_from())["unread"] == 1
    await communicator.send_json_to({"action": "mark_read", "id": theirs.pk})
    assert (await communicator.receive_json_from())["unread"] == 1
    await communicator.send_json_to({"action": "mark_read", "id": mine.pk})
    counts = [await communicator.receive_json_from() for _ in range(2)]
    assert {"type": "count", "unread": 0} in counts
    theirs_read = await database_sync_to_async(
        lambda: Notification.objects.get(pk=theirs.pk).read_at
    )()
    assert theirs_read is None
    await communicator.disconnect()


async def test_a_big_event_reaches_each_open_page_among_many_people(layer):
    # Given two people with a page open among sixty told at once (a round opened to a network),
    # one of whom already has an unread notification
    me, colleague = await database_sync_to_async(UserFactory.create_batch)(2)
    others = await database_sync_to_async(UserFactory.create_batch)(58)
    [earlier] = await database_sync_to_async(raise_for)(me, "Tidigare strategi")
    mine, _, _ = await connect("/ws/notifications/", user=me)
    theirs, _, _ = await connect("/ws/notifications/", user=colleague)
    assert (await mine.receive_json_from())["unread"] == 1
    assert (await theirs.receive_json_from())["unread"] == 0

    # when one event tells them all
    told = await database_sync_to_async(
        lambda: services.notify(
            kind=Kind.SIGNOFF_AWAITING_SIGNATURE,
            recipients=[*others[:30], me, colleague, *others[30:]],
            context={"document": "Regional strategi", "version": "2"},
            url="/documents/1/",
        )
    )()

    # then each open page hears its own notification once, with its own count
    by_person = {n.recipient_id: n.pk for n in told}
    for communicator, person, unread in ((mine, me, 2), (theirs, colleague, 1)):
        message = await communicator.receive_json_from(timeout=3)
        assert (message["type"], message["id"], message["unread"]) == (
            "new",
            by_person[person.pk],
            unread,
        )
        assert "Regional strategi" in message["text"]
        assert await communicator.receive_nothing(timeout=0.3)
        await communicator.disconnect()
    assert earlier.pk not in by_person.values()
