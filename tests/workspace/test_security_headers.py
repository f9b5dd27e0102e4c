"""Content-Security-Policy on every kind of page, no inline code that the policy would block,
and pages for someone logged in are never stored (Cache-Control: private, no-store)."""

import html
import io
import re
from collections import deque

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve

from consultations.models import ReviewRound
from documents.models import Document, Version
from networks.models import Network, User
from workspace.middleware import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.django_db

INLINE = [
    ("inline script", re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)),
    ("style element", re.compile(r"<style\b", re.I)),
    ("style attribute", re.compile(r"<[^>]*\sstyle\s*=", re.I)),
    ("event handler attribute", re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)),
    ("hx-on attribute", re.compile(r"<[^>]*\shx-on", re.I)),
    ("javascript: link", re.compile(r"""=\s*["']\s*javascript:""", re.I)),
]
LINK = re.compile(r"""(?:href|hx-get)="(/[^"#]*)""")
SKIP = ("/static/", "/logout/", "/admin/")


def kind_of(path):
    try:
        match = resolve(path.split("?")[0])
    except Resolver404:
        return None
    return match.view_name


def assert_policy(response, label):
    policy = response.get("Content-Security-Policy", "")
    assert policy == CONTENT_SECURITY_POLICY, f"{label}: {policy!r}"
    assert "script-src 'self'" in policy.split("; ")
    if response.get("Content-Type", "").startswith("text/html"):
        html = response.content.decode()
        for what, pattern in INLINE:
            found = pattern.search(html)
            assert found is None, f"{label}: {what}: {found and found.group(0)[:120]}"


def starts():
    """The start page and every network, document, version and round of the demo data."""
    objects = [*Network.objects.all(), *Document.objects.all(), *ReviewRound.objects.all()]
    objects += list(Version.objects.all()[:3])
    return ["/", *(o.get_absolute_url() for o in objects)]


def crawl(client, per_kind=2, limit=200):
    """Follow the links of the pages, a few of each kind (URL pattern). Returns
    {kind: [(path, response), ...]}."""
    pages, queue, visited = {}, deque(starts()), set()
    while queue and len(visited) < limit:
        path = queue.popleft()
        if path in visited or path.startswith(SKIP) or "/open/" in path:
            continue
        kind = kind_of(path)
        seen = pages.get(kind, [])
        if kind is None or sum(r.status_code == 200 for _, r in seen) >= per_kind:
            continue
        if len(seen) >= 3 * per_kind:
            continue
        visited.add(path)
        response = client.get(path)
        pages.setdefault(kind, []).append((path, response))
        if response.get("Content-Type", "").startswith("text/html"):
            queue.extend(html.unescape(link) for link in LINK.findall(response.content.decode()))
    return pages


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.parametrize(
    "email", ["chair@example.org", "coordinator@example.org", "writer@example.org"]
)
def test_every_page_kind_has_the_policy_no_inline_code_and_is_not_stored(client, demo, email):
    client.force_login(User.objects.get(email=email))
    pages = crawl(client)
    reached = {
        kind for kind, visits in pages.items() if any(r.status_code == 200 for _, r in visits)
    }
    assert {"documents:detail", "consultations:round", "networks:detail"} <= reached, reached
    downloads = [
        path
        for visits in pages.values()
        for path, response in visits
        if not response.get("Content-Type", "").startswith("text/html")
    ]
    assert downloads or email != "chair@example.org", "the crawl found no download"
    for kind, visits in pages.items():
        for path, response in visits:
            assert response.status_code < 500, f"{kind} {path}"
            assert_policy(response, f"{kind} {path}")
            # Logged in: pages and downloads are never stored by the browser or a proxy.
            cache_control = response.get("Cache-Control", "")
            assert "no-store" in cache_control, f"{kind} {path}: {cache_control!r}"
            assert "private" in cache_control, f"{kind} {path}: {cache_control!r}"


@pytest.mark.parametrize(
    "path",
    [
        "/login/",
        "/password-reset/",
        "/password-reset/sent/",
        "/invitations/no-such-token/",
        "/networks/999999/",
        "/invitations/no%00such/",  # the 404 page
        "/login/?next=%00",  # the 400 page
        "/admin/login/",
        "/healthz",
        "/static/css/samverka.css",
        "/static/js/notifications.js",
    ],
)
def test_pages_without_login_have_the_policy(client, path):
    response = client.get(path)
    assert response.status_code in (200, 302, 400, 404)
    assert_policy(response, path)


def test_pages_without_login_are_not_marked_private(client):
    assert "no-store" not in client.get("/static/css/samverka.css").get("Cache-Control", "")


def test_a_refusal_page_has_the_policy(client, demo):
    client.force_login(User.objects.get(email="member@example.org"))
    group = Network.objects.get(name__startswith="Strategisk arbetsgrupp")
    response = client.get(f"/networks/{group.pk}/members/")
    assert response.status_code in (403, 404)
    assert_policy(response, "refused")
