from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consultations"

    def ready(self):
        # documents may not import us; it asks whoever registered for a version's adoption,
        # and for the banner under the document's process stepper.
        from consultations.adoption import adopted_version, version_adoption
        from consultations.document_banner import document_banner
        from documents.adoption import register_adoption_provider
        from documents.process import register_banner

        register_adoption_provider(version_adoption, adopted_version)
        register_banner(document_banner)

        from consultations import policies  # noqa: F401 - registers the consultations' policies
        from consultations.receivers import connect

        connect()

        from django.utils.translation import gettext_lazy as _

        from networks import tabs

        # The document's header (documents) shows our pages as the tabs we register.
        for tab in (
            tabs.Tab("rounds", _("Consultation"), "consultations:document_rounds", 10),
            tabs.Tab("decisions", _("Decisions"), "consultations:decisions", 20),
            tabs.Tab("timeline", _("Timeline"), "consultations:timeline", 30),
        ):
            tabs.register(tabs.DOCUMENT, tab)
