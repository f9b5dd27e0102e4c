"""The adoption facts of a version, registered with documents (documents/adoption.py) in
ConsultationsConfig.ready(): documents writes them on the Word file, and opens an adopted
document on the version it was adopted in, without importing us."""

from django.utils import timezone

from consultations.models import Decision, Signature, SignOff
from documents.adoption import Adoption, Signatory
from documents.models import Version


def version_adoption(version) -> Adoption | None:
    """Adopted by its signatories (an approved sign-off), or by a recorded decision that has not
    been corrected since; None if the version was never adopted."""
    sign_off = (
        SignOff.objects.filter(version=version, status=SignOff.Status.APPROVED)
        .order_by("-completed_at")
        .first()
    )
    if sign_off is not None:
        signatures = sign_off.signatures.filter(verdict=Signature.Verdict.APPROVE).select_related(
            "signer"
        )
        return Adoption(
            adopted_on=timezone.localdate(sign_off.completed_at),
            signatories=tuple(
                Signatory(s.signer.get_full_name(), timezone.localdate(s.signed_at))
                for s in signatures.order_by("signed_at")
            ),
        )
    decision = (
        Decision.objects.filter(
            version=version, kind=Decision.Kind.ADOPTED, corrections__isnull=True
        )
        .select_related("body_network")
        .order_by("-decided_on", "-recorded_at")
        .first()
    )
    if decision is not None:
        return Adoption(adopted_on=decision.decided_on, decided_by=decision.body)
    return None


def adopted_version(document) -> Version | None:
    """The version of the document's latest adoption: the sign-off approved last, or the
    adoption decision recorded last that has not been corrected since, whichever came later
    (a document adopted, revised and adopted again opens on the second)."""
    sign_off = (
        SignOff.objects.filter(document=document, status=SignOff.Status.APPROVED)
        .select_related("version")
        .order_by("-completed_at")
        .first()
    )
    decision = (
        Decision.objects.filter(
            document=document, kind=Decision.Kind.ADOPTED, corrections__isnull=True
        )
        .select_related("version")
        .order_by("-recorded_at")
        .first()
    )
    if sign_off is None:
        return decision.version if decision is not None else None
    signed_at = sign_off.completed_at or sign_off.requested_at
    if decision is None or decision.recorded_at <= signed_at:
        return sign_off.version
    return decision.version
