"""What the state of a round and of a comment allows in its thread, in the service and on the page
(consultations/policies/threads.py): no reply to a removed comment, no change to one's own
comment once the round has closed, no answer before it has."""

import pytest
from django.test import Client
from django.urls import reverse

from consultations.errors import CommentRemoved, NotClosedYet, RoundClosed
from consultations.models import Comment, Disposition
from consultations.policies.actions import CommentAction
from consultations.services import comments as comment_services
from consultations.services import dispositions as disposition_services
from consultations.services import rounds as round_services
from networks import registry
from notifications.models import Notification
from tests.forms import browser_client, follow_link, page_text, submit_form, submits

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        sorted(Comment.objects.values_list("id", "body", "deleted_at", "edited_at", "parent_id")),
        sorted(Disposition.objects.values_list("id", "outcome", "rationale", "applied_to_draft")),
        Notification.objects.count(),
    )


def add(world, who, body="Målen behöver följas upp.", **kwargs):
    return comment_services.add_comment(
        world["round"], by_user=world["people"][who], body=body, **kwargs
    )


@pytest.fixture
def removed_thread(open_world):
    """The member's comment, replied to by the chair, then removed by the member: its place in
    the thread stays ("removed by its author") with the chair's reply under it."""
    comment = add(open_world, "member")
    reply = add(open_world, "chair", body="Vi tittar på det.", parent=comment)
    return open_world, comment, reply


def test_a_reply_to_a_removed_comment_is_refused(removed_thread):
    world, comment, reply = removed_thread
    comment_services.delete_comment(comment, by_user=world["people"]["member"])
    before = snapshot()
    for target in (comment, reply):  # to it, or into its thread through a reply
        with pytest.raises(CommentRemoved):
            add(world, "expert", body="Håller med.", parent=target)
    assert snapshot() == before
    comment.refresh_from_db()
    assert not registry.can(world["people"]["expert"], CommentAction.REPLY, comment)


def test_a_reply_sent_from_the_page_after_the_comment_was_removed_is_refused(removed_thread):
    world, comment, _reply = removed_thread
    client = browser_client(world["people"]["expert"])
    page = client.get(world["round"].get_absolute_url())  # the reply form is on it
    comment_services.delete_comment(comment, by_user=world["people"]["member"])
    before = snapshot()

    response = submit_form(
        client,
        page,
        action="consultations:reply_add",
        form_kwargs={"comment_pk": comment.pk},
        fields={"Ditt svar": "Håller med."},
    )

    assert response.status_code == 400
    assert "Synpunkten har tagits bort av den som skrev den: den kan inte" in page_text(response)
    assert snapshot() == before
    again = client.get(world["round"].get_absolute_url())
    reply_url = reverse("consultations:reply_add", args=[world["round"].pk, comment.pk])
    assert reply_url not in again.content.decode()  # and no reply form for it any more


def test_ones_own_comment_is_not_changed_or_removed_once_the_round_has_closed(open_world):
    people = open_world["people"]
    comment = add(open_world, "member")
    round_services.close_round(open_world["round"], by_user=people["chair"])
    comment.refresh_from_db()
    before = snapshot()
    with pytest.raises(RoundClosed):
        comment_services.edit_comment(comment, by_user=people["member"], body="Ändrad")
    with pytest.raises(RoundClosed):
        comment_services.delete_comment(comment, by_user=people["member"])
    assert snapshot() == before
    assert not registry.can(people["member"], CommentAction.EDIT_OWN, comment)


@submits("consultations:comment_edit")
def test_after_closing_the_page_offers_no_change_and_a_change_sent_before_is_refused(open_world):
    people, review_round = open_world["people"], open_world["round"]
    comment = add(open_world, "member")
    client = browser_client(people["member"])
    round_page = client.get(review_round.get_absolute_url())
    edit_page = follow_link(client, round_page, "Ändra eller ta bort din synpunkt")
    # While open, the change goes through.
    submit_form(client, edit_page, button="Spara ändringen", fields={"Ditt svar": "Mätbara mål."})
    edit_page = follow_link(
        client, client.get(review_round.get_absolute_url()), "Ändra eller ta bort din synpunkt"
    )
    round_services.close_round(review_round, by_user=people["chair"])
    before = snapshot()

    changed = submit_form(
        client, edit_page, button="Spara ändringen", fields={"Ditt svar": "Efteråt."}
    )
    removed = submit_form(client, edit_page, button="Ta bort synpunkten")

    for response in (changed, removed):
        assert response.status_code >= 400
        assert "Remissrundan är stängd" in page_text(response)
    assert snapshot() == before
    page = client.get(review_round.get_absolute_url()).content.decode()
    edit_url = reverse("consultations:comment_edit", args=[review_round.pk, comment.pk])
    assert edit_url not in page  # no link to change it
    refused = client.get(edit_url)  # nor the page to change it
    assert refused.status_code == 409
    assert "Remissrundan är stängd" in page_text(refused)


def test_answering_while_the_round_is_open_is_refused(open_world):
    people, review_round = open_world["people"], open_world["round"]
    comment = add(open_world, "member")
    before = snapshot()
    with pytest.raises(NotClosedYet):
        disposition_services.record_disposition(
            comment, by_user=people["writer"], outcome="noted", rationale="Noterat."
        )
    assert not registry.can(people["writer"], CommentAction.ANSWER, comment)
    client = browser_client(people["writer"])
    page = client.get(review_round.get_absolute_url()).content.decode()
    answer_url = reverse("consultations:disposition", args=[review_round.pk, comment.pk])
    assert answer_url not in page  # no answer form while it is open
    # The form as the page offers it once the round has closed, sent while it is open.
    plain = Client()
    plain.force_login(people["writer"])
    response = plain.post(answer_url, {"outcome": "noted", "rationale": "Noterat."})
    assert response.status_code == 400
    assert "Synpunkterna bemöts när remissrundan har stängts." in page_text(response)
    assert snapshot() == before


@submits("consultations:disposition")
def test_a_proposal_answered_as_partly_accepted_is_applied_later_and_keeps_its_answer(open_world):
    people, review_round = open_world["people"], open_world["round"]
    proposal = add(
        open_world,
        "manager",
        kind="proposal",
        section_key=open_world["section"].key,
        proposed_text="Alla föräldrar får stöd.",
    )
    round_services.close_round(review_round, by_user=people["chair"])
    proposal.refresh_from_db()
    disposition_services.record_disposition(
        proposal, by_user=people["writer"], outcome="partly", rationale="Delvis, se avsnittet."
    )
    client = browser_client(people["writer"])
    page = client.get(review_round.get_absolute_url())

    submit_form(
        client,
        page,
        action="consultations:disposition",
        form_kwargs={"comment_pk": proposal.pk},
        button="För in förslaget i utkastet",
    )

    answer = Disposition.objects.get(comment=proposal)
    assert answer.applied_to_draft
    assert (answer.outcome, answer.rationale) == ("partly", "Delvis, se avsnittet.")
    open_world["section"].refresh_from_db()
    assert open_world["section"].body == "Alla föräldrar får stöd."
    # Once in the draft, it is not offered again.
    again = client.get(review_round.get_absolute_url())
    assert "För in förslaget i utkastet" not in page_text(again)
