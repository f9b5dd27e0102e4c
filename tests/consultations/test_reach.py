"""Reaching the parties, the chair's side: a person outside Samverka is consulted by e-mail
address alone; the round tells how each party is reached; the chair sends a party its guest link
again, or withdraws it, while the round is open, and nobody else does."""

import pytest

from consultations import guests
from consultations.errors import InvalidTransition, NotAnAddress
from consultations.models import Consultee, GuestLink, GuestPass
from consultations.services import rounds as round_services
from networks.errors import NotAllowed, NotFound
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def consult(world, who="chair", **parties):
    return round_services.add_consultees(world["round"], by_user=world["people"][who], **parties)


def links_of(consultee):
    return list(
        GuestLink.objects.filter(guest_pass__consultee=consultee).values_list("reason", flat=True)
    )


def snapshot():
    return (
        sorted(Consultee.objects.values_list("id", "outside_email", "person_id")),
        sorted(GuestPass.objects.values_list("id", "email", "revoked_at")),
        sorted(GuestLink.objects.values_list("id", "reason")),
    )


# -------------------------------------------------------------- a person outside Samverka


def test_an_outside_person_is_consulted_by_address_and_gets_a_link_when_the_round_opens(world):
    [added] = consult(world, outside=[(" Anna.Berg@Uni.SE ", "  Anna   Berg ")])

    assert added.kind == "outside"
    assert (added.outside_email, added.outside_name) == ("anna.berg@uni.se", "Anna Berg")
    assert added.party == "Anna Berg"  # by name; the address shows only with how it is reached
    assert not GuestPass.objects.exists()  # nothing goes out before the round opens

    round_services.open_round(world["round"], by_user=world["people"]["chair"])

    assert GuestPass.objects.get(consultee=added).email == "anna.berg@uni.se"
    assert links_of(added) == [GuestLink.Reason.OPENING]


def test_the_same_address_is_consulted_once_whatever_its_case(world):
    consult(world, outside=[("anna@uni.se", "Anna"), ("ANNA@uni.se", "Anna B")])
    again = consult(world, outside=[("Anna@Uni.se", "Anna Berg")])

    assert again == []
    assert world["round"].consultees.filter(outside_email__iexact="anna@uni.se").count() == 1


def test_an_address_of_someone_the_chair_may_name_consults_that_person(world):
    member = world["people"]["member"]

    [added] = consult(world, outside=[(member.email.upper(), "Whatever was typed")])

    assert added.person == member
    assert added.outside_email == ""
    assert consult(world, outside=[(member.email, "")]) == []  # consulted already


def test_an_account_the_chair_cannot_see_is_an_address_like_any_other(world):
    """Nothing tells the chair who has an account they may not see: it is consulted by address,
    as a person without one."""
    someone_elsewhere = world["people"]["outsider"]

    [added] = consult(world, outside=[(someone_elsewhere.email, "Kim Lind")])

    assert added.person is None
    assert added.outside_email == someone_elsewhere.email


def test_an_address_that_is_not_one_is_refused_and_nothing_is_added(world):
    before = snapshot()

    with pytest.raises(NotAnAddress) as refusal:
        consult(world, outside=[("anna@uni.se", "Anna"), ("bertil.uni.se", "Bertil")])

    assert "bertil.uni.se" in refusal.value.message
    assert snapshot() == before


def test_an_outside_person_added_to_an_open_round_gets_a_link_at_once(open_world):
    [added] = consult(open_world, outside=[("anna@uni.se", "Anna Berg")])

    assert links_of(added) == [GuestLink.Reason.ADDED]


def test_only_those_who_run_the_round_consult_outside_people(open_world):
    before = snapshot()

    with pytest.raises(NotAllowed):
        consult(open_world, who="member", outside=[("anna@uni.se", "Anna Berg")])
    with pytest.raises(NotFound):
        consult(open_world, who="outsider", outside=[("anna@uni.se", "Anna Berg")])

    assert snapshot() == before


# ----------------------------------------------------------------------- how each is reached


@pytest.fixture
def lekeberg(world):
    """An organisation nobody in Samverka speaks for, with a registry address, consulted."""
    organisation = OrganisationFactory(
        name="Lekebergs kommun", registry_email="kommunen@lekeberg.se"
    )
    consult(world, organisations=[organisation])
    return world["round"].consultees.get(organisation=organisation)


def test_each_party_is_reached_by_its_people_by_a_link_or_not_at_all(world, lekeberg):
    askersund = OrganisationFactory(name="Askersunds kommun")  # no address, nobody here
    consult(world, organisations=[askersund], outside=[("anna@uni.se", "Anna Berg")])
    parties = list(world["round"].consultees.select_related("organisation"))

    found = {r.consultee.pk: r for r in guests.reach(world["round"], parties)}

    by_kind = {c.organisation.name if c.organisation_id else c.kind: found[c.pk] for c in parties}
    assert by_kind["Kumla kommun"].by_people
    assert by_kind["network"].by_people
    assert by_kind["person"].by_people
    assert by_kind["Lekebergs kommun"].by_link
    assert by_kind["Lekebergs kommun"].address == "kommunen@lekeberg.se"
    assert by_kind["outside"].address == "anna@uni.se"
    assert by_kind["Askersunds kommun"].unreachable
    assert "Askersunds kommun" in by_kind["Askersunds kommun"].why_unreachable


# ------------------------------------------------------------- sending and withdrawing a link


def test_the_chair_sends_a_link_again_and_it_lifts_a_withdrawal(world, lekeberg):
    chair = world["people"]["chair"]
    round_services.open_round(world["round"], by_user=chair)
    guest_pass = GuestPass.objects.get(consultee=lekeberg)

    guests.revoke(guest_pass, by_user=chair)
    guest_pass.refresh_from_db()
    assert guest_pass.revoked_at is not None
    assert guest_pass.revoked_by == chair

    guests.resend(guest_pass, by_user=chair)
    guest_pass.refresh_from_db()
    assert guest_pass.revoked_at is None
    assert links_of(lekeberg) == [GuestLink.Reason.OPENING, GuestLink.Reason.RESENT]


def test_a_first_link_goes_to_a_party_whose_address_came_after_the_opening(world):
    chair = world["people"]["chair"]
    askersund = OrganisationFactory(name="Askersunds kommun")
    consult(world, organisations=[askersund])
    round_services.open_round(world["round"], by_user=chair)
    party = world["round"].consultees.get(organisation=askersund)
    with pytest.raises(guests.NoGuestAddress):
        guests.send_first_link(party, by_user=chair)
    assert not GuestPass.objects.exists()

    askersund.registry_email = "kommun@askersund.se"
    askersund.save()
    party.refresh_from_db()
    guests.send_first_link(party, by_user=chair)

    assert GuestPass.objects.get(consultee=party).email == "kommun@askersund.se"
    assert links_of(party) == [GuestLink.Reason.RESENT]


def test_no_link_goes_out_by_hand_before_the_round_opens(world, lekeberg):
    before = snapshot()

    with pytest.raises(InvalidTransition) as refusal:
        guests.send_first_link(lekeberg, by_user=world["people"]["chair"])

    assert "när den öppnas" in refusal.value.message or "when it opens" in refusal.value.message
    assert snapshot() == before


def test_once_the_round_closed_its_links_are_not_sent_again_or_withdrawn_by_hand(world, lekeberg):
    chair = world["people"]["chair"]
    round_services.open_round(world["round"], by_user=chair)
    round_services.close_round(world["round"], by_user=chair)
    guest_pass = GuestPass.objects.get(consultee=lekeberg)
    before = snapshot()

    for step in (guests.resend, guests.revoke):
        with pytest.raises(InvalidTransition):
            step(guest_pass, by_user=chair)

    assert snapshot() == before


@pytest.mark.parametrize("who", ["member", "writer", "drafter", "outsider"])
def test_only_those_who_run_the_round_send_or_withdraw_links(world, lekeberg, who):
    round_services.open_round(world["round"], by_user=world["people"]["chair"])
    guest_pass = GuestPass.objects.get(consultee=lekeberg)
    person = world["people"][who]
    before = snapshot()

    for step in (guests.resend, guests.revoke):
        with pytest.raises((NotAllowed, NotFound)):
            step(guest_pass, by_user=person)
    with pytest.raises((NotAllowed, NotFound)):
        guests.send_first_link(lekeberg, by_user=person)

    assert snapshot() == before
