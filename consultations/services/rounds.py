"""Running a review round: create, consult, open, extend, close (also at the deadline), report.

Each service: lock → authorize → validate the move → write → record → side effects on commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import groupby
from operator import attrgetter

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from consultations import guests
from consultations.errors import (
    DatesOutOfOrder,
    DeadlineInPast,
    DeadlineNotLater,
    InvalidTransition,
    NobodyToRemind,
    NotAnAddress,
    NothingToConsult,
    OpenRoundExists,
    PendingSignOff,
    RemindedToday,
)
from consultations.locks import lock_document, lock_round
from consultations.models import (
    Consultee,
    DeadlineReminder,
    GuestLink,
    Question,
    ReviewRound,
    RoundReminder,
    SignOff,
)
from consultations.policies import rounds as policy
from consultations.policies.actions import ConsulteeAction, DocumentStep, RoundAction
from consultations.policies.decisions import require_step
from documents.errors import DocumentLocked
from documents.models import Document, Version
from documents.policies import DocumentAction
from documents.services import move_document
from networks import registry
from networks.models import Network, Organisation, normalise_email
from networks.policies import PersonAction
from notifications.kinds import Kind
from notifications.services import notify


def _document_refusal(current: str):
    if current == Document.Status.ANCHORING:
        return _(
            "The document is being anchored, so no consultation round can open now. If it "
            "needs another round, first record the decision that returns it for revision."
        )
    return None  # the documents app's own words


def _lock(review_round: ReviewRound) -> ReviewRound:
    return lock_round(review_round.pk)


def _lock_with_document(review_round: ReviewRound) -> tuple[Document, ReviewRound]:
    """The document first, then the round (documents.locks): opening and closing move both."""
    document_id = review_round.document_id or (
        ReviewRound.objects.values_list("document_id", flat=True).get(pk=review_round.pk)
    )
    document = lock_document(document_id)
    return document, lock_round(review_round.pk)


def _move(review_round: ReviewRound, to: str) -> None:
    """The transition table, below the policy (which refuses a step in words first): what the
    deadline scan, which asks no policy, relies on."""
    if to not in ReviewRound.TRANSITIONS[review_round.status]:
        raise InvalidTransition()
    review_round.status = to


def deadline_text(review_round: ReviewRound) -> str:
    return date_format(timezone.localtime(review_round.closes_at), "DATETIME_FORMAT")


def _round_context(review_round: ReviewRound) -> dict:
    return {
        "round": review_round.title,
        "document": review_round.document.title,
        "deadline": deadline_text(review_round),
    }


@transaction.atomic
def create_round(
    document: Document,
    *,
    by_user,
    version: Version,
    title: str,
    instructions: str = "",
    questions: list[str] | None = None,
    opens_at: datetime | None = None,
    closes_at: datetime,
) -> ReviewRound:
    document = lock_document(document)
    registry.require(by_user, DocumentAction.VIEW, document)
    # A round is started where the document may go into consultation (the decisions' policy
    # reads Document.TRANSITIONS); elsewhere it is refused in words, a locked document too.
    require_step(by_user, DocumentStep.START_ROUND, document)
    if version.document_id != document.pk:
        raise InvalidTransition()
    now = timezone.now()
    opens_at = opens_at or now
    if closes_at <= now:
        raise DeadlineInPast()
    if closes_at <= opens_at:
        raise DatesOutOfOrder()
    review_round = ReviewRound(
        document=document,
        version=version,
        title=" ".join(title.split())[:300] or version.label,
        instructions=instructions.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        chair=by_user,
    )
    review_round._history_user = by_user
    review_round.save()
    for position, text in enumerate([q.strip() for q in questions or [] if q.strip()], start=1):
        question = Question(round=review_round, position=position, text=text)
        question._history_user = by_user
        question.save()
    return review_round


@transaction.atomic
def add_consultees(
    review_round: ReviewRound,
    *,
    by_user,
    networks: Sequence[Network] = (),
    organisations: Sequence[Organisation] = (),
    people: Sequence = (),
    outside: Sequence[tuple[str, str]] = (),
) -> list[Consultee]:
    """Consult whole networks, organisations or named people (also from outside the network:
    they then see this round and its version, nothing else: their own row lets them in, and
    its removal or the round's end lets them out), and people outside Samverka by e-mail address
    alone (`outside`: (address, name) pairs; they answer through a guest link). An address that
    is the account of someone the chair may name (the people's policy) consults that person;
    any other account is, to the chair, an address like any other."""
    review_round = _lock(review_round)
    policy.require(by_user, RoundAction.CONSULT, review_round)
    if not (networks or organisations or people or outside):
        raise NothingToConsult()
    outsiders, accounts = _outside_people(by_user, outside)
    # A guest's account answers for its own party only: it is never consulted by name.
    people = [p for p in [*people, *accounts] if not p.is_guest]
    existing = list(review_round.consultees.all())
    added = []
    for field, parties in (
        ("network", networks),
        ("organisation", organisations),
        ("person", people),
    ):
        known = {getattr(c, f"{field}_id") for c in existing}
        for party in parties:
            if party.pk in known:
                continue
            consultee = Consultee(round=review_round, added_by=by_user, **{field: party})
            consultee._history_user = by_user
            consultee.save()
            known.add(party.pk)
            added.append(consultee)
    known_addresses = {c.outside_email.lower() for c in existing if c.outside_email}
    for email, name in outsiders:
        if email.lower() in known_addresses:
            continue
        consultee = Consultee(
            round=review_round, added_by=by_user, outside_email=email, outside_name=name
        )
        consultee._history_user = by_user
        consultee.save()
        known_addresses.add(email.lower())
        added.append(consultee)
    if added and review_round.is_open:
        # Those already asked through another party were told when it was added.
        told = policy.people_of(review_round, existing).values("pk")
        newly = policy.people_of(review_round, added, ConsulteeAction.RESPOND).exclude(pk__in=told)
        _tell(Kind.CONSULTEE_ADDED, review_round, list(newly), by_user)
        # Those nobody in Samverka speaks for get a guest link at their address.
        guests.send_links(review_round, added, by_user=by_user, reason=GuestLink.Reason.ADDED)
    return added


def _outside_people(by_user, outside: Sequence[tuple[str, str]]) -> tuple[list, list]:
    """The (address, name) pairs checked and tidied, split into those consulted by address and
    the accounts among them the chair may name."""
    tidied: dict[str, tuple[str, str]] = {}
    for email, name in outside:
        email = normalise_email(email)
        try:
            validate_email(email)
        except ValidationError:
            raise NotAnAddress(email) from None
        name = " ".join((name or "").split())[:200]  # Consultee.outside_name
        tidied.setdefault(email, (email, name))
    if not tidied:
        return [], []
    User = get_user_model()
    accounts = list(
        registry.objects_for(by_user, PersonAction.VIEW, User).filter(email__in=list(tidied))
    )
    named = {normalise_email(account.email) for account in accounts}
    return [pair for email, pair in tidied.items() if email not in named], accounts


def _tell(kind: str, review_round: ReviewRound, recipients: list, by_user, key=None) -> int:
    """One notification per person about this round, with its words and link."""
    return len(
        notify(
            kind=kind,
            recipients=recipients,
            actor=by_user,
            target=review_round,
            context=_round_context(review_round),
            url=review_round.get_absolute_url(),
            key=key,
        )
    )


@transaction.atomic
def open_round(review_round: ReviewRound, *, by_user) -> ReviewRound:
    document, review_round = _lock_with_document(review_round)
    policy.require(by_user, RoundAction.OPEN, review_round)
    if document.is_locked:
        raise DocumentLocked()
    if SignOff.objects.filter(document=document, status=SignOff.Status.PENDING).exists():
        raise PendingSignOff()  # a version waiting for signatures is not sent out again
    _move(review_round, ReviewRound.Status.OPEN)
    if not review_round.consultees.exists():
        raise NothingToConsult()
    if review_round.closes_at <= timezone.now():
        raise DeadlineInPast()
    if ReviewRound.objects.filter(document=document, status=ReviewRound.Status.OPEN).exists():
        raise OpenRoundExists()
    move_document(
        document,
        Document.Status.IN_CONSULTATION,
        by_user=by_user,
        refusal=_document_refusal(document.status),
    )
    review_round.opened_at = timezone.now()
    review_round._history_user = by_user
    try:
        with transaction.atomic():
            review_round.save(update_fields=["status", "opened_at"])
    except IntegrityError:
        raise OpenRoundExists() from None  # the database's own guard: one open round per document
    # One notification each: those asked to answer are told so; those who follow the document
    # (its network's people and its writing group's) that the round is open.
    consulted = list(
        policy.people_of(review_round, review_round.consultees.all(), ConsulteeAction.RESPOND)
    )
    _tell(Kind.CONSULTEE_ADDED, review_round, consulted, by_user)
    followers = registry.users_for(DocumentAction.FOLLOW, document).exclude(
        pk__in=[person.pk for person in consulted]
    )
    _tell(Kind.ROUND_OPENED, review_round, list(followers), by_user)
    # The parties nobody in Samverka speaks for: a guest link to their address.
    guests.send_links(
        review_round,
        list(review_round.consultees.all()),
        by_user=by_user,
        reason=GuestLink.Reason.OPENING,
    )
    return review_round


@transaction.atomic
def extend_deadline(review_round: ReviewRound, *, by_user, closes_at: datetime) -> ReviewRound:
    review_round = _lock(review_round)
    policy.require(by_user, RoundAction.EXTEND, review_round)
    if closes_at <= timezone.now():
        raise DeadlineInPast()
    if closes_at <= review_round.opens_at:
        raise DatesOutOfOrder()
    if review_round.is_open and closes_at <= review_round.closes_at:
        raise DeadlineNotLater()  # the parties were told a day; it is never taken back
    review_round.closes_at = closes_at
    review_round._history_user = by_user  # the history keeps the earlier deadline
    review_round.save(update_fields=["closes_at"])
    if review_round.is_open:  # those who have not answered yet
        waiting = policy.people_of(
            review_round, review_round.consultees.all(), ConsulteeAction.RESPOND
        )
        _tell(Kind.DEADLINE_EXTENDED, review_round, list(waiting), by_user)
    return review_round


@transaction.atomic
def close_round(review_round: ReviewRound, *, by_user=None) -> ReviewRound:
    """Close by hand (the chair) or at the deadline (by_user None: the scan)."""
    document, review_round = _lock_with_document(review_round)
    if by_user is not None:
        policy.require(by_user, RoundAction.CLOSE, review_round)
    _move(review_round, ReviewRound.Status.CLOSED)
    review_round.closed_at = timezone.now()
    review_round._history_user = by_user
    review_round.save(update_fields=["status", "closed_at"])
    if document.status == Document.Status.IN_CONSULTATION:
        move_document(document, Document.Status.REVISING, by_user=by_user)
    followers = registry.users_for(DocumentAction.FOLLOW, document)
    consulted = policy.people_of(review_round, review_round.consultees.all())
    _tell(Kind.ROUND_CLOSED, review_round, [*followers, *consulted], by_user)
    return review_round


@transaction.atomic
def publish_report(review_round: ReviewRound, *, by_user) -> ReviewRound:
    review_round = _lock(review_round)
    policy.require(by_user, RoundAction.PUBLISH_REPORT, review_round)
    _move(review_round, ReviewRound.Status.REPORTED)
    review_round.reported_at = timezone.now()
    review_round._history_user = by_user
    review_round.save(update_fields=["status", "reported_at"])
    return review_round


def waiting_parties(review_round: ReviewRound) -> list[Consultee]:
    """The parties that have not answered (sent or declined) yet."""
    return list(review_round.consultees.exclude(status__in=policy.ANSWERED))


def last_reminder(review_round: ReviewRound) -> RoundReminder | None:
    return (
        RoundReminder.objects.filter(round_id=review_round.pk)
        .select_related("sent_by")
        .order_by("-sent_at")
        .first()
    )


def reminded_today(reminder: RoundReminder) -> RemindedToday:
    at = timezone.localtime(reminder.sent_at)
    by = reminder.sent_by.get_full_name() if reminder.sent_by else ""
    return RemindedToday(when=time_format(at, "TIME_FORMAT"), by=by)


@transaction.atomic
def remind_parties(review_round: ReviewRound, *, by_user, now=None) -> RoundReminder:
    """The chair reminds every party that has not answered: its people in Samverka are told (in
    Samverka and by e-mail, as they chose), and a party reached by a guest link gets a fresh
    link at its address. Once a day per round: a second try the same day is refused in words
    and sends nothing; the reminder is recorded (who, when, how many)."""
    review_round = _lock(review_round)
    policy.require(by_user, RoundAction.REMIND, review_round)
    now = now or timezone.now()
    today = timezone.localdate(now)
    earlier = (
        RoundReminder.objects.filter(round_id=review_round.pk, sent_on=today)
        .select_related("sent_by")
        .first()
    )
    if earlier is not None:
        raise reminded_today(earlier)
    waiting = waiting_parties(review_round)
    if not waiting:
        raise NobodyToRemind()
    people = list(policy.people_of(review_round, waiting, ConsulteeAction.RESPOND))
    told = _tell(Kind.ROUND_REMINDER, review_round, people, by_user)
    links = guests.send_links(
        review_round, waiting, by_user=by_user, reason=GuestLink.Reason.MANUAL
    )
    reminder = RoundReminder(
        round=review_round,
        sent_by=by_user,
        sent_at=now,
        sent_on=today,
        parties=len(waiting),
        people=told,
        links=len(links),
    )
    try:
        with transaction.atomic():
            reminder.save()
    except IntegrityError:  # another request reminded them a moment ago: this one sends nothing
        raise RemindedToday() from None
    return reminder


def close_due_rounds(now=None) -> list[int]:
    """The every-minute scan: close each open round whose deadline has passed. Idempotent: a
    round closed by an earlier run (or by its chair) is no longer open."""
    now = now or timezone.now()
    closed = []
    for pk in ReviewRound.objects.filter(
        status=ReviewRound.Status.OPEN, closes_at__lte=now
    ).values_list("pk", flat=True):
        try:
            close_round(ReviewRound(pk=pk))
        except InvalidTransition:
            continue  # closed meanwhile
        closed.append(pk)
    return closed


# (window start, window end in days before the deadline, kind, threshold)
REMINDERS = (
    (1, 3, Kind.DEADLINE_IN_3_DAYS, DeadlineReminder.Threshold.THREE_DAYS),
    (0, 1, Kind.DEADLINE_IN_1_DAY, DeadlineReminder.Threshold.ONE_DAY),
)
GUEST_REMINDERS = {
    DeadlineReminder.Threshold.THREE_DAYS: GuestLink.Reason.REMINDER_3D,
    DeadlineReminder.Threshold.ONE_DAY: GuestLink.Reason.REMINDER_1D,
}


def send_reminders(now=None) -> int:
    """The every-minute scan: 3 days and 1 day before the deadline, remind the people of each
    consulted party that has not submitted (a guest party: a fresh link at its address); once
    per party and threshold, however often this runs.

    What it costs grows with the reminders due, not with the rounds or parties there are: one
    query per threshold selects the parties due and not yet reminded (DeadlineReminder
    remembers those that were); a run with nothing due makes two queries and writes nothing."""
    now = now or timezone.now()
    sent = 0
    for start, end, kind, threshold in REMINDERS:
        due = list(
            Consultee.objects.filter(
                round__status=ReviewRound.Status.OPEN,
                round__closes_at__gt=now + timedelta(days=start),
                round__closes_at__lte=now + timedelta(days=end),
            )
            .exclude(status__in=policy.ANSWERED)
            .exclude(deadline_reminders__threshold=threshold)
            .select_related("round__document")
            .order_by("round_id", "pk")
        )
        for review_round, parties in groupby(due, key=attrgetter("round")):
            sent += _remind(review_round, list(parties), kind, threshold)
    return sent


@transaction.atomic
def _remind(review_round: ReviewRound, parties: list[Consultee], kind: str, threshold) -> int:
    """Remember the parties as reminded, then tell their people (each person once per round and
    threshold, however many of the parties they speak for) and send guest parties a link."""
    DeadlineReminder.objects.bulk_create(
        [DeadlineReminder(consultee=party, threshold=threshold) for party in parties],
        ignore_conflicts=True,  # a run that overlapped this one: the notification key holds
    )
    recipients = list(policy.people_of(review_round, parties, ConsulteeAction.RESPOND))
    key = f"round:{review_round.pk}:reminder:{threshold}"
    sent = _tell(kind, review_round, recipients, None, key=key)
    return sent + guests.remind(review_round, parties, GUEST_REMINDERS[threshold])
