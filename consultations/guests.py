"""Guests: how a round reaches a consulted party that has nobody in Samverka.

An organisation with no one who speaks for it here (no member representing it in the round's
networks, nobody affiliated), or a person outside Samverka consulted by e-mail address alone, is
sent the round as a link to its address (the organisation's registry address). Whoever reads that
address answers the round as a guest: reads the version, comments, proposes changes and submits
the body's formal response, without a password account.

- A party has one `GuestPass` (its address, whether the chair revoked it). Each e-mail carries a
  fresh link (`GuestLink`); its token (256 bits) exists only in the e-mail: the database keeps
  its SHA-256 hash, and a link is found by that hash alone.
- Opening a link asks for a one-time code sent to the same address (`GuestCode`, hashed,
  compared in constant time, valid for minutes, a few tries, a few codes an hour): a forwarded
  link alone does not let anyone in.
- The guest says who they are (name, title) and gets an account without a password
  (`User.is_guest`), tied to the pass (`Guest`): their comments and the response they submit
  carry it. The rounds policy gives a guest only their party in their round, and only while the
  pass is valid (`policies.rounds.valid_passes`: until the round closes and a grace period after,
  for reading the report); every other page answers 404 (`GuestScopeMiddleware`).

Locks, below the round in the order of documents.locks: the round, then the party's pass, then
its links and codes (each `select_for_update` names its own table only: a pass read with its
party and round must not lock those too, and PostgreSQL refuses to lock the empty side of an
outer join, the party's missing organisation).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from consultations import selectors
from consultations.models import Consultee, Guest, GuestCode, GuestLink, GuestPass, ReviewRound
from consultations.policies import rounds as policy
from consultations.policies.actions import RoundAction
from networks.errors import DomainError
from notifications import delivery

Reason = GuestLink.Reason
log = logging.getLogger(__name__)
CODE_DIGITS = 6


# ------------------------------------------------------------------------------ refusals


class LinkRefused(DomainError):
    """A link that lets nobody in. `link` is the link found (None when the token is unknown):
    its round's chair is who the reader can ask."""

    link: GuestLink | None = None

    def about(self, link: GuestLink) -> LinkRefused:
        self.link = link
        return self


class LinkUnknown(LinkRefused):
    default_message = _(
        "This link is not known. Check that the whole address from the e-mail was copied, or ask "
        "the chair of the round for a new one."
    )


class LinkRevoked(LinkRefused):
    default_message = _("The chair of the round has withdrawn this link.")


class LinkExpired(LinkRefused):
    default_message = _(
        "This link is no longer valid: the round closed and its reading time ended."
    )


class LinkNotYetValid(LinkRefused):
    default_message = _("The round has not opened yet. The link will work once it opens.")


class WrongCode(DomainError):
    default_message = _("The code is not right. Check the latest e-mail and type the six digits.")


class CodeUsedUp(DomainError):
    default_message = _(
        "That code no longer works (it expired, was used or was typed wrong too many times). "
        "Ask for a new code."
    )


class TooManyCodes(DomainError):
    default_message = _(
        "Several codes have already been sent to this address within the hour. Use the latest "
        "one, or try again later."
    )


class NameMissing(DomainError):
    default_message = _("Write your name, so that the round's record shows who answered.")


class NoGuestAddress(DomainError):
    default_message = _(
        "This party has no address to send a link to. Add the organisation's registry address."
    )


# ------------------------------------------------------------------------------ secrets


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _same(secret: str, hashed: str) -> bool:
    return hmac.compare_digest(digest(secret), hashed)


# ------------------------------------------------------------------------------ reach


@dataclass(frozen=True)
class Reach:
    """How a party of the round is reached: by its people in Samverka, by a guest link to an
    address, or not at all (and why)."""

    consultee: Consultee
    by_people: bool
    address: str
    guest_pass: GuestPass | None

    @property
    def by_link(self) -> bool:
        return not self.by_people and bool(self.address)

    @property
    def unreachable(self) -> bool:
        return not self.by_people and not self.address

    @property
    def why_unreachable(self) -> str:
        if not self.unreachable:
            return ""
        if self.consultee.organisation_id:
            return str(
                _(
                    "Nobody in Samverka speaks for %(organisation)s, and it has no registry "
                    "address to send the round to."
                )
                % {"organisation": self.consultee.organisation}
            )
        return str(_("Nobody in Samverka speaks for this party."))


def reach(review_round: ReviewRound, consultees: list[Consultee]) -> list[Reach]:
    """Per party, how the round reaches it (two queries whatever the number of parties). A
    pass carries `last_sent_at`, when its latest link went out (None while it waits)."""
    by_people = policy.reached_by_people(review_round, consultees)
    if all(hasattr(c, selectors.PASS_SENT_AT) for c in consultees):
        # Read with the parties (selectors.consultees_of(with_reach=True)).
        passes = {}
        for c in consultees:
            guest_pass = _loaded_pass(c)
            if guest_pass is not None:
                guest_pass.last_sent_at = getattr(c, selectors.PASS_SENT_AT)
                passes[c.pk] = guest_pass
    else:
        passes = {
            p.consultee_id: p
            for p in GuestPass.objects.filter(consultee__in=[c.pk for c in consultees]).annotate(
                last_sent_at=Max("links__sent_at")
            )
        }
    return [
        Reach(
            consultee=c,
            by_people=c.pk in by_people,
            address="" if c.pk in by_people else c.guest_address,
            guest_pass=passes.get(c.pk),
        )
        for c in consultees
    ]


def _loaded_pass(consultee: Consultee) -> GuestPass | None:
    try:
        return consultee.guest_pass
    except GuestPass.DoesNotExist:
        return None


# ------------------------------------------------------------------------------ sending links


def send_links(review_round: ReviewRound, consultees: list[Consultee], *, by_user, reason: str):
    """Within the opening (or adding) transaction: a pass and a link for each party nobody in
    Samverka speaks for and that has an address; the e-mails go after the commit. A party whose
    pass the chair revoked is left alone (the chair sends it again by hand)."""
    ids = [c.pk for c in consultees]
    consultees = list(Consultee.objects.filter(pk__in=ids).select_related("organisation"))
    links = []
    for found in reach(review_round, consultees):
        if not found.by_link:
            continue
        guest_pass = found.guest_pass
        if guest_pass is None:
            guest_pass = GuestPass(
                consultee=found.consultee, email=found.address, created_by=by_user
            )
            guest_pass._history_user = by_user
            guest_pass.save()
        elif guest_pass.revoked_at is not None:
            continue
        links.append(_new_link(guest_pass, reason))
    return links


def _new_link(guest_pass: GuestPass, reason: str) -> GuestLink:
    link = GuestLink.objects.create(guest_pass=guest_pass, reason=reason)
    transaction.on_commit(lambda: _enqueue(link.pk))
    return link


def _enqueue(link_id: int) -> None:
    """Hand the link to a worker. If the broker (or, without one, the mail server) is away, the
    step that made it has still happened: the sweep sends the link later."""
    from consultations import tasks  # tasks import this module

    try:
        tasks.deliver_guest_link.delay(link_id)
    except Exception:  # noqa: BLE001 - whatever stops it now, the sweep sends it
        log.warning("Could not send guest link %s now; the sweep will", link_id)


def unsent_links(now=None, limit: int = 500) -> list[int]:
    """The sweep (every minute): links made more than a minute ago and not e-mailed (the broker
    or the mail server was away, a worker died, the retries ran out), of parties whose links
    still let them in. Sending again is safe: a link is e-mailed once (deliver_link)."""
    now = now or timezone.now()
    return list(
        GuestLink.objects.filter(
            token_hash__isnull=True,
            created_at__lt=now - timedelta(minutes=1),
            guest_pass__in=policy.valid_passes(now),
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def resend(guest_pass: GuestPass, *, by_user) -> GuestLink:
    """The chair sends the party a fresh link (to the address it has now), and lifts a revocation.
    Earlier links keep working until revoked. Not before the round opens: the opening sends it."""
    guest_pass = (
        GuestPass.objects.select_for_update(of=("self",))  # an organisation is an outer join
        .select_related("consultee__round", "consultee__organisation")
        .get(pk=guest_pass.pk)
    )
    review_round = guest_pass.consultee.round
    policy.require(by_user, RoundAction.SEND_LINKS, review_round)
    address = guest_pass.consultee.guest_address
    if not address:
        raise NoGuestAddress()
    guest_pass.email = address
    guest_pass.revoked_at = None
    guest_pass.revoked_by = None
    guest_pass._history_user = by_user
    guest_pass.save(update_fields=["email", "revoked_at", "revoked_by"])
    return _new_link(guest_pass, Reason.RESENT)


@transaction.atomic
def send_first_link(consultee: Consultee, *, by_user) -> GuestLink:
    """The chair sends a link to a party that has none yet (its address was added after the
    round opened, or its people left). Not before the round opens: the opening sends it."""
    review_round = ReviewRound.objects.select_for_update().get(pk=consultee.round_id)
    policy.require(by_user, RoundAction.SEND_LINKS, review_round)
    existing = GuestPass.objects.filter(consultee=consultee).first()
    if existing is not None:
        return resend(existing, by_user=by_user)
    address = consultee.guest_address
    if not address:
        raise NoGuestAddress()
    guest_pass = GuestPass(consultee=consultee, email=address, created_by=by_user)
    guest_pass._history_user = by_user
    guest_pass.save()
    return _new_link(guest_pass, Reason.RESENT)


@transaction.atomic
def revoke(guest_pass: GuestPass, *, by_user) -> GuestPass:
    """The chair withdraws the party's links: none of them lets anyone in any more, and guests
    already in are let out at their next step."""
    guest_pass = (
        GuestPass.objects.select_for_update(of=("self",))
        .select_related("consultee__round")
        .get(pk=guest_pass.pk)
    )
    policy.require(by_user, RoundAction.SEND_LINKS, guest_pass.consultee.round)
    if guest_pass.revoked_at is None:
        guest_pass.revoked_at = timezone.now()
        guest_pass.revoked_by = by_user
        guest_pass._history_user = by_user
        guest_pass.save(update_fields=["revoked_at", "revoked_by"])
    return guest_pass


def remind(review_round: ReviewRound, consultees: list[Consultee], reason: str) -> int:
    """The reminder scan: a link once per party and threshold (the unique constraint keeps it
    once however often the scan runs), to parties that have a valid pass and have not answered."""
    passes = (
        policy.valid_passes()
        .filter(consultee__in=[c.pk for c in consultees if not c.has_answered])
        .exclude(links__reason=reason)
    )
    sent = 0
    for guest_pass in passes:
        try:
            with transaction.atomic():
                _new_link(guest_pass, reason)
        except IntegrityError:
            continue  # reminded meanwhile
        sent += 1
    return sent


def deliver_link(link_id: int) -> str:
    """The worker: make the link's token, keep its hash, and e-mail the link. The row lock makes a
    second delivery of the same task send nothing; a failed send stores no hash (retried)."""
    with transaction.atomic():
        link = (
            GuestLink.objects.select_for_update(of=("self",))
            .select_related(
                "guest_pass__consultee__round__document__network",
                "guest_pass__consultee__round__chair",
                "guest_pass__consultee__organisation",
            )
            .filter(pk=link_id, token_hash__isnull=True)
            .first()
        )
        if link is None:
            return "done"
        guest_pass = link.guest_pass
        if guest_pass.revoked_at is not None or not valid(guest_pass):
            return "skipped"
        token = secrets.token_urlsafe(32)
        link.token_hash = digest(token)
        link.sent_at = timezone.now()
        link.save(update_fields=["token_hash", "sent_at"])
        delivery.send_message(_link_email(link, token))
    return "sent"


def link_path(token: str) -> str:
    return reverse("consultations:guest", args=[token])


def _link_email(link: GuestLink, token: str) -> EmailMultiAlternatives:
    guest_pass = link.guest_pass
    consultee = guest_pass.consultee
    review_round = consultee.round
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "link": delivery.absolute_url(link_path(token)),
            "round": review_round,
            "document": review_round.document,
            "party": consultee.party,
            "reason": link.reason,
            "reminder": link.reason in (Reason.REMINDER_1D, Reason.REMINDER_3D, Reason.MANUAL),
            "valid_until": valid_until(guest_pass),
            "contact": review_round.chair,  # the round's chair answers questions
        }
        subject = str(
            _("Consultation: %(document)s – answer by %(deadline)s")
            % {
                "document": review_round.document.title,
                "deadline": timezone.localtime(review_round.closes_at).strftime("%Y-%m-%d"),
            }
        )
        body = render_to_string("consultations/email/guest_link.txt", context)
        html = render_to_string("consultations/email/guest_link.html", context)
    message = EmailMultiAlternatives(f"Samverka: {subject}", body, to=[guest_pass.email])
    message.attach_alternative(html, "text/html")
    message.extra_headers["Message-ID"] = f"<guest-link.{link.pk}@samverka>"
    if review_round.chair_id and review_round.chair.email:
        message.reply_to = [review_round.chair.email]
    return message


# ------------------------------------------------------------------------------ opening a link


def valid_until(guest_pass: GuestPass) -> datetime:
    review_round = guest_pass.consultee.round
    end = review_round.closed_at or review_round.closes_at
    return end + timedelta(days=settings.GUEST_GRACE_DAYS)


def valid(guest_pass: GuestPass) -> bool:
    return policy.valid_passes().filter(pk=guest_pass.pk).exists()


def open_link(token: str) -> GuestLink:
    """The link behind a token, or why it does not let anyone in."""
    if not token or len(token) > 100:
        raise LinkUnknown()
    link = (
        GuestLink.objects.select_related(
            "guest_pass__consultee__round__document",
            "guest_pass__consultee__round__chair",
            "guest_pass__consultee__organisation",
        )
        .filter(token_hash=digest(token))
        .first()
    )
    if link is None:
        raise LinkUnknown()
    refusal = _refusal(link.guest_pass)
    if refusal is not None:
        raise refusal.about(link)
    return link


def _refusal(guest_pass: GuestPass) -> LinkRefused | None:
    """Why the party's links let nobody in now, if they do not: asked when a link is opened,
    and again when a code is sent and checked (the chair may have revoked it meanwhile)."""
    if guest_pass.revoked_at is not None:
        return LinkRevoked()
    if guest_pass.consultee.round.status == ReviewRound.Status.PLANNED:
        return LinkNotYetValid()
    if not valid(guest_pass):
        return LinkExpired()
    return None


def masked(address: str) -> str:
    """r•••••@kumla.se: enough for the reader to know which mailbox to look in."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}{'•' * max(len(local) - 1, 3)}@{domain}"


@transaction.atomic
def send_code(link: GuestLink, now=None) -> GuestCode:
    """E-mail a one-time code to the pass's address (at most GUEST_CODES_PER_HOUR an hour for a
    party; earlier unused codes stop working)."""
    now = now or timezone.now()
    guest_pass = _lock_pass(link)
    recent = GuestCode.objects.filter(
        link__guest_pass=guest_pass, created_at__gt=now - timedelta(hours=1)
    ).count()
    if recent >= settings.GUEST_CODES_PER_HOUR:
        raise TooManyCodes()
    GuestCode.objects.filter(link__guest_pass=guest_pass, used_at__isnull=True).update(
        expires_at=now
    )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = GuestCode.objects.create(
        link=link,
        code_hash=digest(code),
        created_at=now,
        expires_at=now + timedelta(minutes=settings.GUEST_CODE_MINUTES),
    )
    # Sent before the commit: if the mail server refuses, no code is kept (and none counted).
    delivery.send_message(_code_email(link, code))
    return row


def _code_email(link: GuestLink, code: str) -> EmailMultiAlternatives:
    review_round = link.guest_pass.consultee.round
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "code": code,
            "round": review_round,
            "document": review_round.document,
            "minutes": settings.GUEST_CODE_MINUTES,
        }
        subject = str(_("Your code: %(code)s") % {"code": code})
        body = render_to_string("consultations/email/guest_code.txt", context)
    return EmailMultiAlternatives(f"Samverka: {subject}", body, to=[link.guest_pass.email])


def verify(link: GuestLink, *, code: str, name: str, title: str = "", now=None):
    """Check the code (constant time; a wrong one counts against it, and is counted even though
    the step is refused) and let the guest in as the person they say they are: the same account
    when the same name comes back with this party's link. Returns the account to log in."""
    now = now or timezone.now()
    name = " ".join((name or "").split())[:200]
    title = " ".join((title or "").split())[:200]
    code = "".join((code or "").split())
    if not name:
        raise NameMissing()  # nothing is counted: the code is still there to use
    refusal: DomainError | None = None
    with transaction.atomic():
        guest_pass = _lock_pass(link)  # before its codes, as send_code does
        row = (
            GuestCode.objects.select_for_update(of=("self",))
            .filter(link__guest_pass=guest_pass, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if row is None or row.failed_attempts >= settings.GUEST_CODE_ATTEMPTS:
            refusal = CodeUsedUp()
        elif not _same(code, row.code_hash):
            row.failed_attempts += 1
            row.save(update_fields=["failed_attempts"])
            used_up = row.failed_attempts >= settings.GUEST_CODE_ATTEMPTS
            refusal = CodeUsedUp() if used_up else WrongCode()
        else:
            row.used_at = now
            row.save(update_fields=["used_at"])
            user = _let_in(link, guest_pass, name, title, now)
    if refusal is not None:
        raise refusal
    return user


def _lock_pass(link: GuestLink) -> GuestPass:
    """The link's pass, locked, or the refusal if it lets nobody in now (nothing is counted)."""
    guest_pass = (
        GuestPass.objects.select_for_update(of=("self",))
        .select_related("consultee__round")
        .get(pk=link.guest_pass_id)
    )
    refusal = _refusal(guest_pass)
    if refusal is not None:
        raise refusal
    return guest_pass


def _let_in(link: GuestLink, guest_pass: GuestPass, name: str, title: str, now: datetime):
    if guest_pass.opened_at is None:
        guest_pass.opened_at = now
        guest_pass._history_user = None
        guest_pass.save(update_fields=["opened_at"])
    GuestLink.objects.filter(pk=link.pk, opened_at__isnull=True).update(opened_at=now)
    guest = (
        Guest.objects.select_related("user")
        .filter(guest_pass=guest_pass, user__full_name__iexact=name)
        .first()
    )
    if guest is None:
        User = get_user_model()
        user = User(
            email=f"guest-{secrets.token_hex(12)}@guests.invalid",
            full_name=name,
            is_guest=True,
        )
        user.set_unusable_password()
        user._history_user = None
        user.save()
        return Guest.objects.create(
            user=user, guest_pass=guest_pass, title=title, verified_at=now
        ).user
    guest.title = title or guest.title
    guest.verified_at = now
    guest.save(update_fields=["title", "verified_at"])
    return guest.user


def guest_of(user) -> Guest | None:
    """The guest record of an account, or None for a person with an account of their own."""
    if not getattr(user, "is_guest", False):
        return None
    return (
        Guest.objects.select_related(
            "guest_pass__consultee__round", "guest_pass__consultee__organisation"
        )
        .filter(user=user)
        .first()
    )


def signed_name(user) -> str:
    """How the record names who acted: a guest with the title they gave and "(guest)", as in
    "Eva Ek, Registrator (gäst)"; anyone else by their name. Load the guest row with the user
    (`select_related("approved_by__guest")`) so that a list asks nothing more."""
    if user is None:
        return ""
    name = user.get_full_name()
    if not getattr(user, "is_guest", False):
        return name
    guest = getattr(user, "guest", None)
    if guest is not None and guest.title:
        return str(_("%(name)s, %(title)s (guest)") % {"name": name, "title": guest.title})
    return str(_("%(name)s (guest)") % {"name": name})
