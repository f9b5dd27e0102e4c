"""Races on PostgreSQL, each in its own connection: the lock order (documents/locks.py) keeps
them from deadlocking, and the document's lock keeps a save from slipping past an adoption."""

import pytest
from django.db import connection
from django.utils import timezone

from consultations.models import Comment, Consultee, Disposition, Response, ReviewRound
from consultations.services import comments, decisions, dispositions, responses
from consultations.services import rounds as round_services
from documents import services as document_services
from documents.errors import DocumentLocked
from documents.models import Document, Section
from networks.errors import DomainError, NotAllowed, NotFound
from networks.models import Network, Role
from tests.factories import PASSWORD, MembershipFactory, NetworkFactory
from tests.racing import Running, holding

pytestmark = pytest.mark.postgres


@pytest.mark.django_db(transaction=True)
def test_changing_a_comment_while_it_is_being_answered_finishes_without_a_deadlock(open_world):
    """The author changes their comment while the writing group tries to answer it (too early:
    the round is open). Both wait for the round, which a third connection holds; the author is
    first in line. Were the answer to lock the comment before the round, each would then wait
    for the other."""
    people, review_round = open_world["people"], open_world["round"]
    comment = comments.add_comment(review_round, by_user=people["manager"], body="Bra.")
    blocker = holding(
        lambda: list(ReviewRound.objects.select_for_update().filter(pk=review_round.pk))
    )
    change = Running(
        lambda: comments.edit_comment(comment, by_user=people["manager"], body="Ändrad."),
        refused=(DomainError,),
    )
    assert change.waits_for_a_lock()
    answer = Running(
        lambda: dispositions.record_disposition(
            comment, by_user=people["writer"], outcome="noted", rationale="Noterat."
        ),
        refused=(DomainError,),
    )
    assert answer.waits_for_a_lock()

    blocker.release()

    assert blocker.result() == "done"
    assert change.result() == "done"
    assert answer.result() == "refused"  # not answered while the round is open
    assert Comment.objects.get(pk=comment.pk).body == "Ändrad."
    assert not Disposition.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_section_saved_while_the_document_is_being_adopted_is_refused(open_world):
    """The last signature adopts the document; a writer saves a section at that moment. The save
    waits for the adoption and is then refused with the adopted document's message: the
    working draft of the adopted document is the text that was adopted."""
    people = open_world["people"]
    round_services.close_round(open_world["round"], by_user=people["chair"])
    region = open_world["group"].memberships.get(user=people["chair"]).organisation
    signer = MembershipFactory(
        network=NetworkFactory(kind=Network.Kind.MANAGEMENT_GROUP),
        role=Role.SIGNATORY,
        organisation=region,
    ).user
    decisions.record_decision(
        open_world["document"],
        by_user=people["coordinator"],
        version=open_world["version"],
        kind="views",
        decided_on=timezone.localdate(),
        text="Förankrat.",
        body_name="Chefsgruppen",
    )
    sign_off = decisions.request_sign_off(
        open_world["document"],
        by_user=people["chair"],
        version=open_world["version"],
        signatories=[signer],
        required=None,
    )
    section = Section.objects.get(pk=open_world["section"].pk)

    adoption = holding(
        lambda: decisions.sign(sign_off, by_user=signer, verdict="approve", password=PASSWORD)
    )
    save = Running(
        lambda: document_services.save_section(
            open_world["document"],
            key=section.key,
            by_user=people["writer"],
            heading=section.heading,
            body="Ändrad medan den fastställdes.",
            base_revision=section.revision,
        ),
        refused=(DocumentLocked,),
    )
    save.waits_for_a_lock()
    adoption.release()

    assert adoption.result() == "done"
    assert save.result() == "refused"
    assert str(save.error.message).startswith(
        "Dokumentet är fastställt och kan inte längre ändras."
    )
    assert Document.objects.get(pk=open_world["document"].pk).status == Document.Status.ADOPTED
    draft = list(Section.objects.filter(document=open_world["document"]).order_by("position"))
    adopted = list(open_world["version"].sections.order_by("position"))
    assert [(s.heading, s.body) for s in draft] == [(s.heading, s.body) for s in adopted]


def locked_or_written(*rows) -> list:
    """PostgreSQL's xmax of each row: a row lock (SELECT … FOR UPDATE) writes it, as does an
    update, whether the transaction commits or not."""
    with connection.cursor() as cursor:
        found = []
        for model, pk in rows:
            cursor.execute(f'SELECT xmax FROM "{model._meta.db_table}" WHERE id = %s', [pk])
            found.append(cursor.fetchone()[0])
    return found


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "refusal"), [("member", NotAllowed), ("observer", NotAllowed), ("outsider", NotFound)]
)
def test_a_refused_step_on_a_formal_response_locks_and_writes_nothing(open_world, who, refusal):
    people, review_round = open_world["people"], open_world["round"]
    kumla = review_round.consultees.get(organisation=open_world["kumla"])
    responses.save_draft(kumla, by_user=people["drafter"], position="supports", summary="Utkast.")
    rows = [(ReviewRound, review_round.pk), (Consultee, kumla.pk)]
    before = (
        locked_or_written(*rows),
        list(Response.objects.values_list("id", "state", "summary", "updated_at")),
        Response.history.count(),
    )
    draft = responses.Draft(position="opposes", summary="Inte vår text.")

    for step in (
        lambda: responses.save_draft(
            kumla, by_user=people[who], position="opposes", summary="Inte vår text."
        ),
        lambda: responses.ask_for_approval(kumla, by_user=people[who], draft=draft),
        lambda: responses.approve_and_submit(kumla, by_user=people[who], draft=draft),
    ):
        with pytest.raises(refusal):
            step()

    after = (
        locked_or_written(*rows),
        list(Response.objects.values_list("id", "state", "summary", "updated_at")),
        Response.history.count(),
    )
    assert after == before
