"""A document's timeline: the whole chain, oldest first — versions, review rounds (opened, deadline
moved, closed, report), responses received, decisions and endorsements, sign-off requests,
signatures and the outcome of each sign-off.

Order: by the day, then by the time where there is one. A decision is known by its date only: it
stands after the timed events of its day, or, when it was recorded in Samverka on that same day,
where it was recorded (it was taken before that). It never stands before the version it is about,
nor a correction before the record it corrects, whatever the dates typed.

It costs the same seven queries (one per kind of record) however long the chain is. Who may read
it is decided by the caller (the document's readers: Action.VIEW_DOCUMENT).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consultations.guests import signed_name
from consultations.models import Decision, Response, ReviewRound, Signature, SignOff
from documents.models import Document, Version

# A decision is dated, not timed: its moment is noon, Swedish time, on its day (shown as the date).
STOCKHOLM = ZoneInfo("Europe/Stockholm")
DECISION_HOUR = time(12, 0)
END_OF_DAY = time.max

# Order of things that happen at the same moment: the version before the round on it, the last
# response before the close, the close before the report, the request before the signatures.
ORDER = [
    "version",
    "opened",
    "extended",
    "response",
    "closed",
    "report",
    "decision",
    "endorsement",
    "correction",
    "sign_off",
    "signature",
    "adopted",
    "rejected",
    "withdrawn",
]
RANK = {kind: rank for rank, kind in enumerate(ORDER)}
SEPARATOR = " · "
TEXT_SHOWN = 240  # characters of a decision's text on the timeline; the rest is on its page


@dataclass(frozen=True)
class Event:
    at: datetime  # aware
    kind: str  # one of ORDER
    title: str
    detail: str = ""
    url: str | None = None
    who: str = ""
    date_only: bool = False  # decisions are known by their date, not the hour
    placed_at: datetime | None = None  # where a date-only event stands in the order

    @property
    def order_at(self) -> datetime:
        return self.placed_at or self.at


@dataclass
class Month:
    first: date  # the first day of the month
    events: list[Event] = field(default_factory=list)


def build_timeline(document: Document) -> list[Event]:
    """Every event of the document's chain, oldest first (ties in the order of ORDER)."""
    events: list[Event] = []
    events += _versions(document)
    events += _rounds(document)
    events += _responses(document)
    events += _decisions(document)
    events += _sign_offs(document)
    return sorted(events, key=lambda e: (e.order_at, RANK[e.kind]))


def by_month(events: list[Event]) -> list[Month]:
    """The events under year-month headings (local time), in the order given: a decision that
    stands after its later version is under that version's month."""
    months: list[Month] = []
    for event in events:
        first = timezone.localtime(event.order_at).date().replace(day=1)
        if not months or months[-1].first != first:
            months.append(Month(first))
        months[-1].events.append(event)
    return months


def _name(user) -> str:
    return user.get_full_name() if user is not None else ""


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _day(day: date) -> str:
    return date_format(day, "DATE_FORMAT")


def _detail(*parts) -> str:
    return SEPARATOR.join(str(part) for part in parts if part)


def _url(obj) -> str | None:
    """The object's page, or None while that page does not exist (yet)."""
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return None


def _version_text(version: Version) -> str:
    return _("Version %(number)s (%(label)s)") % {"number": version.number, "label": version.label}


# ---------------------------------------------------------------------------------- versions


def _versions(document: Document) -> list[Event]:
    versions = Version.objects.filter(document=document).select_related(
        "created_by", "editorial_marked_by"
    )
    events = []
    for version in versions:
        editorial = ""
        if version.editorial:
            editorial = _("Editorial change only, as marked by %(name)s") % {
                "name": _name(version.editorial_marked_by) or _("the writing group")
            }
        events.append(
            Event(
                at=version.created_at,
                kind="version",
                title=_("Version %(number)s published: %(label)s")
                % {"number": version.number, "label": version.label},
                detail=_detail(editorial, Truncator(version.change_summary).chars(TEXT_SHOWN)),
                url=version.get_absolute_url(),
                who=_name(version.created_by),
            )
        )
    return events


# ------------------------------------------------------------------------------------ rounds


def _rounds(document: Document) -> list[Event]:
    rounds = list(ReviewRound.objects.filter(document=document).select_related("version", "chair"))
    # The history holds who moved each round, and every earlier deadline (one query for all).
    records = (
        ReviewRound.history.filter(document_id=document.pk)
        .select_related("history_user")
        .only(
            "id",
            "status",
            "closes_at",
            "history_date",
            "history_type",
            "history_user__full_name",
            "history_user__email",
        )
        .order_by("id", "history_date", "history_id")
    )
    moved: dict[tuple[int, str], object] = {}  # (round, status) → the record that moved it there
    extensions = []  # (earlier record, later record) where the deadline changed
    previous = None
    for record in records:
        if previous is not None and previous.id != record.id:
            previous = None  # the next round's records
        if previous is None or previous.status != record.status:
            moved.setdefault((record.id, record.status), record)
        if previous is not None and previous.closes_at != record.closes_at:
            extensions.append((previous, record))
        previous = record

    by_id = {r.pk: r for r in rounds}
    events = []
    for review_round in rounds:
        url = review_round.get_absolute_url()
        names = {"title": review_round.title}
        if review_round.opened_at:
            opening = moved.get((review_round.pk, ReviewRound.Status.OPEN))
            # The deadline as it was announced; later moves are events of their own.
            closes_at = opening.closes_at if opening else review_round.closes_at
            events.append(
                Event(
                    at=review_round.opened_at,
                    kind="opened",
                    title=_("Consultation round opened: %(title)s") % names,
                    detail=_detail(
                        _version_text(review_round.version),
                        _("deadline %(deadline)s") % {"deadline": _when(closes_at)},
                    ),
                    url=url,
                    who=_name(opening.history_user if opening else review_round.chair),
                )
            )
        if review_round.closed_at:
            closing = moved.get((review_round.pk, ReviewRound.Status.CLOSED))
            closer = closing.history_user if closing else None
            # Closed by nobody: the deadline scan closed it.
            automatic = closing is not None and closer is None
            events.append(
                Event(
                    at=review_round.closed_at,
                    kind="closed",
                    title=_("Consultation round closed: %(title)s") % names,
                    detail=_("Closed automatically at the deadline") if automatic else "",
                    url=url,
                    who=_name(closer),
                )
            )
        if review_round.reported_at:
            reporting = moved.get((review_round.pk, ReviewRound.Status.REPORTED))
            events.append(
                Event(
                    at=review_round.reported_at,
                    kind="report",
                    title=_("Consultation report published: %(title)s") % names,
                    url=reverse("consultations:report", args=[review_round.pk]),
                    who=_name(reporting.history_user if reporting else review_round.chair),
                )
            )
    for before, after in extensions:
        review_round = by_id.get(after.id)
        if review_round is None:
            continue
        later = after.closes_at > before.closes_at
        title = (
            _("Deadline extended: %(title)s") if later else _("Deadline changed: %(title)s")
        ) % {"title": review_round.title}
        events.append(
            Event(
                at=after.history_date,
                kind="extended",
                title=title,
                detail=_("from %(before)s to %(after)s")
                % {"before": _when(before.closes_at), "after": _when(after.closes_at)},
                url=review_round.get_absolute_url(),
                who=_name(after.history_user),
            )
        )
    return events


# --------------------------------------------------------------------------------- responses


def _responses(document: Document) -> list[Event]:
    responses = (
        Response.objects.filter(
            consultee__round__document=document,
            state=Response.State.SUBMITTED,
            submitted_at__isnull=False,
        )
        .select_related(
            "consultee__round",
            "consultee__network",
            "consultee__organisation",
            "consultee__person",
            "approved_by__guest",
            "entered_by",
        )
        .defer("answers", "summary")
    )
    events = []
    for response in responses:
        review_round = response.consultee.round
        received = ""
        if response.received_via != Response.Via.WEB:
            received = _("%(via)s, received %(date)s") % {
                "via": response.get_received_via_display(),
                "date": _when(response.received_at or response.submitted_at),
            }
        events.append(
            Event(
                at=response.submitted_at,
                kind="response",
                title=_("Response from %(party)s") % {"party": response.consultee.party},
                detail=_detail(response.get_position_display(), review_round.title, received),
                url=review_round.get_absolute_url(),
                who=signed_name(response.approved_by) or _name(response.entered_by),
            )
        )
    return events


# --------------------------------------------------------------------------------- decisions

DECISION_TITLES = {
    # "ställer sig bakom förslaget": the body endorses the proposal
    Decision.Kind.ENDORSEMENT: lambda: _("%(body)s endorses the proposal"),
    Decision.Kind.VIEWS: lambda: _("%(body)s gives its views"),
    Decision.Kind.RETURNED: lambda: _("%(body)s returns the proposal for revision"),
    Decision.Kind.ADOPTED: lambda: _("%(body)s adopts the proposal"),
}


def decided_at(day: date) -> datetime:
    """The moment of a decision of that day: noon in Stockholm (it is shown as the date)."""
    return datetime.combine(day, DECISION_HOUR, tzinfo=STOCKHOLM)


def placed_at(decision: Decision, corrected: datetime | None = None) -> datetime:
    """Where a decision stands among the timed events: at the end of its day, or where it was
    recorded if that was on the same day; never before its version, nor before the record it
    corrects (`corrected`: where that one stands)."""
    end_of_day = datetime.combine(decision.decided_on, END_OF_DAY, tzinfo=STOCKHOLM)
    moment = min(decision.recorded_at, end_of_day)
    return max(moment, decision.version.created_at, corrected or moment)


def _decisions(document: Document) -> list[Event]:
    # Oldest record first: a correction comes after the record it corrects.
    decisions = list(
        Decision.objects.filter(document=document)
        .select_related("version", "body_network", "recorded_by", "corrects")
        .order_by("recorded_at", "pk")
    )
    corrected_by: dict[int, Decision] = {}
    placed: dict[int, datetime] = {}
    for decision in decisions:
        if decision.corrects_id:
            corrected_by.setdefault(decision.corrects_id, decision)
        placed[decision.pk] = placed_at(decision, placed.get(decision.corrects_id))
    events = []
    for decision in decisions:
        title = DECISION_TITLES[decision.kind]() % {"body": decision.body}
        kind = "endorsement" if decision.kind == Decision.Kind.ENDORSEMENT else "decision"
        correction = later = ""
        if decision.corrects_id:
            kind = "correction"
            title = _("Correction: %(title)s") % {"title": title}
            correction = _("corrects the record of %(date)s") % {
                "date": _day(decision.corrects.decided_on)
            }
        if decision.pk in corrected_by:
            later = _("corrected by the record of %(date)s") % {
                "date": _day(corrected_by[decision.pk].decided_on)
            }
        minutes = ""
        if decision.minutes_reference:
            minutes = _("minutes %(reference)s") % {"reference": decision.minutes_reference}
        events.append(
            Event(
                at=decided_at(decision.decided_on),
                kind=kind,
                title=title,
                detail=_detail(
                    _version_text(decision.version),
                    minutes,
                    correction,
                    later,
                    Truncator(decision.text).chars(TEXT_SHOWN),
                ),
                url=decision.version.get_absolute_url(),
                who=_name(decision.recorded_by),
                date_only=True,
                placed_at=placed[decision.pk],
            )
        )
    return events


# ---------------------------------------------------------------------------------- sign-off


def _rule_text(sign_off: SignOff) -> str:
    count = sign_off.signatory_count
    if sign_off.rule == SignOff.Rule.ALL:
        return ngettext(
            "%(count)s signatory, who must approve",
            "%(count)s signatories, all must approve",
            count,
        ) % {"count": count}
    return ngettext(
        "%(required)s of %(count)s signatory must approve",
        "%(required)s of %(count)s signatories must approve",
        count,
    ) % {"required": sign_off.required, "count": count}


def _sign_offs(document: Document) -> list[Event]:
    sign_offs = list(
        SignOff.objects.filter(document=document)
        .select_related("version", "requested_by")
        .annotate(signatory_count=Count("signatories"))
    )
    signatures = list(
        Signature.objects.filter(sign_off__document=document).select_related(
            "signer", "sign_off__version"
        )
    )
    refused_by: dict[int, object] = {}
    events = []
    for signature in signatures:
        version = signature.sign_off.version
        approved = signature.verdict == Signature.Verdict.APPROVE
        if not approved:
            refused_by.setdefault(signature.sign_off_id, signature.signer)
        names = {"name": _name(signature.signer), "number": version.number}
        events.append(
            Event(
                at=signature.signed_at,
                kind="signature",
                title=(
                    _("%(name)s approved version %(number)s")
                    if approved
                    else _("%(name)s refused to sign version %(number)s")
                )
                % names,
                detail="" if approved else Truncator(signature.reason).chars(TEXT_SHOWN),
                url=_url(signature.sign_off),
                who=_name(signature.signer),
            )
        )
    for sign_off in sign_offs:
        url = _url(sign_off)
        number = {"number": sign_off.version.number}
        events.append(
            Event(
                at=sign_off.requested_at,
                kind="sign_off",
                title=_("Sign-off requested for version %(number)s") % number,
                detail=_detail(_version_text(sign_off.version), _rule_text(sign_off)),
                url=url,
                who=_name(sign_off.requested_by),
            )
        )
        if not sign_off.completed_at:
            continue
        if sign_off.status == SignOff.Status.APPROVED:
            kind, title, who = "adopted", _("Version %(number)s adopted") % number, ""
        elif sign_off.status == SignOff.Status.REJECTED:
            kind = "rejected"
            title = _("Sign-off of version %(number)s refused: back to revising") % number
            who = _name(refused_by.get(sign_off.pk))
        elif sign_off.status == SignOff.Status.WITHDRAWN:
            kind, title, who = (
                "withdrawn",
                _("Sign-off of version %(number)s withdrawn") % number,
                "",
            )
        else:
            continue
        events.append(Event(at=sign_off.completed_at, kind=kind, title=title, url=url, who=who))
    return events
