"""The last-chair rule holds when two changes race each other (PostgreSQL, two connections)."""

import pytest

from networks import services
from networks.errors import LastChair
from networks.models import Membership, Role
from tests.factories import MembershipFactory, NetworkFactory
from tests.racing import race


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["demote", "end"])
def test_two_chairs_stepping_down_at_once_leave_one_chair(how):
    network = NetworkFactory()
    first = MembershipFactory(network=network, role=Role.CHAIR)
    second = MembershipFactory(network=network, role=Role.CHAIR)

    def step_down(membership):
        if how == "demote":
            return lambda: services.change_role(membership, by_user=membership.user, role="member")
        return lambda: services.end_membership(membership, by_user=membership.user)

    for _attempt in range(5):  # several rounds: a lucky ordering must not hide a race
        outcomes = race(step_down(first), step_down(second), refused=(LastChair,))
        assert sorted(outcomes) == ["done", "refused"]
        chairs = Membership.objects.active().filter(network=network, role=Role.CHAIR)
        assert chairs.count() == 1
        # put things back for the next round
        Membership.objects.filter(pk__in=[first.pk, second.pk]).update(
            role=Role.CHAIR, end_date=None
        )
