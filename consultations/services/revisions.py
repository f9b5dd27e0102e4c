"""When a new version is published, every open comment is carried to it: re-anchored where its
passage is unchanged, marked "text changed" (old and new wording) where it changed, "orphaned"
where the passage is gone. Never attached to a similar passage elsewhere."""

from __future__ import annotations

from consultations import anchoring
from consultations.models import CarriedComment, Comment
from documents.models import Version, VersionSection
from networks import registry
from notifications.kinds import Kind
from notifications.services import notify


def carry_comments(version: Version, *, by_user) -> list[CarriedComment]:
    """Called when a version is published (documents.signals.version_published, received in
    consultations.receivers), in the same transaction as the publishing."""
    open_comments = list(
        Comment.objects.filter(
            round__document_id=version.document_id,
            parent__isnull=True,
            deleted_at__isnull=True,
            disposition__isnull=True,
        )
        .exclude(version=version)
        .select_related("author", "round")
    )
    if not open_comments:
        return []
    versions = {c.version_id for c in open_comments} | {version.pk}
    texts = {
        (s.version_id, s.key): anchoring.plain(s.body)
        for s in VersionSection.objects.filter(version_id__in=versions)
    }
    carried = []
    for comment in open_comments:
        if not comment.section_key:
            result = anchoring.carry_comment(anchor=None, old_section=None, new_section=None)
        else:
            anchor = (
                anchoring.Anchor(comment.quote_exact, comment.quote_prefix, comment.quote_suffix)
                if comment.quote_exact
                else None
            )
            result = anchoring.carry_comment(
                anchor=anchor,
                old_section=texts.get((comment.version_id, comment.section_key)),
                new_section=texts.get((version.pk, comment.section_key)),
            )
        carried.append(
            CarriedComment(
                comment=comment,
                version=version,
                state=result.state,
                quote_exact=result.anchor.exact if result.anchor else "",
                quote_prefix=result.anchor.prefix[:64] if result.anchor else "",
                quote_suffix=result.anchor.suffix[:64] if result.anchor else "",
                old_wording=result.old_wording,
                new_wording=result.new_wording,
            )
        )
    CarriedComment.objects.bulk_create(carried, ignore_conflicts=True)
    notify(
        kind=Kind.VERSION_PUBLISHED,
        recipients=[c.author for c in open_comments if registry.still_seeing([c.author], c.round)],
        actor=by_user,
        target=version,
        context={
            "document": version.title,
            "version": f"{version.number} ({version.label})",
        },
        url="/my-comments/",
        key=f"version:{version.pk}:published",
    )
    return carried
