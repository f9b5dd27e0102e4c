"""Comments answered before the flag was kept: a comment with a disposition is resolved."""

from django.db import migrations


def mark_answered(apps, schema_editor):
    Comment = apps.get_model("consultations", "Comment")
    Comment.objects.filter(disposition__isnull=False, resolved=False).update(resolved=True)


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0003_alter_historicalsignoff_status_alter_signoff_status"),
    ]

    operations = [migrations.RunPython(mark_answered, migrations.RunPython.noop)]
