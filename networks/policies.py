"""Who may do what with networks, organisations and people (networks.registry explains the three
questions; networks.permissions holds the role tables these policies read).

A person's rights on a network come from their active memberships: a role in the network, a role
in a network above it (passed down: INHERITED_ACTIONS), or a role in the writing group under it
(which writes its documents: WRITING_GROUP_ACTIONS). An archived network is only read. The three
faces read the same tables: `actions` for one network, `objects_for` and `users_for` as one
query each.

A network's rights include what its roles give on its documents and their process
(view_document, run_process, …): the documents' policy turns them into rights on one document in
its state, and the apps above it into their steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from networks import registry
from networks.models import Affiliation, Membership, Network, Organisation, Role
from networks.permissions import (
    ARCHIVED_ALLOWS,
    DOCUMENT_ACTIONS,
    INHERITED_ACTIONS,
    MANAGING_ROLES,
    MAX_DEPTH,
    NETWORK_ACTIONS,
    ORGANISATION_ACTIONS,
    ROLE_ACTIONS,
    WHEN_ARCHIVED,
    WRITING_GROUP_ACTIONS,
    Action,
    SetUpAction,
    ancestor_ids,
)


class PersonAction(StrEnum):
    # See a person and name them (consult them by name, link them to an organisation): the
    # members of the networks one sees, and the people of the organisations whose people one
    # sees. To anyone else a person is an address without an account.
    VIEW = "view_person"


@dataclass(frozen=True)
class MembershipTie:
    """One of a person's active memberships: its network, the networks above it (nearest
    first), the network's kind, the organisation it represents and its role."""

    network_id: int
    parents: tuple[int, ...]
    kind: str
    archived: bool
    organisation_id: int | None
    role: str


def memberships_of(user) -> tuple[MembershipTie, ...]:
    """The person's active memberships, one query, remembered for the request (the networks'
    and the consultations' policies both read them)."""
    return registry.cached(user, ("networks.memberships",), lambda: _load_memberships(user))


def _load_memberships(user) -> tuple[MembershipTie, ...]:
    above = [f"network__{'parent__' * level}parent_id" for level in range(MAX_DEPTH)]
    rows = (
        Membership.objects.active()
        .filter(user=user)
        .values_list(
            "network_id", "network__kind", "network__archived", "organisation_id", "role", *above
        )
    )
    return tuple(
        MembershipTie(network_id, _chain(parents), kind, archived, organisation_id, role)
        for network_id, kind, archived, organisation_id, role, *parents in rows
    )


def _chain(ids) -> tuple[int, ...]:
    chain: list[int] = []
    for pk in ids:
        if pk is None:
            break
        chain.append(pk)
    return tuple(chain)


def _roles_giving(table: dict[str, frozenset[Action]], action: str) -> list[str]:
    # restore_network is given by the roles that give archive_network (WHEN_ARCHIVED)
    action = next((given for given, becomes in WHEN_ARCHIVED.items() if becomes == action), action)
    return [role for role, actions in table.items() if action in actions]


def _on_archived(actions: set[Action]) -> set[Action]:
    return (actions & ARCHIVED_ALLOWS) | {WHEN_ARCHIVED[a] for a in actions if a in WHEN_ARCHIVED}


def _allowed_in_state(archived: bool, action: str) -> bool:
    if action in WHEN_ARCHIVED.values():
        return archived
    return not archived or action in ARCHIVED_ALLOWS


def _in_state(networks: QuerySet, action: str) -> QuerySet:
    """Only the networks in a state where `action` can be done."""
    if action == Action.CREATE_SUBGROUP:
        networks = networks.filter(**{"__".join(["parent"] * MAX_DEPTH) + "__isnull": True})
    if action in WHEN_ARCHIVED.values():
        return networks.filter(archived=True)
    if action not in ARCHIVED_ALLOWS:
        return networks.filter(archived=False)
    return networks


@registry.register("networks.Network")
class NetworkPolicy(registry.Policy):
    view_action = Action.VIEW_NETWORK
    all_actions = NETWORK_ACTIONS

    def actions(self, user, network: Network) -> frozenset[str]:
        """From the person's memberships (`memberships_of`, one query per request): in the
        network, above it, and in its writing groups."""
        ancestors = ancestor_ids(network)
        actions: set[Action] = set()
        for tie in memberships_of(user):
            if tie.network_id == network.pk:
                actions |= ROLE_ACTIONS[tie.role]
            elif tie.network_id in ancestors:
                actions |= INHERITED_ACTIONS[tie.role]
            elif tie.parents[:1] == (network.pk,) and tie.kind == Network.Kind.WRITING_GROUP:
                actions |= WRITING_GROUP_ACTIONS[tie.role]
        if len(ancestors) >= MAX_DEPTH:
            actions.discard(Action.CREATE_SUBGROUP)  # a group under it would be out of reach
        if network.archived:
            actions = _on_archived(actions)
        else:
            actions -= set(WHEN_ARCHIVED.values())
        return frozenset(actions)

    def cache_key(self, network: Network) -> tuple:
        return (self.label, network.pk, network.archived)

    def seeing(self, action: str) -> str:
        # The writing group writes the documents of the group above without seeing its page.
        return Action.VIEW_DOCUMENT if action in DOCUMENT_ACTIONS else Action.VIEW_NETWORK

    def objects_for(self, user, action: str) -> QuerySet:
        """The networks where the person's roles give `action`: the same tables `actions`
        reads, as one query."""
        mine = Membership.objects.active().filter(user=user)
        own = mine.filter(role__in=_roles_giving(ROLE_ACTIONS, action))
        rule = Q(pk__in=own.values("network_id"))
        inherited = _roles_giving(INHERITED_ACTIONS, action)
        if inherited:
            above = mine.filter(role__in=inherited).values("network_id")
            path = "parent"
            for _level in range(MAX_DEPTH):
                rule |= Q(**{f"{path}_id__in": above})
                path += "__parent"
        writing = mine.filter(
            role__in=_roles_giving(WRITING_GROUP_ACTIONS, action),
            network__kind=Network.Kind.WRITING_GROUP,
        )
        rule |= Q(pk__in=writing.values("network__parent_id"))
        return _in_state(Network.objects.filter(rule), action)

    def users_for(self, action: str, network: Network) -> QuerySet:
        """The active people whose roles give `action` on this network."""
        User = get_user_model()
        if not _allowed_in_state(network.archived, action):
            return User.objects.none()
        if action == Action.CREATE_SUBGROUP and len(ancestor_ids(network)) >= MAX_DEPTH:
            return User.objects.none()
        active = Membership.objects.active()
        rows = active.filter(network=network, role__in=_roles_giving(ROLE_ACTIONS, action))
        rule = Q(pk__in=rows.values("user_id"))
        inherited = _roles_giving(INHERITED_ACTIONS, action)
        if inherited:
            above = active.filter(network_id__in=ancestor_ids(network), role__in=inherited)
            rule |= Q(pk__in=above.values("user_id"))
        writing = active.filter(
            network__parent=network,
            network__kind=Network.Kind.WRITING_GROUP,
            role__in=_roles_giving(WRITING_GROUP_ACTIONS, action),
        )
        rule |= Q(pk__in=writing.values("user_id"))
        return User.objects.filter(rule, is_active=True)

    def may(self, user, action: str) -> bool:
        """Create a new top-level network: whoever may create a group under an active network
        they chair or coordinate (or one under it). A set-up right follows from a role, like
        every other; a person who sets nothing up today starts nothing new."""
        if action != SetUpAction.CREATE_NETWORK:
            raise NotImplementedError(f"{self.label}: no may({action!r})")
        return self.objects_for(user, Action.CREATE_SUBGROUP).exists()


def visible_networks(user) -> QuerySet[Network]:
    """The networks this person may view (`objects_for(user, VIEW_NETWORK)`), as one query."""
    return registry.objects_for(user, Action.VIEW_NETWORK, Network)


@registry.register("networks.Organisation")
class OrganisationPolicy(registry.Policy):
    """Every member of a network sees the organisations' public facts (name, kind). Their people
    are seen by those who work with the organisation: in a network they may view where it takes
    part (through its members), or through their own affiliation with it. Who speaks and
    approves for one is set by a coordinator of a network the organisation takes part in: not
    by coordinators of unrelated networks, whose word would then count in its responses.

    Its registry address, number and contact are edited by a chair or coordinator of a network
    it takes part in (an active member represents it there or in a group under it): the people
    who send it remisser. Until it takes part anywhere, the chair or coordinator who added it
    may correct it (nobody else answers for it yet). Adding an organisation is asked of a new,
    unsaved one (`can(user, "add_organisation", Organisation())`): any chair or coordinator of a
    network that is not archived may add one, since a network's managers are who consult bodies
    that do not take part yet."""

    view_action = Action.VIEW_ORGANISATION
    all_actions = ORGANISATION_ACTIONS

    def actions(self, user, organisation: Organisation) -> frozenset[str]:
        if not _is_member(user):
            return frozenset()
        actions = {Action.VIEW_ORGANISATION}
        if organisation.pk is None:
            if _managed_networks(user):
                actions.add(Action.ADD_ORGANISATION)
        else:
            takes_part = Membership.objects.active().filter(organisation=organisation)
            if (
                Affiliation.objects.filter(user=user, organisation=organisation).exists()
                or takes_part.filter(network__in=visible_networks(user)).exists()
            ):
                actions.add(Action.VIEW_ORGANISATION_PEOPLE)
            coordinated = Membership.objects.active().filter(user=user, role=Role.COORDINATOR)
            if takes_part.filter(network_id__in=coordinated.values("network_id")).exists():
                actions.add(Action.MANAGE_AFFILIATIONS)
            if _represented_in_reach(user).filter(organisation=organisation).exists() or (
                _added_and_unclaimed(user).filter(pk=organisation.pk).exists()
            ):
                actions.add(Action.EDIT_ORGANISATION)
        return frozenset(actions)

    def cache_key(self, organisation: Organisation) -> tuple:
        return (self.label, organisation.pk)

    def objects_for(self, user, action: str) -> QuerySet:
        if action == Action.VIEW_ORGANISATION:
            return Organisation.objects.all() if _is_member(user) else Organisation.objects.none()
        if action == Action.VIEW_ORGANISATION_PEOPLE:
            # Affiliated with it, or it takes part in a network the person sees.
            if not _is_member(user):
                return Organisation.objects.none()
            seen = Membership.objects.active().filter(network__in=visible_networks(user))
            return Organisation.objects.filter(
                Q(pk__in=Affiliation.objects.filter(user=user).values("organisation_id"))
                | Q(pk__in=seen.values("organisation_id"))
            )
        if action == Action.EDIT_ORGANISATION:
            return Organisation.objects.filter(
                Q(pk__in=_represented_in_reach(user).values("organisation_id"))
                | Q(pk__in=_added_and_unclaimed(user).values("pk"))
            )
        raise NotImplementedError(f"{self.label}: no objects_for({action!r})")


def _is_member(user) -> bool:
    return Membership.objects.active().filter(user=user).exists()


def _managed_networks(user) -> list[int]:
    """The ids of the networks (not archived) where the person is a chair or coordinator, from
    the memberships read once per request."""
    return [
        tie.network_id
        for tie in memberships_of(user)
        if tie.role in MANAGING_ROLES and not tie.archived
    ]


def _added_and_unclaimed(user) -> QuerySet:
    """The organisations this chair or coordinator added that take part in no network yet."""
    if not _managed_networks(user):
        return Organisation.objects.none()
    added = Organisation.history.filter(history_type="+", history_user=user).values("id")
    taking_part = Membership.objects.active().filter(organisation__isnull=False)
    return Organisation.objects.filter(pk__in=added).exclude(
        pk__in=taking_part.values("organisation_id")
    )


def _represented_in_reach(user) -> QuerySet:
    """The active memberships that represent an organisation in a network the person manages
    or in a group under it (MAX_DEPTH levels): the organisations whose facts they edit. The
    managed networks go in as their ids (a short list), not as a subquery repeated per level."""
    managed = _managed_networks(user)
    if not managed:
        return Membership.objects.none()
    rule = Q(network_id__in=managed)
    path = "network"
    for _level in range(MAX_DEPTH):
        path += "__parent"
        rule |= Q(**{f"{path}_id__in": managed})
    return Membership.objects.active().filter(rule, organisation__isnull=False)


@registry.register(settings.AUTH_USER_MODEL)
class PersonPolicy(registry.Policy):
    view_action = PersonAction.VIEW
    all_actions = frozenset(PersonAction)

    def actions(self, user, person) -> frozenset[str]:
        seen = self.objects_for(user, PersonAction.VIEW).filter(pk=person.pk).exists()
        return frozenset({PersonAction.VIEW}) if seen else frozenset()

    def cache_key(self, person) -> tuple:
        return (self.label, person.pk)

    def objects_for(self, user, action: str) -> QuerySet:
        """The active members of the networks the person sees, and the people linked to the
        organisations whose people they see."""
        if action != PersonAction.VIEW:
            raise NotImplementedError(f"{self.label}: no objects_for({action!r})")
        people = get_user_model().objects.filter(is_active=True)
        members = Membership.objects.active().filter(network__in=visible_networks(user))
        organisations = registry.objects_for(user, Action.VIEW_ORGANISATION_PEOPLE, Organisation)
        linked = Affiliation.objects.filter(organisation__in=organisations)
        return people.filter(
            Q(pk__in=members.values("user_id")) | Q(pk__in=linked.values("user_id"))
        )
