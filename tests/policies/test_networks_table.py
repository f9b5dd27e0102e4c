"""Networks, organisations and people: who may do what (networks/policies.py), and the three
faces of each rule agree."""

import pytest

from networks import registry
from networks.models import Affiliation, Network, Organisation, Role
from networks.permissions import Action, SetUpAction
from networks.policies import NetworkPolicy, PersonAction
from tests.factories import MembershipFactory, NetworkFactory, OrganisationFactory, UserFactory
from tests.policies.faces import disagreements
from tests.policies.table import check, fresh

MODELS = ["networks.Network", "networks.Organisation", "networks.User"]

pytestmark = pytest.mark.django_db

DOCS = "view_document follow_documents create_document edit_document publish_version"
PROCESS = "take_part run_process answer_feedback record_decision"
SET_UP = "create_subgroup archive_network"
NETWORK_TABLE = f"""
in state: active
  chair                          view_network manage_members {SET_UP} {DOCS} {PROCESS}
  coordinator                    view_network manage_members {SET_UP} {DOCS} {PROCESS}
  writer                         view_network {DOCS} take_part answer_feedback
  member                         view_network view_document follow_documents take_part
  signatory                      view_network view_document follow_documents take_part
  observer                       view_network view_document follow_documents
  chair of the network above     view_network manage_members {SET_UP} view_document
  member of the network above    view_network view_document
  writer in its writing group    {DOCS} take_part answer_feedback
  member of its writing group    view_document follow_documents take_part
  observer in its writing group  view_document follow_documents
  member of a sibling            -
  outsider                       -
in state: archived
  chair                          view_network restore_network view_document follow_documents
  coordinator                    view_network restore_network view_document follow_documents
  writer                         view_network view_document follow_documents
  member                         view_network view_document follow_documents
  signatory                      view_network view_document follow_documents
  observer                       view_network view_document follow_documents
  chair of the network above     view_network restore_network view_document
  member of the network above    view_network view_document
  writer in its writing group    view_document follow_documents
  member of its writing group    view_document follow_documents
  observer in its writing group  view_document follow_documents
  member of a sibling            -
  outsider                       -
"""


@pytest.fixture
def world():
    above = NetworkFactory(name="Regionalt nätverk")
    group = NetworkFactory(name="Arbetsgrupp", parent=above)
    writing = NetworkFactory(name="Skrivgrupp", parent=group, kind=Network.Kind.WRITING_GROUP)
    sibling = NetworkFactory(name="Annan arbetsgrupp", parent=above)

    def member(network, role):
        return MembershipFactory(network=network, role=role).user

    people = {
        "chair": member(group, Role.CHAIR),
        "coordinator": member(group, Role.COORDINATOR),
        "writer": member(group, Role.WRITER),
        "member": member(group, Role.MEMBER),
        "signatory": member(group, Role.SIGNATORY),
        "observer": member(group, Role.OBSERVER),
        "chair of the network above": member(above, Role.CHAIR),
        "member of the network above": member(above, Role.MEMBER),
        "writer in its writing group": member(writing, Role.WRITER),
        "member of its writing group": member(writing, Role.MEMBER),
        "observer in its writing group": member(writing, Role.OBSERVER),
        "member of a sibling": member(sibling, Role.MEMBER),
        "outsider": UserFactory(),
    }
    return people, {"above": above, "group": group, "writing": writing, "sibling": sibling}


def archived(network, flag):
    def make():
        Network.objects.filter(pk=network.pk).update(archived=flag)
        network.refresh_from_db()
        return network

    return make


def test_networks_table(world):
    people, networks = world
    group = networks["group"]
    check(
        "networks.Network",
        NETWORK_TABLE,
        {who: (lambda p=p: p) for who, p in people.items()},
        {"active": archived(group, False), "archived": archived(group, True)},
    )


@pytest.mark.parametrize("archive", [False, True])
def test_the_three_faces_of_the_network_rules_agree(world, archive):
    people, networks = world
    for network in networks.values():
        Network.objects.filter(pk=network.pk).update(archived=archive)
        network.refresh_from_db()
    found = disagreements(people, networks.values(), sorted(NetworkPolicy.all_actions))
    assert found == []


def test_who_may_create_a_new_network(world):
    """A new top-level network is set up by someone who already sets groups up: a chair or
    coordinator of an active network (or of one above it). Nobody else, and not through an
    archived network."""
    people, networks = world
    may = {who for who, p in people.items() if registry.may(p, SetUpAction.CREATE_NETWORK, Network)}
    assert may == {"chair", "coordinator", "chair of the network above"}

    Network.objects.filter(pk__in=[n.pk for n in networks.values()]).update(archived=True)
    may = {
        who
        for who, p in people.items()
        if registry.may(fresh(p), SetUpAction.CREATE_NETWORK, Network)
    }
    assert may == set()


SEES_PEOPLE = "view_organisation view_organisation_people"
ORGANISATION_TABLE = f"""
in state: taking part in the group
  affiliated                     view_organisation view_organisation_people
  coordinator of the group       {SEES_PEOPLE} manage_affiliations edit_organisation
  chair of the group             view_organisation view_organisation_people edit_organisation
  member of the group            view_organisation view_organisation_people
  chair of the network above     view_organisation view_organisation_people edit_organisation
  member of the network above    view_organisation view_organisation_people
  chair of a sibling             view_organisation
  member of a sibling            view_organisation
  chair of an archived network   view_organisation view_organisation_people
  outsider                       -
in state: taking part in its writing group only
  coordinator of the group       view_organisation view_organisation_people edit_organisation
  member of the group            view_organisation view_organisation_people
  chair of a sibling             view_organisation
  outsider                       -
in state: added by the chair of a sibling, taking part nowhere yet
  coordinator of the group       view_organisation
  chair of a sibling             view_organisation edit_organisation
  member of a sibling            view_organisation
  outsider                       -
in state: not yet added
  affiliated                     view_organisation
  coordinator of the group       view_organisation add_organisation
  chair of the group             view_organisation add_organisation
  member of the group            view_organisation
  chair of the network above     view_organisation add_organisation
  member of the network above    view_organisation
  chair of a sibling             view_organisation add_organisation
  member of a sibling            view_organisation
  chair of an archived network   view_organisation
  outsider                       -
"""


def test_organisations_table(world):
    people, networks = world
    kumla = OrganisationFactory(name="Kumla kommun")
    MembershipFactory(network=networks["group"], organisation=kumla)
    affiliated = MembershipFactory(network=networks["sibling"]).user
    Affiliation.objects.create(user=affiliated, organisation=kumla)
    # Örebro has someone only in the writing group under the group.
    orebro = OrganisationFactory(name="Örebro kommun")
    MembershipFactory(network=networks["writing"], organisation=orebro)
    # A chair of an archived network that Kumla takes part in: the network is only read.
    archived_network = NetworkFactory(name="Avslutat nätverk", archived=True)
    MembershipFactory(network=archived_network, organisation=kumla)
    archived_chair = MembershipFactory(network=archived_network, role=Role.CHAIR).user
    sibling_chair = MembershipFactory(network=networks["sibling"], role=Role.CHAIR).user
    # One the sibling's chair added, that nobody represents yet: they may correct it.
    added = Organisation(name="Ny förening", kind=Organisation.Kind.CIVIL_SOCIETY)
    added._history_user = sibling_chair
    added.save()
    cast = {
        "affiliated": lambda: affiliated,
        "coordinator of the group": lambda: people["coordinator"],
        "chair of the group": lambda: people["chair"],
        "member of the group": lambda: people["member"],
        "chair of the network above": lambda: people["chair of the network above"],
        "member of the network above": lambda: people["member of the network above"],
        "chair of a sibling": lambda: sibling_chair,
        "member of a sibling": lambda: people["member of a sibling"],
        "chair of an archived network": lambda: archived_chair,
        "outsider": lambda: people["outsider"],
    }
    check(
        "networks.Organisation",
        ORGANISATION_TABLE,
        cast,
        {
            "taking part in the group": lambda: kumla,
            "taking part in its writing group only": lambda: orebro,
            "added by the chair of a sibling, taking part nowhere yet": lambda: added,
            "not yet added": lambda: Organisation(name="Ännu en förening"),
        },
    )
    assert (
        disagreements(
            {w: make() for w, make in cast.items()},
            [kumla, orebro, added, OrganisationFactory(name="Forskningsinstitutet")],
            [
                Action.VIEW_ORGANISATION,
                Action.VIEW_ORGANISATION_PEOPLE,
                Action.EDIT_ORGANISATION,
            ],
            users_for=False,
        )
        == []
    )


PERSON_TABLE = """
in state: expert of an organisation taking part in the group
  member of the group            view_person
  member of a sibling            -
  outsider                       -
in state: expert of an organisation taking part nowhere
  member of the group            -
  member of a sibling            -
  outsider                       -
in state: member of the group
  member of the group            view_person
  member of a sibling            -
  outsider                       -
"""


def test_who_sees_whom(world):
    """A person is seen (and may be named: consulted by name, linked to an organisation) by
    those who see a network they are in, or the people of an organisation they are linked to;
    to anyone else they are an address without an account."""
    people, networks = world
    institute = OrganisationFactory(name="Forskningsinstitutet")
    MembershipFactory(network=networks["group"], organisation=institute)
    expert = UserFactory(full_name="Expert")
    Affiliation.objects.create(user=expert, organisation=institute)
    loner = UserFactory(full_name="Ensam expert")
    Affiliation.objects.create(user=loner, organisation=Organisation.objects.create(name="Annat"))
    cast = {
        "member of the group": lambda: people["member"],
        "member of a sibling": lambda: people["member of a sibling"],
        "outsider": lambda: people["outsider"],
    }
    check(
        "networks.User",
        PERSON_TABLE,
        cast,
        {
            "expert of an organisation taking part in the group": lambda: expert,
            "expert of an organisation taking part nowhere": lambda: loner,
            "member of the group": lambda: people["member"],
        },
    )
    found = disagreements(
        {w: make() for w, make in cast.items()},
        [expert, loner],
        [PersonAction.VIEW],
        users_for=False,
    )
    assert found == []
    assert registry.can(people["member"], PersonAction.VIEW, expert)
