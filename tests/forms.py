"""Submit a page's form the way a browser sends it.

A test opens the page a person uses, finds the form (by the URL name its action resolves to, or
by the visible text of its button), fills what a person would fill (by label or by name), and
presses the button:

    client = browser_client(writer)
    page = client.get(reverse("documents:publish", args=[document.pk]))
    response = submit_form(
        client, page, button="Publicera", fields={"Versionens namn": "Remissversion"}
    )
    assert "Version 1 har publicerats." in page_text(response)  # after the redirect

A form is chosen by `action=` (URL name, with `form_kwargs` for its URL kwargs), `button=` (what
the button reads, or its accessible name), or `inside=` (the id of the element it stands in);
`follow_link` clicks a link by its text. A refused form (400, 409) can be corrected and sent
again from the response that shows it. `htmx=True` sends the form as htmx does when JavaScript
runs (hx-post, the HX-Request header); without it, as a browser without JavaScript does.

The data sent is what the rendered HTML holds, read the way a browser builds a form's entry list
(HTML Living Standard, "constructing the entry list"): hidden inputs (the CSRF token too), checked
checkboxes and radios, selected options (or a single select's first option), textareas, the
pressed button's name and value, files only in a multipart form (otherwise their file name).
Disabled controls are left out. Hidden and read-only fields cannot be typed into, options that
are not on the page cannot be chosen, and a `required` field left empty stops the submission
(unless the form says `novalidate`), as in a browser. Use a client made with
`browser_client(user)`: it checks the CSRF token as production does.

Every submission is recorded with the URL name it reached (`resolve()`); `@submits(name)` on a
test declares which POST URL it submits and fails the test when it did not reach that URL with
an accepted (< 400) answer. tests/test_every_form.py checks that every POST URL has such a test.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import Resolver404, resolve

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
CONTROLS = {"input", "select", "textarea", "button"}
NOT_TYPED = {"hidden", "submit", "image", "button", "reset"}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def walk(self) -> Iterable[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.walk()

    def ancestors(self) -> Iterable[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def text(self, *, visible: bool = False) -> str:
        """All text; `visible` leaves out what only screen readers get (class visually-hidden)."""
        parts: list[str] = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
                continue
            screen_reader_only = "visually-hidden" in child.attrs.get("class", "").split()
            shown = child.attrs.get("aria-hidden") != "true" and "hidden" not in child.attrs
            if shown and not (visible and screen_reader_only):
                parts.append(child.text(visible=visible))
        return "".join(parts)

    def has(self, name: str) -> bool:
        return name in self.attrs


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        if tag == "option" and self.current.tag == "option":
            self.current = self.current.parent  # an option ends where the next one starts
        node = Node(tag, {k: ("" if v is None else v) for k, v in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.current = self.current.parent

    def handle_endtag(self, tag):
        open_tags = [self.current, *self.current.ancestors()]
        for node in open_tags:
            if node.tag == tag:
                self.current = node.parent or self.root
                return

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


@dataclass
class Submission:
    url_name: str
    kwargs: dict[str, str]
    method: str
    status: int


#: What the running test submitted (emptied by @submits before each test it wraps).
SUBMITTED: list[Submission] = []
#: URL name -> the tests that declare with @submits that they submit it.
DECLARED: dict[str, list[Callable]] = {}


def _is_submit_button(node: Node) -> bool:
    if node.tag == "button":
        return node.attrs.get("type", "submit").lower() == "submit"
    return node.tag == "input" and node.attrs.get("type", "").lower() in ("submit", "image")


def _button_texts(node: Node) -> set[str]:
    """What a person reads on the button, and its accessible name."""
    if node.tag == "input":
        texts = {node.attrs.get("value", "")}
    else:
        texts = {_squash(node.text(visible=True)), _squash(node.text())}
    if node.attrs.get("aria-label"):
        texts.add(node.attrs["aria-label"])
    return {_squash(t) for t in texts if t}


class Control:
    """One form control and the state a person can change."""

    def __init__(self, node: Node, labels: list[str]):
        self.node = node
        self.labels = labels
        self.tag = node.tag
        self.type = node.attrs.get("type", "text").lower() if node.tag == "input" else node.tag
        if node.tag == "button":
            self.type = node.attrs.get("type", "submit").lower()
        self.name = node.attrs.get("name", "")
        self.checked = node.has("checked")
        self.files: list = []
        if node.tag == "textarea":
            text = node.text()
            self.value = text[1:] if text.startswith("\n") else text
        elif node.tag == "select":
            self.options = [o for o in node.walk() if o.tag == "option"]
            self.selected = [o for o in self.options if o.has("selected")]
            if not self.selected and not self.multiple and self.options:
                self.selected = [self.options[0]]
        else:
            self.value = node.attrs.get("value", "on" if self.type in ("checkbox", "radio") else "")

    @property
    def multiple(self) -> bool:
        return self.node.has("multiple")

    @property
    def disabled(self) -> bool:
        if self.node.has("disabled"):
            return True
        return any(a.tag == "fieldset" and a.has("disabled") for a in self.node.ancestors())

    def option_value(self, option: Node) -> str:
        return option.attrs["value"] if "value" in option.attrs else _squash(option.text())

    def __repr__(self):
        return f"<{self.tag} name={self.name!r} type={self.type!r} labels={self.labels!r}>"


class Form:
    def __init__(self, node: Node, controls: list[Control], page_url: str):
        self.node = node
        self.controls = controls
        self.page_url = page_url

    # -- reading -------------------------------------------------------------------------------

    @property
    def buttons(self) -> list[Control]:
        return [c for c in self.controls if _is_submit_button(c.node)]

    def button(self, text: str | None = None) -> Control | None:
        buttons = [b for b in self.buttons if not b.disabled]
        if text is None:
            return buttons[0] if buttons else None  # the default button, as Enter would press
        found = [b for b in buttons if _squash(text) in _button_texts(b.node)]
        assert found, f"no button {text!r} in the form; there are {self._button_names()}"
        assert len(found) == 1, f"{len(found)} buttons {text!r} in the form"
        return found[0]

    def _button_names(self) -> list[str]:
        return [sorted(_button_texts(b.node)) for b in self.buttons]

    def button_texts(self) -> set[str]:
        """What the form's buttons read (visible text and accessible names)."""
        return {text for b in self.buttons for text in _button_texts(b.node)}

    def action_url(self, submitter: Control | None = None) -> str:
        action = self.node.attrs.get("action", "")
        if submitter is not None and submitter.node.has("formaction"):
            action = submitter.node.attrs["formaction"]
        return urljoin(self.page_url, action) if action else self.page_url

    def method(self, submitter: Control | None = None) -> str:
        method = self.node.attrs.get("method", "get")
        if submitter is not None and submitter.node.has("formmethod"):
            method = submitter.node.attrs["formmethod"]
        return "post" if method.lower() == "post" else "get"

    def multipart(self, submitter: Control | None = None) -> bool:
        enctype = self.node.attrs.get("enctype", "")
        if submitter is not None and submitter.node.has("formenctype"):
            enctype = submitter.node.attrs["formenctype"]
        return enctype.lower() == "multipart/form-data"

    def entries(self, submitter: Control | None = None) -> list[tuple[str, object]]:
        """The (name, value) pairs the browser sends, in document order."""
        pairs: list[tuple[str, object]] = []
        for control in self.controls:
            if not control.name or control.disabled:
                continue
            if _is_submit_button(control.node) or control.type in ("button", "reset"):
                if control is submitter:
                    pairs.append((control.name, control.node.attrs.get("value", "")))
                continue
            if control.type in ("checkbox", "radio"):
                if control.checked:
                    pairs.append((control.name, control.value))
            elif control.tag == "select":
                chosen = [o for o in control.selected if not o.has("disabled")]
                pairs.extend((control.name, control.option_value(o)) for o in chosen)
            elif control.type == "file":
                multipart = self.multipart(submitter)
                for upload in control.files:  # without multipart only the file's name is sent
                    pairs.append((control.name, upload if multipart else upload.name))
                if not control.files and not multipart:
                    pairs.append((control.name, ""))
            else:
                pairs.append((control.name, control.value))
        return pairs

    def __getitem__(self, name: str):
        """The value a control now has (a list for a multiple select or checkbox group)."""
        pairs = [v for n, v in self.entries() if n == name]
        return pairs[0] if len(pairs) == 1 else pairs

    # -- filling -------------------------------------------------------------------------------

    def _find(self, key: str) -> list[Control]:
        typed = [c for c in self.controls if not _is_submit_button(c.node)]
        by_name = [c for c in typed if c.name == key]
        if by_name:
            return by_name
        wanted = _squash(key).casefold()
        by_label = [c for c in typed if any(_squash(lab).casefold() == wanted for lab in c.labels)]
        assert by_label, f"no field named or labelled {key!r}; the form has {typed}"
        return by_label

    def fill(self, fields: dict[str, object]) -> Form:
        for key, value in fields.items():
            self._set(key, self._find(key), value)
        return self

    def _set(self, key: str, found: list[Control], value: object) -> None:
        for control in found:
            assert not control.disabled, f"{key!r} is disabled: a person cannot change it"
            assert control.type not in NOT_TYPED, f"{key!r} is {control.type}: not typed into"
            assert not control.node.has("readonly"), f"{key!r} is read-only"
        first = found[0]
        if first.type in ("checkbox", "radio"):
            if isinstance(value, bool):
                assert len(found) == 1, f"{key!r}: which box?"
                if first.type == "radio" and value:
                    for other in self.controls:  # one radio of a group is checked
                        if other.type == "radio" and other.name == first.name:
                            other.checked = False
                first.checked = value
                return
            many = isinstance(value, list | tuple | set)
            wanted = {str(v) for v in value} if many else {str(value)}
            known = set()
            for box in found:
                names = {box.value, *(_squash(label) for label in box.labels)}
                box.checked = bool(names & wanted)
                known |= names & wanted
            assert known == wanted, f"{key!r}: no box for {wanted - known}"
            if first.type == "radio":
                assert sum(b.checked for b in found) == 1, f"{key!r}: choose one"
            return
        assert len(found) == 1, f"{len(found)} fields for {key!r}: {found}"
        control = found[0]
        if control.tag == "select":
            values = list(value) if isinstance(value, list | tuple | set) else [value]
            chosen = []
            for wanted in map(str, values):
                match = [
                    o
                    for o in control.options
                    if not o.has("disabled")
                    and wanted in (control.option_value(o), _squash(o.text()))
                ]
                options = [(control.option_value(o), _squash(o.text())) for o in control.options]
                assert match, f"{key!r} has no option {wanted!r}; it has {options}"
                chosen.append(match[0])
            assert control.multiple or len(chosen) == 1, f"{key!r} takes one choice"
            control.selected = chosen
        elif control.type == "file":
            uploads = list(value) if isinstance(value, list) else [value]
            control.files = [_upload(u) for u in uploads if u is not None]
        else:
            text = str(value)
            limit = control.node.attrs.get("maxlength")
            assert limit is None or len(text) <= int(limit), f"{key!r} takes {limit} characters"
            control.value = text

    # -- submitting ----------------------------------------------------------------------------

    def _check_required(self, submitter: Control | None) -> None:
        if self.node.has("novalidate") or (submitter and submitter.node.has("formnovalidate")):
            return
        sent = {n for n, v in self.entries(submitter) if v not in ("", None)}
        for control in self.controls:
            if control.node.has("required") and not control.disabled and control.name not in sent:
                raise AssertionError(f"the browser would not send the form: {control} is empty")

    def _htmx(self, submitter: Control | None) -> tuple[str, str, dict[str, str]]:
        """Where and how htmx sends the form when JavaScript runs (hx-post/hx-get on the button
        or the form), with the headers it adds."""
        for node in (submitter.node if submitter else None, self.node):
            for verb in ("post", "get"):
                if node is not None and node.has(f"hx-{verb}"):
                    url = urljoin(self.page_url, node.attrs[f"hx-{verb}"] or self.page_url)
                    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": self.page_url}
                    target = self.node.attrs.get("hx-target", "")
                    if target.startswith("#"):
                        headers["HTTP_HX_TARGET"] = target[1:]
                    return url, verb, headers
        raise AssertionError("the form has no hx-post or hx-get: htmx does not send it")

    def submit(
        self,
        client: Client,
        *,
        button: str | None = None,
        follow: bool = True,
        htmx: bool = False,
        **extra,
    ):
        """Press `button` (or the default one). With `htmx`, send it as htmx does when
        JavaScript runs; otherwise as a browser without JavaScript does."""
        submitter = self.button(button)
        self._check_required(submitter)
        if htmx:
            url, method, headers = self._htmx(submitter)
        else:
            url, method, headers = self.action_url(submitter), self.method(submitter), {}
        parts = urlsplit(url)
        page = urlsplit(self.page_url)
        assert parts.netloc in ("", page.netloc), f"the form leaves the site: {url}"
        pairs = self.entries(submitter)
        headers = {"HTTP_ORIGIN": "http://testserver", **headers, **extra}
        if method == "get":
            query = urlencode([(n, v) for n, v in pairs if isinstance(v, str)])
            response = client.get(f"{parts.path}?{query}", follow=follow, **headers)
        else:
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if self.multipart(submitter):
                data: dict[str, list] = {}
                for name, value in pairs:
                    data.setdefault(name, []).append(value)
                response = client.post(target, data, follow=follow, **headers)
            else:
                body = urlencode([(n, v if isinstance(v, str) else v.name) for n, v in pairs])
                response = client.post(
                    target,
                    body,
                    content_type="application/x-www-form-urlencoded",
                    follow=follow,
                    **headers,
                )
        match = resolve(parts.path)
        chain = getattr(response, "redirect_chain", [])
        status = chain[0][1] if chain else response.status_code
        submission = Submission(
            url_name=match.view_name,
            kwargs={k: str(v) for k, v in match.kwargs.items()},
            method=method.upper(),
            status=status,
        )
        SUBMITTED.append(submission)
        response.submission = submission
        if response.get("Content-Type", "").startswith("text/html"):
            problems = error_pattern_problems(response.content.decode())
            assert not problems, f"the error page of {match.view_name}: {problems}"
        return response


# -- the GOV.UK error pattern (tests/test_form_error_pattern.py) ---------------------------------


def _classes(node: Node) -> set[str]:
    return set(node.attrs.get("class", "").split())


def _title(root: Node) -> str:
    return next((n.text().strip() for n in root.walk() if n.tag == "title"), "")


def error_pattern_problems(html: str) -> list[str]:
    """What is wrong with a page that shows an error summary (nothing for any other page)."""
    root = parse(html)
    summaries = [n for n in root.walk() if "form-errors" in _classes(n)]
    if not summaries:
        return []
    ids = {n.attrs["id"] for n in root.walk() if n.attrs.get("id")}
    problems = []
    whole_page = any(n.tag == "title" for n in root.walk())  # not a fragment htmx swaps in
    if whole_page and not _title(root).startswith("Fel: "):
        problems.append(f"title {_title(root)!r} does not start with 'Fel: '")
    for summary in summaries:
        for link in (n for n in summary.walk() if n.tag == "a"):
            href = link.attrs.get("href", "")
            if href.startswith("#") and href[1:] not in ids:
                problems.append(f"summary link {href!r} leads to no element")
    for node in root.walk():
        if node.tag not in ("input", "select", "textarea"):
            continue
        fieldset = next((a for a in node.ancestors() if a.tag == "fieldset"), None)
        in_error = any("field--error" in _classes(a) for a in node.ancestors())
        if node.attrs.get("type") in ("hidden", "submit"):
            continue
        if node.attrs.get("aria-invalid") != "true":
            if in_error and node.attrs.get("type") not in ("checkbox", "radio"):
                problems.append(f"{node.attrs.get('name')!r} is in an error but not aria-invalid")
            continue
        described = node.attrs.get("aria-describedby") or (
            fieldset.attrs.get("aria-describedby") if fieldset is not None else None
        )
        if not described:
            problems.append(f"{node.attrs.get('name')!r} is invalid but described by nothing")
            continue
        missing = [i for i in described.split() if i not in ids]
        if missing:
            problems.append(f"{node.attrs.get('name')!r} is described by missing ids {missing}")
        if not any(i.endswith("_error") for i in described.split()):
            problems.append(f"{node.attrs.get('name')!r} is not described by its error")
    return problems


def _upload(value) -> SimpleUploadedFile:
    if isinstance(value, SimpleUploadedFile):
        return value
    name, content, *rest = value
    return SimpleUploadedFile(name, content, content_type=rest[0] if rest else None)


def _page_url(response) -> str:
    request = response.request
    query = request.get("QUERY_STRING", "")
    path = request["PATH_INFO"]
    return f"http://testserver{path}" + (f"?{query}" if query else "")


def forms_on(response) -> list[Form]:
    """Every form on the page the response shows."""
    # A page that refused a form (400, 409) shows it again: a person corrects it and resends.
    assert response.status_code in (200, 400, 409), f"the page answered {response.status_code}"
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    root = parse(response.content.decode())
    nodes = [n for n in root.walk() if n.tag == "form"]
    by_id = {n.attrs["id"]: n for n in nodes if n.attrs.get("id")}
    labels = [n for n in root.walk() if n.tag == "label"]
    ids = {n.attrs["id"]: n for n in root.walk() if n.attrs.get("id")}
    owned: dict[int, list[Control]] = {id(n): [] for n in nodes}
    for node in root.walk():
        if node.tag not in CONTROLS:
            continue
        if node.attrs.get("form"):
            owner = by_id.get(node.attrs["form"])
        else:
            owner = next((a for a in node.ancestors() if a.tag == "form"), None)
        if owner is None:
            continue
        texts = [_squash(lab.text()) for lab in labels if _labels(lab, node)]
        # "(frivilligt)" marks a field, it does not name it: a test may name it without.
        texts += [_squash(_unmarked(lab)) for lab in labels if _labels(lab, node)]
        if node.attrs.get("aria-label"):
            texts.append(node.attrs["aria-label"])
        if node.attrs.get("aria-labelledby"):
            parts = [ids[i].text() for i in node.attrs["aria-labelledby"].split() if i in ids]
            texts.append(_squash(" ".join(parts)))
        owned[id(owner)].append(Control(node, texts))
    url = _page_url(response)
    return [Form(n, owned[id(n)], url) for n in nodes]


def _unmarked(label: Node) -> str:
    parts: list[str] = []
    for child in label.children:
        if isinstance(child, str):
            parts.append(child)
        elif "field__optional" not in child.attrs.get("class", "").split():
            parts.append(child.text())
    return "".join(parts)


def _labels(label: Node, control: Node) -> bool:
    target = label.attrs.get("for")
    if target:
        return target == control.attrs.get("id")
    return label in control.ancestors()


def find_form(
    response,
    *,
    action: str | None = None,
    button: str | None = None,
    inside: str | None = None,
    **kwargs,
) -> Form:
    """The one form on the page whose action resolves to URL name `action` (and URL kwargs
    `kwargs`), and/or that has a button reading `button`, and/or that stands inside the element
    with the id `inside` (the section a person sees it under)."""
    candidates = []
    for form in forms_on(response):
        if inside is not None and not any(
            a.attrs.get("id") == inside for a in form.node.ancestors()
        ):
            continue
        if action is not None:
            try:
                match = resolve(urlsplit(form.action_url()).path)
            except Resolver404:
                continue
            if match.view_name != action:
                continue
            if any(str(match.kwargs.get(k)) != str(v) for k, v in kwargs.items()):
                continue
        if button is not None and not any(
            _squash(button) in _button_texts(b.node) for b in form.buttons
        ):
            continue
        candidates.append(form)
    where = f"action={action!r} {kwargs or ''} button={button!r} inside={inside!r}"
    assert candidates, f"no form on {response.request['PATH_INFO']} with {where}"
    assert len(candidates) == 1, f"{len(candidates)} forms with {where}: say which"
    return candidates[0]


def submit_form(
    client: Client,
    page,
    *,
    action: str | None = None,
    button: str | None = None,
    fields: dict[str, object] | None = None,
    follow: bool = True,
    form_kwargs: dict[str, object] | None = None,
    inside: str | None = None,
    htmx: bool = False,
    **extra,
):
    """Find the form on `page` (see find_form; `form_kwargs` are the URL kwargs of its action),
    fill `fields`, press `button` (or the form's first button)."""
    form = find_form(page, action=action, button=button, inside=inside, **(form_kwargs or {}))
    form.fill(fields or {})
    return form.submit(client, button=button, follow=follow, htmx=htmx, **extra)


def browser_client(user=None) -> Client:
    """A client that, like the production site, refuses a POST without the form's CSRF token."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def page_text(response) -> str:
    """The text a person reads on the page (scripts and styles left out), in one line."""
    root = parse(response.content.decode())
    for node in root.walk():
        if node.tag in ("script", "style", "template"):
            node.children = []
    return _squash(root.text())


def follow_link(client: Client, page, text: str):
    """GET the one link on `page` whose text or accessible name reads `text` (what a person
    clicks, or what a screen reader announces)."""
    root = parse(page.content.decode())
    links = [
        n
        for n in root.walk()
        if n.tag == "a"
        and n.attrs.get("href")
        and _squash(text)
        in {
            _squash(n.text(visible=True)),
            _squash(n.text()),
            _squash(n.attrs.get("aria-label", "")),
        }
    ]
    assert links, f"no link {text!r} on {page.request['PATH_INFO']}"
    hrefs = {n.attrs["href"] for n in links}
    assert len(hrefs) == 1, f"links {text!r} go to {hrefs}"
    url = urlsplit(urljoin(_page_url(page), hrefs.pop()))
    return client.get(url.path + (f"?{url.query}" if url.query else ""))


def submits(url_name: str, **url_kwargs):
    """Declare that the test submits a form to URL `url_name` (optionally with these URL
    kwargs); the test fails unless it did, through submit_form, with an answer below 400."""

    def decorate(test):
        @functools.wraps(test)
        def run(*args, **kwargs):
            SUBMITTED.clear()
            result = test(*args, **kwargs)
            wanted = {k: str(v) for k, v in url_kwargs.items()}
            reached = [
                s
                for s in SUBMITTED
                if s.url_name == url_name
                and s.method == "POST"
                and all(s.kwargs.get(k) == v for k, v in wanted.items())
            ]
            assert any(s.status < 400 for s in reached), (
                f"{test.__name__} declares that it submits {url_name} {wanted or ''}, but its "
                f"submissions were {SUBMITTED}"
            )
            return result

        DECLARED.setdefault(url_name, []).append(run)
        return run

    return decorate
