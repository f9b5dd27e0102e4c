"""What a role in a network gives: the network's actions, the role tables, and the network tree.

A person's actions on a network come from their active memberships (roles below). A role in a
network also reaches down into its sub-groups (the writing group under the working group): every
member may look at them, and chairs and coordinators may manage them. The writers of a writing
group write the documents of the group above it. An archived network is only read.

A network's actions include what its roles give on its documents and on their process (take
part, run it, answer what is said, record decisions): the policies of the apps that own those
objects turn them into rights on one object in its state. Networks names none of them.

Who decides is networks.policies (the network's, an organisation's and a person's policy),
through networks.registry; this module only holds the tables they read. Nothing but a role, an
affiliation or a row of a higher app's own (a party consulted by name) lets a person in: staff
and superusers use the admin site, not the workspace pages.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet

from networks.models import Membership, Network, Organisation, Role

# How far down a role reaches into sub-groups (working group → writing group → …). Real
# networks are one or two levels deep; access stops here whatever the data says, and no group is
# created below it (NetworkPolicy gives no create_subgroup there).
MAX_DEPTH = 3


class Action(StrEnum):
    VIEW_NETWORK = "view_network"
    MANAGE_MEMBERS = "manage_members"
    # setting the network up: groups under it, archiving it (read-only, kept) and restoring it
    CREATE_SUBGROUP = "create_subgroup"
    ARCHIVE_NETWORK = "archive_network"
    RESTORE_NETWORK = "restore_network"  # what archive_network becomes once it is archived
    # on the network's documents (the documents' policy turns them into rights on one document)
    VIEW_DOCUMENT = "view_document"
    # works on the network's documents and is told of their versions and decisions: the
    # network's own people and its writing groups' (not those who only look in from above)
    FOLLOW_DOCUMENTS = "follow_documents"
    CREATE_DOCUMENT = "create_document"
    EDIT_DOCUMENT = "edit_document"
    PUBLISH_VERSION = "publish_version"
    # on the process of the network's documents (higher apps turn them into steps)
    TAKE_PART = "take_part"  # says what they think of a document when it is put to them
    RUN_PROCESS = "run_process"  # runs the process: puts a document to others, asks to sign
    ANSWER = "answer_feedback"  # answers what was said (the writing group)
    RECORD_DECISION = "record_decision"
    # organisations
    VIEW_ORGANISATION = "view_organisation"
    VIEW_ORGANISATION_PEOPLE = "view_organisation_people"  # who is linked to it, who represents it
    MANAGE_AFFILIATIONS = "manage_affiliations"
    # its registry address, number and contact (a chair or coordinator of a network it takes
    # part in, or of a network above one where it does)
    EDIT_ORGANISATION = "edit_organisation"
    # asked of a new, unsaved organisation: a chair or coordinator of any network adds one
    ADD_ORGANISATION = "add_organisation"


class SetUpAction(StrEnum):
    """Questions about networks as a kind, with no network to ask about yet."""

    # Create a new top-level network (any kind): whoever may create a group under some network,
    # i.e. chairs and coordinators of an active network (NetworkPolicy.may).
    CREATE_NETWORK = "create_network"


NETWORK_ACTIONS = frozenset(
    {
        Action.VIEW_NETWORK,
        Action.MANAGE_MEMBERS,
        Action.CREATE_SUBGROUP,
        Action.ARCHIVE_NETWORK,
        Action.RESTORE_NETWORK,
        Action.VIEW_DOCUMENT,
        Action.FOLLOW_DOCUMENTS,
        Action.CREATE_DOCUMENT,
        Action.EDIT_DOCUMENT,
        Action.PUBLISH_VERSION,
        Action.TAKE_PART,
        Action.RUN_PROCESS,
        Action.ANSWER,
        Action.RECORD_DECISION,
    }
)
ORGANISATION_ACTIONS = frozenset(
    {
        Action.VIEW_ORGANISATION,
        Action.VIEW_ORGANISATION_PEOPLE,
        Action.MANAGE_AFFILIATIONS,
        Action.EDIT_ORGANISATION,
        Action.ADD_ORGANISATION,
    }
)

READ = frozenset({Action.VIEW_NETWORK, Action.VIEW_DOCUMENT})
TAKE_PART = frozenset({Action.TAKE_PART})
RUN = frozenset({Action.RUN_PROCESS, Action.RECORD_DECISION})
ANSWER = frozenset({Action.ANSWER})
WRITE_DOCUMENTS = frozenset(
    {Action.VIEW_DOCUMENT, Action.CREATE_DOCUMENT, Action.EDIT_DOCUMENT, Action.PUBLISH_VERSION}
)
MANAGE = frozenset({Action.MANAGE_MEMBERS})
SET_UP = frozenset({Action.CREATE_SUBGROUP, Action.ARCHIVE_NETWORK})
FOLLOW = frozenset({Action.FOLLOW_DOCUMENTS})

# What each role may do in its own network.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.CHAIR: READ | MANAGE | SET_UP | WRITE_DOCUMENTS | TAKE_PART | RUN | ANSWER | FOLLOW,
    Role.COORDINATOR: READ | MANAGE | SET_UP | WRITE_DOCUMENTS | TAKE_PART | RUN | ANSWER | FOLLOW,
    Role.MEMBER: READ | TAKE_PART | FOLLOW,
    Role.WRITER: READ | WRITE_DOCUMENTS | TAKE_PART | ANSWER | FOLLOW,
    Role.SIGNATORY: READ | TAKE_PART | FOLLOW,
    Role.OBSERVER: READ | FOLLOW,
}

# What a role in a network passes down to the network's sub-groups.
INHERITED_ACTIONS: dict[str, frozenset[Action]] = {
    Role.CHAIR: READ | MANAGE | SET_UP,
    Role.COORDINATOR: READ | MANAGE | SET_UP,
    Role.MEMBER: READ,
    Role.WRITER: READ,
    Role.SIGNATORY: READ,
    Role.OBSERVER: READ,
}

# The writing group under a working group writes the working group's documents: its writers,
# chairs and coordinators get the document rights of the group above (not its member list).
WRITING_GROUP_ACTIONS: dict[str, frozenset[Action]] = {
    Role.CHAIR: WRITE_DOCUMENTS | TAKE_PART | ANSWER | FOLLOW,
    Role.COORDINATOR: WRITE_DOCUMENTS | TAKE_PART | ANSWER | FOLLOW,
    Role.WRITER: WRITE_DOCUMENTS | TAKE_PART | ANSWER | FOLLOW,
    Role.MEMBER: frozenset({Action.VIEW_DOCUMENT}) | TAKE_PART | FOLLOW,
    Role.SIGNATORY: frozenset({Action.VIEW_DOCUMENT}) | TAKE_PART | FOLLOW,
    Role.OBSERVER: frozenset({Action.VIEW_DOCUMENT}) | FOLLOW,
}

# Archived networks can be read by their members, and nothing more.
ARCHIVED_ALLOWS = READ | FOLLOW
# ... except that on an archived network the right to archive it becomes the right to restore it.
WHEN_ARCHIVED = {Action.ARCHIVE_NETWORK: Action.RESTORE_NETWORK}
# What a role gives on the network's documents (rather than on the network itself).
DOCUMENT_ACTIONS = WRITE_DOCUMENTS | TAKE_PART | RUN | ANSWER | FOLLOW

MANAGING_ROLES = frozenset({Role.CHAIR, Role.COORDINATOR})


# ------------------------------------------------------------------------- the network tree

_PARENT_FIELD = Network._meta.get_field("parent")


def ancestor_ids(network: Network) -> list[int]:
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


def lineage(network: Network, field: str = "network") -> Q:
    """A filter on `field` (a network) for this network's tree: the network, the networks above
    it and the groups under it (MAX_DEPTH levels each way)."""
    ancestors = ancestor_ids(network)
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
