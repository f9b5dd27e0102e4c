"""Turning an uploaded Word file into a document (run by the import task)."""

from __future__ import annotations

from django.db import transaction

from documents.docx_io import DocxError, parse_docx
from documents.models import Document, DocxImport, Section
from documents.tasks import set_progress


def run_docx_import(import_id: int) -> str:
    claimed = DocxImport.objects.filter(pk=import_id, state=DocxImport.State.WAITING).update(
        state=DocxImport.State.PROCESSING, progress=1
    )
    if not claimed:
        return "already handled"  # a second delivery of the same task does nothing
    job = DocxImport.objects.select_related("created_by", "network").get(pk=import_id)
    try:
        parsed = parse_docx(
            _read(job), progress=lambda done, total: set_progress(job.pk, done, total)
        )
    except DocxError as error:
        DocxImport.objects.filter(pk=job.pk).update(
            state=DocxImport.State.FAILED, message=type(error).__name__, file="", progress=100
        )
        _delete(job)
        return "failed"
    _create_document(job, parsed)
    _delete(job)
    return "done"


def _read(job: DocxImport) -> bytes:
    """The uploaded file's bytes (at most the upload limit), or none if it is gone from the
    storage: the parser then says the file is not a Word file."""
    if not job.file:
        return b""
    try:
        with job.file.open("rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return b""


def _delete(job: DocxImport) -> None:
    """The file is not kept once the document is made (or the import failed)."""
    if job.file:
        job.file.storage.delete(job.file.name)


@transaction.atomic
def _create_document(job: DocxImport, parsed) -> Document:
    user = job.created_by
    document = Document(
        network=job.network,
        title=job.title or parsed.title or job.filename.rsplit(".", 1)[0],
        kind=job.kind,
        created_by=user,
    )
    document._history_user = user
    document.save()
    for position, part in enumerate(parsed.sections, start=1):
        section = Section(
            document=document,
            heading=(part.heading or "–")[:300],
            body=part.body,
            position=position,
        )
        section._history_user = user
        section.save()
    DocxImport.objects.filter(pk=job.pk).update(
        state=DocxImport.State.DONE,
        progress=100,
        document=document,
        had_headings=parsed.had_headings,
        file="",
    )
    return document
