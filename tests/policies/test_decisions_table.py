"""Decisions and sign-off: the consultations' steps on a document in every state of it, and who
sees, signs and withdraws a sign-off in every state of the sign-off. The faces that list people
and sign-offs give the same answers as the table."""

import pytest

from consultations.models import Signature, SignOff
from consultations.policies.actions import DocumentStep, SignOffAction
from documents import services as document_services
from documents.models import Document
from networks import registry
from networks.models import Network, Role
from tests.factories import (
    DocumentFactory,
    MembershipFactory,
    NetworkFactory,
    OrganisationFactory,
    SectionFactory,
    UserFactory,
)
from tests.policies.table import check, fresh

MODELS = ["consultations.SignOff"]

# ------------------------------------------------------------------- the steps on a document

NOBODY_ELSE = """
  writer in the working group         -
  member of the working group         -
  signatory of the working group      -
  observer in the working group       -
  chair of its writing group          -
  writer in its writing group         -
  chair of the network above          -
  member of a sibling group           -
  outsider                            -
"""


def runners(steps: str) -> str:
    return f"""
  chair of the working group          {steps}
  coordinator of the working group    {steps}"""


STEPS_TABLE = "".join(
    f"in state: {state}{runners(steps)}{NOBODY_ELSE}"
    for state, steps in [
        ("drafting", "start_round record_decision"),
        # a next round is planned while one runs (opening it waits for the first to close)
        ("in_consultation", "start_round record_decision"),
        ("revising", "start_round record_decision"),
        ("anchoring", "record_decision request_sign_off"),
        ("awaiting_sign_off", "record_decision"),
        ("adopted", "record_decision start_revision"),
        ("archived", "record_decision"),
    ]
)


@pytest.fixture
def document_world(db):
    above = NetworkFactory(name="Regionalt nätverk")
    group = NetworkFactory(name="Arbetsgrupp", parent=above)
    writing = NetworkFactory(name="Skrivgrupp", parent=group, kind=Network.Kind.WRITING_GROUP)
    sibling = NetworkFactory(name="Annan arbetsgrupp", parent=above)
    document = DocumentFactory(network=group)

    def person(network, role):
        return lambda: MembershipFactory(network=network, role=role).user

    people = {
        "chair of the working group": person(group, Role.CHAIR),
        "coordinator of the working group": person(group, Role.COORDINATOR),
        "writer in the working group": person(group, Role.WRITER),
        "member of the working group": person(group, Role.MEMBER),
        "signatory of the working group": person(group, Role.SIGNATORY),
        "observer in the working group": person(group, Role.OBSERVER),
        "chair of its writing group": person(writing, Role.CHAIR),
        "writer in its writing group": person(writing, Role.WRITER),
        "chair of the network above": person(above, Role.CHAIR),
        "member of a sibling group": person(sibling, Role.MEMBER),
        "outsider": lambda: UserFactory(),
    }
    return people, document


def test_the_consultations_steps_on_a_document(document_world):
    people, document = document_world

    def in_state(status):
        def make():
            Document.objects.filter(pk=document.pk).update(status=status)
            document.refresh_from_db()
            return document

        return make

    check(
        "documents.Document",
        STEPS_TABLE,
        people,
        {status: in_state(status) for status in Document.Status.values},
        actions=frozenset(DocumentStep),
    )


@pytest.mark.parametrize("status", Document.Status.values)
def test_a_step_is_offered_only_where_the_transition_table_has_its_move(status):
    """What is offered and what the services may write agree: both read Document.TRANSITIONS."""
    from consultations.policies.decisions import steps_now

    moves = Document.TRANSITIONS[status]
    steps = steps_now(status)
    assert (DocumentStep.REQUEST_SIGN_OFF in steps) == (Document.Status.AWAITING_SIGN_OFF in moves)
    if DocumentStep.START_ROUND in steps:
        assert status == Document.Status.IN_CONSULTATION or "in_consultation" in moves
    if DocumentStep.START_REVISION in steps:
        assert Document.Status.REVISING in moves


# --------------------------------------------------------------------------------- sign-offs

SIGN_OFF_TABLE = """
in state: pending
  chair of the working group             view_sign_off withdraw_sign_off
  coordinator of the working group       view_sign_off withdraw_sign_off
  the requester, now a member            view_sign_off withdraw_sign_off
  writer in the working group            view_sign_off
  member of the working group            view_sign_off
  observer in the working group          view_sign_off
  writer in its writing group            view_sign_off
  member of the network above            view_sign_off
  named signatory from KC/RD             view_sign_off sign
  named signatory who has signed         view_sign_off
  chair of the group, named signatory    view_sign_off sign withdraw_sign_off
  signatory of KC/RD not named           -
  outsider                               -
"""
SETTLED = """
  chair of the working group             view_sign_off
  coordinator of the working group       view_sign_off
  the requester, now a member            view_sign_off
  writer in the working group            view_sign_off
  member of the working group            view_sign_off
  observer in the working group          view_sign_off
  writer in its writing group            view_sign_off
  member of the network above            view_sign_off
  named signatory from KC/RD             view_sign_off
  named signatory who has signed         view_sign_off
  chair of the group, named signatory    view_sign_off
  signatory of KC/RD not named           -
  outsider                               -
"""
# The document's state that goes with each state of the sign-off.
DOCUMENT_WITH = {
    SignOff.Status.PENDING: Document.Status.AWAITING_SIGN_OFF,
    SignOff.Status.APPROVED: Document.Status.ADOPTED,
    SignOff.Status.REJECTED: Document.Status.REVISING,
    SignOff.Status.WITHDRAWN: Document.Status.ANCHORING,
}
TABLE = SIGN_OFF_TABLE + "".join(
    f"in state: {state}{SETTLED}" for state in ["approved", "rejected", "withdrawn"]
)


@pytest.fixture
def sign_off_world(db):
    above = NetworkFactory(name="Regionalt nätverk")
    group = NetworkFactory(name="Arbetsgrupp", parent=above)
    writing = NetworkFactory(name="Skrivgrupp", parent=group, kind=Network.Kind.WRITING_GROUP)
    kcrd = NetworkFactory(name="KC/RD", kind=Network.Kind.MANAGEMENT_GROUP)
    region = OrganisationFactory(name="Region Örebro län")
    chair = MembershipFactory(network=group, role=Role.CHAIR, organisation=region).user
    document = DocumentFactory(network=group)
    SectionFactory(document=document)
    version = document_services.publish_version(
        document, by_user=chair, label="Förslag", change_summary=""
    )
    requester = MembershipFactory(network=group, role=Role.MEMBER).user
    named = MembershipFactory(network=kcrd, role=Role.SIGNATORY, organisation=region).user
    signed = MembershipFactory(network=kcrd, role=Role.SIGNATORY, organisation=region).user
    sign_off = SignOff.objects.create(
        document=document, version=version, requested_by=requester, required=3
    )
    sign_off.signatories.set([named, signed, chair])
    Signature.objects.create(
        sign_off=sign_off, signer=signed, verdict="approve", content_hash=version.content_hash
    )

    def person(network, role):
        return lambda: MembershipFactory(network=network, role=role).user

    people = {
        "chair of the working group": person(group, Role.CHAIR),
        "coordinator of the working group": person(group, Role.COORDINATOR),
        "the requester, now a member": lambda: requester,
        "writer in the working group": person(group, Role.WRITER),
        "member of the working group": person(group, Role.MEMBER),
        "observer in the working group": person(group, Role.OBSERVER),
        "writer in its writing group": person(writing, Role.WRITER),
        "member of the network above": person(above, Role.MEMBER),
        "named signatory from KC/RD": lambda: named,
        "named signatory who has signed": lambda: signed,
        "chair of the group, named signatory": lambda: chair,
        "signatory of KC/RD not named": person(kcrd, Role.SIGNATORY),
        "outsider": lambda: UserFactory(),
    }
    return people, sign_off


def in_state(sign_off, status):
    def make():
        SignOff.objects.filter(pk=sign_off.pk).update(status=status)
        Document.objects.filter(pk=sign_off.document_id).update(status=DOCUMENT_WITH[status])
        return SignOff.objects.select_related("document__network").get(pk=sign_off.pk)

    return make


def test_the_sign_off_table(sign_off_world):
    people, sign_off = sign_off_world
    check(
        "consultations.SignOff",
        TABLE,
        people,
        {status: in_state(sign_off, status) for status in SignOff.Status.values},
    )


@pytest.mark.parametrize("status", SignOff.Status.values)
def test_who_signs_and_what_waits_for_them_agree_with_the_table(sign_off_world, status):
    """users_for(SIGN) on a sign-off, objects_for(SIGN) for each person and actions agree."""
    people, sign_off = sign_off_world
    sign_off = in_state(sign_off, status)()
    users = {who: make() for who, make in people.items()}
    signs = {who for who, user in users.items() if registry.can(fresh(user), "sign", sign_off)}
    told = set(registry.users_for(SignOffAction.SIGN, sign_off))
    assert told == {users[who] for who in signs}
    waiting = {
        who
        for who, user in users.items()
        if registry.objects_for(user, SignOffAction.SIGN, SignOff).filter(pk=sign_off.pk).exists()
    }
    assert waiting == signs
    if status == SignOff.Status.PENDING:
        assert signs == {"named signatory from KC/RD", "chair of the group, named signatory"}
