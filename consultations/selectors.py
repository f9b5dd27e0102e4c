"""Reads for the round pages. The round page costs a fixed number of queries, however many
comments, replies and dispositions it has."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from consultations import anchoring
from consultations.models import (
    CarriedComment,
    Comment,
    Consultee,
    Decision,
    Disposition,
    GuestLink,
    GuestPass,
    ReviewRound,
    Signature,
)
from consultations.policies import rounds as round_policy
from consultations.policies.actions import RoundAction
from documents.markdown import render_markdown
from documents.models import Version, VersionSection
from documents.selectors import RenderedSection, version_sections
from networks import registry
from networks.errors import NotFound
from networks.selectors import as_id

REPLIES_SHOWN = 5  # longer threads show the latest replies and load the rest on request


def get_decision(document, pk) -> Decision:
    """A decision recorded on this document (e.g. the one a new decision corrects)."""
    decision = document.decisions.filter(pk=as_id(pk)).first()
    if decision is None:
        raise NotFound()
    return decision


def list_signatures_of(user, limit: int = 10) -> list[Signature]:
    """The person's own signatures, newest first: what they signed, and when (their record,
    shown only to themselves)."""
    return list(
        Signature.objects.filter(signer=user)
        .select_related("sign_off__document", "sign_off__version")
        .order_by("-signed_at", "-pk")[:limit]
    )


def get_round_for_user(user, pk) -> ReviewRound:
    review_round = (
        ReviewRound.objects.select_related("document__network__parent", "version", "chair")
        .filter(pk=as_id(pk))
        .first()
    )
    if review_round is None or RoundAction.VIEW not in registry.actions(user, review_round):
        raise NotFound()
    return review_round


def get_consultee(review_round: ReviewRound, pk) -> Consultee:
    consultee = (
        Consultee.objects.select_related("network", "organisation", "person")
        .filter(round=review_round, pk=as_id(pk))
        .first()
    )
    if consultee is None:
        raise NotFound()
    consultee.round = review_round
    return consultee


def guest_pass_of(consultee: Consultee) -> GuestPass | None:
    """The party's guest pass (its address, whether it is withdrawn), if a link was ever sent."""
    return GuestPass.objects.filter(consultee=consultee).first()


def get_comment(review_round: ReviewRound, pk) -> Comment:
    comment = (
        Comment.objects.filter(round=review_round, pk=as_id(pk))
        .select_related("author__guest")
        .first()
    )
    if comment is None:
        raise NotFound()
    comment.round = review_round
    return comment


def _count_of(queryset) -> Coalesce:
    """The number of rows of `queryset` (filtered on OuterRef("pk")), as a subquery."""
    counted = queryset.order_by().values("round_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def list_rounds(document) -> list[ReviewRound]:
    """The document's rounds with their numbers of comments (threads) and parties, each counted
    in its own subquery on an index: joining both would multiply a round's comments by its
    parties (30,000 rows for a round of 3,000 comments) before counting them."""
    return list(
        document.rounds.select_related("version", "chair").annotate(
            comment_count=_count_of(
                Comment.objects.filter(round_id=OuterRef("pk"), parent__isnull=True)
            ),
            consultee_count=_count_of(Consultee.objects.filter(round_id=OuterRef("pk"))),
        )
    )


PASS_SENT_AT = "guest_pass_sent_at_"  # with_reach: when the party's latest link went out


def consultees_of(review_round: ReviewRound, *, with_reach: bool = False) -> list[Consultee]:
    """The round's parties in the order the pages list them. `with_reach`: in the same query,
    how the round reaches each (consultations.guests.reach reads it): whether people with an
    account speak for it (the rounds' policy's rule), and its guest pass with the time its
    latest link went out."""
    parties = review_round.consultees.select_related(
        "network", "organisation", "person", "response"
    )
    if with_reach:
        sent = GuestLink.objects.filter(guest_pass__consultee=OuterRef("pk"), sent_at__isnull=False)
        parties = parties.select_related("guest_pass").annotate(
            **{round_policy.REACHED: round_policy.reaching_people(review_round)},
            **{PASS_SENT_AT: Subquery(sent.order_by("-sent_at").values("sent_at")[:1])},
        )
    consultees = list(
        parties.order_by(
            "organisation__name", "network__name", "person__full_name", "outside_name", "pk"
        )
    )
    for consultee in consultees:
        consultee.round = review_round
    return consultees


@dataclass
class Thread:
    comment: Comment
    replies: list[Comment]
    hidden_replies: int = 0
    actor: str = ""  # who changed the thread last (the round page's live list)


@dataclass
class SectionWithComments:
    section: RenderedSection
    threads: list[Thread] = field(default_factory=list)


@dataclass
class RoundPage:
    sections: list[SectionWithComments]
    general: list[Thread]
    total: int
    answered: int
    uncommented_sections: list[RenderedSection]
    unanswered: list[Comment]


def round_page(review_round: ReviewRound) -> RoundPage:
    """The version's sections with their threads, whole-document threads, and coverage."""
    rendered, _lix = version_sections(review_round.version)
    comments = list(
        Comment.objects.filter(round=review_round)
        .select_related(
            "author__guest", "on_behalf_of", "disposition__decided_by", "disposition__applied_in"
        )
        .order_by("created_at", "id")
    )
    replies: dict[int, list[Comment]] = {}
    top = []
    for comment in comments:
        if comment.parent_id:
            replies.setdefault(comment.parent_id, []).append(comment)
        else:
            top.append(comment)
    in_their_threads(review_round, top, replies)
    threads: dict[str, list[Thread]] = {}
    for comment in top:
        thread_replies = replies.get(comment.pk, [])
        hidden = max(0, len(thread_replies) - REPLIES_SHOWN)
        thread = Thread(comment, thread_replies[hidden:], hidden)
        threads.setdefault(comment.section_key, []).append(thread)
    sections = [SectionWithComments(s, threads.get(s.key, [])) for s in rendered]
    live_top = [c for c in top if not c.is_deleted]
    answered = [c for c in live_top if _has_disposition(c)]
    return RoundPage(
        sections=sections,
        general=threads.get("", []),
        total=len(live_top),
        answered=len(answered),
        uncommented_sections=[s.section for s in sections if not s.threads],
        unanswered=[c for c in live_top if not _has_disposition(c)],
    )


# The round page opens with the threads a person is likely to read, a bounded number however
# many comments the round has; the rest of a section comes on request ("Visa alla", `?avsnitt=`
# or the section's fragment).
RECENT_SHOWN = 5  # the round's most recent threads (by their latest comment or reply)
OWN_SHOWN = 5  # and at most so many more that the person took part in (wrote or replied to)
WHOLE_DOCUMENT = "-"  # the key that stands for the comments on the whole document in links


@dataclass
class SectionThreads:
    """One section (or the whole document: `section` None) of the round page: the threads it
    shows, how many it has, and each quoting thread's id and quote (its passages' counts)."""

    section: RenderedSection | None
    threads: list[Thread]
    count: int
    quotes: list[tuple[int, anchoring.Anchor]]
    complete: bool

    @property
    def key(self) -> str:
        return self.section.key if self.section is not None else ""

    @property
    def link_key(self) -> str:
        return self.key or WHOLE_DOCUMENT


@dataclass
class LightPage:
    """The round page as it opens (see RECENT_SHOWN): the text, every section's count, and the
    threads likely to be read. `section_of`: each thread's section key, for links to a thread
    that is not shown (`href_of`)."""

    general: SectionThreads
    sections: list[SectionThreads]
    total: int
    answered: int
    unanswered: int
    uncommented_sections: list[RenderedSection]
    first_unanswered: int | None
    section_of: dict[int, str]
    shown: set[int]

    def href_of(self, thread_id: int | None, base: str = "") -> str:
        """Where the thread `thread_id` is: on this page, or its section shown in full."""
        if thread_id is None:
            return ""
        if thread_id in self.shown:
            return f"#thread-{thread_id}"
        key = self.section_of.get(thread_id, "") or WHOLE_DOCUMENT
        return f"{base}?avsnitt={key}#thread-{thread_id}"


# What the round page never reads of the people it names (authors, who answered): left in the
# database rather than read and converted for every comment shown.
UNREAD_PERSON_FIELDS = (
    *(
        f"{person}__{name}"
        for person in ("author", "disposition__decided_by")
        for name in ("password", "last_login", "date_joined")
    ),
    "author__guest__verified_at",
)


def light_round_page(
    review_round: ReviewRound,
    user,
    *,
    full: str | None = None,
    only: str | None = None,
    also: tuple[int, ...] = (),
) -> LightPage:
    """The round page's sections with the threads it shows: the round's RECENT_SHOWN most
    recent and up to OWN_SHOWN more that `user` took part in, each in its section, plus `also`
    (a thread a form was sent back to, or just answered); every thread of the section `full`
    ("" for the whole document). `only`: the threads of that section alone (its fragment).
    Four queries, whatever the number of comments: the sections, a row per thread, and the
    shown threads."""
    rendered, _lix = version_sections(review_round.version)
    user_id = getattr(user, "pk", None)
    took_part = Exists(Comment.objects.filter(parent_id=OuterRef("pk"), author_id=user_id or 0))
    last_reply = Comment.objects.filter(parent_id=OuterRef("pk")).order_by("-created_at")
    latest = Coalesce(Subquery(last_reply.values("created_at")[:1]), F("created_at"))
    # A row per thread, in the order they were written, with no timestamps (reading a few
    # hundred of them costs more than the rest of the row): how recent each thread is comes as
    # its rank, 1 for the thread with the latest comment or reply.
    rows = list(
        Comment.objects.filter(round=review_round, parent__isnull=True)
        .annotate(
            recency=Window(RowNumber(), order_by=[latest.desc(), F("pk").desc()]),
            replied=took_part,
            answered=Exists(Disposition.objects.filter(comment_id=OuterRef("pk"))),
            removed=ExpressionWrapper(Q(deleted_at__isnull=False), output_field=BooleanField()),
        )
        .values_list(
            "pk",
            "section_key",
            "author_id",
            "recency",
            "replied",
            "answered",
            "removed",
            "quote_exact",
            "quote_prefix",
            "quote_suffix",
        )
        .order_by("created_at", "id")
    )
    by_section: dict[str, list] = {}
    for row in rows:
        by_section.setdefault(row[1], []).append(row)
    keys = [""] + [s.key for s in rendered]
    wanted: set[int] = set(also)
    whole = only if only is not None else full
    if whole is not None:
        wanted |= {r[0] for r in by_section.get(whole, [])}
    if only is None:
        recent = sorted(rows, key=lambda r: r[3])
        wanted |= {r[0] for r in recent[:RECENT_SHOWN]}
        own = [r for r in recent[RECENT_SHOWN:] if user_id and (r[2] == user_id or r[4])]
        wanted |= {r[0] for r in own[:OWN_SHOWN]}
    comments = (
        list(
            Comment.objects.filter(round=review_round)
            .filter(Q(pk__in=wanted) | Q(parent_id__in=wanted))
            .select_related(
                "author__guest",
                "on_behalf_of",
                "disposition__decided_by",
                "disposition__applied_in",
            )
            .defer(*UNREAD_PERSON_FIELDS)
            .order_by("created_at", "id")
        )
        if wanted
        else []
    )
    replies: dict[int, list[Comment]] = {}
    top: dict[int, Comment] = {}
    for comment in comments:
        if comment.parent_id:
            replies.setdefault(comment.parent_id, []).append(comment)
        else:
            top[comment.pk] = comment
    in_their_threads(review_round, list(top.values()), replies)

    def part(section, key) -> SectionThreads:
        section_rows = by_section.get(key, [])
        shown = []
        for row in section_rows:
            comment = top.get(row[0])
            if comment is None:
                continue
            thread_replies = replies.get(comment.pk, [])
            hidden = max(0, len(thread_replies) - REPLIES_SHOWN)
            shown.append(Thread(comment, thread_replies[hidden:], hidden))
        quotes = [
            (r[0], anchoring.Anchor(r[7], r[8], r[9])) for r in section_rows if r[7] and not r[6]
        ]
        return SectionThreads(
            section, shown, len(section_rows), quotes, len(shown) == len(section_rows)
        )

    sections = [part(s, s.key) for s in rendered]
    live = [r for r in rows if not r[6]]
    positions = {key: n for n, key in enumerate(keys)}
    # The first in the text's order of those not answered, the earliest first within a section
    # (`live` is in the order they were written).
    waiting = [r for r in live if not r[5] and r[1] in positions]
    first = min(waiting, key=lambda r: positions[r[1]], default=None)
    return LightPage(
        general=part(None, ""),
        sections=sections,
        total=len(live),
        answered=sum(1 for r in live if r[5]),
        unanswered=sum(1 for r in live if not r[5]),
        uncommented_sections=[s for s in rendered if not by_section.get(s.key)],
        first_unanswered=first[0] if first is not None else None,
        section_of={r[0]: r[1] for r in rows},
        shown=set(top),
    )


def section_counts(review_round: ReviewRound, keys) -> dict[str, int]:
    """The number of threads of each of these sections (the live page's counts)."""
    counts = dict(
        Comment.objects.filter(round=review_round, parent__isnull=True, section_key__in=keys)
        .values("section_key")
        .annotate(n=Count("id"))
        .values_list("section_key", "n")
    )
    return {key: counts.get(key, 0) for key in keys}


def in_their_threads(
    review_round: ReviewRound, top: list[Comment], replies: dict[int, list[Comment]]
) -> None:
    """Each comment knows its round and each reply its thread's first comment, without a query
    (the comments' policy reads them: consultations/policies/threads.py)."""
    for comment in top:
        comment.round = review_round
        for reply in replies.get(comment.pk, []):
            reply.round, reply.parent = review_round, comment


def _has_disposition(comment: Comment) -> bool:
    try:
        return comment.disposition is not None
    except Disposition.DoesNotExist:
        return False


def thread_replies(review_round: ReviewRound, comment: Comment) -> list[Comment]:
    replies = list(
        Comment.objects.filter(round=review_round, parent=comment)
        .select_related("author__guest", "on_behalf_of")
        .order_by("created_at", "id")
    )
    in_their_threads(review_round, [comment], {comment.pk: replies})
    return replies


def events_after(review_round: ReviewRound, sequence: int, limit: int = 200):
    """What changed on the round page after `sequence`: the threads to show again (in full, as
    on the page) and the comments that are gone."""
    events = list(review_round.events.filter(sequence__gt=sequence).order_by("sequence")[:limit])
    last = events[-1].sequence if events else sequence
    ids = {e.subject_id for e in events if e.subject_id}
    touched = list(Comment.objects.filter(round=review_round, pk__in=ids).only("pk", "parent_id"))
    roots = {c.parent_id or c.pk for c in touched}
    removed = sorted(ids - {c.pk for c in touched})
    comments = list(
        Comment.objects.filter(round=review_round)
        .filter(Q(pk__in=roots) | Q(parent_id__in=roots))
        .select_related(
            "author__guest", "on_behalf_of", "disposition__decided_by", "disposition__applied_in"
        )
        .order_by("created_at", "id")
    )
    by_id = {c.pk: c for c in comments}
    threads = []
    for root in [c for c in comments if c.pk in roots]:
        replies = [c for c in comments if c.parent_id == root.pk]
        in_their_threads(review_round, [root], {root.pk: replies})
        hidden = max(0, len(replies) - REPLIES_SHOWN)
        thread = Thread(root, replies[hidden:], hidden)
        thread.actor = _latest_actor(events, root, by_id)
        threads.append(thread)
    return last, threads, removed


def _latest_actor(events, root: Comment, by_id: dict) -> str:
    """Who made the latest change to a thread: the replier, the editor, or whoever answered."""
    for event in reversed(events):
        comment = by_id.get(event.subject_id)
        if comment is None or (comment.pk != root.pk and comment.parent_id != root.pk):
            continue
        if event.kind == "disposition" and comment.disposition_or_none:
            return comment.disposition.decided_by.get_full_name()
        return comment.author.get_full_name()
    return root.author.get_full_name()


# --- What happened to my comments ---------------------------------------------------------------

MY_COMMENTS_SHOWN = 200


@dataclass
class Standing:
    """Where a comment's passage or section stands in the latest published version."""

    version: Version  # the latest published version of the document
    state: str  # "current" (no newer version), or a CarriedComment state
    passage: str = ""  # a passage comment: the passage as it reads now (when it is still there)
    before: str = ""  # and the words around it now (an applied addition may follow it)
    after: str = ""
    old_wording: str = ""  # a passage comment whose passage changed: what it said, and now says
    new_wording: str = ""
    section_heading: str = ""  # a section comment: its section as it reads now
    section_html: str = ""


def list_my_comments(user) -> list[Comment]:
    """A person's comments, newest first, each with its answer (`disposition_or_none`), the
    replies in its thread (`reply_list`) and where its passage stands in the latest published
    version (`standing`). Five queries, however many comments, documents and versions."""
    comments: list[Comment] = list(
        Comment.objects.filter(author=user, parent__isnull=True, deleted_at__isnull=True)
        .select_related(
            "round__document", "version", "disposition__applied_in", "disposition__decided_by"
        )
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=Comment.objects.filter(deleted_at__isnull=True)
                .select_related("author__guest", "on_behalf_of")
                .order_by("created_at", "id"),
                to_attr="reply_list",
            )
        )
        .order_by("-created_at", "-id")[:MY_COMMENTS_SHOWN]
    )
    if not comments:
        return comments
    latest: dict[int, Version] = {}
    for version in Version.objects.filter(
        document_id__in={c.round.document_id for c in comments}
    ).only("id", "document_id", "number", "label"):
        if version.document_id not in latest or version.number > latest[version.document_id].number:
            latest[version.document_id] = version
    later = [c for c in comments if latest[c.round.document_id].pk != c.version_id]
    carried = {
        (c.comment_id, c.version_id): c
        for c in CarriedComment.objects.filter(
            comment__in=[c.pk for c in later],
            version__in=[latest[c.round.document_id].pk for c in later],
        )
    }
    keys = {c.section_key for c in later if c.section_key}
    texts = {
        (s.version_id, s.key): s
        for s in VersionSection.objects.filter(
            version_id__in={c.version_id for c in later}
            | {latest[c.round.document_id].pk for c in later},
            key__in=keys,
        )
    }
    for comment in comments:
        # an attribute for the page, not a field
        comment.standing = _standing(  # type: ignore[attr-defined]
            comment, latest[comment.round.document_id], carried, texts
        )
    return comments


def _standing(comment: Comment, version: Version, carried: dict, texts: dict) -> Standing:
    if version.pk == comment.version_id:
        return Standing(version, "current")
    new = texts.get((version.pk, comment.section_key)) if comment.section_key else None
    stored = carried.get((comment.pk, version.pk))
    if stored is not None:
        result = anchoring.Carried(
            stored.state,
            anchoring.Anchor(stored.quote_exact, stored.quote_prefix, stored.quote_suffix)
            if stored.quote_exact
            else None,
            stored.old_wording,
            stored.new_wording,
        )
    else:  # answered before that version was published: followed now, the same way
        old = texts.get((comment.version_id, comment.section_key)) if comment.section_key else None
        anchor = (
            anchoring.Anchor(comment.quote_exact, comment.quote_prefix, comment.quote_suffix)
            if comment.quote_exact
            else None
        )
        result = anchoring.carry_comment(
            anchor=anchor,
            old_section=anchoring.plain(old.body) if old is not None else None,
            new_section=anchoring.plain(new.body) if new is not None else None,
        )
    standing = Standing(version, result.state)
    if comment.quote_exact:
        if result.state == anchoring.ANCHORED:
            anchor = result.anchor or anchoring.Anchor(comment.quote_exact)
            standing.passage, standing.before, standing.after = (
                anchor.exact,
                anchor.prefix,
                anchor.suffix,
            )
        elif result.state == anchoring.TEXT_CHANGED:
            standing.old_wording, standing.new_wording = result.old_wording, result.new_wording
    elif new is not None:
        standing.section_heading, standing.section_html = new.heading, render_markdown(new.body)
    return standing
