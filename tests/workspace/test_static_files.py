"""Static files with DEBUG off: a fresh clone, one `collectstatic`, then the server serves pages.

The settings run in subprocesses (as a deployment would run them) with a STATIC_ROOT that does
not exist yet when `collectstatic` starts."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FETCH_PAGES = """
import re
from django.test import Client
client = Client(HTTP_HOST="localhost")
page = client.get("/login/")
print("login", page.status_code)
stylesheet = re.search(r'href="(/static/css/samverka[^"]*)"', page.content.decode()).group(1)
print("stylesheet", stylesheet)
print("static", client.get(stylesheet).status_code)
print("reset", client.get("/password-reset/").status_code)
"""


def run(*args, static_root, tmp_path):
    ours = {"SECRET_KEY", "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_COOKIES", "EMAIL_URL"}
    ours.add("DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in ours}
    env.update(
        DJANGO_SETTINGS_MODULE="workspace.settings",
        DEBUG="false",
        SECRET_KEY="kq3-" + "Zr8vLw2xPq9mN4tB7yH1cJ6fD0gS5aE" * 2,
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(static_root),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_one_collectstatic_on_a_fresh_clone_then_every_page_is_served(tmp_path):
    static_root = tmp_path / "staticfiles"
    assert not static_root.exists()

    run("collectstatic", "--noinput", "-v0", static_root=static_root, tmp_path=tmp_path)
    output = run("shell", "-c", FETCH_PAGES, static_root=static_root, tmp_path=tmp_path)

    assert "login 200" in output
    assert "reset 200" in output
    # The page links the fingerprinted file from the manifest, and the app serves it.
    stylesheet = next(line for line in output.splitlines() if line.startswith("stylesheet"))
    assert stylesheet != "stylesheet /static/css/samverka.css"
    assert "static 200" in output
    assert (static_root / "staticfiles.json").exists()
