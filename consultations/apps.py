from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consultations"

    def ready(self):
        # documents may not import us; it asks whoever registered for a version's adoption.
        from consultations.adoption import version_adoption
        from documents.adoption import register_adoption_provider

        register_adoption_provider(version_adoption)

        from consultations import policies  # noqa: F401 - registers the consultations' policies
        from consultations.receivers import connect

        connect()
