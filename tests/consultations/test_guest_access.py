"""Guests, in the core: a party nobody in Samverka speaks for gets a link at its registry address
when the round opens; the link lets in, after a code sent to the same address, the person who
reads it, for that party in that round only, until the round closes and its reading time ends."""

import re
import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from consultations import guests
from consultations.models import GuestCode, GuestLink, GuestPass
from consultations.policies.actions import ConsulteeAction, RoundAction
from consultations.services import rounds as round_services
from networks import registry
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def link_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://\S+/guest/(\S+)/", body).group(1)


def code_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"^\s+(\d{6})\s*$", body, re.MULTILINE).group(1)


@pytest.fixture
def lekeberg(world):
    """An organisation nobody in Samverka speaks for, with a registry address, consulted."""
    organisation = OrganisationFactory(
        name="Lekebergs kommun", registry_email="kommunen@lekeberg.se"
    )
    round_services.add_consultees(
        world["round"], by_user=world["people"]["chair"], organisations=[organisation]
    )
    return organisation


def test_opening_sends_a_link_that_lets_in_only_who_reads_the_address(world, lekeberg, smtp_inbox):
    review_round = world["round"]
    round_services.open_round(review_round, by_user=world["people"]["chair"])
    [(_to, message)] = [m for m in smtp_inbox.wait_for(1) if m[0] == ["kommunen@lekeberg.se"]]
    token = link_in(message)
    stored = GuestLink.objects.get(guest_pass__consultee__organisation=lekeberg)
    assert stored.token_hash == guests.digest(token)
    assert token not in stored.token_hash
    assert "Regional strategi" in message["Subject"]
    assert "lekeberg" not in token.lower()

    link = guests.open_link(token)
    guests.send_code(link)
    code = code_in(smtp_inbox.wait_for(2)[-1][1])
    with pytest.raises(guests.WrongCode):
        guests.verify(link, code="000000" if code != "000000" else "111111", name="Eva Ek")
    assert GuestCode.objects.get().failed_attempts == 1
    guest = guests.verify(link, code=code, name="Eva Ek", title="Registrator")
    assert guest.is_guest
    assert not guest.has_usable_password()
    assert guest.guest.title == "Registrator"

    review_round.refresh_from_db()
    party = review_round.consultees.get(organisation=lekeberg)
    on_round = registry.actions(guest, review_round)
    assert RoundAction.VIEW in on_round
    assert RoundAction.COMMENT in on_round
    assert ConsulteeAction.RESPOND in registry.actions(guest, party)
    other = review_round.consultees.get(organisation=world["kumla"])
    assert not registry.actions(guest, world["document"])
    assert ConsulteeAction.RESPOND not in registry.actions(guest, other)
    assert GuestPass.objects.get().opened_at is not None


def test_the_link_ends_with_the_round_and_its_reading_time(world, lekeberg, smtp_inbox, settings):
    review_round = world["round"]
    round_services.open_round(review_round, by_user=world["people"]["chair"])
    token = link_in(smtp_inbox.wait_for(1)[-1][1])
    link = guests.open_link(token)
    guests.send_code(link)
    guest = guests.verify(link, code=code_in(smtp_inbox.wait_for(2)[-1][1]), name="Eva Ek")
    round_services.close_round(review_round, by_user=world["people"]["chair"])
    review_round.refresh_from_db()
    assert guests.open_link(token)  # the report is still read through the link
    allowed = registry.actions(guest, review_round)
    assert RoundAction.VIEW in allowed
    assert RoundAction.COMMENT not in allowed
    review_round.closed_at = timezone.now() - timedelta(days=settings.GUEST_GRACE_DAYS + 1)
    review_round.save(update_fields=["closed_at"])
    with pytest.raises(guests.LinkExpired):
        guests.open_link(token)
    assert RoundAction.VIEW not in registry.actions(guest, review_round)


def test_a_party_with_people_in_samverka_gets_no_link(world, smtp_inbox):
    round_services.open_round(world["round"], by_user=world["people"]["chair"])
    assert not GuestPass.objects.exists()


def test_a_link_the_mail_server_refused_is_sent_by_the_sweep(world, lekeberg, smtp_inbox, settings):
    """The mail server is away when the round opens: the round opens all the same (the chair
    sees no error), and the next sweep e-mails the link once the server is back."""
    from consultations import tasks

    working_port = settings.EMAIL_PORT
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = closed.getsockname()[1]  # nothing listens there
    round_services.open_round(world["round"], by_user=world["people"]["chair"])
    world["round"].refresh_from_db()
    assert world["round"].is_open
    link = GuestLink.objects.get(guest_pass__consultee__organisation=lekeberg)
    assert link.token_hash is None
    assert guests.unsent_links() == []  # not within the first minute: the retries have it

    settings.EMAIL_PORT = working_port
    later = timezone.now() + timedelta(minutes=2)
    assert guests.unsent_links(later) == [link.pk]
    GuestLink.objects.filter(pk=link.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert tasks.sweep_guest_links() == 1
    sent = [m for to, m in smtp_inbox.wait_for(1) if to == ["kommunen@lekeberg.se"]]
    assert len(sent) == 1
    assert guests.open_link(link_in(sent[0])).pk == link.pk
    assert tasks.sweep_guest_links() == 0  # sent once


def test_a_guest_account_is_never_consulted_by_name(world, lekeberg, smtp_inbox):
    """A guest answers for their own party only: naming their account in another round (or this
    one) consults nobody."""
    review_round = world["round"]
    round_services.open_round(review_round, by_user=world["people"]["chair"])
    link = guests.open_link(link_in(smtp_inbox.wait_for(1)[-1][1]))
    guests.send_code(link)
    guest = guests.verify(link, code=code_in(smtp_inbox.wait_for(2)[-1][1]), name="Eva Ek")
    review_round.refresh_from_db()
    before = review_round.consultees.count()
    added = round_services.add_consultees(
        review_round, by_user=world["people"]["chair"], people=[guest]
    )
    assert added == []
    assert review_round.consultees.count() == before
