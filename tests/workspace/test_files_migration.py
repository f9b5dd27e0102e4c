"""The migrations that move uploaded files out of the database (consultations 0011, documents
0003): a response's original, a decision's minutes and a waiting Word file written as blobs
before them are files in the storage after them, with the same bytes, and back again when the
migrations are reversed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("consultations", "0010_response_sent_back"),
    ("documents", "0002_historicalversion_editorial_and_more"),
]
AFTER = [
    ("consultations", "0011_files_out_of_the_database"),
    ("documents", "0003_docx_import_file"),
]
LETTER, MINUTES, WORD = b"%PDF-1.4 brev", b"%PDF-1.4 protokoll", b"PK\x03\x04 word"


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _world_with_blobs(apps):
    """Rows as the old schema held them: bytes in the columns."""
    from django.contrib.auth.hashers import make_password

    User = apps.get_model("networks", "User")
    Network = apps.get_model("networks", "Network")
    Organisation = apps.get_model("networks", "Organisation")
    Document = apps.get_model("documents", "Document")
    Version = apps.get_model("documents", "Version")
    DocxImport = apps.get_model("documents", "DocxImport")
    ReviewRound = apps.get_model("consultations", "ReviewRound")
    Consultee = apps.get_model("consultations", "Consultee")
    Response = apps.get_model("consultations", "Response")
    Decision = apps.get_model("consultations", "Decision")
    now = timezone.now()
    user = User.objects.create(email="c@example.org", full_name="C", password=make_password("x"))
    network = Network.objects.create(name="Nätverket")
    organisation = Organisation.objects.create(name="Kumla kommun")
    document = Document.objects.create(network=network, title="Strategin", created_by=user)
    version = Version.objects.create(
        document=document,
        number=1,
        label="1",
        title="Strategin",
        content_hash="0" * 64,
        created_by=user,
    )
    review_round = ReviewRound.objects.create(
        document=document,
        version=version,
        title="Remiss",
        chair=user,
        opens_at=now,
        closes_at=now + timedelta(days=14),
    )
    party = Consultee.objects.create(round=review_round, organisation=organisation, added_by=user)
    Response.objects.create(
        consultee=party,
        attachment_name="brev.pdf",
        attachment_type="application/pdf",
        attachment=LETTER,
    )
    Decision.objects.create(
        document=document,
        version=version,
        body_name="Rådet",
        kind="endorsement",
        decided_on=now.date(),
        text="Ja.",
        recorded_by=user,
        minutes_name="protokoll.pdf",
        minutes=MINUTES,
    )
    DocxImport.objects.create(network=network, filename="strategi.docx", data=WORD)


def test_blobs_become_files_in_the_storage_and_back(settings):
    try:
        apps = _migrate(BEFORE)
        _world_with_blobs(apps)

        apps = _migrate(AFTER)
        response = apps.get_model("consultations", "Response").objects.get()
        decision = apps.get_model("consultations", "Decision").objects.get()
        job = apps.get_model("documents", "DocxImport").objects.get()
        for field, content, folder in (
            (response.attachment, LETTER, "responses/"),
            (decision.minutes, MINUTES, "minutes/"),
            (job.file, WORD, "imports/"),
        ):
            assert field.name.startswith(folder)
            assert (settings.MEDIA_ROOT / field.name).read_bytes() == content

        apps = _migrate(BEFORE)
        response = apps.get_model("consultations", "Response").objects.get()
        decision = apps.get_model("consultations", "Decision").objects.get()
        job = apps.get_model("documents", "DocxImport").objects.get()
        assert (bytes(response.attachment), bytes(decision.minutes), bytes(job.data)) == (
            LETTER,
            MINUTES,
            WORD,
        )
    finally:
        _migrate(_leaf_nodes())


def _leaf_nodes():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
