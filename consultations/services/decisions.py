"""Decisions about versions, sign-off by signatories, and adoption.

Document lifecycle here: revising → anchoring (views and endorsements are recorded) →
awaiting_sign_off (sign-off requested) → adopted (enough approvals). A refusal sends it back to
revising; withdrawing a request back to anchoring. After adoption a chair starts a new revision
cycle explicitly; the adopted version stays as it is.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.hashers import check_password
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.errors import (
    AlreadySigned,
    BadSignatories,
    CannotBeAskedToSign,
    DecisionInFuture,
    NoBody,
    PendingSignOff,
    ReasonNeeded,
    SignOffClosed,
    SignOffDuringRound,
    SupersededVersion,
    VersionOfAnotherDocument,
    WrongPassword,
)
from consultations.locks import lock_document, lock_sign_off
from consultations.models import Decision, ReviewRound, Signature, SignOff
from consultations.policies.actions import DocumentStep, SignOffAction
from consultations.policies.decisions import require_on_sign_off, require_step
from documents.errors import DocumentLocked
from documents.files import storable
from documents.models import Document, Version
from documents.policies import DocumentAction
from documents.services import move_document
from networks import registry
from networks.errors import NotFound
from networks.models import Network
from notifications.kinds import Kind
from notifications.services import notify

Status = Document.Status


def _lock_document(document: Document) -> Document:
    return lock_document(document)


def _move(document: Document, to: str, by_user) -> None:
    """Move along Document.TRANSITIONS (documents.services.move_document), or refuse in words
    a person understands."""
    move_document(document, to, by_user=by_user, refusal=_move_refusal(document.status, to))


def _move_refusal(current: str, to: str):
    if to == Status.AWAITING_SIGN_OFF and current == Status.REVISING:
        return _(
            "Anchor the proposal first: record the views or the endorsement of a body before "
            "asking for sign-off."
        )
    if to == Status.AWAITING_SIGN_OFF:
        return _("Sign-off is asked for when the proposal has been anchored.")
    return _("The document is %(status)s: that step does not come now.") % {
        "status": Document.Status(current).label.lower()
    }


def _followers(document: Document) -> list:
    """Those who work on the document are told of its decisions and adoption: its network's
    people and its writing group's (documents.policies)."""
    return list(registry.users_for(DocumentAction.FOLLOW, document))


def latest_version(document: Document) -> Version | None:
    return document.versions.order_by("-number").first()


def counts_for(decision: Decision, latest: Version, editorial_numbers: set[int]) -> bool:
    """An endorsement counts for the newest version if it was given on it, or if every version
    published since was marked an editorial change only."""
    if decision.version.number == latest.number:
        return True
    later = range(decision.version.number + 1, latest.number + 1)
    return all(number in editorial_numbers for number in later)


@transaction.atomic
def record_decision(
    document: Document,
    *,
    by_user,
    version: Version,
    kind: str,
    decided_on: date,
    text: str,
    body_network: Network | None = None,
    body_name: str = "",
    minutes_reference: str = "",
    conditions: str = "",
    minutes: tuple[str, str, bytes | File] | None = None,
    corrects: Decision | None = None,
) -> Decision:
    document = _lock_document(document)
    require_step(by_user, DocumentStep.RECORD_DECISION, document)
    if version.document_id != document.pk:
        raise VersionOfAnotherDocument()
    if decided_on > timezone.localdate():
        raise DecisionInFuture()
    body_name = " ".join((body_name or "").split())[:300]
    if body_network is None and not body_name:
        raise NoBody()
    kind = Decision.Kind(kind)
    if corrects is not None and corrects.document_id != document.pk:
        raise NotFound()
    if document.is_locked and kind != Decision.Kind.ADOPTED and corrects is None:
        raise DocumentLocked()
    if (
        kind in (Decision.Kind.RETURNED, Decision.Kind.ADOPTED)
        and corrects is None
        and SignOff.objects.filter(document=document, status=SignOff.Status.PENDING).exists()
    ):
        raise PendingSignOff()  # the signatories decide that one; or withdraw it first
    decision = Decision(
        document=document,
        version=version,
        kind=kind,
        decided_on=decided_on,
        text=(text or "").strip(),
        conditions=(conditions or "").strip(),
        body_network=body_network,
        body_name="" if body_network else body_name,
        minutes_reference=(minutes_reference or "").strip()[:100],
        corrects=corrects,
        recorded_by=by_user,
    )
    if minutes is not None:
        name, content_type, data = minutes
        decision.minutes_name, decision.minutes_type = name[:255], content_type[:100]
        decision.minutes.save(name[:255], storable(data), save=False)
    decision._history_user = by_user
    decision.save()
    if (
        kind in (Decision.Kind.ENDORSEMENT, Decision.Kind.VIEWS)
        and document.status == Status.REVISING
    ):
        _move(document, Status.ANCHORING, by_user)
    elif kind == Decision.Kind.RETURNED and document.status in (
        Status.ANCHORING,
        Status.AWAITING_SIGN_OFF,
    ):
        _move(document, Status.REVISING, by_user)
    elif kind == Decision.Kind.ADOPTED and not document.is_locked:
        _move(document, Status.ADOPTED, by_user)
    notify(
        kind=Kind.DECISION_RECORDED,
        recipients=_followers(document),
        actor=by_user,
        target=decision,
        context={"body": decision.body, "document": document.title, "decision": kind.label},
        url=f"/documents/{document.pk}/decisions/",
    )
    return decision


@transaction.atomic
def request_sign_off(
    document: Document,
    *,
    by_user,
    version: Version,
    signatories: list,
    required: int | None,
    sign_by: date | None = None,
) -> SignOff:
    document = _lock_document(document)
    require_step(by_user, DocumentStep.REQUEST_SIGN_OFF, document)
    if version.document_id != document.pk:
        raise VersionOfAnotherDocument()
    if ReviewRound.objects.filter(document=document, status=ReviewRound.Status.OPEN).exists():
        raise SignOffDuringRound()
    latest = latest_version(document)
    if latest is None or latest.pk != version.pk:
        raise SupersededVersion()
    signatories = list({s.pk: s for s in signatories}.values())
    _refuse_those_not_offered(document, signatories)
    needed = len(signatories) if required is None else required
    if not signatories or not 1 <= needed <= len(signatories):
        raise BadSignatories()
    if SignOff.objects.filter(document=document, status=SignOff.Status.PENDING).exists():
        raise PendingSignOff()
    sign_off = SignOff(
        document=document,
        version=version,
        requested_by=by_user,
        rule=SignOff.Rule.ALL if needed == len(signatories) else SignOff.Rule.SOME,
        required=needed,
        sign_by=sign_by,
    )
    sign_off._history_user = by_user
    sign_off.save()
    sign_off.signatories.set(signatories)
    _move(document, Status.AWAITING_SIGN_OFF, by_user)
    notify(
        kind=Kind.SIGNOFF_AWAITING_SIGNATURE,
        recipients=registry.users_for(SignOffAction.SIGN, sign_off),
        actor=by_user,
        target=sign_off,
        context={"document": document.title, "version": f"{version.number} ({version.label})"},
        url=sign_off.get_absolute_url(),
    )
    return sign_off


def _refuse_those_not_offered(document: Document, signatories: list) -> None:
    """Only the people the sign-off policy says may be asked to sign this document are."""
    offered = set(
        registry.users_for(SignOffAction.SIGN, SignOff(document=document))
        .filter(pk__in=[s.pk for s in signatories])
        .values_list("pk", flat=True)
    )
    outside = [s for s in signatories if s.pk not in offered]
    if outside:
        raise CannotBeAskedToSign(
            _("%(names)s cannot be asked to sign this document.")
            % {"names": ", ".join(sorted(s.get_full_name() for s in outside))}
        )


@transaction.atomic
def sign(sign_off: SignOff, *, by_user, verdict: str, password: str, reason: str = "") -> Signature:
    """Approve or refuse, confirmed with the signatory's password. The row lock on the sign-off
    makes two signatories signing at the same moment count once each, and adopt once; the
    document is locked before it (documents.locks), so a section saved at the same moment goes
    before the adoption or is refused after it."""
    document = _lock_document_of(sign_off)
    sign_off = lock_sign_off(sign_off.pk)
    require_on_sign_off(by_user, SignOffAction.SIGN, sign_off)
    if not password or not check_password(password, by_user.password):
        raise WrongPassword()
    latest = latest_version(document)
    if latest is None or latest.pk != sign_off.version_id:
        raise SupersededVersion()
    if document.status != Status.AWAITING_SIGN_OFF:
        raise SignOffClosed()  # the document has moved on since
    verdict = Signature.Verdict(verdict)
    reason = (reason or "").strip()
    if verdict == Signature.Verdict.REJECT and not reason:
        raise ReasonNeeded()
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                sign_off=sign_off,
                signer=by_user,
                verdict=verdict,
                reason=reason,
                content_hash=sign_off.version.content_hash,
            )
    except IntegrityError:
        raise AlreadySigned() from None
    context = {
        "document": document.title,
        "version": f"{sign_off.version.number} ({sign_off.version.label})",
    }
    if verdict == Signature.Verdict.REJECT:
        _finish(sign_off, SignOff.Status.REJECTED, by_user)
        _move(document, Status.REVISING, by_user)
        notify(
            kind=Kind.SIGNATURE_REFUSED,
            recipients=registry.still_seeing([sign_off.requested_by], sign_off),
            actor=by_user,
            target=sign_off,
            context=context,
            url=sign_off.get_absolute_url(),
        )
        return signature
    notify(
        kind=Kind.SIGNATURE_GIVEN,
        recipients=registry.still_seeing([sign_off.requested_by], sign_off),
        actor=by_user,
        target=sign_off,
        context=context,
        url=sign_off.get_absolute_url(),
    )
    approvals = sign_off.signatures.filter(verdict=Signature.Verdict.APPROVE).count()
    if approvals >= sign_off.required:
        _finish(sign_off, SignOff.Status.APPROVED, by_user)
        _move(document, Status.ADOPTED, by_user)
        notify(
            kind=Kind.DOCUMENT_ADOPTED,
            recipients=_followers(document)
            + registry.still_seeing(sign_off.signatories.all(), sign_off),
            target=document,
            context=context,
            url=document.get_absolute_url(),
        )
    return signature


def _finish(sign_off: SignOff, status: str, by_user) -> None:
    sign_off.status = status
    sign_off.completed_at = timezone.now()
    sign_off._history_user = by_user
    sign_off.save(update_fields=["status", "completed_at"])


def _lock_document_of(sign_off: SignOff) -> Document:
    return lock_document(SignOff.objects.values_list("document_id", flat=True).get(pk=sign_off.pk))


@transaction.atomic
def withdraw_sign_off(sign_off: SignOff, *, by_user) -> SignOff:
    document = _lock_document_of(sign_off)
    sign_off = lock_sign_off(sign_off.pk)
    require_on_sign_off(by_user, SignOffAction.WITHDRAW, sign_off)
    _finish(sign_off, SignOff.Status.WITHDRAWN, by_user)
    _move(document, Status.ANCHORING, by_user)
    return sign_off


@transaction.atomic
def start_new_revision(document: Document, *, by_user) -> Document:
    """After adoption: a new cycle for the next strategy period. The adopted version stays."""
    document = _lock_document(document)
    require_step(by_user, DocumentStep.START_REVISION, document)
    _move(document, Status.REVISING, by_user)
    return document
