"""Organisations: who acts for them, and who approves their formal responses."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from networks import registry, selectors, services
from networks.errors import (
    ACCESS_REFUSALS,
    DomainError,
    DuplicateOrganisation,
    InvalidOrganisationEmail,
    InvalidOrganisationNumber,
    NotFound,
)
from networks.forms import OrganisationForm
from networks.models import Organisation
from networks.permissions import Action

# People listed as speaking for the organisation in networks; the rest behind "Visa alla N"
# (?representanter=alla).
REPRESENTATIVES_SHOWN = 30


def _organisation(user, pk) -> Organisation:
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise NotFound()
    registry.require(user, Action.VIEW_ORGANISATION, organisation)
    return organisation


@login_required
def organisation_list(request):
    may = registry.require(request.user, Action.VIEW_ORGANISATION, Organisation())
    return render(
        request,
        "networks/organisation_list.html",
        {"organisations": Organisation.objects.order_by("kind", "name"), "may": may},
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
    everyone = request.GET.get("representanter") == "alla"  # "Visa alla N"
    representatives = (
        selectors.list_representatives_for_user(
            request.user, organisation, limit=None if everyone else REPRESENTATIVES_SHOWN
        )
        if sees_people
        else []
    )
    return render(
        request,
        "networks/organisation_detail.html",
        {
            "organisation": organisation,
            "sees_people": sees_people,
            "affiliations": selectors.list_affiliations(organisation) if sees_people else [],
            "representatives": representatives,
            "representative_count": representatives[0].of if representatives else 0,
            "can_manage": can_manage,
            "may": actions,
            "error": error,
            "typed": request.POST if error else {},
        },
        status=400 if error else 200,
    )


def _save_organisation(request, form: OrganisationForm, save) -> Organisation | None:
    """Run `save(facts)` with the form's facts; on a refusal, put it on its field and keep what
    was typed. The duplicate found is kept on the form to link to."""
    if not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except ACCESS_REFUSALS:
        raise
    except DuplicateOrganisation as refusal:
        form.duplicate = refusal.existing  # type: ignore[attr-defined]
        form.add_error(refusal.field, refusal.message)
    except (InvalidOrganisationNumber, InvalidOrganisationEmail) as refusal:
        form.add_error(refusal.field, refusal.message)
    except DomainError as refusal:
        form.add_error(None, refusal.message)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def add_organisation(request):
    """A chair or coordinator adds an organisation (refused when it is already there)."""
    registry.require(request.user, Action.ADD_ORGANISATION, Organisation())
    form = OrganisationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        organisation = _save_organisation(
            request,
            form,
            lambda facts: services.add_organisation(by_user=request.user, **facts),
        )
        if organisation is not None:
            messages.success(request, _("%(name)s was added.") % {"name": organisation.name})
            return redirect(organisation)
    return render(
        request,
        "networks/organisation_form.html",
        {"form": form, "organisation": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_organisation(request, pk):
    """The registry address, number and contact, edited by a chair or coordinator of a network
    the organisation takes part in."""
    organisation = _organisation(request.user, pk)
    registry.require(request.user, Action.EDIT_ORGANISATION, organisation)
    if request.method == "POST":
        form = OrganisationForm(request.POST)
        saved = _save_organisation(
            request,
            form,
            lambda facts: services.edit_organisation(organisation, by_user=request.user, **facts),
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect(saved)
    else:
        form = OrganisationForm(
            initial={field: getattr(organisation, field) for field in services.ORGANISATION_FIELDS}
        )
    return render(
        request,
        "networks/organisation_form.html",
        {"form": form, "organisation": organisation},
        status=400 if form.errors else 200,
    )
