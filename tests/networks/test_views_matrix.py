"""Role × page matrix: every page and action of the networks app, for every kind of visitor.

Outsiders and ended members get 404 (never 403, never a hint); members without the right get
403 with a readable message; refused writes change nothing.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from networks import services
from networks.models import Invitation, Membership, Network, Organisation, Role
from tests.factories import InvitationFactory, MembershipFactory, NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')

VISITORS = [
    "chair",
    "coordinator",
    "member",
    "writer",
    "signatory",
    "observer",
    "parent_chair",
    "parent_member",
    "ended",
    "outsider",
    "anonymous",
]
MANAGERS = {"chair", "coordinator", "parent_chair"}
SEES = MANAGERS | {"member", "writer", "signatory", "observer", "parent_member"}


@pytest.fixture
def world():
    parent = NetworkFactory(name="Arbetsgruppen")
    network = NetworkFactory(name="Skrivargruppen", parent=parent, kind=Network.Kind.WRITING_GROUP)
    people = {}
    for role in ["chair", "coordinator", "member", "writer", "signatory", "observer"]:
        people[role] = MembershipFactory(network=network, role=role).user
    people["parent_chair"] = MembershipFactory(network=parent, role=Role.CHAIR).user
    people["parent_member"] = MembershipFactory(network=parent, role=Role.MEMBER).user
    today = timezone.localdate()
    people["ended"] = MembershipFactory(
        network=network, role=Role.CHAIR, start_date=today - timedelta(days=9), end_date=today
    ).user
    people["outsider"] = MembershipFactory(network=NetworkFactory(name="Kronoberg")).user
    people["anonymous"] = None
    target = MembershipFactory(network=network, role=Role.MEMBER)
    invitation = InvitationFactory(network=network, email="pending@example.org")
    return {"network": network, "people": people, "target": target, "invitation": invitation}


def snapshot():
    return (
        sorted(Network.objects.values_list("id", "name", "parent_id", "archived")),
        Network.history.count(),
        sorted(Membership.objects.values_list("id", "role", "organisation_id", "end_date")),
        sorted(Invitation.objects.values_list("id", "email", "revoked_at")),
        Membership.history.count(),
        Invitation.history.count(),
    )


def login(client, person):
    if person is not None:
        client.force_login(person)


def expected_status(visitor, allowed_set, ok_status):
    if visitor == "anonymous":
        return 302
    if visitor in allowed_set:
        return ok_status
    if visitor in SEES:
        return 403
    return 404


@pytest.mark.parametrize("visitor", VISITORS)
def test_network_list(client, world, visitor):
    login(client, world["people"][visitor])
    response = client.get(reverse("networks:list"))
    if visitor == "anonymous":
        assert response.status_code == 302
        assert "/login/" in response["Location"]
        return
    assert response.status_code == 200
    listed = world["network"].name in response.content.decode()
    assert listed is (visitor in SEES)


@pytest.mark.parametrize("visitor", VISITORS)
def test_network_page(client, world, visitor):
    login(client, world["people"][visitor])
    response = client.get(world["network"].get_absolute_url())
    assert response.status_code == expected_status(visitor, SEES, 200)
    if response.status_code == 404:
        assert world["network"].name not in response.content.decode()


@pytest.mark.parametrize("visitor", VISITORS)
def test_member_management_page(client, world, visitor):
    login(client, world["people"][visitor])
    response = client.get(reverse("networks:members", args=[world["network"].pk]))
    assert response.status_code == expected_status(visitor, MANAGERS, 200)


@pytest.mark.parametrize("visitor", VISITORS)
def test_end_membership_confirmation_page(client, world, visitor):
    login(client, world["people"][visitor])
    url = reverse("networks:end_membership", args=[world["network"].pk, world["target"].pk])
    response = client.get(url)
    assert response.status_code == expected_status(visitor, MANAGERS, 200)


@pytest.mark.parametrize("visitor", VISITORS)
def test_change_representation_page(client, world, visitor):
    login(client, world["people"][visitor])
    url = reverse("networks:change_representation", args=[world["network"].pk, world["target"].pk])
    response = client.get(url)
    assert response.status_code == expected_status(visitor, MANAGERS, 200)


def _invite(world):
    return reverse("networks:members", args=[world["network"].pk]), {
        "email": "new.person@example.org",
        "role": "member",
    }


def _change_role(world):
    url = reverse("networks:change_role", args=[world["network"].pk, world["target"].pk])
    return url, {"role": "writer"}


def _change_representation(world):
    url = reverse("networks:change_representation", args=[world["network"].pk, world["target"].pk])
    # the chair's organisation takes part in the network, so the target may represent it
    chair = Membership.objects.get(network=world["network"], user=world["people"]["chair"])
    return url, {"organisation": chair.organisation_id}


def _end(world):
    url = reverse("networks:end_membership", args=[world["network"].pk, world["target"].pk])
    return url, {}


def _revoke(world):
    url = reverse("networks:revoke_invitation", args=[world["network"].pk, world["invitation"].pk])
    return url, {}


def _create_subgroup(world):
    url = reverse("networks:create_subgroup", args=[world["network"].pk])
    return url, {"name": "Ny grupp", "kind": "writing_group", "description": ""}


def _archive(world):
    return reverse("networks:archive", args=[world["network"].pk]), {}


WRITES = {
    "invite": _invite,
    "change_role": _change_role,
    "change_representation": _change_representation,
    "end": _end,
    "revoke": _revoke,
    "create_subgroup": _create_subgroup,
    "archive": _archive,
}


def archived(world):
    Network.objects.filter(pk=world["network"].pk).update(archived=True)
    world["network"].refresh_from_db()
    return world


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("name", ["networks:create_subgroup", "networks:archive"])
def test_set_up_pages(client, world, visitor, name):
    login(client, world["people"][visitor])
    response = client.get(reverse(name, args=[world["network"].pk]))
    assert response.status_code == expected_status(visitor, MANAGERS, 200)


@pytest.mark.parametrize("visitor", VISITORS)
def test_restoring_an_archived_network(client, world, visitor):
    """Its members still see it; its chairs and coordinators (and those above) restore it."""
    archived(world)
    login(client, world["people"][visitor])
    url = reverse("networks:restore", args=[world["network"].pk])
    assert client.get(url).status_code == expected_status(visitor, MANAGERS, 200)
    before = snapshot()
    response = client.post(url)
    assert response.status_code == expected_status(visitor, MANAGERS, 302)
    world["network"].refresh_from_db()
    if visitor in MANAGERS:
        assert not world["network"].archived
    else:
        assert snapshot() == before


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize(
    "action", ["create_subgroup", "archive", "invite", "change_representation"]
)
def test_nothing_is_set_up_in_an_archived_network(client, world, visitor, action):
    archived(world)
    login(client, world["people"][visitor])
    url, data = WRITES[action](world)
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == expected_status(visitor, set(), 302)
    assert snapshot() == before


@pytest.mark.parametrize("visitor", VISITORS)
def test_creating_a_top_level_network(client, world, visitor):
    """Chairs and coordinators of an active network may start a new one. There is no network to
    hide yet, so anyone else logged in is told they may not (403), not 404."""
    login(client, world["people"][visitor])
    url = reverse("networks:create")
    expected = 302 if visitor == "anonymous" else 200 if visitor in MANAGERS else 403
    assert client.get(url).status_code == expected
    before = snapshot()
    response = client.post(url, {"name": "Nytt råd", "kind": "council", "description": ""})
    assert response.status_code == (302 if visitor in MANAGERS | {"anonymous"} else 403)
    if visitor in MANAGERS:
        assert Network.objects.filter(name="Nytt råd", parent=None).exists()
    else:
        assert snapshot() == before


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("action", list(WRITES))
def test_writes(client, world, visitor, action):
    login(client, world["people"][visitor])
    url, data = WRITES[action](world)
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == expected_status(visitor, MANAGERS, 302)
    if visitor in MANAGERS:
        assert snapshot() != before
    else:
        assert snapshot() == before


@pytest.mark.parametrize(
    "name",
    ["networks:detail", "networks:members", "networks:create_subgroup", "networks:archive"],
    ids=["detail", "members", "create_subgroup", "archive"],
)
def test_a_network_that_does_not_exist_looks_the_same_as_one_you_cannot_see(client, world, name):
    client.force_login(world["people"]["outsider"])
    hidden = client.get(reverse(name, args=[world["network"].pk]))
    missing = client.get(reverse(name, args=[999999]))
    assert hidden.status_code == missing.status_code == 404

    def page(response):  # the same page, but for the per-request CSRF token and the path
        text = CSRF.sub("", response.content.decode())
        return text.replace(response.wsgi_request.get_full_path(), "")

    assert page(hidden) == page(missing)


def test_a_refused_page_says_why_in_swedish(client, world):
    client.force_login(world["people"]["member"])
    response = client.get(reverse("networks:members", args=[world["network"].pk]))
    assert response.status_code == 403
    assert "behörighet" in response.content.decode() or "permission" in response.content.decode()


def test_a_manager_of_one_network_cannot_touch_a_membership_of_another(client, world):
    other = MembershipFactory(network=NetworkFactory(), role=Role.MEMBER)
    client.force_login(world["people"]["chair"])
    before = snapshot()
    url = reverse("networks:change_role", args=[world["network"].pk, other.pk])
    assert client.post(url, {"role": "chair"}).status_code == 404
    assert snapshot() == before
    url = reverse("networks:change_representation", args=[world["network"].pk, other.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"organisation": ""}).status_code == 404
    assert snapshot() == before


def test_anonymous_people_are_sent_to_login_with_the_way_back(client, world):
    url = world["network"].get_absolute_url()
    response = client.get(url)
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_outsiders_get_no_user_pages_for_unknown_users(client, world):
    client.force_login(UserFactory())
    assert client.get(reverse("networks:list")).status_code == 200


# -- organisations: adding one, and changing its registry address, number and contact ----------
#
# Organisations are shared facts that every member of a network sees (their page is 200 for
# the outsider too, who is a member elsewhere), so a member without the right gets 403 here;
# a person in no network, or whose membership ended, gets 404.
SEES_ORGANISATIONS = SEES | {"outsider"}


def organisation_snapshot():
    return (
        sorted(Organisation.objects.values_list(*["pk", *services.ORGANISATION_FIELDS])),
        Organisation.history.count(),
    )


def expected_for_organisations(visitor, ok_status):
    if visitor == "anonymous":
        return 302
    if visitor in MANAGERS:
        return ok_status
    return 403 if visitor in SEES_ORGANISATIONS else 404


def _add_organisation(world):
    return reverse("networks:add_organisation"), {
        "name": "Bygdegårdarna",
        "kind": "civil_society",
        "organisation_number": "802456-7896",
    }


def _edit_organisation(world):
    # The target represents its organisation in the network: its managers (and the chair
    # above) may change it.
    organisation = world["target"].organisation
    url = reverse("networks:edit_organisation", args=[organisation.pk])
    return url, {
        "name": organisation.name,
        "kind": organisation.kind,
        "registry_email": "registrator@example.org",
    }


ORGANISATION_WRITES = {"add": _add_organisation, "edit": _edit_organisation}


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("action", list(ORGANISATION_WRITES))
def test_organisation_pages(client, world, visitor, action):
    login(client, world["people"][visitor])
    url, data = ORGANISATION_WRITES[action](world)
    assert client.get(url).status_code == expected_for_organisations(visitor, 200)
    before = organisation_snapshot()
    response = client.post(url, data)
    assert response.status_code == expected_for_organisations(visitor, 302)
    if visitor in MANAGERS:
        assert organisation_snapshot() != before
    else:
        assert organisation_snapshot() == before


def test_an_organisation_that_does_not_exist_is_not_found(client, world):
    client.force_login(world["people"]["coordinator"])
    url = reverse("networks:edit_organisation", args=[999999])
    assert client.post(url, {"name": "X", "kind": "other"}).status_code == 404
