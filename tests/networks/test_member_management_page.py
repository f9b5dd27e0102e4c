"""The member management page: htmx in place, and the same without JavaScript."""

import pytest
from django.urls import reverse
from django.utils import timezone

from networks.models import Invitation, Membership, Role
from tests.factories import MembershipFactory, NetworkFactory
from tests.forms import parse

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client):
    network = NetworkFactory()
    chair = MembershipFactory(network=network, role=Role.CHAIR)
    member = MembershipFactory(network=network, role=Role.MEMBER)
    client.force_login(chair.user)
    return network, chair, member


def test_changing_a_role_in_place_returns_the_updated_row(client, setup):
    network, _chair, member = setup
    url = reverse("networks:change_role", args=[network.pk, member.pk])
    response = client.post(url, {"role": "writer"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.lstrip().startswith(f'<tr id="member-{member.pk}"')
    assert '<option value="writer" selected>' in text
    member.refresh_from_db()
    assert member.role == Role.WRITER


def test_demoting_the_last_chair_in_place_shows_the_reason_in_the_row(client, setup):
    network, chair, _member = setup
    url = reverse("networks:change_role", args=[network.pk, chair.pk])
    response = client.post(url, {"role": "member"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert '<option value="chair" selected>' in response.content.decode()
    chair.refresh_from_db()
    assert chair.role == Role.CHAIR


def test_without_javascript_the_last_chair_rule_is_a_message_on_the_page(client, setup):
    network, chair, _member = setup
    url = reverse("networks:change_role", args=[network.pk, chair.pk])
    response = client.post(url, {"role": "member"}, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("ordförande" in m or "chair" in m for m in messages)


def test_an_unknown_role_is_refused_with_a_message(client, setup):
    network, _chair, member = setup
    url = reverse("networks:change_role", args=[network.pk, member.pk])
    response = client.post(url, {"role": "emperor"}, follow=True)
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.role == Role.MEMBER


def test_a_bad_address_keeps_what_was_typed_and_invites_no_one(client, setup):
    network, *_ = setup
    url = reverse("networks:members", args=[network.pk])
    response = client.post(url, {"email": "inte-en-adress", "role": "writer"})
    assert response.status_code == 400
    assert 'value="inte-en-adress"' in response.content.decode()
    assert not Invitation.objects.exists()


def test_inviting_a_member_says_they_are_one_already(client, setup):
    network, _chair, member = setup
    url = reverse("networks:members", args=[network.pk])
    response = client.post(url, {"email": member.user.email.upper(), "role": "member"})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_ending_a_membership_takes_a_confirmation_and_lists_the_person_as_former(client, setup):
    network, _chair, member = setup
    url = reverse("networks:end_membership", args=[network.pk, member.pk])
    assert member.user.full_name in client.get(url).content.decode()
    client.post(url, follow=True)  # the confirmation message is shown once, on the next page
    assert not Membership.objects.active().filter(pk=member.pk).exists()
    page = parse(client.get(reverse("networks:detail", args=[network.pk])).content.decode())
    [table] = [n for n in page.walk() if n.tag == "table"]
    assert member.user.full_name not in table.text()
    [former] = [n for n in page.walk() if n.attrs.get("aria-labelledby") == "former-heading"]
    year = timezone.localdate().year
    line = " ".join(former.text().split())
    assert f"{member.user.full_name}, {member.organisation} Ledamot {year}" in line


def test_the_pending_invitations_are_listed_and_can_be_withdrawn(client, setup):
    network, *_ = setup
    client.post(
        reverse("networks:members", args=[network.pk]), {"email": "a@example.org", "role": "member"}
    )
    invitation = Invitation.objects.get()
    page = client.get(reverse("networks:members", args=[network.pk])).content.decode()
    assert "a@example.org" in page
    client.post(
        reverse("networks:revoke_invitation", args=[network.pk, invitation.pk]), follow=True
    )
    page = client.get(reverse("networks:members", args=[network.pk])).content.decode()
    assert "a@example.org" not in page
