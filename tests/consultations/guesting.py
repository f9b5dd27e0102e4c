"""A party reached only through its guest link, for the guest pages' tests: an organisation
nobody in Samverka speaks for, consulted in the round of `world` (tests/consultations/conftest.py),
and the link and codes from the SMTP sink (`smtp_inbox`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from consultations import guests
from consultations.models import Consultee
from consultations.services import rounds as round_services
from tests.consultations.test_guest_access import code_in, link_in
from tests.factories import OrganisationFactory

ADDRESS = "kommunen@lekeberg.se"


@dataclass
class Reached:
    token: str
    party: Consultee
    address: str = ADDRESS

    @property
    def url(self) -> str:
        return reverse("consultations:guest", args=[self.token])

    @property
    def verify_url(self) -> str:
        return reverse("consultations:guest_verify", args=[self.token])

    @property
    def code_url(self) -> str:
        return reverse("consultations:guest_code", args=[self.token])


def to(inbox, address: str = ADDRESS) -> list:
    return [message for rcpt, message in inbox.messages if address in rcpt]


def last_code(inbox, address: str = ADDRESS) -> str:
    """The code of the latest e-mail to the address (waits for it)."""
    inbox.wait_for(len(inbox.messages) or 1)
    return code_in(to(inbox, address)[-1])


def consult_by_link(
    review_round, chair, inbox, capture, *, name="Lekebergs kommun", address=ADDRESS
) -> Reached:
    """Consult an organisation with no people in Samverka, open the round (the link goes out
    after the commit: `capture` is django_capture_on_commit_callbacks) and read the link."""
    organisation = OrganisationFactory(name=name, registry_email=address)
    with capture(execute=True):
        # In an open round, adding the party sends its link; otherwise opening the round does.
        round_services.add_consultees(review_round, by_user=chair, organisations=[organisation])
        review_round.refresh_from_db()
        if not review_round.has_opened:
            round_services.open_round(review_round, by_user=chair)
    review_round.refresh_from_db()
    party = review_round.consultees.get(organisation=organisation)
    sent = to(inbox, address)
    assert sent, f"no link was e-mailed to {address}"
    return Reached(link_in(sent[-1]), party, address)


def guest_user(reached: Reached, inbox, *, name="Eva Ek", title="Registrator"):
    """The guest's account, through the core (the pages are tested elsewhere)."""
    link = guests.open_link(reached.token)
    guests.send_code(link)
    return guests.verify(link, code=last_code(inbox, reached.address), name=name, title=title)
