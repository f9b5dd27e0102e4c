"""The round page for those who run it: the parties first (who has answered, and when), "Remind
those who have not answered" (recorded, once a day: a second try the same day is refused in words
and sends nothing), and the close step that gives the numbers before the button."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.errors import InvalidTransition, NobodyToRemind, RemindedToday
from consultations.models import Consultee, GuestLink, RoundReminder
from consultations.services import rounds as round_services
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import OrganisationFactory
from tests.forms import browser_client, page_text
from tests.racing import race

pytestmark = pytest.mark.django_db


def told():
    return set(
        Notification.objects.filter(kind=Kind.ROUND_REMINDER).values_list("recipient", flat=True)
    )


def sent_state():
    return (
        Notification.objects.count(),
        sorted(GuestLink.objects.values_list("id", "reason")),
        RoundReminder.objects.count(),
    )


def test_the_chair_reminds_the_people_of_the_parties_that_have_not_answered(
    reminding, smtp_inbox, django_capture_on_commit_callbacks
):
    people = reminding["people"]
    with django_capture_on_commit_callbacks(execute=True):
        reminder = round_services.remind_parties(reminding["round"], by_user=people["chair"])

    assert told() == {people["manager"].pk, people["expert"].pk}  # not Kumla's: it has answered
    assert reminder.parties == 3  # the managers, the expert, Lekeberg
    assert reminder.people == 2
    assert reminder.links == 1
    assert reminder.sent_by == people["chair"]
    assert reminder.sent_on == timezone.localdate()
    # A fresh guest link for the guest party, after the one it got when it was added.
    assert list(
        GuestLink.objects.filter(guest_pass__consultee=reminding["lekeberg"])
        .order_by("pk")
        .values_list("reason", flat=True)
    ) == ["added", "manual"]
    # Both go out by e-mail through a real SMTP server: the people's and the guest party's.
    addresses = {people["manager"].email, people["expert"].email, "kommunen@lekeberg.se"}
    received = smtp_inbox.wait_for(3)
    assert addresses <= {to for rcpt, _message in received for to in rcpt}
    link_mail = next(m for rcpt, m in received if rcpt == ["kommunen@lekeberg.se"])
    assert "påminnelse" in link_mail.get_body(preferencelist=("plain",)).get_content().lower()
    reminded = next(m for rcpt, m in received if rcpt == [people["expert"].email])
    assert "Påminnelse: Remiss augusti" in reminded["Subject"]


def test_a_second_reminder_the_same_day_is_refused_in_words_and_sends_nothing(reminding):
    chair = reminding["people"]["chair"]
    round_services.remind_parties(reminding["round"], by_user=chair)
    before = sent_state()

    with pytest.raises(RemindedToday) as refused:
        round_services.remind_parties(
            reminding["round"], by_user=reminding["people"]["coordinator"]
        )
    assert "redan påmints i dag" in str(refused.value.message)
    assert chair.get_full_name() in str(refused.value.message)
    assert sent_state() == before

    # The next day it goes again.
    round_services.remind_parties(
        reminding["round"], by_user=chair, now=timezone.now() + timedelta(days=1)
    )
    assert RoundReminder.objects.count() == 2


def test_nobody_is_reminded_once_everyone_has_answered_or_after_the_round_closed(reminding):
    review_round, chair = reminding["round"], reminding["people"]["chair"]
    review_round.consultees.update(status=Consultee.Status.SUBMITTED)
    with pytest.raises(NobodyToRemind):
        round_services.remind_parties(review_round, by_user=chair)
    review_round.consultees.update(status=Consultee.Status.INVITED)
    round_services.close_round(review_round, by_user=chair)
    before = sent_state()
    with pytest.raises(InvalidTransition) as refused:
        round_services.remind_parties(review_round, by_user=chair)
    assert "redan stängd" in str(refused.value.message)
    assert sent_state() == before


def test_the_close_step_gives_the_numbers_before_the_button(reminding):
    client = browser_client(reminding["people"]["chair"])
    page = client.get(reverse("consultations:step", args=[reminding["round"].pk, "close"]))
    text = page_text(page)
    assert "3 av 4 har inte svarat." in text
    assert "9 dagar kvar till sista dag." in text or "10 dagar kvar till sista dag." in text
    assert text.index("Lekebergs kommun") < text.rindex("Stäng remissrundan")  # the button
    assert "Kumla kommun" not in text


def test_those_who_do_not_run_the_round_see_the_parties_beside_the_document(reminding):
    client = browser_client(reminding["people"]["member"])
    text = page_text(client.get(reminding["round"].get_absolute_url()))
    assert text.index("Inledning") < text.index("Remissinstanser")
    assert "Påminn" not in text
    assert "har svarat ·" not in text


def _count(client, url):
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["round", "close", "remind"])
def test_the_chairs_pages_do_not_grow_with_the_parties(client, reminding, page):
    review_round, chair = reminding["round"], reminding["people"]["chair"]
    client.force_login(chair)
    url = {
        "round": review_round.get_absolute_url(),
        "close": reverse("consultations:step", args=[review_round.pk, "close"]),
        "remind": reverse("consultations:remind", args=[review_round.pk]),
    }[page]

    def more(n):
        organisations = [
            OrganisationFactory(name=f"Kommun {n}-{i}", registry_email=f"r{n}-{i}@kommun.se")
            for i in range(n)
        ]
        round_services.add_consultees(review_round, by_user=chair, organisations=organisations)

    round_services.remind_parties(review_round, by_user=chair, now=timezone.now() - timedelta(1))
    few = _count(client, url)
    more(15)
    review_round.consultees.filter(organisation__name__startswith="Kommun 15-1").update(
        status=Consultee.Status.SUBMITTED
    )
    assert _count(client, url) == few


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_chair_and_the_coordinator_reminding_at_the_same_moment_remind_once(world):
    people = world["people"]
    round_services.open_round(world["round"], by_user=people["chair"])

    def remind(person):
        return lambda: round_services.remind_parties(world["round"], by_user=person)

    outcomes = race(
        remind(people["chair"]), remind(people["coordinator"]), refused=(RemindedToday,)
    )
    assert sorted(outcomes) == ["done", "refused"]
    assert RoundReminder.objects.count() == 1
    recipients = list(
        Notification.objects.filter(kind=Kind.ROUND_REMINDER).values_list("recipient", flat=True)
    )
    assert recipients
    assert len(recipients) == len(set(recipients))  # each person once
