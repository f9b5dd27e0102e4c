"""Sessions end after SESSION_IDLE_SECONDS without activity (and in any case after
SESSION_COOKIE_AGE). Pages warn SESSION_IDLE_WARNING_SECONDS before (static/js/session.js) and
offer to stay logged in; without JavaScript the session simply ends after the idle time.

The time of the last activity is kept in the session, written at most once a minute (so that
reading pages does not write the session on every request)."""

import math
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

LAST_ACTIVITY = "samverka_last_activity"
WRITE_EVERY_SECONDS = 60


def _now() -> float:
    return time.time()


def remaining_seconds(request) -> int:
    last = request.session.get(LAST_ACTIVITY)
    if last is None:
        return settings.SESSION_IDLE_SECONDS
    # Rounded up: 0 only once the middleware too sees the idle time passed (rounded down, the
    # page reloaded while still logged in, over and over, until a reload was cut off mid-way).
    return max(0, math.ceil(last + settings.SESSION_IDLE_SECONDS - _now()))


def note_login(sender, request, user, **kwargs) -> None:
    """user_logged_in: the idle time counts from the login."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = _now()


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            last = request.session.get(LAST_ACTIVITY)
            now = _now()
            if last is not None and now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
                minutes = settings.SESSION_IDLE_SECONDS // 60
                messages.info(
                    request,
                    _("You were logged out after %(minutes)s minutes without activity.")
                    % {"minutes": minutes},
                )
            elif self._is_activity(request) and (last is None or now - last >= WRITE_EVERY_SECONDS):
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)

    @staticmethod
    def _is_activity(request) -> bool:
        # Asking how long is left (the warning's script) is not activity.
        return request.method == "POST" or request.path_info != reverse("session_status")


@never_cache
@require_http_methods(["GET", "POST"])
def session_status(request):
    """GET: seconds left before the session ends for want of activity (0 when logged out).
    POST ("Stay logged in"): counts as activity (the middleware noted it)."""
    if not request.user.is_authenticated:
        return JsonResponse({"remaining": 0})
    if request.method == "POST":
        request.session[LAST_ACTIVITY] = _now()
    return JsonResponse({"remaining": remaining_seconds(request)})


def session_timeout(request):
    """Context processor: what the idle warning (templates/_session_timeout.html) needs."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "session_remaining_seconds": remaining_seconds(request),
        "session_warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
        "session_warning_minutes": max(1, settings.SESSION_IDLE_WARNING_SECONDS // 60),
    }
