"""'Mitt arbete', the start page: what waits for this person, across every network.

- owed: open rounds where they (or the network or organisation they speak for) still owe a
  response, with the deadline;
- to_answer: closed rounds whose comments still wait for the writing group's disposition;
- chairing: open rounds they run that close within a week;
- to_sign: sign-offs that wait for their signature;
- decisions: decisions recorded lately on documents of their networks.

A fixed number of queries, whatever the data: each list is one query, and permissions are
checked for the whole list at once, never per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.urls import NoReverseMatch
from django.utils import timezone

from consultations.models import Comment, Consultee, Decision, ReviewRound, SignOff
from consultations.policies.actions import (
    CommentAction,
    ConsulteeAction,
    RoundAction,
    SignOffAction,
)
from consultations.timeline import DECISION_TITLES
from documents.models import Document
from documents.policies import DocumentAction
from networks import registry

CHAIRING_WINDOW = timedelta(days=7)
DECISIONS_WINDOW = timedelta(days=60)
DECISIONS_SHOWN = 20
SOON_DAYS = 3  # a deadline this close is shown as urgent


@dataclass
class Deadline:
    closes_at: datetime
    days_left: int  # calendar days, local time; 0 is today
    overdue: bool

    @property
    def urgent(self) -> bool:
        return self.overdue or self.days_left <= SOON_DAYS


@dataclass
class Owed:
    consultee: Consultee
    review_round: ReviewRound
    deadline: Deadline


@dataclass
class ToAnswer:
    review_round: ReviewRound
    waiting: int  # top-level comments without a disposition


@dataclass
class Chairing:
    review_round: ReviewRound
    deadline: Deadline
    consulted: int
    answered: int


@dataclass
class MyWork:
    owed: list[Owed] = field(default_factory=list)
    to_answer: list[ToAnswer] = field(default_factory=list)
    chairing: list[Chairing] = field(default_factory=list)
    to_sign: list[SignOff] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.owed or self.to_answer or self.chairing or self.to_sign or self.decisions)


def deadline(closes_at: datetime, now: datetime) -> Deadline:
    days = (timezone.localdate(closes_at) - timezone.localdate(now)).days
    return Deadline(closes_at=closes_at, days_left=max(days, 0), overdue=closes_at <= now)


def my_work(user, now: datetime | None = None) -> MyWork:
    if not user.is_authenticated or not user.is_active:
        return MyWork()
    now = now or timezone.now()
    return MyWork(
        owed=_owed(user, now),
        to_answer=_to_answer(user),
        chairing=_chairing(user, now),
        to_sign=_to_sign(user),
        decisions=_decisions(user, now),
    )


# ------------------------------------------------------------------------------------- lists


def _owed(user, now) -> list[Owed]:
    """The parties this person may answer for now (the parties' policy decides)."""
    waiting = (
        registry.objects_for(user, ConsulteeAction.RESPOND, Consultee)
        .select_related("round__document", "network", "organisation", "person")
        .order_by("round__closes_at", "pk")
    )
    return [
        Owed(consultee, consultee.round, deadline(consultee.round.closes_at, now))
        for consultee in waiting
    ]


def _to_answer(user) -> list[ToAnswer]:
    """The rounds with comments this person may answer now and nobody has yet (the comments'
    policy says which: consultations/policies/threads.py), in one query."""
    waiting = registry.objects_for(user, CommentAction.ANSWER, Comment).filter(
        disposition__isnull=True
    )
    rounds = (
        ReviewRound.objects.filter(pk__in=waiting.values("round_id"))
        .select_related("document", "version")
        .annotate(
            waiting=Count("comments", filter=Q(comments__in=waiting.values("pk")), distinct=True)
        )
        .order_by("closed_at", "pk")
    )
    return [ToAnswer(review_round, review_round.waiting) for review_round in rounds]


def _chairing(user, now) -> list[Chairing]:
    """Open rounds this person runs (may close now: the rounds' policy decides)."""
    answered = Q(consultees__status__in=[Consultee.Status.SUBMITTED, Consultee.Status.DECLINED])
    rounds = (
        registry.objects_for(user, RoundAction.CLOSE, ReviewRound)
        .filter(closes_at__lte=now + CHAIRING_WINDOW)
        .select_related("document", "version")
        .annotate(
            consulted=Count("consultees", distinct=True),
            answered=Count("consultees", filter=answered, distinct=True),
        )
        .order_by("closes_at", "pk")
    )
    return [Chairing(r, deadline(r.closes_at, now), r.consulted, r.answered) for r in rounds]


def _to_sign(user) -> list[SignOff]:
    """The sign-offs waiting for this person's signature (the sign-off policy's SIGN)."""
    sign_offs = list(
        registry.objects_for(user, SignOffAction.SIGN, SignOff)
        .select_related("document", "version", "requested_by")
        .order_by("requested_at", "pk")
    )
    for sign_off in sign_offs:
        try:
            sign_off.page_url = sign_off.get_absolute_url()
        except NoReverseMatch:  # the sign-off page is not there (yet): the document's is
            sign_off.page_url = sign_off.document.get_absolute_url()
    return sign_offs


def _decisions(user, now) -> list[Decision]:
    # Decisions on the documents this person reads (documents.policies: their networks', and
    # those their writing groups write, whose network page a writer need not see).
    documents = registry.objects_for(user, DocumentAction.VIEW, Document)
    decisions = list(
        Decision.objects.filter(document__in=documents, recorded_at__gte=now - DECISIONS_WINDOW)
        .select_related("document", "version", "body_network")
        .defer("minutes")
        .order_by("-decided_on", "-recorded_at")[:DECISIONS_SHOWN]
    )
    for decision in decisions:
        # As on the timeline: "Samverkansrådet ställer sig bakom förslaget".
        decision.headline = DECISION_TITLES[decision.kind]() % {"body": decision.body}
    return decisions
