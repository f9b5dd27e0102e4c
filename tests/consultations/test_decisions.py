"""Decisions, sign-off and adoption: every refused move says why and changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.errors import (
    AlreadySigned,
    DecisionInFuture,
    InvalidTransition,
    NotASignatory,
    PendingSignOff,
    ReasonNeeded,
    SignOffClosed,
    SignOffDuringRound,
    SupersededVersion,
    VersionOfAnotherDocument,
    WrongPassword,
)
from consultations.models import Decision, Signature, SignOff
from consultations.services import decisions
from consultations.services import rounds as round_services
from documents import services as document_services
from documents.errors import DocumentLocked
from documents.models import Document
from networks.models import Network, Role
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import (
    PASSWORD,
    DocumentFactory,
    MembershipFactory,
    NetworkFactory,
    SectionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(world):
    """The round of `world` closed: the document is being revised."""
    round_services.open_round(world["round"], by_user=world["people"]["chair"])
    round_services.close_round(world["round"], by_user=world["people"]["chair"])
    kcrd = NetworkFactory(name="KC/RD", kind=Network.Kind.MANAGEMENT_GROUP)
    # The directors act for the organisations of the working group: they may be asked to sign.
    region = world["group"].memberships.get(user=world["people"]["chair"]).organisation
    world["signatories"] = [
        MembershipFactory(network=kcrd, role=Role.SIGNATORY, organisation=region).user
        for _ in range(3)
    ]
    world["council"] = NetworkFactory(name="Samverkansrådet", kind=Network.Kind.COUNCIL)
    world["document"].refresh_from_db()
    return world


@pytest.fixture
def anchored(chain):
    """The manager group has given its views: the proposal is anchored."""
    return anchor(chain)


def anchor(chain):
    decisions.record_decision(
        chain["document"],
        by_user=chain["people"]["coordinator"],
        version=chain["version"],
        kind="views",
        decided_on=timezone.localdate(),
        text="Synpunkter.",
        body_network=chain["managers"],
    )
    chain["document"].refresh_from_db()
    return chain


def snapshot():
    return (
        sorted(Decision.objects.values_list("id", "kind")),
        sorted(SignOff.objects.values_list("id", "status")),
        sorted(Signature.objects.values_list("id", "verdict")),
        sorted(Document.objects.values_list("id", "status")),
    )


def endorse(w, **extra):
    return decisions.record_decision(
        w["document"],
        by_user=w["people"]["coordinator"],
        version=w["version"],
        kind=extra.pop("kind", "endorsement"),
        decided_on=timezone.localdate(),
        text="Ställer sig bakom förslaget.",
        body_network=w["council"],
        **extra,
    )


def ask(w, required=None):
    return decisions.request_sign_off(
        w["document"],
        by_user=w["people"]["chair"],
        version=w["version"],
        signatories=w["signatories"],
        required=required,
    )


def test_an_endorsement_moves_the_document_to_anchoring(chain, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        endorse(chain)
    chain["document"].refresh_from_db()
    assert chain["document"].status == Document.Status.ANCHORING
    assert Notification.objects.filter(kind=Kind.DECISION_RECORDED).exists()


def test_a_decision_dated_in_the_future_is_refused(chain):
    before = snapshot()
    with pytest.raises(DecisionInFuture):
        decisions.record_decision(
            chain["document"],
            by_user=chain["people"]["coordinator"],
            version=chain["version"],
            kind="views",
            decided_on=timezone.localdate() + timedelta(days=1),
            text="x",
            body_name="Socialnämnden i Kumla kommun",
        )
    assert snapshot() == before


def test_a_decision_on_a_version_of_another_document_is_refused(chain):
    other = DocumentFactory(network=chain["group"])
    SectionFactory(document=other)
    foreign = document_services.publish_version(
        other, by_user=chain["people"]["chair"], label="v1", change_summary=""
    )
    before = snapshot()
    with pytest.raises(VersionOfAnotherDocument):
        decisions.record_decision(
            chain["document"],
            by_user=chain["people"]["coordinator"],
            version=foreign,
            kind="views",
            decided_on=timezone.localdate(),
            text="x",
            body_name="Nämnden",
        )
    assert snapshot() == before


def test_decisions_are_never_edited_a_correction_references_them(chain):
    first = endorse(chain)
    first.text = "Något annat"
    with pytest.raises(ValueError, match="A decision is never changed"):
        first.save()
    fixed = endorse(chain, corrects=first, minutes_reference="§ 12")
    assert fixed.corrects == first
    assert Decision.objects.count() == 2


def test_sign_off_while_a_round_is_open_is_refused(chain):
    chair = chain["people"]["chair"]
    second = round_services.create_round(
        chain["document"],
        by_user=chair,
        version=chain["version"],
        title="Två",
        closes_at=timezone.now() + timedelta(days=3),
    )
    round_services.add_consultees(second, by_user=chair, organisations=[chain["kumla"]])
    round_services.open_round(second, by_user=chair)
    before = snapshot()
    with pytest.raises(SignOffDuringRound):
        ask(chain)
    assert snapshot() == before


def sign(w, person, verdict="approve", **extra):
    extra.setdefault("password", PASSWORD)
    return decisions.sign(w["sign_off"], by_user=person, verdict=verdict, **extra)


def test_all_signatories_approving_adopts_and_locks_the_document(
    chain, django_capture_on_commit_callbacks
):
    endorse(chain)
    chain["sign_off"] = ask(chain)
    chain["document"].refresh_from_db()
    assert chain["document"].status == Document.Status.AWAITING_SIGN_OFF
    with django_capture_on_commit_callbacks(execute=True):
        for person in chain["signatories"]:
            sign(chain, person)
    chain["document"].refresh_from_db()
    assert chain["document"].status == Document.Status.ADOPTED
    assert Notification.objects.filter(kind=Kind.DOCUMENT_ADOPTED).exists()
    with pytest.raises(DocumentLocked):
        document_services.add_section(
            chain["document"], by_user=chain["people"]["chair"], heading="X"
        )
    with pytest.raises(DocumentLocked):
        endorse(chain)  # new endorsements are refused after adoption
    decisions.start_new_revision(chain["document"], by_user=chain["people"]["chair"])
    chain["document"].refresh_from_db()
    assert chain["document"].status == Document.Status.REVISING
    assert chain["version"].sections.count() == 2  # the adopted version stays as it is


def test_n_of_m_adopts_when_enough_have_approved(anchored):
    chain = anchored
    chain["sign_off"] = ask(chain, required=2)
    sign(chain, chain["signatories"][0])
    chain["document"].refresh_from_db()
    assert chain["document"].status == Document.Status.AWAITING_SIGN_OFF
    sign(chain, chain["signatories"][1])
    chain["document"].refresh_from_db()
    assert chain["document"].status == Document.Status.ADOPTED


def test_refusal_needs_a_reason_and_sends_the_document_back(anchored):
    chain = anchored
    chain["sign_off"] = ask(chain)
    before = snapshot()
    with pytest.raises(ReasonNeeded):
        sign(chain, chain["signatories"][0], verdict="reject")
    assert snapshot() == before
    sign(chain, chain["signatories"][0], verdict="reject", reason="Målområde 3 är oklart.")
    chain["document"].refresh_from_db()
    assert chain["document"].status == Document.Status.REVISING
    chain["sign_off"].refresh_from_db()
    assert chain["sign_off"].status == SignOff.Status.REJECTED


@pytest.mark.parametrize("case", ["twice", "not_a_signatory", "wrong_password", "superseded"])
def test_refused_signatures_change_nothing(anchored, case):
    chain = anchored
    chain["sign_off"] = ask(chain)
    first = chain["signatories"][0]
    if case == "twice":
        sign(chain, first)
    if case == "superseded":
        # a new version published after the request (the document was moved back on purpose)
        Document.objects.filter(pk=chain["document"].pk).update(status=Document.Status.REVISING)
        document_services.save_section(
            chain["document"],
            key=chain["section"].key,
            by_user=chain["people"]["chair"],
            heading="Inledning",
            body="Ny text.",
            base_revision=chain["section"].revision,
        )
        document_services.publish_version(
            chain["document"], by_user=chain["people"]["chair"], label="v2", change_summary=""
        )
    before = snapshot()
    errors = {
        "twice": AlreadySigned,
        "not_a_signatory": NotASignatory,
        "wrong_password": WrongPassword,
        "superseded": SupersededVersion,
    }
    signer = chain["people"]["chair"] if case == "not_a_signatory" else first
    password = {"password": "fel"} if case == "wrong_password" else {}
    with pytest.raises(errors[case]):
        sign(chain, signer, **password)
    assert snapshot() == before


def test_an_endorsement_stops_counting_when_the_text_changes_unless_editorial(chain):
    from consultations.services.decisions import counts_for

    endorsement = endorse(chain)
    chair = chain["people"]["chair"]
    section = chain["section"]
    Document.objects.filter(pk=chain["document"].pk).update(status=Document.Status.REVISING)
    document_services.save_section(
        chain["document"],
        key=section.key,
        by_user=chair,
        heading="Inledning",
        body="Stavfel rättat.",
        base_revision=section.revision,
    )
    v2 = document_services.publish_version(
        chain["document"], by_user=chair, label="v2", change_summary="", editorial=True
    )
    assert v2.editorial_marked_by == chair
    assert counts_for(endorsement, v2, {2})
    section.refresh_from_db()
    document_services.save_section(
        chain["document"],
        key=section.key,
        by_user=chair,
        heading="Inledning",
        body="Nytt innehåll.",
        base_revision=section.revision,
    )
    v3 = document_services.publish_version(
        chain["document"], by_user=chair, label="v3", change_summary=""
    )
    assert not counts_for(endorsement, v3, {2})


def test_the_requester_withdraws_a_pending_request(anchored):
    chain = anchored
    chain["sign_off"] = ask(chain)
    decisions.withdraw_sign_off(chain["sign_off"], by_user=chain["people"]["chair"])
    chain["sign_off"].refresh_from_db()
    assert chain["sign_off"].status == SignOff.Status.WITHDRAWN
    before = snapshot()
    with pytest.raises(SignOffClosed):
        sign(chain, chain["signatories"][0])
    assert snapshot() == before


def test_sign_off_before_anchoring_is_refused_in_words(chain):
    # The policy refuses the step before the document's table would refuse the move.
    before = snapshot()
    with pytest.raises(InvalidTransition) as refused:
        ask(chain)
    message = str(refused.value.message).lower()
    assert "anchor" in message or "förankra" in message
    assert snapshot() == before


@pytest.mark.parametrize("kind", ["returned", "adopted"])
def test_a_pending_sign_off_is_not_overtaken_by_a_decision(anchored, kind):
    chain = anchored
    chain["sign_off"] = ask(chain)
    before = snapshot()
    with pytest.raises(PendingSignOff):
        endorse(chain, kind=kind)
    assert snapshot() == before
    chain["document"].refresh_from_db()
    assert chain["document"].status == Document.Status.AWAITING_SIGN_OFF


def test_no_round_opens_on_a_version_waiting_for_signatures(chain):
    """A round planned while the document was revised does not open once a sign-off waits, and
    no new one starts."""
    chair = chain["people"]["chair"]
    second = round_services.create_round(
        chain["document"],
        by_user=chair,
        version=chain["version"],
        title="En remiss till",
        closes_at=timezone.now() + timedelta(days=5),
    )
    round_services.add_consultees(second, by_user=chair, organisations=[chain["kumla"]])
    anchor(chain)
    chain["sign_off"] = ask(chain)
    before = snapshot()
    with pytest.raises(PendingSignOff):
        round_services.open_round(second, by_user=chair)
    with pytest.raises(PendingSignOff):
        round_services.create_round(
            chain["document"],
            by_user=chair,
            version=chain["version"],
            title="En remiss till",
            closes_at=timezone.now() + timedelta(days=5),
        )
    assert snapshot() == before
    chain["document"].refresh_from_db()
    assert chain["document"].status == Document.Status.AWAITING_SIGN_OFF


# -- who is told: those who work on the document, its writing group too -------------------------


def told(kind):
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_the_writing_group_is_told_of_a_decision_and_of_the_adoption(anchored):
    """The writing group writes the document: its writers hear what was decided about it (they
    were never told before), and so do the network's own people; a consulted network's people
    and outsiders are not."""
    chain = anchored
    people = chain["people"]
    assert people["writer"].pk in told(Kind.DECISION_RECORDED)
    assert {people["chair"].pk, people["member"].pk, people["observer"].pk} <= told(
        Kind.DECISION_RECORDED
    )
    assert not {people["manager"].pk, people["outsider"].pk} & told(Kind.DECISION_RECORDED)

    chain["sign_off"] = ask(chain)
    for person in chain["signatories"]:
        sign(chain, person)
    adopted = told(Kind.DOCUMENT_ADOPTED)
    assert people["writer"].pk in adopted
    assert {s.pk for s in chain["signatories"]} <= adopted


def test_the_writing_group_is_told_of_a_published_version(world):
    people = world["people"]  # the chair published the version the round sends out
    assert {people["writer"].pk, people["member"].pk} <= told(Kind.VERSION_PUBLISHED)
    assert people["outsider"].pk not in told(Kind.VERSION_PUBLISHED)


# -- what is offered: a step only where it comes ------------------------------------------------


def test_sign_off_is_offered_only_once_the_proposal_is_anchored(client, chain):
    """While the document is being revised the decisions page does not offer sign-off, and the
    form's page says why instead of a form that can only be refused."""
    from django.urls import reverse

    document = chain["document"]
    client.force_login(chain["people"]["chair"])
    page = client.get(reverse("consultations:decisions", args=[document.pk])).content.decode()
    assert "Begär fastställande" not in page
    form = client.get(reverse("consultations:sign_off_new", args=[document.pk]))
    assert form.status_code == 200
    assert "Förankra förslaget först" in form.content.decode()
    assert "Be dem skriva under" not in form.content.decode()

    endorse(chain)
    page = client.get(reverse("consultations:decisions", args=[document.pk])).content.decode()
    assert "Begär fastställande" in page
    form = client.get(reverse("consultations:sign_off_new", args=[document.pk])).content.decode()
    assert "Be dem skriva under" in form
