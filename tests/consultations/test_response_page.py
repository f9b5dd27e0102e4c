"""The formal response page: a step that is refused writes nothing, and what was typed stays in
the form."""

import pytest
from django.urls import reverse

from consultations.models import Consultee, Response
from consultations.services import responses
from notifications.models import Notification
from tests.consultations.page_forms import fill, form_with

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
    client.post(url, fill(form, {"summary": "Slutlig text."}, press=("step", "submit")))
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
