"""The per-person parts of the round page's threads and forms.

On the round page itself they are holes, filled per request (see consultations/page_cache.py);
elsewhere (a thread's own page, the live updates) they are rendered for the viewer at once.
"""

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def own_comment_link(context, comment) -> str:
    """ "Change or remove" under a comment, for its author."""
    holes = context.get("holes")
    if holes is not None:
        return holes.mark("own", comment.author_id, comment.pk)
    user = context.get("user")
    if user is None or comment.author_id != user.pk:
        return ""
    return render_to_string(
        "consultations/_own_comment.html", {"round": context["round"], "comment_id": comment.pk}
    )


@register.simple_tag(takes_context=True)
def on_behalf_field(context, key: str) -> str:
    """The choice of organisation to comment for, for those who speak for one."""
    holes = context.get("holes")
    if holes is not None:
        return holes.mark("behalf", key)
    organisations = context.get("organisations")
    if not organisations:
        return ""
    return render_to_string(
        "consultations/_on_behalf.html", {"key": key, "organisations": organisations}
    )
