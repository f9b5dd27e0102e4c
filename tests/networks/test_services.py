"""Membership services: invitations, roles, ending, and the last-chair rule."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from networks import services
from networks.errors import (
    AlreadyMember,
    InvitationExpired,
    InvitationForSomeoneElse,
    InvitationInvalid,
    InvitationUsed,
    InvitationWithdrawn,
    LastChair,
    MembershipEnded,
    NotAllowed,
    NotFound,
)
from networks.models import Invitation, Membership, Role
from tests.factories import InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything the membership services can change, to prove a refusal changed nothing."""
    return (
        sorted(Membership.objects.values_list("id", "user_id", "network_id", "role", "end_date")),
        sorted(Invitation.objects.values_list("id", "email", "accepted_at", "revoked_at")),
        Membership.history.count(),
        Invitation.history.count(),
    )


def test_inviting_sends_an_email_with_a_single_use_link(
    network, member_of, django_capture_on_commit_callbacks
):
    chair = member_of(network, Role.CHAIR)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invite_member(
            network, by_user=chair, email="  Ny.Person@Example.ORG ", role=Role.WRITER
        )
    assert invitation.email == "ny.person@example.org"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ny.person@example.org"]
    assert network.name in message.subject
    assert invitation.get_absolute_url() in message.body
    assert message.alternatives
    assert invitation.get_absolute_url() in message.alternatives[0][0]


def test_the_invitation_email_is_in_the_language_of_the_inviter(
    network, member_of, django_capture_on_commit_callbacks
):
    chair = member_of(network, Role.CHAIR)
    chair.language = "en"
    chair.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_member(network, by_user=chair, email="a@example.org", role=Role.MEMBER)
    assert "Invitation to" in mail.outbox[0].subject


@pytest.mark.parametrize("role", [Role.MEMBER, Role.WRITER, Role.SIGNATORY, Role.OBSERVER])
def test_only_chairs_and_coordinators_invite(network, member_of, role):
    person = member_of(network, role)
    before = snapshot()
    with pytest.raises(NotAllowed):
        services.invite_member(network, by_user=person, email="x@example.org", role=Role.MEMBER)
    assert snapshot() == before
    assert mail.outbox == []


def test_an_outsider_cannot_even_learn_the_network_exists(network, user):
    before = snapshot()
    with pytest.raises(NotFound):
        services.invite_member(network, by_user=user, email="x@example.org", role=Role.MEMBER)
    assert snapshot() == before


def test_inviting_someone_already_a_member_says_so_whatever_the_case(network, member_of):
    chair = member_of(network, Role.CHAIR)
    existing = MembershipFactory(network=network, user=UserFactory(email="maja@example.org"))
    before = snapshot()
    with pytest.raises(AlreadyMember):
        services.invite_member(network, by_user=chair, email="MAJA@Example.org", role=Role.MEMBER)
    assert snapshot() == before
    assert existing.user.email == "maja@example.org"


def test_a_new_invitation_replaces_the_pending_one(network, member_of):
    chair = member_of(network, Role.CHAIR)
    first = services.invite_member(network, by_user=chair, email="a@example.org", role="member")
    second = services.invite_member(network, by_user=chair, email="A@example.org", role="writer")
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.is_pending
    with pytest.raises(InvitationWithdrawn):
        services.check_invitation(first.token)


def test_accepting_joins_with_the_role_and_organisation(network, organisation):
    MembershipFactory(network=network, organisation=organisation, role=Role.CHAIR)
    invitation = InvitationFactory(
        network=network, email="Kim@Example.org", role=Role.WRITER, organisation=organisation
    )
    person = UserFactory(email="kim@example.org")
    membership = services.accept_invitation(invitation.token, user=person)
    assert (membership.network, membership.role, membership.organisation) == (
        network,
        Role.WRITER,
        organisation,
    )
    invitation.refresh_from_db()
    assert invitation.accepted_by == person


def test_an_invitation_for_an_organisation_outside_the_tree_joins_without_it(network):
    """An invitation sent before the rule (or whose organisation has since left the network's
    tree) does not make its person speak for that organisation."""
    elsewhere = MembershipFactory(role=Role.CHAIR).organisation  # in another network only
    MembershipFactory(network=network, role=Role.CHAIR)
    invitation = InvitationFactory(network=network, email="kim@example.org", organisation=elsewhere)
    person = UserFactory(email="kim@example.org")
    membership = services.accept_invitation(invitation.token, user=person)
    assert membership.network == network
    assert membership.organisation is None


def test_an_invitation_works_only_once(network):
    invitation = InvitationFactory(network=network, email="kim@example.org")
    person = UserFactory(email="kim@example.org")
    services.accept_invitation(invitation.token, user=person)
    before = snapshot()
    with pytest.raises(InvitationUsed):
        services.accept_invitation(invitation.token, user=person)
    assert snapshot() == before


def test_an_expired_invitation_is_refused(network):
    invitation = InvitationFactory(
        network=network, email="kim@example.org", expires_at=timezone.now() - timedelta(minutes=1)
    )
    before = snapshot()
    with pytest.raises(InvitationExpired):
        services.accept_invitation(invitation.token, user=UserFactory(email="kim@example.org"))
    assert snapshot() == before


def test_an_unknown_token_is_refused(db):
    with pytest.raises(InvitationInvalid):
        services.check_invitation("no-such-token")


def test_an_invitation_cannot_be_used_by_another_account(network):
    invitation = InvitationFactory(network=network, email="kim@example.org")
    before = snapshot()
    with pytest.raises(InvitationForSomeoneElse):
        services.accept_invitation(invitation.token, user=UserFactory(email="eve@example.org"))
    assert snapshot() == before


def test_registering_from_an_invitation_creates_the_account_and_joins(network):
    invitation = InvitationFactory(network=network, email="new@example.org", role=Role.OBSERVER)
    user, membership = services.register_from_invitation(
        invitation.token, full_name="Nina Ny", password="ett långt lösenord 2026"
    )
    assert user.check_password("ett långt lösenord 2026")
    assert membership.role == Role.OBSERVER


def test_a_chair_changes_a_role_and_history_records_who(network, member_of):
    chair = member_of(network, Role.CHAIR)
    membership = MembershipFactory(network=network, role=Role.MEMBER)
    services.change_role(membership, by_user=chair, role=Role.WRITER)
    membership.refresh_from_db()
    assert membership.role == Role.WRITER
    latest = membership.history.first()
    assert latest.role == Role.WRITER
    assert latest.history_user == chair


def test_demoting_the_last_chair_is_refused(network, member_of):
    chair_membership = MembershipFactory(network=network, role=Role.CHAIR)
    coordinator = member_of(network, Role.COORDINATOR)
    before = snapshot()
    with pytest.raises(LastChair):
        services.change_role(chair_membership, by_user=coordinator, role=Role.MEMBER)
    assert snapshot() == before


def test_ending_the_last_chair_is_refused(network, member_of):
    chair_membership = MembershipFactory(network=network, role=Role.CHAIR)
    before = snapshot()
    with pytest.raises(LastChair):
        services.end_membership(chair_membership, by_user=chair_membership.user)
    assert snapshot() == before


def test_a_chair_may_step_down_when_another_chair_remains(network, member_of):
    first = MembershipFactory(network=network, role=Role.CHAIR)
    member_of(network, Role.CHAIR)
    services.change_role(first, by_user=first.user, role=Role.MEMBER)
    first.refresh_from_db()
    assert first.role == Role.MEMBER


def test_ending_a_membership_removes_access_and_keeps_the_record(network, member_of):
    chair = member_of(network, Role.CHAIR)
    membership = MembershipFactory(network=network, role=Role.MEMBER)
    services.end_membership(membership, by_user=chair)
    membership.refresh_from_db()
    assert membership.end_date == timezone.localdate()
    assert not Membership.objects.active().filter(pk=membership.pk).exists()
    with pytest.raises(MembershipEnded):
        services.change_role(membership, by_user=chair, role=Role.WRITER)


def test_an_ended_member_can_be_invited_again(network, member_of):
    chair = member_of(network, Role.CHAIR)
    membership = MembershipFactory(network=network, user=UserFactory(email="back@example.org"))
    services.end_membership(membership, by_user=chair)
    invitation = services.invite_member(
        network, by_user=chair, email="back@example.org", role=Role.MEMBER
    )
    again = services.accept_invitation(invitation.token, user=membership.user)
    assert again.pk != membership.pk
    assert again.is_active()


def test_withdrawing_an_invitation_makes_the_link_useless(network, member_of):
    chair = member_of(network, Role.CHAIR)
    invitation = services.invite_member(
        network, by_user=chair, email="a@example.org", role=Role.MEMBER
    )
    services.revoke_invitation(invitation, by_user=chair)
    with pytest.raises(InvitationWithdrawn):
        services.accept_invitation(invitation.token, user=UserFactory(email="a@example.org"))
