"""Guests see their round and nothing else (consultations.guests).

A guest's account exists only to answer for one party in one round. For every request made with
it, `GuestScopeMiddleware`:

- lets the guest out when none of their passes lets them in any more (the chair revoked it, or
  the round closed and its reading time ended: the rounds policy's `valid_passes`, asked through
  `ties_of`), with a page that says their access has ended;
- answers 404, as for an outsider, for every page not in `GUEST_URLS`;
- sets `request.guest` (the guest record, None for everyone else) for the guest's header
  (consultations.context_processors.guest).

Which round, which party and which comment within those pages is still the views' question, and
the policies' answer: a guest has VIEW and COMMENT on their own round only, and RESPOND for
their own party.
"""

from django.contrib.auth import logout
from django.http import Http404
from django.shortcuts import render
from django.urls import Resolver404, resolve

from consultations import guests
from consultations.policies import rounds as round_policy

# The pages a guest needs, by URL name, and why. Everything else (the dashboard, networks,
# documents, organisations, notifications, their settings, search, the admin) answers 404.
GUEST_URLS = frozenset(
    {
        # the link pages: a guest may open a newer link, or another party's
        "consultations:guest",
        "consultations:guest_code",
        "consultations:guest_verify",
        # their round: read, comment, reply, change their own comments, the live updates
        "consultations:round",
        "consultations:comment_add",
        "consultations:reply_add",
        "consultations:comment_edit",
        "consultations:thread",
        "consultations:events",
        # their party's formal response, and its original when there is one
        "consultations:respond",
        "consultations:attachment",
        # the report, on the page and as files (read during the grace period after the close)
        "consultations:report",
        "consultations:report_file",
        # the site's own: leaving, the language, the idle-time warning, the health check, and
        # the accessibility statement linked from every page's footer
        "accessibility",
        "logout",
        "set_language",
        "session_status",
        "healthz",
    }
)
LINK_PAGES = frozenset(
    {"consultations:guest", "consultations:guest_code", "consultations:guest_verify"}
)


def _view_name(request) -> str:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return ""


class GuestScopeMiddleware:
    """After AuthenticationMiddleware and PermissionCacheMiddleware (the guest's ties are asked
    once for the request, and the views reuse the answer)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.guest = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "is_guest", False):
            guest = guests.guest_of(user)
            if guest is None or not round_policy.ties_of(user).guest_of:
                logout(request)
                if _view_name(request) not in LINK_PAGES:
                    return self._ended(request, guest)
                # A newer link (or another party's) is opened as by anyone.
            else:
                request.guest = guest
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(request, "guest", None) is None:
            return None
        if request.resolver_match.view_name in GUEST_URLS:
            return None
        raise Http404

    @staticmethod
    def _ended(request, guest):
        review_round = guest.guest_pass.consultee.round if guest is not None else None
        context = {
            "round": review_round,
            "contact": review_round.chair if review_round is not None else None,
        }
        return render(request, "consultations/guest_ended.html", context, status=410)
