"""Decisions and sign-off: the consultations' steps on a document, and who sees, signs and
withdraws a sign-off (networks.registry explains the three questions).

A step on a document needs two things: the right a role gives on it (documents.policies: runs
its process, records its decisions) and a document where the step comes now. Where it comes is
read from `Document.TRANSITIONS` itself, the table every change of status goes through: a step
is offered only where the move it makes is one the table has, so what is offered here and what
the services may write cannot disagree.

- start a round: where the document may move into consultation (or is there: a next round is
  planned while one runs);
- ask for sign-off: where it may move to awaiting sign-off (an anchored proposal);
- start a new revision: from a locked document the table lets back into revision (adopted);
- record a decision: in every state (a locked document's record may still be corrected, and an
  adoption decided at a meeting is recorded; the service limits the kinds).

A sign-off is seen by the document's readers and by its named signatories (who read the version
on its page, whether or not they see the document); a named signatory signs once, while it
waits; those who run the document, and the one who asked, withdraw it while it waits. Who may be
asked to sign a document is decided here too (`signing_memberships`).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from consultations.errors import (
    AlreadySigned,
    InvalidTransition,
    NotAdopted,
    NotASignatory,
    PendingSignOff,
    SignOffClosed,
    SignOffDuringRound,
)
from consultations.models import Signature, SignOff
from consultations.policies.actions import DocumentStep, SignOffAction
from documents.errors import DocumentLocked
from documents.models import Document
from documents.policies import DocumentAction
from networks import registry
from networks.errors import DomainError, NotAllowed, NotFound
from networks.models import Membership, Network, Role
from networks.permissions import ancestor_ids

Status = Document.Status

# The right a role must give on the document for each step (documents.policies).
STEP_NEEDS: dict[str, str] = {
    DocumentStep.START_ROUND: DocumentAction.RUN_PROCESS,
    DocumentStep.RECORD_DECISION: DocumentAction.RECORD_DECISION,
    DocumentStep.REQUEST_SIGN_OFF: DocumentAction.RUN_PROCESS,
    DocumentStep.START_REVISION: DocumentAction.RECORD_DECISION,
}


def steps_now(status: str) -> frozenset[str]:
    """The steps that come in this state of the document, whoever asks: from the table."""
    moves = Document.TRANSITIONS[status]
    steps = {DocumentStep.RECORD_DECISION}
    if status == Status.IN_CONSULTATION or Status.IN_CONSULTATION in moves:
        steps.add(DocumentStep.START_ROUND)
    if Status.AWAITING_SIGN_OFF in moves:
        steps.add(DocumentStep.REQUEST_SIGN_OFF)
    if status in Document.LOCKED_STATUSES and Status.REVISING in moves:
        steps.add(DocumentStep.START_REVISION)
    return frozenset(steps)


@registry.extend("documents.Document")
def document_steps(user, document: Document, own: frozenset[str]) -> frozenset[str]:
    """The consultations' steps on a document: a step its role's right gives, where it comes."""
    return frozenset(step for step in steps_now(document.status) if STEP_NEEDS[step] in own)


def require_step(user, step: str, document: Document) -> registry.Allowed:
    """`registry.require` for a step on a document, refusing in words a person can act on when
    their role gives the step but the document is not where it comes (a DomainError the form
    shows); NotFound and NotAllowed as `require` otherwise."""
    allowed = registry.actions(user, document)
    if step in allowed:
        return allowed
    if DocumentAction.VIEW not in allowed:
        raise NotFound()
    # The role's right, before the lock takes it away (documents.policies.LOCKED_REMOVES).
    if STEP_NEEDS[step] in registry.actions(user, document.network):
        raise not_now(step, document.status)
    raise NotAllowed()


def not_now(step: str, status: str) -> DomainError:
    """Why this step does not come in this state of the document."""
    if step == DocumentStep.START_REVISION:
        return NotAdopted()
    if status in Document.LOCKED_STATUSES:
        return DocumentLocked()
    if step == DocumentStep.START_ROUND and status == Status.AWAITING_SIGN_OFF:
        return PendingSignOff()  # a version waiting for signatures is not sent out again
    if step == DocumentStep.START_ROUND and status == Status.ANCHORING:
        return InvalidTransition(
            _(
                "The document is being anchored, so no consultation round can open now. If it "
                "needs another round, first record the decision that returns it for revision."
            )
        )
    if step == DocumentStep.REQUEST_SIGN_OFF:
        if status == Status.AWAITING_SIGN_OFF:
            return PendingSignOff()
        if status == Status.IN_CONSULTATION:
            return SignOffDuringRound()
        if status == Status.REVISING:
            return InvalidTransition(
                _(
                    "Anchor the proposal first: record the views or the endorsement of a body "
                    "before asking for sign-off."
                )
            )
        return InvalidTransition(_("Sign-off is asked for when the proposal has been anchored."))
    return InvalidTransition(
        _("The document is %(status)s: that step does not come now.")
        % {"status": Document.Status(status).label.lower()}
    )


# ------------------------------------------------------------------------------ sign-offs

# The roles that sign for a body outside the document's own network (KC/RD's municipal
# directors are its signatories, the regional director its chair).
SIGNING_ROLES = frozenset({Role.SIGNATORY, Role.CHAIR})


def signing_memberships(document: Document) -> QuerySet[Membership]:
    """The active memberships that let a person be asked to sign a version of this document,
    in one query (each row also says in which role and for which body they would sign):

    - everyone in the document's own network, except its observers (they watch, never decide);
    - the signatories and chairs of the networks above and below it (the document's tree);
    - the signatories and chairs of any other network that shares an organisation with the tree,
      that is, where an active member acts for an organisation that an active member of the tree
      also acts for. So the working group reaches KC/RD of its own county, whose directors come
      from the same municipalities and region, and never a network of another county, which
      shares no organisation with it.

    Only active people in networks that are not archived.
    """
    network = document.network
    active = Membership.objects.active()
    reached = _signing_networks(network, active)
    return active.filter(
        user__is_active=True, network__archived=False, network_id__in=reached
    ).filter((Q(network_id=network.pk) & ~Q(role=Role.OBSERVER)) | Q(role__in=SIGNING_ROLES))


def _signing_networks(network: Network, active: QuerySet[Membership]) -> list[int]:
    """The networks of the tree and those sharing an organisation with it (the own network is one
    of the tree's), in two small queries whose answers are passed on as lists: as subqueries, the
    planner cannot tell that a tree's people act for a handful of organisations, expects them to
    reach most of the memberships and reads them all (50,000 rows nationally)."""
    kept = vars(network)  # kept on the network for the request: the sign-off form asks twice
    if "_signing_networks" in kept:
        return kept["_signing_networks"]
    tree = Network.objects.filter(
        Q(pk__in=[network.pk, *ancestor_ids(network)]) | Q(parent_id=network.pk)
    ).values("pk")
    organisations = list(
        active.filter(network_id__in=tree, organisation__isnull=False)
        .order_by()
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    sharing = active.filter(organisation_id__in=organisations).values("network_id")
    kept["_signing_networks"] = list(
        Network.objects.filter(Q(pk__in=tree) | Q(pk__in=sharing)).values_list("pk", flat=True)
    )
    return kept["_signing_networks"]


def _named(user, sign_off: SignOff) -> tuple[bool, bool]:
    """Whether the person is a named signatory, and whether they have signed (one query)."""
    signed = Signature.objects.filter(sign_off_id=sign_off.pk, signer_id=user.pk)
    # django-stubs does not follow annotate() on an auto-created through model: "signed" is one
    row = (
        SignOff.signatories.through.objects.filter(signoff_id=sign_off.pk, user_id=user.pk)
        .annotate(signed=Exists(signed))
        .values_list("signed", flat=True)  # type: ignore[misc]
        .first()
    )
    return row is not None, bool(row)


@registry.register("consultations.SignOff")
class SignOffPolicy(registry.Policy):
    view_action = SignOffAction.VIEW
    all_actions = frozenset(SignOffAction)

    def actions(self, user, sign_off: SignOff) -> frozenset[str]:
        on_document = registry.actions(user, sign_off.document)
        named, signed = _named(user, sign_off)
        actions: set[str] = set()
        if DocumentAction.VIEW in on_document or named:
            actions.add(SignOffAction.VIEW)
        if sign_off.status == SignOff.Status.PENDING:
            if named and not signed:
                actions.add(SignOffAction.SIGN)
            if DocumentAction.RUN_PROCESS in on_document or sign_off.requested_by_id == user.pk:
                actions.add(SignOffAction.WITHDRAW)
        return frozenset(actions)

    def objects_for(self, user, action: str) -> QuerySet:
        """SIGN: the sign-offs waiting for this person's signature."""
        if action != SignOffAction.SIGN:
            raise NotImplementedError(f"{self.label}: no objects_for({action!r})")
        return SignOff.objects.filter(status=SignOff.Status.PENDING, signatories=user).exclude(
            Exists(Signature.objects.filter(sign_off=OuterRef("pk"), signer=user))
        )

    def users_for(self, action: str, sign_off: SignOff) -> QuerySet:
        """SIGN: on a sign-off not yet asked for (`SignOff(document=…)`), who may be asked to
        sign the document; on one asked for, the named signatories who still sign it."""
        if action != SignOffAction.SIGN:
            raise NotImplementedError(f"{self.label}: no users_for({action!r})")
        people = get_user_model().objects.filter(is_active=True)
        if sign_off.pk is None:
            return people.filter(pk__in=signing_memberships(sign_off.document).values("user_id"))
        if sign_off.status != SignOff.Status.PENDING:
            return people.none()
        return people.filter(sign_offs_to_sign=sign_off).exclude(
            Exists(Signature.objects.filter(sign_off=sign_off, signer=OuterRef("pk")))
        )


def require_on_sign_off(user, action: str, sign_off: SignOff) -> registry.Allowed:
    """`registry.require` on a sign-off, refusing a signature or a withdrawal in words: not a
    signatory, signed already, no longer waiting."""
    allowed = registry.actions(user, sign_off)
    if action in allowed:
        return allowed
    if SignOffAction.VIEW not in allowed:
        raise NotFound()
    if action == SignOffAction.SIGN:
        named, signed = _named(user, sign_off)
        if not named:
            raise NotASignatory()
        if signed:
            raise AlreadySigned()
        raise SignOffClosed()
    if action == SignOffAction.WITHDRAW and sign_off.status != SignOff.Status.PENDING:
        raise SignOffClosed()
    raise NotAllowed()
