"""How the round reaches its parties, for those who run it: per party its people in Samverka, a
guest link to its address (sent, opened, answered), or nothing (and why); and the chair's
buttons to send a party its link again or withdraw it (consultations.guests)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from consultations import guests, selectors
from consultations.errors import NoLinkSent
from consultations.models import Consultee, ReviewRound
from consultations.policies import rounds as round_policy
from consultations.policies.actions import RoundAction
from networks import registry
from networks.errors import ACCESS_REFUSALS, DomainError
from networks.models import Organisation
from networks.permissions import Action


def reach_of(user, review_round: ReviewRound, consultees: list[Consultee]) -> dict:
    """Sets `reach` (consultations.guests.Reach) on each party, and gives the page those that
    cannot be reached and those that get a guest link, and the organisations among the former
    whose registry address this person may add. A fixed number of queries (two for the
    parties, two more when an organisation cannot be reached)."""
    found = guests.reach(review_round, consultees)
    for item in found:
        item.consultee.reach = item
    unreachable = [item for item in found if item.unreachable]
    organisations = [item.consultee.organisation_id for item in unreachable]
    editable: set[int] = set()
    if any(organisations):
        editable = set(
            registry.objects_for(user, Action.EDIT_ORGANISATION, Organisation)
            .filter(pk__in=[pk for pk in organisations if pk])
            .values_list("pk", flat=True)
        )
    return {
        "unreachable": unreachable,
        "by_link": [item for item in found if item.by_link],
        "editable_organisations": editable,
    }


def _party(request, pk, consultee_pk) -> tuple[ReviewRound, Consultee]:
    review_round = selectors.get_round_for_user(request.user, pk)
    round_policy.require(request.user, RoundAction.SEE_REACH, review_round)
    return review_round, selectors.get_consultee(review_round, consultee_pk)


def _back(review_round: ReviewRound, consultee: Consultee):
    return redirect(f"{review_round.get_absolute_url()}#party-{consultee.pk}")


@login_required
@require_POST
def send_link(request, pk, consultee_pk):
    """The chair sends the party a fresh link to its address (its first, when it has none)."""
    review_round, consultee = _party(request, pk, consultee_pk)
    try:
        link = guests.send_first_link(consultee, by_user=request.user)
    except ACCESS_REFUSALS:
        raise  # the 404 and 403 pages
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("A new link to the round is on its way to %(address)s (%(party)s).")
            % {"address": link.guest_pass.email, "party": consultee.party},
        )
    return _back(review_round, consultee)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw_link(request, pk, consultee_pk):
    """Asks first: after withdrawing, no link of the party's lets anyone in."""
    review_round, consultee = _party(request, pk, consultee_pk)
    guest_pass = selectors.guest_pass_of(consultee)
    try:
        if guest_pass is None:
            raise NoLinkSent()
        if request.method == "POST":
            guests.revoke(guest_pass, by_user=request.user)
        else:  # the question is asked where the answer can be given
            round_policy.require(request.user, RoundAction.SEND_LINKS, review_round)
    except ACCESS_REFUSALS:
        raise  # the 404 and 403 pages
    except DomainError as error:
        messages.error(request, error.message)
        return _back(review_round, consultee)
    if request.method == "POST":
        messages.success(
            request,
            _(
                "The link of %(party)s is withdrawn: it no longer lets anyone in. "
                "“Send the link again” gives the party a new one."
            )
            % {"party": consultee.party},
        )
        return _back(review_round, consultee)
    context = {
        "round": review_round,
        "document": review_round.document,
        "network": review_round.document.network,
        "can_view_document": Action.VIEW_DOCUMENT
        in registry.actions(request.user, review_round.document),
        "consultee": consultee,
        "guest_pass": guest_pass,
    }
    return render(request, "consultations/withdraw_link.html", context)
