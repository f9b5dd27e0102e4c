"""Organisation pages: a coordinator names who approves responses; it is in the history."""

import pytest
from django.urls import reverse

from networks.models import Affiliation, Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    kumla = OrganisationFactory(name="Kumla kommun")
    coordinator = MembershipFactory(role=Role.COORDINATOR)
    MembershipFactory(network=coordinator.network, organisation=kumla)  # Kumla takes part there
    return {
        "kumla": kumla,
        "coordinator": coordinator.user,
        # a coordinator of a network Kumla has nobody in: sees Kumla, names nobody for it
        "other_coordinator": MembershipFactory(role=Role.COORDINATOR).user,
        "member": MembershipFactory(network=coordinator.network, role=Role.MEMBER).user,
        "nobody": UserFactory(),
        "head": UserFactory(email="socialchef@example.org", full_name="Sara Socialchef"),
    }


def snapshot():
    return sorted(Affiliation.objects.values_list("user_id", "organisation_id", "can_approve"))


@pytest.mark.parametrize(
    ("visitor", "page", "change"),
    [
        ("coordinator", 200, 302),
        ("other_coordinator", 200, 403),
        ("member", 200, 403),
        ("nobody", 404, 404),
        ("anonymous", 302, 302),
    ],
)
def test_who_sees_and_who_names_approvers(client, setup, visitor, page, change):
    if visitor != "anonymous":
        client.force_login(setup[visitor])
    url = reverse("networks:organisation", args=[setup["kumla"].pk])
    assert client.get(url).status_code == page
    assert client.get(reverse("networks:organisations")).status_code == page
    before = snapshot()
    response = client.post(url, {"email": "socialchef@example.org", "can_approve": "1"})
    assert response.status_code == change
    if change == 302 and visitor == "coordinator":
        assert Affiliation.objects.get(user=setup["head"]).can_approve
        record = Affiliation.history.first()
        assert record.history_user == setup["coordinator"]
    else:
        assert snapshot() == before


def test_an_unknown_address_keeps_what_was_typed(client, setup):
    client.force_login(setup["coordinator"])
    url = reverse("networks:organisation", args=[setup["kumla"].pk])
    response = client.post(url, {"email": "ingen@example.org", "title": "Chef"})
    assert response.status_code == 400
    assert 'value="ingen@example.org"' in response.content.decode()
    assert not Affiliation.objects.exists()


def test_a_coordinator_cannot_name_themselves_or_remove_their_own_link(client, setup):
    coordinator = setup["coordinator"]
    client.force_login(coordinator)
    url = reverse("networks:organisation", args=[setup["kumla"].pk])
    response = client.post(url, {"email": coordinator.email, "can_approve": "1", "title": "Chef"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "din egen koppling" in page  # Swedish: "your own link"
    assert f'value="{coordinator.email}"' in page  # what was typed stays
    assert not Affiliation.objects.exists()

    own = Affiliation.objects.create(user=coordinator, organisation=setup["kumla"])
    before = snapshot()
    response = client.post(url, {"remove": own.pk})
    assert response.status_code == 400
    assert snapshot() == before


@pytest.mark.parametrize("remove", ["abc", "999999"])
def test_removing_a_link_that_is_not_there_is_not_found(client, setup, remove):
    client.force_login(setup["coordinator"])
    url = reverse("networks:organisation", args=[setup["kumla"].pk])
    assert client.post(url, {"remove": remove}).status_code == 404


def test_the_page_costs_the_same_with_few_or_many_people(client, setup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(setup["coordinator"])
    url = reverse("networks:organisation", args=[setup["kumla"].pk])
    Affiliation.objects.create(user=UserFactory(), organisation=setup["kumla"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(30):
        Affiliation.objects.create(user=UserFactory(), organisation=setup["kumla"])
        MembershipFactory(organisation=setup["kumla"])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few) == len(many)
