"""Comments in a round: who may reply, change their own, answer one or apply a proposal, in every
stage of the round and every state of the comment (consultations/policies/threads.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.models import Comment, Consultee, Disposition, ReviewRound
from consultations.policies.actions import CommentAction
from documents import services as document_services
from documents.models import Document
from networks import registry
from networks.models import Network, Role
from tests.factories import (
    DocumentFactory,
    MembershipFactory,
    NetworkFactory,
    SectionFactory,
)
from tests.policies.table import check, fresh

MODELS = ["consultations.Comment"]

# The comment is the author's (a member of the working group); a reply is the author's too. The
# writing group's writer answers; the chair of the working group chairs the round.
NOBODY_YET = """
  author                          view_round
  another commenter               view_round
  writer in the writing group     view_round
  chair                           view_round
  observer                        view_round
  member of a consulted network   -
  outsider                        -
"""
READ_ONLY = """
  author                          view_round
  another commenter               view_round
  writer in the writing group     view_round
  chair                           view_round
  observer                        view_round
  member of a consulted network   view_round
  outsider                        -
"""
OPEN_LIVE = """
  author                          view_round reply edit_comment
  another commenter               view_round reply
  writer in the writing group     view_round reply
  chair                           view_round reply
  observer                        view_round
  member of a consulted network   view_round reply
  outsider                        -
"""
# Answered while open cannot happen (answers come after closing): if it did, the author would
# no longer change the text the answer is about.
OPEN_ANSWERED = """
  author                          view_round reply
  another commenter               view_round reply
  writer in the writing group     view_round reply
  chair                           view_round reply
  observer                        view_round
  member of a consulted network   view_round reply
  outsider                        -
"""
# A reply whose thread's first comment was removed: no more replies in it; its author may still
# change or remove their own reply.
OPEN_REPLY_IN_REMOVED_THREAD = """
  author                          view_round edit_comment
  another commenter               view_round
  writer in the writing group     view_round
  chair                           view_round
  observer                        view_round
  member of a consulted network   view_round
  outsider                        -
"""
CLOSED_ANSWERABLE = """
  author                          view_round
  another commenter               view_round
  writer in the writing group     view_round answer_comment
  chair                           view_round answer_comment
  observer                        view_round
  member of a consulted network   view_round
  outsider                        -
"""
CLOSED_APPLICABLE = """
  author                          view_round
  another commenter               view_round
  writer in the writing group     view_round answer_comment apply_proposal
  chair                           view_round answer_comment apply_proposal
  observer                        view_round
  member of a consulted network   view_round
  outsider                        -
"""

COMMENT_STATES = [
    "live",
    "removed",
    "answered",
    "proposal",
    "proposal answered partly accepted",
    "proposal answered rejected",
    "proposal applied to the draft",
    "proposal, the draft locked",
    "reply",
    "reply in a removed thread",
]
EXPECTED = {
    "open": {
        "live": OPEN_LIVE,
        "removed": READ_ONLY,
        "answered": OPEN_ANSWERED,
        "proposal": OPEN_LIVE,
        "proposal answered partly accepted": OPEN_ANSWERED,
        "proposal answered rejected": OPEN_ANSWERED,
        "proposal applied to the draft": OPEN_ANSWERED,
        "proposal, the draft locked": OPEN_LIVE,
        "reply": OPEN_LIVE,
        "reply in a removed thread": OPEN_REPLY_IN_REMOVED_THREAD,
    },
    "closed": {
        "live": CLOSED_ANSWERABLE,
        "removed": READ_ONLY,
        "answered": CLOSED_ANSWERABLE,  # the answer may be changed until the report
        "proposal": CLOSED_APPLICABLE,
        "proposal answered partly accepted": CLOSED_APPLICABLE,
        "proposal answered rejected": CLOSED_ANSWERABLE,
        "proposal applied to the draft": CLOSED_ANSWERABLE,
        "proposal, the draft locked": CLOSED_ANSWERABLE,
        "reply": READ_ONLY,  # replies are not answered one by one
        "reply in a removed thread": READ_ONLY,
    },
}
TABLE = "".join(
    f"in state: round {stage}, comment {state}{EXPECTED.get(stage, {}).get(state, default)}"
    for stage, default in [
        ("planned", NOBODY_YET),
        ("open", None),
        ("closed", None),
        ("reported", READ_ONLY),
    ]
    for state in COMMENT_STATES
)


@pytest.fixture
def world(db):
    group = NetworkFactory(name="Arbetsgrupp")
    writing = NetworkFactory(name="Skrivgrupp", parent=group, kind=Network.Kind.WRITING_GROUP)
    consulted = NetworkFactory(name="Chefsnätverk", kind=Network.Kind.MANAGEMENT_GROUP)
    other = NetworkFactory(name="Annat län")

    def member(network, role=Role.MEMBER):
        return MembershipFactory(network=network, role=role).user

    people = {
        "author": member(group),
        "another commenter": member(group),
        "writer in the writing group": member(writing, Role.WRITER),
        "chair": member(group, Role.CHAIR),
        "observer": member(group, Role.OBSERVER),
        "member of a consulted network": member(consulted),
        "outsider": member(other),
    }
    document = DocumentFactory(network=group)
    section = SectionFactory(document=document, body="Alla barn ska få stöd.")
    version = document_services.publish_version(
        document, by_user=people["chair"], label="Remissversion", change_summary=""
    )
    review_round = ReviewRound.objects.create(
        document=document,
        version=version,
        title="Remiss",
        chair=people["chair"],
        opens_at=timezone.now(),
        closes_at=timezone.now() + timedelta(days=10),
    )
    Consultee.objects.create(round=review_round, network=consulted)

    def comment(author="author", **fields):
        fields.setdefault("body", "Bra.")
        return Comment.objects.create(
            round=review_round, version=version, author=people[author], **fields
        )

    def proposal(answer=None, applied=False):
        made = comment(
            kind=Comment.Kind.PROPOSAL,
            section_key=section.key,
            quote_exact="Alla barn",
            proposed_text="Alla barn och unga",
        )
        if answer:
            answered(made, answer, applied)
        return made

    def answered(made, outcome, applied=False):
        Disposition.objects.create(
            comment=made,
            outcome=outcome,
            rationale="Så blir det.",
            decided_by=people["writer in the writing group"],
            applied_to_draft=applied,
        )
        Comment.objects.filter(pk=made.pk).update(resolved=True)

    removed = comment(body="", deleted_at=timezone.now())
    thread = comment(author="another commenter")
    comments = {
        "live": comment(),
        "removed": removed,
        "answered": comment(),
        "proposal": proposal(),
        "proposal answered partly accepted": proposal(Disposition.Outcome.PARTLY_ACCEPTED),
        "proposal answered rejected": proposal(Disposition.Outcome.REJECTED),
        "proposal applied to the draft": proposal(Disposition.Outcome.ACCEPTED, applied=True),
        "proposal, the draft locked": proposal(),
        "reply": comment(parent=thread),
        "reply in a removed thread": comment(parent=removed),
    }
    answered(comments["answered"], Disposition.Outcome.NOTED)
    return people, document, review_round, comments


def stage(document, review_round, comments, status, state):
    def make():
        locked = state == "proposal, the draft locked"
        Document.objects.filter(pk=document.pk).update(
            status=Document.Status.ADOPTED if locked else Document.Status.IN_CONSULTATION
        )
        ReviewRound.objects.filter(pk=review_round.pk).update(status=status)
        return Comment.objects.select_related("round__document__network").get(pk=comments[state].pk)

    return make


def test_comments_table(world):
    people, document, review_round, comments = world
    objects = {
        f"round {status}, comment {state}": stage(document, review_round, comments, status, state)
        for status in ReviewRound.Status.values
        for state in COMMENT_STATES
    }
    check(
        "consultations.Comment", TABLE, {who: lambda u=u: u for who, u in people.items()}, objects
    )


@pytest.mark.parametrize("status", ReviewRound.Status.values)
def test_the_comments_to_answer_are_those_the_table_lets_one_answer(world, status):
    """objects_for(ANSWER) and actions(…) are the same rule: for every person, the comments
    listed are exactly those on which the policy gives `answer_comment`."""
    people, _document, review_round, _comments = world
    ReviewRound.objects.filter(pk=review_round.pk).update(status=status)
    everyone = Comment.objects.select_related("round__document__network")
    for who, user in people.items():
        listed = set(registry.objects_for(user, CommentAction.ANSWER, Comment))
        answerable = {c for c in everyone if registry.can(fresh(user), CommentAction.ANSWER, c)}
        assert listed == answerable, who
