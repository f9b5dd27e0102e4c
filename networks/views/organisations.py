"""Organisations: who acts for them, and who approves their formal responses."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from networks import registry, selectors, services
from networks.errors import ACCESS_REFUSALS, DomainError, NotFound
from networks.models import Organisation
from networks.permissions import Action


def _organisation(user, pk) -> Organisation:
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise NotFound()
    registry.require(user, Action.VIEW_ORGANISATION, organisation)
    return organisation


@login_required
def organisation_list(request):
    registry.require(request.user, Action.VIEW_ORGANISATION, Organisation())
    return render(
        request,
        "networks/organisation_list.html",
        {"organisations": Organisation.objects.order_by("kind", "name")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_detail(request, pk):
    organisation = _organisation(request.user, pk)
    actions = registry.actions(request.user, organisation)
    can_manage = Action.MANAGE_AFFILIATIONS in actions
    error = ""
    if request.method == "POST":
        registry.require(request.user, Action.MANAGE_AFFILIATIONS, organisation)
        try:
            if request.POST.get("remove"):
                affiliation = selectors.get_affiliation(organisation, request.POST["remove"])
                services.remove_affiliation(affiliation, by_user=request.user)
                messages.success(request, _("The link was removed."))
                return redirect("networks:organisation", pk=organisation.pk)
            person = selectors.find_person_to_link(
                request.user, organisation, request.POST.get("email", "")
            )
            if person is None:  # no account, or one this coordinator does not see: one answer
                error = _(
                    "Nobody with that e-mail address takes part in your networks. Invite the "
                    "person to one of them first."
                )
            else:
                services.set_affiliation(
                    organisation,
                    by_user=request.user,
                    user=person,
                    can_approve=bool(request.POST.get("can_approve")),
                    title=request.POST.get("title", ""),
                )
                messages.success(request, _("Saved."))
                return redirect("networks:organisation", pk=organisation.pk)
        except ACCESS_REFUSALS:
            raise  # the 404 and 403 pages
        except DomainError as refusal:
            error = refusal.message
    # Someone who does not work with the organisation sees its public facts only.
    sees_people = Action.VIEW_ORGANISATION_PEOPLE in actions
    return render(
        request,
        "networks/organisation_detail.html",
        {
            "organisation": organisation,
            "sees_people": sees_people,
            "affiliations": selectors.list_affiliations(organisation) if sees_people else [],
            "representatives": (
                selectors.list_representatives_for_user(request.user, organisation)
                if sees_people
                else []
            ),
            "can_manage": can_manage,
            "error": error,
            "typed": request.POST if error else {},
        },
        status=400 if error else 200,
    )
