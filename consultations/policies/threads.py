"""Who may do what with the comments of a round: reply, change or remove one's own, answer one,
apply a change proposal (networks.registry explains the three questions).

An action on a comment is allowed when two halves agree:

- the state: what the round's status and the comment's own state allow anyone at all
  (`state_allows`). The round's status gives the stage (`BY_ROUND_STATUS`): while it is open
  people reply and change their own comments; once it is closed the writing group answers them
  and applies proposals; a planned round has no comments yet and a reported one is the record,
  read only. The comment's state takes away: a removed comment keeps its place in the thread and
  nothing more (no reply, change or answer); replies are not answered one by one; an answered
  comment is no longer changed by its author; a proposal is applied once, while it is not
  answered or answered as (partly) accepted;
- the person: what their standing in the round gives on its comments (`person_allows`), from
  the round's policy (`registry.actions(user, round)`): those who comment in the round reply,
  the author changes their own, those who answer the round's comments (the writing group)
  answer, and apply proposals where they may also edit the draft.

Replies are written during the round only, like comments: the thread is where the consulted
talk to each other and to the writing group before it closes; after that the writing group's
answer is the reply, and the report records it.

The round page renders each comment with `for_comment(comment, status, on_comments)`, the state
half and the person half that is the same for every comment (`on_comments`, asked once per
page); the author's own link is asked per comment (`may_edit_own`)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from consultations import errors
from consultations.models import Comment, Disposition, ReviewRound
from consultations.policies.actions import CommentAction, RoundAction
from networks import registry
from networks.errors import DomainError, NotAllowed, NotFound

Status = ReviewRound.Status

VIEW = RoundAction.VIEW  # a comment is seen by those who see its round (also once removed)

# What the round's stage allows on its comments, before the comment's own state takes away.
BY_ROUND_STATUS: dict[str, frozenset[str]] = {
    Status.PLANNED: frozenset({VIEW}),
    Status.OPEN: frozenset({VIEW, CommentAction.REPLY, CommentAction.EDIT_OWN}),
    Status.CLOSED: frozenset({VIEW, CommentAction.ANSWER, CommentAction.APPLY_PROPOSAL}),
    Status.REPORTED: frozenset({VIEW}),
}
# The answers under which a proposal's text may still be written into the draft.
APPLICABLE_OUTCOMES = frozenset({Disposition.Outcome.ACCEPTED, Disposition.Outcome.PARTLY_ACCEPTED})


def state_allows(comment: Comment, round_status: str) -> frozenset[str]:
    """What the round's status and the comment's own state allow anyone at all."""
    allowed = set(BY_ROUND_STATUS[round_status])
    if comment.is_deleted:
        return frozenset({VIEW})
    if comment.resolved:  # answered: the answer is about this text
        allowed.discard(CommentAction.EDIT_OWN)
    if comment.parent_id is not None:
        allowed -= {CommentAction.ANSWER, CommentAction.APPLY_PROPOSAL}
        # A reply goes into its thread: none into a thread whose first comment was removed.
        replying = CommentAction.REPLY in allowed
        if replying and comment.parent is not None and comment.parent.is_deleted:
            allowed.discard(CommentAction.REPLY)
    if CommentAction.APPLY_PROPOSAL in allowed and not _applicable(comment):
        allowed.discard(CommentAction.APPLY_PROPOSAL)
    return frozenset(allowed)


def _applicable(comment: Comment) -> bool:
    """A change proposal with its text and section, not in the draft yet, and not answered
    otherwise than (partly) accepted, nor recorded as applied in a version."""
    if comment.kind != Comment.Kind.PROPOSAL or not comment.proposed_text:
        return False
    if not comment.section_key:
        return False
    disposition = comment.disposition_or_none
    return disposition is None or (
        disposition.outcome in APPLICABLE_OUTCOMES
        and not disposition.applied_to_draft
        and disposition.applied_in_id is None
    )


def person_allows(
    on_round: frozenset[str], *, is_author: bool, edits_draft: bool
) -> frozenset[str]:
    """What a person's standing in the round (their actions on it) gives on its comments."""
    if VIEW not in on_round:
        return frozenset()
    allowed: set[str] = {VIEW}
    if RoundAction.COMMENT in on_round:
        allowed.add(CommentAction.REPLY)
    if is_author:
        allowed.add(CommentAction.EDIT_OWN)
    if RoundAction.ANSWER in on_round:
        allowed.add(CommentAction.ANSWER)
        if edits_draft:
            allowed.add(CommentAction.APPLY_PROPOSAL)
    return frozenset(allowed)


def _edits_draft(user, review_round: ReviewRound) -> bool:
    from documents.policies import DocumentAction

    return DocumentAction.EDIT in registry.actions(user, review_round.document)


def on_comments(user, review_round: ReviewRound) -> registry.Allowed:
    """What this person may do on the round's comments as far as it is the same for every
    comment (not their own), asked once for a page of comments."""
    on_round = registry.actions(user, review_round)
    stage = BY_ROUND_STATUS[review_round.status]
    edits = RoundAction.ANSWER in on_round and CommentAction.APPLY_PROPOSAL in stage
    person = person_allows(
        on_round, is_author=False, edits_draft=edits and _edits_draft(user, review_round)
    )
    return registry.Allowed(person & stage)


def for_comment(
    comment: Comment, round_status: str, on_comments: frozenset[str]
) -> registry.Allowed:
    """The actions on one comment of those `on_comments` gives (no author's own)."""
    return registry.Allowed(state_allows(comment, round_status) & on_comments)


def may_edit_own(user, review_round: ReviewRound, author_id: int) -> bool:
    """The person's half of changing a comment whose state allows it: its author, while they
    see the round (the round page's per-person link)."""
    if not registry.is_person(user) or author_id != user.pk:
        return False
    return CommentAction.EDIT_OWN in person_allows(
        registry.actions(user, review_round), is_author=True, edits_draft=False
    )


@registry.register("consultations.Comment")
class CommentPolicy(registry.Policy):
    view_action = VIEW
    all_actions = frozenset({VIEW, *CommentAction})

    def actions(self, user, comment: Comment) -> frozenset[str]:
        review_round = comment.round
        state = state_allows(comment, review_round.status)
        on_round = registry.actions(user, review_round)
        edits = (
            CommentAction.APPLY_PROPOSAL in state
            and RoundAction.ANSWER in on_round
            and _edits_draft(user, review_round)
        )
        person = person_allows(on_round, is_author=comment.author_id == user.pk, edits_draft=edits)
        return state & person

    def cache_key(self, comment: Comment) -> tuple:
        return (self.label, comment.pk, comment.deleted_at, comment.resolved, comment.round.status)

    def objects_for(self, user, action: str) -> QuerySet:
        """The comments waiting for an answer from this person (ANSWER), in one query."""
        if action != CommentAction.ANSWER:
            raise NotImplementedError(f"{self.label}: no objects_for({action!r})")
        # The state half: first comments of a thread, not removed, in a closed round.
        return Comment.objects.filter(
            _rounds_answered_by(user),
            round__status__in=[s for s, allowed in BY_ROUND_STATUS.items() if action in allowed],
            parent__isnull=True,
            deleted_at__isnull=True,
        )


def _rounds_answered_by(user) -> Q:
    """The person half of ANSWER for every round at once (as `round__…`): the round's policy
    says which rounds' comments the person answers."""
    rounds = registry.objects_for(user, RoundAction.ANSWER, ReviewRound)
    return Q(round__in=rounds.values("pk"))


# ------------------------------------------------------------------ refusals a person can read


def require(user, action: str, comment: Comment) -> registry.Allowed:
    """`registry.require` on a comment, refusing with the reason the person can act on: the
    policy decides, this only says which half of it said no."""
    allowed = registry.actions(user, comment)
    if VIEW not in allowed:
        raise NotFound()
    if action not in allowed:
        raise _refusal(user, action, comment)
    return allowed


# Answering is the writing group's: others hear that first, whatever the round's stage (the
# commenters hear about the stage first: that is what they can wait for).
_PERSON_FIRST = frozenset({CommentAction.ANSWER, CommentAction.APPLY_PROPOSAL})


def _refusal(user, action: str, comment: Comment) -> DomainError:
    status = comment.round.status
    by_person = _person_refusal(action)
    if action in _PERSON_FIRST:
        on_round = registry.actions(user, comment.round)
        if action not in person_allows(on_round, is_author=False, edits_draft=True):
            return by_person
    if action not in BY_ROUND_STATUS[status]:
        return _stage_refusal(action, status)
    if action not in state_allows(comment, status):
        return _comment_refusal(action, comment)
    return by_person


def _person_refusal(action: str) -> DomainError:
    if action == CommentAction.EDIT_OWN:
        return errors.NotYourComment()
    if action in _PERSON_FIRST:
        return errors.OnlyWritingGroup()
    return NotAllowed()


def _stage_refusal(action: str, status: str) -> DomainError:
    if action in _PERSON_FIRST:
        return errors.ReportPublished() if status == Status.REPORTED else errors.NotClosedYet()
    return errors.RoundNotOpen() if status == Status.PLANNED else errors.RoundClosed()


def _comment_refusal(action: str, comment: Comment) -> DomainError:
    if action in _PERSON_FIRST and (comment.parent_id is not None or comment.is_deleted):
        return NotFound()  # replies and removed comments are not answered one by one
    if comment.is_deleted or (comment.parent is not None and comment.parent.is_deleted):
        return errors.CommentRemoved()
    if action == CommentAction.APPLY_PROPOSAL:
        if comment.kind != Comment.Kind.PROPOSAL or not comment.proposed_text:
            return errors.NotAProposal()
        if not comment.section_key:
            return errors.NotAProposal()
        return errors.ProposalNotApplicable()
    return errors.AnsweredComment()


def answering_refusal(review_round: ReviewRound) -> DomainError | None:
    """Why the round's comments are not answered at its stage (None: they are, now)."""
    if CommentAction.ANSWER in BY_ROUND_STATUS[review_round.status]:
        return None
    return _stage_refusal(CommentAction.ANSWER, review_round.status)


def require_commenting(user, review_round: ReviewRound) -> registry.Allowed:
    """`registry.require(user, RoundAction.COMMENT, round)` for a new comment, refusing with the
    round's stage when that is why (the round's policy decides)."""
    allowed = registry.actions(user, review_round)
    if VIEW not in allowed:
        raise NotFound()
    if RoundAction.COMMENT not in allowed:
        if review_round.status == Status.OPEN:
            raise NotAllowed()
        raise _stage_refusal(CommentAction.REPLY, review_round.status)
    return allowed
