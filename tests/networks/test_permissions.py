"""Who may see and manage a network: the network's policy (networks/policies.py, reading the role
tables of networks/permissions.py), asked through the registry."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from networks import registry
from networks.errors import NotAllowed, NotFound
from networks.models import Membership, Network, Role
from networks.permissions import Action
from networks.policies import visible_networks
from tests.factories import MembershipFactory, NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_active_member_sees_the_network(network, member_of, role):
    assert registry.can(member_of(network, role), Action.VIEW_NETWORK, network)


@pytest.mark.parametrize(
    ("role", "manages"),
    [
        (Role.CHAIR, True),
        (Role.COORDINATOR, True),
        (Role.MEMBER, False),
        (Role.WRITER, False),
        (Role.SIGNATORY, False),
        (Role.OBSERVER, False),
    ],
)
def test_only_chairs_and_coordinators_manage_members(network, member_of, role, manages):
    assert registry.can(member_of(network, role), Action.MANAGE_MEMBERS, network) is manages


def test_a_non_member_sees_nothing_and_gets_not_found(network, user):
    assert registry.actions(user, network) == frozenset()
    with pytest.raises(NotFound):
        registry.require(user, Action.MANAGE_MEMBERS, network)


def test_a_member_without_the_right_is_told_not_allowed(network, member_of):
    with pytest.raises(NotAllowed):
        registry.require(member_of(network, Role.MEMBER), Action.MANAGE_MEMBERS, network)


def test_an_ended_membership_gives_no_access(network):
    today = timezone.localdate()
    membership = MembershipFactory(
        network=network, role=Role.CHAIR, start_date=today - timedelta(days=30), end_date=today
    )
    assert registry.actions(membership.user, network) == frozenset()


def test_a_membership_that_has_not_started_gives_no_access(network):
    membership = MembershipFactory(
        network=network, start_date=timezone.localdate() + timedelta(days=1)
    )
    assert not registry.can(membership.user, Action.VIEW_NETWORK, network)


def test_an_anonymous_visitor_has_no_access(network):
    assert registry.actions(AnonymousUser(), network) == frozenset()


def test_an_inactive_account_has_no_access(network, member_of):
    person = member_of(network, Role.CHAIR)
    person.is_active = False
    assert registry.actions(person, network) == frozenset()


def test_superusers_get_no_access_in_the_workspace_through_their_flag(network):
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert not registry.can(admin, Action.VIEW_NETWORK, network)
    assert not visible_networks(admin).exists()


def test_members_of_a_group_see_its_sub_groups_but_do_not_manage_them(member_of):
    working_group = NetworkFactory()
    writing_group = NetworkFactory(parent=working_group, kind=Network.Kind.WRITING_GROUP)
    member = member_of(working_group, Role.MEMBER)
    assert registry.can(member, Action.VIEW_NETWORK, writing_group)
    assert not registry.can(member, Action.MANAGE_MEMBERS, writing_group)


def test_the_chair_of_a_group_manages_its_sub_groups(member_of):
    working_group = NetworkFactory()
    writing_group = NetworkFactory(parent=working_group, kind=Network.Kind.WRITING_GROUP)
    assert registry.can(member_of(working_group, Role.CHAIR), Action.MANAGE_MEMBERS, writing_group)


def test_members_of_a_sub_group_do_not_see_the_group_above(member_of):
    working_group = NetworkFactory()
    writing_group = NetworkFactory(parent=working_group)
    writer = member_of(writing_group, Role.WRITER)
    assert not registry.can(writer, Action.VIEW_NETWORK, working_group)


def test_visible_lists_exactly_the_networks_of_the_person(member_of):
    mine, sub, other = NetworkFactory(), None, NetworkFactory()
    sub = NetworkFactory(parent=mine)
    person = member_of(mine)
    member_of(other)
    assert set(visible_networks(person)) == {mine, sub}


def test_an_archived_network_can_be_read_but_not_managed(member_of):
    network = NetworkFactory(archived=True)
    chair = member_of(network, Role.CHAIR)
    assert registry.can(chair, Action.VIEW_NETWORK, network)
    assert not registry.can(chair, Action.MANAGE_MEMBERS, network)


def test_asking_about_a_model_without_a_policy_is_a_programming_error(network, member_of):
    """No model is answered by default: a model whose app registered no policy raises, for
    everyone (also a visitor), rather than quietly letting nobody (or everybody) in."""
    membership = MembershipFactory(network=network, role=Role.CHAIR)
    chair = membership.user
    for person in (chair, AnonymousUser()):
        with pytest.raises(registry.NoPolicy, match=r"networks\.Membership"):
            registry.actions(person, membership)
        with pytest.raises(registry.NoPolicy):
            registry.require(person, Action.MANAGE_MEMBERS, membership)
    with pytest.raises(registry.NoPolicy):
        registry.objects_for(chair, Action.MANAGE_MEMBERS, Membership)
    with pytest.raises(registry.NoPolicy):
        registry.users_for(Action.MANAGE_MEMBERS, membership)
    assert registry.can(chair, Action.MANAGE_MEMBERS, network)  # its network has one


def test_a_question_without_an_object_that_no_policy_answers_is_an_error_not_a_no(network):
    """`registry.may` (a question with no object yet, like "may I start a network") is answered
    only where a policy says so; any other question raises, so a page never hides a button
    behind a silent "no" nobody decided."""
    from documents.models import Document
    from networks.models import Network
    from networks.permissions import SetUpAction

    chair = MembershipFactory(network=network, role=Role.CHAIR).user
    assert registry.may(chair, SetUpAction.CREATE_NETWORK, Network)
    with pytest.raises(NotImplementedError, match="archive_everything"):
        registry.may(chair, "archive_everything", Network)
    with pytest.raises(NotImplementedError, match="create_network"):
        registry.may(chair, SetUpAction.CREATE_NETWORK, Document)
