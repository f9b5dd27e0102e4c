"""Live round pages: who may listen, numbered events, and catching up over HTTP."""

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.urls import reverse

from consultations.services import comments

pytestmark = pytest.mark.django_db(transaction=True)


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


def cookie_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def listen(review_round, user=None):
    from workspace.asgi import application

    headers = [(b"host", b"testserver"), (b"origin", b"http://testserver")]
    if user is not None:
        headers.append((b"cookie", f"sessionid={await sync_to_async(cookie_for)(user)}".encode()))
    communicator = WebsocketCommunicator(
        application, f"/ws/rounds/{review_round.pk}/", headers=headers
    )
    connected, _ = await communicator.connect()
    assert connected
    return communicator


@pytest.fixture
def built(open_world):
    return open_world


@pytest.mark.asyncio
async def test_people_who_see_the_round_hear_new_comments_with_a_sequence(layer, built):
    page = await listen(built["round"], built["people"]["expert"])
    hello = await page.receive_json_from()
    assert hello["type"] == "hello"
    await database_sync_to_async(comments.add_comment)(
        built["round"], by_user=built["people"]["member"], body="Ny synpunkt"
    )
    event = await page.receive_json_from(timeout=3)
    assert event == {"type": "event", "sequence": hello["sequence"] + 1, "kind": "comment"}
    await page.disconnect()


@pytest.mark.asyncio
@pytest.mark.parametrize("who", ["outsider", None])
async def test_others_are_turned_away(layer, built, who):
    person = built["people"][who] if who else None
    page = await listen(built["round"], person)
    assert (await page.receive_output())["code"] == (4404 if who else 4401)


def test_a_page_catches_up_on_what_it_missed(client, built):
    review_round, people = built["round"], built["people"]
    client.force_login(people["expert"])
    start = review_round.sequence
    first = comments.add_comment(review_round, by_user=people["member"], body="Första")
    comments.add_comment(review_round, by_user=people["manager"], body="Svar", parent=first)
    lonely = comments.add_comment(review_round, by_user=people["member"], body="Tas bort")
    comments.delete_comment(lonely, by_user=people["member"])
    url = reverse("consultations:events", args=[review_round.pk])
    data = client.get(url, {"after": start}).json()
    assert data["sequence"] == start + 4
    assert [t["id"] for t in data["threads"]] == [first.pk]
    assert "Första" in data["threads"][0]["html"] and "Svar" in data["threads"][0]["html"]
    assert data["removed"] == [lonely.pk]
    assert client.get(url, {"after": data["sequence"]}).json()["threads"] == []
    client.force_login(people["outsider"])
    assert client.get(url).status_code == 404
