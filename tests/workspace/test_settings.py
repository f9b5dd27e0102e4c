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
