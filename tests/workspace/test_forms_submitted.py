"""Logging in and out, the language switch and the password reset, submitted as a browser does."""

import re

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from tests.forms import browser_client, follow_link, page_text, submit_form, submits

pytestmark = pytest.mark.django_db


@submits("login")
def test_logging_in_with_the_login_form_opens_the_page_asked_for():
    person = UserFactory(email="anna@example.org", full_name="Anna Andersson")
    client = browser_client()
    page = client.get(reverse("login") + "?next=" + reverse("networks:list"))

    response = submit_form(
        client,
        page,
        button="Logga in",
        fields={"E-postadress": "Anna@Example.org", "Lösenord": PASSWORD},
    )

    assert response.redirect_chain[-1][0] == reverse("networks:list")
    assert "Anna Andersson" in page_text(response)
    assert response.wsgi_request.user == person


@submits("login")
def test_a_wrong_password_keeps_the_address_and_logs_no_one_in():
    UserFactory(email="anna@example.org")
    client = browser_client()
    page = client.get(reverse("login"))

    response = submit_form(
        client, page, button="Logga in", fields={"E-postadress": "anna@example.org"}
    )
    assert response.status_code == 200  # the form again (Django's LoginView answers 200)
    assert "Kontrollera formuläret" in page_text(response)
    assert "måste fyllas i" in page_text(response)

    response = submit_form(
        client,
        page,
        button="Logga in",
        fields={"E-postadress": "anna@example.org", "Lösenord": "fel"},
    )
    assert "E-postadressen eller lösenordet är fel" in page_text(response)
    assert 'value="anna@example.org"' in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


@submits("logout")
def test_the_log_out_button_logs_out():
    client = browser_client(UserFactory())
    page = client.get(reverse("home"))

    response = submit_form(client, page, button="Logga ut")

    assert response.redirect_chain[-1][0] == reverse("login")
    assert not response.wsgi_request.user.is_authenticated
    assert client.get(reverse("home")).status_code == 302


@submits("set_language")
def test_the_language_switch_changes_the_page_and_the_persons_language():
    person = UserFactory(language="sv")
    client = browser_client(person)
    page = client.get(reverse("networks:list"))
    assert "Logga ut" in page_text(page)

    response = submit_form(client, page, button="Byt språk", fields={"Språk": "English"})

    assert response.redirect_chain[-1][0] == reverse("networks:list")  # back where one was
    assert "Log out" in page_text(response)
    person.refresh_from_db()
    assert person.language == "en"


@submits("set_language")
def test_the_language_switch_works_before_logging_in():
    client = browser_client()
    page = client.get(reverse("login"))

    response = submit_form(client, page, button="Byt språk", fields={"Språk": "English"})

    assert "Log in to Samverka" in page_text(response)


@submits("password_reset")
@submits("password_reset_confirm")
def test_a_forgotten_password_is_replaced_through_the_e_mailed_link(mailoutbox):
    person = UserFactory(email="anna@example.org")
    client = browser_client()
    page = follow_link(client, client.get(reverse("login")), "Har du glömt ditt lösenord?")

    response = submit_form(
        client, page, button="Skicka länken", fields={"E-postadress": "anna@example.org"}
    )

    assert response.redirect_chain[-1][0] == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["anna@example.org"]
    link = re.search(r"https?://[^\s\"<>]+/password-reset/[^\s\"<>]+/", mailoutbox[0].body)
    assert link, mailoutbox[0].body
    path = re.sub(r"^https?://[^/]+", "", link.group(0))
    page = client.get(path, follow=True)  # Django moves the token into the session first

    response = submit_form(
        client,
        page,
        button="Spara det nya lösenordet",
        fields={
            "new_password1": "ett nytt långt lösenord",
            "new_password2": "ett nytt långt lösenord",
        },
    )

    assert response.redirect_chain[-1][0] == reverse("password_reset_complete")
    person.refresh_from_db()
    assert person.check_password("ett nytt långt lösenord")
