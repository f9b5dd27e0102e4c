"""Every form page, sent back with errors, follows the GOV.UK error pattern.

The demo people walk the site from their start page (each view a few times at most), and every
form with a field a person types into is sent once with those fields left empty, as a browser
with its checks turned off sends it. Every page that comes back with an error summary must have:

- "Fel: " at the start of its title;
- summary links that lead to an element on the page (the field, or the first of its choices);
- on each invalid control `aria-invalid="true"`, and `aria-describedby` (on the control, or on
  the fieldset of a group of choices) naming only ids on the page, the field's error among them.
"""

from urllib.parse import urljoin, urlsplit

import pytest
from django import forms as django_forms
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import Resolver404, resolve

from networks.models import User
from tests.forms import Node, browser_client, error_pattern_problems, forms_on, parse

pytestmark = pytest.mark.django_db

TYPED = {"text", "email", "textarea", "date", "number", "password", "url", "tel", "search"}
# Leaving, the language and the admin are no form pages; files are no pages at all.
SKIPPED_VIEWS = {"logout", "set_language", "session_status", "healthz"}
VISITS_PER_VIEW = 2
PEOPLE = [
    "chair@example.org",
    "coordinator@example.org",
    "writer@example.org",
    "member@example.org",
    "signatory@example.org",
    "kerstin.socialchef@example.org",
]


def _view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _links(response) -> list[str]:
    base = f"http://testserver{response.request['PATH_INFO']}"
    found = []
    for node in parse(response.content.decode()).walk():
        href = node.attrs.get("href") if node.tag == "a" else None
        if not href or href.startswith(("#", "mailto:", "tel:")):
            continue
        url = urlsplit(urljoin(base, href))
        if url.netloc == "testserver":
            found.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


def _blank_post(client: Client, form, page_path: str):
    """The form sent with every typed field empty and no choice ticked (novalidate)."""
    submitter = form.button()
    pairs = []
    for control in form.controls:
        if control.disabled or not control.name or control.tag == "button":
            continue
        if control.type in TYPED or control.type in ("checkbox", "radio", "file"):
            continue
        if control.type == "select":
            pairs += [(control.name, control.option_value(o)) for o in control.selected]
        elif control.type == "hidden":
            pairs.append((control.name, control.value))
    if submitter is not None and submitter.name:
        pairs.append((submitter.name, submitter.node.attrs.get("value", "")))
    path = urlsplit(form.action_url(submitter))
    target = path.path + (f"?{path.query}" if path.query else "")
    return client.post(target, dict(_grouped(pairs)), HTTP_ORIGIN="http://testserver")


def _grouped(pairs):
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped.items()


def walk(client: Client, start: str, checked: dict[str, list[str]], limit: int = 120) -> None:
    """Visit pages from `start`; send each typed form empty once; check the error pages."""
    seen_views: dict[str, int] = {}
    queue, seen = [start], {start}
    tried: set[tuple[str, frozenset]] = set()
    visits = 0
    while queue and visits < limit:
        path = queue.pop(0)
        view = _view_name(urlsplit(path).path)
        if view is None or view in SKIPPED_VIEWS or view.startswith("admin:"):
            continue
        if seen_views.get(view, 0) >= VISITS_PER_VIEW:
            continue
        seen_views[view] = seen_views.get(view, 0) + 1
        response = client.get(path)
        visits += 1
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        for form in forms_on(response):
            if form.method() != "post":
                continue
            typed = frozenset(c.name for c in form.controls if c.type in TYPED and not c.disabled)
            action = _view_name(urlsplit(form.action_url(form.button())).path)
            if not typed or action is None or action in SKIPPED_VIEWS:
                continue
            if (action, typed) in tried:
                continue
            tried.add((action, typed))
            answer = _blank_post(client, form, path)
            if answer.status_code in (200, 400, 409) and b"form-errors" in answer.content:
                problems = error_pattern_problems(answer.content.decode())
                assert not problems, f"{action} (from {path}): {problems}"
                checked.setdefault(action, []).append(path)
        for link in _links(response):
            if link not in seen:
                seen.add(link)
                queue.append(link)


def test_every_form_sent_back_with_errors_follows_the_error_pattern():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    checked: dict[str, list[str]] = {}
    walk(browser_client(), "/login/", checked, limit=10)
    walk(browser_client(), "/password-reset/", checked, limit=5)
    for email in PEOPLE:
        walk(browser_client(User.objects.get(email=email)), "/", checked)
    # The walk reached the forms of every app, not a handful.
    assert len(checked) >= 15, sorted(checked)
    for name in ["login", "password_reset", "networks:create", "documents:publish"]:
        assert name in checked, sorted(checked)


def test_the_checker_finds_what_is_wrong():
    page = """<html><head><title>Logga in – Samverka</title></head><body>
    <div class="form-errors"><ul><li><a href="#id_nothing">E-post</a></li></ul></div>
    <div class="field field--error"><input id="id_email" name="email" aria-invalid="true"
      aria-describedby="id_email_helptext"></div>
    <div class="field field--error"><input id="id_name" name="name"></div>
    </body></html>"""
    problems = error_pattern_problems(page)
    assert problems == [
        "title 'Logga in – Samverka' does not start with 'Fel: '",
        "summary link '#id_nothing' leads to no element",
        "'email' is described by missing ids ['id_email_helptext']",
        "'email' is not described by its error",
        "'name' is in an error but not aria-invalid",
    ]
    assert error_pattern_problems("<html><title>Start</title></html>") == []


class _Message(str):
    tags = "success"


class _NameForm(django_forms.Form):
    name = django_forms.CharField(label="Namn")
    note = django_forms.CharField(label="Anteckning", required=False, help_text="Kort.")


def _render(**context) -> Node:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return parse(render_to_string("base.html", context, request=request))


def _messages(root: Node) -> Node:
    return next(n for n in root.walk() if n.attrs.get("id") == "messages")


def test_a_confirmation_takes_the_focus_where_the_person_is():
    root = _render(messages=[_Message("Sparat.")])
    messages = _messages(root)
    assert messages.attrs.get("tabindex") == "-1"
    assert messages.has("autofocus")
    assert not _title_of(root).startswith("Fel: ")


def test_an_error_summary_keeps_the_focus_from_a_confirmation():
    root = _render(messages=[_Message("Sparat.")], form=_NameForm(data={}))
    assert not _messages(root).has("autofocus")
    assert _title_of(root).startswith("Fel: ")


def test_a_field_names_its_help_and_error_by_the_ids_it_is_described_by():
    form = _NameForm(data={"note": ""})
    form.add_error("note", "För kort.")
    html = render_to_string("_field.html", {"field": form["note"]}) + render_to_string(
        "_field.html", {"field": form["name"]}
    )
    root = parse(html)
    ids = {n.attrs["id"] for n in root.walk() if n.attrs.get("id")}
    for name in ("name", "note"):
        control = next(n for n in root.walk() if n.attrs.get("name") == name)
        assert control.attrs["aria-invalid"] == "true"
        assert set(control.attrs["aria-describedby"].split()) <= ids
    assert "Anteckning (frivilligt)" in " ".join(root.text().split())  # optional: marked
    assert "Namn (frivilligt)" not in " ".join(root.text().split())


def _title_of(root: Node) -> str:
    return next(n.text() for n in root.walk() if n.tag == "title")
