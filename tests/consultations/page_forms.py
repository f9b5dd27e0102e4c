"""Submitting a page's form the way a browser does: read its fields and values from the HTML,
change what the person changes, press one of its buttons."""

from __future__ import annotations

from html.parser import HTMLParser


class _Form:
    def __init__(self, attrs: dict):
        self.attrs = attrs
        self.fields: list[tuple[str, str]] = []  # what the browser sends, in order
        self.buttons: list[tuple[str, str]] = []
        self.names: set[str] = set()


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[_Form] = []
        self._form: _Form | None = None
        self._textarea: str | None = None
        self._text = ""
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = _Form(attrs)
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            form.names.add(name)
            kind = attrs.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    form.fields.append((name, attrs.get("value", "on")))
            elif kind == "submit":
                form.buttons.append((name, attrs.get("value", "")))
            elif kind not in ("file", "button", "reset", "image"):
                form.fields.append((name, attrs.get("value", "")))
        elif tag == "button" and name:
            if attrs.get("type", "submit").lower() == "submit":
                form.buttons.append((name, attrs.get("value", "")))
        elif tag == "textarea" and name:
            form.names.add(name)
            self._textarea, self._text = name, ""
        elif tag == "select" and name:
            form.names.add(name)
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((attrs.get("value", ""), "selected" in attrs))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        form = self._form
        if tag == "form":
            self._form = None
        elif tag == "textarea" and form is not None and self._textarea is not None:
            # A browser drops the one newline right after <textarea>.
            text = self._text[1:] if self._text.startswith("\n") else self._text
            form.fields.append((self._textarea, text))
            self._textarea = None
        elif tag == "select" and form is not None and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if not chosen and self._options:
                chosen = [self._options[0][0]]
            form.fields.extend((self._select, value) for value in chosen[:1])
            self._select = None


def forms_of(html: str) -> list[_Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_with(html: str, field: str) -> _Form:
    """The page's form that has a field of this name."""
    for form in forms_of(html):
        if field in form.names:
            return form
    raise AssertionError(f"No form with a field {field!r} on the page")


def fill(form: _Form, changes: dict | None = None, press: tuple[str, str] | None = None) -> dict:
    """The POST data: the form's own values, the changes typed (a list for several values), and
    the button pressed (which need not be on the page: a crafted request)."""
    data: dict[str, list[str]] = {}
    for name, value in form.fields:
        data.setdefault(name, []).append(value)
    for name, value in (changes or {}).items():
        data[name] = value if isinstance(value, list) else [value]
    if press is not None:
        data[press[0]] = [press[1]]
    return data


def form_posting_to(html: str, action: str = "") -> _Form:
    """The page's POST form whose action is `action` ("" for the page itself)."""
    for form in forms_of(html):
        posts = form.attrs.get("method", "").lower() == "post"
        if posts and form.attrs.get("action", "") == action:
            return form
    raise AssertionError(f"No form posting to {action!r} on the page")
