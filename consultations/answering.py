"""The writing group's answering of a closed round's comments: the comments in the order the
document reads (the whole document first, then section by section, each in the order written),
a filter by section, outcome and party, the next comment that waits for an answer, and how many
are answered. Reads only; what may be answered is the comments' policy's
(consultations/policies/threads.py), and the answer itself a service
(consultations/services/dispositions.py)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from consultations import selectors
from consultations.models import Comment, Disposition, ReviewRound
from consultations.selectors import REPLIES_SHOWN, RoundPage, Thread

UNANSWERED = "unanswered"
GENERAL = "-"  # the section filter's value for comments on the whole document


@dataclass(frozen=True)
class Filter:
    """What the writer asked to see (GET parameters of the answering page; empty: everything)."""

    section: str = ""  # a section key, or GENERAL
    outcome: str = ""  # UNANSWERED, or a Disposition.Outcome
    party: str = ""  # "org-<pk>" (written for an organisation) or "person-<pk>" (for oneself)

    @classmethod
    def from_query(cls, data, prefix: str = "") -> Filter:
        """From the page's query, or (`prefix` "filter_") from an answer form sent from it."""
        outcome = data.get(prefix + "outcome", "")
        if outcome not in {UNANSWERED, *Disposition.Outcome.values}:
            outcome = ""
        return cls(
            section=str(data.get(prefix + "section", ""))[:24],
            outcome=outcome,
            party=str(data.get(prefix + "party", ""))[:32],
        )

    @property
    def active(self) -> bool:
        return bool(self.section or self.outcome or self.party)

    def query(self) -> str:
        """The filter as a query string ("" when it shows everything)."""
        pairs = [(k, v) for k, v in vars(self).items() if v]
        return urlencode(pairs)

    def keeps(self, comment: Comment) -> bool:
        if self.section and (comment.section_key or GENERAL) != self.section:
            return False
        if self.party and party_of(comment)[0] != self.party:
            return False
        if self.outcome:
            disposition = comment.disposition_or_none
            if self.outcome == UNANSWERED:
                return disposition is None
            return disposition is not None and disposition.outcome == self.outcome
        return True

    def keeps_place(self, comment: Comment) -> bool:
        """Where the next unanswered comment is looked for: the same section and party."""
        return Filter(self.section, "", self.party).keeps(comment)


def party_of(comment: Comment) -> tuple[str, str]:
    """Who a comment speaks for: the organisation it was written for, or its author."""
    if comment.on_behalf_of is not None:
        return f"org-{comment.on_behalf_of_id}", comment.on_behalf_of.name
    return f"person-{comment.author_id}", comment.author.get_full_name()


@dataclass
class Group:
    key: str  # the section's key ("" for the whole document)
    heading: str
    threads: list[Thread]


@dataclass
class Answering:
    """The answering page: the threads the filter keeps, grouped as the document reads, and
    what the filter offers."""

    groups: list[Group]
    shown: int
    sections: list[tuple[str, str]]  # (value, heading) for the section filter
    parties: list[tuple[str, str]]  # (value, name) for the party filter
    next_unanswered: Comment | None


def answering(page: RoundPage, chosen: Filter) -> Answering:
    """The threads of `selectors.round_page` that `chosen` keeps (no query: the page has them)."""
    everything = [("", str(_("The whole document")), page.general)] + [
        (s.section.key, s.section.heading, s.threads) for s in page.sections
    ]
    groups, parties = [], {}
    for key, heading, threads in everything:
        for t in threads:
            if not t.comment.is_deleted:
                value, name = party_of(t.comment)
                parties[value] = name
        kept = [t for t in threads if not t.comment.is_deleted and chosen.keeps(t.comment)]
        if kept:
            groups.append(Group(key, heading, kept))
    in_order = [t.comment for _key, _heading, threads in everything for t in threads]
    return Answering(
        groups=groups,
        shown=sum(len(g.threads) for g in groups),
        sections=[(key or GENERAL, heading) for key, heading, _threads in everything],
        parties=sorted(parties.items(), key=lambda p: p[1].casefold()),
        next_unanswered=_next(in_order, None, chosen),
    )


def first_unanswered(page: RoundPage) -> Comment | None:
    """The first comment that waits for an answer, as the document reads."""
    in_order = [t.comment for t in page.general] + [
        t.comment for s in page.sections for t in s.threads
    ]
    return _next(in_order, None, Filter())


@dataclass(frozen=True)
class Progress:
    total: int
    answered: int
    next_unanswered: Comment | None  # after the one answered
    first_unanswered: Comment | None  # from the start (the page's own link)


def progress(review_round: ReviewRound, *, after: Comment, chosen: Filter) -> Progress:
    """After `after` was answered: how many are, and the next that waits (after it in the
    document, else from the start), in the place `chosen` looks (its section and party). Two
    queries, whatever the number of comments."""
    positions = dict(review_round.version.sections.values_list("key", "position"))
    comments = list(
        Comment.objects.filter(round=review_round, parent__isnull=True, deleted_at__isnull=True)
        .select_related("on_behalf_of", "author", "disposition")
        .order_by("created_at", "id")
    )
    known = [c for c in comments if not c.section_key or c.section_key in positions]
    # The whole document first (position -1), then the sections in order (as the page shows).
    known.sort(key=lambda c: positions.get(c.section_key, -1) if c.section_key else -1)
    answered = sum(1 for c in known if c.disposition_or_none is not None)
    return Progress(
        len(known), answered, _next(known, after.pk, chosen), _next(known, None, chosen)
    )


def _next(in_order: list[Comment], after_pk: int | None, chosen: Filter) -> Comment | None:
    waiting = [
        c
        for c in in_order
        if not c.is_deleted and c.disposition_or_none is None and chosen.keeps_place(c)
    ]
    place = {c.pk: n for n, c in enumerate(in_order)}
    if after_pk in place:
        here = place[after_pk]
        later = [c for c in waiting if place[c.pk] > here]
        waiting = later + [c for c in waiting if place[c.pk] < here]
    return waiting[0] if waiting else None


def one_thread(review_round: ReviewRound, comment_pk: int) -> Thread:
    """One thread as the round page shows it (its latest replies), for a page of its own or
    its place on a page (one query)."""
    comments = list(
        Comment.objects.filter(round=review_round)
        .filter(Q(pk=comment_pk) | Q(parent_id=comment_pk))
        .select_related(
            "author", "on_behalf_of", "disposition__decided_by", "disposition__applied_in"
        )
        .order_by("created_at", "id")
    )
    root = next(c for c in comments if c.pk == comment_pk)
    replies = [c for c in comments if c.parent_id == comment_pk]
    selectors.in_their_threads(review_round, [root], {root.pk: replies})
    hidden = max(0, len(replies) - REPLIES_SHOWN)
    return Thread(root, replies[hidden:], hidden)
