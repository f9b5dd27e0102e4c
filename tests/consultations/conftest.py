from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.services import responses
from consultations.services import rounds as round_services
from documents import services as document_services
from networks.models import Affiliation, Network, Role
from tests.factories import (
    DocumentFactory,
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    SectionFactory,
    UserFactory,
)


@pytest.fixture
def world(db):
    """A working group with a strategy in version 1, a manager group, a municipality with a
    drafter and an approver, an outside expert, and someone from another county."""
    group = NetworkFactory(name="Arbetsgruppen")
    writing = NetworkFactory(name="Skrivargruppen", parent=group, kind=Network.Kind.WRITING_GROUP)
    managers = NetworkFactory(name="Chefsnätverket", kind=Network.Kind.MANAGEMENT_GROUP)
    kumla = OrganisationFactory(name="Kumla kommun")
    people = {
        "chair": MembershipFactory(network=group, role=Role.CHAIR).user,
        "coordinator": MembershipFactory(network=group, role=Role.COORDINATOR).user,
        "member": MembershipFactory(network=group, role=Role.MEMBER).user,
        "observer": MembershipFactory(network=group, role=Role.OBSERVER).user,
        "writer": MembershipFactory(network=writing, role=Role.WRITER).user,
        "manager": MembershipFactory(network=managers, role=Role.MEMBER).user,
        "drafter": MembershipFactory(network=NetworkFactory(), organisation=kumla).user,
        "approver": UserFactory(),
        "expert": UserFactory(),
        "outsider": MembershipFactory(network=NetworkFactory(name="Kronoberg")).user,
    }
    Affiliation.objects.create(user=people["approver"], organisation=kumla, can_approve=True)
    # The drafter's membership is in a network this round does not reach: Kumla's own link
    # is what lets them speak for it here.
    Affiliation.objects.create(user=people["drafter"], organisation=kumla, title="Utvecklare")
    document = DocumentFactory(network=group, title="Regional strategi")
    first = SectionFactory(
        document=document,
        heading="Inledning",
        position=1,
        body="Alla föräldrar ska erbjudas stöd under barnets hela uppväxt.",
    )
    SectionFactory(document=document, heading="Mål", position=2, body="Tre målområden.")
    version = document_services.publish_version(
        document, by_user=people["chair"], label="Remissversion", change_summary=""
    )
    review_round = round_services.create_round(
        document,
        by_user=people["chair"],
        version=version,
        title="Remiss augusti",
        questions=["Saknas något?"],
        closes_at=timezone.now() + timedelta(days=10),
    )
    round_services.add_consultees(
        review_round,
        by_user=people["chair"],
        networks=[managers],
        organisations=[kumla],
        people=[people["expert"]],
    )
    return {
        "group": group,
        "managers": managers,
        "kumla": kumla,
        "document": document,
        "version": version,
        "section": first,
        "round": review_round,
        "people": people,
    }


@pytest.fixture
def open_world(world):
    round_services.open_round(world["round"], by_user=world["people"]["chair"])
    world["round"].refresh_from_db()
    return world


@pytest.fixture
def reminding(open_world):
    """Kumla has answered; the managers' network and the expert have not; Lekeberg, nobody in
    Samverka speaks for, is reached by a guest link to its registry address."""
    w = open_world
    people = w["people"]
    kumla = w["round"].consultees.get(organisation=w["kumla"])
    responses.save_draft(kumla, by_user=people["approver"], position="supports", summary="Ja")
    responses.approve_and_submit(kumla, by_user=people["approver"])
    lekeberg = OrganisationFactory(name="Lekebergs kommun", registry_email="kommunen@lekeberg.se")
    round_services.add_consultees(w["round"], by_user=people["chair"], organisations=[lekeberg])
    w["lekeberg"] = w["round"].consultees.get(organisation=lekeberg)
    return w
