"""Wrong passwords on the sign-off page count like failed logins.

A signature is confirmed with the person's password, so a wrong one is a guess at the same secret
that the login page guards. django-axes counts failed logins per account and per client address
(AXES_FAILURE_LIMIT in AXES_COOLOFF_TIME, workspace/settings.py); a wrong signing password is
recorded as one more failure in the same record. Logins and signatures therefore share one budget
of guesses: past the limit, signing is refused (nothing is checked or signed) until the lock
lifts, and so is logging in, for that person and for that address.

The view (an interface) counts, as the login view does: the core (`services.decisions.sign`)
checks the password and knows nothing of client addresses.
"""

from __future__ import annotations

from datetime import datetime

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max, Q
from django.http import HttpRequest
from django.utils import timezone


def _credentials(user) -> dict:
    # What the login form sends: the lock is kept under the same name (AXES_USERNAME_CALLABLE).
    return {"username": user.email}


def locked_until(request: HttpRequest, user) -> datetime | None:
    """None while this person may try their password from this address; otherwise when they
    may try again (never earlier than the lock lifts)."""
    credentials = _credentials(user)
    if AxesProxyHandler.is_allowed(request, credentials):
        return None
    # The lock lifts a cool-off after the last failure counted against the person or address.
    last = AccessAttempt.objects.filter(
        Q(username=get_client_username(request, credentials))
        | Q(ip_address=request.axes_ip_address)
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + get_cool_off(request)


def record_failure(request: HttpRequest, user) -> datetime | None:
    """Count one wrong password; return when to try again if that reached the limit."""
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    # At the limit axes marks the request, and its middleware would answer with the login page's
    # lock-out instead of this page: the sign-off page says it itself.
    request.axes_locked_out = False
    return locked_until(request, user)
