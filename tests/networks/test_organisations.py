"""Organisation pages: a coordinator names who approves responses; it is in the history. Its
people are shown only to those who work with it, and only in the networks they see."""

import re

import pytest
from django.urls import reverse

from networks.models import Affiliation, Network, Role
from tests.factories import MembershipFactory, NetworkFactory, OrganisationFactory, UserFactory
from tests.networks.forms import find_form, values

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    kumla = OrganisationFactory(name="Kumla kommun")
    coordinator = MembershipFactory(role=Role.COORDINATOR)
    MembershipFactory(network=coordinator.network, organisation=kumla)  # Kumla takes part there
    head = UserFactory(email="socialchef@example.org", full_name="Sara Socialchef")
    MembershipFactory(network=coordinator.network, user=head)  # within the coordinator's reach
    return {
        "kumla": kumla,
        "coordinator": coordinator.user,
        # a coordinator of a network Kumla has nobody in: sees Kumla, names nobody for it
        "other_coordinator": MembershipFactory(role=Role.COORDINATOR).user,
        "member": MembershipFactory(network=coordinator.network, role=Role.MEMBER).user,
        "nobody": UserFactory(),
        "head": head,
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


# ------------------------------------------------------- who sees the organisation's people


@pytest.fixture
def kumla_in_private_groups(setup):
    """Kumla's approver, and its representative in a management group that only its own
    members see."""
    kumla = setup["kumla"]
    approver = UserFactory(full_name="Kerstin Godkännare")
    Affiliation.objects.create(user=approver, organisation=kumla, can_approve=True, title="Chef")
    private = NetworkFactory(name="KC/RD hemlig", kind=Network.Kind.MANAGEMENT_GROUP)
    MembershipFactory(
        network=private,
        organisation=kumla,
        role=Role.SIGNATORY,
        user=UserFactory(full_name="Hemlig Direktör"),
    )
    return setup


def test_an_outsider_sees_only_the_organisations_public_facts(client, kumla_in_private_groups):
    client.force_login(kumla_in_private_groups["other_coordinator"])
    response = client.get(
        reverse("networks:organisation", args=[kumla_in_private_groups["kumla"].pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kumla kommun" in page
    assert "Kommun" in page
    for hidden in ("Kerstin Godkännare", "Chef", "KC/RD hemlig", "Hemlig Direktör"):
        assert hidden not in page, hidden
    assert "visas för dem som deltar i ett nätverk" in page


def test_a_member_sees_the_linked_people_and_only_the_networks_they_see(
    client, kumla_in_private_groups
):
    client.force_login(kumla_in_private_groups["member"])
    page = client.get(
        reverse("networks:organisation", args=[kumla_in_private_groups["kumla"].pk])
    ).content.decode()
    assert "Kerstin Godkännare" in page
    assert "KC/RD hemlig" not in page
    assert "Hemlig Direktör" not in page


# ------------------------------------------- the link form does not tell who has an account


def test_an_account_outside_the_coordinators_networks_gets_the_answer_of_no_account(client, setup):
    UserFactory(email="annan.lan@example.org")  # an account, in nobody's network of theirs
    MembershipFactory(user=UserFactory(email="kronoberg@example.org"))  # in another network
    client.force_login(setup["coordinator"])
    url = reverse("networks:organisation", args=[setup["kumla"].pk])
    form = find_form(client.get(url), "email")

    def answer(email):
        response = client.post(url, values(form, email=email, title="Chef"))
        page = response.content.decode().replace(email, "ADDRESS")
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)  # masked anew
        return response.status_code, page[page.index("<main") :]

    before = snapshot()
    nobody = answer("ingen@example.org")
    assert nobody[0] == 400
    assert "Ingen med den e-postadressen deltar i dina nätverk" in nobody[1]
    assert answer("annan.lan@example.org") == nobody
    assert answer("kronoberg@example.org") == nobody
    assert snapshot() == before


def test_many_representatives_are_listed_first_by_name_with_a_link_to_all(
    client, setup, monkeypatch
):
    """Past the limit, the page lists the first by name and links to the whole list; only
    the networks the person sees are counted."""
    from networks.views import organisations as organisation_views

    monkeypatch.setattr(organisation_views, "REPRESENTATIVES_SHOWN", 2)
    kumla, network = setup["kumla"], setup["coordinator"].memberships.get().network
    for name in ("Berit", "Cecilia", "Anna"):
        MembershipFactory(network=network, organisation=kumla, user=UserFactory(full_name=name))
    MembershipFactory(organisation=kumla, user=UserFactory(full_name="Dold"))  # not seen
    client.force_login(setup["member"])
    url = reverse("networks:organisation", args=[kumla.pk])

    page = client.get(url).content.decode()

    shown = re.findall(r"<li>([^<–]+) – ", page)
    assert [name.strip() for name in shown] == ["Anna", "Berit"]
    assert 'href="?representanter=alla#members-heading"' in page
    assert "Visa alla 4" in page  # Anna, Berit, Cecilia and the first member of the setup

    page = client.get(url, {"representanter": "alla"}).content.decode()

    shown = [name.strip() for name in re.findall(r"<li>([^<–]+) – ", page)]
    assert shown[:3] == ["Anna", "Berit", "Cecilia"]
    assert len(shown) == 4
    assert "Dold" not in page
    assert 'href="?representanter=alla' not in page
