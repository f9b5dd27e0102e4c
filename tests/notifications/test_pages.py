"""The bell's pages: the list, opening, marking read, preferences; each person sees only their
own, refused input changes nothing, and the pages cost the same with few or many rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents import services as documents_services
from networks import services as networks_services
from networks.models import Role
from notifications import services
from notifications.kinds import Channel, Kind
from notifications.models import Notification, Preference
from tests.factories import DocumentFactory, MembershipFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db


def raise_for(user, n=1):
    rows = []
    for i in range(n):
        rows += services.notify(
            kind=Kind.DOCUMENT_ADOPTED,
            recipients=[user],
            context={"document": f"Strategi {i}", "version": "2"},
            url="/documents/1/",
        )
    return rows


def snapshot():
    return (
        sorted(Notification.objects.values_list("id", "read_at")),
        sorted(Preference.objects.values_list("user_id", "kind", "channel")),
    )


@pytest.mark.parametrize("visitor", ["owner", "other", "anonymous"])
@pytest.mark.parametrize("action", ["open", "read"])
def test_only_the_recipient_opens_or_marks_a_notification(client, visitor, action):
    owner = UserFactory()
    [notification] = raise_for(owner)
    if visitor == "owner":
        client.force_login(owner)
    elif visitor == "other":
        client.force_login(UserFactory())
    before = snapshot()
    url = reverse(
        f"notifications:{'open' if action == 'open' else 'mark_read'}", args=[notification.pk]
    )
    response = client.get(url) if action == "open" else client.post(url)
    expected = {"owner": 302, "other": 404, "anonymous": 302}[visitor]
    assert response.status_code == expected
    if visitor == "owner":
        notification.refresh_from_db()
        if action == "open":
            # A GET changes nothing: the page it leads to marks it read (a POST from its script).
            assert notification.read_at is None
            assert response["Location"] == f"/documents/1/?notification={notification.pk}"
        else:
            assert notification.read_at is not None
    else:
        assert snapshot() == before
        if visitor == "anonymous":
            assert "/login/" in response["Location"]


@pytest.mark.parametrize("name", ["list", "preferences", "recent"])
def test_anonymous_visitors_are_sent_to_login(client, name):
    assert "/login/" in client.get(reverse(f"notifications:{name}"))["Location"]


def test_the_list_shows_my_notifications_and_not_others(client):
    me, other = UserFactory(), UserFactory()
    raise_for(me)
    services.notify(
        kind=Kind.DOCUMENT_ADOPTED,
        recipients=[other],
        context={"document": "Hemlig", "version": "1"},
    )
    client.force_login(me)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Strategi 0" in page
    assert "Hemlig" not in page
    assert 'class="bell__count" data-bell-count>1<' in page


def test_mark_all_read_clears_the_bell(client):
    me = UserFactory()
    raise_for(me, 3)
    client.force_login(me)
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()


def test_recent_returns_what_the_page_missed(client):
    me = UserFactory()
    first, second = raise_for(me, 2)
    client.force_login(me)
    data = client.get(reverse("notifications:recent"), {"after": first.pk}).json()
    assert data["unread"] == 2
    assert [item["id"] for item in data["items"]] == [second.pk]
    assert client.get(reverse("notifications:recent"), {"after": "x"}).status_code == 200


def test_preferences_are_saved_and_bad_choices_change_nothing(client):
    me = UserFactory()
    client.force_login(me)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200
    choices = {f"kind-{kind}": Channel.IMMEDIATE for kind in Kind.values}
    choices[f"kind-{Kind.VERSION_PUBLISHED}"] = Channel.IN_APP
    assert client.post(reverse("notifications:preferences"), choices).status_code == 302
    stored = dict(Preference.objects.filter(user=me).values_list("kind", "channel"))
    assert stored[Kind.VERSION_PUBLISHED] == Channel.IN_APP
    before = snapshot()
    choices[f"kind-{Kind.SIGNATURE_GIVEN}"] = "carrier-pigeon"
    response = client.post(reverse("notifications:preferences"), choices)
    assert response.status_code == 400
    assert snapshot() == before
    assert Preference.history.filter(user=me).exists()


@pytest.mark.parametrize("name", ["list", "preferences"])
def test_pages_cost_the_same_with_few_or_many_notifications(client, name):
    me = UserFactory()
    client.force_login(me)
    url = reverse(f"notifications:{name}")
    raise_for(me, 2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    raise_for(me, 80)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)


def test_inviting_someone_with_an_account_rings_their_bell(django_capture_on_commit_callbacks):
    membership = MembershipFactory(role=Role.CHAIR)
    invited = UserFactory(email="kim@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        networks_services.invite_member(
            membership.network, by_user=membership.user, email="KIM@example.org", role=Role.WRITER
        )
    notification = Notification.objects.get(recipient=invited)
    assert notification.kind == Kind.INVITED
    assert "/invitations/" in notification.url


def test_publishing_a_version_tells_the_networks_members_but_not_the_writer(
    django_capture_on_commit_callbacks,
):
    document = DocumentFactory()
    writer = MembershipFactory(network=document.network, role=Role.WRITER).user
    members = [MembershipFactory(network=document.network).user for _ in range(3)]
    outsider = UserFactory()
    SectionFactory(document=document)
    with django_capture_on_commit_callbacks(execute=True):
        documents_services.publish_version(document, by_user=writer, label="v1", change_summary="")
    told = set(
        Notification.objects.filter(kind=Kind.VERSION_PUBLISHED).values_list("recipient", flat=True)
    )
    assert told == {m.pk for m in members}
    assert outsider.pk not in told
    assert writer.pk not in told
