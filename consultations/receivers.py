"""What consultations does when a lower app tells it something (connected in
ConsultationsConfig.ready)."""

from __future__ import annotations

from consultations.services.dispositions import record_applied_in
from consultations.services.revisions import carry_comments
from documents.signals import version_published


def on_version_published(sender, *, version, by_user, **kwargs) -> None:
    """Open comments move to the new version, then the proposals applied to the draft since the
    last one are recorded as applied in it (in this order, in the publishing's transaction)."""
    carry_comments(version, by_user=by_user)
    record_applied_in(version, by_user=by_user)


def connect() -> None:
    version_published.connect(on_version_published, dispatch_uid="consultations.version_published")
