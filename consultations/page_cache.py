"""The part of the round page that grows with the comments, rendered once per change of the round.

A round is read far more often than it changes, and with a few hundred comments rendering the
sections with their threads and forms is most of what the page costs (about 300 ms for 500
comments on a two-core machine). So that part is rendered once per state of the round and kept in
the cache, shared by everyone who may do the same things on the page (comment or not, answer
comments or not) in the same language. The state is the round's sequence number, which every
comment, reply, edit, removal and answer moves in its own transaction (`consultations.live`),
together with the round's status and, for those who answer comments, the document's versions.

What differs between two such people is left as holes, filled for each request: the CSRF token of
the forms, the key of each comment and reply form (a new one per request, so that a form sent
twice is one post and two forms are two), the passage a section's comment form quotes when the
page was opened from a "Kommentera stycket" link (consultations/passages.py; the marks on the
text are shared), the "change or remove" link on the viewer's own comments (a hole only where
the comment's state allows its author to change it; filled where the policy says the viewer is
that author, consultations/policies/threads.py), the "on behalf of" choice of the comment forms,
and two marks around each thread's answer form and its reply form, and for those who answer
comments one at the top of each thread: a form sent back with errors takes the place of what is
between its marks, and "the answer is saved" shows at the thread just answered, for that person
only (`Answers`).
A hole is a marker with a random nonce, so text in a comment can never be
taken for one. The names of people and organisations can change without moving the number; an
entry lives at most ENTRY_SECONDS, so a new name shows within that time.

After a change, the first view to find the part stale has a worker render the new state (the
task `render_round_page`) and, with the views after it, shows the state before until the worker
is done, rather than every view rendering the same thing at once on a busy server. The page says
which state it shows (`data-sequence`), and its live connection fetches what came after at once;
without JavaScript a reload shows it. The person who made the change never sees the state before
it: their next view renders the part itself (`mark_changed_by`). Without a worker (eager Celery)
the task runs at once in the view, and if it cannot be sent, or takes longer than
RENDER_WAIT_SECONDS, views render the part themselves.

If the cache does not answer (Redis away), the part is rendered for this request and not kept.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from consultations import answering, passages, selectors
from consultations.models import Comment, Disposition, ReviewRound
from consultations.policies import threads
from consultations.policies.actions import CommentAction, RoundAction
from networks import registry

log = logging.getLogger(__name__)

ENTRY_SECONDS = 10 * 60
# A stale part is shown while a worker renders the new one, for at most this long; after that
# (the worker is slow or gone) a view renders it itself.
RENDER_WAIT_SECONDS = 10
FRESH_SESSION_KEY = "round_page_fresh"
SAVED_SESSION_KEY = "round_page_answer_saved"
# The change link of a person's own comments is rendered once per page for this id, then given
# each comment's id: someone who wrote 200 comments gets 200 links for the price of one.
_STAND_IN_ID = 918273645546372819
TEMPLATE = "consultations/_round_sections.html"


class Holes:
    """Markers for what is filled per request: `mark("own", author_id, comment_id)`."""

    def __init__(self) -> None:
        self.nonce = secrets.token_hex(8)
        self._pattern = re.compile("\ue000" + self.nonce + ":([^\ue001]*)\ue001")

    def mark(self, *parts) -> SafeString:
        # Numbers, a section key (hex) and our own nonce: nothing to escape.
        text = "\ue000" + self.nonce + ":" + " ".join(str(p) for p in parts) + "\ue001"
        return mark_safe(text)  # noqa: S308

    def split(self, html: str) -> list[str]:
        """The text between the holes at even places, the holes (`"own 3 17"`) at odd ones."""
        return self._pattern.split(html)


# The parts of a thread a form sent back with its errors takes the place of, for its sender.
REGIONS = frozenset({"answer", "reply"})


@dataclass
class Answers:
    """What one person's page shows in place of the shared part: a form sent back with its
    errors, by region ("answer 12", "reply 12"), and "the answer is saved", by comment id (see
    the module)."""

    forms: dict[str, str] = field(default_factory=dict)
    saved: dict[str, str] = field(default_factory=dict)


def remember_saved(
    request, review_round: ReviewRound, comment_id: int, next_id: int | None, applied: bool
) -> None:
    """After an answer saved without JavaScript: the page the person is sent back to says so at
    that thread, with the way to the next comment that waits (once). `applied`: the answer came
    with the proposal written into the draft."""
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


def saved_answers(request, review_round: ReviewRound) -> Answers:
    """The round page's holes for what `remember_saved` left (nothing when it left nothing)."""
    saved = take_saved(request, review_round)
    if saved is None:
        return Answers()
    comment_id, next_id, applied = saved
    html = render_to_string(
        "consultations/_answer_saved.html",
        {
            "comment_id": comment_id,
            "next_href": f"#thread-{next_id}" if next_id else "",
            "autofocus": True,
            "applied": applied,
        },
    )
    return Answers(saved={str(comment_id): html})


@dataclass(frozen=True)
class SectionRef:
    key: str
    heading: str


@dataclass(frozen=True)
class Summary:
    """The state of the comments, for the side of the page."""

    total: int
    answered: int
    unanswered: int
    uncommented_sections: tuple[SectionRef, ...]


@dataclass(frozen=True)
class Entry:
    sequence: int
    parts: list[str]
    summary: Summary


@dataclass(frozen=True)
class Viewer:
    """What the part of the page depends on besides the round: the same for many people."""

    can_comment: bool  # writes comments in the round, and replies to them
    can_dispose: bool  # answers its comments (the round is closed)
    versions: tuple  # (pk, number, label) of the document's versions, for those who answer
    can_apply: bool = False  # and applies proposals to the draft

    def key(self, review_round: ReviewRound) -> str:
        versions = ",".join(str(v[0]) for v in self.versions)
        return (
            f"round-page:v3:{review_round.pk}:{review_round.created_at.timestamp()}:"
            f"{get_language()}:{review_round.status}:{int(self.can_comment)}:"
            f"{int(self.can_dispose)}:{int(self.can_apply)}:{versions}"
        )

    @property
    def on_round(self) -> registry.Allowed:
        """The viewer's actions on the round that the shared part shows (its comment forms):
        the round's policy's answer, for whoever this viewer stands for."""
        given = {RoundAction.COMMENT: self.can_comment, RoundAction.ANSWER: self.can_dispose}
        return registry.Allowed({RoundAction.VIEW} | {a for a, yes in given.items() if yes})

    @property
    def on_comments(self) -> frozenset[str]:
        """The viewer's actions on the round's comments (threads.on_comments, for whoever this
        viewer stands for); each comment's state then takes away (threads.for_comment)."""
        given = {
            CommentAction.REPLY: self.can_comment,
            CommentAction.ANSWER: self.can_dispose,
            CommentAction.APPLY_PROPOSAL: self.can_apply,
        }
        return frozenset({RoundAction.VIEW} | {action for action, yes in given.items() if yes})


def viewer_of(
    review_round: ReviewRound, *, can_comment: bool, can_dispose: bool, can_apply: bool = False
):
    """The viewer, and the document's versions (newest first) offered to those who answer."""
    versions = list(review_round.document.versions.order_by("-number")) if can_dispose else []
    viewer = Viewer(
        can_comment, can_dispose, tuple((v.pk, v.number, v.label) for v in versions), can_apply
    )
    return viewer, versions


def sections_of(
    request,
    review_round: ReviewRound,
    viewer: Viewer,
    versions: list,
    organisations: list,
    chosen: int | None = None,
    quoted: tuple | None = None,
    answers: Answers | None = None,
) -> tuple[SafeString, Summary, int]:
    """The round's sections with their threads and forms, filled in for this request, the state
    of the comments, and the sequence number the part shows (the page's live updates go on from
    there). `chosen`: the organisation the comment forms start from (None: the person);
    `quoted`: (section key, Anchor), the passage its section's comment form quotes (a
    "Kommentera stycket" link followed without JavaScript)."""
    key = viewer.key(review_round)
    entry = _get(key)
    if entry is not None and entry.sequence < review_round.sequence:
        if _wants_fresh(request, review_round) or not _refreshed_elsewhere(
            review_round, viewer, key
        ):
            entry = None
        else:
            # A worker is rendering the new state. This view shows the one before; on a page
            # with JavaScript, the live connection fetches what came after it at once. Without
            # a worker (eager Celery) the task has already run.
            entry = _get(key) or entry
    if entry is None:
        # The round (and its sequence) was read before the comments: the part shows at least
        # the state that number stands for.
        entry = render(review_round, viewer, versions, selectors.round_page(review_round))
        _set(key, entry)
    filled = fill(request, review_round, entry.parts, organisations, chosen, quoted, answers)
    return filled, entry.summary, entry.sequence


def refresh(
    round_id: int, *, can_comment: bool, can_dispose: bool, can_apply: bool = False
) -> None:
    """Render the part again for everyone who is this viewer, in the active language (the task
    behind a stale part, see `_refreshed_elsewhere`)."""
    review_round = (
        ReviewRound.objects.select_related("document", "version").filter(pk=round_id).first()
    )
    if review_round is None:
        return
    viewer, versions = viewer_of(
        review_round, can_comment=can_comment, can_dispose=can_dispose, can_apply=can_apply
    )
    key = viewer.key(review_round)
    try:
        _set(key, render(review_round, viewer, versions, selectors.round_page(review_round)))
    finally:
        _delete(key + ":rendering")


def mark_changed_by(request, review_round: ReviewRound) -> None:
    """After a person's own change to the round: their next view of it is rendered fresh, never
    the state before their change."""
    request.session[FRESH_SESSION_KEY] = review_round.pk


def _wants_fresh(request, review_round: ReviewRound) -> bool:
    session = getattr(request, "session", None)
    if session is None or session.get(FRESH_SESSION_KEY) != review_round.pk:
        return False
    del session[FRESH_SESSION_KEY]
    return True


def _refreshed_elsewhere(review_round: ReviewRound, viewer: Viewer, key: str) -> bool:
    """Have a worker render the new state of a stale part; True when one is at it, so that this
    view can show the state before. False when none is (the task could not be sent, or it has
    been at it for longer than RENDER_WAIT_SECONDS): then this view renders the part itself."""
    from consultations.tasks import render_round_page

    lock = key + ":rendering"
    try:
        started = cache.get(lock)
        if started is not None:
            return time.time() - started < RENDER_WAIT_SECONDS
        if not cache.add(lock, time.time(), RENDER_WAIT_SECONDS * 3):
            return True  # another view sent the task just now
        render_round_page.delay(
            review_round.pk,
            can_comment=viewer.can_comment,
            can_dispose=viewer.can_dispose,
            can_apply=viewer.can_apply,
            language=get_language(),
        )
    except Exception:  # noqa: BLE001 - no cache or no broker: render here
        log.warning("Could not have the round page rendered by a worker; rendering it here")
        _delete(lock)
        return False
    return True


def render(review_round: ReviewRound, viewer: Viewer, versions: list, page) -> Entry:
    """The part for everyone who is `viewer`, with holes; `page` is `selectors.round_page`."""
    holes = Holes()
    html = render_to_string(
        TEMPLATE,
        {
            "round": review_round,
            "page": page,
            "may": viewer.on_round,
            "on_comments": viewer.on_comments,
            "kinds": Comment.Kind.choices,
            "outcomes": Disposition.Outcome.choices,
            "versions": versions,
            "holes": holes,
            "csrf_token": holes.mark("csrf"),
            "next_href": _first_waiting(page) if viewer.can_dispose else "",
        },
    )
    summary = Summary(
        total=page.total,
        answered=page.answered,
        unanswered=len(page.unanswered),
        uncommented_sections=tuple(SectionRef(s.key, s.heading) for s in page.uncommented_sections),
    )
    return Entry(review_round.sequence, holes.split(html), summary)


def _first_waiting(page) -> str:
    waiting = answering.first_unanswered(page)
    return f"#thread-{waiting.pk}" if waiting else ""


def fill(
    request,
    review_round: ReviewRound,
    parts: list[str],
    organisations: list,
    chosen: int | None = None,
    quoted: tuple | None = None,
    answers: Answers | None = None,
) -> SafeString:
    token = get_token(request)
    answers = answers or Answers()
    behalf: dict[str, str] = {}
    own_link: list[str] = []  # rendered once, for a stand-in id, on the first own comment

    def own(author_id: str, comment_id: str) -> str:
        # The comment's state allowed it (or there would be no hole); is this its author?
        if not threads.may_edit_own(request.user, review_round, int(author_id)):
            return ""
        if not own_link:
            own_link.append(
                render_to_string(
                    "consultations/_own_comment.html",
                    {"round": review_round, "comment_id": _STAND_IN_ID},
                )
            )
        return own_link[0].replace(str(_STAND_IN_ID), comment_id)

    def on_behalf(key: str = "") -> str:
        if not organisations:
            return ""
        if key not in behalf:
            behalf[key] = render_to_string(
                "consultations/_on_behalf.html",
                {"key": key, "organisations": organisations, "chosen": chosen},
            )
        return behalf[key]

    fillers: dict[str, Callable[..., str]] = {
        "csrf": lambda: token,
        "key": lambda: str(uuid.uuid4()),
        "own": own,
        "behalf": on_behalf,
        "quoted": lambda part, key: passages.quoted_part(part, key, quoted),
        "saved": lambda comment_id: answers.saved.get(comment_id, ""),
    }
    out = []
    replacing = None  # the comment whose answer form is left out for the one sent back
    for n, part in enumerate(parts):
        if n % 2 == 0:
            if replacing is None:
                out.append(part)
            continue
        name, *args = part.split(" ")
        if name in REGIONS:  # a mark before and after a thread's answer or reply form
            region = f"{name} {args[0]}"
            if replacing == region:
                replacing = None
            elif replacing is None and region in answers.forms:
                out.append(answers.forms[region])
                replacing = region
        elif replacing is None:
            out.append(fillers[name](*args))
    # Escaped by the templates that rendered the parts; the fillers are our own templates too.
    return mark_safe("".join(out))  # noqa: S308


def _get(key: str) -> Entry | None:
    if not settings.ROUND_PAGE_CACHE:
        return None
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - never a 500 because of the cache
        log.warning("The cache is not answering; rendering the round page")
        return None


def _delete(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:  # noqa: BLE001 - never a 500 because of the cache
        log.warning("The cache is not answering; could not remove %s", key[:40])


def _set(key: str, entry: Entry) -> None:
    if not settings.ROUND_PAGE_CACHE:
        return
    try:
        cache.set(key, entry, ENTRY_SECONDS)
    except Exception:  # noqa: BLE001 - never a 500 because of the cache
        log.warning("The cache is not answering; not keeping the round page")
