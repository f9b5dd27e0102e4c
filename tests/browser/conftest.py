"""Browser tests: the workspace served by uvicorn in a thread, Debian's Chromium, and axe-core.

- `live_server_url`: the ASGI application (HTTP and websockets) on 127.0.0.1 and a free port.
  pytest-django's `live_server` is WSGI only. The server thread opens its own database
  connections, so tests that use it need `@pytest.mark.django_db(transaction=True)` (the fixture
  asks for `transactional_db` too, so it cannot silently run inside a test transaction).
- `browser_type_launch_args`: Playwright launches /usr/bin/chromium (never `playwright install`).
- `axe`: `axe(page, "what this page is")` runs axe-core's WCAG 2.1 A/AA rules on the page and
  fails with a readable list of the violations.
"""

import os
import socket
import threading
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the main thread; without this, Django's ORM in
# tests and fixtures raises SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
AXE_NODES_SHOWN = 5


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            # The machines have no internet: stop Chromium from trying to reach it.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def asgi_app():
    """The application the live server serves (the journeys build one of their own)."""
    from workspace.asgi import application

    return application


@pytest.fixture
def live_server_url(transactional_db, asgi_app):
    """Serve `asgi_app` (workspace.asgi:application) with uvicorn in a thread; yield its URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # the kernel picks a free port; no race with other tests
    host, port = sock.getsockname()
    config = uvicorn.Config(
        asgi_app,
        lifespan="off",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    errors = []

    def serve():
        try:
            server.run(sockets=[sock])
        except BaseException as error:  # noqa: BLE001 - whatever stops the server, the test reports it
            errors.append(error)

    thread = threading.Thread(target=serve, name="uvicorn-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if errors or not thread.is_alive():
            sock.close()
            pytest.fail(f"uvicorn did not start: {errors or 'the thread ended'}", pytrace=False)
        if time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            pytest.fail("uvicorn did not start within 10 seconds", pytrace=False)
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not stop within 10 seconds"


def _describe(violations) -> str:
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'no impact given'}): "
            f"{violation['help']} [{len(nodes)} element(s)] {violation.get('helpUrl', '')}"
        )
        for node in nodes[:AXE_NODES_SHOWN]:
            target = " ".join(str(part) for part in node.get("target", []))
            html = " ".join(node.get("html", "").split())
            if len(html) > 160:
                html = html[:157] + "..."
            lines.append(f"    {target}    {html}")
            summary = (node.get("failureSummary") or "").strip().splitlines()
            if len(summary) > 1:
                lines.append(f"      {summary[1].strip()}")
        if len(nodes) > AXE_NODES_SHOWN:
            lines.append(f"    ... and {len(nodes) - AXE_NODES_SHOWN} more")
    return "\n".join(lines)


@pytest.fixture
def axe():
    """axe(page, label): assert that axe-core finds no WCAG 2.1 A/AA violation on the page, and
    nothing against its best practices (landmarks, headings, unique names)."""
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is missing: {AXE_JS} (run 'npm ci')", pytrace=False)

    def check(page, label: str = "") -> None:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated by the test driver: a <script> tag with the code inline would be (rightly)
            # refused by the pages' Content-Security-Policy.
            page.evaluate(AXE_JS.read_text())
        results = page.evaluate(
            "options => axe.run(document, options)",
            {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
        )
        violations = results["violations"]
        where = f"{label} ({page.url})" if label else page.url
        assert not violations, (
            f"axe found {len(violations)} accessibility violation(s) on {where}, "
            f"viewport {page.viewport_size}:\n{_describe(violations)}"
        )

    return check
