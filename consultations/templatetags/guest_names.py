from django import template

from consultations import guests

register = template.Library()


@register.filter
def signed_name(user) -> str:
    """`{{ response.approved_by|signed_name }}`: "Eva Ek, Registrator (gäst)" for a guest, the
    name for anyone else (consultations.guests.signed_name)."""
    return guests.signed_name(user)
