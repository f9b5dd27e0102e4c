"""Start-up configuration: refuse to run without a secret key; production settings pass
`check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    # Not the test process's own environment: workspace.test_settings relaxes some of it.
    ours = {"SECRET_KEY", "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_COOKIES", "EMAIL_URL"}
    ours.add("DJANGO_ALLOW_ASYNC_UNSAFE")  # set for the browser tests only
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "workspace.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_a_secret_key_start_up_stops_with_a_clear_message():
    result = manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="kq3-" + "Zr8vLw2xPq9mN4tB7yH1cJ6fD0gS5aE" * 2,
        ALLOWED_HOSTS="samverka.example.org",
        CSRF_TRUSTED_ORIGINS="https://samverka.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_mode_needs_no_configuration():
    result = manage("check", DEBUG="true")
    assert result.returncode == 0, result.stderr


def option_of(entry: str, option: str = "pool", **env) -> str:
    """An option of the database settings a process started through `entry` gets (nothing is
    connected)."""
    unset = {"DATABASE_POOL", "CONN_MAX_AGE", "DATABASE_PREPARED_STATEMENTS"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update(
        DEBUG="true",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/samverka_unused",
        DJANGO_SETTINGS_MODULE="workspace.settings",
        **env,
    )
    code = f"{entry}\nfrom django.conf import settings\n" + (
        f"print(settings.DATABASES['default']['OPTIONS'].get({option!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_web_processes_take_connections_from_a_pool_and_workers_do_not():
    web = option_of("import workspace.asgi")
    assert "'max_size': 20" in web
    assert option_of("import django; django.setup()") == "None"  # a Celery worker, a command
    assert option_of("import workspace.asgi", DATABASE_POOL="false") == "None"  # PgBouncer
    assert option_of("import workspace.asgi", CONN_MAX_AGE="60") == "None"  # persistent instead


def test_every_process_prepares_statements_unless_told_not_to():
    setup = "import django; django.setup()"
    assert option_of(setup, "server_side_binding") == "True"
    assert option_of(setup, "prepare_threshold") == "2"
    assert option_of("import workspace.asgi", "server_side_binding") == "True"
    # Behind a PgBouncer that does not keep prepared statements: the parameters in the SQL, as
    # psycopg's client-side binding sends them, and nothing prepared.
    off = {"DATABASE_PREPARED_STATEMENTS": "false"}
    assert option_of(setup, "server_side_binding", **off) == "None"
    assert option_of(setup, "prepare_threshold", **off) == "None"
