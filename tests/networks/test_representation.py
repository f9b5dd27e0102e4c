"""Speaking for an organisation: a chair may only invite people to represent organisations that
take part in the network's tree, and a membership speaks for its organisation only in rounds
whose consultation reaches that membership's network (or through the organisation's own link).

The attack from the issue, on the demo: the chair of Föräldraskapsstöd Kronoberg invites someone
"representing" Kumla kommun, who would then read Örebro's rounds, comment for Kumla and answer
for it.
"""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from consultations.demo import AUGUST, NOVEMBER
from consultations.models import Comment, Consultee, ReviewRound
from consultations.policies.actions import ConsulteeAction, RoundAction
from networks import registry, services
from networks.demo import ARBETSGRUPP, CHEFSNATVERK, KRONOBERG, LANSSAMVERKAN, SKRIVARGRUPP
from networks.errors import OrganisationOutsideNetwork
from networks.models import Invitation, Membership, Network, Organisation, Role, User
from networks.permissions import representable_organisations
from notifications.models import Notification
from tests.consultations.speaking import acting_for, people_of, speaks_for
from tests.factories import MembershipFactory, NetworkFactory, UserFactory
from tests.networks.forms import find_form, options, values
from workspace.dashboard import my_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())
    return {
        "kronoberg": Network.objects.get(name=KRONOBERG),
        "working_group": Network.objects.get(name=ARBETSGRUPP),
        "kumla": Organisation.objects.get(name="Kumla kommun"),
        "kronoberg_chair": User.objects.get(email="outsider@example.org"),
        "open_round": ReviewRound.objects.get(title=NOVEMBER),
        "august": ReviewRound.objects.get(title=AUGUST),
    }


def members_url(network):
    return reverse("networks:members", args=[network.pk])


def state():
    return (
        sorted(Invitation.objects.values_list("pk", "email", "organisation_id")),
        Membership.objects.count(),
        Notification.objects.count(),
    )


# ---------------------------------------------------------------- choosing the organisation


def test_the_invitation_form_does_not_offer_another_countys_organisations(client, demo):
    client.force_login(demo["kronoberg_chair"])
    form = find_form(client.get(members_url(demo["kronoberg"])), "organisation")
    offered = set(options(form, "organisation").values())
    assert "Kumla kommun" not in offered
    assert offered - {"— ingen organisation —"} == {"Region Kronoberg", "Växjö kommun"}


def test_a_forged_invitation_representing_kumla_is_refused_and_nothing_is_created(client, demo):
    client.force_login(demo["kronoberg_chair"])
    url = members_url(demo["kronoberg"])
    form = find_form(client.get(url), "organisation")
    before = state()

    response = client.post(
        url, values(form, email="spion@example.org", organisation=demo["kumla"].pk)
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Den organisationen deltar inte i det här nätverket" in page
    assert 'value="spion@example.org"' in page  # what was typed stays
    assert state() == before


def test_the_service_refuses_an_organisation_outside_the_networks_tree(demo):
    before = state()
    with pytest.raises(OrganisationOutsideNetwork):
        services.invite_member(
            demo["kronoberg"],
            by_user=demo["kronoberg_chair"],
            email="spion@example.org",
            role=Role.MEMBER,
            organisation=demo["kumla"],
        )
    assert state() == before


def test_the_working_group_may_invite_someone_representing_kumla(client, demo):
    chair = User.objects.get(email="chair@example.org")
    client.force_login(chair)
    url = members_url(demo["working_group"])
    form = find_form(client.get(url), "organisation")
    assert "Kumla kommun" in options(form, "organisation").values()

    response = client.post(url, values(form, email="ny@example.org", organisation=demo["kumla"].pk))

    assert response.status_code == 302
    assert Invitation.objects.get(email="ny@example.org").organisation == demo["kumla"]


def test_the_tree_is_the_network_the_networks_above_it_and_the_groups_under_it(demo):
    working_group = demo["working_group"]
    writing_group = Network.objects.get(name=SKRIVARGRUPP)
    askersund = Organisation.objects.get(name="Askersunds kommun")  # only in Chefsnätverket
    sub = NetworkFactory(name="Undergrupp", parent=writing_group)
    MembershipFactory(network=sub, organisation=Organisation.objects.get(name="Nora kommun"))

    def names(network):
        return set(representable_organisations(network).values_list("name", flat=True))

    assert "Kumla kommun" in names(writing_group)  # from the working group above
    assert "Nora kommun" in names(working_group)  # from a group two levels under it
    assert askersund.name not in names(working_group)
    assert names(NetworkFactory(name="Ny grupp")) == set()  # nobody in its tree yet


# ------------------------------------------------ a membership forced in anyway speaks for nobody


@pytest.fixture
def spy(demo):
    """What the forged invitation would have made: a member of Kronoberg's network
    'representing' Kumla kommun."""
    person = UserFactory(email="spion@example.org")
    Membership.objects.create(
        user=person, network=demo["kronoberg"], role=Role.MEMBER, organisation=demo["kumla"]
    )
    return person


def test_a_kronoberg_member_representing_kumla_does_not_see_orebros_rounds(client, demo, spy):
    client.force_login(spy)
    kumla_party = demo["open_round"].consultees.get(organisation=demo["kumla"])
    urls = [
        demo["open_round"].get_absolute_url(),
        demo["august"].get_absolute_url(),
        reverse("consultations:report", args=[demo["august"].pk]),
        reverse("consultations:report_file", args=[demo["august"].pk, "docx"]),
        reverse("consultations:respond", args=[demo["open_round"].pk, kumla_party.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_a_kronoberg_member_representing_kumla_cannot_comment_for_kumla(client, demo, spy):
    client.force_login(spy)
    before = Comment.objects.count()
    response = client.post(
        reverse("consultations:comment_add", args=[demo["open_round"].pk]),
        {"kind": "remark", "body": "För Kumla kommun", "on_behalf_of": demo["kumla"].pk},
    )
    assert response.status_code == 404
    assert Comment.objects.count() == before
    assert acting_for(spy, demo["open_round"]) == set()


def test_a_kronoberg_member_representing_kumla_is_not_offered_kumlas_response(demo, spy):
    parties = list(Consultee.objects.filter(round=demo["open_round"]).select_related("round"))
    assert speaks_for(spy, parties) == []
    assert my_work(spy).owed == []
    kumla_party = next(p for p in parties if p.organisation_id == demo["kumla"].pk)
    assert ConsulteeAction.RESPOND not in registry.actions(spy, kumla_party)


def test_kronobergs_people_are_not_told_about_orebros_rounds_for_kumla(demo, spy):
    assert spy not in people_of(demo["open_round"])


# -------------------------------------------------------------- the ties a round does grant


def test_a_member_of_the_working_group_from_kumla_comments_for_kumla(client, demo):
    member = User.objects.get(email="member@example.org")
    client.force_login(member)
    round_page = client.get(demo["open_round"].get_absolute_url())
    form = find_form(round_page, "on_behalf_of")
    assert "Kumla kommun" in options(form, "on_behalf_of").values()

    response = client.post(
        form.action or demo["open_round"].get_absolute_url(),
        values(form, body="Vi saknar ett avsnitt om uppföljning.", on_behalf_of=demo["kumla"].pk),
    )

    assert response.status_code == 302
    assert Comment.objects.latest("pk").on_behalf_of == demo["kumla"]


def test_a_representative_in_a_network_the_round_does_not_reach_speaks_only_once_it_is_consulted(
    demo,
):
    """A member of the county network (not the working group's tree) from Kumla, with no link
    to Kumla: speaks for Kumla once the county network is consulted, not before."""
    county = Network.objects.get(name=LANSSAMVERKAN)
    person = MembershipFactory(network=county, organisation=demo["kumla"]).user
    review_round = demo["open_round"]
    kumla_party = review_round.consultees.get(organisation=demo["kumla"])

    assert RoundAction.VIEW not in registry.actions(person, review_round)
    assert speaks_for(person, [kumla_party]) == []

    Consultee.objects.create(round=review_round, network=county)
    person = User.objects.get(pk=person.pk)  # a fresh request

    assert RoundAction.COMMENT in registry.actions(person, review_round)
    assert acting_for(person, review_round) == {demo["kumla"].pk}
    assert speaks_for(person, [kumla_party]) == [kumla_party]
    assert ConsulteeAction.RESPOND in registry.actions(person, kumla_party)


def test_a_member_of_a_consulted_network_from_kumla_speaks_for_kumla(demo):
    managers = Network.objects.get(name=CHEFSNATVERK)  # consulted in the open round
    person = MembershipFactory(network=managers, organisation=demo["kumla"]).user
    kumla_party = demo["open_round"].consultees.get(organisation=demo["kumla"])
    assert ConsulteeAction.RESPOND in registry.actions(person, kumla_party)
    assert person in people_of(demo["open_round"], [kumla_party])
