"""Every demo account the README lists logs in through the login page with the README's
password; the seed gives each one that password, once."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from networks.models import User
from tests.networks.forms import find_form, values

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_demo_logins() -> tuple[str, list[str]]:
    """The password and the e-mail addresses of the README's "Demo logins" section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Demo logins", 1)[1].split("\n#", 1)[0]
    password = re.search(r"password `([^`]+)`", section).group(1)
    emails = re.findall(r"^\| `([^`]+@[^`]+)` \|", section, flags=re.MULTILINE)
    return password, emails


def log_in(client, email, password):
    form = find_form(client.get(reverse("login")), "username")
    return client.post(reverse("login"), values(form, username=email, password=password))


def test_the_readme_lists_the_demo_accounts():
    password, emails = readme_demo_logins()
    assert password == "demo"
    assert "kerstin.socialchef@example.org" in emails
    assert len(emails) >= 8


def test_every_demo_account_in_the_readme_logs_in_with_the_readme_password(client):
    call_command("seed_demo", stdout=io.StringIO())
    password, emails = readme_demo_logins()
    for email in emails:
        response = log_in(client, email, password)
        assert response.status_code == 302, f"{email} cannot log in"
        assert client.session["_auth_user_id"] == str(User.objects.get(email=email).pk), email
        client.logout()


def test_an_account_an_earlier_seed_left_without_a_password_gets_the_demo_one_once(client):
    # What the seed used to do: create the approver with an empty password, which no login
    # matches.
    User.objects.create(email="kerstin.socialchef@example.org", full_name="Kerstin Socialchef")
    call_command("seed_demo", stdout=io.StringIO())
    assert log_in(client, "kerstin.socialchef@example.org", "demo").status_code == 302

    records = User.history.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert User.history.count() == records
