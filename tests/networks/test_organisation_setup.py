"""Adding organisations and editing their registry address, number and contact: who may, what
is refused (a wrong or taken number, a taken name, a bad address), and the history."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from networks import services
from networks.errors import (
    DuplicateOrganisation,
    InvalidOrganisationEmail,
    InvalidOrganisationNumber,
    NotAllowed,
    NotFound,
)
from networks.models import Network, Organisation, Role
from networks.organisation_numbers import luhn_ok, normalise_organisation_number
from tests.factories import MembershipFactory, NetworkFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

FACTS = {"name": "Örebro läns bygdegårdsdistrikt", "kind": "civil_society"}


@pytest.fixture
def world():
    group = NetworkFactory(name="Arbetsgruppen")
    writing = NetworkFactory(name="Skrivgruppen", parent=group, kind=Network.Kind.WRITING_GROUP)
    kumla = OrganisationFactory(name="Kumla kommun", organisation_number="212000-1355")
    MembershipFactory(network=writing, organisation=kumla)  # Kumla takes part below the group
    return {
        "kumla": kumla,
        "coordinator": MembershipFactory(network=group, role=Role.COORDINATOR).user,
        "chair": MembershipFactory(network=group, role=Role.CHAIR).user,
        "member": MembershipFactory(network=group, role=Role.MEMBER).user,
        "other_coordinator": MembershipFactory(role=Role.COORDINATOR).user,
        "nobody": UserFactory(),
    }


def snapshot():
    return (
        sorted(Organisation.objects.values_list(*["pk", *services.ORGANISATION_FIELDS])),
        Organisation.history.count(),
    )


# -------------------------------------------------------------------- organisation numbers


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("212000-1355", "212000-1355"),
        ("2120001355", "212000-1355"),
        (" 212000 - 1355 ", "212000-1355"),
        ("16212000-1355", "212000-1355"),
        ("", ""),
    ],
)
def test_an_organisation_number_is_stored_in_one_form(typed, stored):
    assert normalise_organisation_number(typed) == stored


@pytest.mark.parametrize("typed", ["212000-1354", "21200-01355", "abcdef-ghij", "212000-13555"])
def test_a_number_with_a_wrong_check_digit_or_shape_is_refused(typed):
    with pytest.raises(ValidationError, match=r"organisationsnummer|organisation number"):
        normalise_organisation_number(typed)


def test_the_luhn_check_digit():
    assert luhn_ok("5560360793")
    assert not luhn_ok("5560360794")


# ---------------------------------------------------------------------------------- adding


@pytest.mark.parametrize("who", ["coordinator", "chair", "other_coordinator"])
def test_a_chair_or_coordinator_of_any_network_adds_an_organisation(world, who):
    organisation = services.add_organisation(
        by_user=world[who],
        **FACTS,
        organisation_number="8024567896",
        registry_email=" Registrator@Bygdegardarna.se ",
        contact_name="Eva Ek",
    )
    organisation.refresh_from_db()
    assert organisation.organisation_number == "802456-7896"
    assert organisation.registry_email == "registrator@bygdegardarna.se"
    assert organisation.history.get().history_user == world[who]


@pytest.mark.parametrize(("who", "refusal"), [("member", NotAllowed), ("nobody", NotFound)])
def test_others_may_not_add_one_and_nothing_is_added(world, who, refusal):
    before = snapshot()
    with pytest.raises(refusal):
        services.add_organisation(by_user=world[who], **FACTS)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("facts", "field", "names"),
    [
        ({**FACTS, "organisation_number": "2120001355"}, "organisation_number", "Kumla kommun"),
        ({**FACTS, "name": "KUMLA KOMMUN "}, "name", "Kumla kommun"),
    ],
    ids=["same number", "same name in other case"],
)
def test_a_duplicate_is_refused_and_names_the_existing_one(world, facts, field, names):
    before = snapshot()
    with pytest.raises(DuplicateOrganisation) as refused:
        services.add_organisation(by_user=world["coordinator"], **facts)
    assert refused.value.existing == world["kumla"]
    assert refused.value.field == field
    assert names in refused.value.message
    assert snapshot() == before


@pytest.mark.parametrize(
    ("facts", "refusal"),
    [
        ({**FACTS, "organisation_number": "212000-1354"}, InvalidOrganisationNumber),
        ({**FACTS, "registry_email": "registrator@"}, InvalidOrganisationEmail),
        ({**FACTS, "contact_email": "eva at example"}, InvalidOrganisationEmail),
    ],
)
def test_bad_input_is_refused_by_the_service_too(world, facts, refusal):
    before = snapshot()
    with pytest.raises(refusal):
        services.add_organisation(by_user=world["coordinator"], **facts)
    assert snapshot() == before


# --------------------------------------------------------------------------------- editing


@pytest.mark.parametrize("who", ["coordinator", "chair"])
def test_a_manager_of_a_network_it_takes_part_in_edits_it_and_the_history_says_who(world, who):
    kumla = world["kumla"]
    services.edit_organisation(
        kumla, by_user=world[who], registry_email="kommun@kumla.se", contact_phone="019-58 80 00"
    )
    kumla.refresh_from_db()
    assert (kumla.registry_email, kumla.contact_phone) == ("kommun@kumla.se", "019-58 80 00")
    assert kumla.organisation_number == "212000-1355"  # what was not given is kept
    latest = kumla.history.first()
    assert latest.history_user == world[who]
    assert latest.registry_email == "kommun@kumla.se"


@pytest.mark.parametrize(
    ("who", "refusal"),
    [("other_coordinator", NotAllowed), ("member", NotAllowed), ("nobody", NotFound)],
)
def test_others_may_not_edit_it_and_nothing_changes(world, who, refusal):
    before = snapshot()
    with pytest.raises(refusal):
        services.edit_organisation(world["kumla"], by_user=world[who], registry_email="x@y.se")
    assert snapshot() == before


def test_taking_another_organisations_number_is_refused(world):
    OrganisationFactory(name="Hallsbergs kommun", organisation_number="212000-2072")
    before = snapshot()
    with pytest.raises(DuplicateOrganisation, match="Hallsbergs kommun"):
        services.edit_organisation(
            world["kumla"], by_user=world["coordinator"], organisation_number="2120002072"
        )
    assert snapshot() == before


def test_saving_the_same_facts_adds_no_history(world):
    before = snapshot()
    services.edit_organisation(
        world["kumla"], by_user=world["coordinator"], organisation_number="2120001355"
    )
    assert snapshot() == before


# ------------------------------------------------------------------------------- the pages


def test_the_page_keeps_what_was_typed_and_says_what_is_wrong_in_swedish(client, world):
    client.force_login(world["coordinator"])
    url = reverse("networks:edit_organisation", args=[world["kumla"].pk])
    before = snapshot()
    response = client.post(
        url,
        {
            "name": "Kumla kommun",
            "kind": "municipality",
            "organisation_number": "212000-1354",
            "registry_email": "kommun@kumla.se",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "inte ett giltigt organisationsnummer" in page
    assert 'value="212000-1354"' in page
    assert 'value="kommun@kumla.se"' in page
    assert snapshot() == before


def test_a_duplicate_links_to_the_organisation_already_there(client, world):
    client.force_login(world["coordinator"])
    before = snapshot()
    response = client.post(
        reverse("networks:add_organisation"),
        {**FACTS, "name": "kumla kommun", "registry_email": "a@b.se"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'href="{world["kumla"].get_absolute_url()}"' in page
    assert "Det finns redan en organisation som heter Kumla kommun" in page
    assert 'value="a@b.se"' in page
    assert snapshot() == before


@pytest.mark.parametrize(
    ("who", "add_link", "change_link"),
    [
        ("coordinator", True, True),
        ("other_coordinator", True, False),
        ("member", False, False),
    ],
)
def test_the_links_are_shown_only_to_those_who_may(client, world, who, add_link, change_link):
    world["kumla"].registry_email = "registrator@kumla.se"
    world["kumla"].save()
    client.force_login(world[who])
    listing = client.get(reverse("networks:organisations")).content.decode()
    assert (reverse("networks:add_organisation") in listing) is add_link
    page = client.get(world["kumla"].get_absolute_url()).content.decode()
    assert "registrator@kumla.se" in page
    assert "212000-1355" in page
    edit = reverse("networks:edit_organisation", args=[world["kumla"].pk])
    assert (edit in page) is change_link


def test_who_added_it_corrects_it_until_it_takes_part_somewhere(world):
    added = services.add_organisation(by_user=world["other_coordinator"], **FACTS)
    services.edit_organisation(
        added, by_user=world["other_coordinator"], registry_email="info@bygd.se"
    )
    with pytest.raises(NotAllowed):  # another coordinator, of a network it is not in
        services.edit_organisation(added, by_user=world["coordinator"], registry_email="a@b.se")
    # Once it takes part in the coordinator's network, that network's managers answer for it.
    MembershipFactory(network=Network.objects.get(name="Arbetsgruppen"), organisation=added)
    with pytest.raises(NotAllowed):
        services.edit_organisation(
            added, by_user=world["other_coordinator"], registry_email="x@bygd.se"
        )
    services.edit_organisation(added, by_user=world["coordinator"], registry_email="a@b.se")
    added.refresh_from_db()
    assert added.registry_email == "a@b.se"
