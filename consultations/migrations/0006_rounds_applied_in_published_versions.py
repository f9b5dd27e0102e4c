"""Proposals applied to the working draft before publishing filled "applied in version": mark
them, and give each the first later version that carries its text."""

from django.db import migrations


def fill_applied_in(apps, schema_editor):
    Disposition = apps.get_model("consultations", "Disposition")
    Section = apps.get_model("documents", "Section")
    Version = apps.get_model("documents", "Version")
    VersionSection = apps.get_model("documents", "VersionSection")
    candidates = Disposition.objects.filter(
        outcome="accepted",
        applied_in__isnull=True,
        comment__kind="proposal",
        comment__parent__isnull=True,
    ).select_related("comment__round", "comment__version")
    for disposition in candidates.iterator():
        comment = disposition.comment
        text = comment.proposed_text.strip()
        if not text or not comment.section_key:
            continue
        document_id = comment.round.document_id
        later = Version.objects.filter(
            document_id=document_id,
            number__gt=comment.version.number,
            created_at__gte=disposition.decided_at,
        ).order_by("number")
        for version in later:
            section = VersionSection.objects.filter(version=version, key=comment.section_key).first()
            if section is not None and text in section.body:
                disposition.applied_in = version
                disposition.applied_to_draft = True
                disposition.save(update_fields=["applied_in", "applied_to_draft"])
                break
        else:
            draft = Section.objects.filter(document_id=document_id, key=comment.section_key).first()
            if draft is not None and text in draft.body:
                # In the working draft, not yet published: the next version fills it.
                disposition.applied_to_draft = True
                disposition.save(update_fields=["applied_to_draft"])


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0005_rounds_applied_to_draft"),
        ("documents", "0002_historicalversion_editorial_and_more"),
    ]

    operations = [migrations.RunPython(fill_applied_in, migrations.RunPython.noop)]
