"""Comments in a round: on the whole document, a section or a selected passage; replies."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from consultations import anchoring, live
from consultations.errors import (
    CommentTooLong,
    EmptyComment,
    ProposalNeedsText,
    QuoteNotInSection,
    UnknownSection,
    WrongVersion,
)
from consultations.locks import lock_comment, lock_round
from consultations.models import Comment, ReviewRound
from consultations.policies import rounds as round_policy
from consultations.policies import threads
from consultations.policies.actions import CommentAction
from networks import registry
from networks.errors import NotFound
from networks.models import Organisation
from notifications.kinds import Kind
from notifications.services import notify


def _clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise EmptyComment()
    if len(body) > Comment.MAX_LENGTH:
        raise CommentTooLong()
    return body


def acts_for(user, review_round: ReviewRound, organisation: Organisation | None):
    """The organisation, if the person may speak for it in this round; otherwise nobody."""
    if organisation is None:
        return None
    spoken_for = round_policy.organisations_spoken_for(user, review_round)
    if not spoken_for.filter(pk=organisation.pk).exists():
        return None
    return organisation


def _posted_before(by_user, idempotency_key: uuid.UUID | None) -> Comment | None:
    if idempotency_key is None:
        return None
    return Comment.objects.filter(author=by_user, idempotency_key=idempotency_key).first()


@transaction.atomic
def add_comment(
    review_round: ReviewRound,
    *,
    by_user,
    body: str,
    kind: str = Comment.Kind.REMARK,
    section_key: str = "",
    quote: anchoring.Anchor | None = None,
    proposed_text: str = "",
    on_behalf_of: Organisation | None = None,
    parent: Comment | None = None,
    version_id: int | None = None,
    idempotency_key: uuid.UUID | None = None,
) -> Comment:
    """A comment, or with `parent` a reply, stored, numbered for the live pages and (a reply)
    told to the parent's author.

    `idempotency_key`: the key of the form it was posted from. A post whose key this person has
    posted before (a browser or client sending it again because the answer was lost) is the same
    post: the comment stored the first time is returned, and nothing is stored, told or pushed
    again, even when the round has closed since. The first post wins: a key sent again with
    another text (or another section, or another parent) still answers with the first comment.
    Without a key every post is a new comment, as before keys."""
    review_round = lock_round(review_round.pk)
    # The round's lock keeps two posts of the same key in the round in line: the second finds
    # the first here. The unique constraint catches the rest (the same key in two rounds).
    earlier = _posted_before(by_user, idempotency_key)
    if earlier is not None:
        return earlier
    if parent is None:
        threads.require_commenting(by_user, review_round)
    if version_id is not None and version_id != review_round.version_id:
        raise WrongVersion()
    body = _clean_body(body)
    kind = Comment.Kind(kind) if kind in Comment.Kind.values else Comment.Kind.REMARK
    proposed_text = (proposed_text or "").replace("\r\n", "\n").strip()
    if parent is not None:
        parent = Comment.objects.filter(pk=parent.pk, round=review_round).first()
        if parent is None:
            raise NotFound()
        parent.round = review_round
        threads.require(by_user, CommentAction.REPLY, parent)  # never to a removed comment
        parent = parent.parent or parent  # threads are one level deep
        section_key, quote, kind, proposed_text = parent.section_key, None, Comment.Kind.REMARK, ""
    elif section_key:
        section = review_round.version.sections.filter(key=section_key).first()
        if section is None:
            raise UnknownSection()
        if quote is not None and not anchoring.quote_is_in(quote, anchoring.plain(section.body)):
            raise QuoteNotInSection()
    else:
        quote = None
    if kind == Comment.Kind.PROPOSAL and not proposed_text:
        raise ProposalNeedsText()
    if len(proposed_text) > Comment.MAX_LENGTH:
        raise CommentTooLong()
    comment = Comment(
        round=review_round,
        version=review_round.version,
        section_key=section_key,
        quote_exact=quote.exact if quote else "",
        quote_prefix=quote.prefix[:64] if quote else "",
        quote_suffix=quote.suffix[:64] if quote else "",
        kind=kind,
        body=body,
        proposed_text=proposed_text if kind == Comment.Kind.PROPOSAL else "",
        author=by_user,
        on_behalf_of=acts_for(by_user, review_round, on_behalf_of),
        parent=parent,
        idempotency_key=idempotency_key,
    )
    comment._history_user = by_user
    if idempotency_key is None:
        comment.save()
    else:
        try:
            with transaction.atomic():  # a savepoint: the round's transaction goes on
                comment.save()
        except IntegrityError:
            earlier = _posted_before(by_user, idempotency_key)
            if earlier is None:
                raise  # another constraint
            return earlier
    live.record(review_round.pk, "reply" if parent else "comment", comment.pk)
    if parent is not None:
        notify(
            kind=Kind.COMMENT_REPLY,
            recipients=registry.still_seeing([parent.author], review_round),
            actor=by_user,
            target=comment,
            context={"document": review_round.document.title, "round": review_round.title},
            url=parent.get_absolute_url(),
        )
    return comment


def _own(comment: Comment, review_round: ReviewRound, by_user) -> Comment:
    """The comment, locked, once its author may still change it (the round open, the comment
    neither removed nor answered: the policy's EDIT_OWN)."""
    comment = lock_comment(comment.pk)
    comment.round = review_round
    threads.require(by_user, CommentAction.EDIT_OWN, comment)
    return comment


@transaction.atomic
def edit_comment(comment: Comment, *, by_user, body: str, proposed_text: str | None = None):
    review_round = lock_round(comment.round_id)
    comment = _own(comment, review_round, by_user)
    comment.body = _clean_body(body)
    if proposed_text is not None and comment.kind == Comment.Kind.PROPOSAL:
        proposed_text = proposed_text.replace("\r\n", "\n").strip()
        if not proposed_text:
            raise ProposalNeedsText()
        comment.proposed_text = proposed_text
    comment.edited_at = timezone.now()
    comment._history_user = by_user  # the earlier text stays in the history
    comment.save(update_fields=["body", "proposed_text", "edited_at"])
    live.record(review_round.pk, "edit", comment.pk)
    return comment


@transaction.atomic
def delete_comment(comment: Comment, *, by_user) -> int | None:
    """Removed for good, unless others replied: then a visible "deleted" placeholder stays so
    the thread still makes sense (the text remains in the history)."""
    review_round = lock_round(comment.round_id)
    comment = _own(comment, review_round, by_user)
    comment._history_user = by_user
    if comment.replies.exists():
        comment.deleted_at = timezone.now()
        comment.body = ""
        comment.proposed_text = ""
        comment.save(update_fields=["deleted_at", "body", "proposed_text"])
        live.record(review_round.pk, "delete", comment.pk)
    else:
        pk = comment.pk
        comment.delete()
        live.record(review_round.pk, "delete", pk)
        return pk
    return None
