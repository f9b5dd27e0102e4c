"""Read a page's form the way a browser does: its fields, their values and their labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Box:
    """A checkbox or radio button, with the text of its label."""

    name: str
    value: str
    id: str
    checked: bool
    label: str = ""


@dataclass
class Form:
    action: str | None
    fields: list[tuple[str, str]] = field(default_factory=list)  # what is sent as it stands
    boxes: list[Box] = field(default_factory=list)

    def box(self, label_part: str) -> Box:
        matches = [b for b in self.boxes if label_part in b.label]
        assert len(matches) == 1, f"{label_part!r} labels {len(matches)} boxes"
        return matches[0]

    def data(self, tick=(), **typed) -> dict[str, list[str]]:
        """What the browser sends: the fields as rendered, the boxes ticked (by label) and the
        text typed (by name)."""
        sent: dict[str, list[str]] = {}
        for name, value in self.fields:
            sent.setdefault(name, []).append(value)
        ticked = [self.box(part) for part in tick]
        for box in self.boxes:
            if box.checked or box in ticked:
                sent.setdefault(box.name, []).append(box.value)
        for name, value in typed.items():
            sent[name] = [str(value)]
        return sent


class _FormReader(HTMLParser):
    def __init__(self, selector_class: str):
        super().__init__(convert_charrefs=True)
        self.selector_class = selector_class
        self.form: Form | None = None
        self.inside = False
        self.done = False
        self.labels: dict[str, list[str]] = {}
        self.label_for: str | None = None
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if self.done:
            return
        if tag == "form" and not self.inside:
            classes = a.get("class", "").split()
            if a.get("method", "").lower() == "post" and self.selector_class in classes:
                self.inside = True
                self.form = Form(action=a.get("action"))
            return
        if not self.inside:
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "image", "reset") or "name" not in a:
                return
            if kind in ("checkbox", "radio"):
                self.form.boxes.append(
                    Box(a["name"], a.get("value", "on"), a.get("id", ""), "checked" in a)
                )
            else:
                self.form.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self.textarea = a.get("name")
            self.form.fields.append((self.textarea, ""))
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.form.fields.append((self.select, a.get("value", "")))
        elif tag == "label":
            self.label_for = a.get("for")
            self.labels.setdefault(self.label_for, [])

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "label":
            self.label_for = None
        elif tag == "textarea" and self.textarea is not None:
            name, value = self.form.fields[-1]
            # A browser drops the newline that follows the opening tag.
            self.form.fields[-1] = (name, value.removeprefix("\r\n").removeprefix("\n"))
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.label_for is not None:
            self.labels[self.label_for].append(data)
        if self.textarea is not None and self.form is not None:
            name, value = self.form.fields[-1]
            self.form.fields[-1] = (name, value + data)


def read_form(html: str, form_class: str = "form") -> Form:
    """The first POST form with that class, as a browser would send it."""
    reader = _FormReader(form_class)
    reader.feed(html)
    assert reader.form is not None, "no such form on the page"
    for box in reader.form.boxes:
        box.label = " ".join("".join(reader.labels.get(box.id, [])).split())
    return reader.form
