"""Live round pages: who may listen, numbered events, and catching up over HTTP."""

import pytest
from channels.db import database_sync_to_async
from django.urls import reverse

from consultations.services import comments
from tests.websockets import connect

pytestmark = pytest.mark.django_db(transaction=True)


async def listen(review_round, user=None):
    communicator, connected, _code = await connect(f"/ws/rounds/{review_round.pk}/", user=user)
    assert connected
    return communicator


@pytest.fixture
def built(open_world):
    return open_world


@pytest.mark.asyncio
@pytest.mark.usefixtures("close_db_connections")
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
@pytest.mark.usefixtures("close_db_connections")
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
    assert "Första" in data["threads"][0]["html"]
    assert "Svar" in data["threads"][0]["html"]
    assert data["removed"] == [lonely.pk]
    assert client.get(url, {"after": data["sequence"]}).json()["threads"] == []
    client.force_login(people["outsider"])
    assert client.get(url).status_code == 404
