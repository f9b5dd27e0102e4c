"""Observers read. They do not comment, and they do not answer or speak for a network or an
organisation, not even when the network or organisation they are in is consulted."""

import pytest
from django.urls import reverse

from consultations.models import Comment, Response
from consultations.policies.actions import ConsulteeAction, RoundAction
from consultations.services import rounds as round_services
from networks import registry
from networks.models import Role
from notifications.kinds import Kind
from notifications.models import Notification
from tests.consultations import conftest as consultations
from tests.consultations.speaking import acting_for, speaks_for
from tests.factories import MembershipFactory
from tests.networks.forms import find_form, page
from workspace.dashboard import my_work

pytestmark = pytest.mark.django_db

world = consultations.world


@pytest.fixture
def observed(world):
    """An observer of the consulted manager group who is from Kumla (also consulted), and the
    working group's observer, also from Kumla; then the round opens."""
    world["people"]["managers_observer"] = MembershipFactory(
        network=world["managers"], role=Role.OBSERVER, organisation=world["kumla"]
    ).user
    observer = world["people"]["observer"]
    observer.memberships.update(organisation=world["kumla"])
    round_services.open_round(world["round"], by_user=world["people"]["chair"])
    world["round"].refresh_from_db()
    world["parties"] = {
        "managers": world["round"].consultees.get(network=world["managers"]),
        "kumla": world["round"].consultees.get(organisation=world["kumla"]),
    }
    return world


@pytest.mark.parametrize("who", ["managers_observer", "observer"])
def test_an_observer_reads_the_round_but_has_no_comment_form(client, observed, who):
    client.force_login(observed["people"][who])
    response = client.get(observed["round"].get_absolute_url())
    assert response.status_code == 200
    assert "Regional strategi" in response.content.decode()
    with pytest.raises(AssertionError):
        find_form(response, "body")  # no comment form, no "on behalf of" choice
    assert not page(response).xpath("//select[@name='on_behalf_of']")


@pytest.mark.parametrize("who", ["managers_observer", "observer"])
def test_an_observers_comment_is_refused_and_nothing_is_saved(client, observed, who):
    client.force_login(observed["people"][who])
    url = reverse("consultations:comment_add", args=[observed["round"].pk])
    own = client.post(url, {"kind": "remark", "body": "Synpunkt"})
    assert own.status_code == 403
    for_kumla = client.post(
        url, {"kind": "remark", "body": "Synpunkt", "on_behalf_of": observed["kumla"].pk}
    )
    assert for_kumla.status_code == 400  # Kumla is not a choice for them
    assert not Comment.objects.exists()


@pytest.mark.parametrize("who", ["managers_observer", "observer"])
def test_an_observer_is_not_offered_a_formal_response(client, observed, who):
    person = observed["people"][who]
    parties = list(observed["parties"].values())
    assert speaks_for(person, parties) == []
    assert acting_for(person, observed["round"]) == set()
    assert my_work(person).owed == []
    client.force_login(person)
    for party in parties:
        assert ConsulteeAction.RESPOND not in registry.actions(person, party)
        url = reverse("consultations:respond", args=[observed["round"].pk, party.pk])
        assert client.get(url).status_code in (403, 404)
        refused = client.post(url, {"position": "supports", "summary": "Ja", "step": "save"})
        assert refused.status_code in (403, 404)
    assert not Response.objects.filter(consultee__in=parties).exclude(summary="").exists()


def test_observers_are_not_told_they_are_consulted(observed):
    told = set(
        Notification.objects.filter(kind=Kind.CONSULTEE_ADDED).values_list("recipient", flat=True)
    )
    people = observed["people"]
    assert people["manager"].pk in told  # a member of the consulted manager group
    assert people["drafter"].pk in told  # Kumla's own link
    assert people["managers_observer"].pk not in told
    assert people["observer"].pk not in told


def test_a_member_of_the_consulted_network_still_comments_and_answers(observed):
    manager = observed["people"]["manager"]
    assert RoundAction.COMMENT in registry.actions(manager, observed["round"])
    assert speaks_for(manager, [observed["parties"]["managers"]]) == [
        observed["parties"]["managers"]
    ]
