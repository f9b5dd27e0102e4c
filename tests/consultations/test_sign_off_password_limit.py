"""The password that confirms a signature cannot be guessed without limit: wrong ones count like
failed logins (the same record, limit and window), per person and per address; past the limit
signing is refused with the time to try again, and nothing is signed."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consultations.models import Signature, SignOff
from consultations.services import decisions
from consultations.services import rounds as round_services
from documents.models import Document
from networks.models import Network, Role
from tests.consultations.browserlike import read_form
from tests.factories import PASSWORD, MembershipFactory, NetworkFactory

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
LOCKED = "Lösenordet har varit fel för många gånger"
APPROVE = "Jag godkänner"  # the verdict's label


@pytest.fixture
def sign_off(world):
    """A sign-off of the world's strategy waiting for two KC/RD directors."""
    people = world["people"]
    round_services.open_round(world["round"], by_user=people["chair"])
    round_services.close_round(world["round"], by_user=people["chair"])
    kcrd = NetworkFactory(name="KC/RD", kind=Network.Kind.MANAGEMENT_GROUP)
    region = world["group"].memberships.get(user=people["chair"]).organisation
    for name in ["director", "second_director"]:
        people[name] = MembershipFactory(
            network=kcrd, role=Role.SIGNATORY, organisation=region
        ).user
    decisions.record_decision(
        world["document"],
        by_user=people["coordinator"],
        version=world["version"],
        kind="views",
        decided_on=timezone.localdate(),
        text="Förankrat.",
        body_name="Chefsgruppen",
    )
    world["sign_off"] = decisions.request_sign_off(
        world["document"],
        by_user=people["chair"],
        version=world["version"],
        signatories=[people["director"], people["second_director"]],
        required=None,
    )
    return world


def snapshot():
    return (
        sorted(Signature.objects.values_list("id", "signer_id", "verdict")),
        sorted(SignOff.objects.values_list("id", "status")),
        sorted(Document.objects.values_list("id", "status")),
    )


def sign(client, w, password, address="127.0.0.1"):
    """Open the sign-off page, choose to approve and type the password, as a browser does."""
    url = w["sign_off"].get_absolute_url()
    page = client.get(url, REMOTE_ADDR=address)
    assert page.status_code == 200
    form = read_form(page.content.decode())
    data = form.data(tick=[APPROVE], password=password)
    return client.post(url, data, REMOTE_ADDR=address)


def retry_time(html):
    match = re.search(r"försöka igen klockan (\d\d:\d\d)", html)
    assert match, "the page says when to try again"
    return match.group(1)


def test_past_the_limit_signing_is_refused_with_when_to_try_again(client, sign_off):
    client.force_login(sign_off["people"]["director"])
    for _ in range(LIMIT - 1):
        wrong = sign(client, sign_off, "inte mitt lösenord")
        assert wrong.status_code == 400
        assert "Lösenordet stämmer inte" in wrong.content.decode()
        assert LOCKED not in wrong.content.decode()
    before = snapshot()

    last_wrong = sign(client, sign_off, "inte mitt lösenord")
    right = sign(client, sign_off, PASSWORD)  # even the right password, while locked

    assert last_wrong.status_code == 429
    assert LOCKED in last_wrong.content.decode()
    assert right.status_code == 429
    html = right.content.decode()
    assert LOCKED in html
    assert "Din underskrift registrerades inte" in html
    # An hour after the last failure (give or take the minute the test takes).
    expected = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    near = {(expected + timedelta(minutes=m)).strftime("%H:%M") for m in (-1, 0)}
    assert retry_time(html) in near
    assert snapshot() == before  # nothing signed
    assert read_form(html).box(APPROVE).checked  # what was chosen is kept


def test_the_page_says_so_before_anything_is_typed(client, sign_off):
    client.force_login(sign_off["people"]["director"])
    for _ in range(LIMIT):
        sign(client, sign_off, "fel")

    page = client.get(sign_off["sign_off"].get_absolute_url())

    assert page.status_code == 200
    assert LOCKED in page.content.decode()


def test_the_limit_is_per_person_whatever_the_address(client, sign_off):
    client.force_login(sign_off["people"]["director"])
    for n in range(LIMIT):
        sign(client, sign_off, "fel", address=f"10.0.0.{n + 1}")
    before = snapshot()

    response = sign(client, sign_off, PASSWORD, address="10.0.1.1")

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert snapshot() == before


def test_the_limit_is_per_address_whoever_tries(client, sign_off):
    client.force_login(sign_off["people"]["director"])
    for _ in range(LIMIT):
        sign(client, sign_off, "fel", address="10.0.0.7")
    client.force_login(sign_off["people"]["second_director"])

    same_address = sign(client, sign_off, PASSWORD, address="10.0.0.7")
    other_address = sign(client, sign_off, PASSWORD, address="10.0.0.8")

    assert same_address.status_code == 429
    assert LOCKED in same_address.content.decode()
    assert other_address.status_code == 302
    assert list(Signature.objects.values_list("signer_id", flat=True)) == [
        sign_off["people"]["second_director"].pk
    ]


def test_wrong_signing_passwords_and_failed_logins_share_one_count(client, sign_off):
    director = sign_off["people"]["director"]
    client.force_login(director)  # already logged in (a successful login clears the count)
    guesser = Client()
    for _ in range(LIMIT // 2):
        guesser.post(reverse("login"), {"username": director.email, "password": "fel"})
    for _ in range(LIMIT - LIMIT // 2):
        sign(client, sign_off, "fel")

    login = guesser.post(reverse("login"), {"username": director.email, "password": PASSWORD})

    assert login.status_code == 429  # the login page's own lock-out
    assert "_auth_user_id" not in guesser.session


def test_the_lock_lifts_after_the_window(client, sign_off):
    client.force_login(sign_off["people"]["director"])
    for _ in range(LIMIT):
        sign(client, sign_off, "fel")
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )

    response = sign(client, sign_off, PASSWORD)

    assert response.status_code == 302
    assert Signature.objects.filter(signer=sign_off["people"]["director"]).exists()


def test_a_right_password_within_the_limit_signs(client, sign_off):
    client.force_login(sign_off["people"]["director"])
    for _ in range(LIMIT - 1):
        sign(client, sign_off, "fel")

    response = sign(client, sign_off, PASSWORD)

    assert response.status_code == 302
    assert Signature.objects.filter(signer=sign_off["people"]["director"]).exists()
