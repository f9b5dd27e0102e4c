"""Log in with e-mail and password; a clear page when too many attempts failed."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import check_for_language

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
