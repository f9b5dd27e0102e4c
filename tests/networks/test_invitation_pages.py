"""The invitation link: every state gives a clear page, and a new person can join in one form."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from networks.models import Membership, Role
from tests.factories import PASSWORD, InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(invitation):
    return reverse("networks:invitation", args=[invitation.token])


def test_an_unknown_link_gives_a_clear_page(client):
    response = client.get(reverse("networks:invitation", args=["nonsense"]))
    assert response.status_code == 404
    assert "inte giltig" in response.content.decode()


@pytest.mark.parametrize(
    ("change", "text"),
    [
        ({"expires_at": timezone.now() - timedelta(days=1)}, "gått ut"),
        ({"accepted_at": timezone.now()}, "redan använts"),
        ({"revoked_at": timezone.now()}, "dragits tillbaka"),
    ],
    ids=["expired", "used", "withdrawn"],
)
def test_an_unusable_link_says_why(client, network, change, text):
    invitation = InvitationFactory(network=network, **change)
    response = client.get(url(invitation))
    assert response.status_code == 410
    assert text in response.content.decode()
    assert client.post(url(invitation), {"full_name": "X"}).status_code == 410


def test_a_new_person_creates_an_account_and_joins(client, network):
    invitation = InvitationFactory(network=network, email="nina@example.org", role=Role.WRITER)
    page = client.get(url(invitation))
    assert page.status_code == 200
    assert network.name in page.content.decode()
    response = client.post(
        url(invitation),
        {
            "full_name": "Nina Ny",
            "password1": "ett långt lösenord",
            "password2": "ett långt lösenord",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == network.get_absolute_url()
    membership = Membership.objects.get(user__email="nina@example.org")
    assert membership.role == Role.WRITER
    assert client.get(network.get_absolute_url()).status_code == 200  # logged in


def test_a_weak_password_is_refused_and_the_name_is_kept(client, network):
    invitation = InvitationFactory(network=network, email="nina@example.org")
    response = client.post(
        url(invitation), {"full_name": "Nina Ny", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 400
    assert 'value="Nina Ny"' in response.content.decode()
    assert not Membership.objects.filter(user__email="nina@example.org").exists()


def test_different_passwords_are_refused(client, network):
    invitation = InvitationFactory(network=network, email="nina@example.org")
    response = client.post(
        url(invitation),
        {"full_name": "Nina", "password1": "ett långt lösenord", "password2": "ett annat"},
    )
    assert response.status_code == 400
    assert "inte samma" in response.content.decode()


def test_a_person_with_an_account_is_asked_to_log_in_and_comes_back(client, network):
    UserFactory(email="kim@example.org")
    invitation = InvitationFactory(network=network, email="KIM@example.org")
    page = client.get(url(invitation))
    assert f"/login/?next={url(invitation)}" in page.content.decode()
    login = client.post(
        f"/login/?next={url(invitation)}",
        {"username": "Kim@Example.org", "password": PASSWORD, "next": url(invitation)},
    )
    assert login["Location"] == url(invitation)
    joined = client.post(url(invitation))
    assert joined.status_code == 302
    assert Membership.objects.active().filter(network=network, user__email="kim@example.org")


def test_logged_in_as_someone_else_the_page_says_so_and_offers_to_switch(client, network):
    invitation = InvitationFactory(network=network, email="kim@example.org")
    client.force_login(UserFactory(email="eve@example.org"))
    page = client.get(url(invitation))
    assert "kim@example.org" in page.content.decode()
    assert "eve@example.org" in page.content.decode()
    assert client.post(url(invitation)).status_code == 200  # a POST without switch joins nothing
    assert not Membership.objects.filter(network=network).exists()
    client.post(url(invitation), {"action": "switch"})
    assert "_auth_user_id" not in client.session
