"""Every URL that accepts a POST has a test that submits its form the way a browser does.

Which views accept POST is read from the views themselves, not from a list kept by hand:

- a class-based view (`as_view()`) accepts the methods it has a handler for among its
  `http_method_names` (LoginView and the password views have `post`, LogoutView only `post`);
- a function view wrapped in `require_POST`, `require_http_methods([...])` (or `require_GET`,
  `require_safe`) accepts the methods of that list: the decorator keeps it in its closure, and
  the chain of `functools.wraps` (`__wrapped__`) leads through `login_required` to it;
- a function view without such a decorator accepts every method, and counts as a POST view
  when its own code reads `request.method`, `request.POST` or `request.FILES` (read from its
  syntax tree). A view that reads none of them answers a POST as it answers a GET.

Django's admin (`admin:`) is left out: it is Django's own, tested by Django, and only for staff.

Which URLs are submitted comes from the tests: `@submits("app:name")` (tests/forms.py) on a test
in tests/<app>/test_forms_submitted.py. The declaration fails that test unless it really sent a
form through `submit_form` to that URL and got an answer below 400, so a test that only opens
the page or calls the service cannot count.
"""

import ast
import importlib
import inspect
import textwrap
from pathlib import Path
from typing import ClassVar

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests import forms
from tests.forms import DECLARED, find_form, parse, submits

TESTS = Path(__file__).resolve().parent
EXCLUDED_NAMESPACES = {"admin"}
STATE_READS = {"POST", "FILES"}


def _reads_post(func) -> bool:
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError):
        return True  # no source to read: count it, so that it needs a test
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "request"
            and (node.attr in STATE_READS or node.attr == "method")
        ):
            return True
    return False


def accepted_methods(view) -> set[str]:
    """The HTTP methods a view acts on (see the module's docstring)."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return {
            m.upper()
            for m in view_class.http_method_names
            if m not in ("options", "head") and hasattr(view_class, m)
        }
    func = view
    while func is not None:
        if getattr(func, "__closure__", None):
            free = inspect.getclosurevars(func).nonlocals
            if "request_method_list" in free:
                return set(free["request_method_list"]) - {"HEAD"}
        func = getattr(func, "__wrapped__", None)
    innermost = inspect.unwrap(view)
    return {"GET", "POST"} if _reads_post(innermost) else {"GET"}


def url_patterns(resolver=None, namespace=""):
    """(URL name, view) of every named pattern, with its namespace."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            yield from url_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern.callback


def post_url_names() -> set[str]:
    return {name for name, view in url_patterns() if "POST" in accepted_methods(view)}


def declared_submissions() -> dict:
    for path in sorted(TESTS.glob("*/test_forms_submitted.py")):
        importlib.import_module(f"tests.{path.parent.name}.{path.stem}")
    return DECLARED


def _expected_to_fail(test) -> bool:
    return any(mark.name == "xfail" for mark in getattr(test, "pytestmark", []))


# URLs that only a page's script POSTs to (no form a person submits): each names the Chromium
# test that presses the button whose script sends it.
SCRIPT_ONLY = {
    "session_status": (
        "tests/browser/test_idle_warning.py",
        "test_the_warning_comes_before_the_end_and_staying_keeps_the_session",
    ),
}


def test_every_url_that_takes_a_post_has_a_test_that_submits_its_form():
    declared = declared_submissions()
    missing = sorted(post_url_names() - set(declared) - set(SCRIPT_ONLY))
    assert not missing, (
        "These URLs take a POST, but no test submits their form the way a browser does "
        "(GET the page, submit_form(...), @submits(name)): " + ", ".join(missing)
    )


def test_every_declared_submission_names_a_url_that_takes_a_post():
    """A test for a URL that no longer takes a POST is stale; one marked xfail may wait for a
    fix that turns a GET into a POST."""
    declared = declared_submissions()
    posts = post_url_names()
    stale = sorted(
        name
        for name, tests in declared.items()
        if name not in posts and not all(_expected_to_fail(t) for t in tests)
    )
    assert not stale, f"@submits names URLs that take no POST: {stale}"


# -- the rules above, checked on views we know ---------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "login",
        "logout",
        "set_language",
        "password_reset",
        "password_reset_confirm",
        "notifications:preferences",
        "networks:members",
        "networks:invitation",
        "consultations:step",
        "documents:section_move",
    ],
)
def test_views_that_act_on_a_post_are_found(name):
    assert name in post_url_names()


@pytest.mark.parametrize(
    "name",
    ["home", "healthz", "consultations:report", "documents:compare", "notifications:list"],
)
def test_views_that_only_show_are_not_counted(name):
    names = dict(url_patterns())
    assert name in names
    assert "POST" not in accepted_methods(names[name])


def test_admin_is_left_out():
    assert not any(name.startswith("admin:") for name in post_url_names())


# -- the helper itself ---------------------------------------------------------------------------

PAGE = """<!doctype html><html><body>
<form method="post" action="/documents/1/publish/" id="f" novalidate>
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <label for="t">Etikett</label><input id="t" name="label" value="Utkast" maxlength="20">
  <label><input type="checkbox" name="editorial"> Redaktionell</label>
  <input type="checkbox" name="kept" value="yes" checked>
  <input type="checkbox" name="off" disabled checked>
  <fieldset><legend>Roll</legend>
    <input type="radio" id="r1" name="role" value="member" checked><label for="r1">Ledamot</label>
    <input type="radio" id="r2" name="role" value="chair"><label for="r2">Ordförande</label>
  </fieldset>
  <label for="s">Version</label><select id="s" name="version"><option value="1">Version 1
    <option value="2">Version 2</select>
  <select name="many" multiple><option selected>a</option><option>b</option></select>
  <label for="b">Text</label><textarea id="b" name="body">
Rad ett</textarea>
  <button type="button" name="noise" value="x">Förhandsgranska</button>
  <button name="step" value="save">Spara <span class="visually-hidden">utkastet</span></button>
  <button name="step" value="ask" formaction="/elsewhere/">Be om godkännande</button>
</form>
<input form="f" name="outside" value="med">
<form method="get" action="/documents/1/compare/"><button>Jämför</button></form>
</body></html>"""


class _Page:
    status_code = 200
    content = PAGE.encode()
    request: ClassVar[dict[str, str]] = {"PATH_INFO": "/documents/1/", "QUERY_STRING": ""}

    def __getitem__(self, header):
        return {"Content-Type": "text/html; charset=utf-8"}[header]


def test_the_entry_list_is_what_a_browser_sends():
    form = find_form(_Page(), button="Spara")
    save = form.button("Spara")
    assert form.entries(save) == [
        ("csrfmiddlewaretoken", "tok"),
        ("label", "Utkast"),
        ("kept", "yes"),
        ("role", "member"),
        ("version", "1"),
        ("many", "a"),
        ("body", "Rad ett"),
        ("step", "save"),
        ("outside", "med"),
    ]
    assert form.action_url(form.button("Be om godkännande")) == "http://testserver/elsewhere/"
    assert form.method(save) == "post"


def test_fields_are_filled_by_label_or_name_and_only_with_what_the_page_offers():
    form = find_form(_Page(), button="Spara utkastet")
    form.fill({"Etikett": "Remiss", "Redaktionell": True, "Ordförande": True})
    form.fill({"version": "Version 2", "Text": "Ny text"})
    assert form["label"] == "Remiss"
    assert form["editorial"] == "on"
    assert form["role"] == "chair"
    assert form["version"] == "2"
    assert form["body"] == "Ny text"
    with pytest.raises(AssertionError, match="no option"):
        form.fill({"version": "3"})
    with pytest.raises(AssertionError, match="hidden"):
        form.fill({"csrfmiddlewaretoken": "forged"})
    with pytest.raises(AssertionError, match="characters"):
        form.fill({"Etikett": "x" * 21})
    with pytest.raises(AssertionError, match="no field"):
        form.fill({"Finns inte": "x"})


def test_a_form_is_found_by_the_url_name_of_its_action():
    assert find_form(_Page(), action="documents:publish", pk=1).method() == "post"
    assert find_form(_Page(), action="documents:compare").method() == "get"
    with pytest.raises(AssertionError, match="no form"):
        find_form(_Page(), action="documents:publish", pk=2)


def test_implied_end_tags_of_options_are_understood():
    root = parse("<select><option>a<option>b</select><p>after</p>")
    select = next(n for n in root.walk() if n.tag == "select")
    assert [o.text() for o in select.walk() if o.tag == "option"] == ["a", "b"]


def test_a_test_that_declares_a_submission_but_does_not_submit_fails():
    @submits("documents:publish")
    def only_opens_the_page():
        pass

    try:
        with pytest.raises(AssertionError, match="declares that it submits documents:publish"):
            only_opens_the_page()
    finally:
        DECLARED["documents:publish"].remove(only_opens_the_page)


def test_a_refused_submission_does_not_count():
    @submits("documents:publish")
    def refused():
        forms.SUBMITTED.append(forms.Submission("documents:publish", {"pk": "1"}, "POST", 403))

    try:
        with pytest.raises(AssertionError, match="declares"):
            refused()
    finally:
        DECLARED["documents:publish"].remove(refused)


class _Strict(_Page):
    content = b"""<form method="post" action="/documents/1/import/">
      <label for="f">Fil</label><input type="file" id="f" name="file" required>
      <label for="t">Titel</label><input id="t" name="title" required>
      <select name="kind"><option value="a" disabled selected>A</option><option>b</option></select>
      <button>Skicka</button></form>"""


def test_a_required_field_left_empty_stops_the_form_as_a_browser_does():
    form = find_form(_Strict(), button="Skicka")
    with pytest.raises(AssertionError, match="would not send the form"):
        form._check_required(form.button())
    form.fill({"Titel": "Strategin", "Fil": ("a.docx", b"PK")})
    form._check_required(form.button())


def test_a_form_without_multipart_sends_only_the_files_name_and_no_disabled_option():
    form = find_form(_Strict(), button="Skicka").fill({"Fil": ("a.docx", b"PK")})
    assert form.entries() == [
        ("file", "a.docx"),
        ("title", ""),
    ]


def test_a_url_only_a_script_posts_to_is_pressed_in_chromium():
    for name, (path, test) in SCRIPT_ONLY.items():
        assert name in post_url_names(), f"{name} no longer takes a POST: drop it from SCRIPT_ONLY"
        source = (TESTS.parent / path).read_text()
        assert f"def {test}(" in source, f"{name}: {path} has no {test}"
