"""Accepting an invitation: log in or create an account, then join with the invited role."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from networks import services
from networks.errors import DomainError, InvitationInvalid
from networks.forms import RegisterForm
from networks.models import normalise_email

User = get_user_model()


def _invalid(request, error: DomainError):
    status = 404 if type(error) is InvitationInvalid else 410
    return render(request, "networks/invitation_invalid.html", {"error": error}, status=status)


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    try:
        invitation = services.check_invitation(token)
    except InvitationInvalid as error:
        return _invalid(request, error)

    email = normalise_email(invitation.email)
    user = request.user
    has_account = User.objects.filter(email=email).exists()
    context = {"invitation": invitation, "has_account": has_account}

    if user.is_authenticated and normalise_email(user.email) != email:
        if request.method == "POST" and request.POST.get("action") == "switch":
            logout(request)
            return redirect(request.path)
        return render(request, "networks/invitation_wrong_account.html", context)

    if user.is_authenticated:
        if request.method == "POST":
            try:
                membership = services.accept_invitation(token, user=user)
            except InvitationInvalid as error:
                return _invalid(request, error)
            messages.success(
                request, _("Welcome to %(network)s.") % {"network": membership.network}
            )
            return redirect(membership.network)
        return render(request, "networks/invitation_accept.html", context)

    if has_account:
        return render(request, "networks/invitation_login.html", context)

    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new_user, membership = services.register_from_invitation(
                token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except InvitationInvalid as error:
            return _invalid(request, error)
        except DomainError as error:
            form.add_error(None, error.message)
        except ValidationError as error:  # the password is too weak
            form.add_error("password1", error)
        else:
            login(request, new_user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("Welcome to %(network)s.") % {"network": membership.network}
            )
            return redirect(membership.network)
    context["form"] = form
    status = 400 if form.errors else 200
    return render(request, "networks/invitation_register.html", context, status=status)
