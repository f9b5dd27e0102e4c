"""The invitation e-mail travels the real way: Celery worker on Redis, then SMTP."""

import pytest

from networks import services
from networks.models import Role
from tests.factories import MembershipFactory


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_an_invitation_reaches_the_person_through_the_worker_and_smtp(
    celery_worker_on_redis, smtp_inbox
):
    chair = MembershipFactory(role=Role.CHAIR).user
    network = chair.memberships.get().network
    invitation = services.invite_member(
        network, by_user=chair, email="Ny.Kollega@Example.org", role=Role.MEMBER
    )
    received = smtp_inbox.wait_for(1)
    assert len(received) == 1
    recipients, message = received[0]
    assert recipients == ["ny.kollega@example.org"]
    assert network.name in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert invitation.get_absolute_url() in text
    assert invitation.get_absolute_url() in html
    assert "Hej" in text  # Swedish, the inviter's language
