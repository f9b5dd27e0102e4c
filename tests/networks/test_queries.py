"""Pages cost the same number of queries with 5 members as with 200."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from networks.models import Network, Role
from tests.factories import InvitationFactory, MembershipFactory, NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db


def grow(network, members, invitations=0, sub_groups=0, former=0, changed=0):
    for _ in range(members):
        MembershipFactory(network=network, role=Role.MEMBER)
    past = timezone.localdate() - timedelta(days=400)
    for _ in range(former):
        MembershipFactory(network=network, role=Role.MEMBER, start_date=past, end_date=past)
    for _ in range(changed):  # members whose organisation changed: the earlier one is listed
        earlier = MembershipFactory(network=network, start_date=past, end_date=timezone.localdate())
        MembershipFactory(network=network, user=earlier.user)
    for _ in range(invitations):
        InvitationFactory(network=network)
    for _ in range(sub_groups):
        NetworkFactory(parent=network, kind=Network.Kind.WRITING_GROUP)


def count(client, url):
    client.get(url)  # warm up: the session and the language are loaded once per client
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("url_name", ["networks:detail", "networks:members"])
def test_network_pages_do_not_grow_with_the_members(client, url_name):
    small, large = NetworkFactory(), NetworkFactory()
    chair = UserFactory()
    MembershipFactory(network=small, user=chair, role=Role.CHAIR)
    MembershipFactory(network=large, user=chair, role=Role.CHAIR)
    grow(small, 5, invitations=1, sub_groups=1, former=1, changed=1)
    grow(large, 200, invitations=30, sub_groups=6, former=40, changed=30)
    NetworkFactory(parent=large, archived=True)
    client.force_login(chair)
    small_count = count(client, reverse(url_name, args=[small.pk]))
    large_count = count(client, reverse(url_name, args=[large.pk]))
    assert small_count == large_count


def test_my_networks_does_not_grow_with_the_networks(client):
    person = UserFactory()
    first = NetworkFactory()
    MembershipFactory(network=first, user=person)
    client.force_login(person)
    one = count(client, reverse("networks:list"))
    for _ in range(15):
        network = NetworkFactory()
        MembershipFactory(network=network, user=person)
        grow(network, 10, sub_groups=1)
    many = count(client, reverse("networks:list"))
    assert one == many


def test_the_network_page_lists_every_member_with_organisation_and_role(client):
    network = NetworkFactory()
    chair = MembershipFactory(network=network, role=Role.CHAIR)
    members = [MembershipFactory(network=network, role=Role.WRITER) for _ in range(5)]
    client.force_login(chair.user)
    text = client.get(reverse("networks:detail", args=[network.pk])).content.decode()
    for membership in [chair, *members]:
        assert membership.user.full_name in text
        assert membership.organisation.name in text


def test_the_end_membership_page_does_not_grow_with_the_members(client):
    counts = []
    for size in (5, 200):
        network = NetworkFactory()
        chair = MembershipFactory(network=network, role=Role.CHAIR)
        grow(network, size)
        client.force_login(chair.user)
        url = reverse("networks:end_membership", args=[network.pk, chair.pk])
        counts.append(count(client, url))
    assert counts[0] == counts[1]


def test_the_change_representation_page_does_not_grow_with_the_network(client):
    """Nor with the organisations it offers (one for each member here)."""
    counts = []
    for size in (5, 200):
        network = NetworkFactory()
        chair = MembershipFactory(network=network, role=Role.CHAIR)
        grow(network, size, former=size // 5, changed=size // 10)
        client.force_login(chair.user)
        url = reverse("networks:change_representation", args=[network.pk, chair.pk])
        counts.append(count(client, url))
    assert counts[0] == counts[1]


def test_the_invitation_page_does_not_grow_with_the_members(client):
    counts = []
    for size in (5, 200):
        network = NetworkFactory()
        grow(network, size)
        invitation = InvitationFactory(network=network)
        counts.append(count(client, reverse("networks:invitation", args=[invitation.token])))
    assert counts[0] == counts[1]


def test_the_login_page_costs_no_query(client):
    assert count(client, reverse("login")) == 0


@pytest.mark.parametrize(
    "url_name",
    ["networks:add_organisation", "networks:edit_organisation", "networks:organisations"],
)
def test_organisation_set_up_pages_do_not_grow_with_the_organisations(client, url_name):
    coordinator = MembershipFactory(role=Role.COORDINATOR)
    organisation = coordinator.organisation  # the coordinator represents it in the network
    client.force_login(coordinator.user)
    args = [organisation.pk] if url_name == "networks:edit_organisation" else []
    url = reverse(url_name, args=args)
    few = count(client, url)
    for _ in range(20):
        MembershipFactory(network=coordinator.network, role=Role.MEMBER)  # and an organisation
        MembershipFactory(network=coordinator.network, organisation=organisation)
        MembershipFactory(role=Role.COORDINATOR, user=coordinator.user)  # more networks managed
    assert count(client, url) == few


@pytest.mark.parametrize("url_name", ["networks:create_subgroup", "networks:archive"])
def test_set_up_pages_do_not_grow_with_the_network(client, url_name):
    counts = []
    for size in (5, 200):
        network = NetworkFactory()
        chair = MembershipFactory(network=network, role=Role.CHAIR)
        grow(network, size, sub_groups=size // 20, former=size // 5)
        client.force_login(chair.user)
        counts.append(count(client, reverse(url_name, args=[network.pk])))
    assert counts[0] == counts[1]


def test_the_new_network_page_does_not_grow_with_the_persons_networks(client):
    person = UserFactory()
    counts = []
    for _ in range(2):
        for _ in range(10):
            MembershipFactory(network=NetworkFactory(), user=person, role=Role.COORDINATOR)
        client.force_login(person)
        counts.append(count(client, reverse("networks:create")))
    assert counts[0] == counts[1]


def test_a_big_network_lists_its_first_members_and_links_to_all(client, monkeypatch):
    """With more members than the page lists: the chair first, then by name; the count says
    how many there are, and "Show all" lists every one of them."""
    from networks.views import networks as network_views

    monkeypatch.setattr(network_views, "MEMBERS_SHOWN", 3)
    network = NetworkFactory()
    chair = MembershipFactory(
        network=network, role=Role.CHAIR, user=UserFactory(full_name="Öberg Chair")
    ).user
    for name in ("Anna", "Bertil", "Cecilia", "David"):
        MembershipFactory(network=network, role=Role.MEMBER, user=UserFactory(full_name=name))
    client.force_login(chair)
    url = reverse("networks:detail", args=[network.pk])

    page = client.get(url).content.decode()

    listed = re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', page)
    assert listed == ["Öberg Chair", "Anna", "Bertil"]
    assert "<strong>5</strong>" in page  # members, not the three listed
    assert 'href="?medlemmar=alla#members-heading"' in page

    page = client.get(url, {"medlemmar": "alla"}).content.decode()

    listed = re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', page)
    assert listed == ["Öberg Chair", "Anna", "Bertil", "Cecilia", "David"]
    assert 'href="?medlemmar=alla' not in page
