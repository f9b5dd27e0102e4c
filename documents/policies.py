"""Who may do what with documents, their sections and versions (networks.registry explains the
three questions).

A document takes its rights from the network that owns it (the network's roles, and the writing
group under it, which writes its documents): networks answers what a role gives on the network,
this policy says what that means for one document in its present state. An adopted or archived
document is locked: it is read, never changed. Sections and versions have their document's
rights.

Higher apps add their own steps on a document with `networks.registry.extend`, from the
actions given here (this app knows none of them).
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from documents.models import Document
from networks import registry
from networks.models import Membership, Network
from networks.permissions import ancestor_ids


class DocumentAction(StrEnum):
    VIEW = "view_document"
    # works on the document and is told of its versions and decisions (its network's own people
    # and its writing group's; not those who look in from a network above)
    FOLLOW = "follow_documents"
    EDIT = "edit_document"  # sections: write, add, move, remove
    PUBLISH_VERSION = "publish_version"
    # What a role gives on the document's process; higher apps turn them into steps.
    TAKE_PART = "take_part"  # says what they think when it is put to them
    RUN_PROCESS = "run_process"  # runs its process
    ANSWER = "answer_feedback"  # answers what was said (the writing group)
    RECORD_DECISION = "record_decision"


# Rights on the network that carry over to its documents (same names as the network's).
FROM_NETWORK = frozenset(DocumentAction)
# A locked document is read, never changed (a decision may still correct the record).
LOCKED_REMOVES = frozenset(
    {DocumentAction.EDIT, DocumentAction.PUBLISH_VERSION, DocumentAction.RUN_PROCESS}
)


@registry.register("documents.Document")
class DocumentPolicy(registry.Policy):
    view_action = DocumentAction.VIEW
    all_actions = frozenset(DocumentAction)

    def actions(self, user, document: Document) -> frozenset[str]:
        on_network = registry.actions(user, document.network)
        actions = {a for a in FROM_NETWORK if a.value in on_network}
        if document.is_locked:
            actions -= LOCKED_REMOVES
        return frozenset(actions)

    def cache_key(self, document: Document) -> tuple:
        return (self.label, document.pk, document.status)

    def objects_for(self, user, action: str) -> QuerySet:
        """The documents of the networks where the person's roles give `action` (the network's
        policy, as one query), less the locked ones for an action the lock takes away."""
        if action not in FROM_NETWORK:
            raise NotImplementedError(f"{self.label}: no objects_for({action!r})")
        # The network's policy, read once as ids: a person's networks are few, and a list is
        # planned on the documents' index where the nested rule was not.
        networks = registry.ids_for(user, action, Network)
        documents = Document.objects.filter(network_id__in=networks)
        if action in LOCKED_REMOVES:
            documents = documents.exclude(status__in=Document.LOCKED_STATUSES)
        return documents

    def users_for(self, action: str, document: Document) -> QuerySet:
        """Who reads the document (VIEW), and who works on it and is told of its versions and
        decisions (FOLLOW)."""
        network = document.network
        own = Q(network_id=network.pk) | Q(
            network__parent_id=network.pk, network__kind=Network.Kind.WRITING_GROUP
        )
        if action == DocumentAction.FOLLOW:
            rows = Membership.objects.active().filter(own)
        elif action == DocumentAction.VIEW:
            above = Q(network_id__in=ancestor_ids(network))
            rows = Membership.objects.active().filter(own | above)
        else:
            raise NotImplementedError(f"{self.label}: no users_for({action!r})")
        return get_user_model().objects.filter(pk__in=rows.values("user_id"), is_active=True)


class _OfDocument(registry.Policy):
    """Sections and versions: their document's rights."""

    view_action = DocumentAction.VIEW
    all_actions = frozenset(DocumentAction)

    def actions(self, user, obj) -> frozenset[str]:
        return registry.actions(user, obj.document)

    def cache_key(self, obj) -> tuple:
        return (self.label, obj.pk, obj.document.status)


@registry.register("documents.Section")
class SectionPolicy(_OfDocument):
    pass


@registry.register("documents.Version")
class VersionPolicy(_OfDocument):
    pass
