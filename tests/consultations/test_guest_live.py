"""Guests with the real services: the link's e-mail goes through a real Celery worker on Redis to
a real SMTP server, once, whatever the broker or the mail server does; and a guest's page hears
its round over a websocket, only its round, and only while the link lets them in."""

from datetime import timedelta
from email import message_from_bytes
from email import policy as email_policy

import pytest
from channels.db import database_sync_to_async
from django.conf import settings as django_settings
from django.utils import timezone

from consultations import guests, tasks
from consultations.models import GuestLink, GuestPass, ReviewRound
from consultations.services import comments
from consultations.services import rounds as round_services
from documents import services as document_services
from tests.consultations.guest_mail import LINK, let_in, tables_holding, text_of, tokens_to
from tests.factories import DocumentFactory, OrganisationFactory, SectionFactory
from tests.notifications.conftest import SmtpSink, TaskRuns, free_port, wait_until
from tests.racing import race
from tests.websockets import connect

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = "kommunen@lekeberg.se"
DELIVER = tasks.deliver_guest_link.name


@pytest.fixture
def lekeberg(world):
    """A municipality nobody in Samverka speaks for, with a registry address, consulted."""
    organisation = OrganisationFactory(name="Lekebergs kommun", registry_email=ADDRESS)
    round_services.add_consultees(
        world["round"], by_user=world["people"]["chair"], organisations=[organisation]
    )
    return organisation


@pytest.fixture
def runs():
    """What the in-process worker ran (name, retries, state, return value)."""
    from celery.signals import task_postrun

    recorded = TaskRuns()
    task_postrun.connect(recorded.record, weak=False)
    try:
        yield recorded
    finally:
        task_postrun.disconnect(recorded.record)


class GuestMailSink(SmtpSink):
    """The SMTP sink of the delivery tests, which can also refuse the next e-mails to one
    address ("451 try again later") and keeps what it refused, to read the lost link."""

    def __init__(self):
        super().__init__()
        self.refuse_to: dict[str, int] = {}
        self.refused_messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        [address] = envelope.rcpt_tos or [""]
        if self.refuse_to.get(address, 0) > 0:
            self.refuse_to[address] -= 1
            self.refused_messages.append(
                message_from_bytes(envelope.content, policy=email_policy.default)
            )
            return "451 4.3.0 Try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def sink(settings):
    from aiosmtpd.controller import Controller

    mail = GuestMailSink()
    mail.port = free_port()
    controller = Controller(mail, hostname="127.0.0.1", port=mail.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", mail.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    try:
        yield mail
    finally:
        controller.stop()


def _tokens(messages) -> list[str]:
    return [LINK.search(text_of(m))["token"] for m in messages if LINK.search(text_of(m))]


# ------------------------------------------------------------------------------ the worker


@pytest.mark.redis
def test_the_link_goes_through_the_worker_once_even_if_the_task_runs_twice(
    celery_worker_on_redis, smtp_inbox, world, lekeberg, runs
):
    round_services.open_round(world["round"], by_user=world["people"]["chair"])

    assert wait_until(lambda: len(runs.of(DELIVER)) >= 1, 20)
    [token] = tokens_to(smtp_inbox, ADDRESS)
    link = GuestLink.objects.get()
    assert link.token_hash == guests.digest(token)
    # the broker hands the same task out again (a worker lost, a visibility timeout)
    tasks.deliver_guest_link.delay(link.pk)
    assert wait_until(lambda: len(runs.of(DELIVER)) >= 2, 20)

    assert [run["retval"] for run in runs.of(DELIVER)] == ["sent", "done"]
    assert tokens_to(smtp_inbox, ADDRESS) == [token]
    assert guests.open_link(token) == link  # the link in the e-mail still works


@pytest.mark.redis
def test_a_refused_send_keeps_no_token_and_the_retry_sends_a_working_link(
    celery_worker_on_redis, sink, world, lekeberg, runs
):
    sink.refuse_to[ADDRESS] = 1

    round_services.open_round(world["round"], by_user=world["people"]["chair"])

    assert wait_until(lambda: any(r["retval"] == "sent" for r in runs.of(DELIVER)), 30)
    [lost] = _tokens(sink.refused_messages)
    [sent] = _tokens(m for to, m in sink.messages if to == [ADDRESS])
    assert lost != sent
    assert [run["state"] for run in runs.of(DELIVER)] == ["RETRY", "SUCCESS"]
    with pytest.raises(guests.LinkUnknown):
        guests.open_link(lost)  # the e-mail that never arrived: its token was never kept
    assert tables_holding(lost) == []
    assert guests.open_link(sent).guest_pass == GuestPass.objects.get()
    assert GuestLink.objects.get().token_hash == guests.digest(sent)


def test_with_the_mail_server_away_no_token_is_kept_and_a_later_run_sends_it(
    world, lekeberg, sink, settings
):
    round_services.open_round(world["round"], by_user=world["people"]["chair"])
    [first] = GuestLink.objects.all()
    pending = GuestLink.objects.create(guest_pass=first.guest_pass, reason=GuestLink.Reason.RESENT)
    settings.EMAIL_PORT = free_port()  # nothing listens there

    with pytest.raises(ConnectionRefusedError):
        guests.deliver_link(pending.pk)

    pending.refresh_from_db()
    assert pending.token_hash is None
    assert pending.sent_at is None
    settings.EMAIL_PORT = sink.port
    assert guests.deliver_link(pending.pk) == "sent"
    assert len(_tokens(m for to, m in sink.messages if to == [ADDRESS])) == 2


@pytest.mark.postgres
def test_two_deliveries_of_one_link_at_once_send_one_email(world, lekeberg, smtp_inbox):
    round_services.open_round(world["round"], by_user=world["people"]["chair"])
    [first] = GuestLink.objects.all()
    pending = GuestLink.objects.create(guest_pass=first.guest_pass, reason=GuestLink.Reason.RESENT)
    answers = []

    race(
        lambda: answers.append(guests.deliver_link(pending.pk)),
        lambda: answers.append(guests.deliver_link(pending.pk)),
        refused=(),
    )

    assert sorted(answers) == ["done", "sent"]
    ids = [m["Message-ID"] for to, m in smtp_inbox.messages if to == [ADDRESS]]
    assert ids.count(f"<guest-link.{pending.pk}@samverka>") == 1


# ------------------------------------------------------------------------------ the websocket


def _another_round(world):
    """Another document's open round, which consults Lekeberg too (another pass)."""
    chair = world["people"]["chair"]
    document = DocumentFactory(network=world["group"], title="Handlingsplan")
    SectionFactory(document=document, body="Fler i arbete.")
    version = document_services.publish_version(
        document, by_user=chair, label="Remissversion", change_summary=""
    )
    other = round_services.create_round(
        document,
        by_user=chair,
        version=version,
        title="Remiss handlingsplan",
        questions=[],
        closes_at=timezone.now() + timedelta(days=20),
    )
    round_services.add_consultees(other, by_user=chair, organisations=[world["lekeberg"]])
    round_services.open_round(other, by_user=chair)
    return other


@pytest.fixture
def guest_in(world, lekeberg, smtp_inbox):
    """The round is open, Lekeberg's registry clerk came in as a guest; another round consults
    Lekeberg too."""
    round_services.open_round(world["round"], by_user=world["people"]["chair"])
    world["round"].refresh_from_db()
    [token] = tokens_to(smtp_inbox, ADDRESS)
    world["guest"] = let_in(smtp_inbox, token, "Eva Ek", title="Registrator")
    world["lekeberg"] = lekeberg
    world["other_round"] = _another_round(world)
    return world


async def listen(review_round, user):
    communicator, connected, _code = await connect(f"/ws/rounds/{review_round.pk}/", user=user)
    assert connected
    return communicator


@pytest.mark.asyncio
@pytest.mark.usefixtures("close_db_connections")
async def test_a_guest_hears_the_comments_of_their_round(layer, guest_in):
    page = await listen(guest_in["round"], guest_in["guest"])
    hello = await page.receive_json_from()
    assert hello["type"] == "hello"

    await database_sync_to_async(comments.add_comment)(
        guest_in["round"], by_user=guest_in["people"]["member"], body="Ny synpunkt"
    )

    event = await page.receive_json_from(timeout=3)
    assert event == {"type": "event", "sequence": hello["sequence"] + 1, "kind": "comment"}
    await page.disconnect()


@pytest.mark.asyncio
@pytest.mark.usefixtures("close_db_connections")
async def test_a_guests_socket_on_another_round_is_refused(layer, guest_in):
    page = await listen(guest_in["other_round"], guest_in["guest"])
    assert (await page.receive_output())["code"] == 4404


def _revoked(world):
    guest_pass = GuestPass.objects.get(consultee__round=world["round"])
    guests.revoke(guest_pass, by_user=world["people"]["chair"])


def _beyond_the_grace_period(world):
    days = django_settings.GUEST_GRACE_DAYS + 1
    ReviewRound.objects.filter(pk=world["round"].pk).update(
        status=ReviewRound.Status.CLOSED, closed_at=timezone.now() - timedelta(days=days)
    )


@pytest.mark.asyncio
@pytest.mark.usefixtures("close_db_connections")
@pytest.mark.parametrize("ended", [_revoked, _beyond_the_grace_period], ids=["revoked", "expired"])
async def test_once_the_link_no_longer_lets_them_in_a_new_socket_is_refused(layer, guest_in, ended):
    page = await listen(guest_in["round"], guest_in["guest"])
    assert (await page.receive_json_from())["type"] == "hello"
    await page.disconnect()

    await database_sync_to_async(ended)(guest_in)

    page = await listen(guest_in["round"], guest_in["guest"])
    assert (await page.receive_output())["code"] == 4404
