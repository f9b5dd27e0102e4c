"""Documents, sections and versions: who may do what, in every state of the document (a section
and a published version have their document's rights, in its state: the same table)."""

import pytest

from documents.models import Document, Version
from networks.models import Network, Role
from tests.factories import (
    DocumentFactory,
    MembershipFactory,
    NetworkFactory,
    SectionFactory,
    UserFactory,
)
from tests.policies.table import check

MODELS = ["documents.Document", "documents.Section", "documents.Version"]

WRITE = "view_document follow_documents edit_document publish_version"
RUNS = "take_part run_process answer_feedback record_decision"
UNLOCKED = f"""
  chair of the working group          {WRITE} {RUNS}
  coordinator of the working group    {WRITE} {RUNS}
  writer in the working group         {WRITE} take_part answer_feedback
  member of the working group         view_document follow_documents take_part
  signatory of the working group      view_document follow_documents take_part
  observer in the working group       view_document follow_documents
  writer in its writing group         {WRITE} take_part answer_feedback
  member of its writing group         view_document follow_documents take_part
  observer in its writing group       view_document follow_documents
  chair of the network above          view_document
  member of the network above         view_document
  member of a sibling group           -
  outsider                            -
"""
LOCKED = """
  chair of the working group          view_document follow_documents take_part answer_feedback record_decision
  coordinator of the working group    view_document follow_documents take_part answer_feedback record_decision
  writer in the working group         view_document follow_documents take_part answer_feedback
  member of the working group         view_document follow_documents take_part
  signatory of the working group      view_document follow_documents take_part
  observer in the working group       view_document follow_documents
  writer in its writing group         view_document follow_documents take_part answer_feedback
  member of its writing group         view_document follow_documents take_part
  observer in its writing group       view_document follow_documents
  chair of the network above          view_document
  member of the network above         view_document
  member of a sibling group           -
  outsider                            -
"""  # noqa: E501 - a table row is read across
UNLOCKED_STATES = ["drafting", "in_consultation", "revising", "anchoring", "awaiting_sign_off"]
TABLE = "".join(f"in state: {s}{UNLOCKED}" for s in UNLOCKED_STATES) + "".join(
    f"in state: {s}{LOCKED}" for s in ["adopted", "archived"]
)


@pytest.fixture
def world(db):
    above = NetworkFactory(name="Regionalt nätverk")
    group = NetworkFactory(name="Arbetsgrupp", parent=above)
    writing = NetworkFactory(name="Skrivgrupp", parent=group, kind=Network.Kind.WRITING_GROUP)
    sibling = NetworkFactory(name="Annan arbetsgrupp", parent=above)
    document = DocumentFactory(network=group)
    section = SectionFactory(document=document)
    version = Version.objects.create(
        document=document, number=1, label="1", title=document.title, content_hash="v"
    )

    def person(network, role):
        return lambda: MembershipFactory(network=network, role=role).user

    people = {
        "chair of the working group": person(group, Role.CHAIR),
        "coordinator of the working group": person(group, Role.COORDINATOR),
        "writer in the working group": person(group, Role.WRITER),
        "member of the working group": person(group, Role.MEMBER),
        "signatory of the working group": person(group, Role.SIGNATORY),
        "observer in the working group": person(group, Role.OBSERVER),
        "writer in its writing group": person(writing, Role.WRITER),
        "member of its writing group": person(writing, Role.MEMBER),
        "observer in its writing group": person(writing, Role.OBSERVER),
        "chair of the network above": person(above, Role.CHAIR),
        "member of the network above": person(above, Role.MEMBER),
        "member of a sibling group": person(sibling, Role.MEMBER),
        "outsider": lambda: UserFactory(),
    }
    return people, document, {"documents.Section": section, "documents.Version": version}


def in_state(obj_of, document, status):
    def make():
        Document.objects.filter(pk=document.pk).update(status=status)
        document.refresh_from_db()
        return obj_of()

    return make


@pytest.mark.parametrize("label", ["documents.Document", "documents.Section", "documents.Version"])
def test_documents_table(world, label):
    people, document, parts = world
    obj = parts.get(label, document)

    def obj_of():
        return obj

    states = [*UNLOCKED_STATES, "adopted", "archived"]
    check(label, TABLE, people, {s: in_state(obj_of, document, s) for s in states})
