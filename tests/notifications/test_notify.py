"""notify(): rows written with the event, delivered after it, as each person chooses."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone, translation

from notifications import delivery, services
from notifications.kinds import TEXTS, Channel, Kind, render
from notifications.models import Digest, Notification, Preference
from tests.factories import UserFactory
from tests.racing import race

pytestmark = pytest.mark.django_db


def raise_version(recipients, actor=None, **extra):
    return services.notify(
        kind=Kind.VERSION_PUBLISHED,
        recipients=recipients,
        actor=actor,
        context={"document": "Regional strategi", "version": "2 (Reviderad)"},
        url="/documents/1/versions/2/",
        **extra,
    )


def test_rows_are_written_in_the_event_transaction_and_vanish_with_it():
    person = UserFactory()

    def event_that_fails():
        with transaction.atomic():
            raise_version([person])
            raise RuntimeError("the event failed")

    with pytest.raises(RuntimeError, match="the event failed"):
        event_that_fails()
    assert not Notification.objects.exists()


def test_nothing_is_sent_before_the_event_commits(django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify(
            kind=Kind.SIGNOFF_AWAITING_SIGNATURE,
            recipients=[person],
            context={"document": "Strategi", "version": "3"},
        )
    assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]


def test_the_actor_is_not_told_about_their_own_act(django_capture_on_commit_callbacks):
    actor, other = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        rows = raise_version([actor, other, other], actor=actor)
    assert [n.recipient for n in rows] == [other]


def test_each_person_gets_their_chosen_channel(django_capture_on_commit_callbacks):
    default, at_once, quiet = UserFactory(), UserFactory(), UserFactory()
    Preference.objects.create(user=at_once, kind=Kind.VERSION_PUBLISHED, channel=Channel.IMMEDIATE)
    Preference.objects.create(user=quiet, kind=Kind.VERSION_PUBLISHED, channel=Channel.IN_APP)
    with django_capture_on_commit_callbacks(execute=True):
        rows = raise_version([default, at_once, quiet])
    channels = {n.recipient: n.channel for n in rows}
    assert channels == {
        default: TEXTS[Kind.VERSION_PUBLISHED].default,
        at_once: Channel.IMMEDIATE,
        quiet: Channel.IN_APP,
    }
    assert [m.to for m in mail.outbox] == [[at_once.email]]


def test_the_email_is_in_the_recipients_language(django_capture_on_commit_callbacks):
    swede, english = UserFactory(language="sv"), UserFactory(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            kind=Kind.SIGNOFF_AWAITING_SIGNATURE,
            recipients=[swede, english],
            context={"document": "Strategi", "version": "3"},
            url="/documents/1/",
        )
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "underskrift" in by_address[swede.email].subject.lower()
    assert "signature" in by_address[english.email].subject.lower()
    assert by_address[english.email].body.startswith("Hello")
    html = by_address[swede.email].alternatives[0][0]
    assert "/notifications/settings/" in html
    assert "/documents/1/" in html


def test_translatable_words_in_the_context_follow_the_reader():
    from networks.models import Role

    person = UserFactory()
    [row] = services.notify(
        kind=Kind.INVITED,
        recipients=[person],
        actor=UserFactory(full_name="Cecilia"),
        context={"network": "Arbetsgruppen", "role": Role.WRITER.label},
    )
    with translation.override("sv"):
        assert "skribent" in row.message.lower()
    with translation.override("en"):
        assert "writer" in row.message.lower()


def test_someone_without_an_account_is_reached_by_address(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [row] = services.notify(
            kind=Kind.INVITED,
            recipients=["Ny@Example.org"],
            context={"network": "Arbetsgruppen", "role": "ledamot"},
            url="/invitations/abc/",
        )
    assert row.recipient is None
    assert row.email == "ny@example.org"
    assert mail.outbox[0].to == ["ny@example.org"]
    assert "/notifications/settings/" not in mail.outbox[0].body  # no account, no settings


def test_a_keyed_notification_reaches_each_person_once():
    people = [UserFactory(), UserFactory()]
    for _scan in range(3):
        services.notify(
            kind=Kind.DEADLINE_IN_3_DAYS,
            recipients=people,
            context={"round": "Remiss", "deadline": "1 sep"},
            key="round:7:deadline:3d",
        )
    assert Notification.objects.count() == 2
    services.notify(
        kind=Kind.DEADLINE_IN_1_DAY,
        recipients=people,
        context={"round": "Remiss", "deadline": "1 sep"},
        key="round:7:deadline:1d",
    )
    assert Notification.objects.count() == 4


def test_an_email_is_sent_once_however_often_the_task_runs(django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        [row] = services.notify(
            kind=Kind.DOCUMENT_ADOPTED,
            recipients=[person],
            context={"document": "S", "version": "2"},
        )
    assert delivery.send_one(row.pk) == "skipped"
    assert delivery.send_one(row.pk) == "skipped"
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.emailed_at is not None
    assert row.email_attempts == 1


def test_a_failed_send_releases_the_claim_and_the_sweep_retries(settings, monkeypatch):
    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 0
    person = UserFactory()
    [row] = services.notify(
        kind=Kind.DOCUMENT_ADOPTED, recipients=[person], context={"document": "S", "version": "2"}
    )

    def refuse(self, *args, **kwargs):
        raise OSError("SMTP away")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(OSError, match="SMTP away"):
        delivery.send_one(row.pk)
    row.refresh_from_db()
    assert row.emailed_at is None
    assert row.email_claimed_at is None
    assert "SMTP away" in row.email_error
    monkeypatch.undo()
    assert delivery.due_for_email()[0] == [row.pk]
    assert delivery.send_one(row.pk) == "sent"
    assert delivery.due_for_email() == ([], [])


def test_a_stale_claim_of_a_dead_worker_expires(settings):
    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 0
    person = UserFactory()
    [row] = services.notify(
        kind=Kind.DOCUMENT_ADOPTED, recipients=[person], context={"document": "S", "version": "2"}
    )
    Notification.objects.filter(pk=row.pk).update(email_claimed_at=timezone.now())
    assert delivery.due_for_email()[0] == []  # somebody is sending it
    Notification.objects.filter(pk=row.pk).update(
        email_claimed_at=timezone.now()
        - timedelta(seconds=settings.NOTIFICATION_EMAIL_LEASE_SECONDS + 1)
    )
    assert delivery.due_for_email()[0] == [row.pk]


def test_the_daily_digest_is_one_email_with_everything_and_only_once():
    person = UserFactory()
    for n in range(3):
        services.notify(
            kind=Kind.VERSION_PUBLISHED,
            recipients=[person],
            context={"document": f"Dokument {n}", "version": "1"},
        )
    digests = delivery.collect_digests()
    assert len(digests) == 1
    assert delivery.collect_digests() == []  # a second run of the job collects nothing new
    assert delivery.send_digest(digests[0]) == "sent"
    assert delivery.send_digest(digests[0]) == "skipped"
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert all(f"Dokument {n}" in body for n in range(3))
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0
    assert Digest.objects.count() == 1


def test_unknown_kinds_are_refused():
    with pytest.raises(ValueError, match="Unknown notification kind: nonsense"):
        services.notify(kind="nonsense", recipients=[UserFactory()], context={})


def test_every_kind_has_texts_in_both_languages():
    for kind in Kind.values:
        for language in ("sv", "en"):
            with translation.override(language):
                assert render(kind, {})
                assert render(kind, {}, "subject")


def test_mark_read_touches_only_my_own():
    me, other = UserFactory(), UserFactory()
    mine = raise_version([me])[0]
    theirs = raise_version([other])[0]
    assert services.mark_read(me, [mine.pk, theirs.pk]) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_permanent_refusal_is_recorded_and_not_retried(monkeypatch, settings):
    import smtplib

    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 0
    [row] = services.notify(
        kind=Kind.DOCUMENT_ADOPTED,
        recipients=[UserFactory()],
        context={"document": "S", "version": "2"},
    )

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"No such user")})

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    assert delivery.send_one(row.pk) == "refused"
    row.refresh_from_db()
    assert row.emailed_at is None
    assert "550" in row.email_error
    assert delivery.due_for_email()[0] == []  # the sweep leaves it alone
    assert delivery.send_one(row.pk) == "skipped"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_scans_naming_people_in_other_orders_do_not_deadlock():
    """Two scans at the same moment, each telling the same 60 people in its own transaction, one
    from the first person and one from the last: without one order for every caller they would
    wait on each other's rows in the middle, and PostgreSQL would kill one of them."""
    people = [UserFactory() for _ in range(60)]

    def scan(order):
        def run():
            with transaction.atomic():
                services.notify(
                    kind=Kind.DEADLINE_IN_1_DAY,
                    recipients=order,
                    context={"round": "R", "deadline": "d"},
                    key="round:9:deadline:1d",
                )

        return run

    assert race(scan(people), scan(people[::-1]), refused=()) == ["done", "done"]
    told = Notification.objects.filter(key="round:9:deadline:1d")
    assert told.count() == 60
    assert set(told.values_list("recipient", flat=True)) == {p.pk for p in people}
