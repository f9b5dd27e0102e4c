"""Guests, the core (consultations/guests.py and the guest half of the rounds policy), as the
people involved notice it: the registry clerk who gets the link and the code, the chair who
resends and revokes it, the organisation's own people who share the draft with the guest, and
whoever finds a forwarded or old link.

The e-mail goes to a real SMTP server (smtp_inbox); the link and the code are read from it."""

import base64
import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations import errors, guests
from consultations.models import Consultee, Guest, GuestCode, GuestLink, GuestPass, Response
from consultations.policies import rounds as round_policy
from consultations.policies.actions import ConsulteeAction, ResponseAction, RoundAction
from consultations.services import comments, responses
from consultations.services import rounds as round_services
from documents import services as document_services
from networks import registry
from networks.errors import NotAllowed, NotFound
from networks.models import Network
from networks.permissions import Action, SetUpAction
from notifications.kinds import Kind
from notifications.models import Notification
from notifications.services import notify
from tests.consultations.guest_mail import (
    LINK,
    codes_to,
    html_of,
    let_in,
    link_emails,
    new_code,
    tables_holding,
    text_of,
    tokens_to,
)
from tests.factories import DocumentFactory, OrganisationFactory, SectionFactory
from tests.policies.table import fresh

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = "kommunen@lekeberg.se"


@pytest.fixture
def lekeberg(world):
    """A municipality nobody in Samverka speaks for, with a registry address, consulted."""
    organisation = OrganisationFactory(name="Lekebergs kommun", registry_email=ADDRESS)
    round_services.add_consultees(
        world["round"], by_user=world["people"]["chair"], organisations=[organisation]
    )
    return organisation


@pytest.fixture
def opened(world, lekeberg, smtp_inbox):
    """The round is open, and Lekeberg's registry address has the link the opening sent."""
    round_services.open_round(world["round"], by_user=world["people"]["chair"])
    world["round"].refresh_from_db()
    [token] = tokens_to(smtp_inbox, ADDRESS)
    world.update(
        inbox=smtp_inbox,
        token=token,
        party=world["round"].consultees.get(organisation=lekeberg),
        guest_pass=GuestPass.objects.get(consultee__organisation=lekeberg),
    )
    return world


def other_than(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def guest_users() -> int:
    return get_user_model().objects.filter(is_guest=True).count()


# ------------------------------------------------------------------------------ the token


def test_the_link_carries_256_random_bits_and_only_the_email_holds_them(opened):
    token = opened["token"]

    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # secrets.token_urlsafe(32)
    assert len(base64.urlsafe_b64decode(token + "=")) == 32
    stored = GuestLink.objects.get()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    # No row anywhere holds it: not the link, not the pass's history, not a notification.
    assert tables_holding(token) == []
    assert tables_holding(stored.token_hash) == ["consultations_guestlink"]


def test_the_link_names_neither_the_body_nor_the_round(opened, settings):
    token = opened["token"]
    [message] = link_emails(opened["inbox"], ADDRESS)
    url = LINK.search(text_of(message))["url"]

    assert url == f"{settings.SITE_URL}/guest/{token}/"
    assert url in html_of(message)
    for name in ("lekeberg", "kommun", "remiss", "strategi"):
        assert name not in url.lower()


def test_every_email_carries_a_new_token(opened):
    chair, guest_pass, inbox = opened["people"]["chair"], opened["guest_pass"], opened["inbox"]

    guests.resend(guest_pass, by_user=chair)
    guests.resend(guest_pass, by_user=chair)
    guests.remind(opened["round"], [opened["party"]], GuestLink.Reason.REMINDER_3D)

    tokens = tokens_to(inbox, ADDRESS)
    assert len(tokens) == 4
    assert len(set(tokens)) == 4
    assert {guests.open_link(t).guest_pass for t in tokens} == {guest_pass}
    hashes = set(GuestLink.objects.values_list("token_hash", flat=True))
    assert hashes == {guests.digest(t) for t in tokens}
    for token in tokens:
        assert tables_holding(token) == []


def test_a_code_is_kept_as_its_hash_and_only_the_right_one_lets_in(opened):
    link = guests.open_link(opened["token"])
    code = new_code(opened["inbox"], link)

    row = GuestCode.objects.get()
    assert row.code_hash == guests.digest(code)
    assert code not in row.code_hash
    with pytest.raises(guests.WrongCode):
        guests.verify(link, code=other_than(code), name="Eva Ek")
    assert guest_users() == 0
    # typed with a space in the middle, as it is often read out
    guest = guests.verify(link, code=f"{code[:3]} {code[3:]}", name="Eva Ek")
    assert guest.is_guest
    assert guest.guest.guest_pass == opened["guest_pass"]


# ------------------------------------------------------------------------------ the code's limits


def test_a_party_gets_at_most_so_many_codes_an_hour(opened, settings):
    inbox = opened["inbox"]
    guests.resend(opened["guest_pass"], by_user=opened["people"]["chair"])
    first, second = (guests.open_link(t) for t in tokens_to(inbox, ADDRESS))
    for number in range(settings.GUEST_CODES_PER_HOUR):
        new_code(inbox, first if number % 2 else second)  # both links are one party's
    sent = len(inbox.messages)

    with pytest.raises(guests.TooManyCodes):
        guests.send_code(first)

    assert len(inbox.messages) == sent
    assert GuestCode.objects.count() == settings.GUEST_CODES_PER_HOUR
    # an hour later, one more
    guests.send_code(first, now=timezone.now() + timedelta(hours=1, minutes=1))
    assert len(codes_to(inbox, ADDRESS)) == settings.GUEST_CODES_PER_HOUR + 1


def test_a_code_works_for_so_many_minutes(opened, settings):
    link, inbox = guests.open_link(opened["token"]), opened["inbox"]
    late = timedelta(minutes=settings.GUEST_CODE_MINUTES, seconds=1)

    code = new_code(inbox, link)
    sent_at = GuestCode.objects.get().created_at
    with pytest.raises(guests.CodeUsedUp):
        guests.verify(link, code=code, name="Eva Ek", now=sent_at + late)

    code = new_code(inbox, link)
    sent_at = GuestCode.objects.first().created_at  # the latest
    in_time = timedelta(minutes=settings.GUEST_CODE_MINUTES, seconds=-1)
    assert guests.verify(link, code=code, name="Eva Ek", now=sent_at + in_time).is_guest


def test_wrong_tries_use_the_code_up_and_then_even_the_right_one_is_refused(opened, settings):
    link, inbox = guests.open_link(opened["token"]), opened["inbox"]
    code = new_code(inbox, link)

    for _try in range(settings.GUEST_CODE_ATTEMPTS - 1):
        with pytest.raises(guests.WrongCode):
            guests.verify(link, code=other_than(code), name="Eva Ek")
    with pytest.raises(guests.CodeUsedUp):
        guests.verify(link, code=other_than(code), name="Eva Ek")
    with pytest.raises(guests.CodeUsedUp):
        guests.verify(link, code=code, name="Eva Ek")

    assert GuestCode.objects.get().failed_attempts == settings.GUEST_CODE_ATTEMPTS
    assert guest_users() == 0
    assert GuestPass.objects.get().opened_at is None
    # a new code lets them in
    assert guests.verify(link, code=new_code(inbox, link), name="Eva Ek").is_guest


def test_a_new_code_makes_the_earlier_one_stop_working(opened):
    link, inbox = guests.open_link(opened["token"]), opened["inbox"]
    first = new_code(inbox, link)
    second = new_code(inbox, link)
    while second == first:  # one in a million: ask again, so that the two differ
        second = new_code(inbox, link)

    with pytest.raises(guests.WrongCode):
        guests.verify(link, code=first, name="Eva Ek")
    assert guest_users() == 0
    assert guests.verify(link, code=second, name="Eva Ek").is_guest


def test_a_used_code_lets_nobody_in_again(opened):
    inbox, chair = opened["inbox"], opened["people"]["chair"]
    link = guests.open_link(opened["token"])
    code = new_code(inbox, link)
    guests.verify(link, code=code, name="Eva Ek")
    guests.resend(opened["guest_pass"], by_user=chair)
    other_link = guests.open_link(tokens_to(inbox, ADDRESS)[-1])

    for through in (link, other_link):
        with pytest.raises(guests.CodeUsedUp):
            guests.verify(through, code=code, name="Mallory")
    assert guest_users() == 1


def test_a_missing_name_changes_nothing(opened):
    link = guests.open_link(opened["token"])
    code = new_code(opened["inbox"], link)

    with pytest.raises(guests.NameMissing):
        guests.verify(link, code=code, name="   ")

    row = GuestCode.objects.get()
    assert row.failed_attempts == 0
    assert row.used_at is None
    assert guest_users() == 0
    assert guests.verify(link, code=code, name="Eva Ek").is_guest  # the same code still works


# ------------------------------------------------------------------------- how long a link works


def _closed(review_round, ago: timedelta):
    review_round.refresh_from_db()
    review_round.closed_at = timezone.now() - ago
    review_round.save(update_fields=["closed_at"])
    return review_round


def test_the_link_works_while_open_and_for_the_grace_days_after_closing(opened, settings):
    review_round, party, chair = opened["round"], opened["party"], opened["people"]["chair"]
    guest = let_in(opened["inbox"], opened["token"], "Eva Ek")
    grace = timedelta(days=settings.GUEST_GRACE_DAYS)
    assert guests.valid_until(opened["guest_pass"]) == review_round.closes_at + grace

    round_services.close_round(review_round, by_user=chair)
    review_round = _closed(review_round, grace - timedelta(hours=1))
    assert guests.open_link(opened["token"])
    assert guests.valid_until(GuestPass.objects.get()) == review_round.closed_at + grace
    assert registry.actions(fresh(guest), review_round) == {RoundAction.VIEW}
    round_services.publish_report(review_round, by_user=chair)
    review_round.refresh_from_db()
    assert registry.actions(fresh(guest), review_round) == {RoundAction.VIEW}

    review_round = _closed(review_round, grace + timedelta(hours=1))
    with pytest.raises(guests.LinkExpired):
        guests.open_link(opened["token"])
    party.refresh_from_db()
    assert not registry.actions(fresh(guest), review_round)
    assert not registry.actions(fresh(guest), party)
    sent = len(opened["inbox"].messages)
    link = GuestLink.objects.get()
    with pytest.raises(guests.LinkExpired):
        guests.send_code(link)
    assert len(opened["inbox"].messages) == sent


def test_before_the_round_opens_no_link_goes_out_and_none_works(world, lekeberg, smtp_inbox):
    review_round, chair = world["round"], world["people"]["chair"]
    party = review_round.consultees.get(organisation=lekeberg)

    with pytest.raises(errors.InvalidTransition, match="skickas när den öppnas"):
        guests.send_first_link(party, by_user=chair)

    assert not GuestPass.objects.exists()
    assert not GuestLink.objects.exists()
    assert smtp_inbox.messages == []
    # Were a link there before the opening, it would say so, not let anyone in.
    guest_pass = GuestPass.objects.create(consultee=party, email=ADDRESS)
    GuestLink.objects.create(
        guest_pass=guest_pass, reason=GuestLink.Reason.RESENT, token_hash=guests.digest("x" * 43)
    )
    with pytest.raises(guests.LinkNotYetValid):
        guests.open_link("x" * 43)
    # The opening sends the party its link, which works.
    round_services.open_round(review_round, by_user=chair)
    [token] = tokens_to(smtp_inbox, ADDRESS)
    assert guests.open_link(token).guest_pass == guest_pass


def test_an_unknown_or_mangled_link_is_refused_plainly(opened):
    for token in ("", "x", opened["token"][:-1], opened["token"] + "x", "a" * 500):
        with pytest.raises(guests.LinkUnknown):
            guests.open_link(token)


# ------------------------------------------------------------------------------ the chair's hand


def test_a_revoked_pass_lets_nobody_in_and_lets_the_guest_out_at_once(opened):
    review_round, party, inbox = opened["round"], opened["party"], opened["inbox"]
    guest = let_in(inbox, opened["token"], "Eva Ek")
    responses.save_draft(party, by_user=guest, position="", summary="Utkast.")
    link = guests.open_link(opened["token"])
    code = new_code(inbox, link)  # a colleague at the address is typing their code

    guests.revoke(opened["guest_pass"], by_user=opened["people"]["chair"])

    with pytest.raises(guests.LinkRevoked):
        guests.open_link(opened["token"])
    guest = fresh(guest)
    assert not registry.actions(guest, review_round)
    assert not registry.actions(guest, party)
    assert not registry.actions(fresh(guest), Response.objects.get())
    assert not registry.objects_for(fresh(guest), ConsulteeAction.RESPOND, Consultee).exists()
    with pytest.raises(NotFound):
        comments.add_comment(review_round, by_user=fresh(guest), body="Hallå?")
    with pytest.raises(NotFound):
        responses.save_draft(party, by_user=fresh(guest), position="", summary="Ändrat.")
    assert Response.objects.get().summary == "Utkast."
    with pytest.raises(guests.LinkRevoked):
        guests.verify(link, code=code, name="Nils Nilsson")
    assert GuestCode.objects.first().used_at is None  # the latest: nothing counted
    assert guest_users() == 1
    sent = len(inbox.messages)
    with pytest.raises(guests.LinkRevoked):
        guests.send_code(link)
    assert len(inbox.messages) == sent


def test_resending_lifts_the_revocation_with_a_fresh_link(opened):
    chair, party, inbox = opened["people"]["chair"], opened["party"], opened["inbox"]
    guest = let_in(inbox, opened["token"], "Eva Ek")
    guests.revoke(opened["guest_pass"], by_user=chair)

    guests.resend(opened["guest_pass"], by_user=chair)

    old, new = tokens_to(inbox, ADDRESS)
    assert new != old
    assert guests.open_link(new)
    assert guests.open_link(old)  # earlier links work again: the chair withdrew the revocation
    assert ConsulteeAction.RESPOND in registry.actions(fresh(guest), party)


def test_only_the_chair_resends_or_revokes(opened):
    guest_pass, people = opened["guest_pass"], opened["people"]
    guest = let_in(opened["inbox"], opened["token"], "Eva Ek")
    sent = len(opened["inbox"].messages)

    for who in (people["member"], people["drafter"], guest):
        with pytest.raises((NotAllowed, NotFound)):
            guests.resend(guest_pass, by_user=fresh(who))
        with pytest.raises((NotAllowed, NotFound)):
            guests.revoke(guest_pass, by_user=fresh(who))

    assert GuestLink.objects.count() == 1
    assert GuestPass.objects.get().revoked_at is None
    assert len(opened["inbox"].messages) == sent


def test_the_same_name_gets_the_same_account_another_name_their_own(opened):
    inbox, token, party = opened["inbox"], opened["token"], opened["party"]

    eva = let_in(inbox, token, "Eva Ek", title="Registrator")
    again = let_in(inbox, token, "  eva   EK ")
    nils = let_in(inbox, token, "Nils Nilsson", title="Kommunchef")

    assert again.pk == eva.pk
    assert nils.pk != eva.pk
    assert Guest.objects.get(user=eva).title == "Registrator"  # kept when none is given
    assert Guest.objects.get(user=nils).title == "Kommunchef"
    assert {g.guest_pass for g in Guest.objects.all()} == {opened["guest_pass"]}
    for person in (eva, nils):
        assert ConsulteeAction.RESPOND in registry.actions(fresh(person), party)
        assert not person.has_usable_password()


# ------------------------------------------------------------------------------ the guest's reach


def _another_round(world, organisation):
    """Another document's open round, in the same working group, consulting the same body."""
    chair = world["people"]["chair"]
    document = DocumentFactory(network=world["group"], title="Handlingsplan")
    SectionFactory(document=document, heading="Mål", body="Fler i arbete.")
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
    round_services.add_consultees(other, by_user=chair, organisations=[organisation])
    round_services.open_round(other, by_user=chair)
    other.refresh_from_db()
    return other


def test_a_guest_has_nothing_but_their_party_in_their_round(opened, lekeberg):
    review_round, party = opened["round"], opened["party"]
    guest = let_in(opened["inbox"], opened["token"], "Eva Ek")
    other_round = _another_round(opened, lekeberg)
    other_party = other_round.consultees.get()
    kumla_party = review_round.consultees.get(organisation=opened["kumla"])

    assert registry.actions(fresh(guest), review_round) == {RoundAction.VIEW, RoundAction.COMMENT}
    assert ConsulteeAction.RESPOND in registry.actions(fresh(guest), party)
    # the round's other parties: seen in its list, nothing more
    assert registry.actions(fresh(guest), kumla_party) == {RoundAction.VIEW}
    with pytest.raises(NotAllowed):
        round_policy.require(fresh(guest), ConsulteeAction.RESPOND, kumla_party)
    for nothing in (
        opened["document"],
        opened["group"],
        opened["managers"],
        opened["kumla"],
        lekeberg,
        other_round,
        other_party,
        other_round.document,
    ):
        assert not registry.actions(fresh(guest), nothing), nothing
        with pytest.raises(NotFound):
            registry.require(fresh(guest), registry.policy_for(nothing).view_action, nothing)
    assert set(registry.objects_for(fresh(guest), ConsulteeAction.RESPOND, Consultee)) == {party}
    assert set(registry.objects_for(fresh(guest), ConsulteeAction.APPROVE, Consultee)) == {party}
    for action in (Action.VIEW_NETWORK, Action.VIEW_DOCUMENT, Action.CREATE_SUBGROUP):
        assert not registry.objects_for(fresh(guest), action, Network).exists()
    assert not registry.may(fresh(guest), SetUpAction.CREATE_NETWORK, Network)
    assert list(round_policy.organisations_spoken_for(fresh(guest), review_round)) == [lekeberg]
    assert not round_policy.organisations_spoken_for(fresh(guest), other_round).exists()
    # the other round's own link is another pass: its guest is someone else
    [_first, other_token] = tokens_to(opened["inbox"], ADDRESS)
    assert guests.open_link(other_token).guest_pass.consultee == other_party


def test_the_guest_comments_and_answers_for_the_body(opened, lekeberg):
    review_round, party = opened["round"], opened["party"]
    guest = let_in(opened["inbox"], opened["token"], "Eva Ek", title="Registrator")

    comment = comments.add_comment(
        review_round, by_user=guest, body="Lekeberg saknar landsbygden.", on_behalf_of=lekeberg
    )
    response = responses.approve_and_submit(
        party,
        by_user=guest,
        draft=responses.Draft(position=Response.Position.SUPPORTS, summary="Vi tillstyrker."),
    )

    assert comment.author == guest
    assert comment.on_behalf_of == lekeberg
    assert response.approved_by == guest
    party.refresh_from_db()
    assert party.has_answered
    assert not registry.objects_for(fresh(guest), ConsulteeAction.RESPOND, Consultee).exists()


def test_the_organisations_own_people_and_its_guest_share_one_draft(world, smtp_inbox):
    """Kumla has people in Samverka (an affiliated drafter and approver); the chair sends its
    registry address a link as well. Whoever writes, the other reads and goes on writing."""
    kumla, people, review_round = world["kumla"], world["people"], world["round"]
    kumla.registry_email = "registrator@kumla.se"
    kumla.save()
    round_services.open_round(review_round, by_user=people["chair"])
    review_round.refresh_from_db()
    assert not GuestPass.objects.exists()  # its people were told; no link at the opening
    party = review_round.consultees.get(organisation=kumla)
    guests.send_first_link(party, by_user=people["chair"])
    [token] = tokens_to(smtp_inbox, "registrator@kumla.se")
    guest = let_in(smtp_inbox, token, "Kim Kvist", title="Nämndsekreterare")
    drafter = people["drafter"]

    responses.save_draft(party, by_user=guest, position="", summary="Gästens utkast.")
    draft = Response.objects.get(consultee=party)
    assert ResponseAction.READ in registry.actions(fresh(drafter), draft)
    assert ConsulteeAction.RESPOND in registry.actions(fresh(drafter), party)
    responses.save_draft(party, by_user=drafter, position="", summary="Utkast, fortsatt.")

    draft.refresh_from_db()
    assert draft.summary == "Utkast, fortsatt."
    assert ResponseAction.READ in registry.actions(fresh(guest), draft)
    assert ConsulteeAction.RESPOND in registry.actions(fresh(guest), party)
    assert Response.objects.filter(consultee=party).count() == 1
    # the one who approves for Kumla sees the same draft too
    assert ResponseAction.READ in registry.actions(fresh(people["approver"]), draft)
    speakers = set(registry.users_for(ConsulteeAction.RESPOND, party))
    assert {guest, drafter, people["approver"]} <= speakers


# ------------------------------------------------------------------------ nobody e-mails a guest


def test_no_notification_is_made_for_a_guest(opened, lekeberg):
    review_round, people = opened["round"], opened["people"]
    guest = let_in(opened["inbox"], opened["token"], "Eva Ek")
    comment = comments.add_comment(review_round, by_user=guest, body="En fråga.")

    made = notify(
        kind=Kind.CONSULTEE_ADDED,
        recipients=[guest, people["member"]],
        context={"round": "Remiss", "document": "Strategi", "deadline": "1 juni"},
    )
    comments.add_comment(review_round, by_user=people["member"], body="Svar.", parent=comment)
    round_services.close_round(review_round, by_user=people["chair"])

    assert [n.recipient for n in made] == [people["member"]]
    assert guest in set(round_policy.people_of(review_round, [opened["party"]]))
    assert not Notification.objects.filter(recipient=guest).exists()
    assert not Notification.objects.filter(email__iendswith="guests.invalid").exists()
    assert not [to for to, _m in opened["inbox"].messages if to == [guest.email]]


# ------------------------------------------------------------------------------ locks


def _locked_tables(call) -> list[str]:
    """The tables the call locks with SELECT … FOR UPDATE, in order; each statement must lock
    its own table only (a join locked whole would lock the party and its round too, out of the
    order in documents.locks, and PostgreSQL refuses to lock the empty side of an outer join)."""
    with CaptureQueriesContext(connection) as queries:
        call()
    tables = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if "FOR UPDATE" not in sql:
            continue
        named = re.search(r'FOR UPDATE OF "(\w+)"', sql)
        if named is None:
            assert " JOIN " not in sql, sql
            named = re.search(r'FROM "(\w+)"', sql)
        tables.append(named.group(1).removeprefix("consultations_"))
    return tables


@pytest.mark.postgres
def test_the_guest_steps_lock_the_round_then_the_pass_then_its_codes(opened):
    chair, guest_pass, party = opened["people"]["chair"], opened["guest_pass"], opened["party"]
    link = guests.open_link(opened["token"])
    codes = []

    assert _locked_tables(lambda: codes.append(new_code(opened["inbox"], link))) == ["guestpass"]
    assert _locked_tables(lambda: guests.verify(link, code=codes[-1], name="Eva Ek")) == [
        "guestpass",
        "guestcode",
    ]
    # the new link's delivery (the worker's, run here at once) locks that link alone
    assert _locked_tables(lambda: guests.resend(guest_pass, by_user=chair)) == [
        "guestpass",
        "guestlink",
    ]
    assert _locked_tables(lambda: guests.send_first_link(party, by_user=chair)) == [
        "reviewround",
        "guestpass",
        "guestlink",
    ]
    assert _locked_tables(lambda: guests.revoke(guest_pass, by_user=chair)) == ["guestpass"]
