"""Settings for the test suite: the same as production, with what tests cannot have switched off.

DATABASE_URL and REDIS_URL are honoured, so the same suite runs on SQLite or on PostgreSQL + Redis.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("EMAIL_URL", "memorymail://")

from workspace.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
SERVESTATIC_USE_FINDERS = True
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# Tasks run in the test's own thread unless a test starts a real worker (it switches this off on
# the Celery app itself: Celery reads its settings once).
CELERY_TASK_ALWAYS_EAGER = True
