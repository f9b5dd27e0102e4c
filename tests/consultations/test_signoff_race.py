"""Two signatories approving at the same moment both count once, and adoption happens once."""

import pytest
from django.utils import timezone

from consultations.models import Signature, SignOff
from consultations.services import decisions
from consultations.services import rounds as round_services
from documents.models import Document
from networks.models import Network, Role
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import PASSWORD, MembershipFactory, NetworkFactory
from tests.racing import race


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_signatories_at_once_count_once_each_and_adopt_once(world):
    round_services.open_round(world["round"], by_user=world["people"]["chair"])
    round_services.close_round(world["round"], by_user=world["people"]["chair"])
    kcrd = NetworkFactory(kind=Network.Kind.MANAGEMENT_GROUP)
    region = world["group"].memberships.get(user=world["people"]["chair"]).organisation
    signers = [
        MembershipFactory(network=kcrd, role=Role.SIGNATORY, organisation=region).user
        for _ in range(2)
    ]
    decisions.record_decision(
        world["document"],
        by_user=world["people"]["coordinator"],
        version=world["version"],
        kind="views",
        decided_on=timezone.localdate(),
        text="Förankrat.",
        body_name="Chefsgruppen",
    )
    sign_off = decisions.request_sign_off(
        world["document"],
        by_user=world["people"]["chair"],
        version=world["version"],
        signatories=signers,
        required=2,
    )

    def approve(person):
        return lambda: decisions.sign(
            sign_off, by_user=person, verdict="approve", password=PASSWORD
        )

    assert race(*(approve(p) for p in signers), refused=()) == ["done", "done"]
    assert Signature.objects.filter(sign_off=sign_off).count() == 2
    sign_off.refresh_from_db()
    assert sign_off.status == SignOff.Status.APPROVED
    assert Document.objects.get(pk=world["document"].pk).status == Document.Status.ADOPTED
    assert SignOff.history.filter(id=sign_off.pk, status="approved").count() == 1
    told = list(
        Notification.objects.filter(kind=Kind.DOCUMENT_ADOPTED).values_list("recipient", flat=True)
    )
    assert told
    assert len(told) == len(set(told))  # everyone is told of the adoption, once
