"""The bell's forms, submitted from the pages as a browser does: how one is told, marking read,
opening a notification."""

import pytest
from django.urls import reverse

from notifications import services
from notifications.kinds import Channel, Kind
from notifications.models import Notification, Preference
from tests.factories import UserFactory
from tests.forms import browser_client, page_text, submit_form, submits

pytestmark = pytest.mark.django_db


def notify(person, n=2):
    rows = []
    for i in range(n):
        rows += services.notify(
            kind=Kind.DOCUMENT_ADOPTED,
            recipients=[person],
            context={"document": f"Regional strategi {i}", "version": "2"},
            url=reverse("networks:list"),
        )
    return rows


@submits("notifications:preferences")
def test_a_person_chooses_a_daily_summary_for_one_kind_of_event():
    person = UserFactory()
    client = browser_client(person)
    page = client.get(reverse("notifications:preferences"))

    response = submit_form(
        client,
        page,
        button="Spara mina val",
        fields={"Ett dokument har fastställts Daglig sammanfattning per e-post": True},
    )

    assert "Dina val är sparade." in page_text(response)
    preference = Preference.objects.get(user=person, kind=Kind.DOCUMENT_ADOPTED)
    assert preference.channel == Channel.DIGEST
    checked = 'value="digest" id="kind-document_adopted-digest"'
    assert checked in response.content.decode()


@submits("notifications:mark_all_read")
def test_marking_all_read_from_the_list():
    person = UserFactory()
    notify(person)
    client = browser_client(person)
    page = client.get(reverse("notifications:list"))
    assert "Oläst" in page_text(page)

    response = submit_form(client, page, button="Markera alla som lästa")

    assert "Oläst" not in page_text(response)
    assert not Notification.objects.filter(recipient=person, read_at__isnull=True).exists()


@submits("notifications:mark_read")
def test_marking_one_notification_read_from_the_list():
    person = UserFactory()
    first, second = notify(person)
    client = browser_client(person)
    page = client.get(reverse("notifications:list"))

    submit_form(client, page, action="notifications:mark_read", form_kwargs={"pk": first.pk})

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


@submits("notifications:mark_all_read")
def test_with_javascript_the_list_is_marked_read_in_place():
    person = UserFactory()
    notify(person)
    client = browser_client(person)
    page = client.get(reverse("notifications:list"))

    response = submit_form(client, page, button="Markera alla som lästa", htmx=True)

    assert response.status_code == 200
    assert response.content.decode().startswith('<div id="notification-list"')
    assert "Oläst" not in page_text(response)
    assert not Notification.objects.filter(recipient=person, read_at__isnull=True).exists()
