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

from consultations.models import Consultee, Decision, ReviewRound, SignOff
from consultations.policies.actions import ConsulteeAction, RoundAction
from consultations.timeline import DECISION_TITLES
from documents.models import Document
from networks import registry
from networks.models import Membership
from networks.permissions import (
    ARCHIVED_ALLOWS,
    LOCKED_REMOVES,
    Action,
    network_ids_with,
    visible_network_ids,
    written_by_my_groups,
)

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
    memberships = list(
        Membership.objects.active()
        .filter(user=user)
        .values_list("network_id", "role", "network__kind", "network__parent_id")
    )
    return MyWork(
        owed=_owed(user, now),
        to_answer=_to_answer(memberships),
        chairing=_chairing(user, now),
        to_sign=_to_sign(user),
        decisions=_decisions(user, memberships, now),
    )


# ------------------------------------------------------------------- permissions, in a batch


def _documents_with(memberships, action: Action) -> Q:
    """A filter on documents (as `document__…`) where a role gives this person `action`."""
    rule = Q(document__network_id__in=network_ids_with(memberships, action))
    if action not in ARCHIVED_ALLOWS:
        rule &= Q(document__network__archived=False)
    if action in LOCKED_REMOVES:
        rule &= ~Q(document__status__in=Document.LOCKED_STATUSES)
    return rule


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


def _to_answer(memberships) -> list[ToAnswer]:
    waiting = Q(
        comments__parent__isnull=True,
        comments__deleted_at__isnull=True,
        comments__disposition__isnull=True,
    )
    rounds = (
        ReviewRound.objects.filter(status=ReviewRound.Status.CLOSED)
        .filter(_documents_with(memberships, Action.DISPOSE))
        .select_related("document", "version")
        .annotate(waiting=Count("comments", filter=waiting, distinct=True))
        .filter(waiting__gt=0)
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
    sign_offs = list(
        SignOff.objects.filter(status=SignOff.Status.PENDING, signatories=user)
        .exclude(signatures__signer=user)
        .select_related("document", "version", "requested_by")
        .order_by("requested_at", "pk")
    )
    for sign_off in sign_offs:
        try:
            sign_off.page_url = sign_off.get_absolute_url()
        except NoReverseMatch:  # the sign-off page is not there (yet): the document's is
            sign_off.page_url = sign_off.document.get_absolute_url()
    return sign_offs


def _decisions(user, memberships, now) -> list[Decision]:
    # The networks this person sees, and those whose documents their writing groups write
    # (a writer reads the working group's documents without seeing its page).
    networks = visible_network_ids(user) | written_by_my_groups(memberships, Action.VIEW_DOCUMENT)
    decisions = list(
        Decision.objects.filter(
            document__network_id__in=networks, recorded_at__gte=now - DECISIONS_WINDOW
        )
        .select_related("document", "version", "body_network")
        .defer("minutes")
        .order_by("-decided_on", "-recorded_at")[:DECISIONS_SHOWN]
    )
    for decision in decisions:
        # As on the timeline: "Samverkansrådet ställer sig bakom förslaget".
        decision.headline = DECISION_TITLES[decision.kind]() % {"body": decision.body}
    return decisions
