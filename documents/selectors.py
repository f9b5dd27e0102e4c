"""Every read about documents that a view or task needs; visibility via the policies
(networks.registry)."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import get_language

from documents import adoption
from documents.diff import DocumentDiff, SectionText, diff_documents
from documents.docx_io import build_docx
from documents.markdown import render_markdown
from documents.models import Document, DocxImport, Section, Version, content_hash
from documents.readability import Lix, combine, lix_of_markdown
from networks import registry
from networks.errors import NotFound
from networks.models import Network
from networks.permissions import Action
from networks.selectors import as_id

CACHE_SECONDS = 60 * 60 * 24
log = logging.getLogger(__name__)


def get_network_for_documents(user, pk) -> Network:
    network = Network.objects.select_related("parent__parent__parent").filter(pk=as_id(pk)).first()
    if network is None or Action.VIEW_DOCUMENT not in registry.actions(user, network):
        raise NotFound()
    return network


def get_document_for_user(user, pk) -> Document:
    document = (
        Document.objects.select_related("network__parent__parent__parent")
        .filter(pk=as_id(pk))
        .first()
    )
    if document is None or Action.VIEW_DOCUMENT not in registry.actions(user, document):
        raise NotFound()
    return document


def list_documents(networks: list[Network]) -> list[Document]:
    latest = Version.objects.filter(document=OuterRef("pk")).order_by("-number")
    return list(
        Document.objects.filter(network__in=networks)
        .select_related("network")
        .annotate(
            section_count=Count("sections", distinct=True),
            latest_number=Subquery(latest.values("number")[:1]),
            latest_label=Subquery(latest.values("label")[:1]),
            latest_at=Subquery(latest.values("created_at")[:1]),
        )
        .order_by("status", "title")
    )


def document_networks(network: Network) -> list[Network]:
    """The networks whose documents a network page lists: its own, and for a writing group
    the documents of the group above, which it writes."""
    if network.kind == Network.Kind.WRITING_GROUP and network.parent is not None:
        return [network, network.parent]
    return [network]


def get_section(document: Document, key: str) -> Section:
    section = Section.objects.filter(document=document, key=str(key)[:24]).first()
    if section is None:
        raise NotFound()
    section.document = document
    return section


def list_versions(document: Document) -> list[Version]:
    return list(
        document.versions.select_related("created_by")
        .annotate(section_count=Count("sections"))
        .order_by("-number")
    )


def get_version(document: Document, number) -> Version:
    version = (
        document.versions.select_related("created_by")
        .filter(number=as_id(number))
        .prefetch_related("sections")
        .first()
    )
    if version is None:
        raise NotFound()
    version.document = document
    return version


@dataclass
class RenderedSection:
    key: str
    heading: str
    html: str
    lix: Lix | None
    source: object  # the Section or VersionSection
    first: bool = False
    last: bool = False


def _cache_get(key):
    """The cache speeds pages up; when it is away (Redis down), pages are computed instead."""
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 - never a 500 because of the cache
        log.warning("The cache is not answering; computing %s", key[:20])
        return None


def _cache_set(key, value) -> None:
    try:
        cache.set(key, value, CACHE_SECONDS)
    except Exception:  # noqa: BLE001 - never a 500 because of the cache
        log.warning("The cache is not answering; not keeping %s", key[:20])


# The rendered sections most recently used, also kept in each process (besides the shared
# cache): a function of the text alone (its hash is the key), so never out of date. A round
# page's 60 sections then cost no transfer from the cache nor unpickling (about 500 KB a view).
NEAR_SECTIONS = 4096  # entries; a section's HTML is a few KB
_near: OrderedDict[str, tuple] = OrderedDict()
_near_lock = threading.Lock()
# And the versions most recently shown, each as its sections' ids, lengths and rendered text.
NEAR_VERSIONS = 64
_near_versions: OrderedDict[str, tuple] = OrderedDict()


def _near_get_many(keys) -> dict:
    with _near_lock:
        found = {key: _near[key] for key in keys if key in _near}
        for key in found:
            _near.move_to_end(key)
    return found


def _near_set_many(entries: dict) -> None:
    with _near_lock:
        _near.update(entries)
        for key in entries:
            _near.move_to_end(key)
        while len(_near) > NEAR_SECTIONS:
            _near.popitem(last=False)


def _rendered_all(rows) -> list[RenderedSection]:
    """Sections rendered (sanitised HTML and LIX), from this process's memory or the cache in
    one read: a version never changes, and the draft's text is the key."""
    keys = [
        f"md:v3:{get_language()}:{hashlib.sha256(row.body.encode('utf-8')).hexdigest()}"
        for row in rows
    ]
    found = _near_get_many(keys)
    if len(found) < len(set(keys)):
        try:
            shared = cache.get_many([key for key in keys if key not in found])
        except Exception:  # noqa: BLE001 - never a 500 because of the cache
            log.warning("The cache is not answering; rendering the sections")
            shared = {}
        _near_set_many(shared)
        found.update(shared)
    missing, sections = {}, []
    for row, key in zip(rows, keys, strict=True):
        entry = found.get(key)
        if entry is None:
            entry = found[key] = missing[key] = (
                render_markdown(row.body),
                lix_of_markdown(row.body),
            )
        sections.append(RenderedSection(row.key, row.heading, entry[0], entry[1], row))
    if missing:
        _near_set_many(missing)
        try:
            cache.set_many(missing, CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            log.warning("The cache is not answering; not keeping the rendered sections")
    return sections


def working_draft(document: Document) -> tuple[list[RenderedSection], Lix | None]:
    sections = _rendered_all(Section.objects.filter(document=document).order_by("position"))
    if sections:
        sections[0].first, sections[-1].last = True, True
    return sections, combine(s.lix for s in sections)


def version_word_file(version: Version) -> bytes:
    """The version as a Word file (documents.docx_io.build_docx), kept in the cache under the
    checksum of everything the file says: the version's text, whether and by whom it was adopted
    and the language of its title page (the reader's: LocaleMiddleware has activated their own
    setting, carried by the language cookie; Swedish by default). Written once, not on every
    download; a change to any of it is a new key."""
    day = timezone.localtime(version.created_at).date()
    sections = [
        (s.heading, s.body) for s in sorted(version.sections.all(), key=lambda s: s.position)
    ]
    adopted = adoption.adoption_of(version)
    said = (version.title, version.label, version.number, day, version.content_hash, sections)
    checksum = hashlib.sha256(repr((said, adopted, get_language())).encode("utf-8")).hexdigest()
    key = f"version-docx:v1:{checksum}"
    data = _cache_get(key)
    if data is None:
        data = build_docx(
            title=version.title,
            version_label=version.label,
            version_number=version.number,
            date=day,
            content_hash=version.content_hash,
            sections=sections,
            adoption=adopted,
        )
        _cache_set(key, data)
    return data


def version_sections(version: Version) -> tuple[list[RenderedSection], Lix | None]:
    """The version's sections rendered, in one query. A version never changes: when this
    process has rendered it lately (NEAR_VERSIONS), its sections are found under the version's
    id and checksum (each section's id and length checked), without reading 25,000 words
    again."""
    if "sections" in getattr(version, "_prefetched_objects_cache", {}):
        return _version_sections_read(version)
    key = f"vs:v1:{get_language()}:{version.pk}:{version.content_hash}"
    with _near_lock:
        known = _near_versions.get(key)
        if known is not None:
            _near_versions.move_to_end(key)
    if known is None:
        read = sorted(version.sections.all(), key=lambda s: s.position)
        sections = _rendered_all(read)
        lix = combine(s.lix for s in sections)
        entry = tuple(
            (row.pk, len(row.body), s.html, s.lix) for row, s in zip(read, sections, strict=True)
        )
        with _near_lock:
            _near_versions[key] = entry
            while len(_near_versions) > NEAR_VERSIONS:
                _near_versions.popitem(last=False)
        return sections, lix
    rows = sorted(
        version.sections.defer("body").annotate(body_length=Length("body")),
        key=lambda s: s.position,
    )
    if [(r.pk, r.body_length) for r in rows] != [(pk, length) for pk, length, *_ in known]:
        return _version_sections_read(version)  # not the sections it was (never, in practice)
    sections = [
        RenderedSection(row.key, row.heading, html, lix, row)
        for row, (_pk, _length, html, lix) in zip(rows, known, strict=True)
    ]
    return sections, combine(s.lix for s in sections)


def _version_sections_read(version: Version) -> tuple[list[RenderedSection], Lix | None]:
    sections = _rendered_all(sorted(version.sections.all(), key=lambda s: s.position))
    return sections, combine(s.lix for s in sections)


@dataclass
class DocumentText:
    """What the document's page shows: the working draft, or for an adopted document the version
    it was adopted in (the text that was decided), unless the reader asks for the draft."""

    sections: list[RenderedSection]
    lix: Lix | None
    version: Version | None  # the version shown; None when it is the working draft
    adopted: Version | None  # the version the document was adopted in, if it is adopted
    adoption: adoption.Adoption | None  # when, and by whom
    draft_differs: bool  # the working draft has changed since the adopted version


def document_text(document: Document, *, want_draft: bool = False) -> DocumentText:
    """The text the document's page opens on (see DocumentText)."""
    adopted = adoption.adopted_version(document) if document.is_adopted else None
    if adopted is None:
        sections, lix = working_draft(document)
        return DocumentText(sections, lix, None, None, None, False)
    adopted.document = document
    if want_draft:
        sections, lix = working_draft(document)
        draft = [s.source for s in sections]
    else:
        sections, lix = version_sections(adopted)
        draft = list(Section.objects.filter(document=document).order_by("position"))
    return DocumentText(
        sections,
        lix,
        version=None if want_draft else adopted,
        adopted=adopted,
        adoption=adoption.adoption_of(adopted),
        draft_differs=content_hash(document.title, draft) != adopted.content_hash,
    )


def section_history(document: Document, key: str):
    return list(
        Section.history.filter(document_id=document.pk, key=key)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:200]
    )


def document_history(document: Document, limit: int = 200):
    return list(
        Section.history.filter(document_id=document.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )


# --- comparing -----------------------------------------------------------------------------

DRAFT = "draft"


@dataclass
class Side:
    """One side of a comparison: a version, or the working draft."""

    ref: str  # a version number, or "draft"
    label: str
    version: Version | None
    sections: list[SectionText]
    digest: str


def side(document: Document, ref) -> Side:
    if str(ref) == DRAFT:
        rows = list(Section.objects.filter(document=document).order_by("position"))
        texts = [SectionText(s.key, s.heading, s.body) for s in rows]
        return Side(DRAFT, "", None, texts, content_hash(document.title, rows))
    version = get_version(document, ref)
    frozen = sorted(version.sections.all(), key=lambda s: s.position)
    texts = [SectionText(s.key, s.heading, s.body) for s in frozen]
    return Side(str(version.number), version.label, version, texts, version.content_hash)


def compare(old: Side, new: Side) -> DocumentDiff:
    """The diff of two texts, cached per pair of checksums (versions never change) and language
    (the marks carry words for screen readers)."""
    cache_key = f"diff:v2:{get_language()}:{old.digest}:{new.digest}"
    result = _cache_get(cache_key)
    if result is None:
        result = diff_documents(old.sections, new.sections)
        _cache_set(cache_key, result)
    return result


def get_import_for_user(user, pk) -> DocxImport:
    job = DocxImport.objects.select_related("network", "document").filter(pk=as_id(pk)).first()
    if job is None or job.created_by_id != getattr(user, "pk", None):
        raise NotFound()
    return job
