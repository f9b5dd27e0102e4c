"""No lost updates: two writers saving the same section at the same moment (PostgreSQL)."""

import pytest

from documents import services
from documents.errors import EditConflict, StructureChanged
from documents.models import Section
from networks.models import Role
from tests.factories import DocumentFactory, MembershipFactory, SectionFactory
from tests.racing import race

REFUSED = (EditConflict, StructureChanged)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writers_saving_the_same_section_at_once_lose_nothing():
    document = DocumentFactory()
    anna = MembershipFactory(network=document.network, role=Role.WRITER).user
    bo = MembershipFactory(network=document.network, role=Role.WRITER).user
    section = SectionFactory(document=document, body="Start.")
    for round_ in range(5):
        base = Section.objects.get(pk=section.pk).revision

        def save(user, text, base=base):
            return lambda: services.save_section(
                document,
                key=section.key,
                by_user=user,
                heading=section.heading,
                body=text,
                base_revision=base,
            )

        outcomes = race(
            save(anna, f"Annas text {round_}."), save(bo, f"Bos text {round_}."), refused=REFUSED
        )
        assert sorted(outcomes) == ["done", "refused"]
        winner = "Annas" if outcomes[0] == "done" else "Bos"
        current = Section.objects.get(pk=section.pk)
        assert current.body == f"{winner} text {round_}."
        assert current.revision == base + 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writers_reordering_at_once_do_not_scramble_the_sections():
    document = DocumentFactory()
    anna = MembershipFactory(network=document.network, role=Role.WRITER).user
    bo = MembershipFactory(network=document.network, role=Role.WRITER).user
    sections = [SectionFactory(document=document, position=n) for n in (1, 2, 3)]
    revision = document.structure_revision
    outcomes = race(
        lambda: services.move_section(
            sections[2], by_user=anna, direction="up", structure_revision=revision
        ),
        lambda: services.move_section(
            sections[0], by_user=bo, direction="down", structure_revision=revision
        ),
        refused=REFUSED,
    )
    assert sorted(outcomes) == ["done", "refused"]
    positions = sorted(document.sections.values_list("position", flat=True))
    assert positions == [1, 2, 3]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_adding_sections_at_once_gives_each_its_own_place():
    document = DocumentFactory()
    anna = MembershipFactory(network=document.network, role=Role.WRITER).user
    bo = MembershipFactory(network=document.network, role=Role.WRITER).user
    outcomes = race(
        lambda: services.add_section(document, by_user=anna, heading="Annas avsnitt"),
        lambda: services.add_section(document, by_user=bo, heading="Bos avsnitt"),
        refused=REFUSED,
    )
    assert outcomes == ["done", "done"]
    assert sorted(document.sections.values_list("position", flat=True)) == [1, 2]
