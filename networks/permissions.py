"""Who may do what: the one place that decides.

A person's actions on a network come from their active memberships (roles below). A role in a
network also reaches down into its sub-groups (the writing group under the working group): every
member may look at them, and chairs and coordinators may manage them. The writers of a writing
group write the documents of the group above it. Documents, their sections and versions take
their rights from the network that owns them; an adopted document can no longer be changed.
Access can also be granted on a single object with django-guardian (`grant`), for people outside
the network who are let in to one thing (e.g. a consultee of one review round). Nothing else
grants access: staff and superusers use the admin site, not the workspace pages.

Observers read: they never comment, and never speak or answer for a network or an organisation.
A membership speaks for the organisation it represents only in rounds that reach its network
(see "who speaks for whom" below), and a person can only be invited to represent an organisation
that takes part in the inviting network's tree (`representable_organisations`).

Who may be asked to sign a document is decided here too (`signing_memberships`): its network's
own people, and the signatories and chairs of the networks that share an organisation with it.

Anyone who may not view a network gets the same "not found" as for a network that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from guardian.shortcuts import assign_perm, get_objects_for_user, get_user_perms, remove_perm

from networks import registry
from networks.models import Affiliation, Membership, Network, Organisation, Role

# How far down a role reaches into sub-groups (working group → writing group → …). Real
# networks are one or two levels deep; access stops here whatever the data says.
MAX_DEPTH = 3


class Action(StrEnum):
    VIEW_NETWORK = "view_network"
    MANAGE_MEMBERS = "manage_members"
    # documents (decided here too; the documents app asks, it does not decide)
    VIEW_DOCUMENT = "view_document"
    # works on the network's documents and is told of their versions and decisions: the
    # network's own people and its writing groups' (not those who only look in from above)
    FOLLOW_DOCUMENTS = "follow_documents"
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
    VIEW_RESPONSE = "view_response"  # read a party's response and its original, read-only
    # decisions and sign-off
    RECORD_DECISION = "record_decision"
    VIEW_SIGN_OFF = "view_sign_off"
    SIGN = "sign"
    # organisations
    VIEW_ORGANISATION = "view_organisation"
    VIEW_ORGANISATION_PEOPLE = "view_organisation_people"  # who is linked to it, who represents it
    MANAGE_AFFILIATIONS = "manage_affiliations"


READ = frozenset({Action.VIEW_NETWORK, Action.VIEW_DOCUMENT})
TAKE_PART = frozenset({Action.COMMENT})
RUN = frozenset({Action.RUN_ROUND, Action.RECORD_DECISION})
DISPOSE = frozenset({Action.DISPOSE})
WRITE_DOCUMENTS = frozenset(
    {Action.VIEW_DOCUMENT, Action.CREATE_DOCUMENT, Action.EDIT_DOCUMENT, Action.PUBLISH_VERSION}
)
MANAGE = frozenset({Action.MANAGE_MEMBERS})
FOLLOW = frozenset({Action.FOLLOW_DOCUMENTS})

# What each role may do in its own network.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.CHAIR: READ | MANAGE | WRITE_DOCUMENTS | TAKE_PART | RUN | DISPOSE | FOLLOW,
    Role.COORDINATOR: READ | MANAGE | WRITE_DOCUMENTS | TAKE_PART | RUN | DISPOSE | FOLLOW,
    Role.MEMBER: READ | TAKE_PART | FOLLOW,
    Role.WRITER: READ | WRITE_DOCUMENTS | TAKE_PART | DISPOSE | FOLLOW,
    Role.SIGNATORY: READ | TAKE_PART | FOLLOW,
    Role.OBSERVER: READ | FOLLOW,
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
    Role.CHAIR: WRITE_DOCUMENTS | TAKE_PART | DISPOSE | FOLLOW,
    Role.COORDINATOR: WRITE_DOCUMENTS | TAKE_PART | DISPOSE | FOLLOW,
    Role.WRITER: WRITE_DOCUMENTS | TAKE_PART | DISPOSE | FOLLOW,
    Role.MEMBER: frozenset({Action.VIEW_DOCUMENT}) | TAKE_PART | FOLLOW,
    Role.SIGNATORY: frozenset({Action.VIEW_DOCUMENT}) | TAKE_PART | FOLLOW,
    Role.OBSERVER: frozenset({Action.VIEW_DOCUMENT}) | FOLLOW,
}

# Archived networks can be read by their members, and nothing more.
ARCHIVED_ALLOWS = READ | FOLLOW
# A document that is adopted (or archived) is locked: it is read, never changed.
LOCKED_REMOVES = frozenset({Action.EDIT_DOCUMENT, Action.PUBLISH_VERSION, Action.RUN_ROUND})
# After adoption a chair may still start a new revision cycle (RECORD_DECISION stays for the
# corrections of the record).
DOCUMENT_ACTIONS = WRITE_DOCUMENTS | TAKE_PART | RUN | DISPOSE | FOLLOW
# What a consulted party's people may do in the round they are consulted in (and nothing else).
CONSULTED = frozenset({Action.VIEW_ROUND, Action.COMMENT})

MANAGING_ROLES = frozenset({Role.CHAIR, Role.COORDINATOR})
# Those who run a round or answer its comments (the writing group) read every party's response;
# a party's own people read theirs.
READS_EVERY_RESPONSE = frozenset({Action.RUN_ROUND, Action.DISPOSE})


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


ancestor_ids = _ancestor_ids


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


# --------------------------------------------------------------- who speaks for whom
#
# A person speaks for a network they are a member of (not as an observer: an observer reads),
# and for an organisation through one of two ties:
# - an Affiliation, which only coordinators of networks the organisation takes part in set;
# - a membership that represents it, but only in a round whose consultation reaches that
#   membership's network: the document's network, the networks above it and the groups under
#   it, or a consulted network. A membership elsewhere (another county's network, whose chair
#   chose the organisation) speaks for it nowhere here.


@dataclass(frozen=True)
class _Tie:
    """One active membership: its network, the networks above it, the organisation it
    represents, and whether it speaks (an observer's does not)."""

    network_id: int
    ancestors: tuple[int, ...]
    organisation_id: int | None
    speaks: bool


@dataclass(frozen=True)
class _Reach:
    """The networks a round's consultation reaches."""

    network_id: int  # the document's network
    ancestors: tuple[int, ...]
    consulted: frozenset[int]

    def includes(self, tie: _Tie) -> bool:
        return (
            tie.network_id in self.consulted
            or tie.network_id == self.network_id
            or tie.network_id in self.ancestors
            or self.network_id in tie.ancestors
        )


@dataclass(frozen=True)
class _Standing:
    """What a person is in one round: the parties they speak for, and those they only read."""

    speaks_networks: frozenset[int]
    reads_networks: frozenset[int]
    speaks_organisations: frozenset[int]
    reads_organisations: frozenset[int]


def _ancestor_fields(prefix: str) -> list[str]:
    """`prefix`parent_id, `prefix`parent__parent_id, … MAX_DEPTH levels up."""
    return [f"{prefix}{'parent__' * level}parent_id" for level in range(MAX_DEPTH)]


def _chain(ids) -> tuple[int, ...]:
    chain: list[int] = []
    for pk in ids:
        if pk is None:
            break
        chain.append(pk)
    return tuple(chain)


def lineage(network: Network, field: str = "network") -> Q:
    """A filter on `field` (a network) for this network's tree: the network, the networks above
    it and the groups under it (MAX_DEPTH levels each way)."""
    ancestors = _ancestor_ids(network)
    rule = Q(**{f"{field}_id__in": [network.pk, *ancestors]})
    path = field
    for _level in range(MAX_DEPTH):
        path += "__parent"
        rule |= Q(**{f"{path}_id": network.pk})
    return rule


def representable_organisations(network: Network) -> QuerySet:
    """The organisations a person invited into this network may represent: those that take part
    in its tree, i.e. that an active member of the network, of a network above it or of a
    group under it represents. A network whose tree has no such members offers none."""
    taking_part = Membership.objects.active().filter(lineage(network), organisation__isnull=False)
    return Organisation.objects.filter(pk__in=taking_part.values("organisation_id"))


def _ties(user) -> tuple[tuple[_Tie, ...], frozenset[int]]:
    """The person's active memberships and the organisations they are affiliated with."""
    return _cached(user, ("ties",), lambda: _load_ties(user))


def _load_ties(user) -> tuple[tuple[_Tie, ...], frozenset[int]]:
    rows = (
        Membership.objects.active()
        .filter(user=user)
        .values_list("network_id", "role", "organisation_id", *_ancestor_fields("network__"))
    )
    ties = tuple(
        _Tie(network_id, _chain(above), organisation_id, role != Role.OBSERVER)
        for network_id, role, organisation_id, *above in rows
    )
    affiliated = Affiliation.objects.filter(user=user).values_list("organisation_id", flat=True)
    return ties, frozenset(affiliated)


def _reaches(rounds) -> dict[int, _Reach]:
    """The reach of each round: one query for any number of rounds (a row per consulted party,
    with the document's network and the networks above it)."""
    rounds = list(rounds)
    if not rounds:
        return {}
    rows = (
        type(rounds[0])
        ._default_manager.filter(pk__in={r.pk for r in rounds})
        .values_list(
            "pk",
            "consultees__network_id",
            "document__network_id",
            *_ancestor_fields("document__network__"),
        )
    )
    networks: dict[int, tuple[int, tuple[int, ...]]] = {}
    consulted: dict[int, set[int]] = {}
    for pk, consulted_id, network_id, *above in rows:
        networks[pk] = (network_id, _chain(above))
        consulted.setdefault(pk, set()).add(consulted_id)
    return {
        pk: _Reach(network_id, above, frozenset(consulted[pk] - {None}))
        for pk, (network_id, above) in networks.items()
    }


def _standing(user, review_round) -> _Standing:
    return _cached(user, ("standing", review_round.pk), lambda: _load_standing(user, review_round))


def _load_standing(user, review_round) -> _Standing:
    ties, affiliated = _ties(user)
    reach = _reaches([review_round]).get(review_round.pk)
    reached = [t for t in ties if t.organisation_id and reach is not None and reach.includes(t)]
    return _Standing(
        speaks_networks=frozenset(t.network_id for t in ties if t.speaks),
        reads_networks=frozenset(t.network_id for t in ties),
        speaks_organisations=affiliated | {t.organisation_id for t in reached if t.speaks},
        reads_organisations=affiliated | {t.organisation_id for t in reached},
    )


def _consulted_actions(user, review_round) -> frozenset[Action]:
    """A consulted party's people read the round and comment; an observer among them only reads;
    a person granted the round does what the grant says."""
    standing = _standing(user, review_round)
    speaks = reads = False
    for person_id, network_id, organisation_id in review_round.consultees.values_list(
        "person_id", "network_id", "organisation_id"
    ):
        if (
            person_id == user.pk
            or network_id in standing.speaks_networks
            or organisation_id in standing.speaks_organisations
        ):
            speaks = True
        elif (
            network_id in standing.reads_networks or organisation_id in standing.reads_organisations
        ):
            reads = True
    if speaks:
        return CONSULTED
    granted = _granted_actions(user, review_round) & CONSULTED
    return granted | {Action.VIEW_ROUND} if reads else granted


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
        actions |= _consulted_actions(user, review_round)
    if review_round.status != "open":
        actions.discard(Action.COMMENT)
    return frozenset(actions)


def _consultee_actions(user, consultee) -> frozenset[Action]:
    """Who writes and who approves a consulted party's formal response."""
    actions = set(_round_actions(user, consultee.round))
    if Action.VIEW_ROUND not in actions:
        return frozenset()
    standing = _standing(user, consultee.round)
    if consultee.person_id:
        speaks_for = approves = consultee.person_id == user.pk
    elif consultee.network_id:
        speaks_for = consultee.network_id in standing.speaks_networks
        approves = (
            Membership.objects.active()
            .filter(user=user, network_id=consultee.network_id, role__in=MANAGING_ROLES)
            .exists()
        )
    else:
        speaks_for = consultee.organisation_id in standing.speaks_organisations
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
    if speaks_for or approves or actions & READS_EVERY_RESPONSE:
        actions.add(Action.VIEW_RESPONSE)
    return frozenset(actions)


def speaks_for(user, consultees) -> list:
    """The consulted parties, of a list, whose response this person may write (a batch: a few
    queries for any number of parties and rounds)."""
    if not _is_person(user):
        return []
    ties, affiliated = _ties(user)
    networks = {t.network_id for t in ties if t.speaks}
    represented = {t.organisation_id for t in ties if t.speaks and t.organisation_id}
    consultees = [c for c in consultees if c.round.status == "open"]
    # An organisation spoken for through a membership: only in rounds that reach it.
    through_membership = [
        c
        for c in consultees
        if c.organisation_id in represented and c.organisation_id not in affiliated
    ]
    reaches = _reaches({c.round_id: c.round for c in through_membership}.values())

    def through_reached_membership(consultee) -> bool:
        reach = reaches.get(consultee.round_id)
        return reach is not None and any(
            t.speaks and t.organisation_id == consultee.organisation_id and reach.includes(t)
            for t in ties
        )

    return [
        c
        for c in consultees
        if c.person_id == user.pk
        or c.network_id in networks
        or c.organisation_id in affiliated
        or through_reached_membership(c)
    ]


def acting_for(user, review_round) -> set[int]:
    """The organisations a person may comment for in this round (affiliation, or a membership
    the round reaches; never as an observer)."""
    if not _is_person(user):
        return set()
    return set(_standing(user, review_round).speaks_organisations)


def speakers(review_round, consultees) -> QuerySet:
    """The people who speak for these consulted parties of the round (who are told about it):
    the person; the members of a network, not its observers; the people affiliated with an
    organisation, and its representatives in networks the round reaches."""
    User = get_user_model()
    consultees = list(consultees)
    person_ids = {c.person_id for c in consultees if c.person_id}
    network_ids = {c.network_id for c in consultees if c.network_id}
    organisation_ids = {c.organisation_id for c in consultees if c.organisation_id}
    reached = lineage(review_round.document.network) | Q(
        network_id__in=review_round.consultees.filter(network__isnull=False).values("network_id")
    )
    members = (
        Membership.objects.active()
        .exclude(role=Role.OBSERVER)
        .filter(Q(network_id__in=network_ids) | (Q(organisation_id__in=organisation_ids) & reached))
    )
    affiliated = Affiliation.objects.filter(organisation_id__in=organisation_ids)
    return User.objects.filter(
        Q(pk__in=person_ids)
        | Q(pk__in=members.values("user_id"))
        | Q(pk__in=affiliated.values("user_id")),
        is_active=True,
    )


def responses_readable(user, review_round, consultees) -> set[int]:
    """The ids of the consulted parties, of a list on one round, whose response this person may
    read (VIEW_RESPONSE, as `_consultee_actions` decides it), in one batch."""
    if not _is_person(user):
        return set()
    actions = allowed_actions(user, review_round)
    if Action.VIEW_ROUND not in actions:
        return set()
    if actions & READS_EVERY_RESPONSE:
        return {consultee.pk for consultee in consultees}
    standing = _standing(user, review_round)
    return {
        consultee.pk
        for consultee in consultees
        if consultee.person_id == user.pk
        or consultee.network_id in standing.speaks_networks
        or consultee.organisation_id in standing.speaks_organisations
    }


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


# The roles that sign for a body outside the document's own network (KC/RD's municipal
# directors are its signatories, the regional director its chair).
SIGNING_ROLES = frozenset({Role.SIGNATORY, Role.CHAIR})


def signing_memberships(document) -> QuerySet[Membership]:
    """The active memberships that let a person be asked to sign a version of this document,
    in one query (each row also says in which role and for which body they would sign):

    - everyone in the document's own network, except its observers (they watch, never decide);
    - the signatories and chairs of the networks above and below it (the document's tree);
    - the signatories and chairs of any other network that shares an organisation with the tree,
      that is, where an active member acts for an organisation that an active member of the tree
      also acts for. So the working group reaches KC/RD of its own county, whose directors come
      from the same municipalities and region, and never a network of another county, which
      shares no organisation with it.

    Only active people in networks that are not archived. Requesting a sign-off asks this too: a
    person outside it is refused, whatever the form sent.
    """
    network = document.network
    tree = Q(network_id__in=[network.pk, *_ancestor_ids(network)]) | Q(
        network__parent_id=network.pk
    )
    active = Membership.objects.active()
    organisations = active.filter(tree, organisation__isnull=False).values("organisation_id")
    sharing = active.filter(organisation_id__in=organisations).values("network_id")
    return active.filter(user__is_active=True, network__archived=False).filter(
        (Q(network_id=network.pk) & ~Q(role=Role.OBSERVER))
        | (Q(role__in=SIGNING_ROLES) & (tree | Q(network_id__in=sharing)))
    )


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
    """Every member of a network sees the organisations' public facts (name, kind). Their people
    are seen by those who work with the organisation: in a network they may view where it takes
    part (through its members), or through their own affiliation with it. Who speaks and
    approves for one is set by a coordinator of a network the organisation takes part in: not
    by coordinators of unrelated networks, whose word would then count in its responses."""
    if not Membership.objects.active().filter(user=user).exists():
        return frozenset()
    actions = {Action.VIEW_ORGANISATION}
    if organisation.pk is not None:
        takes_part = Membership.objects.active().filter(organisation=organisation)
        if (
            organisation.pk in _ties(user)[1]
            or takes_part.filter(network_id__in=visible_network_ids(user)).exists()
        ):
            actions.add(Action.VIEW_ORGANISATION_PEOPLE)
        coordinated = Membership.objects.active().filter(user=user, role=Role.COORDINATOR)
        if takes_part.filter(network_id__in=coordinated.values("network_id")).exists():
            actions.add(Action.MANAGE_AFFILIATIONS)
    return frozenset(actions)


remember_for_this_request = registry.remember_for_this_request
_cached = registry.cached


def allowed_actions(user, obj: Model) -> frozenset[Action]:
    """Everything this person may do on this object: its policy decides (networks.registry)."""
    return registry.actions(user, obj)


def legacy_actions(user, obj: Model) -> frozenset[Action]:
    """The rules not yet moved into a policy (the registry asks here for unregistered models)."""
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
            and review_round.status == "open"
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
    return registry.can(user, action, obj)


def legacy_view_action(obj: Model, action: str) -> Action:
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
    return registry.require(user, action, obj)


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
    """The people this person may see and name (networks.policies.PersonPolicy decides)."""
    return registry.objects_for(user, "view_person", get_user_model())


def grant(user, action: Action, obj: Model) -> None:
    """Let one person do one thing on one object, outside any role (recorded by guardian)."""
    assign_perm(action.value, user, obj)


def revoke(user, action: Action, obj: Model) -> None:
    remove_perm(action.value, user, obj)
