"""A Word file waiting to be imported moves out of the database into the file storage. Only a
file still waiting has bytes (they are dropped once an import is done or has failed)."""

from django.core.files.base import ContentFile
from django.db import migrations, models


def blobs_to_files(apps, schema_editor):
    DocxImport = apps.get_model("documents", "DocxImport")
    for job in DocxImport.objects.filter(data__isnull=False).iterator(chunk_size=10):
        job.file.save(job.filename or "import.docx", ContentFile(bytes(job.data)), False)
        DocxImport.objects.filter(pk=job.pk).update(file=job.file.name, data=None)


def files_to_blobs(apps, schema_editor):
    DocxImport = apps.get_model("documents", "DocxImport")
    for job in DocxImport.objects.exclude(file="").iterator(chunk_size=10):
        with job.file.open("rb") as handle:
            DocxImport.objects.filter(pk=job.pk).update(data=handle.read(), file="")


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_historicalversion_editorial_and_more")]

    operations = [
        migrations.AddField(
            "docximport",
            "file",
            models.FileField(blank=True, max_length=500, upload_to="imports/%Y/%m/"),
        ),
        migrations.RunPython(blobs_to_files, files_to_blobs),
        migrations.RemoveField("docximport", "data"),
    ]
