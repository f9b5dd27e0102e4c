"""Read a form the way a browser does: its fields and values from the rendered page."""

from __future__ import annotations

import lxml.html


def page(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


def find_form(response, has_field: str) -> lxml.html.FormElement:
    """The first form on the page with a field of this name."""
    for form in page(response).forms:
        if has_field in form.inputs:
            return form
    raise AssertionError(f"no form with a field {has_field!r} on the page")


def values(form: lxml.html.FormElement, **changes) -> dict[str, str]:
    """What the browser would send (without pressing a named button), with `changes` typed."""
    data = dict(form.form_values())
    data.update({k: str(v) for k, v in changes.items()})
    return data


def options(form: lxml.html.FormElement, name: str) -> dict[str, str]:
    """A select's options: their text by value."""
    select = form.inputs[name]
    return {o.get("value"): o.text_content().strip() for o in select.iter("option")}
