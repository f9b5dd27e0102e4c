"""Formal responses (remissvar): drafted by the party's people, approved by its approver,
submitted once; or entered by a coordinator when they came by e-mail, letter or at a meeting."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from consultations import live
from consultations.errors import (
    IncompleteResponse,
    NeedsApproval,
    NotAwaitingApproval,
    OnlyApproverSendsBack,
    ResponseExists,
    SendBackWithoutComment,
)
from consultations.locks import lock_consultee, lock_round
from consultations.models import Consultee, Response
from consultations.policies import rounds as policy
from consultations.policies.actions import ConsulteeAction
from documents.files import storable
from networks import registry
from networks.errors import NotFound
from notifications.kinds import Kind
from notifications.services import notify

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def _lock(
    consultee: Consultee, by_user, action: str
) -> tuple[Consultee, Response, registry.Allowed]:
    """Authorize on a plain read first: a refused call locks (in PostgreSQL: writes) nothing.
    Then the round and the party, in the lock order (documents.locks), and the policy asked
    again under the lock (the round may have closed, the party answered, meanwhile)."""
    seen = (
        Consultee.objects.select_related("round__document__network").filter(pk=consultee.pk).first()
    )
    if seen is None:
        raise NotFound()
    _require(by_user, action, seen)
    review_round = lock_round(seen.round_id)
    consultee = lock_consultee(seen.pk)
    consultee.round = review_round
    allowed = _require(by_user, action, consultee)
    # Not created here: a refused step must leave no row behind, even an empty one.
    response = Response.objects.filter(consultee=consultee).first() or Response(consultee=consultee)
    return consultee, response, allowed


def _require(by_user, action: str, consultee: Consultee) -> registry.Allowed:
    """The party's policy decides, also on the state: a round that is not open takes no
    response from its parties, a party that has answered takes no second one."""
    return policy.require(by_user, action, consultee)


def _answers(consultee: Consultee, answers: dict | None) -> dict:
    valid = {str(pk) for pk in consultee.round.questions.values_list("pk", flat=True)}
    answers = {str(k): str(v).strip() for k, v in (answers or {}).items()}
    return {k: v for k, v in answers.items() if k in valid and v}  # an empty answer is none


def _write_draft(
    consultee: Consultee, response: Response, *, position: str, summary: str, answers: dict | None
) -> bool:
    """Put the form's text into the response (not yet saved); True if anything changed."""
    before = (response.position, response.summary, response.answers)
    response.position = position if position in Response.Position.values else ""
    response.summary = (summary or "").strip()
    response.answers = _answers(consultee, answers)
    return (response.position, response.summary, response.answers) != before


def _save_written(consultee: Consultee, response: Response, by_user) -> None:
    response.updated_at = timezone.now()
    response._history_user = by_user
    response.save()
    if consultee.status == Consultee.Status.INVITED:
        consultee.status = Consultee.Status.DRAFTING
        consultee._history_user = by_user
        consultee.save(update_fields=["status"])


@transaction.atomic
def save_draft(
    consultee: Consultee, *, by_user, position: str, summary: str, answers: dict | None = None
) -> Response:
    consultee, response, _allowed = _lock(consultee, by_user, ConsulteeAction.RESPOND)
    if response.state == Response.State.SUBMITTED:
        raise ResponseExists()
    changed = _write_draft(consultee, response, position=position, summary=summary, answers=answers)
    if changed or response.pk is None:
        response.state = Response.State.DRAFT  # a change after asking for approval asks again
        _save_written(consultee, response, by_user)
    return response


class Draft(NamedTuple):
    """The text of the response form, written in the same transaction as the step asked for."""

    position: str
    summary: str
    answers: dict | None = None


def _write_step_draft(consultee: Consultee, response: Response, draft: Draft | None) -> None:
    if draft is not None:
        _write_draft(
            consultee,
            response,
            position=draft.position,
            summary=draft.summary,
            answers=draft.answers,
        )


@transaction.atomic
def ask_for_approval(consultee: Consultee, *, by_user, draft: Draft | None = None) -> Response:
    """Send the response (with the form's text, when given) to the party's approvers. Every
    check comes before any write: a refusal leaves the saved response as it was."""
    consultee, response, _allowed = _lock(consultee, by_user, ConsulteeAction.RESPOND)
    if response.state == Response.State.SUBMITTED:
        raise ResponseExists()
    _write_step_draft(consultee, response, draft)
    if not response.position:
        raise IncompleteResponse()
    response.state = Response.State.AWAITING_APPROVAL
    response.sent_back_by, response.sent_back_at, response.sent_back_comment = None, None, ""
    _save_written(consultee, response, by_user)
    notify(
        kind=Kind.RESPONSE_AWAITING_APPROVAL,
        recipients=list(registry.users_for(ConsulteeAction.APPROVE, consultee)),
        actor=by_user,
        target=consultee.round,
        context={"organisation": str(consultee.party), "round": consultee.round.title},
        url=consultee.round.get_absolute_url() + f"respond/{consultee.pk}/",
    )
    return response


@transaction.atomic
def approve_and_submit(consultee: Consultee, *, by_user, draft: Draft | None = None) -> Response:
    """The approver submits the response (with the form's text, when given) as the party's
    answer. Nobody else can submit it, and a refusal writes nothing: not even the draft."""
    consultee, response, allowed = _lock(consultee, by_user, ConsulteeAction.RESPOND)
    if response.state == Response.State.SUBMITTED:
        raise ResponseExists()
    if ConsulteeAction.APPROVE not in allowed:
        raise NeedsApproval()
    _write_step_draft(consultee, response, draft)
    if not response.position:
        raise IncompleteResponse()
    now = timezone.now()
    response.state = Response.State.SUBMITTED
    response.approved_by, response.approved_at, response.submitted_at = by_user, now, now
    response.received_via, response.received_at = Response.Via.WEB, now
    response.updated_at = now
    response._history_user = by_user
    response.save()
    _mark_answered(consultee, response, by_user)
    return response


def asked_by(response: Response):
    """Who last sent the response for approval, and when (from its history): `(user, when)`,
    or `(None, None)` if nobody has (e.g. the approver wrote it)."""
    asked = (
        Response.history.filter(id=response.pk, state=Response.State.AWAITING_APPROVAL)
        .exclude(history_user=None)
        .select_related("history_user__guest")
        .order_by("-history_date")
        .first()
    )
    return (asked.history_user, asked.history_date) if asked else (None, None)


@transaction.atomic
def send_back(consultee: Consultee, *, by_user, comment: str) -> Response:
    """The approver returns the response to draft, with a comment to the drafters, who are
    told. Only one who may approve it can, and only while it waits for approval."""
    consultee, response, allowed = _lock(consultee, by_user, ConsulteeAction.RESPOND)
    if ConsulteeAction.APPROVE not in allowed:
        raise OnlyApproverSendsBack()
    if response.pk is None or response.state != Response.State.AWAITING_APPROVAL:
        raise NotAwaitingApproval()
    comment = (comment or "").strip()
    if not comment:
        raise SendBackWithoutComment()
    now = timezone.now()
    response.state = Response.State.DRAFT
    response.sent_back_by, response.sent_back_at, response.sent_back_comment = by_user, now, comment
    response.updated_at = now
    response._history_user = by_user
    response._change_reason = comment[:100]
    response.save()
    writers = (
        Response.history.filter(id=response.pk).exclude(history_user=None).values("history_user_id")
    )
    notify(
        kind=Kind.RESPONSE_SENT_BACK,
        recipients=list(
            registry.users_for(ConsulteeAction.RESPOND, consultee).filter(pk__in=writers)
        ),
        actor=by_user,
        target=consultee.round,
        context={
            "organisation": str(consultee.party),
            "round": consultee.round.title,
            "reason": comment,
        },
        url=consultee.round.get_absolute_url() + f"respond/{consultee.pk}/",
    )
    return response


def _mark_answered(consultee: Consultee, response: Response, by_user) -> None:
    declined = response.position == Response.Position.DECLINES
    consultee.status = Consultee.Status.DECLINED if declined else Consultee.Status.SUBMITTED
    consultee._history_user = by_user
    consultee.save(update_fields=["status"])
    live.record(consultee.round_id, "response")


@transaction.atomic
def enter_on_behalf(
    consultee: Consultee,
    *,
    by_user,
    position: str,
    summary: str,
    via: str,
    received_at: datetime,
    answers: dict | None = None,
    attachment: tuple[str, str, bytes | File] | None = None,
) -> Response:
    """A coordinator records a response that came by e-mail, letter or at a meeting."""
    consultee, response, _allowed = _lock(consultee, by_user, ConsulteeAction.ENTER)
    if response.state == Response.State.SUBMITTED:
        raise ResponseExists()
    if position not in Response.Position.values:
        raise IncompleteResponse()
    response.position, response.summary = position, (summary or "").strip()
    response.answers = _answers(consultee, answers)
    response.state = Response.State.SUBMITTED
    response.received_via = via if via in Response.Via.values else Response.Via.EMAIL
    response.received_at = received_at
    response.submitted_at = timezone.now()
    response.entered_by = by_user
    if attachment is not None:
        name, content_type, data = attachment
        response.attachment_name, response.attachment_type = name[:255], content_type[:100]
        response.attachment.save(name[:255], storable(data), save=False)
    response._history_user = by_user
    response.save()
    _mark_answered(consultee, response, by_user)
    return response
