"""The banner under the document's process stepper (documents/process.py), registered there in
ConsultationsConfig.ready(): the round that is open now and how many have answered, or the
sign-off waiting for signatures and how many have approved. Documents shows it without
importing us.

A person who may not see the round or the sign-off (the policies' VIEW) is not shown it.
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consultations.models import ReviewRound, Signature, SignOff
from consultations.policies.actions import RoundAction, SignOffAction
from consultations.policies.rounds import ANSWERED
from documents.models import Document
from documents.process import Banner
from networks import registry


def document_banner(user, document: Document) -> Banner | None:
    return _open_round(user, document) or _waiting_sign_off(user, document)


def _open_round(user, document: Document) -> Banner | None:
    review_round = (
        ReviewRound.objects.filter(document=document, status=ReviewRound.Status.OPEN)
        .annotate(
            parties=Count("consultees"),
            answered=Count("consultees", filter=Q(consultees__status__in=ANSWERED)),
        )
        .first()
    )
    if review_round is None:
        return None
    review_round.document = document
    if RoundAction.VIEW not in registry.actions(user, review_round):
        return None
    closes = date_format(timezone.localtime(review_round.closes_at).date(), "DATE_FORMAT")
    return Banner(
        link_text=_("The consultation is open until %(date)s") % {"date": closes},
        url=review_round.get_absolute_url(),
        facts=(
            ngettext(
                "%(answered)s of %(count)s has answered",
                "%(answered)s of %(count)s have answered",
                review_round.parties,
            )
            % {"answered": review_round.answered, "count": review_round.parties},
        ),
    )


def _waiting_sign_off(user, document: Document) -> Banner | None:
    sign_off = (
        SignOff.objects.filter(document=document, status=SignOff.Status.PENDING)
        .select_related("version")
        .annotate(
            signatory_count=Count("signatories", distinct=True),
            approvals=Count(
                "signatures",
                filter=Q(signatures__verdict=Signature.Verdict.APPROVE),
                distinct=True,
            ),
        )
        .first()
    )
    if sign_off is None:
        return None
    sign_off.document = document
    may = registry.actions(user, sign_off)
    if SignOffAction.VIEW not in may:
        return None
    number = sign_off.version.number
    count = sign_off.signatory_count
    facts = [
        ngettext(
            "%(approved)s of %(count)s has approved",
            "%(approved)s of %(count)s have approved",
            count,
        )
        % {"approved": sign_off.approvals, "count": count}
    ]
    if sign_off.required < count:
        facts.append(
            ngettext(
                "%(required)s of %(count)s signatory must approve",
                "%(required)s of %(count)s signatories must approve",
                count,
            )
            % {"required": sign_off.required, "count": count}
        )
    if SignOffAction.SIGN in may:
        link_text = _("Version %(number)s is waiting for your signature") % {"number": number}
    else:
        link_text = _("Version %(number)s is waiting for signatures") % {"number": number}
    return Banner(link_text=link_text, url=sign_off.get_absolute_url(), facts=tuple(facts))
