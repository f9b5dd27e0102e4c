"""The GOV.UK error pattern, once for every page (templates/base.html, _field.html,
_form_errors.html): "Fel: " in the title of a page that shows a form's errors, the summary's
links to the first control of each field, and "(valfritt)" on optional fields."""

from django import forms, template
from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext as _

register = template.Library()


def _forms_in(value) -> list[forms.BaseForm]:
    if isinstance(value, forms.BaseForm):
        return [value]
    if isinstance(value, BaseFormSet):
        return [value.management_form, *value.forms]
    return []


@register.simple_tag(takes_context=True)
def page_has_form_errors(context) -> bool:
    """Whether the page shows a bound form with errors (its error summary): any form or formset
    in the page's context, whatever its name, so that no view has to say so."""
    for value in context.flatten().values():
        for form in _forms_in(value):
            if form.is_bound and form.errors:
                return True
        if isinstance(value, BaseFormSet) and value.is_bound and value.non_form_errors():
            return True
    return False


@register.simple_tag
def error_title_prefix(has_errors: bool) -> str:
    return _("Error: ") if has_errors else ""


_MULTIPLE = (forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.filter
def error_anchor(field: forms.BoundField) -> str:
    """The id the summary links to: the field's control, or the first of its radios or
    checkboxes (a group has no one id: Django leaves a group's label `for` empty)."""
    if isinstance(field.field.widget, _MULTIPLE):
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id


@register.filter
def is_optional(field: forms.BoundField) -> bool:
    """A field one may leave empty is marked "(valfritt)"; a single checkbox is always
    optional, so it is not."""
    widget = field.field.widget
    return (
        not field.field.required
        and not widget.is_hidden
        and not isinstance(widget, forms.CheckboxInput)
    )
