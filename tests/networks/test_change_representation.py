"""A member comes to represent another organisation (or none): the old representation is kept
in the record, the person stays a member (not a former one), and a refusal changes nothing."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from networks import selectors, services
from networks.errors import (
    AlreadyRepresents,
    MembershipEnded,
    NotAllowed,
    NotFound,
    OrganisationOutsideNetwork,
)
from networks.models import Membership, Network, Role
from tests.factories import MembershipFactory, NetworkFactory, OrganisationFactory, UserFactory
from tests.forms import page_text, parse

pytestmark = pytest.mark.django_db

SINCE = date(2022, 3, 1)


def snapshot():
    """Everything a change of organisation writes, to prove a refusal wrote nothing."""
    return (
        sorted(
            Membership.objects.values_list(
                "id", "user_id", "network_id", "role", "organisation_id", "start_date", "end_date"
            )
        ),
        Membership.history.count(),
    )


@pytest.fixture
def group():
    """The working group: a chair, Mats (a writer for Kumla since 2022) and someone from Örebro,
    so that both municipalities take part in it."""
    network = NetworkFactory(name="Arbetsgruppen")
    kumla = OrganisationFactory(name="Kumla kommun")
    orebro = OrganisationFactory(name="Örebro kommun")
    chair = MembershipFactory(network=network, role=Role.CHAIR, organisation=None)
    mats = MembershipFactory(
        network=network,
        role=Role.WRITER,
        organisation=kumla,
        start_date=SINCE,
        user__full_name="Mats Medlem",
    )
    MembershipFactory(network=network, role=Role.MEMBER, organisation=orebro)
    return {"network": network, "chair": chair.user, "mats": mats, "kumla": kumla, "orebro": orebro}


# -- the service ---------------------------------------------------------------------------------


def test_a_new_organisation_ends_the_old_membership_today_and_starts_one_with_the_same_role(group):
    today = timezone.localdate()

    new = services.change_representation(
        group["mats"], by_user=group["chair"], organisation=group["orebro"]
    )

    old = Membership.objects.get(pk=group["mats"].pk)
    assert (old.organisation, old.start_date, old.end_date) == (group["kumla"], SINCE, today)
    assert not old.is_active()
    assert new.pk != old.pk
    assert (new.user, new.network, new.role) == (old.user, group["network"], Role.WRITER)
    assert (new.organisation, new.start_date, new.end_date) == (group["orebro"], today, None)
    assert list(Membership.objects.active().filter(user=old.user)) == [new]
    assert old.history.first().history_user == group["chair"]
    assert new.history.get().history_user == group["chair"]


def test_a_planned_end_goes_with_the_new_organisation(group):
    planned = timezone.localdate() + timedelta(days=90)
    services.end_membership(group["mats"], by_user=group["chair"], on=planned)

    new = services.change_representation(
        group["mats"], by_user=group["chair"], organisation=group["orebro"]
    )

    assert new.end_date == planned
    assert Membership.objects.get(pk=group["mats"].pk).end_date == timezone.localdate()


def test_a_member_can_come_to_represent_no_organisation_and_then_one_again(group):
    none = services.change_representation(group["mats"], by_user=group["chair"], organisation=None)
    assert none.organisation is None
    # the same day: a correction of the change, made in place (its history keeps it)
    again = services.change_representation(
        none, by_user=group["chair"], organisation=group["orebro"]
    )
    assert again.pk == none.pk
    assert again.organisation == group["orebro"]
    assert [h.organisation_id for h in again.history.all()] == [group["orebro"].pk, None]


def test_a_membership_that_started_today_is_corrected_in_place(group):
    newcomer = MembershipFactory(network=group["network"], organisation=group["kumla"])

    changed = services.change_representation(
        newcomer, by_user=group["chair"], organisation=group["orebro"]
    )

    assert changed.pk == newcomer.pk
    assert Membership.objects.filter(user=newcomer.user).count() == 1
    assert changed.organisation == group["orebro"]
    assert changed.history.first().history_user == group["chair"]


def test_the_only_chair_changes_their_own_organisation_and_stays_chair(group):
    chair = Membership.objects.get(user=group["chair"])
    Membership.objects.filter(pk=chair.pk).update(start_date=SINCE)

    new = services.change_representation(chair, by_user=group["chair"], organisation=group["kumla"])

    assert new.role == Role.CHAIR
    assert new.is_active()


def test_the_same_organisation_is_refused_with_a_reason(group):
    before = snapshot()
    with pytest.raises(AlreadyRepresents, match="Mats Medlem företräder redan Kumla kommun"):
        services.change_representation(
            group["mats"], by_user=group["chair"], organisation=group["kumla"]
        )
    assert snapshot() == before


def test_no_organisation_for_someone_who_represents_none_is_refused(group):
    chair = Membership.objects.get(user=group["chair"])
    before = snapshot()
    with pytest.raises(
        AlreadyRepresents, match="företräder ingen organisation nu: det finns inget att ändra"
    ):
        services.change_representation(chair, by_user=group["chair"], organisation=None)
    assert snapshot() == before


def test_an_ended_membership_is_refused(group):
    services.end_membership(group["mats"], by_user=group["chair"])
    before = snapshot()
    with pytest.raises(MembershipEnded):
        services.change_representation(
            group["mats"], by_user=group["chair"], organisation=group["orebro"]
        )
    assert snapshot() == before


def test_an_organisation_outside_the_networks_tree_is_refused(group):
    elsewhere = MembershipFactory(network=NetworkFactory(name="Kronoberg")).organisation
    before = snapshot()
    with pytest.raises(OrganisationOutsideNetwork):
        services.change_representation(
            group["mats"], by_user=group["chair"], organisation=elsewhere
        )
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.MEMBER, Role.WRITER, Role.SIGNATORY, Role.OBSERVER])
def test_only_those_who_manage_members_change_an_organisation(group, member_of, role):
    person = member_of(group["network"], role)
    before = snapshot()
    with pytest.raises(NotAllowed):
        services.change_representation(group["mats"], by_user=person, organisation=group["orebro"])
    assert snapshot() == before


def test_an_outsider_is_not_told_the_membership_exists(group):
    before = snapshot()
    with pytest.raises(NotFound):
        services.change_representation(
            group["mats"], by_user=UserFactory(), organisation=group["orebro"]
        )
    assert snapshot() == before


def test_nothing_changes_in_an_archived_network(group):
    Network.objects.filter(pk=group["network"].pk).update(archived=True)
    before = snapshot()
    with pytest.raises(NotAllowed):
        services.change_representation(
            group["mats"], by_user=group["chair"], organisation=group["orebro"]
        )
    assert snapshot() == before


# -- what the lists show -------------------------------------------------------------------------


def test_the_member_is_listed_with_the_new_organisation_and_not_as_a_former_member(group):
    services.change_representation(
        group["mats"], by_user=group["chair"], organisation=group["orebro"]
    )

    [mats] = [m for m in selectors.list_members(group["network"]) if m.user == group["mats"].user]
    assert mats.organisation == group["orebro"]
    assert [e.organisation for e in mats.earlier] == [group["kumla"]]
    assert selectors.list_former_members(group["network"]) == []


def test_someone_who_left_after_a_change_is_a_former_member_with_both_organisations(group):
    new = services.change_representation(
        group["mats"], by_user=group["chair"], organisation=group["orebro"]
    )
    services.end_membership(new, by_user=group["chair"])

    former = selectors.list_former_members(group["network"])

    assert {m.organisation for m in former} == {group["kumla"], group["orebro"]}
    assert all(not m.is_active() for m in former)


def test_the_pages_show_the_earlier_organisation_in_the_members_row(client, group):
    services.change_representation(
        group["mats"], by_user=group["chair"], organisation=group["orebro"]
    )
    client.force_login(group["chair"])
    year = timezone.localdate().year
    for name in ("networks:members", "networks:detail"):
        response = client.get(reverse(name, args=[group["network"].pk]))
        root = parse(response.content.decode())
        [table] = [n for n in root.walk() if n.tag == "table" and "Mats Medlem" in n.text()]
        [row] = [r for r in table.walk() if r.tag == "tr" and "Mats Medlem" in r.text()]
        line = " ".join(row.text().split())
        assert "Örebro kommun" in line
        assert f"Företrädde tidigare Kumla kommun (2022–{year})" in line
        assert "Tidigare medlemmar" not in page_text(response)


def test_the_role_changed_in_place_keeps_the_earlier_organisation_in_its_row(client, group):
    new = services.change_representation(
        group["mats"], by_user=group["chair"], organisation=group["orebro"]
    )
    client.force_login(group["chair"])
    url = reverse("networks:change_role", args=[group["network"].pk, new.pk])
    row = client.post(url, {"role": "member"}, HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    assert "Företrädde tidigare Kumla kommun" in page_text(row)


# -- the page: bad input comes back with the reason and changes nothing ---------------------------


def _url(group, membership=None):
    membership = membership or group["mats"]
    return reverse("networks:change_representation", args=[group["network"].pk, membership.pk])


@pytest.mark.parametrize("forged", ["999999", "inte-ett-id"])
def test_an_organisation_that_does_not_exist_is_a_form_error(client, group, forged):
    client.force_login(group["chair"])
    before = snapshot()
    response = client.post(_url(group), {"organisation": forged})
    assert response.status_code == 400
    assert "Välj en av organisationerna i listan." in page_text(response)
    assert snapshot() == before


def test_an_organisation_from_another_county_cannot_be_forged_into_the_form(client, group):
    elsewhere = MembershipFactory(network=NetworkFactory(name="Kronoberg")).organisation
    client.force_login(group["chair"])
    before = snapshot()
    response = client.post(_url(group), {"organisation": elsewhere.pk})
    assert response.status_code == 400
    assert elsewhere.name not in page_text(response)
    assert snapshot() == before


def test_the_page_of_a_membership_that_has_since_ended_says_so(client, group):
    services.end_membership(group["mats"], by_user=group["chair"])
    client.force_login(group["chair"])
    page = client.get(_url(group))
    assert page.status_code == 200
    assert "Medlemskapet har redan avslutats." in page_text(page)
    before = snapshot()
    response = client.post(_url(group), {"organisation": group["orebro"].pk})
    assert response.status_code == 400
    assert "Medlemskapet har redan avslutats." in page_text(response)
    assert snapshot() == before


def test_sending_the_form_twice_is_refused_the_second_time(client, group):
    client.force_login(group["chair"])
    assert client.post(_url(group), {"organisation": group["orebro"].pk}).status_code == 302
    before = snapshot()
    again = client.post(_url(group), {"organisation": group["orebro"].pk})
    assert again.status_code == 400
    assert "Medlemskapet har redan avslutats." in page_text(again)
    assert snapshot() == before


def test_a_membership_of_another_network_is_not_found(client, group):
    other = MembershipFactory(network=NetworkFactory())
    client.force_login(group["chair"])
    url = reverse("networks:change_representation", args=[group["network"].pk, other.pk])
    before = snapshot()
    assert client.get(url).status_code == 404
    assert client.post(url, {"organisation": ""}).status_code == 404
    assert snapshot() == before
