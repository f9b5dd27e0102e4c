"""Logging in with e-mail and password; throttling; the language follows the person."""

import pytest
from django.urls import reverse

from networks.models import Role
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_logging_in_with_any_case_of_the_address(client):
    UserFactory(email="maja@example.org")
    response = client.post(reverse("login"), {"username": "MAJA@example.ORG", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("networks:list")).status_code == 200


def test_a_wrong_password_keeps_the_address_and_says_what_went_wrong(client):
    UserFactory(email="maja@example.org")
    response = client.post(reverse("login"), {"username": "maja@example.org", "password": "nej"})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'value="maja@example.org"' in text
    assert "lösenordet är fel" in text


def test_ten_failures_lock_the_account_and_say_when_to_try_again(client):
    UserFactory(email="maja@example.org")
    for _ in range(9):
        client.post(reverse("login"), {"username": "maja@example.org", "password": "nej"})
    locked = client.post(reverse("login"), {"username": "maja@example.org", "password": "nej"})
    assert locked.status_code == 429
    assert "Försök igen" in locked.content.decode() or "försöka igen" in locked.content.decode()
    assert locked.context["retry_at"] is not None
    # even the right password is refused while locked
    right = client.post(reverse("login"), {"username": "maja@example.org", "password": PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_account_as_well_as_per_address(client):
    UserFactory(email="maja@example.org")
    UserFactory(email="kim@example.org")
    for n in range(10):
        client.post(
            reverse("login"),
            {"username": "maja@example.org", "password": "nej"},
            REMOTE_ADDR=f"10.0.0.{n + 1}",
        )
    other_address = client.post(
        reverse("login"),
        {"username": "maja@example.org", "password": PASSWORD},
        REMOTE_ADDR="10.0.1.1",
    )
    assert other_address.status_code == 429
    someone_else = client.post(
        reverse("login"),
        {"username": "kim@example.org", "password": PASSWORD},
        REMOTE_ADDR="10.0.1.1",
    )
    assert someone_else.status_code == 302


def test_the_language_switch_changes_the_page_and_the_persons_setting(client):
    person = MembershipFactory(role=Role.CHAIR).user
    client.force_login(person)
    assert "Mina nätverk" in client.get(reverse("networks:list")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/networks/"})
    assert "My networks" in client.get(reverse("networks:list")).content.decode()
    person.refresh_from_db()
    assert person.language == "en"


def test_logging_in_brings_back_the_persons_language(client):
    UserFactory(email="en@example.org", language="en")
    client.post(reverse("login"), {"username": "en@example.org", "password": PASSWORD})
    assert "My networks" in client.get(reverse("networks:list")).content.decode()


def test_an_unknown_language_changes_nothing(client):
    person = UserFactory()
    client.force_login(person)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    person.refresh_from_db()
    assert person.language == "sv"


def test_logout_is_a_post_and_ends_the_session(client):
    client.force_login(UserFactory())
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link_that_sets_a_new_password(client, mailoutbox):
    person = UserFactory(email="maja@example.org")
    client.post(reverse("password_reset"), {"email": "Maja@example.org"})
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/password-reset/" in line)
    path = link.split("testserver", 1)[1].strip()
    form = client.get(path, follow=True)
    assert form.status_code == 200
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "nytt långt lösenord", "new_password2": "nytt långt lösenord"},
    )
    person.refresh_from_db()
    assert person.check_password("nytt långt lösenord")
