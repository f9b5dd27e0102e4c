"""Who may do what: the one place that decides.

A person's actions on a network come from their active memberships (roles below). A role in a
network also reaches down into its sub-groups (the writing group under the working group): every
member may look at them, and chairs and coordinators may manage them. Access can also be granted
on a single object with django-guardian (`grant`), for people outside the network who are let in
to one thing (e.g. a consultee of one review round). Nothing else grants access: staff and
superusers use the admin site, not the workspace pages.

Anyone who may not view a network gets the same "not found" as for a network that does not exist.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from guardian.shortcuts import assign_perm, get_objects_for_user, get_user_perms, remove_perm

from networks.errors import NotAllowed, NotFound
from networks.models import Membership, Network, Role

# How far down a role reaches into sub-groups (working group → writing group → …). Real
# networks are one or two levels deep; access stops here whatever the data says.
MAX_DEPTH = 3


class Action(StrEnum):
    VIEW_NETWORK = "view_network"
    MANAGE_MEMBERS = "manage_members"


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.CHAIR: frozenset({Action.VIEW_NETWORK, Action.MANAGE_MEMBERS}),
    Role.COORDINATOR: frozenset({Action.VIEW_NETWORK, Action.MANAGE_MEMBERS}),
    Role.MEMBER: frozenset({Action.VIEW_NETWORK}),
    Role.WRITER: frozenset({Action.VIEW_NETWORK}),
    Role.SIGNATORY: frozenset({Action.VIEW_NETWORK}),
    Role.OBSERVER: frozenset({Action.VIEW_NETWORK}),
}

# What a role in a network passes down to the network's sub-groups.
INHERITED_ACTIONS: dict[str, frozenset[Action]] = {
    Role.CHAIR: frozenset({Action.VIEW_NETWORK, Action.MANAGE_MEMBERS}),
    Role.COORDINATOR: frozenset({Action.VIEW_NETWORK, Action.MANAGE_MEMBERS}),
    Role.MEMBER: frozenset({Action.VIEW_NETWORK}),
    Role.WRITER: frozenset({Action.VIEW_NETWORK}),
    Role.SIGNATORY: frozenset({Action.VIEW_NETWORK}),
    Role.OBSERVER: frozenset({Action.VIEW_NETWORK}),
}

# Archived networks can be read by their members, and nothing more.
ARCHIVED_ALLOWS = frozenset({Action.VIEW_NETWORK})

MANAGING_ROLES = frozenset({Role.CHAIR, Role.COORDINATOR})


def _is_person(user) -> bool:
    return user is not None and not isinstance(user, AnonymousUser) and user.is_active


_PARENT_FIELD = Network._meta.get_field("parent")


def _ancestor_ids(network: Network) -> list[int]:
    """The network's parents, nearest first. Uses loaded parents; fetches the rest by id."""
    ids: list[int] = []
    current = network
    while current.parent_id and len(ids) < MAX_DEPTH:
        ids.append(current.parent_id)
        parent = _PARENT_FIELD.get_cached_value(current, None)
        if parent is None:
            parent = Network.objects.only("id", "parent_id").get(pk=current.parent_id)
        current = parent
    return ids


def _role_actions(user, network: Network) -> frozenset[Action]:
    chain = [network.pk, *_ancestor_ids(network)]
    rows = Membership.objects.active().filter(user=user, network_id__in=chain)
    actions: set[Action] = set()
    for network_id, role in rows.values_list("network_id", "role"):
        table = ROLE_ACTIONS if network_id == network.pk else INHERITED_ACTIONS
        actions |= table[role]
    return frozenset(actions)


def _granted_actions(user, obj: Model) -> frozenset[Action]:
    # Only grants on this very object to this person: never global or superuser permissions.
    codenames = set(get_user_perms(user, obj))
    return frozenset(a for a in Action if a.value in codenames)


def allowed_actions(user, obj: Model) -> frozenset[Action]:
    """Everything this person may do on this object (templates render their buttons from it)."""
    if not _is_person(user):
        return frozenset()
    if isinstance(obj, Network):
        actions = _role_actions(user, obj) | _granted_actions(user, obj)
        if obj.archived:
            actions &= ARCHIVED_ALLOWS
        return actions
    raise TypeError(f"No permission rules for {type(obj).__name__}")


def can(user, action: Action, obj: Model) -> bool:
    return action in allowed_actions(user, obj)


def require(user, action: Action, obj: Model) -> frozenset[Action]:
    """Raise NotFound if the person may not even see the object, NotAllowed if they may not act."""
    actions = allowed_actions(user, obj)
    if Action.VIEW_NETWORK not in actions:
        raise NotFound()
    if action not in actions:
        raise NotAllowed()
    return actions


def visible_network_ids(user) -> set[int]:
    """Ids of every network this person may view (three queries, whatever the data)."""
    if not _is_person(user):
        return set()
    ids = set(Membership.objects.active().filter(user=user).values_list("network_id", flat=True))
    if ids:
        # Sub-groups down to MAX_DEPTH levels, in one query whatever the shape of the tree.
        below = Q(parent_id__in=ids)
        path = "parent"
        for _level in range(MAX_DEPTH - 1):
            path += "__parent"
            below |= Q(**{f"{path}_id__in": ids})
        ids |= set(Network.objects.filter(below).values_list("id", flat=True))
    granted = get_objects_for_user(
        user,
        f"networks.{Action.VIEW_NETWORK}",
        klass=Network,
        accept_global_perms=False,
        with_superuser=False,
    ).values_list("id", flat=True)
    ids |= set(granted)
    return ids


def visible(user, queryset: QuerySet) -> QuerySet:
    """The part of a queryset of networks this person may view."""
    if queryset.model is not Network:
        raise TypeError(f"No visibility rules for {queryset.model.__name__}")
    return queryset.filter(id__in=visible_network_ids(user))


def grant(user, action: Action, obj: Model) -> None:
    """Let one person do one thing on one object, outside any role (recorded by guardian)."""
    assign_perm(action.value, user, obj)


def revoke(user, action: Action, obj: Model) -> None:
    remove_perm(action.value, user, obj)
