"""Who may do what: the one place that decides.

A person's actions on a network come from their active memberships (roles below). A role in a
network also reaches down into its sub-groups (the writing group under the working group): every
member may look at them, and chairs and coordinators may manage them. The writers of a writing
group write the documents of the group above it. Documents, their sections and versions take
their rights from the network that owns them; an adopted document can no longer be changed.
Access can also be granted on a single object with django-guardian (`grant`), for people outside
the network who are let in to one thing (e.g. a consultee of one review round). Nothing else
grants access: staff and superusers use the admin site, not the workspace pages.

Anyone who may not view a network gets the same "not found" as for a network that does not exist.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from guardian.shortcuts import assign_perm, get_objects_for_user, get_user_perms, remove_perm

from networks.errors import NotAllowed, NotFound
from networks.models import Affiliation, Membership, Network, Organisation, Role

# How far down a role reaches into sub-groups (working group → writing group → …). Real
# networks are one or two levels deep; access stops here whatever the data says.
MAX_DEPTH = 3


class Action(StrEnum):
    VIEW_NETWORK = "view_network"
    MANAGE_MEMBERS = "manage_members"
    # documents (decided here too; the documents app asks, it does not decide)
    VIEW_DOCUMENT = "view_document"
    CREATE_DOCUMENT = "create_document"
    EDIT_DOCUMENT = "edit_document"
    PUBLISH_VERSION = "publish_version"
    # review rounds
    VIEW_ROUND = "view_round"
    COMMENT = "comment_round"
    RUN_ROUND = "run_round"
    DISPOSE = "dispose_comment"
    EDIT_COMMENT = "edit_comment"  # change or remove one's own comment (while the round is open)
    RESPOND = "respond"
    APPROVE_RESPONSE = "approve_response"
    ENTER_RESPONSE = "enter_response"
    # decisions and sign-off
    RECORD_DECISION = "record_decision"
    VIEW_SIGN_OFF = "view_sign_off"
    SIGN = "sign"
    # organisations
    VIEW_ORGANISATION = "view_organisation"
    MANAGE_AFFILIATIONS = "manage_affiliations"


READ = frozenset({Action.VIEW_NETWORK, Action.VIEW_DOCUMENT})
TAKE_PART = frozenset({Action.COMMENT})
RUN = frozenset({Action.RUN_ROUND, Action.RECORD_DECISION})
DISPOSE = frozenset({Action.DISPOSE})
WRITE_DOCUMENTS = frozenset(
    {Action.VIEW_DOCUMENT, Action.CREATE_DOCUMENT, Action.EDIT_DOCUMENT, Action.PUBLISH_VERSION}
)
MANAGE = frozenset({Action.MANAGE_MEMBERS})

# What each role may do in its own network.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.CHAIR: READ | MANAGE | WRITE_DOCUMENTS | TAKE_PART | RUN | DISPOSE,
    Role.COORDINATOR: READ | MANAGE | WRITE_DOCUMENTS | TAKE_PART | RUN | DISPOSE,
    Role.MEMBER: READ | TAKE_PART,
    Role.WRITER: READ | WRITE_DOCUMENTS | TAKE_PART | DISPOSE,
    Role.SIGNATORY: READ | TAKE_PART,
    Role.OBSERVER: READ,
}

# What a role in a network passes down to the network's sub-groups.
INHERITED_ACTIONS: dict[str, frozenset[Action]] = {
    Role.CHAIR: READ | MANAGE,
    Role.COORDINATOR: READ | MANAGE,
    Role.MEMBER: READ,
    Role.WRITER: READ,
    Role.SIGNATORY: READ,
    Role.OBSERVER: READ,
}

# The writing group under a working group writes the working group's documents: its writers,
# chairs and coordinators get the document rights of the group above (not its member list).
WRITING_GROUP_ACTIONS: dict[str, frozenset[Action]] = {
    Role.CHAIR: WRITE_DOCUMENTS | TAKE_PART | DISPOSE,
    Role.COORDINATOR: WRITE_DOCUMENTS | TAKE_PART | DISPOSE,
    Role.WRITER: WRITE_DOCUMENTS | TAKE_PART | DISPOSE,
    Role.MEMBER: frozenset({Action.VIEW_DOCUMENT}) | TAKE_PART,
    Role.SIGNATORY: frozenset({Action.VIEW_DOCUMENT}) | TAKE_PART,
    Role.OBSERVER: frozenset({Action.VIEW_DOCUMENT}),
}

# Archived networks can be read by their members, and nothing more.
ARCHIVED_ALLOWS = READ
# A document that is adopted (or archived) is locked: it is read, never changed.
LOCKED_REMOVES = frozenset({Action.EDIT_DOCUMENT, Action.PUBLISH_VERSION, Action.RUN_ROUND})
# After adoption a chair may still start a new revision cycle (RECORD_DECISION stays for the
# corrections of the record).
DOCUMENT_ACTIONS = WRITE_DOCUMENTS | TAKE_PART | RUN | DISPOSE
# What a consulted party's people may do in the round they are consulted in (and nothing else).
CONSULTED = frozenset({Action.VIEW_ROUND, Action.COMMENT})

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
    """One query: the person's memberships in the network, above it, and in its writing groups."""
    ancestors = _ancestor_ids(network)
    rows = Membership.objects.active().filter(
        Q(network_id__in=[network.pk, *ancestors])
        | Q(network__parent_id=network.pk, network__kind=Network.Kind.WRITING_GROUP),
        user=user,
    )
    actions: set[Action] = set()
    for network_id, role in rows.values_list("network_id", "role"):
        if network_id == network.pk:
            actions |= ROLE_ACTIONS[role]
        elif network_id in ancestors:
            actions |= INHERITED_ACTIONS[role]
        else:
            actions |= WRITING_GROUP_ACTIONS[role]
    return frozenset(actions)


def _granted_actions(user, obj: Model) -> frozenset[Action]:
    # Only grants on this very object to this person: never global or superuser permissions.
    codenames = set(get_user_perms(user, obj))
    return frozenset(a for a in Action if a.value in codenames)


def _document_of(obj: Model):
    """The document an object belongs to, by model label: networks does not import documents."""
    label = obj._meta.label
    if label == "documents.Document":
        return obj
    if label in {"documents.Section", "documents.Version"}:
        return obj.document
    return None


def _round_of(obj: Model):
    label = obj._meta.label
    if label == "consultations.ReviewRound":
        return obj
    if label in {"consultations.Comment", "consultations.Consultee", "consultations.Question"}:
        return obj.round
    return None


def _networks_and_organisations(user) -> tuple[set[int], set[int]]:
    """The networks a person is an active member of, and the organisations they act for."""
    return _cached(user, ("parties",), lambda: _load_networks_and_organisations(user))


def _load_networks_and_organisations(user) -> tuple[set[int], set[int]]:
    rows = (
        Membership.objects.active().filter(user=user).values_list("network_id", "organisation_id")
    )
    networks = {network for network, _organisation in rows}
    organisations = {organisation for _network, organisation in rows if organisation}
    organisations |= set(
        Affiliation.objects.filter(user=user).values_list("organisation_id", flat=True)
    )
    return networks, organisations


def _is_consulted(user, review_round) -> bool:
    networks, organisations = _networks_and_organisations(user)
    return review_round.consultees.filter(
        Q(person=user) | Q(network_id__in=networks) | Q(organisation_id__in=organisations)
    ).exists()


def _round_actions(user, review_round) -> frozenset[Action]:
    """Readers of the document see its rounds; the people of a consulted party see the round
    once it has opened (only that round and its version); an outside person can be granted it."""
    on_document = allowed_actions(user, review_round.document)
    actions: set[Action] = set()
    if Action.VIEW_DOCUMENT in on_document:
        actions |= {Action.VIEW_ROUND} | (on_document & {Action.COMMENT, Action.DISPOSE})
    if Action.RUN_ROUND in on_document or review_round.chair_id == user.pk:
        actions |= {Action.VIEW_ROUND, Action.RUN_ROUND}
    # Being consulted adds nothing for those who already see and comment as readers.
    if review_round.status != "planned" and not actions >= CONSULTED:
        if _is_consulted(user, review_round):
            actions |= CONSULTED
        else:
            actions |= _granted_actions(user, review_round) & CONSULTED
    if review_round.status != "open":
        actions.discard(Action.COMMENT)
    return frozenset(actions)


def _consultee_actions(user, consultee) -> frozenset[Action]:
    """Who writes and who approves a consulted party's formal response."""
    actions = set(_round_actions(user, consultee.round))
    if Action.VIEW_ROUND not in actions:
        return frozenset()
    networks, organisations = _networks_and_organisations(user)
    if consultee.person_id:
        speaks_for = approves = consultee.person_id == user.pk
    elif consultee.network_id:
        speaks_for = consultee.network_id in networks
        approves = (
            Membership.objects.active()
            .filter(user=user, network_id=consultee.network_id, role__in=MANAGING_ROLES)
            .exists()
        )
    else:
        speaks_for = consultee.organisation_id in organisations
        approves = Affiliation.objects.filter(
            user=user, organisation_id=consultee.organisation_id, can_approve=True
        ).exists()
    if consultee.round.status == "open":
        if speaks_for or approves:
            actions.add(Action.RESPOND)
        if approves:
            actions.add(Action.APPROVE_RESPONSE)
    if Action.RUN_ROUND in actions:
        actions.add(Action.ENTER_RESPONSE)
    return frozenset(actions)


def speaks_for(user, consultees) -> list:
    """The consulted parties, of a list, whose response this person may write (one batch)."""
    if not _is_person(user):
        return []
    networks, organisations = _networks_and_organisations(user)
    mine = []
    for consultee in consultees:
        if consultee.round.status != "open":
            continue
        if (
            consultee.person_id == user.pk
            or consultee.network_id in networks
            or consultee.organisation_id in organisations
        ):
            mine.append(consultee)
    return mine


def acting_for(user) -> set[int]:
    """The organisations a person may speak for (membership or affiliation)."""
    return set(_networks_and_organisations(user)[1]) if _is_person(user) else set()


def _sign_off_actions(user, sign_off) -> frozenset[Action]:
    """Readers of the document and the named signatories see a sign-off (the signatories read
    the version on its page); signatories sign while it waits; the chairs and coordinators who
    run the document, and the requester, may withdraw it."""
    on_document = allowed_actions(user, sign_off.document)
    is_signatory = sign_off.signatories.filter(pk=user.pk).exists()
    actions: set[Action] = set()
    if Action.VIEW_DOCUMENT in on_document or is_signatory:
        actions.add(Action.VIEW_SIGN_OFF)
    if is_signatory and sign_off.status == "pending":
        actions.add(Action.SIGN)
    runs = Action.RUN_ROUND in on_document or sign_off.requested_by_id == user.pk
    if runs and sign_off.status == "pending":
        actions.add(Action.RUN_ROUND)
    return frozenset(actions)


def network_ids_with(memberships, action: Action) -> set[int]:
    """The networks on whose documents a role gives this person `action`, for all their
    memberships at once.

    For lists of rows (a batch, never per row). This applies the role tables (ROLE_ACTIONS,
    WRITING_GROUP_ACTIONS) the way allowed_actions() does, without asking it once per network.
    It is only for actions that a role does not pass down to sub-groups;
    tests/workspace/test_my_work.py checks that it agrees with allowed_actions() for every role.
    """
    if any(action in actions for actions in INHERITED_ACTIONS.values()):
        raise ValueError(f"{action} reaches sub-groups: ask networks.permissions instead")
    own = {network_id for network_id, role, _k, _p in memberships if action in ROLE_ACTIONS[role]}
    return own | written_by_my_groups(memberships, action)


def written_by_my_groups(memberships, action: Action) -> set[int]:
    """The networks whose documents this person's writing groups write, where the role in the
    writing group gives `action` on them (WRITING_GROUP_ACTIONS)."""
    return {
        parent_id
        for _network_id, role, kind, parent_id in memberships
        if kind == Network.Kind.WRITING_GROUP
        and parent_id
        and action in WRITING_GROUP_ACTIONS[role]
    }


def _organisation_actions(user, organisation: Organisation) -> frozenset[Action]:
    """Every member of a network sees the organisations. Who speaks and approves for one is set
    by a coordinator of a network the organisation takes part in (through its members): not by
    coordinators of unrelated networks, whose word would then count in its responses."""
    if not Membership.objects.active().filter(user=user).exists():
        return frozenset()
    actions = {Action.VIEW_ORGANISATION}
    if organisation.pk is not None:
        coordinated = Membership.objects.active().filter(user=user, role=Role.COORDINATOR)
        if (
            Membership.objects.active()
            .filter(
                organisation=organisation,
                network_id__in=coordinated.values("network_id"),
            )
            .exists()
        ):
            actions.add(Action.MANAGE_AFFILIATIONS)
    return frozenset(actions)


CACHE_ATTRIBUTE = "_samverka_permissions"


def remember_for_this_request(user) -> None:
    """While a page is being read (GET), answers are kept on the user object, so a page that
    asks about the same round, document or network several times pays once. Writes never use
    it: they run with a fresh user and see every change (workspace.middleware)."""
    setattr(user, CACHE_ATTRIBUTE, {})


def _cached(user, key, compute):
    cache = getattr(user, CACHE_ATTRIBUTE, None)
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def allowed_actions(user, obj: Model) -> frozenset[Action]:
    """Everything this person may do on this object (templates render their buttons from it)."""
    if not _is_person(user):
        return frozenset()
    key = (obj._meta.label, obj.pk, getattr(obj, "status", None))
    return _cached(user, key, lambda: _allowed_actions(user, obj))


def _allowed_actions(user, obj: Model) -> frozenset[Action]:
    label = obj._meta.label
    if label == "consultations.Consultee":
        return _consultee_actions(user, obj)
    if label == "consultations.SignOff":
        return _sign_off_actions(user, obj)
    review_round = _round_of(obj)
    if review_round is not None:
        actions = _round_actions(user, review_round)
        if (
            label == "consultations.Comment"
            and obj.author_id == user.pk
            and obj.deleted_at is None
            and Action.VIEW_ROUND in actions
        ):
            actions |= {Action.EDIT_COMMENT}  # only the author; a removed comment is gone
        return actions
    if isinstance(obj, Organisation):
        return _organisation_actions(user, obj)
    if isinstance(obj, Network):
        actions = _role_actions(user, obj) | _granted_actions(user, obj)
        if obj.archived:
            actions &= ARCHIVED_ALLOWS
        return actions
    document = _document_of(obj)
    if document is not None:
        actions = allowed_actions(user, document.network) & DOCUMENT_ACTIONS
        if document.is_locked:
            actions -= LOCKED_REMOVES
        return actions
    raise TypeError(f"No permission rules for {type(obj).__name__}")


def can(user, action: Action, obj: Model) -> bool:
    return action in allowed_actions(user, obj)


def _seeing(obj: Model, action: Action) -> Action:
    """The action that decides whether the object exists for this person at all."""
    if obj._meta.label == "consultations.SignOff":
        return Action.VIEW_SIGN_OFF
    if isinstance(obj, Organisation):
        return Action.VIEW_ORGANISATION
    if _round_of(obj) is not None or obj._meta.label == "consultations.Consultee":
        return Action.VIEW_ROUND
    if isinstance(obj, Network) and action not in DOCUMENT_ACTIONS:
        return Action.VIEW_NETWORK
    return Action.VIEW_DOCUMENT


def require(user, action: Action, obj: Model) -> frozenset[Action]:
    """Raise NotFound if the person may not even see the object, NotAllowed if they may not act."""
    actions = allowed_actions(user, obj)
    if _seeing(obj, action) not in actions:
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


def people_within_reach(user) -> QuerySet:
    """The people this person can already see in the workspace, and so may name (consult by
    name in a round they run): the active members of the networks they see, and the people
    named on the organisations' pages. To them anyone else is an address without an account:
    a form must answer for such an address exactly as for an unknown one."""
    from django.contrib.auth import get_user_model

    people = get_user_model().objects.filter(is_active=True)
    if not _is_person(user):
        return people.none()
    members = Membership.objects.active().filter(network_id__in=visible_network_ids(user))
    return people.filter(
        Q(pk__in=members.values("user_id")) | Q(pk__in=Affiliation.objects.values("user_id"))
    )


def grant(user, action: Action, obj: Model) -> None:
    """Let one person do one thing on one object, outside any role (recorded by guardian)."""
    assign_perm(action.value, user, obj)


def revoke(user, action: Action, obj: Model) -> None:
    remove_perm(action.value, user, obj)
