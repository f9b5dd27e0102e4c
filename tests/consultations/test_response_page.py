"""The formal response page: a step that is refused writes nothing, and what was typed stays in
the form."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.models import Consultee, Question, Response
from consultations.services import responses
from notifications.models import Notification
from tests.consultations.page_forms import fill, form_with, forms_of

pytestmark = pytest.mark.django_db


def kumla(world):
    return world["round"].consultees.get(organisation=world["kumla"])


def saved(party):
    response = Response.objects.get(consultee=party)
    party.refresh_from_db()
    return (
        response.position,
        response.summary,
        response.answers,
        response.state,
        response.approved_by_id,
        response.submitted_at,
        party.status,
        Response.history.filter(consultee_id=party.pk).count(),
        Notification.objects.count(),
    )


def test_a_refused_submit_by_a_non_approver_changes_nothing_and_keeps_the_text(open_world, client):
    party, people = kumla(open_world), open_world["people"]
    responses.save_draft(
        party, by_user=people["drafter"], position="supports", summary="Vi stöder."
    )
    responses.ask_for_approval(party, by_user=people["drafter"])
    before = saved(party)
    assert before[3] == Response.State.AWAITING_APPROVAL

    client.force_login(people["drafter"])
    url = reverse("consultations:respond", args=[open_world["round"].pk, party.pk])
    page = client.get(url).content.decode()
    assert 'value="submit"' not in page  # the drafter is offered "send for approval" only
    form = form_with(page, "summary")
    typed = "Vi stöder förslaget, men vill se fler mål."
    data = fill(
        form, {"summary": typed, "position": "reservations"}, press=("step", "submit")
    )  # a crafted request: the button the drafter does not have
    refused = client.post(url, data)

    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Endast den som godkänner för parten kan skicka in dess remissvar" in text
    assert typed in text  # what they typed is still in the form
    again = form_with(text, "summary")
    assert ("summary", typed) in again.fields
    assert ("position", "reservations") in again.fields
    assert saved(party) == before  # neither the text nor the approval state changed


def test_the_approver_submits_the_text_of_the_form_in_one_step(open_world, client):
    party, people = kumla(open_world), open_world["people"]
    responses.save_draft(party, by_user=people["drafter"], position="supports", summary="Utkast.")
    client.force_login(people["approver"])
    url = reverse("consultations:respond", args=[open_world["round"].pk, party.pk])
    form = form_with(client.get(url).content.decode(), "summary")
    check = client.post(url, fill(form, {"summary": "Slutlig text."}, press=("step", "submit")))
    assert check.status_code == 200
    assert "Kontrollera innan du skickar in" in check.content.decode()
    assert Response.objects.get(consultee=party).summary == "Utkast."  # nothing sent yet
    confirm = form_with(check.content.decode(), "summary")
    assert ("step", "change") in confirm.buttons
    client.post(url, fill(confirm, press=("step", "confirm")))
    response = Response.objects.get(consultee=party)
    assert (response.state, response.summary) == (Response.State.SUBMITTED, "Slutlig text.")
    party.refresh_from_db()
    assert party.status == Consultee.Status.SUBMITTED


def test_asking_for_approval_without_a_position_saves_nothing(open_world, client):
    party, people = kumla(open_world), open_world["people"]
    client.force_login(people["drafter"])
    url = reverse("consultations:respond", args=[open_world["round"].pk, party.pk])
    form = form_with(client.get(url).content.decode(), "summary")
    refused = client.post(url, fill(form, {"summary": "Vi tycker till."}, press=("step", "ask")))
    assert refused.status_code == 400
    assert "Vi tycker till." in refused.content.decode()
    assert not Response.objects.filter(consultee=party).exists()
    party.refresh_from_db()
    assert party.status == Consultee.Status.INVITED


def test_saving_an_unchanged_draft_keeps_it_waiting_for_approval(open_world, client):
    party, people = kumla(open_world), open_world["people"]
    responses.save_draft(party, by_user=people["drafter"], position="supports", summary="Ja.")
    responses.ask_for_approval(party, by_user=people["drafter"])
    client.force_login(people["drafter"])
    url = reverse("consultations:respond", args=[open_world["round"].pk, party.pk])
    form = form_with(client.get(url).content.decode(), "summary")
    client.post(url, fill(form, press=("step", "save")))
    assert Response.objects.get(consultee=party).state == Response.State.AWAITING_APPROVAL
    client.post(url, fill(form, {"summary": "Ja, med ändring."}, press=("step", "save")))
    assert Response.objects.get(consultee=party).state == Response.State.DRAFT


def _waiting(world):
    party, people = kumla(world), world["people"]
    responses.save_draft(
        party, by_user=people["drafter"], position="supports", summary="Vi stöder förslaget."
    )
    responses.ask_for_approval(party, by_user=people["drafter"])
    return party, reverse("consultations:respond", args=[world["round"].pk, party.pk])


def test_the_approver_reviews_read_only_and_approves_the_text_as_it_is(open_world, client):
    party, url = _waiting(open_world)
    client.force_login(open_world["people"]["approver"])
    page = client.get(url).content.decode()
    assert "Remissvaret väntar på ditt godkännande" in page
    assert "Skickat för godkännande av" in page
    assert 'name="summary"' not in page  # read-only: no text field to change
    assert "?edit" in page  # the editable form is still reachable
    assert 'name="summary"' in client.get(url + "?edit").content.decode()
    approve = next(f for f in forms_of(page) if ("step", "approve") in f.buttons)
    approved = client.post(url, fill(approve, press=("step", "approve")))
    assert approved.status_code == 302
    response = Response.objects.get(consultee=party)
    assert (response.state, response.summary) == (
        Response.State.SUBMITTED,
        "Vi stöder förslaget.",
    )
    assert response.approved_by == open_world["people"]["approver"]


def test_the_approver_sends_back_with_a_comment_the_drafter_then_sees(open_world, client):
    party, url = _waiting(open_world)
    people = open_world["people"]
    client.force_login(people["approver"])
    form = form_with(client.get(url).content.decode(), "comment")
    empty = client.post(url, fill(form, press=("step", "send_back")))
    assert empty.status_code == 400
    assert "Berätta för den som skrev varför" in empty.content.decode()
    assert Response.objects.get(consultee=party).state == Response.State.AWAITING_APPROVAL

    form = form_with(empty.content.decode(), "comment")
    sent = client.post(
        url, fill(form, {"comment": "Lägg till om tidplanen."}, press=("step", "send_back"))
    )
    assert sent.status_code == 302
    assert Response.objects.get(consultee=party).state == Response.State.DRAFT
    assert Notification.objects.filter(recipient=people["drafter"]).exists()

    client.force_login(people["drafter"])
    page = client.get(url).content.decode()
    assert "Lägg till om tidplanen." in page
    assert 'name="summary"' in page  # the drafter writes again


def test_a_drafter_cannot_send_back_nor_approve_by_a_crafted_request(open_world, client):
    party, url = _waiting(open_world)
    before = saved(party)
    client.force_login(open_world["people"]["drafter"])
    assert "Remissvaret väntar på ditt godkännande" not in client.get(url).content.decode()
    refused = client.post(url, {"step": "send_back", "comment": "Nej."})
    assert refused.status_code == 400
    refused = client.post(url, {"step": "approve"})
    assert refused.status_code == 400
    assert saved(party) == before


def test_the_check_step_can_go_back_to_the_form_with_what_was_typed(open_world, client):
    party, people = kumla(open_world), open_world["people"]
    client.force_login(people["approver"])
    url = reverse("consultations:respond", args=[open_world["round"].pk, party.pk])
    form = form_with(client.get(url).content.decode(), "summary")
    typed = {"summary": "Rad ett.\nRad två.", "position": "opposes"}
    check = client.post(url, fill(form, typed, press=("step", "submit")))
    assert "Avstyrker" in check.content.decode()
    back = client.post(
        url, fill(form_with(check.content.decode(), "summary"), press=("step", "change"))
    )
    again = form_with(back.content.decode(), "summary")
    assert ("summary", "Rad ett.\nRad två.") in again.fields
    assert ("position", "opposes") in again.fields
    assert not Response.objects.filter(consultee=party).exists()


@pytest.mark.parametrize("mode", ["review", "check"])
def test_the_review_and_check_pages_read_the_same_number_of_queries(open_world, client, mode):
    party, url = _waiting(open_world)
    client.force_login(open_world["people"]["approver"])

    def queries():
        with CaptureQueriesContext(connection) as seen:
            if mode == "review":
                page = client.get(url)
            else:
                data = {"position": "supports", "summary": "Ja.", "step": "submit"}
                page = client.post(url, data)
        assert page.status_code == 200
        return len(seen)

    few = queries()
    for n in range(5):
        Question.objects.create(round=open_world["round"], text=f"Fråga {n}", position=n + 10)
    response = Response.objects.get(consultee=party)
    response.answers = {str(q.pk): "Svar" for q in open_world["round"].questions.all()}
    response.save()
    assert queries() == few
