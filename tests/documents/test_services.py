"""The working draft: sections, conflicts, structure, versions and restores."""

import pytest

from documents import services, signals
from documents.errors import (
    DocumentLocked,
    EditConflict,
    EmptyHeading,
    NoChangesSinceLastVersion,
    NothingToPublish,
    SectionGone,
    StructureChanged,
)
from documents.models import Document, Section, Version, content_hash
from networks.errors import NotAllowed, NotFound
from networks.models import Network, Role
from tests.factories import DocumentFactory, MembershipFactory, NetworkFactory, SectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def document():
    return DocumentFactory()


@pytest.fixture
def writer(document):
    return MembershipFactory(network=document.network, role=Role.WRITER).user


def snapshot(document):
    return (
        sorted(Section.objects.values_list("id", "key", "heading", "body", "position", "revision")),
        list(Version.objects.values_list("id", "content_hash")),
        Section.history.count(),
        Document.objects.get(pk=document.pk).structure_revision,
    )


def test_a_writer_creates_a_document_and_writes_sections(writer, document):
    network = document.network
    created = services.create_document(
        network, by_user=writer, title="  Ny strategi ", kind="strategy"
    )
    assert created.title == "Ny strategi"
    assert created.status == Document.Status.DRAFTING
    first = services.add_section(created, by_user=writer, heading="Inledning", body="Text.\r\n")
    second = services.add_section(created, by_user=writer, heading="Mål")
    middle = services.add_section(created, by_user=writer, heading="Bakgrund", after=first)
    order = list(created.sections.order_by("position").values_list("heading", flat=True))
    assert order == ["Inledning", "Bakgrund", "Mål"]
    assert first.body == "Text."
    assert len({first.key, second.key, middle.key}) == 3


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OBSERVER, Role.SIGNATORY])
def test_readers_cannot_write(document, role):
    section = SectionFactory(document=document)
    reader = MembershipFactory(network=document.network, role=role).user
    before = snapshot(document)
    with pytest.raises(NotAllowed):
        services.save_section(
            document, key=section.key, by_user=reader, heading="X", body="Y", base_revision=1
        )
    with pytest.raises(NotAllowed):
        services.add_section(document, by_user=reader, heading="X")
    with pytest.raises(NotAllowed):
        services.publish_version(document, by_user=reader, label="v", change_summary="")
    assert snapshot(document) == before


def test_outsiders_get_not_found(document):
    section = SectionFactory(document=document)
    outsider = MembershipFactory(role=Role.CHAIR).user
    before = snapshot(document)
    with pytest.raises(NotFound):
        services.save_section(
            document, key=section.key, by_user=outsider, heading="X", body="Y", base_revision=1
        )
    with pytest.raises(NotFound):
        services.delete_section(section, by_user=outsider)
    assert snapshot(document) == before


def test_the_writing_group_writes_the_working_groups_documents():
    working_group = NetworkFactory()
    writing_group = NetworkFactory(parent=working_group, kind=Network.Kind.WRITING_GROUP)
    writer = MembershipFactory(network=writing_group, role=Role.WRITER).user
    document = DocumentFactory(network=working_group)
    section = services.add_section(document, by_user=writer, heading="Inledning")
    assert section.pk


def test_saving_over_someone_elses_save_is_a_conflict_that_keeps_both_texts(writer, document):
    section = SectionFactory(document=document, body="Ursprunglig text.")
    services.save_section(
        document,
        key=section.key,
        by_user=writer,
        heading=section.heading,
        body="Första skribentens text.",
        base_revision=1,
    )
    before = snapshot(document)
    with pytest.raises(EditConflict) as refused:
        services.save_section(
            document,
            key=section.key,
            by_user=writer,
            heading=section.heading,
            body="Andra skribentens text.",
            base_revision=1,
        )
    assert refused.value.body == "Andra skribentens text."
    assert refused.value.current.body == "Första skribentens text."
    assert refused.value.current.revision == 2
    assert snapshot(document) == before


def test_saving_a_section_that_was_removed_keeps_the_text(writer, document):
    section = SectionFactory(document=document)
    services.delete_section(section, by_user=writer)
    with pytest.raises(SectionGone) as refused:
        services.save_section(
            document, key=section.key, by_user=writer, heading="H", body="Min text", base_revision=1
        )
    assert refused.value.body == "Min text"


def test_an_empty_heading_is_refused(writer, document):
    section = SectionFactory(document=document)
    with pytest.raises(EmptyHeading):
        services.save_section(
            document, key=section.key, by_user=writer, heading="   ", body="x", base_revision=1
        )


def test_moving_with_a_stale_order_is_refused(writer, document):
    first = SectionFactory(document=document, position=1)
    second = SectionFactory(document=document, position=2)
    services.move_section(second, by_user=writer, direction="up", structure_revision=0)
    assert list(document.sections.order_by("position")) == [second, first]
    before = snapshot(document)
    with pytest.raises(StructureChanged):
        services.move_section(first, by_user=writer, direction="up", structure_revision=0)
    assert snapshot(document) == before


def test_removing_closes_the_gap(writer, document):
    sections = [SectionFactory(document=document, position=n) for n in (1, 2, 3)]
    services.delete_section(sections[1], by_user=writer)
    assert list(document.sections.order_by("position").values_list("position", flat=True)) == [1, 2]


def test_publishing_freezes_the_draft_with_a_checksum(writer, document):
    SectionFactory(document=document, heading="Inledning", body="Text ett.")
    version = services.publish_version(
        document, by_user=writer, label="Remissversion augusti 2022", change_summary="Första."
    )
    assert version.number == 1
    assert version.content_hash == content_hash(document.title, document.sections.all())
    section = document.sections.get()
    services.save_section(
        document,
        key=section.key,
        by_user=writer,
        heading="Inledning",
        body="Text två.",
        base_revision=1,
    )
    frozen = version.sections.get()
    assert frozen.body == "Text ett."
    assert frozen.key == section.key
    second = services.publish_version(document, by_user=writer, label="v2", change_summary="")
    assert second.number == 2
    assert second.content_hash != version.content_hash


def test_a_published_version_is_announced_to_the_apps_above_in_its_transaction(writer, document):
    """documents.signals.version_published is documents' own hook: a receiver gets the new
    version and who published it, with its sections written, and its failure undoes the
    publishing (documents names no app above it, and needs no setting to find them)."""
    SectionFactory(document=document, heading="Inledning", body="Text ett.")
    heard = []

    def listening(sender, *, version, by_user, **kwargs):
        heard.append((version.number, by_user, [s.body for s in version.sections.all()]))

    def failing(sender, **kwargs):
        raise RuntimeError("a receiver failed")

    signals.version_published.connect(listening)
    try:
        services.publish_version(document, by_user=writer, label="v1", change_summary="")
    finally:
        signals.version_published.disconnect(listening)
    assert heard == [(1, writer, ["Text ett."])]

    services.save_section(
        document,
        key=document.sections.get().key,
        by_user=writer,
        heading="Inledning",
        body="Text två.",
        base_revision=1,
    )
    signals.version_published.connect(failing)
    try:
        with pytest.raises(RuntimeError):
            services.publish_version(document, by_user=writer, label="v2", change_summary="")
    finally:
        signals.version_published.disconnect(failing)
    assert list(document.versions.values_list("number", flat=True)) == [1]


def test_a_version_can_never_be_changed(writer, document):
    SectionFactory(document=document)
    version = services.publish_version(document, by_user=writer, label="v1", change_summary="")
    version.label = "Något annat"
    with pytest.raises(ValueError, match="A published version cannot be changed"):
        version.save()
    frozen = version.sections.get()
    frozen.body = "ändrad"
    with pytest.raises(ValueError, match="A published version cannot be changed"):
        frozen.save()


def test_publishing_nothing_or_the_same_text_again_is_refused(writer, document):
    with pytest.raises(NothingToPublish):
        services.publish_version(document, by_user=writer, label="v1", change_summary="")
    SectionFactory(document=document)
    services.publish_version(document, by_user=writer, label="v1", change_summary="")
    with pytest.raises(NoChangesSinceLastVersion):
        services.publish_version(document, by_user=writer, label="v2", change_summary="")
    assert document.versions.count() == 1


def test_an_adopted_document_cannot_be_edited_even_by_its_chair(document):
    section = SectionFactory(document=document)
    chair = MembershipFactory(network=document.network, role=Role.CHAIR).user
    Document.objects.filter(pk=document.pk).update(status=Document.Status.ADOPTED)
    document.refresh_from_db()
    before = snapshot(document)
    with pytest.raises(DocumentLocked):
        services.save_section(
            document, key=section.key, by_user=chair, heading="X", body="Y", base_revision=1
        )
    with pytest.raises(DocumentLocked):
        services.add_section(document, by_user=chair, heading="X")
    with pytest.raises(DocumentLocked):
        services.publish_version(document, by_user=chair, label="v", change_summary="")
    assert snapshot(document) == before


def test_an_older_text_can_be_restored_and_the_restore_is_recorded(writer, document):
    section = SectionFactory(document=document, body="Version A.")
    services.save_section(
        document,
        key=section.key,
        by_user=writer,
        heading=section.heading,
        body="Version B.",
        base_revision=1,
    )
    original = section.history.order_by("history_date").first()
    services.restore_section_text(section, by_user=writer, history_id=original.history_id)
    section.refresh_from_db()
    assert section.body == "Version A."
    assert section.revision == 3
    latest = section.history.first()
    assert latest.history_user == writer
    assert latest.history_change_reason


def test_the_history_says_who_changed_what(writer, document):
    section = services.add_section(document, by_user=writer, heading="Inledning", body="A")
    services.save_section(
        document, key=section.key, by_user=writer, heading="Inledning", body="B", base_revision=1
    )
    records = list(section.history.order_by("history_date"))
    assert [r.body for r in records] == ["A", "B"]
    assert all(r.history_user == writer for r in records)
