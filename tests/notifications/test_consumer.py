"""The live bell over a websocket: session-authenticated, Origin-checked, and each person hears
only their own notifications."""

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.db import connections

from notifications import services
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def layer(request, settings):
    if request.param == "redis":
        from workspace.settings import redis_db_url

        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [redis_db_url(settings.REDIS_URL, 1)]},
            }
        }
    else:
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield request.param
    channel_layers.backends.clear()


@pytest_asyncio.fixture(autouse=True)
async def close_db_connections():
    yield
    await database_sync_to_async(connections.close_all)()


def session_cookie(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def connect(path="/ws/notifications/", *, user=None, origin="http://testserver"):
    from workspace.asgi import application

    headers = [(b"host", b"testserver")]
    if origin:
        headers.append((b"origin", origin.encode()))
    if user is not None:
        cookie = await sync_to_async(session_cookie)(user)
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


def raise_for(user, document="Strategi"):
    return services.notify(
        kind=Kind.SIGNOFF_AWAITING_SIGNATURE,
        recipients=[user],
        context={"document": document, "version": "2"},
        url="/documents/1/",
    )


async def test_anonymous_sockets_are_closed_with_4401(layer):
    communicator, connected, _ = await connect()
    assert connected
    assert (await communicator.receive_output())["code"] == 4401


async def test_a_foreign_origin_is_refused(layer):
    me = await database_sync_to_async(UserFactory)()
    communicator, connected, _ = await connect(user=me, origin="http://evil.example")
    assert not connected


async def test_my_page_hears_my_notification_live(layer):
    me = await database_sync_to_async(UserFactory)(language="en")
    communicator, connected, _ = await connect(user=me)
    assert connected
    hello = await communicator.receive_json_from()
    assert hello == {"type": "hello", "unread": 0}
    await database_sync_to_async(raise_for)(me, "Regional strategi")
    message = await communicator.receive_json_from(timeout=3)
    assert message["type"] == "new" and message["unread"] == 1
    assert "Regional strategi" in message["text"] and "signature" in message["text"]
    await communicator.disconnect()


async def test_i_never_hear_someone_elses_notifications(layer):
    me = await database_sync_to_async(UserFactory)()
    other = await database_sync_to_async(UserFactory)()
    communicator, _, _ = await connect(user=me)
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
    communicator, _, _ = await connect(user=me)
    await communicator.receive_json_from()
    await communicator.send_json_to({"action": "mark_read", "id": 1, "user": other.pk})
    assert (await communicator.receive_output())["code"] == 4403


async def test_marking_read_over_the_socket_touches_only_my_own(layer):
    me = await database_sync_to_async(UserFactory)()
    other = await database_sync_to_async(UserFactory)()
    [mine] = await database_sync_to_async(raise_for)(me)
    [theirs] = await database_sync_to_async(raise_for)(other)
    communicator, _, _ = await connect(user=me)
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
