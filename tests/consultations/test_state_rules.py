"""State rules: the document moves only along its transition table, whoever asks; a closed round
takes no more changes to comments; a removed comment takes no replies."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.errors import CommentRemoved, InvalidTransition, RoundClosed
from consultations.models import Comment, Decision, ReviewRound
from consultations.policies.actions import CommentAction, RoundAction
from consultations.services import comments as comment_services
from consultations.services import decisions as decision_services
from consultations.services import rounds as round_services
from documents.errors import DocumentLocked, DocumentMoveRefused
from documents.models import Document
from networks import registry
from notifications.models import Notification
from tests.forms import browser_client, follow_link, page_text, submit_form

pytestmark = pytest.mark.django_db

ANCHORING_REFUSAL = "Dokumentet är under förankring, så ingen remissrunda kan öppnas nu."


def snapshot():
    return (
        sorted(ReviewRound.objects.values_list("id", "status", "opened_at")),
        sorted(Document.objects.values_list("id", "status")),
        Document.history.count(),
        sorted(Comment.objects.values_list("id", "body", "deleted_at", "edited_at")),
        Notification.objects.count(),
    )


@pytest.fixture
def anchoring(open_world):
    """The round closed, a second round planned while the document was being revised, then the
    manager group's views recorded: the document is being anchored."""
    people = open_world["people"]
    round_services.close_round(open_world["round"], by_user=people["chair"])
    second = round_services.create_round(
        open_world["document"],
        by_user=people["chair"],
        version=open_world["version"],
        title="Remiss november",
        closes_at=timezone.now() + timedelta(days=10),
    )
    decision_services.record_decision(
        open_world["document"],
        by_user=people["coordinator"],
        version=open_world["version"],
        kind="views",
        decided_on=timezone.localdate(),
        text="Chefsnätverket ställer sig positivt.",
        body_network=open_world["managers"],
    )
    round_services.add_consultees(
        second, by_user=people["chair"], networks=[open_world["managers"]]
    )
    open_world["second"] = second
    open_world["document"].refresh_from_db()
    assert open_world["document"].status == Document.Status.ANCHORING
    return open_world


def test_opening_a_round_on_an_anchoring_document_is_refused_and_changes_nothing(anchoring):
    before = snapshot()

    with pytest.raises(DocumentMoveRefused) as refused:
        round_services.open_round(anchoring["second"], by_user=anchoring["people"]["chair"])

    assert str(refused.value.message).startswith(ANCHORING_REFUSAL)
    assert snapshot() == before


def test_opening_a_round_on_an_anchoring_document_from_its_page_shows_why(anchoring):
    before = snapshot()
    client = browser_client(anchoring["people"]["chair"])
    round_page = client.get(anchoring["second"].get_absolute_url())
    page = follow_link(client, round_page, "Öppna remissrundan")

    response = submit_form(client, page, button="Öppna remissrundan")

    assert response.status_code == 200  # the round's page again, with the reason on it
    assert ANCHORING_REFUSAL in page_text(response)
    assert snapshot() == before


def test_starting_a_round_on_an_anchoring_document_is_refused_in_words(anchoring):
    """The decisions' policy offers no new round while the document is anchored, and the service
    asks it (it used to plan one, to be refused only at the opening)."""
    before = snapshot()

    with pytest.raises(InvalidTransition) as refused:
        round_services.create_round(
            anchoring["document"],
            by_user=anchoring["people"]["chair"],
            version=anchoring["version"],
            title="Remiss december",
            closes_at=timezone.now() + timedelta(days=10),
        )

    assert str(refused.value.message).startswith(ANCHORING_REFUSAL)
    assert snapshot() == before


def test_the_rounds_page_offers_no_new_round_while_anchoring_and_its_form_page_says_why(
    anchoring,
):
    client = browser_client(anchoring["people"]["chair"])
    document = anchoring["document"]

    rounds_page = client.get(reverse("consultations:document_rounds", args=[document.pk]))
    form_page = client.get(reverse("consultations:round_new", args=[document.pk]))

    new_round = reverse("consultations:round_new", args=[document.pk])
    assert rounds_page.status_code == 200
    assert new_round not in rounds_page.content.decode()  # no "Starta en remissrunda"
    assert ANCHORING_REFUSAL in page_text(form_page)
    assert "Spara remissrundan som planerad" not in page_text(form_page)


def test_after_the_decision_that_returns_it_a_new_round_opens(anchoring):
    people = anchoring["people"]
    decision_services.record_decision(
        anchoring["document"],
        by_user=people["coordinator"],
        version=anchoring["version"],
        kind="returned",
        decided_on=timezone.localdate(),
        text="Återremitteras för en remissrunda till.",
        body_name="Samverkansrådet",
    )

    round_services.open_round(anchoring["second"], by_user=people["chair"])

    anchoring["document"].refresh_from_db()
    assert anchoring["document"].status == Document.Status.IN_CONSULTATION


def adopt_at_its_meeting(world):
    """The body adopts the anchored proposal at its meeting (recorded, not signed here)."""
    decision_services.record_decision(
        world["document"],
        by_user=world["people"]["coordinator"],
        version=world["version"],
        kind="adopted",
        decided_on=timezone.localdate(),
        text="Strategin fastställs.",
        body_name="Kommunchefer och regiondirektör",
    )


def test_a_body_adopting_the_anchored_proposal_at_its_meeting_adopts_the_document(anchoring):
    """Anchoring → adopted is in the table: the decision is recorded, not signed here."""
    adopt_at_its_meeting(anchoring)

    anchoring["document"].refresh_from_db()
    assert anchoring["document"].status == Document.Status.ADOPTED
    assert Decision.objects.filter(kind="adopted").count() == 1


def test_an_adoption_recorded_while_revising_is_refused_and_recorded_nowhere(open_world):
    round_services.close_round(open_world["round"], by_user=open_world["people"]["chair"])
    before = snapshot()

    with pytest.raises(DocumentMoveRefused):
        decision_services.record_decision(
            open_world["document"],
            by_user=open_world["people"]["coordinator"],
            version=open_world["version"],
            kind="adopted",
            decided_on=timezone.localdate(),
            text="Strategin fastställs.",
            body_name="Kommunchefer och regiondirektör",
        )

    assert snapshot() == before
    assert not Decision.objects.exists()


# -- a closed round: one's comment is no longer changed or removed -------------------------------


def test_the_author_cannot_change_or_remove_a_comment_once_the_round_has_closed(open_world):
    author = open_world["people"]["manager"]
    comment = comment_services.add_comment(
        open_world["round"], by_user=author, body="Målen behöver följas upp."
    )
    client = browser_client(author)
    edit_url = reverse("consultations:comment_edit", args=[open_world["round"].pk, comment.pk])
    page_before_closing = client.get(edit_url)
    round_services.close_round(open_world["round"], by_user=open_world["people"]["chair"])
    before = snapshot()

    round_page = client.get(open_world["round"].get_absolute_url())
    edit_page = client.get(edit_url)
    changed = submit_form(
        client, page_before_closing, button="Spara ändringen", fields={"Ditt svar": "Nytt."}
    )
    removed = submit_form(client, page_before_closing, button="Ta bort synpunkten")

    assert "Ändra eller ta bort" not in page_text(round_page)
    assert edit_page.status_code == 409
    assert "Remissrundan är stängd" in page_text(edit_page)
    assert "Spara ändringen" not in page_text(edit_page)
    for refused in (changed, removed):
        assert refused.status_code == 400
        assert "Remissrundan är stängd" in page_text(refused)
    assert "Nytt." in page_text(changed)  # the text typed comes back
    assert snapshot() == before
    comment.refresh_from_db()
    assert not registry.can(author, CommentAction.EDIT_OWN, comment)
    with pytest.raises(RoundClosed):
        comment_services.delete_comment(comment, by_user=author)
    assert snapshot() == before


# -- a removed comment takes no replies -----------------------------------------------------------


def test_a_reply_to_a_removed_comment_is_refused_by_the_service(open_world):
    people = open_world["people"]
    comment = comment_services.add_comment(
        open_world["round"], by_user=people["manager"], body="Målen behöver följas upp."
    )
    comment_services.add_comment(
        open_world["round"], by_user=people["member"], body="Håller med.", parent=comment
    )
    comment_services.delete_comment(comment, by_user=people["manager"])  # a placeholder stays
    before = snapshot()

    with pytest.raises(CommentRemoved):
        comment_services.add_comment(
            open_world["round"], by_user=people["expert"], body="Varför?", parent=comment
        )

    assert snapshot() == before


def test_a_reply_sent_from_a_page_opened_before_the_removal_is_refused_and_kept(open_world):
    people = open_world["people"]
    comment = comment_services.add_comment(
        open_world["round"], by_user=people["manager"], body="Målen behöver följas upp."
    )
    comment_services.add_comment(
        open_world["round"], by_user=people["member"], body="Håller med.", parent=comment
    )
    client = browser_client(people["expert"])
    page = client.get(open_world["round"].get_absolute_url())
    comment_services.delete_comment(comment, by_user=people["manager"])
    before = snapshot()

    response = submit_form(
        client,
        page,
        action="consultations:reply_add",
        form_kwargs={"pk": open_world["round"].pk, "comment_pk": comment.pk},
        fields={"Ditt svar": "Varför ska de följas upp?"},
    )

    assert response.status_code == 400
    text = page_text(response)
    assert "Synpunkten har tagits bort av den som skrev den" in text
    assert "Varför ska de följas upp?" in text
    assert snapshot() == before


@pytest.fixture
def adopted_with_a_planned_round(anchoring):
    """The body adopts the anchored proposal at its meeting; the second round was still planned."""
    adopt_at_its_meeting(anchoring)
    anchoring["document"].refresh_from_db()
    assert anchoring["document"].status == Document.Status.ADOPTED
    anchoring["second"].refresh_from_db()
    assert anchoring["second"].status == ReviewRound.Status.PLANNED
    return anchoring


def test_a_planned_round_of_an_adopted_document_is_not_offered_for_opening(
    adopted_with_a_planned_round,
):
    world = adopted_with_a_planned_round
    chair, second = world["people"]["chair"], world["second"]
    assert RoundAction.OPEN not in registry.actions(chair, second)

    round_page = browser_client(chair).get(second.get_absolute_url())

    assert round_page.status_code == 200
    assert "Öppna remissrundan" not in page_text(round_page)


def test_opening_a_planned_round_of_an_adopted_document_is_refused_in_words(
    adopted_with_a_planned_round,
):
    world = adopted_with_a_planned_round
    before = snapshot()

    with pytest.raises(DocumentLocked) as refused:
        round_services.open_round(world["second"], by_user=world["people"]["chair"])

    assert str(refused.value.message).startswith(
        "Dokumentet är fastställt och kan inte längre ändras."
    )
    assert snapshot() == before
