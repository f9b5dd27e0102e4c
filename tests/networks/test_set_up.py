"""Setting networks up without the admin: new networks, groups under them, archiving and
restoring, and memberships that end on a planned day."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from networks import registry, services
from networks.errors import EndDateInPast, LastChair, NameMissing, NotAllowed, NotFound
from networks.models import Membership, Network, Role
from networks.permissions import MAX_DEPTH, Action
from tests.factories import MembershipFactory, NetworkFactory, UserFactory
from tests.policies.faces import disagreements

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything the set-up services can change, to prove a refusal changed nothing."""
    return (
        sorted(Network.objects.values_list("id", "name", "parent_id", "archived")),
        sorted(Membership.objects.values_list("id", "user_id", "network_id", "role", "end_date")),
        Network.history.count(),
        Membership.history.count(),
    )


@pytest.fixture
def working_group():
    return NetworkFactory(name="Arbetsgruppen")


def test_a_coordinator_creates_the_writing_group_under_the_working_group(working_group, member_of):
    coordinator = member_of(working_group, Role.COORDINATOR)

    writing = services.create_network(
        by_user=coordinator,
        name=" Skrivgruppen ",
        kind=Network.Kind.WRITING_GROUP,
        description="Skriver remissversionen.",
        parent=working_group,
    )

    assert (writing.name, writing.parent, writing.kind) == (
        "Skrivgruppen",
        working_group,
        Network.Kind.WRITING_GROUP,
    )
    assert writing.history.get().history_user == coordinator
    membership = Membership.objects.active().get(network=writing)
    assert (membership.user, membership.role) == (coordinator, Role.COORDINATOR)
    assert membership.history.get().history_user == coordinator
    assert Action.MANAGE_MEMBERS in registry.actions(coordinator, writing)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.WRITER, Role.OBSERVER])
def test_only_chairs_and_coordinators_create_groups_under_a_network(working_group, member_of, role):
    person = member_of(working_group, role)
    before = snapshot()
    with pytest.raises(NotAllowed):
        services.create_network(
            by_user=person, name="Skrivgruppen", kind="writing_group", parent=working_group
        )
    assert snapshot() == before


def test_an_outsider_cannot_learn_the_network_exists_by_creating_under_it(working_group):
    before = snapshot()
    with pytest.raises(NotFound):
        services.create_network(
            by_user=UserFactory(), name="X", kind="writing_group", parent=working_group
        )
    assert snapshot() == before


def test_a_chair_of_any_network_starts_a_new_top_level_network(working_group, member_of):
    chair = member_of(working_group, Role.CHAIR)
    council = services.create_network(by_user=chair, name="Brukarrådet", kind="council")
    assert council.parent is None
    assert Membership.objects.active().get(network=council).user == chair


def test_a_plain_member_cannot_start_a_network(working_group, member_of):
    member = member_of(working_group, Role.MEMBER)
    before = snapshot()
    with pytest.raises(NotAllowed):
        services.create_network(by_user=member, name="Eget nätverk", kind="network")
    assert snapshot() == before


def test_a_network_needs_a_name(working_group, member_of):
    chair = member_of(working_group, Role.CHAIR)
    before = snapshot()
    with pytest.raises(NameMissing):
        services.create_network(by_user=chair, name="  ", kind="network")
    assert snapshot() == before


def test_archiving_keeps_the_network_readable_and_stops_work_in_it(working_group, member_of):
    chair = member_of(working_group, Role.CHAIR)
    member = member_of(working_group, Role.MEMBER)

    services.archive_network(working_group, by_user=chair)

    working_group.refresh_from_db()
    assert working_group.archived
    assert working_group.history.first().history_user == chair
    assert Action.VIEW_NETWORK in registry.actions(member, working_group)
    assert Action.MANAGE_MEMBERS not in registry.actions(chair, working_group)
    with pytest.raises(NotAllowed):
        services.create_network(
            by_user=chair, name="Sent", kind="writing_group", parent=working_group
        )


def test_a_chair_restores_an_archived_network(working_group, member_of):
    chair = member_of(working_group, Role.CHAIR)
    services.archive_network(working_group, by_user=chair)
    services.restore_network(working_group, by_user=chair)
    working_group.refresh_from_db()
    assert not working_group.archived
    assert Action.MANAGE_MEMBERS in registry.actions(chair, working_group)


def test_members_cannot_archive_or_restore(working_group, member_of):
    chair = member_of(working_group, Role.CHAIR)
    member = member_of(working_group, Role.MEMBER)
    before = snapshot()
    with pytest.raises(NotAllowed):
        services.archive_network(working_group, by_user=member)
    assert snapshot() == before
    services.archive_network(working_group, by_user=chair)
    before = snapshot()
    with pytest.raises(NotAllowed):
        services.restore_network(working_group, by_user=member)
    with pytest.raises(NotFound):
        services.restore_network(working_group, by_user=UserFactory())
    assert snapshot() == before


def test_a_membership_can_end_on_a_planned_day(working_group, member_of):
    chair = member_of(working_group, Role.CHAIR)
    membership = MembershipFactory(network=working_group, role=Role.MEMBER)
    planned = timezone.localdate() + timedelta(days=200)

    services.end_membership(membership, by_user=chair, on=planned)

    membership.refresh_from_db()
    assert membership.end_date == planned
    assert membership.is_active()  # a member until that day
    assert not membership.is_active(on=planned)
    assert membership.history.first().history_user == chair


def test_a_membership_cannot_end_in_the_past(working_group, member_of):
    chair = member_of(working_group, Role.CHAIR)
    membership = MembershipFactory(network=working_group, role=Role.MEMBER)
    before = snapshot()
    with pytest.raises(EndDateInPast):
        services.end_membership(membership, by_user=chair, on=date(2020, 1, 1))
    assert snapshot() == before


def test_the_last_chair_cannot_plan_to_leave_either(working_group):
    chair = MembershipFactory(network=working_group, role=Role.CHAIR)
    before = snapshot()
    with pytest.raises(LastChair):
        services.end_membership(
            chair, by_user=chair.user, on=timezone.localdate() + timedelta(days=30)
        )
    assert snapshot() == before


def test_no_group_is_created_deeper_than_a_role_reaches(working_group):
    """Roles reach MAX_DEPTH levels down: a group below that would be out of reach of the
    networks above it, so the deepest groups offer no create_subgroup, in all three faces."""
    chain = [working_group]
    for level in range(MAX_DEPTH):
        chain.append(NetworkFactory(name=f"Nivå {level + 1}", parent=chain[-1]))
    people = {
        "chair at the top": MembershipFactory(network=working_group, role=Role.CHAIR).user,
        "coordinator at the bottom": MembershipFactory(network=chain[-1], role="coordinator").user,
    }
    deepest = chain[-1]
    assert Action.CREATE_SUBGROUP not in registry.actions(
        people["coordinator at the bottom"], deepest
    )
    assert Action.CREATE_SUBGROUP in registry.actions(people["chair at the top"], chain[-2])
    assert disagreements(people, chain, [Action.CREATE_SUBGROUP]) == []
    before = snapshot()
    with pytest.raises(NotAllowed):
        services.create_network(
            by_user=people["coordinator at the bottom"],
            name="För djupt",
            kind="writing_group",
            parent=deepest,
        )
    assert snapshot() == before
