"""Opening a notification is a GET that changes nothing (link checkers and prefetchers follow
links too); the page it leads to marks it read with a POST."""

import pytest
from django.urls import reverse

from notifications import services
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def notify(user, url):
    [notification] = services.notify(
        kind=Kind.DOCUMENT_ADOPTED,
        recipients=[user],
        context={"document": "Strategi", "version": "2"},
        url=url,
    )
    return notification


def test_following_the_link_changes_nothing_and_names_the_notification(client):
    me = UserFactory()
    notification = notify(me, "/rounds/3/?tab=comments#comment-5")
    client.force_login(me)

    response = client.get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == (
        f"/rounds/3/?tab=comments&notification={notification.pk}#comment-5"
    )
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_read_notification_leads_to_its_page_as_it_is(client):
    me = UserFactory()
    notification = notify(me, "/documents/1/")
    services.mark_read(me, [notification.pk])
    client.force_login(me)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == "/documents/1/"


def test_the_opened_page_marks_it_read_and_gets_the_new_count(client):
    me = UserFactory()
    first, _second = notify(me, "/documents/1/"), notify(me, "/documents/2/")
    client.force_login(me)

    response = client.post(
        reverse("notifications:mark_read", args=[first.pk]), HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 200
    assert response.json() == {"unread": 1}
    first.refresh_from_db()
    assert first.read_at is not None


def test_a_get_cannot_mark_it_read(client):
    me = UserFactory()
    notification = notify(me, "/documents/1/")
    client.force_login(me)
    assert client.get(reverse("notifications:mark_read", args=[notification.pk])).status_code == 405
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_the_bell_tells_the_script_where_to_mark(client):
    me = UserFactory()
    client.force_login(me)
    page = client.get(reverse("notifications:list")).content.decode()
    assert 'data-mark-read="/notifications/0/read/"' in page
