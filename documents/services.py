"""Every write about documents: the working draft, versions, restores and Word imports.

Each service: lock → authorize → validate → write → record → side effects on commit.
"""

from __future__ import annotations

from django.core.files import File
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import signals, tasks
from documents.errors import (
    DocumentLocked,
    DocumentMoveRefused,
    EditConflict,
    EmptyHeading,
    NoChangesSinceLastVersion,
    NothingToPublish,
    SectionGone,
    StructureChanged,
)
from documents.files import storable
from documents.locks import lock_document, lock_section
from documents.models import Document, DocxImport, Section, Version, VersionSection, content_hash
from documents.policies import DocumentAction
from networks import registry
from networks.errors import NotFound
from networks.models import Network
from networks.permissions import Action
from notifications.kinds import Kind
from notifications.services import notify


def move_document(document: Document, to: str, *, by_user, refusal=None) -> bool:
    """The only writer of `Document.status`: one move along `Document.TRANSITIONS`, on a
    document the caller has locked (`documents.locks.lock_document`) and authorized for.
    Staying where it is is no move (False). A move the table does not have is refused, whoever
    asks, and changes nothing; `refusal` says why in the caller's words, if it knows better."""
    to = Document.Status(to)
    if document.status == to:
        return False
    if to not in Document.TRANSITIONS[document.status]:
        raise DocumentMoveRefused(refusal or _move_refusal(document.status, to))
    document.status = to
    document._history_user = by_user
    document.save(update_fields=["status"])
    return True


def _move_refusal(current: str, to: str):
    return _("The document is %(status)s: it cannot become %(to)s from there.") % {
        "status": Document.Status(current).label.lower(),
        "to": Document.Status(to).label.lower(),
    }


def ensure_editable(user, document: Document, action: Action = Action.EDIT_DOCUMENT) -> None:
    """Not found for outsiders; a clear refusal when adopted; then the role check. Views call it
    too, to refuse a form page with the same answer as its POST."""
    registry.require(user, Action.VIEW_DOCUMENT, document)
    if document.is_locked:
        raise DocumentLocked()
    registry.require(user, action, document)


def _clean_heading(heading: str) -> str:
    heading = " ".join((heading or "").split())
    if not heading:
        raise EmptyHeading()
    return heading[:300]


def _clean_body(body: str) -> str:
    # Browsers send CRLF; the text is stored with plain newlines so diffs are about words.
    return (body or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")


@transaction.atomic
def create_document(network: Network, *, by_user, title: str, kind: str) -> Document:
    network = Network.objects.select_for_update().get(pk=network.pk)
    registry.require(by_user, Action.CREATE_DOCUMENT, network)
    document = Document(
        network=network, title=_clean_heading(title), kind=Document.Kind(kind), created_by=by_user
    )
    document._history_user = by_user
    document.save()
    return document


def _bump_structure(document: Document, by_user) -> None:
    # A technical counter, not part of the record: the section rows carry the history.
    Document.objects.filter(pk=document.pk).update(structure_revision=F("structure_revision") + 1)


@transaction.atomic
def add_section(
    document: Document, *, by_user, heading: str, body: str = "", after: Section | None = None
) -> Section:
    """A new section at the end, or right after `after`."""
    document = lock_document(document)
    ensure_editable(by_user, document)
    heading = _clean_heading(heading)
    sections = Section.objects.filter(document=document)
    if after is not None:
        after = sections.filter(pk=after.pk).first()
        if after is None:
            raise StructureChanged()
        position = after.position + 1
        for later in sections.filter(position__gte=position).order_by("-position"):
            later.position += 1
            later._history_user = by_user
            later.save(update_fields=["position"])
    else:
        position = (sections.aggregate(Max("position"))["position__max"] or 0) + 1
    section = Section(document=document, heading=heading, body=_clean_body(body), position=position)
    section._history_user = by_user
    section.save()
    _bump_structure(document, by_user)
    return section


@transaction.atomic
def save_section(
    document: Document, *, key: str, by_user, heading: str, body: str, base_revision: int
) -> Section:
    """Save a section's text, unless someone saved it since this person opened it (the
    revision they started from is not the current one), or removed it meanwhile. The document
    is locked first: an adoption at the same moment goes before (this save is then refused) or
    after it, never between the check and the write."""
    document = lock_document(document)
    ensure_editable(by_user, document)
    current = lock_section(document, key=key)
    if current is None:
        raise SectionGone(heading=heading, body=body)
    heading, body = _clean_heading(heading), _clean_body(body)
    if current.revision != base_revision:
        raise EditConflict(current=current, heading=heading, body=body)
    if (current.heading, current.body) == (heading, body):
        return current
    current.heading, current.body = heading, body
    current.revision += 1
    current.updated_at = timezone.now()
    current._history_user = by_user
    current.save(update_fields=["heading", "body", "revision", "updated_at"])
    return current


@transaction.atomic
def delete_section(section: Section, *, by_user) -> None:
    document = lock_document(section.document)
    ensure_editable(by_user, document)
    current = Section.objects.filter(pk=section.pk, document=document).first()
    if current is None:
        raise StructureChanged()
    current._history_user = by_user
    current.delete()
    for later in Section.objects.filter(document=document, position__gt=current.position).order_by(
        "position"
    ):
        later.position -= 1
        later._history_user = by_user
        later.save(update_fields=["position"])
    _bump_structure(document, by_user)


@transaction.atomic
def move_section(section: Section, *, by_user, direction: str, structure_revision: int) -> None:
    """Move a section one step up or down. Refused if the order changed since the page was
    shown, so that two people reordering at once never get a surprise."""
    document = lock_document(section.document)
    ensure_editable(by_user, document)
    if document.structure_revision != structure_revision:
        raise StructureChanged()
    current = Section.objects.filter(pk=section.pk, document=document).first()
    if current is None:
        raise StructureChanged()
    siblings = Section.objects.filter(document=document)
    if direction == "up":
        neighbour = siblings.filter(position__lt=current.position).order_by("-position").first()
    else:
        neighbour = siblings.filter(position__gt=current.position).order_by("position").first()
    if neighbour is None:
        return
    # Positions are not unique in the database, so a plain swap in two saves is safe.
    current.position, neighbour.position = neighbour.position, current.position
    for moved in (current, neighbour):
        moved._history_user = by_user
        moved.save(update_fields=["position"])
    _bump_structure(document, by_user)


@transaction.atomic
def publish_version(
    document: Document, *, by_user, label: str, change_summary: str, editorial: bool = False
) -> Version:
    """Freeze the working draft as the next numbered version, for everyone to read the same."""
    document = lock_document(document)
    ensure_editable(by_user, document, Action.PUBLISH_VERSION)
    label = _clean_heading(label)
    sections = list(Section.objects.filter(document=document).order_by("position"))
    if not sections:
        raise NothingToPublish()
    digest = content_hash(document.title, sections)
    latest = document.versions.order_by("-number").first()
    if latest is not None and latest.content_hash == digest:
        raise NoChangesSinceLastVersion()
    version = Version(
        document=document,
        number=(latest.number + 1) if latest else 1,
        label=label,
        change_summary=(change_summary or "").strip(),
        title=document.title,
        content_hash=digest,
        created_by=by_user,
        editorial=editorial,
        editorial_marked_by=by_user if editorial else None,
    )
    version._history_user = by_user
    version.save()
    VersionSection.objects.bulk_create(
        VersionSection(version=version, key=s.key, heading=s.heading, body=s.body, position=index)
        for index, s in enumerate(sections, start=1)
    )
    # Apps that keep things about versions update them now, in the same transaction.
    signals.version_published.send(sender=Version, version=version, by_user=by_user)
    # Those who work on the document are told (its network's people and its writing group's).
    notify(
        kind=Kind.VERSION_PUBLISHED,
        recipients=registry.users_for(DocumentAction.FOLLOW, document),
        actor=by_user,
        target=version,
        context={"document": document.title, "version": f"{version.number} ({version.label})"},
        url=version.get_absolute_url(),
        key=f"version:{version.pk}:published",  # once per person, with the handlers' own
    )
    return version


@transaction.atomic
def restore_section_text(section: Section, *, by_user, history_id: int) -> Section:
    """Put an older text of a section back into the working draft; recorded like any save."""
    document = lock_document(section.document_id)
    ensure_editable(by_user, document)
    current = lock_section(document, pk=section.pk)
    if current is None:
        raise StructureChanged()
    old = Section.history.filter(id=current.pk, history_id=history_id).first()
    if old is None:
        raise NotFound()
    if (current.heading, current.body) == (old.heading, old.body):
        return current
    current.heading, current.body = old.heading, old.body
    current.revision += 1
    current.updated_at = timezone.now()
    current._history_user = by_user
    current._change_reason = _("Restored the text of %(date)s") % {
        "date": timezone.localtime(old.history_date).strftime("%Y-%m-%d %H:%M")
    }
    current.save(update_fields=["heading", "body", "revision", "updated_at"])
    return current


@transaction.atomic
def start_docx_import(
    network: Network, *, by_user, filename: str, data: bytes | File, title: str, kind: str
) -> DocxImport:
    """Keep the uploaded file and have it processed in the background (or at once without
    Redis). The checks of the file itself happen there, and end in a readable message."""
    network = Network.objects.select_for_update().get(pk=network.pk)
    registry.require(by_user, Action.CREATE_DOCUMENT, network)
    job = DocxImport(
        network=network,
        filename=filename[:255],
        title=" ".join((title or "").split())[:300],
        kind=Document.Kind(kind),
        created_by=by_user,
    )
    job.file.save(filename[:255] or "import.docx", storable(data), save=False)
    job.save()
    transaction.on_commit(lambda: tasks.process_docx_import.delay(job.pk))
    return job
