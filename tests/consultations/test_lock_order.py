"""The services lock rows in the order written down in documents/locks.py, read from the
`SELECT … FOR UPDATE` statements they send to PostgreSQL (SQLite sends none)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations.services import comments, decisions, dispositions, responses
from consultations.services import rounds as round_services
from documents import services as document_services
from documents.locks import ORDER
from networks.models import Network, Role
from tests.factories import PASSWORD, MembershipFactory, NetworkFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

LEVELS = {
    "documents_document": "document",
    "consultations_signoff": "sign-off",
    "consultations_reviewround": "round",
    "consultations_consultee": "consultee",
    "consultations_comment": "comment",
    "consultations_disposition": "disposition",
    "documents_section": "section",
}


def locks_taken(call) -> list[str]:
    """The levels the call locks, in the order it locks them (a level locked again, as an inner
    service re-locks what its caller holds, is listed once)."""
    with CaptureQueriesContext(connection) as queries:
        call()
    taken: list[str] = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if "FOR UPDATE" not in sql and "FOR NO KEY UPDATE" not in sql:
            continue
        table = re.search(r'FOR (?:NO KEY )?UPDATE OF "(\w+)"', sql) or re.search(
            r'FROM "(\w+)"', sql
        )
        level = LEVELS.get(table.group(1), table.group(1))
        if level not in taken:
            taken.append(level)
    return taken


def in_order(taken: list[str]) -> bool:
    positions = [ORDER.index(level) for level in taken]
    return positions == sorted(positions)


def assert_locks(call, expected: list[str]):
    taken = locks_taken(call)
    assert taken == expected
    assert in_order(taken)


def test_the_written_order_is_the_one_checked_here():
    assert ORDER == (
        "document",
        "sign-off",
        "round",
        "consultee",
        "comment",
        "disposition",
        "section",
    )
    assert set(LEVELS.values()) == set(ORDER)


def test_commenting_locks_the_round_then_the_comment(open_world):
    people, review_round = open_world["people"], open_world["round"]
    made = {}

    def add():
        made["comment"] = comments.add_comment(review_round, by_user=people["manager"], body="Bra.")

    assert_locks(add, ["round"])
    assert_locks(
        lambda: comments.add_comment(
            review_round, by_user=people["member"], body="Ja.", parent=made["comment"]
        ),
        ["round"],
    )
    assert_locks(
        lambda: comments.edit_comment(made["comment"], by_user=people["manager"], body="Bättre."),
        ["round", "comment"],
    )
    assert_locks(
        lambda: comments.delete_comment(made["comment"], by_user=people["manager"]),
        ["round", "comment"],
    )


def test_answering_locks_the_round_then_the_comment_and_applying_the_document_first(open_world):
    people, review_round = open_world["people"], open_world["round"]
    section = open_world["section"]
    remark = comments.add_comment(review_round, by_user=people["manager"], body="Bra.")
    proposal = comments.add_comment(
        review_round,
        by_user=people["manager"],
        body="Skriv om.",
        kind="proposal",
        section_key=section.key,
        proposed_text="Alla föräldrar erbjuds stöd.",
    )
    round_services.close_round(review_round, by_user=people["chair"])

    assert_locks(
        lambda: dispositions.record_disposition(
            remark, by_user=people["writer"], outcome="noted", rationale="Noterat."
        ),
        ["round", "comment"],
    )
    assert_locks(
        lambda: dispositions.apply_proposal(proposal, by_user=people["writer"], rationale=""),
        ["document", "round", "comment", "section"],
    )
    assert_locks(
        lambda: document_services.publish_version(
            open_world["document"], by_user=people["chair"], label="Version 2", change_summary=""
        ),
        ["document", "disposition"],
    )


def test_saving_a_section_locks_its_document_first(world):
    section, writer = world["section"], world["people"]["writer"]
    assert_locks(
        lambda: document_services.save_section(
            world["document"],
            key=section.key,
            by_user=writer,
            heading=section.heading,
            body="Ny text.",
            base_revision=section.revision,
        ),
        ["document", "section"],
    )
    older = section.history.order_by("history_date").first()
    assert_locks(
        lambda: document_services.restore_section_text(
            section, by_user=writer, history_id=older.history_id
        ),
        ["document", "section"],
    )


def test_opening_and_closing_a_round_lock_the_document_then_the_round(world):
    chair = world["people"]["chair"]
    assert_locks(
        lambda: round_services.open_round(world["round"], by_user=chair), ["document", "round"]
    )
    assert_locks(
        lambda: round_services.close_round(world["round"], by_user=chair), ["document", "round"]
    )


def test_adoption_locks_the_document_then_the_sign_off(open_world):
    people = open_world["people"]
    round_services.close_round(open_world["round"], by_user=people["chair"])
    kcrd = NetworkFactory(kind=Network.Kind.MANAGEMENT_GROUP)
    region = open_world["group"].memberships.get(user=people["chair"]).organisation
    signer = MembershipFactory(network=kcrd, role=Role.SIGNATORY, organisation=region).user
    decisions.record_decision(
        open_world["document"],
        by_user=people["coordinator"],
        version=open_world["version"],
        kind="views",
        decided_on=timezone.localdate(),
        text="Förankrat.",
        body_name="Chefsgruppen",
    )

    def ask():
        return decisions.request_sign_off(
            open_world["document"],
            by_user=people["chair"],
            version=open_world["version"],
            signatories=[signer],
            required=None,
        )

    first = ask()
    assert_locks(
        lambda: decisions.withdraw_sign_off(first, by_user=people["chair"]),
        ["document", "sign-off"],
    )
    second = ask()
    assert_locks(
        lambda: decisions.sign(second, by_user=signer, verdict="approve", password=PASSWORD),
        ["document", "sign-off"],
    )


def test_a_formal_response_locks_the_round_then_the_party(open_world):
    people = open_world["people"]
    kumla = open_world["round"].consultees.get(organisation=open_world["kumla"])
    draft = responses.Draft(position="supports", summary="Vi tillstyrker.")
    assert_locks(
        lambda: responses.save_draft(
            kumla, by_user=people["drafter"], position="supports", summary="Utkast."
        ),
        ["round", "consultee"],
    )
    assert_locks(
        lambda: responses.approve_and_submit(kumla, by_user=people["approver"], draft=draft),
        ["round", "consultee"],
    )
    managers = open_world["round"].consultees.get(network=open_world["managers"])
    assert_locks(
        lambda: responses.enter_on_behalf(
            managers,
            by_user=people["chair"],
            position="supports",
            summary="Per e-post.",
            via="email",
            received_at=timezone.now() - timedelta(hours=1),
        ),
        ["round", "consultee"],
    )
