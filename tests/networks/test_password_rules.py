"""Choosing a password needs 12 characters (ASVS 2.1.1); reset links are limited per address and
per client, without telling anyone whether an address has an account."""

import re

import pytest
from django.urls import reverse

from networks.demo import DEMO_PASSWORD
from networks.models import User
from tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db


def fields_of(page, form_with):
    """The named fields and values of the form on the page that has the field `form_with`."""
    html = page.content.decode()
    for form in re.findall(r"<form\b.*?</form>", html, re.S):
        if f'name="{form_with}"' in form:
            return dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*?(?:value="([^"]*)")?', form))
    raise AssertionError(f"no form with {form_with!r}")


def test_an_eleven_character_password_is_refused_when_joining(client, network):
    invitation = InvitationFactory(network=network, email="nina@example.org")
    url = invitation.get_absolute_url()
    fields = fields_of(client.get(url), "password1")
    fields.update(full_name="Nina Ny", password1="Hjälmaren11", password2="Hjälmaren11")

    response = client.post(url, fields)

    assert response.status_code == 400
    assert "minst 12 tecken" in response.content.decode()
    assert 'value="Nina Ny"' in response.content.decode()
    assert not User.objects.filter(email="nina@example.org").exists()


def test_twelve_characters_are_enough_when_joining(client, network):
    invitation = InvitationFactory(network=network, email="nina@example.org")
    url = invitation.get_absolute_url()
    fields = fields_of(client.get(url), "password1")
    fields.update(full_name="Nina Ny", password1="Hjälmaren-12", password2="Hjälmaren-12")
    assert client.post(url, fields).status_code == 302
    assert User.objects.get(email="nina@example.org").check_password("Hjälmaren-12")


def reset_link(mail):
    link = next(line for line in mail.body.splitlines() if "/password-reset/" in line)
    return link.split("testserver", 1)[1].strip()


def test_a_new_password_shorter_than_twelve_is_refused_on_reset(client, mailoutbox):
    person = UserFactory(email="maja@example.org")
    client.post(reverse("password_reset"), {"email": "maja@example.org"})
    form = client.get(reset_link(mailoutbox[0]), follow=True)
    url = form.redirect_chain[-1][0]
    fields = fields_of(form, "new_password1")
    fields.update(new_password1="kort-lösen1", new_password2="kort-lösen1")

    response = client.post(url, fields)

    assert response.status_code == 200
    assert "minst 12 tecken" in response.content.decode()
    person.refresh_from_db()
    assert not person.check_password("kort-lösen1")


def test_the_demo_logins_keep_their_short_password(client):
    from django.core.management import call_command

    call_command("seed_demo", stdout=__import__("io").StringIO())
    response = client.post(
        reverse("login"), {"username": "member@example.org", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302


def ask_for_link(client, email, client_address):
    page = client.get(reverse("password_reset"), REMOTE_ADDR=client_address)
    fields = fields_of(page, "email")
    fields["email"] = email
    return client.post(reverse("password_reset"), fields, REMOTE_ADDR=client_address)


def test_one_address_gets_at_most_three_links_an_hour(client, mailoutbox, settings):
    UserFactory(email="maja@example.org")
    for n in range(5):
        response = ask_for_link(client, "Maja@example.org", f"198.51.100.{n}")
        # Every request sees the same page: nobody learns whether the link went out.
        assert response.status_code == 302
        assert response["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == settings.PASSWORD_RESET_PER_ADDRESS == 3


def test_one_client_asking_for_many_addresses_is_stopped_with_a_message(
    client, mailoutbox, settings
):
    for n in range(12):
        UserFactory(email=f"person{n}@example.org")
    for n in range(10):
        assert ask_for_link(client, f"person{n}@example.org", "198.51.100.7").status_code == 302
    stopped = ask_for_link(client, "person10@example.org", "198.51.100.7")

    assert stopped.status_code == 429
    text = stopped.content.decode()
    assert "Försök igen efter" in text
    assert 'value="person10@example.org"' in text  # what was typed is kept
    assert len(mailoutbox) == settings.PASSWORD_RESET_PER_CLIENT == 10
    # Someone else, on another connection, still gets their link.
    assert ask_for_link(client, "person11@example.org", "203.0.113.5").status_code == 302
    assert len(mailoutbox) == 11
