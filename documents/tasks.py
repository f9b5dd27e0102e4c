"""Background work of the documents app. Tasks take ids, re-read, and are idempotent."""

from celery import shared_task

from documents.models import DocxImport


@shared_task(acks_late=True)
def process_docx_import(import_id: int) -> str:
    """Turn an uploaded Word file into a document, reporting progress as it goes."""
    from documents import imports  # the service imports this module to schedule the task

    return imports.run_docx_import(import_id)


def set_progress(import_id: int, done: int, total: int) -> None:
    percent = max(1, min(99, done * 100 // max(total, 1)))
    DocxImport.objects.filter(pk=import_id, state=DocxImport.State.PROCESSING).update(
        progress=percent
    )
