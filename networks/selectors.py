"""Every read about networks that a view or task needs. Visibility is the network's policy
(networks.policies); a missing and an invisible network give the same NotFound."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, OuterRef, Q, Subquery, Value, When, Window
from django.utils import timezone

from networks import registry
from networks.errors import NotFound
from networks.models import (
    Affiliation,
    Invitation,
    Membership,
    Network,
    Organisation,
    Role,
    normalise_email,
)
from networks.policies import PersonAction, visible_networks

# Chairs first, then coordinators, …: the order people expect in a member list.
ROLE_ORDER = [Role.CHAIR, Role.COORDINATOR, Role.WRITER, Role.MEMBER, Role.SIGNATORY, Role.OBSERVER]


def as_id(value) -> int:
    """An id from a URL or a form; anything that is not a number is simply not found."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None


def get_affiliation(organisation: Organisation, pk) -> Affiliation:
    affiliation = Affiliation.objects.filter(organisation=organisation, pk=as_id(pk)).first()
    if affiliation is None:
        raise NotFound()
    return affiliation


def _active_members_count():
    today = timezone.localdate()
    return Count(
        "memberships",
        filter=Q(memberships__start_date__lte=today)
        & (Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gt=today)),
        distinct=True,
    )


def list_networks_for_user(user) -> list[Network]:
    """Networks the person may see, each with `my_role` (None for a sub-group seen through its
    parent) and `member_count`; parents before their sub-groups."""
    ids = set(visible_networks(user).values_list("pk", flat=True))
    my_role = Subquery(
        Membership.objects.active().filter(network=OuterRef("pk"), user=user).values("role")[:1]
    )
    networks = list(
        Network.objects.filter(id__in=ids)
        .select_related("parent")
        .annotate(member_count=_active_members_count(), my_role=my_role)
        .order_by("archived", "name")
    )
    by_parent: dict[int | None, list[Network]] = {}
    for network in networks:
        # attributes for the page (`my_role_label`, `depth`), not fields
        label = Role(network.my_role).label if network.my_role else ""
        network.my_role_label = label  # type: ignore[attr-defined]
        parent_id = network.parent_id if network.parent_id in ids else None
        by_parent.setdefault(parent_id, []).append(network)
    ordered: list[Network] = []

    def walk(parent_id, depth):
        for network in by_parent.get(parent_id, []):
            network.depth = depth  # type: ignore[attr-defined]
            ordered.append(network)
            walk(network.pk, depth + 1)

    walk(None, 0)
    return ordered


def get_network_for_user(user, pk) -> Network:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    network = visible_networks(user).select_related("parent__parent__parent").filter(pk=pk).first()
    if network is None:
        raise NotFound()
    return network


def list_members(network: Network, limit: int | None = None) -> list[Membership]:
    """The active members, by role and then name, each with `earlier` (with_earlier): what
    they represented before their organisation changed, or an earlier term; and `of`, how
    many members there are. With `limit`, the first that many (a national network has a
    hundred members and more). Two queries, whatever their number."""
    by_role = Case(
        *(When(role=role, then=Value(place)) for place, role in enumerate(ROLE_ORDER)),
        default=Value(len(ROLE_ORDER)),
    )
    members = (
        Membership.objects.active()
        .filter(network=network)
        .select_related("user", "organisation")
        .annotate(of=Window(Count("pk")))
        .order_by(by_role, "user__full_name", "user__email", "pk")
    )
    return with_earlier(network, list(members[:limit] if limit else members))


def with_earlier(network: Network, members: list[Membership]) -> list[Membership]:
    """Give each membership `earlier`: the person's ended memberships of the network, the
    latest first. One query for all of them."""
    earlier: dict[int, list[Membership]] = {}
    for ended in _ended(network).filter(user_id__in={m.user_id for m in members}):
        earlier.setdefault(ended.user_id, []).append(ended)
    for membership in members:
        membership.earlier = earlier.get(membership.user_id, [])  # type: ignore[attr-defined]
    return members


def _ended(network: Network):
    """The network's ended memberships, the latest to end first."""
    return (
        Membership.objects.filter(network=network, end_date__lte=timezone.localdate())
        .select_related("user", "organisation")
        .order_by("-end_date", "user__full_name", "user__email")
    )


def list_former_members(network: Network) -> list[Membership]:
    """Memberships that have ended, of people who are no longer members: the record of who took
    part, the latest to leave first. A member whose organisation changed is not a former member
    (their earlier representation is `earlier` in list_members)."""
    still_members = Membership.objects.active().filter(network=network).values("user_id")
    return list(_ended(network).exclude(user_id__in=still_members))


def list_sub_networks(network: Network, user) -> list[Network]:
    return list(
        visible_networks(user)
        .filter(parent=network)
        .annotate(member_count=_active_members_count())
        .order_by("archived", "name")
    )


def get_membership(network: Network, pk) -> Membership:
    membership = (
        Membership.objects.active()
        .select_related("user", "organisation", "network")
        .filter(network=network, pk=pk)
        .first()
    )
    if membership is None:
        raise NotFound()
    return membership


def get_membership_on_record(network: Network, pk) -> Membership:
    """One of the network's memberships, active or ended: a page about one that has ended since
    it was opened says so (the service refuses) rather than not found."""
    membership = (
        Membership.objects.select_related("user", "organisation", "network")
        .filter(network=network, pk=as_id(pk))
        .first()
    )
    if membership is None:
        raise NotFound()
    return membership


def list_pending_invitations(network: Network) -> list[Invitation]:
    return list(
        Invitation.objects.filter(
            network=network,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("organisation", "invited_by")
        .order_by("-created_at")
    )


def get_pending_invitation(network: Network, pk) -> Invitation:
    invitation = Invitation.objects.filter(network=network, pk=pk).first()
    if invitation is None:
        raise NotFound()
    return invitation


def list_organisations() -> list[Organisation]:
    return list(Organisation.objects.order_by("name"))


def list_affiliations(organisation: Organisation) -> list[Affiliation]:
    return list(organisation.affiliations.select_related("user").order_by("user__full_name"))


def list_representatives_for_user(
    user, organisation: Organisation, limit: int | None = None
) -> list[Membership]:
    """Who represents the organisation, in the networks this person may see (never the others,
    nor that they exist); with `limit`, the first that many by name, each with `of`, how many
    there are (a region speaks in a hundred networks and more on a national instance)."""
    representatives = (
        Membership.objects.active()
        .filter(organisation=organisation, network__in=visible_networks(user))
        .select_related("user", "network")
        .annotate(of=Window(Count("pk")))
        .order_by("user__full_name", "network__name", "pk")
    )
    return list(representatives[:limit] if limit else representatives)


def find_person_to_link(user, organisation: Organisation, email: str):
    """The account a coordinator may link to the organisation: someone in a network they see, or
    someone already linked to it. Any other address, with an account or not, is not found, so
    the form does not tell who has an account."""
    linked = Affiliation.objects.filter(organisation=organisation).values("user_id")
    return (
        get_user_model()
        .objects.filter(
            Q(pk__in=registry.objects_for(user, PersonAction.VIEW, get_user_model()).values("pk"))
            | Q(pk__in=linked)
        )
        .filter(email=normalise_email(email), is_active=True)
        .first()
    )
