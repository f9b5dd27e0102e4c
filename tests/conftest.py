"""Shared fixtures. Tests that need a real service declare it with a marker:

- `postgres`: DATABASE_URL points at PostgreSQL
- `redis`: REDIS_URL is set (a real Redis)
- `browser`: /usr/bin/chromium and node_modules/axe-core are there

Without the service the test is skipped with a reason naming what is missing; with CI=true it fails
instead, because nothing may be skipped in CI.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import MembershipFactory, NetworkFactory, OrganisationFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def _missing(marker: str) -> str | None:
    engine = settings.DATABASES["default"]["ENGINE"]
    if marker == "postgres" and engine != "django.db.backends.postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/samverka"
    if marker == "redis" and not settings.REDIS_URL:
        return "needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0"
    if marker == "browser":
        if not CHROMIUM.exists() and not shutil.which("chromium"):
            return "needs Chromium at /usr/bin/chromium (Debian package 'chromium')"
        if not AXE.exists():
            return "needs node_modules/axe-core (run 'npm ci')"
    return None


def pytest_collection_modifyitems(config, items):
    # Browser tests last: Playwright's loop in the main thread upsets later asyncio tests.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_runtest_setup(item):
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker):
            reason = _missing(marker)
            if reason:
                if os.environ.get("CI"):
                    pytest.fail(f"CI must run every test, but this one {reason}", pytrace=False)
                pytest.skip(reason)


@pytest.fixture(autouse=True)
def _swedish_by_default(settings):
    """Tests run with the product's default language, Swedish, unless they switch."""
    settings.LANGUAGE_CODE = "sv"


@pytest.fixture
def organisation(db):
    return OrganisationFactory()


@pytest.fixture
def network(db):
    return NetworkFactory()


@pytest.fixture
def member_of(db):
    """member_of(network, role) -> a user with an active membership."""

    def make(network, role="member", **kwargs):
        return MembershipFactory(network=network, role=role, **kwargs).user

    return make


@pytest.fixture
def user(db):
    return UserFactory()
