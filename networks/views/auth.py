"""Log in with e-mail and password; a clear page when too many attempts failed; password
resets limited per address and per client."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _

from networks.client_address import client_ip
from networks.forms import LoginForm
from networks.models import normalise_email


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # The person's own language follows them from device to device.
        language = form.get_user().language
        if check_for_language(language):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


def locked_out(request, response=None, credentials=None):
    """django-axes calls this after too many failed logins (per account or per address)."""
    retry_at = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    email = (credentials or {}).get("username") or request.POST.get("username", "")
    return render(
        request,
        "registration/locked_out.html",
        {"retry_at": retry_at, "email": email},
        status=429,
    )


def axes_username(request, credentials=None):
    """The address as the lock counts it: case and spaces do not make a new account to guess."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return normalise_email(raw)


def _count(key: str) -> int:
    """Add one to a counter that starts its hour at the first request (a fixed window)."""
    window = int(settings.PASSWORD_RESET_WINDOW.total_seconds())
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


class PasswordResetView(auth_views.PasswordResetView):
    """Sends reset links, at most PASSWORD_RESET_PER_ADDRESS an hour to one address (more
    requests show the same page and send nothing, so nobody learns whether the address has an
    account) and PASSWORD_RESET_PER_CLIENT an hour from one client address (then a message says
    when to try again)."""

    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        client = client_ip(self.request) or "unknown"
        if _count(f"password-reset:client:{client}") > settings.PASSWORD_RESET_PER_CLIENT:
            retry_at = timezone.localtime(timezone.now() + settings.PASSWORD_RESET_WINDOW)
            form.add_error(
                None,
                _(
                    "Too many links have been asked for from your connection. "
                    "Try again after %(time)s."
                )
                % {"time": retry_at.strftime("%H:%M")},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        address = normalise_email(form.cleaned_data["email"])
        if _count(f"password-reset:address:{address}") > settings.PASSWORD_RESET_PER_ADDRESS:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
