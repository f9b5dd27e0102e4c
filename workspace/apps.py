from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workspace"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from workspace.idle import note_login

        user_logged_in.connect(note_login, dispatch_uid="workspace.idle.note_login")
