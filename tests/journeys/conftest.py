"""The journey suite: the whole chain of a strategy, walked in real Chromium the way people walk
it, on PostgreSQL and Redis with a real Celery worker, DEBUG off and collected static files.

- `journey`: starts everything and hands the test a `Journey` (its base URL, the e-mails the
  SMTP sink received, `as_person(email)` for a logged-in browser page of one person, axe).
  `journey.finish()` at the end asserts that no log of the server or the worker, and no
  browser, saw an error (a server error logged by django.request or uvicorn, a failed task, a
  console or script error, a stylesheet or script that did not load).
- Static files: `manage.py collectstatic` runs once, as a deployment runs it, into a directory
  of its own; the server then uses the storage the settings choose with DEBUG off (ServeStatic's
  manifest). The server is a fresh ASGI application (not the module-level one of
  workspace.asgi), built after that switch, so that ServeStatic's middleware reads it.

Without PostgreSQL, Redis or Chromium the tests are skipped with the reason; under CI=true they
fail instead (tests/services.missing).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from networks.demo import DEMO_PASSWORD
from tests.browser import conftest as browser_fixtures

# The browser tests' fixtures, shared: Chromium's launch arguments, the live server, axe.
browser_type_launch_args = browser_fixtures.browser_type_launch_args
live_server_url = browser_fixtures.live_server_url
axe = browser_fixtures.axe

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 15_000
MANIFEST_STORAGE = "servestatic.storage.CompressedManifestStaticFilesStorage"
# Loggers whose records do not reach the root logger: uvicorn's own.
OWN_LOGGERS = ("uvicorn",)


def _static_settings(root) -> dict:
    return {
        "STATIC_ROOT": root,
        "STORAGES": {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": MANIFEST_STORAGE},
        },
        "SERVESTATIC_USE_FINDERS": False,
        "SERVESTATIC_AUTOREFRESH": False,
    }


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """`manage.py collectstatic` once per run, as a deployment runs it (README: production
    settings, DEBUG off), into a directory of its own."""
    root = tmp_path_factory.mktemp("staticfiles")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "workspace.settings",
        "DEBUG": "false",
        "SECRET_KEY": "journey-" + "x" * 50,
        "STATIC_ROOT": str(root),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity=0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    return root


@pytest.fixture
def production_settings(settings, collected_static):
    """DEBUG off and the collected static files, as a deployment serves them."""
    settings.DEBUG = False
    for name, value in _static_settings(collected_static).items():
        setattr(settings, name, value)
    return settings


@pytest.fixture
def asgi_app(production_settings):
    """The ASGI application built now, so that its middleware reads the settings above."""
    from channels.auth import AuthMiddlewareStack
    from channels.routing import ProtocolTypeRouter, URLRouter
    from channels.security.websocket import AllowedHostsOriginValidator

    from workspace.http import http_application
    from workspace.routing import websocket_urlpatterns

    return ProtocolTypeRouter(
        {
            "http": http_application(),
            "websocket": AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            ),
        }
    )


class ErrorRecords(logging.Handler):
    """Every log record at ERROR or above, from any thread of this process (the server, the
    worker, the test)."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self._lock_records = threading.Lock()

    def emit(self, record):
        with self._lock_records:
            self.records.append(record)

    def describe(self) -> str:
        lines = []
        for record in self.records:
            lines.append(f"{record.name}: {record.getMessage()}")
            if record.exc_info:
                lines.append(logging.Formatter().formatException(record.exc_info))
        return "\n".join(lines)


@pytest.fixture
def server_errors():
    handler = ErrorRecords()
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in OWN_LOGGERS)]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


# A page or a script's request answered 4xx is a refusal the test asserts (a 404 for the
# outsider, a 400 form, htmx's 409); a stylesheet, script, image or font answered 4xx is a fault.
REFUSABLE = {"document", "xhr", "fetch", "websocket"}


class BrowserErrors:
    """What the browser saw go wrong: console errors, uncaught script errors, a server error on
    any request, and a file of a page (stylesheet, script, image) that could not be loaded."""

    def __init__(self):
        self.problems: list[str] = []

    def watch(self, page, who: str) -> None:
        def on_console(message):
            if message.type != "error":
                return
            if message.text.startswith("Failed to load resource"):
                return  # the response itself is judged in on_response, with its address
            self.problems.append(f"{who}: console error: {message.text} ({page.url})")

        def on_response(response):
            status, kind = response.status, response.request.resource_type
            if status >= 500 or (status >= 400 and kind not in REFUSABLE):
                self.problems.append(f"{who}: {status} for {kind} {response.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.problems.append(f"{who}: script error: {error}"))
        page.on("response", on_response)


class Journey:
    def __init__(self, base, browser, inbox, axe, tmp_path, server_errors):
        self.base = base
        self.server_errors = server_errors
        self.finished = False
        self.browser = browser
        self.inbox = inbox
        self.axe = axe
        self.tmp_path = tmp_path
        self.errors = BrowserErrors()
        self.contexts = []

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def new_page(self, who: str):
        """A new browser (its own cookies, in Swedish, as the officials' are), not logged in."""
        context = self.browser.new_context(accept_downloads=True, locale="sv-SE")
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        self.errors.watch(page, who)
        return page

    def as_person(self, email: str, *, then: str | None = None):
        """A new browser in which `email` goes to `then` (or the start page), is sent to the
        login page and logs in with the demo password; lands on `then` or "Mitt arbete"."""
        page = self.new_page(email)
        page.goto(self.url(then or "/"))
        log_in_here(page, email)
        if then is None:
            expect(page.get_by_role("heading", level=1)).to_have_text("Mitt arbete")
        return page

    def links_mailed_to(self, address: str, *, containing: str, timeout: float = 15.0):
        """The links to this server in the plain-text e-mails the SMTP sink has received for
        `address` that contain `containing`; waits until there is one (the worker sends them)."""
        deadline = time.monotonic() + timeout
        while True:
            links = [
                link.rstrip(">).,;")
                for recipients, mail in list(self.inbox.messages)
                if address in recipients
                for link in re.findall(
                    rf"{re.escape(self.base)}/\S+",
                    mail.get_body(preferencelist=("plain",)).get_content(),
                )
                if containing in link
            ]
            if links or time.monotonic() > deadline:
                return links
            time.sleep(0.1)

    def finish(self):
        """No log of the server or the worker, and no browser, saw an error."""
        self.finished = True
        assert not self.server_errors.records, (
            f"the server or the worker logged errors:\n{self.server_errors.describe()}"
        )
        assert not self.errors.problems, "the browser saw errors:\n" + "\n".join(
            self.errors.problems
        )

    def close(self):
        for context in self.contexts:
            context.close()


def log_in_here(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """On the login page (where an address that needs a login sends people): log in."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in i Samverka")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(re.compile(r"^(?!.*/login/)"))


@pytest.fixture
def journey(
    production_settings,
    live_server_url,
    celery_worker_on_redis,
    smtp_inbox,
    server_errors,
    browser,
    axe,
    tmp_path,
):
    production_settings.SITE_URL = live_server_url  # links in e-mails lead to this server
    trip = Journey(live_server_url, browser, smtp_inbox, axe, tmp_path, server_errors)
    try:
        yield trip
    finally:
        _report(trip, server_errors)
        trip.close()


def _report(trip, server_errors):
    if not trip.finished and (server_errors.records or trip.errors.problems):
        # A test that stopped early: show what the logs saw (the test's own failure, or its
        # expected failure, is what pytest reports; an assertion here would hide it).
        print("the server or the worker logged errors:", server_errors.describe(), sep="\n")
        print("the browser saw errors:", *trip.errors.problems, sep="\n")
    if not trip.finished:
        for context in trip.contexts:
            for page in context.pages:
                print(f"--- {page.url}")
                with contextlib.suppress(Exception):
                    print(page.locator("main").aria_snapshot(timeout=1000)[:4000])
