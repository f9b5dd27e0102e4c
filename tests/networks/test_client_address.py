"""Behind load balancers (PROXY_COUNT) failed logins are counted per client, not per balancer."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from networks.client_address import client_ip
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

BALANCER = "10.0.0.2"


def attempt(client, email, password, forwarded_for, remote=BALANCER):
    return client.post(
        reverse("login"),
        {"username": email, "password": password},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_one_balancer_ten_failures_lock_the_guesser_not_everyone(client, settings):
    settings.PROXY_COUNT = 1
    UserFactory(email="maja@example.org")
    UserFactory(email="kim@example.org")
    for _ in range(10):
        attempt(client, "maja@example.org", "nej", forwarded_for="198.51.100.7")

    # Someone else, on another address, logs in through the same balancer.
    colleague = attempt(client, "kim@example.org", PASSWORD, forwarded_for="203.0.113.20")
    assert colleague.status_code == 302
    # The guesser's address is locked, whichever account it tries next.
    client.logout()
    guesser = attempt(client, "kim@example.org", PASSWORD, forwarded_for="198.51.100.7")
    assert guesser.status_code == 429


def test_an_address_made_up_by_the_client_does_not_escape_the_lock(client, settings):
    settings.PROXY_COUNT = 1
    UserFactory(email="maja@example.org")
    UserFactory(email="kim@example.org")
    for n in range(10):
        # The client sends its own X-Forwarded-For; the balancer appends the real address.
        attempt(client, "maja@example.org", "nej", forwarded_for=f"192.0.2.{n}, 198.51.100.7")
    guesser = attempt(client, "kim@example.org", PASSWORD, forwarded_for="192.0.2.99, 198.51.100.7")
    assert guesser.status_code == 429


def test_without_proxies_a_forwarded_header_is_ignored(client, settings):
    settings.PROXY_COUNT = 0
    UserFactory(email="maja@example.org")
    UserFactory(email="kim@example.org")
    for n in range(10):
        attempt(
            client, "maja@example.org", "nej", forwarded_for=f"192.0.2.{n}", remote="198.51.100.7"
        )
    guesser = attempt(
        client, "kim@example.org", PASSWORD, forwarded_for="192.0.2.99", remote="198.51.100.7"
    )
    assert guesser.status_code == 429


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "198.51.100.7", "10.0.0.2"),
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "192.0.2.1, 198.51.100.7", "198.51.100.7"),
        (2, "192.0.2.1, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.2"),  # did not pass both proxies: only the peer is known
        (1, "not-an-address", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_nth_address_from_the_right(settings, proxies, forwarded_for, expected):
    settings.PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected
