"""Row locks, taken in one order everywhere (after Saleor's `lock_objects.py`).

Two transactions that lock the same rows in different orders can each wait for the other for
ever (PostgreSQL then kills one: a 500 for somebody). So every service that locks rows locks
them with the functions here and in the locks module of the app above (which owns the rest of
the order), and always in this order, skipping the levels it does not need:

    1. document     the document itself; every writer of its state, sections, versions,
                    rounds' openings and closings and its adoption takes it first
    2. sign-off     a request for sign-off
    3. round        a review round
    4. consultee    a consulted party; its formal response is written under this lock
    5. comment      a comment (a reply is written under its round's lock)
    6. disposition  the answers to comments (the version that applies them)
    7. section      a section of the working draft

Why the section comes last: whoever writes a section holds the document first, so section
writers wait on the document, never on each other's consultation rows; and applying a change
proposal only learns which section it changes from the comment, locked before it.

Rules that go with it:
- Lock before reading what you check (the state, the revision), then check, then write.
- Never lock a lower level and then a higher one in the same transaction, even indirectly
  (a service calling another: the inner one re-locks what the outer holds, which is free).
- A network (networks.services) is locked before any of these, and only when creating in it.
- Where a stranger could call a service on a row they may not touch, authorize on a plain read
  first: a refused call then locks (writes) nothing. The check is repeated under the lock.

tests/test_lock_order.py checks, from the SQL they send, that the services keep this order.
"""

from __future__ import annotations

from django.db.models import QuerySet

from documents.models import Document, Section

ORDER = ("document", "sign-off", "round", "consultee", "comment", "disposition", "section")


def lock_document(document: Document | int) -> Document:
    """Level 1: the document (with its network, which the permission checks start from)."""
    pk = document if isinstance(document, int) else document.pk
    return Document.objects.select_related("network").select_for_update(of=("self",)).get(pk=pk)


def lock_section(document: Document, *, key: str | None = None, pk: int | None = None):
    """Level 7: one section of a document the caller has locked; None if it is gone."""
    rows: QuerySet[Section] = Section.objects.select_for_update().filter(document=document)
    rows = rows.filter(key=key) if key is not None else rows.filter(pk=pk)
    return rows.first()
