"""Who may do what with networks, organisations and people (networks.registry explains the three
questions; networks.permissions holds the role tables these policies read).

A person's rights on a network come from their active memberships: a role in the network, a role
in a network above it (passed down: INHERITED_ACTIONS), or a role in the writing group under it
(which writes its documents: WRITING_GROUP_ACTIONS). An archived network is only read.

A network's rights include what its roles give on its documents (view_document, edit_document,
run_round, …): the documents' policy turns them into rights on one document in its state.
"""

from __future__ import annotations

from enum import StrEnum
from typing import cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from guardian.shortcuts import get_objects_for_user, get_users_with_perms

from networks import registry
from networks.models import Affiliation, Membership, Network, Organisation
from networks.permissions import (
    ARCHIVED_ALLOWS,
    DOCUMENT_ACTIONS,
    INHERITED_ACTIONS,
    MAX_DEPTH,
    ROLE_ACTIONS,
    WRITING_GROUP_ACTIONS,
    Action,
    ancestor_ids,
    legacy_actions,
    visible_network_ids,
)


class PersonAction(StrEnum):
    # See a person and name them (consult them by name, link them to an organisation): the
    # members of the networks one sees, and the people of the organisations whose people one
    # sees. To anyone else a person is an address without an account.
    VIEW = "view_person"


# Actions that django-guardian may grant on one network (its permission codenames).
GRANTABLE = frozenset({Action.VIEW_NETWORK, Action.MANAGE_MEMBERS})


def _roles_giving(table: dict[str, frozenset[Action]], action: str) -> list[str]:
    return [role for role, actions in table.items() if action in actions]


@registry.register("networks.Network")
class NetworkPolicy(registry.Policy):
    view_action = Action.VIEW_NETWORK
    all_actions = frozenset(
        set(Action)
        - {
            Action.VIEW_ROUND,
            Action.EDIT_COMMENT,
            Action.RESPOND,
            Action.APPROVE_RESPONSE,
            Action.ENTER_RESPONSE,
            Action.VIEW_RESPONSE,
            Action.VIEW_SIGN_OFF,
            Action.SIGN,
            Action.VIEW_ORGANISATION,
            Action.VIEW_ORGANISATION_PEOPLE,
            Action.MANAGE_AFFILIATIONS,
        }
    )

    def actions(self, user, network: Network) -> frozenset[str]:
        return legacy_actions(user, network)

    def cache_key(self, network: Network) -> tuple:
        return (self.label, network.pk, network.archived)

    def seeing(self, action: str) -> str:
        # The writing group writes the documents of the group above without seeing its page.
        return Action.VIEW_DOCUMENT if action in DOCUMENT_ACTIONS else Action.VIEW_NETWORK

    def objects_for(self, user, action: str) -> QuerySet:
        """The networks where the person's roles (or a grant) give `action`: the same tables
        `actions` reads, as one query."""
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
        if action in GRANTABLE:
            granted = get_objects_for_user(
                user,
                f"networks.{action}",
                klass=Network,
                accept_global_perms=False,
                with_superuser=False,
            )
            rule |= Q(pk__in=granted.values("pk"))
        networks = Network.objects.filter(rule)
        if action not in ARCHIVED_ALLOWS:
            networks = networks.filter(archived=False)
        return networks

    def users_for(self, action: str, network: Network) -> QuerySet:
        """The active people whose roles (or a grant) give `action` on this network."""
        User = get_user_model()
        if network.archived and action not in ARCHIVED_ALLOWS:
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
        if action in GRANTABLE:
            # guardian annotates `Any | list[str]`; without attach_perms it is a user queryset
            granted = cast(
                "QuerySet",
                get_users_with_perms(
                    network,
                    only_with_perms_in=[action],
                    with_superusers=False,
                    with_group_users=False,
                ),
            )
            rule |= Q(pk__in=granted.values("pk"))
        return User.objects.filter(rule, is_active=True)


@registry.register("networks.Organisation")
class OrganisationPolicy(registry.Policy):
    view_action = Action.VIEW_ORGANISATION
    all_actions = frozenset(
        {Action.VIEW_ORGANISATION, Action.VIEW_ORGANISATION_PEOPLE, Action.MANAGE_AFFILIATIONS}
    )

    def actions(self, user, organisation: Organisation) -> frozenset[str]:
        return legacy_actions(user, organisation)

    def cache_key(self, organisation: Organisation) -> tuple:
        return (self.label, organisation.pk)

    def objects_for(self, user, action: str) -> QuerySet:
        if action == Action.VIEW_ORGANISATION:
            return Organisation.objects.all() if _is_member(user) else Organisation.objects.none()
        if action == Action.VIEW_ORGANISATION_PEOPLE:
            # Affiliated with it, or it takes part in a network the person sees.
            if not _is_member(user):
                return Organisation.objects.none()
            seen = Membership.objects.active().filter(network_id__in=visible_network_ids(user))
            return Organisation.objects.filter(
                Q(pk__in=Affiliation.objects.filter(user=user).values("organisation_id"))
                | Q(pk__in=seen.values("organisation_id"))
            )
        raise NotImplementedError(f"{self.label}: no objects_for({action!r})")


def _is_member(user) -> bool:
    return Membership.objects.active().filter(user=user).exists()


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
        members = Membership.objects.active().filter(network_id__in=visible_network_ids(user))
        organisations = registry.objects_for(user, Action.VIEW_ORGANISATION_PEOPLE, Organisation)
        linked = Affiliation.objects.filter(organisation__in=organisations)
        return people.filter(
            Q(pk__in=members.values("user_id")) | Q(pk__in=linked.values("user_id"))
        )
