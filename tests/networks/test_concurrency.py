"""The last-chair rule holds when two changes race each other (PostgreSQL, two connections)."""

import threading

import pytest
from django.db import connection

from networks import services
from networks.errors import LastChair
from networks.models import Membership, Role
from tests.factories import MembershipFactory, NetworkFactory


def race(*calls):
    """Run the calls at the same moment, each in its own thread and database connection."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "ok"
        except LastChair:
            outcomes[index] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(outcomes)


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
        assert race(step_down(first), step_down(second)) == ["ok", "refused"]
        chairs = Membership.objects.active().filter(network=network, role=Role.CHAIR)
        assert chairs.count() == 1
        # put things back for the next round
        Membership.objects.filter(pk__in=[first.pk, second.pk]).update(
            role=Role.CHAIR, end_date=None
        )
