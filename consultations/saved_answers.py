"""'The answer is saved' after an answer sent without JavaScript: the page the person is sent
back to says so at the thread answered, with the way to the next comment that waits (once)."""

from __future__ import annotations

from consultations.models import ReviewRound

SAVED_SESSION_KEY = "round_page_answer_saved"


def remember_saved(
    request, review_round: ReviewRound, comment_id: int, next_id: int | None, applied: bool
) -> None:
    """`applied`: the answer came with the proposal written into the draft."""
    request.session[SAVED_SESSION_KEY] = [review_round.pk, comment_id, next_id, applied]


def take_saved(request, review_round: ReviewRound) -> tuple[int, int | None, bool] | None:
    """What `remember_saved` left for this round (comment, next, applied), taken out."""
    session = getattr(request, "session", None)
    kept = session.get(SAVED_SESSION_KEY) if session is not None else None
    if not kept or kept[0] != review_round.pk:
        return None
    del session[SAVED_SESSION_KEY]
    _round, comment_id, next_id, applied = kept
    return comment_id, next_id, applied
