"""Refusals of the documents core, readable by the person who tried."""

from django.utils.translation import gettext_lazy as _

from networks.errors import DomainError


class DocumentLocked(DomainError):
    default_message = _(
        "This document has been adopted and can no longer be changed. "
        "A chair can start a new revision from the adopted version."
    )


class EditConflict(DomainError):
    """Someone saved the section after this person opened it. Carries both texts."""

    default_message = _(
        "Someone else saved this section while you were editing it. Your text is kept below: "
        "compare it with the current text, merge, and save again."
    )

    def __init__(self, *, current, heading: str, body: str):
        super().__init__()
        self.current = current
        self.heading = heading
        self.body = body


class SectionGone(DomainError):
    default_message = _(
        "This section was removed by someone else while you were editing it. "
        "Your text is kept below so that you can copy it."
    )

    def __init__(self, *, heading: str = "", body: str = ""):
        super().__init__()
        self.heading = heading
        self.body = body


class StructureChanged(DomainError):
    default_message = _(
        "The sections were changed by someone else a moment ago. Look at the current order and "
        "try again."
    )


class NothingToPublish(DomainError):
    default_message = _("The draft has no sections yet: add text before publishing a version.")


class NoChangesSinceLastVersion(DomainError):
    default_message = _(
        "The draft is the same as the latest version: there is nothing new to publish."
    )


class EmptyHeading(DomainError):
    default_message = _("A section needs a heading.")


class DocumentMoveRefused(DomainError):
    """A change of the document's state that Document.TRANSITIONS does not have."""

    default_message = _("The document cannot take that step now.")
