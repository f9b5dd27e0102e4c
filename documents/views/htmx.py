"""What the pages' htmx requests get when they cannot get the fragment they asked for.

htmx puts the answer to a request into the page. An answer meant as a page of its own (the
login page, the refusal page) would land there whole: a second header, menu and footer inside a
section. These answers keep the page a page.
"""

from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required as django_login_required
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh


def login_required(view):
    """Django's login_required, except for htmx requests: the browser would follow the redirect
    and htmx would swap the login page in. htmx is told to go to the login page instead, which
    returns to the page the person was on (not to the fragment)."""
    plain = django_login_required(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated:
            back = request.htmx.current_url_abs_path or request.get_full_path()
            login = resolve_url(settings.LOGIN_URL)
            return HttpResponseClientRedirect(f"{login}?next={quote(back)}")
        return plain(request, *args, **kwargs)

    return wrapper


def refresh_with_message(request, message):
    """A refusal htmx would not swap in (403): the page reloads and says why at the top; the
    buttons that led here may have gone with the person's rights."""
    messages.error(request, message)
    response = HttpResponseClientRefresh()
    response.status_code = 403
    return response
