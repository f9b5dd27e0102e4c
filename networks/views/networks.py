"""Pages of a network: my networks, the network, its members and their management."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from networks import registry, selectors, services
from networks.errors import DomainError, OrganisationOutsideNetwork
from networks.forms import (
    EndMembershipForm,
    InviteForm,
    NetworkForm,
    RepresentationForm,
    RoleForm,
)
from networks.models import Network
from networks.permissions import Action, SetUpAction, representable_organisations


@login_required
def network_list(request):
    networks = selectors.list_networks_for_user(request.user)
    may_create = registry.may(request.user, SetUpAction.CREATE_NETWORK, Network)
    return render(
        request,
        "networks/network_list.html",
        {"networks": networks, "may_create_network": may_create},
    )


def _network_form_page(request, form, *, parent=None, status=200):
    return render(
        request, "networks/network_form.html", {"form": form, "parent": parent}, status=status
    )


def _create(request, *, parent=None):
    if request.method == "GET":
        initial = {"kind": Network.Kind.WRITING_GROUP if parent else Network.Kind.NETWORK}
        return _network_form_page(request, NetworkForm(initial=initial), parent=parent)
    form = NetworkForm(request.POST)
    if form.is_valid():
        try:
            network = services.create_network(
                by_user=request.user, parent=parent, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error("name", error.message)
        else:
            messages.success(
                request,
                _("%(name)s was created. You are its coordinator: invite the others.")
                % {"name": network.name},
            )
            return redirect(network)
    return _network_form_page(request, form, parent=parent, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def create_network(request):
    """A new top-level network, by a chair or coordinator of an active one."""
    registry.require_may(request.user, SetUpAction.CREATE_NETWORK, Network)
    return _create(request)


@login_required
@require_http_methods(["GET", "POST"])
def create_subgroup(request, pk):
    """A group under this network (the writing group under the working group)."""
    network = selectors.get_network_for_user(request.user, pk)
    registry.require(request.user, Action.CREATE_SUBGROUP, network)
    return _create(request, parent=network)


def _archive_or_restore(request, pk, *, archive: bool):
    network = selectors.get_network_for_user(request.user, pk)
    action = Action.ARCHIVE_NETWORK if archive else Action.RESTORE_NETWORK
    registry.require(request.user, action, network)
    if request.method == "POST":
        service = services.archive_network if archive else services.restore_network
        try:
            network = service(network, by_user=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            done = _("%(name)s is archived.") if archive else _("%(name)s is restored.")
            messages.success(request, done % {"name": network.name})
        return redirect(network)
    return render(
        request, "networks/archive_network.html", {"network": network, "archive": archive}
    )


@login_required
@require_http_methods(["GET", "POST"])
def archive_network(request, pk):
    return _archive_or_restore(request, pk, archive=True)


@login_required
@require_http_methods(["GET", "POST"])
def restore_network(request, pk):
    return _archive_or_restore(request, pk, archive=False)


# Members listed on a network's page; the rest behind "Visa alla N medlemmar" (?medlemmar=alla).
MEMBERS_SHOWN = 30


@login_required
def network_detail(request, pk):
    network = selectors.get_network_for_user(request.user, pk)
    actions = registry.actions(request.user, network)
    everyone = request.GET.get("medlemmar") == "alla"  # "Visa alla N": the whole list
    members = selectors.list_members(network, limit=None if everyone else MEMBERS_SHOWN)
    return render(
        request,
        "networks/network_detail.html",
        {
            "network": network,
            "actions": actions,
            "may": actions,
            "can_manage": Action.MANAGE_MEMBERS in actions,
            "members": members,
            "member_count": members[0].of if members else 0,
            "former_members": selectors.list_former_members(network),
            "sub_networks": selectors.list_sub_networks(network, request.user),
        },
    )


def _invite_form(network, data=None) -> InviteForm:
    return InviteForm(data, organisations=representable_organisations(network))


def _members_page(request, network, *, invite_form=None, status=200):
    members = selectors.list_members(network)
    return render(
        request,
        "networks/members.html",
        {
            "network": network,
            "members": members,
            "former_members": selectors.list_former_members(network),
            "invitations": selectors.list_pending_invitations(network),
            "invite_form": invite_form or _invite_form(network),
            "role_choices": RoleForm.base_fields["role"].choices,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def members(request, pk):
    """Member management: invite by e-mail, pending invitations, change role or organisation,
    end membership."""
    network = selectors.get_network_for_user(request.user, pk)
    registry.require(request.user, Action.MANAGE_MEMBERS, network)
    if request.method == "GET":
        return _members_page(request, network)
    form = _invite_form(network, request.POST)
    if form.is_valid():
        try:
            invitation = services.invite_member(
                network,
                by_user=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                organisation=form.cleaned_data["organisation"],
            )
        except OrganisationOutsideNetwork as error:
            form.add_error("organisation", error.message)
        except DomainError as error:
            form.add_error("email", error.message)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect("networks:members", pk=network.pk)
    return _members_page(request, network, invite_form=form, status=400)


@login_required
@require_POST
def change_role(request, pk, membership_pk):
    network = selectors.get_network_for_user(request.user, pk)
    registry.require(request.user, Action.MANAGE_MEMBERS, network)
    membership = selectors.get_membership(network, membership_pk)
    form = RoleForm(request.POST)
    error = None
    if form.is_valid():
        try:
            membership = services.change_role(
                membership, by_user=request.user, role=form.cleaned_data["role"]
            )
        except DomainError as exc:
            error = exc.message
    else:
        error = _("Choose one of the roles in the list.")
    if request.htmx:
        membership.refresh_from_db()
        selectors.with_earlier(network, [membership])
        return render(
            request,
            "networks/_member_row.html",
            {
                "network": network,
                "membership": membership,
                "role_choices": RoleForm.base_fields["role"].choices,
                "row_error": error,
                "row_saved": error is None,
            },
            status=200 if error is None else 400,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {"name": membership.user, "role": membership.get_role_display().lower()},
        )
    return redirect("networks:members", pk=network.pk)


@login_required
@require_http_methods(["GET", "POST"])
def change_representation(request, pk, membership_pk):
    """Change the organisation a member represents: the old one stays in the record."""
    network = selectors.get_network_for_user(request.user, pk)
    registry.require(request.user, Action.MANAGE_MEMBERS, network)
    membership = selectors.get_membership_on_record(network, membership_pk)
    organisations = representable_organisations(network)
    if request.method == "GET":
        form = RepresentationForm(
            initial={"organisation": membership.organisation_id}, organisations=organisations
        )
    else:
        form = RepresentationForm(request.POST, organisations=organisations)
        if form.is_valid():
            try:
                changed = services.change_representation(
                    membership, by_user=request.user, organisation=form.cleaned_data["organisation"]
                )
            except DomainError as error:
                form.add_error("organisation", error.message)
            else:
                if changed.organisation is None:
                    done = _("%(name)s now represents no organisation.")
                else:
                    done = _("%(name)s now represents %(organisation)s.")
                messages.success(
                    request, done % {"name": changed.user, "organisation": changed.organisation}
                )
                return redirect("networks:members", pk=network.pk)
    return render(
        request,
        "networks/change_representation.html",
        {
            "network": network,
            "membership": membership,
            "form": form,
            # opened from an old page: say so before anything is chosen (the service refuses)
            "ended": not form.is_bound and not membership.is_active(),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def end_membership(request, pk, membership_pk):
    network = selectors.get_network_for_user(request.user, pk)
    registry.require(request.user, Action.MANAGE_MEMBERS, network)
    membership = selectors.get_membership(network, membership_pk)
    form = EndMembershipForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            membership = services.end_membership(
                membership, by_user=request.user, on=form.cleaned_data["end_date"]
            )
        except DomainError as error:
            form.add_error("end_date", error.message)
        else:
            if membership.is_active():
                done = _("%(name)s is a member of %(network)s until %(date)s.")
            else:
                done = _("%(name)s is no longer a member of %(network)s.")
            messages.success(
                request,
                done
                % {
                    "name": membership.user,
                    "network": network,
                    "date": date_format(membership.end_date, "SHORT_DATE_FORMAT"),
                },
            )
            if membership.user_id == request.user.pk and not membership.is_active():
                return redirect("networks:list")
            return redirect("networks:members", pk=network.pk)
    return render(
        request,
        "networks/end_membership.html",
        {"network": network, "membership": membership, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def revoke_invitation(request, pk, invitation_pk):
    network = selectors.get_network_for_user(request.user, pk)
    registry.require(request.user, Action.MANAGE_MEMBERS, network)
    invitation = selectors.get_pending_invitation(network, invitation_pk)
    try:
        services.revoke_invitation(invitation, by_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
        )
    return redirect("networks:members", pk=network.pk)
