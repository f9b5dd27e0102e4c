"""'Mitt arbete', the start page: one to-do list of what waits for this person, across every
network, grouped by what is asked and sorted by deadline.

- answer (`owed`): open rounds where they (or the network or organisation they speak for) still
  owe a response;
- approve (`to_approve`): responses a drafter has asked them to approve and submit;
- comments (`to_answer`): closed rounds whose comments still wait for the writing group's answer;
- sign (`to_sign`): sign-offs that wait for their signature;
- run (`running`): the rounds they run: planned ones to open, every ongoing one with how many
  parties have answered, closed ones whose report is not yet published;
- and, beside the list, the latest decisions on the documents they read.

Who may do what is the policies' (networks.registry: objects_for); this module only arranges
their answers. A fixed number of queries, whatever the data: each list is one query, counts are
made in SQL, and permissions are asked for the whole list at once, never per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations import selectors
from consultations.models import (
    Comment,
    Consultee,
    Decision,
    Disposition,
    Response,
    ReviewRound,
    Signature,
    SignOff,
)
from consultations.policies.actions import (
    CommentAction,
    ConsulteeAction,
    RoundAction,
    SignOffAction,
)
from consultations.policies.rounds import ANSWERED, rounds_to_run
from consultations.timeline import DECISION_TITLES
from documents.models import Document
from documents.policies import DocumentAction
from networks import registry

DECISIONS_WINDOW = timedelta(days=60)
DECISIONS_SHOWN = 10
# Items shown per group; the rest behind "Visa alla N" (`?visa=<group>`): a coordinator of many
# networks on a national instance can have hundreds of rounds and parties waiting, and the list
# is limited and counted in SQL, never loaded whole to be cut in Python.
SHOWN = 20
_ALL = 2**31 - 1  # no limit, as a number the window's place is compared with
SOON_DAYS = 3  # a deadline this close is shown as urgent


class Ask(StrEnum):
    """What a group of the list asks of the person (the order is the page's, between groups
    whose deadlines are equal)."""

    ANSWER = "answer"
    APPROVE = "approve"
    COMMENTS = "comments"
    SIGN = "sign"
    RUN = "run"


HEADINGS = {
    Ask.ANSWER: _("Responses to write"),
    Ask.APPROVE: _("To approve"),
    Ask.COMMENTS: _("Comments to answer"),
    Ask.SIGN: _("Waiting for your signature"),
    Ask.RUN: _("Rounds you run"),
}
# An empty group, as a part of the one line that says what does not wait ("Nothing to approve,
# no comments to answer").
NOTHING = {
    Ask.ANSWER: _("no response to write"),
    Ask.APPROVE: _("nothing to approve"),
    Ask.COMMENTS: _("no comments to answer"),
    Ask.SIGN: _("nothing to sign"),
    Ask.RUN: _("no round to run"),
}


class Step(StrEnum):
    """The step a round someone runs waits for (from the policy's objects_for, not its status)."""

    OPEN = "open"  # planned: send it out
    FOLLOW = "follow"  # open: follow who has answered, remind, close
    REPORT = "report"  # closed: publish the report


@dataclass
class Deadline:
    at: datetime
    days_left: int  # calendar days, local time; 0 is today
    overdue: bool

    @property
    def urgent(self) -> bool:
        return self.overdue or self.days_left <= SOON_DAYS


def deadline(at: datetime, now: datetime) -> Deadline:
    days = (timezone.localdate(at) - timezone.localdate(now)).days
    return Deadline(at=at, days_left=max(days, 0), overdue=at <= now)


@dataclass
class Owed:
    """A party's response this person may write."""

    consultee: Consultee
    review_round: ReviewRound
    deadline: Deadline
    started: bool  # a draft is saved
    awaiting_approval: bool  # the draft waits for someone else's approval


@dataclass
class ToApprove:
    """A party's response a drafter asked this person to approve and submit."""

    consultee: Consultee
    review_round: ReviewRound
    deadline: Deadline
    asked_at: datetime


@dataclass
class ToAnswer:
    review_round: ReviewRound
    waiting: int  # top-level comments without a disposition
    deadline: None = None  # the writing group has no deadline in the record


@dataclass
class ToSign:
    sign_off: SignOff
    deadline: Deadline | None = None  # the last day to sign, when the request set one


@dataclass
class Running:
    """A round this person runs, and the step it waits for."""

    review_round: ReviewRound
    step: Step
    deadline: Deadline | None  # open: the last day to answer; planned: the day it should open
    consulted: int
    answered: int
    waiting: int  # comments without an answer (for the report)


@dataclass
class Group:
    ask: Ask
    items: list
    total: int = -1  # all there are, of which `items` are the first; -1: all are in `items`

    def __post_init__(self):
        if self.total < len(self.items):
            self.total = len(self.items)

    @property
    def more(self) -> bool:
        """Whether some are not shown (a "show all" link)."""
        return self.total > len(self.items)

    @property
    def heading(self) -> str:
        return str(HEADINGS[self.ask])

    @property
    def template(self) -> str:
        return f"workspace/todo/{self.ask}.html"

    @property
    def first_deadline(self) -> datetime | None:
        return next((i.deadline.at for i in self.items if i.deadline), None)


@dataclass
class MyWork:
    owed: list[Owed] = field(default_factory=list)
    to_approve: list[ToApprove] = field(default_factory=list)
    to_answer: list[ToAnswer] = field(default_factory=list)
    to_sign: list[ToSign] = field(default_factory=list)
    running: list[Running] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    signed: list[Signature] = field(default_factory=list)  # what they signed, not a to-do
    totals: dict[Ask, int] = field(default_factory=dict)  # a group's size, when not all shown

    def _all_groups(self) -> list[Group]:
        def group(ask: Ask, items: list) -> Group:
            return Group(ask, items, self.totals.get(ask, len(items)))

        return [
            group(Ask.ANSWER, self.owed),
            group(Ask.APPROVE, self.to_approve),
            group(Ask.COMMENTS, self.to_answer),
            group(Ask.SIGN, self.to_sign),
            group(Ask.RUN, self.running),
        ]

    @property
    def groups(self) -> list[Group]:
        """The groups with something in them, the one whose deadline comes first on top; those
        without a deadline after them, in the fixed order."""
        full = [g for g in self._all_groups() if g.items]
        order = list(Ask)

        def key(group: Group) -> tuple:
            first = group.first_deadline
            return (first is None, first.timestamp() if first else 0, order.index(group.ask))

        return sorted(full, key=key)

    @property
    def folded(self) -> str:
        """The empty groups as one line ("Nothing to approve, no comments to answer")."""
        empty = [str(NOTHING[g.ask]) for g in self._all_groups() if not g.items]
        line = ", ".join(empty)
        return line[:1].upper() + line[1:] + "." if line else ""

    @property
    def nothing_to_do(self) -> bool:
        return not any(g.items for g in self._all_groups())


def my_work(user, now: datetime | None = None, show_all: Ask | None = None) -> MyWork:
    """What waits for the person; each group's first SHOWN items (all of `show_all`'s) and
    how many there are."""
    if not registry.is_person(user):
        return MyWork()
    now = now or timezone.now()

    def limit(ask: Ask) -> int | None:
        return None if ask == show_all else SHOWN

    with registry.remembering(user):  # the lists ask about the same ties: once
        owed, to_approve, totals = _parties(user, now, limit(Ask.ANSWER), limit(Ask.APPROVE))
        to_answer, totals[Ask.COMMENTS] = _to_answer(user, limit(Ask.COMMENTS))
        running, totals[Ask.RUN] = _running(user, now, limit(Ask.RUN))
        return MyWork(
            owed=owed,
            to_approve=to_approve,
            to_answer=to_answer,
            to_sign=_to_sign(user, now),
            running=running,
            decisions=_decisions(user, now),
            signed=selectors.list_signatures_of(user),
            totals=totals,
        )


# ------------------------------------------------------------------------------------- lists


def _parties(
    user, now, owed_limit: int | None = SHOWN, approve_limit: int | None = SHOWN
) -> tuple[list[Owed], list[ToApprove], dict[Ask, int]]:
    """The parties this person may answer for now, and those whose response waits for their
    approval (the parties' policy decides both), in one query: the first of each (by deadline)
    up to its limit, and how many there are of each (window functions: counted and cut in
    SQL). A response that waits for this person's approval is theirs to approve, not to
    write: it is listed once, there."""
    responding = registry.objects_for(user, ConsulteeAction.RESPOND, Consultee)
    approving = registry.objects_for(user, ConsulteeAction.APPROVE, Consultee)
    # What is asked, not who may: a drafter asked for approval (Response.State is the record).
    asked = approving.filter(response__state=Response.State.AWAITING_APPROVAL)
    parties = (
        (responding | asked)
        .annotate(
            asked_to_approve=Exists(asked.filter(pk=OuterRef("pk"))),
            response_state=F("response__state"),
            asked_at=F("response__updated_at"),
        )
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("asked_to_approve")],
                order_by=[F("round__closes_at").asc(), F("pk").asc()],
            ),
            of=Window(Count("pk"), partition_by=[F("asked_to_approve")]),
            shown=Case(
                When(asked_to_approve=True, then=Value(approve_limit or _ALL)),
                default=Value(owed_limit or _ALL),
            ),
        )
        .filter(place__lte=F("shown"))
        .select_related("round__document", "network", "organisation", "person")
        .order_by("round__closes_at", "pk")
    )
    owed: list[Owed] = []
    to_approve: list[ToApprove] = []
    totals = {Ask.ANSWER: 0, Ask.APPROVE: 0}
    for party in parties:
        totals[Ask.APPROVE if party.asked_to_approve else Ask.ANSWER] = party.of
        review_round = party.round
        due = deadline(review_round.closes_at, now)
        if party.asked_to_approve:
            to_approve.append(ToApprove(party, review_round, due, party.asked_at))
        else:
            awaiting = party.response_state == Response.State.AWAITING_APPROVAL
            owed.append(Owed(party, review_round, due, party.response_state is not None, awaiting))
    return owed, to_approve, totals


def _to_answer(user, limit: int | None = SHOWN) -> tuple[list[ToAnswer], int]:
    """The rounds with comments this person may answer now and nobody has yet (the comments'
    policy says which: consultations/policies/threads.py), in one query. The comments are
    counted per round in SQL (a correlated count on the round's index), never joined to the
    rounds and grouped: a round of a few thousand comments costs its own rows, not the table."""
    waiting = registry.objects_for(user, CommentAction.ANSWER, Comment).filter(_unanswered())
    rounds = (
        ReviewRound.objects.filter(pk__in=waiting.values("round_id"))
        .select_related("document")  # not the version: a join the plan paid for with a table scan
        .annotate(
            waiting=_count(waiting.filter(round_id=OuterRef("pk")), "round_id"),
            of=Window(Count("pk")),
        )
        .order_by("closed_at", "pk")
    )
    shown = list(rounds[:limit] if limit else rounds)
    total = shown[0].of if shown else 0
    return [ToAnswer(review_round, review_round.waiting) for review_round in shown], total


def _unanswered() -> Exists:
    """A comment without a disposition, as NOT EXISTS: PostgreSQL plans it as an anti-join on
    the disposition's index, where `disposition__isnull=True` (a LEFT JOIN … IS NULL) was
    estimated at one row and read the whole disposition table."""
    return ~Exists(Disposition.objects.filter(comment_id=OuterRef("pk")))


def _count(queryset, by: str):
    """The number of rows of `queryset` (already narrowed to one outer row), as a subquery."""
    counted = queryset.order_by().values(by).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _running(user, now, limit: int | None = SHOWN) -> tuple[list[Running], int]:
    """The rounds this person runs, each with the step the rounds' policy lets them take now
    (open a planned one, close an ongoing one, publish a closed one's report), and the parties
    that have answered and the comments not yet answered, counted in the same query."""
    this_round = OuterRef("pk")
    parties = Consultee.objects.filter(round_id=this_round)
    unanswered = Comment.objects.filter(
        _unanswered(), round_id=this_round, parent__isnull=True, deleted_at__isnull=True
    )
    # The rounds' policy chooses the rounds and the step each waits for, in one rule: the
    # person's half once, not once per step (the ORM builds each subquery in Python, the larger
    # part of this list's cost, and a step chosen by three subqueries read every round).
    steps = [RoundAction.CLOSE, RoundAction.OPEN, RoundAction.PUBLISH_REPORT]
    step_of = dict(zip(steps, [Step.FOLLOW, Step.OPEN, Step.REPORT], strict=True))
    rounds = (
        rounds_to_run(user, steps)
        .annotate(
            # Counted per round, in SQL, each on its own index: joining the parties and the
            # comments to the rounds and grouping multiplied the rows (parties × comments) and
            # read the whole comment table on national data (seconds, benchmarks/national_…).
            consulted=_count(parties, "round_id"),
            answered=_count(parties.filter(status__in=ANSWERED), "round_id"),
            waiting=_count(unanswered, "round_id"),
            of=Window(Count("pk")),
        )
        .select_related("document")
        # By deadline (open: the last day to answer; planned: the day to open); the reports to
        # publish (no deadline) after, the longest closed first. Sorted by the round's status,
        # which goes with its step, not by the step: that would repeat every policy subquery.
        .order_by(
            Case(When(status=ReviewRound.Status.CLOSED, then=Value(1)), default=Value(0)),
            Case(
                When(status=ReviewRound.Status.PLANNED, then=F("opens_at")),
                default=F("closes_at"),
            ),
            "pk",
        )
    )
    items = []
    for r in rounds[:limit] if limit else rounds:
        step = step_of[RoundAction(r.step)]
        due = {Step.FOLLOW: r.closes_at, Step.OPEN: r.opens_at}.get(step)
        when = deadline(due, now) if due else None
        items.append(Running(r, step, when, r.consulted, r.answered, r.waiting))
    return items, items[0].review_round.of if items else 0


def _to_sign(user, now: datetime) -> list[ToSign]:
    """The sign-offs waiting for this person's signature (the sign-off policy's SIGN)."""
    sign_offs = (
        registry.objects_for(user, SignOffAction.SIGN, SignOff)
        .select_related("document", "version", "requested_by")
        .order_by("requested_at", "pk")
    )
    return [ToSign(sign_off, _sign_by(sign_off, now)) for sign_off in sign_offs]


def _sign_by(sign_off: SignOff, now: datetime) -> Deadline | None:
    """The last day to sign, to its end in local time (as a round's last day to answer)."""
    if sign_off.sign_by is None:
        return None
    end = datetime.combine(sign_off.sign_by, time(23, 59), tzinfo=timezone.get_current_timezone())
    return deadline(end, now)


def _decisions(user, now) -> list[Decision]:
    """The latest decisions, by the day they were taken, on the documents this person reads
    (documents.policies: their networks', and those their writing groups write, whose network
    page a writer need not see)."""
    documents = registry.objects_for(user, DocumentAction.VIEW, Document)
    order = ("-decided_on", "-recorded_at", "-pk")
    # The latest chosen first, then joined to their documents and versions: joined before the
    # limit, the plan read every version (a table scan on national data).
    latest = Decision.objects.filter(
        document__in=documents, recorded_at__gte=now - DECISIONS_WINDOW
    ).order_by(*order)[:DECISIONS_SHOWN]
    decisions = list(
        Decision.objects.filter(pk__in=latest.values("pk"))
        .select_related("document", "version", "body_network")
        .order_by(*order)
    )
    for decision in decisions:
        # As on the timeline: "Samverkansrådet ställer sig bakom förslaget".
        decision.headline = DECISION_TITLES[decision.kind]() % {"body": decision.body}
    return decisions
