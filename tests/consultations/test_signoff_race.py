"""Two signatories approving at the same moment both count once, and adoption happens once."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from consultations.models import Signature, SignOff
from consultations.services import decisions
from consultations.services import rounds as round_services
from documents.models import Document
from networks.models import Network, Role
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import PASSWORD, MembershipFactory, NetworkFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_signatories_at_once_count_once_each_and_adopt_once(world):
    round_services.open_round(world["round"], by_user=world["people"]["chair"])
    round_services.close_round(world["round"], by_user=world["people"]["chair"])
    kcrd = NetworkFactory(kind=Network.Kind.MANAGEMENT_GROUP)
    signers = [MembershipFactory(network=kcrd, role=Role.SIGNATORY).user for _ in range(2)]
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
    barrier = threading.Barrier(2)
    errors = []

    def approve(person):
        try:
            barrier.wait(timeout=10)
            decisions.sign(sign_off, by_user=person, verdict="approve", password=PASSWORD)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(p,)) for p in signers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert Signature.objects.filter(sign_off=sign_off).count() == 2
    sign_off.refresh_from_db()
    assert sign_off.status == SignOff.Status.APPROVED
    assert Document.objects.get(pk=world["document"].pk).status == Document.Status.ADOPTED
    assert SignOff.history.filter(id=sign_off.pk, status="approved").count() == 1
    assert Notification.objects.filter(kind=Kind.DOCUMENT_ADOPTED).values(
        "recipient"
    ).count() == len(
        set(
            Notification.objects.filter(kind=Kind.DOCUMENT_ADOPTED).values_list(
                "recipient", flat=True
            )
        )
    )
