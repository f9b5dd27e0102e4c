"""Every rule of a round, enforced with a readable refusal and nothing changed."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from consultations import anchoring
from consultations.errors import (
    CommentTooLong,
    DeadlineInPast,
    EmptyComment,
    InvalidTransition,
    NeedsApproval,
    OnlyWritingGroup,
    OpenRoundExists,
    QuoteNotInSection,
    ReportPublished,
    ResponseExists,
    RoundClosed,
    WrongVersion,
)
from consultations.models import Comment, Consultee, Disposition, Response, ReviewRound
from consultations.services import comments, dispositions, responses
from consultations.services import rounds as round_services
from documents.models import Document
from networks.errors import NotAllowed, NotFound
from notifications.kinds import Kind
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        sorted(ReviewRound.objects.values_list("id", "status", "closes_at")),
        sorted(Comment.objects.values_list("id", "body", "deleted_at")),
        sorted(Response.objects.values_list("id", "state", "position")),
        sorted(Disposition.objects.values_list("id", "outcome")),
        sorted(Consultee.objects.values_list("id", "status")),
        sorted(Document.objects.values_list("id", "status")),
        Notification.objects.count(),
    )


def comment(world, who="member", **kwargs):
    kwargs.setdefault("body", "Bra text.")
    return comments.add_comment(world["round"], by_user=world["people"][who], **kwargs)


def test_opening_moves_the_document_and_tells_the_consulted(open_world):
    assert open_world["round"].status == ReviewRound.Status.OPEN
    open_world["document"].refresh_from_db()
    assert open_world["document"].status == Document.Status.IN_CONSULTATION
    told = set(
        Notification.objects.filter(kind=Kind.CONSULTEE_ADDED).values_list("recipient", flat=True)
    )
    people = open_world["people"]
    assert {
        people["manager"].pk,
        people["drafter"].pk,
        people["approver"].pk,
        people["expert"].pk,
    } <= told
    assert people["outsider"].pk not in told


def test_commenting_before_the_round_opens_is_refused(world):
    from consultations.errors import RoundNotOpen

    before = snapshot()
    with pytest.raises(RoundNotOpen):
        comment(world, "chair")
    assert snapshot() == before


def test_commenting_after_close_is_refused(open_world):
    round_services.close_round(open_world["round"], by_user=open_world["people"]["chair"])
    before = snapshot()
    with pytest.raises(RoundClosed):
        comment(open_world)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "error"),
    [("   ", EmptyComment), ("x" * 20_001, CommentTooLong)],
    ids=["empty", "long"],
)
def test_empty_or_over_long_comments_are_refused(open_world, body, error):
    before = snapshot()
    with pytest.raises(error):
        comment(open_world, body=body)
    assert snapshot() == before


def test_a_comment_on_another_version_is_refused(open_world):
    before = snapshot()
    with pytest.raises(WrongVersion):
        comment(open_world, version_id=open_world["version"].pk + 1000)
    assert snapshot() == before


def test_a_quote_that_is_not_in_the_section_is_refused(open_world):
    before = snapshot()
    with pytest.raises(QuoteNotInSection):
        comment(
            open_world,
            section_key=open_world["section"].key,
            quote=anchoring.Anchor("Detta står inte i texten"),
        )
    assert snapshot() == before
    made = comment(
        open_world,
        section_key=open_world["section"].key,
        quote=anchoring.Anchor("barnets hela uppväxt"),
    )
    assert made.quote_exact == "barnets hela uppväxt"


def test_observers_do_not_comment_and_outsiders_do_not_see(open_world):
    before = snapshot()
    with pytest.raises(NotAllowed):
        comment(open_world, "observer")
    with pytest.raises(NotFound):
        comment(open_world, "outsider")
    assert snapshot() == before


def test_consulted_people_from_outside_the_network_comment(open_world):
    for who in ("manager", "drafter", "expert"):
        assert comment(open_world, who).author == open_world["people"][who]


def test_a_reply_tells_the_author(open_world, django_capture_on_commit_callbacks):
    first = comment(open_world, "member")
    with django_capture_on_commit_callbacks(execute=True):
        comments.add_comment(
            open_world["round"], by_user=open_world["people"]["chair"], body="Tack!", parent=first
        )
    assert Notification.objects.filter(
        kind=Kind.COMMENT_REPLY, recipient=open_world["people"]["member"]
    ).exists()


def test_an_author_who_has_left_the_network_is_not_told_of_a_reply(
    open_world, django_capture_on_commit_callbacks
):
    """The record names them, but they may no longer read the round: nobody is told of what
    they cannot open (registry.still_seeing)."""
    from networks.models import Membership
    from networks.services import end_membership

    member, chair = open_world["people"]["member"], open_world["people"]["chair"]
    first = comment(open_world, "member")
    end_membership(
        Membership.objects.get(user=member, network=open_world["round"].document.network),
        by_user=chair,
    )
    with django_capture_on_commit_callbacks(execute=True):
        comments.add_comment(open_world["round"], by_user=chair, body="Tack!", parent=first)
    assert not Notification.objects.filter(kind=Kind.COMMENT_REPLY, recipient=member).exists()


def test_deleting_a_comment_with_replies_leaves_a_placeholder(open_world):
    first = comment(open_world, "member")
    comments.add_comment(
        open_world["round"], by_user=open_world["people"]["chair"], body="Svar", parent=first
    )
    comments.delete_comment(first, by_user=open_world["people"]["member"])
    first.refresh_from_db()
    assert first.is_deleted
    assert first.body == ""
    assert first.history.filter(body="Bra text.").exists()  # the text stays in the record
    lonely = comment(open_world, "member", body="Ensam")
    comments.delete_comment(lonely, by_user=open_world["people"]["member"])
    assert not Comment.objects.filter(pk=lonely.pk).exists()


def test_only_the_author_changes_a_comment_and_edits_are_kept(open_world):
    from consultations.errors import NotYourComment

    made = comment(open_world, "member")
    with pytest.raises(NotYourComment):
        comments.edit_comment(made, by_user=open_world["people"]["chair"], body="Ändrad")
    comments.edit_comment(made, by_user=open_world["people"]["member"], body="Ändrad")
    assert list(made.history.order_by("history_date").values_list("body", flat=True)) == [
        "Bra text.",
        "Ändrad",
    ]


def kumla(world):
    return world["round"].consultees.get(organisation=world["kumla"])


def test_a_response_needs_the_approvers_approval(open_world, django_capture_on_commit_callbacks):
    party, people = kumla(open_world), open_world["people"]
    responses.save_draft(
        party, by_user=people["drafter"], position="supports", summary="Vi stöder."
    )
    before = snapshot()
    with pytest.raises(NeedsApproval):
        responses.approve_and_submit(party, by_user=people["drafter"])
    assert snapshot() == before
    with django_capture_on_commit_callbacks(execute=True):
        responses.ask_for_approval(party, by_user=people["drafter"])
    assert Notification.objects.filter(
        kind=Kind.RESPONSE_AWAITING_APPROVAL, recipient=people["approver"]
    ).exists()
    response = responses.approve_and_submit(party, by_user=people["approver"])
    assert response.state == Response.State.SUBMITTED
    assert response.approved_by == people["approver"]
    party.refresh_from_db()
    assert party.status == Consultee.Status.SUBMITTED


def test_a_second_response_from_the_same_organisation_is_refused(open_world):
    party, people = kumla(open_world), open_world["people"]
    responses.save_draft(party, by_user=people["approver"], position="opposes", summary="Nej.")
    responses.approve_and_submit(party, by_user=people["approver"])
    before = snapshot()
    with pytest.raises(ResponseExists):
        responses.save_draft(party, by_user=people["drafter"], position="supports", summary="Ja")
    with pytest.raises(ResponseExists):
        responses.enter_on_behalf(
            party,
            by_user=people["coordinator"],
            position="supports",
            summary="",
            via="letter",
            received_at=timezone.now(),
        )
    assert snapshot() == before


def test_a_coordinator_enters_a_response_that_came_by_letter(open_world):
    party, people = kumla(open_world), open_world["people"]
    response = responses.enter_on_behalf(
        party,
        by_user=people["coordinator"],
        position="reservations",
        summary="Med reservation.",
        via="letter",
        received_at=timezone.now() - timedelta(days=1),
        attachment=("brev.pdf", "application/pdf", b"%PDF-1.4"),
    )
    assert response.entered_by == people["coordinator"]
    assert response.received_via == "letter"
    with response.attachment.open("rb") as stored:
        assert stored.read() == b"%PDF-1.4"


def test_someone_outside_the_organisation_cannot_draft_its_response(open_world):
    before = snapshot()
    with pytest.raises(NotAllowed):
        responses.save_draft(
            kumla(open_world),
            by_user=open_world["people"]["manager"],
            position="supports",
            summary="",
        )
    assert snapshot() == before


def test_a_deadline_in_the_past_is_refused(open_world):
    before = snapshot()
    with pytest.raises(DeadlineInPast):
        round_services.extend_deadline(
            open_world["round"],
            by_user=open_world["people"]["chair"],
            closes_at=timezone.now() - timedelta(hours=1),
        )
    assert snapshot() == before


def test_extending_is_recorded_and_told(open_world, django_capture_on_commit_callbacks):
    old = open_world["round"].closes_at
    with django_capture_on_commit_callbacks(execute=True):
        round_services.extend_deadline(
            open_world["round"],
            by_user=open_world["people"]["chair"],
            closes_at=old + timedelta(days=7),
        )
    assert open_world["round"].history.filter(closes_at=old).exists()
    assert Notification.objects.filter(kind=Kind.DEADLINE_EXTENDED).exists()


def test_closing_a_closed_round_is_refused(open_world):
    chair = open_world["people"]["chair"]
    round_services.close_round(open_world["round"], by_user=chair)
    before = snapshot()
    with pytest.raises(InvalidTransition) as refused:
        round_services.close_round(open_world["round"], by_user=chair)
    assert "already closed" in str(refused.value.message) or "redan stängd" in str(
        refused.value.message
    )
    assert snapshot() == before
    open_world["document"].refresh_from_db()
    assert open_world["document"].status == Document.Status.REVISING


def test_only_chairs_and_coordinators_run_the_round(open_world):
    before = snapshot()
    for who in ("member", "writer", "manager", "expert"):  # they all see the round
        with pytest.raises(NotAllowed):
            round_services.close_round(open_world["round"], by_user=open_world["people"][who])
    assert snapshot() == before


def test_a_second_open_round_on_the_same_document_is_refused(open_world):
    chair = open_world["people"]["chair"]
    second = round_services.create_round(
        open_world["document"],
        by_user=chair,
        version=open_world["version"],
        title="Två",
        closes_at=timezone.now() + timedelta(days=5),
    )
    round_services.add_consultees(second, by_user=chair, organisations=[open_world["kumla"]])
    before = snapshot()
    with pytest.raises(OpenRoundExists):
        round_services.open_round(second, by_user=chair)
    assert snapshot() == before
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewRound.objects.filter(pk=second.pk).update(status="open")  # the database says no too


def test_a_disposition_by_someone_outside_the_writing_group_is_refused(open_world):
    made = comment(open_world, "member")
    round_services.close_round(open_world["round"], by_user=open_world["people"]["chair"])
    before = snapshot()
    for who in ("member", "manager"):
        with pytest.raises(OnlyWritingGroup):
            dispositions.record_disposition(
                made, by_user=open_world["people"][who], outcome="accepted", rationale="Ja"
            )
    assert snapshot() == before
    made.refresh_from_db()
    assert not made.resolved
    done = dispositions.record_disposition(
        made, by_user=open_world["people"]["writer"], outcome="rejected", rationale="Nej, för att…"
    )
    assert done.decided_by == open_world["people"]["writer"]
    made.refresh_from_db()
    assert made.resolved  # answered


def test_once_the_report_is_published_its_answers_no_longer_change(open_world):
    people = open_world["people"]
    made = comment(open_world, "member")
    round_services.close_round(open_world["round"], by_user=people["chair"])
    dispositions.record_disposition(
        made, by_user=people["writer"], outcome="noted", rationale="Noterat."
    )
    round_services.publish_report(open_world["round"], by_user=people["chair"])
    before = snapshot()
    with pytest.raises(ReportPublished):
        dispositions.record_disposition(
            made, by_user=people["writer"], outcome="rejected", rationale="Ändrat oss."
        )
    assert snapshot() == before
    made.refresh_from_db()
    assert made.disposition.outcome == Disposition.Outcome.NOTED


def test_applying_a_proposal_without_words_of_ones_own_does_not_answer_with_the_comment(
    open_world,
):
    people, section = open_world["people"], open_world["section"]
    proposal = comment(
        open_world,
        "member",
        kind="proposal",
        section_key=section.key,
        quote=anchoring.Anchor("barnets hela uppväxt"),
        proposed_text="barnets hela uppväxt, 0–18 år",
        body="Förtydliga åldrarna, tack.",
    )
    round_services.close_round(open_world["round"], by_user=people["chair"])
    done = dispositions.apply_proposal(proposal, by_user=people["writer"], rationale="  ")
    assert done.rationale == "Infört i arbetsutkastet som föreslaget."
    assert done.decided_by == people["writer"]


def test_a_change_proposal_is_applied_to_the_draft_in_one_step(open_world):
    people, section = open_world["people"], open_world["section"]
    proposal = comment(
        open_world,
        "member",
        kind="proposal",
        section_key=section.key,
        quote=anchoring.Anchor("barnets hela uppväxt"),
        proposed_text="barnets hela uppväxt, 0–18 år",
    )
    round_services.close_round(open_world["round"], by_user=people["chair"])
    dispositions.apply_proposal(proposal, by_user=people["writer"], rationale="Förtydligande.")
    section.refresh_from_db()
    assert section.body.endswith("barnets hela uppväxt, 0–18 år.")
    assert proposal.disposition.outcome == Disposition.Outcome.ACCEPTED
