"""`{% registered_tabs "document" document doc_tab %}`: the tabs the apps above registered for
this page (networks/tabs.py), as the page's other tabs are written."""

from django import template
from django.urls import reverse

from networks.tabs import tabs_of

register = template.Library()


@register.inclusion_tag("networks/_registered_tabs.html")
def registered_tabs(page: str, obj, current: str = "") -> dict:
    return {
        "tabs": [
            {
                "label": tab.label,
                "href": reverse(tab.url_name, args=[obj.pk]),
                "current": tab.key == current,
            }
            for tab in tabs_of(page)
        ]
    }


@register.simple_tag
def registered_tab_href(page: str, key: str, obj) -> str:
    """The address of one registered tab of this page, or "" when no app registered it."""
    for tab in tabs_of(page):
        if tab.key == key:
            return reverse(tab.url_name, args=[obj.pk])
    return ""
