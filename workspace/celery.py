"""The Celery application. Without REDIS_URL tasks run eagerly in the web process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workspace.settings")

app = Celery("samverka")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
