"""The originals of responses and the minutes of decisions move out of the database into the file
storage (settings.STORAGES["default"]). Each blob is written to the storage under the name the
field's upload_to gives, and the column then keeps only its path. Reversible: going back reads
each file into the database again."""

from django.core.files.base import ContentFile
from django.db import migrations, models

MOVES = (
    # model, the file field, the old column, the column with the original name
    ("Response", "attachment", "attachment_blob", "attachment_name"),
    ("Decision", "minutes", "minutes_blob", "minutes_name"),
)


def blobs_to_files(apps, schema_editor):
    for model_name, field, blob, name in MOVES:
        model = apps.get_model("consultations", model_name)
        rows = model.objects.filter(**{f"{blob}__isnull": False}).only("pk", blob, name)
        for row in rows.iterator(chunk_size=50):
            stored = getattr(row, field)
            stored.save(getattr(row, name) or "file", ContentFile(bytes(getattr(row, blob))), False)
            model.objects.filter(pk=row.pk).update(**{field: stored.name, blob: None})


def files_to_blobs(apps, schema_editor):
    for model_name, field, blob, _name in MOVES:
        model = apps.get_model("consultations", model_name)
        for row in model.objects.exclude(**{field: ""}).only("pk", field).iterator(chunk_size=50):
            stored = getattr(row, field)
            with stored.open("rb") as handle:
                model.objects.filter(pk=row.pk).update(**{blob: handle.read(), field: ""})


class Migration(migrations.Migration):
    dependencies = [("consultations", "0010_response_sent_back")]

    operations = [
        migrations.RenameField("response", "attachment", "attachment_blob"),
        migrations.RenameField("decision", "minutes", "minutes_blob"),
        migrations.AddField(
            "response",
            "attachment",
            models.FileField(blank=True, max_length=500, upload_to="responses/%Y/%m/"),
        ),
        migrations.AddField(
            "decision",
            "minutes",
            models.FileField(blank=True, max_length=500, upload_to="minutes/%Y/%m/"),
        ),
        migrations.RunPython(blobs_to_files, files_to_blobs),
        migrations.RemoveField("response", "attachment_blob"),
        migrations.RemoveField("decision", "minutes_blob"),
    ]
