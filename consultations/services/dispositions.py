"""What the writing group did with each comment, and applying a proposal in one step."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from consultations import live
from consultations.errors import PassageNotInDraft, RationaleNeeded
from consultations.locks import lock_comment, lock_dispositions, lock_document, lock_round
from consultations.models import Comment, Disposition, ReviewRound
from consultations.policies import threads
from consultations.policies.actions import CommentAction
from documents import services as documents_services
from documents.models import Section, Version
from networks import registry
from networks.errors import NotFound
from notifications.kinds import Kind
from notifications.services import notify


def _check(comment_pk: int, round_pk: int, by_user, action: str) -> tuple[Comment, ReviewRound]:
    """The comment and its round, locked (round first: documents.locks), once the policy allows
    `action` on the comment now (answer: the writing group, a first comment, not removed, while
    the round is closed). Locked: the chair publishing the report at the same moment waits, or
    goes first."""
    review_round = lock_round(round_pk)
    comment = lock_comment(comment_pk)
    comment.round = review_round
    threads.require(by_user, action, comment)
    return comment, review_round


@transaction.atomic
def record_disposition(
    comment: Comment,
    *,
    by_user,
    outcome: str,
    rationale: str,
    applied_in: Version | None = None,
) -> Disposition:
    comment, review_round = _check(comment.pk, comment.round_id, by_user, CommentAction.ANSWER)
    return _save(
        comment,
        review_round,
        by_user=by_user,
        outcome=outcome,
        rationale=rationale,
        applied_in=applied_in,
    )


def _save(
    comment: Comment,
    review_round: ReviewRound,
    *,
    by_user,
    outcome: str,
    rationale: str,
    applied_in: Version | None,
    applied_to_draft: bool = False,
) -> Disposition:
    rationale = (rationale or "").strip()
    if not rationale:
        raise RationaleNeeded()
    outcome = Disposition.Outcome(outcome)
    if applied_in is not None and applied_in.document_id != review_round.document_id:
        raise NotFound()
    disposition = Disposition.objects.filter(comment=comment).first() or Disposition(
        comment=comment
    )
    disposition.outcome, disposition.rationale = outcome, rationale
    disposition.decided_by, disposition.decided_at = by_user, timezone.now()
    disposition.applied_in = applied_in
    # Once in the draft, always: a changed answer does not take the text out again.
    disposition.applied_to_draft = disposition.applied_to_draft or applied_to_draft
    disposition._history_user = by_user
    disposition.save()
    # The comment is answered (its own history records what it says, not this).
    Comment.objects.filter(pk=comment.pk).update(resolved=True)
    live.record(review_round.pk, "disposition", comment.pk)
    notify(
        kind=Kind.COMMENT_DISPOSITION,
        recipients=registry.still_seeing([comment.author], review_round),
        actor=by_user,
        target=comment,
        context={"document": review_round.document.title, "disposition": outcome.label},
        url=comment.get_absolute_url(),
    )
    return disposition


@transaction.atomic
def apply_proposal(comment: Comment, *, by_user, rationale: str) -> Disposition:
    """Put a change proposal's text into the working draft (replacing the quoted passage, or
    the whole section text) and record the comment as accepted, in one step."""
    # The draft changes too: its document first, then the round, the comment, the section.
    document_id = ReviewRound.objects.values_list("document_id", flat=True).get(pk=comment.round_id)
    lock_document(document_id)
    # A change proposal with its text, not in the draft yet, that its answer (if any) accepts;
    # by someone who answers and may edit the draft.
    comment, review_round = _check(
        comment.pk, comment.round_id, by_user, CommentAction.APPLY_PROPOSAL
    )
    section = Section.objects.filter(
        document_id=review_round.document_id, key=comment.section_key
    ).first()
    if section is None:
        raise PassageNotInDraft()
    if comment.quote_exact:
        if section.body.count(comment.quote_exact) != 1:
            raise PassageNotInDraft()
        body = section.body.replace(comment.quote_exact, comment.proposed_text)
    else:
        body = comment.proposed_text
    documents_services.save_section(
        review_round.document,
        key=section.key,
        by_user=by_user,
        heading=section.heading,
        body=body,
        base_revision=section.revision,
    )
    # An answer given before (accepted, or partly) stands, with its words unless new ones come.
    answered = comment.disposition_or_none
    default = (
        answered.rationale if answered else gettext("Applied to the working draft as proposed.")
    )
    return _save(
        comment,
        review_round,
        by_user=by_user,
        outcome=answered.outcome if answered else Disposition.Outcome.ACCEPTED,
        # The writing group's words; the commenter's own are not an answer to them.
        rationale=(rationale or "").strip() or default,
        applied_in=None,  # the version that carries it is not published yet: see below
        applied_to_draft=True,
    )


def record_applied_in(version: Version, *, by_user) -> list[Disposition]:
    """The proposals applied to the working draft since the last version are applied in this
    one ("genomförd i version N"). Called when a version is published (after carry_comments, in
    consultations.receivers), in the same transaction."""
    waiting = lock_dispositions(
        Disposition.objects.filter(
            comment__round__document_id=version.document_id,
            applied_to_draft=True,
            applied_in__isnull=True,
        )
        .select_related("comment")
        .order_by("pk")
    )
    for disposition in waiting:
        disposition.applied_in = version
        disposition._history_user = by_user
        disposition.save(update_fields=["applied_in"])
        live.record(disposition.comment.round_id, "disposition", disposition.comment_id)
    return waiting
