"""Reads for the round pages. The round page costs a fixed number of queries, however many
comments, replies and dispositions it has."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from consultations import anchoring
from consultations.models import (
    CarriedComment,
    Comment,
    Consultee,
    Decision,
    Disposition,
    GuestPass,
    ReviewRound,
    Signature,
)
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


def consultees_of(review_round: ReviewRound) -> list[Consultee]:
    parties = review_round.consultees.select_related(
        "network", "organisation", "person", "response"
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
