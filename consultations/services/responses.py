"""Formal responses (remissvar): drafted by the party's people, approved by its approver,
submitted once; or entered by a coordinator when they came by e-mail, letter or at a meeting."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from consultations import live
from consultations.errors import IncompleteResponse, NeedsApproval, ResponseExists, RoundClosed
from consultations.locks import lock_consultee, lock_round
from consultations.models import Consultee, Response, ReviewRound
from networks.errors import NotFound
from networks.models import Affiliation, Membership
from networks.permissions import MANAGING_ROLES, Action, allowed_actions, require
from notifications.kinds import Kind
from notifications.services import notify

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def _lock(
    consultee: Consultee, by_user, action, *, approving: bool = False
) -> tuple[Consultee, Response]:
    """Authorize on a plain read first: a refused call locks (in PostgreSQL: writes) nothing.
    Then the round and the party, in the lock order (documents.locks), and the round's state
    checked again under the lock (it may have closed meanwhile)."""
    seen = (
        Consultee.objects.select_related("round__document__network").filter(pk=consultee.pk).first()
    )
    if seen is None:
        raise NotFound()
    _require(by_user, action, seen)
    if approving and Action.APPROVE_RESPONSE not in allowed_actions(by_user, seen):
        raise NeedsApproval()
    lock_round(seen.round_id)
    consultee = lock_consultee(seen.pk)
    _refuse_unless_open(consultee.round, action)
    # Not created here: a refused step must leave no row behind, even an empty one.
    response = Response.objects.filter(consultee=consultee).first() or Response(consultee=consultee)
    return consultee, response


def _require(by_user, action, consultee) -> None:
    require(by_user, Action.VIEW_ROUND, consultee.round)
    _refuse_unless_open(consultee.round, action)
    require(by_user, action, consultee)


def _refuse_unless_open(review_round: ReviewRound, action) -> None:
    if review_round.status != ReviewRound.Status.OPEN and action != Action.ENTER_RESPONSE:
        raise RoundClosed()


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
    consultee, response = _lock(consultee, by_user, Action.RESPOND)
    if response.state == Response.State.SUBMITTED:
        raise ResponseExists()
    changed = _write_draft(consultee, response, position=position, summary=summary, answers=answers)
    if changed or response.pk is None:
        response.state = Response.State.DRAFT  # a change after asking for approval asks again
        _save_written(consultee, response, by_user)
    return response


def approvers(consultee: Consultee) -> list:
    if consultee.person_id:
        return [consultee.person]
    if consultee.network_id:
        rows = Membership.objects.active().filter(
            network_id=consultee.network_id, role__in=MANAGING_ROLES
        )
    else:
        rows = Affiliation.objects.filter(
            organisation_id=consultee.organisation_id, can_approve=True
        )
    return [row.user for row in rows.select_related("user")]


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
    consultee, response = _lock(consultee, by_user, Action.RESPOND)
    if response.state == Response.State.SUBMITTED:
        raise ResponseExists()
    _write_step_draft(consultee, response, draft)
    if not response.position:
        raise IncompleteResponse()
    response.state = Response.State.AWAITING_APPROVAL
    _save_written(consultee, response, by_user)
    notify(
        kind=Kind.RESPONSE_AWAITING_APPROVAL,
        recipients=approvers(consultee),
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
    consultee, response = _lock(consultee, by_user, Action.RESPOND, approving=True)
    if response.state == Response.State.SUBMITTED:
        raise ResponseExists()
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
    attachment: tuple[str, str, bytes] | None = None,
) -> Response:
    """A coordinator records a response that came by e-mail, letter or at a meeting."""
    consultee, response = _lock(consultee, by_user, Action.ENTER_RESPONSE)
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
        response.attachment = data
    response._history_user = by_user
    response.save()
    _mark_answered(consultee, response, by_user)
    return response
