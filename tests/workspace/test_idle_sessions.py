"""A session ends after SESSION_IDLE_SECONDS without activity; pages carry an accessible warning
(static/js/session.js) that offers to stay; asking how long is left is not activity."""

import time

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from workspace.idle import LAST_ACTIVITY

pytestmark = pytest.mark.django_db


def idle_for(client, seconds):
    session = client.session
    session[LAST_ACTIVITY] = time.time() - seconds
    session.save()


def last_activity(client):
    return client.session[LAST_ACTIVITY]


def test_after_the_idle_time_the_next_page_asks_to_log_in_again(client, settings):
    client.force_login(UserFactory())
    idle_for(client, settings.SESSION_IDLE_SECONDS + 5)

    response = client.get(reverse("networks:list"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "Du loggades ut efter 30 minuter utan aktivitet." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_form_sent_after_the_idle_time_changes_nothing(client, settings):
    me = UserFactory(language="sv")
    client.force_login(me)
    idle_for(client, settings.SESSION_IDLE_SECONDS + 5)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    me.refresh_from_db()
    assert me.language == "sv"
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302


def test_activity_within_the_idle_time_keeps_the_session(client, settings):
    client.force_login(UserFactory())
    idle_for(client, settings.SESSION_IDLE_SECONDS - 60)
    before = last_activity(client)
    assert client.get(reverse("networks:list")).status_code == 200
    assert last_activity(client) > before + 50  # the clock starts again


def test_pages_read_in_quick_succession_do_not_write_the_session(client):
    client.force_login(UserFactory())
    first = last_activity(client)
    client.get(reverse("networks:list"))
    client.get(reverse("networks:organisations"))
    assert last_activity(client) == first


def test_logging_in_starts_the_clock(client):
    UserFactory(email="maja@example.org")
    client.post(reverse("login"), {"username": "maja@example.org", "password": PASSWORD})
    assert abs(last_activity(client) - time.time()) < 5


def test_asking_how_long_is_left_is_not_activity(client, settings):
    client.force_login(UserFactory())
    idle_for(client, 10 * 60)
    before = last_activity(client)
    status = client.get(reverse("session_status")).json()
    assert status["remaining"] >= settings.SESSION_IDLE_SECONDS - 10 * 60 - 5
    assert status["remaining"] <= settings.SESSION_IDLE_SECONDS - 10 * 60
    assert last_activity(client) == before


def test_staying_logged_in_starts_the_clock_again(client, settings):
    client.force_login(UserFactory())
    idle_for(client, settings.SESSION_IDLE_SECONDS - 30)
    status = client.post(reverse("session_status")).json()
    assert status["remaining"] >= settings.SESSION_IDLE_SECONDS - 2


def test_status_after_the_idle_time_says_nothing_is_left(client, settings):
    client.force_login(UserFactory())
    idle_for(client, settings.SESSION_IDLE_SECONDS + 1)
    assert client.get(reverse("session_status")).json() == {"remaining": 0}
    assert "_auth_user_id" not in client.session


def test_every_page_carries_the_warning_for_people_logged_in(client):
    client.force_login(UserFactory())
    page = client.get(reverse("networks:list")).content.decode()
    assert 'role="alertdialog"' in page
    assert "data-session-warning" in page
    assert 'aria-labelledby="session-warning-title"' in page
    assert "Fortsätt vara inloggad" in page
    assert 'src="/static/js/session.js"' in page
    client.logout()
    assert "data-session-warning" not in client.get(reverse("login")).content.decode()
