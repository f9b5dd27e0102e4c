"""The pages a guest opens from the link in their e-mail (consultations.guests): the link's own
page, which sends a one-time code to the party's address; the page where the code is typed,
with who they are; and a page saying why a link no longer lets anyone in. The address names
nothing but the token."""

from datetime import timedelta
from smtplib import SMTPException

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from consultations import guests
from consultations.forms import GuestForm

# A guest has no password: this backend logs in the account verify() returns (axes' backend
# only guards password logins, which a guest never makes).
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _refused(request, refusal: guests.LinkRefused):
    """Why the link lets nobody in, and whom to ask: the round's chair, when the link is known."""
    if isinstance(refusal, guests.LinkUnknown):
        status = 404
    elif isinstance(refusal, guests.LinkNotYetValid):
        status = 409
    else:
        status = 410  # revoked, or the round and its reading time are over
    link = refusal.link
    review_round = link.guest_pass.consultee.round if link is not None else None
    context = {
        "refusal": refusal,
        "round": review_round,
        "contact": review_round.chair if review_round is not None else None,
        "unknown": isinstance(refusal, guests.LinkUnknown),
        "not_yet": isinstance(refusal, guests.LinkNotYetValid),
    }
    return render(request, "consultations/guest_refused.html", context, status=status)


def _is_this_guest(user, link) -> bool:
    guest = guests.guest_of(user)
    return guest is not None and guest.guest_pass_id == link.guest_pass_id


def _link_context(request, link) -> dict:
    guest_pass = link.guest_pass
    consultee = guest_pass.consultee
    review_round = consultee.round
    user = request.user
    return {
        "token": request.resolver_match.kwargs["token"],
        "round": review_round,
        "document": review_round.document,
        "party": consultee.party,
        "contact": review_round.chair,
        "masked": guests.masked(guest_pass.email),
        "valid_until": guests.valid_until(guest_pass),
        "minutes": settings.GUEST_CODE_MINUTES,
        # Someone logged in with an account of their own (or as another party's guest) is
        # logged out when they go on as this party's guest: the page says so.
        "logged_in_as": user.get_full_name() if user.is_authenticated else "",
    }


@never_cache
def landing(request, token):
    try:
        link = guests.open_link(token)
    except guests.LinkRefused as refusal:
        return _refused(request, refusal)
    if request.user.is_authenticated and _is_this_guest(request.user, link):
        return redirect(link.guest_pass.consultee.round)
    return render(request, "consultations/guest_landing.html", _link_context(request, link))


@never_cache
@require_POST
def send_code(request, token):
    try:
        link = guests.open_link(token)
    except guests.LinkRefused as refusal:
        return _refused(request, refusal)
    if request.user.is_authenticated and not _is_this_guest(request.user, link):
        logout(request)
    try:
        guests.send_code(link)
    except guests.TooManyCodes as refusal:
        return _landing_with(request, link, refusal.message, status=429)
    except (SMTPException, OSError):
        message = _(
            "The code could not be sent just now: the e-mail server did not answer. Nothing "
            "was sent and nothing counted. Try again in a few minutes."
        )
        return _landing_with(request, link, message, status=503)
    messages.success(
        request,
        _("A code has been sent to %(address)s.")
        % {"address": guests.masked(link.guest_pass.email)},
    )
    return redirect("consultations:guest_verify", token=token)


def _landing_with(request, link, message, *, status):
    context = _link_context(request, link)
    context["error"] = message
    return render(request, "consultations/guest_landing.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request, token):
    try:
        link = guests.open_link(token)
    except guests.LinkRefused as refusal:
        return _refused(request, refusal)
    form = GuestForm(request.POST or None)
    used_up = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = guests.verify(link, code=data["code"], name=data["name"], title=data["title"])
        except guests.NameMissing as refusal:  # only spaces: the form took it
            form.add_error("name", refusal.message)
        except (guests.WrongCode, guests.CodeUsedUp) as refusal:
            form.add_error("code", refusal.message)
            used_up = isinstance(refusal, guests.CodeUsedUp)
        else:
            login(request, user, backend=BACKEND)
            _end_session_with_the_pass(request, link)
            party = link.guest_pass.consultee.party
            messages.success(
                request,
                _("Welcome, %(name)s. You answer for %(party)s in this round.")
                % {"name": user.get_full_name(), "party": party},
            )
            return redirect(link.guest_pass.consultee.round)
    if form.errors and form.is_bound:
        # What was typed stays, except the code: a wrong one is typed again from the e-mail.
        form.data = form.data.copy()
        form.data["code"] = ""
    context = _link_context(request, link)
    context["form"] = form
    context["code_used_up"] = used_up
    status = 400 if form.errors else 200
    return render(request, "consultations/guest_verify.html", context, status=status)


def _end_session_with_the_pass(request, link) -> None:
    """The session ends when the pass does at the latest (and sooner, as any session, after
    SESSION_COOKIE_AGE or the idle time); a revoked pass ends it at the next request
    (consultations.middleware.GuestScopeMiddleware)."""
    until = guests.valid_until(link.guest_pass)
    longest = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    request.session.set_expiry(min(until, longest))
