"""Settings for Samverka, read from the environment.

Without DATABASE_URL and REDIS_URL the workspace runs on SQLite, the in-memory channel layer and
eager Celery, so a first run needs nothing installed. See README.md for the variables.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off Samverka refuses to start without a secret key: "
            "set the SECRET_KEY environment variable to a long random string "
            '(python -c "import secrets; print(secrets.token_urlsafe(50))"), '
            "or set DEBUG=true for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "servestatic.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "simple_history",
    "axes",
    "django_htmx",
    "notifications",
    "networks",
    "documents",
    "consultations",
    "workspace",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "workspace.middleware.ContentSecurityPolicyMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    # Pages go compressed to browsers that accept it (the round page's text is most of its
    # size); Django pads each with random bytes, so that its length reveals nothing (BREACH).
    # Django's, at a lower compression level (workspace/middleware.py).
    "workspace.middleware.GZipMiddleware",
    "workspace.middleware.PrivatePagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "workspace.middleware.NulCharacterMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "workspace.idle.IdleSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "workspace.middleware.DomainErrorMiddleware",
    "workspace.middleware.PermissionCacheMiddleware",
    # After the permission cache: a guest's ties are read once for the request.
    "consultations.middleware.GuestScopeMiddleware",
]

ROOT_URLCONF = "workspace.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread",
                "consultations.context_processors.guest",
                "workspace.idle.session_timeout",
            ],
        },
    },
]

WSGI_APPLICATION = None
ASGI_APPLICATION = "workspace.asgi.application"

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the pages' queries are short, but a few (the policies' subqueries on
    # Mitt arbete) are estimated expensive enough on national data that PostgreSQL compiled
    # them first, 5 s of compiling for a 35 ms query. And random reads priced as on an SSD
    # (1.1, not the default 4, which assumes spinning disks): with the default, a round's
    # 1,800 comments were joined to their dispositions by reading all 277,000 of them (171 ms)
    # instead of looking each up in the index (29 ms). Both measured with
    # benchmarks/national_benchmark.py; a database's own settings are overridden here.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _planner = env.str("DATABASE_PLANNER_OPTIONS", default="-c jit=off -c random_page_cost=1.1")
    _options["options"] = f"{_options.get('options', '')} {_planner}".strip()
    # The web processes (workspace/asgi.py turns it on) keep their connections in a pool: a
    # request takes one and gives it back, instead of opening a new one (a new PostgreSQL
    # backend, with empty caches) and closing it. Measured on the round page (500 comments,
    # benchmarks/round_benchmark.py): a median of 116 ms without the pool, 97 ms with it.
    # Not in the Celery workers: their pool processes are forked, and a pool does not survive
    # a fork. Persistent connections (CONN_MAX_AGE) are the other way; Django allows one.
    if env.bool("DATABASE_POOL", default=False) and not DATABASES["default"]["CONN_MAX_AGE"]:
        _options["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN", default=2),
            "max_size": env.int("DATABASE_POOL_MAX", default=20),
            "timeout": 10,  # seconds a request waits for a free connection
        }
    # Prepared statements: the parameters travel apart from the SQL (server-side binding), so a
    # query has the same text whatever its values, and one a connection has run twice is kept
    # prepared there. PostgreSQL then stops planning it anew each time: planning was two thirds
    # of the round page's database time (8.9 of 13.8 ms), more than running the queries. Off
    # (DATABASE_PREPARED_STATEMENTS=false) behind a PgBouncer in transaction mode that does not
    # keep prepared statements (before 1.21, or max_prepared_statements = 0).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        _options["server_side_binding"] = True
        _options["prepare_threshold"] = env.int("DATABASE_PREPARE_THRESHOLD", default=2)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A first local run has several threads (ASGI, eager tasks) on one file.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker, channel layer and cache use separate database numbers -------------
REDIS_URL = env.str("REDIS_URL", default="")


def redis_db_url(url: str, offset: int) -> str:
    """The same Redis server, database number (base + offset): keeps broker, layer, cache apart."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base + offset}"))


if REDIS_URL:
    CELERY_BROKER_URL = redis_db_url(REDIS_URL, 0)
    CELERY_TASK_ALWAYS_EAGER = False
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": redis_db_url(REDIS_URL, 1),
                        # redis-py 8's defaults break the layer: a 5 s read timeout races its
                        # own 5 s wait for messages, and 100 connections are too few when
                        # hundreds of pages leave at once (redis-py#4091, channels_redis#422).
                        "socket_timeout": 10,
                        "max_connections": 1000,
                    }
                ]
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_db_url(REDIS_URL, 2),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_TASK_EAGER_PROPAGATES = True
# With eager Celery (no REDIS_URL) the web server runs the periodic jobs of workspace/celery.py
# itself (workspace/periodic.py), since there is no beat; never with Redis.
PERIODIC_JOBS_IN_PROCESS = env.bool("PERIODIC_JOBS_IN_PROCESS", default=True)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Stockholm"
# If Redis is away, publishing a task gives up quickly: the web request still succeeds and the
# notification row waits for the sweep.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.3,
    "interval_max": 0.5,
}
# A worker keeps its database connection for this many tasks (Celery closes it after every task
# otherwise, and connecting costs more than a notification's queries). See workspace/celery.py
# for what happens to a connection that broke in between.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=200)
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}

# Notifications: a worker's claim on an e-mail expires after this long (then it is resent).
NOTIFICATION_EMAIL_LEASE_SECONDS = env.int("NOTIFICATION_EMAIL_LEASE_SECONDS", default=600)
NOTIFICATION_SWEEP_GRACE_SECONDS = 30

# --- E-mail -----------------------------------------------------------------------------------
# consolemail:// prints e-mails (invitation links, password resets) in the terminal of `make run`.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Samverka <noreply@samverka.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute links in e-mails (invitations): the address people reach the workspace on.
# Where the accessibility statement (/tillganglighet/) asks people to report what they cannot use.
ACCESSIBILITY_EMAIL = env.str("ACCESSIBILITY_EMAIL", default="tillganglighet@samverka.localhost")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Authentication ---------------------------------------------------------------------------
AUTH_USER_MODEL = "networks.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # ASVS 2.1.1: at least 12 characters. It applies where people choose a password (forms);
    # the demo accounts' password is set directly by the demo data.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day
# A session ends after this long without activity (pages warn two minutes before; see
# workspace/idle.py), and in any case after SESSION_COOKIE_AGE (Django's two weeks).
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_IDLE_WARNING_SECONDS = 120
# Reset links: at most this many an hour to one address, and asked for from one client address.
PASSWORD_RESET_WINDOW = timedelta(hours=1)
PASSWORD_RESET_PER_ADDRESS = 3
PASSWORD_RESET_PER_CLIENT = 10

# Failed logins: 10 in an hour locks the account and, separately, the address, for an hour.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"  # the login form field
AXES_USERNAME_CALLABLE = "networks.views.auth.axes_username"
AXES_LOCKOUT_CALLABLE = "networks.views.auth.locked_out"
AXES_VERBOSE = False
# Behind PROXY_COUNT proxies the client's address is read from X-Forwarded-For (login throttling,
# password-reset throttling): networks/client_address.py.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "networks.client_address.client_ip"

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "samverka_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- Static files (served by the app itself with ServeStatic; no CDN) ------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# DEBUG alone decides, never whether STATIC_ROOT exists yet: otherwise the first `collectstatic`
# of a fresh clone (no STATIC_ROOT when its settings load) would write no manifest, and the
# server started after it would look for one and fail on every page.
SERVESTATIC_USE_FINDERS = DEBUG
SERVESTATIC_AUTOREFRESH = DEBUG
# Uploaded files (a response's original, a decision's minutes, a Word file being imported) live
# in the file storage, never in the database, and are only ever served by views that ask the
# policies first (there is no MEDIA_URL route). By default a directory on this machine; with
# several machines, a storage they share: an S3-compatible bucket through django-storages
# (README: Scaling out), chosen with FILE_STORAGE_BACKEND and FILE_STORAGE_OPTIONS (JSON).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {
        "BACKEND": env.str(
            "FILE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": env.json("FILE_STORAGE_OPTIONS", default={}),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if SERVESTATIC_USE_FINDERS
            else "servestatic.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security (check --deploy passes with DEBUG off) -----------------------------------------
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("BEHIND_HTTPS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Samverka ---------------------------------------------------------------------------------
INVITATION_VALID_DAYS = 14
# Guests (consultations.guests): a party's link works until the round closes and this many days
# after, for reading the report; a one-time code is valid this many minutes, allows this many
# wrong tries, and at most this many codes are sent for one party in an hour.
GUEST_GRACE_DAYS = 30
GUEST_CODE_MINUTES = 15
GUEST_CODE_ATTEMPTS = 5
GUEST_CODES_PER_HOUR = 5
