from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from documents import policies  # noqa: F401 - registers the documents' policies
        from networks import tabs

        # networks may not name us: its page shows the tab we register.
        tabs.register(
            tabs.NETWORK, tabs.Tab("documents", _("Documents"), "documents:network_documents", 10)
        )
