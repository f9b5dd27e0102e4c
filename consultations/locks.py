"""The consultation rows in the one lock order written down in `documents.locks` (document →
sign-off → round → consultee → comment → disposition → section). A service needing a row of
a higher level reads the id it needs first (a plain read), then locks from the top down."""

from __future__ import annotations

from django.db.models import QuerySet

from consultations.models import Comment, Consultee, Disposition, ReviewRound, SignOff
from documents.locks import ORDER, lock_document, lock_section

__all__ = [
    "ORDER",
    "lock_comment",
    "lock_consultee",
    "lock_dispositions",
    "lock_document",
    "lock_round",
    "lock_section",
    "lock_sign_off",
]


def lock_sign_off(pk: int) -> SignOff:
    """Level 2. Its document, when it changes too, is locked before it."""
    return (
        SignOff.objects.select_for_update(of=("self",))
        .select_related("document__network", "version", "requested_by")
        .get(pk=pk)
    )


def lock_round(pk: int) -> ReviewRound:
    """Level 3, with its document and network (the permission checks start from them) and its
    version. Its document, when it changes too, is locked before it."""
    return (
        ReviewRound.objects.select_related("document__network", "version")
        .select_for_update(of=("self",))
        .get(pk=pk)
    )


def lock_consultee(pk: int) -> Consultee:
    """Level 4: a consulted party; its response is read and written under this lock."""
    return (
        Consultee.objects.select_related("round__document", "network", "organisation", "person")
        .select_for_update(of=("self",))
        .get(pk=pk)
    )


def lock_comment(pk: int) -> Comment:
    """Level 5. Its round, when it is checked or changes too, is locked before it."""
    return Comment.objects.select_for_update(of=("self",)).get(pk=pk)


def lock_dispositions(rows: QuerySet[Disposition]) -> list[Disposition]:
    """Level 6: the answers of a query, in id order (two lockers of the same set agree)."""
    return list(rows.select_for_update(of=("self",)).order_by("pk"))
