"""The per-person parts of the round page's threads and forms.

On the round page itself they are holes, filled per request (see consultations/page_cache.py);
elsewhere (a thread's own page, the live updates) they are rendered for the viewer at once.
What a person may do on a comment is the comments' policy's answer
(consultations/policies/threads.py), never decided here.
"""

import uuid

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from consultations import anchoring, guests, passages
from consultations.policies import threads
from consultations.policies.actions import CommentAction

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_may(context, comment) -> frozenset[str]:
    """What the viewer may do on this comment, as far as it is the same for everyone who may do
    the same on the round's comments (`on_comments`): `{% comment_may c as may %}`, then
    `{% if may.reply %}`. Their own comment's link is `own_comment_link`."""
    return threads.for_comment(comment, context["round"].status, context["on_comments"])


@register.simple_tag(takes_context=True)
def own_comment_link(context, comment) -> str:
    """ "Change or remove" under a comment, for its author while its state allows it."""
    review_round = context["round"]
    if CommentAction.EDIT_OWN not in threads.state_allows(comment, review_round.status):
        return ""
    holes = context.get("holes")
    if holes is not None:
        return holes.mark("own", comment.author_id, comment.pk)
    if not threads.may_edit_own(context.get("user"), review_round, comment.author_id):
        return ""
    return render_to_string(
        "consultations/_own_comment.html", {"round": review_round, "comment_id": comment.pk}
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


@register.simple_tag(takes_context=True)
def idempotency_key(context, form=None, comment_id=None) -> str:
    """The hidden key of a comment or reply form: new each time the form is rendered (on the
    shared round page a hole, filled per request), so that the form sent twice (its answer
    lost) is one post and two forms are two (consultations/services/comments.py). `form`: a
    reply form sent back with its errors keeps its key at its thread (`comment_id`)."""
    if getattr(form, "is_bound", False) and getattr(form, "comment_id", None) == comment_id:
        return form["idempotency_key"].value()
    holes = context.get("holes")
    if holes is not None:
        return holes.mark("key")
    return str(uuid.uuid4())


@register.filter
def masked(address: str) -> str:
    """An address shown as r•••••@kumla.se (consultations.guests.masked)."""
    return guests.masked(address) if address else ""


@register.simple_tag(takes_context=True)
def section_text(context, item, may_comment: bool) -> SafeString:
    """The section's text with its passages marked (consultations/passages.py): how many comments
    quote each one, linked to the first of their threads, and "Kommentera stycket" for those who
    may comment. The same for everyone who sees the same part of the page: no per-person hole."""
    section = item.section
    html = str(section.html)
    found = passages.passages(html)
    if not found:
        return section.html
    quoted = passages.quoted_counts(
        html,
        found,
        (
            (
                t.comment.pk,
                anchoring.Anchor(
                    t.comment.quote_exact, t.comment.quote_prefix, t.comment.quote_suffix
                ),
            )
            for t in item.threads
            if t.comment.quote_exact and not t.comment.is_deleted
        ),
    )
    if not quoted and not may_comment:
        return section.html
    base = context["round"].get_absolute_url()
    label = gettext("Comment on the passage")

    def control(passage: passages.Passage) -> str:
        threads = quoted.get(passage.number, [])
        if not threads and not may_comment:
            return ""
        count = (
            format_html(
                '<a class="passage__count" href="#thread-{}">{}</a>',
                threads[0],
                ngettext("%(count)s comment", "%(count)s comments", len(threads))
                % {"count": len(threads)},
            )
            if threads
            else ""
        )
        link = (
            format_html(
                '<a class="passage__comment" href="{}?stycke={}:{}#comment-form-{}" '
                'data-passage="{}">{}<span class="visually-hidden"> {}</span></a>',
                base,
                section.key,
                passage.number,
                section.key,
                passage.number,
                label,
                gettext("%(number)s in %(section)s")
                % {"number": passage.number, "section": section.heading},
            )
            if may_comment
            else ""
        )
        return format_html(' <span class="passage" data-passage-ui="">{}{}</span>', count, link)

    # Cleaned by nh3 (documents.markdown); the controls are escaped by format_html.
    return mark_safe(passages.with_controls(html, found, control))  # noqa: S308


@register.simple_tag(takes_context=True)
def quoted(context, part: str, key: str) -> str:
    """What a section's comment form holds of the passage quoted from a link ("Kommentera
    stycket" without JavaScript): `part` is "open" (the form opens), "fields" (the quote),
    "focus" (the comment field takes the focus) or "proposal" (the proposed text starts as the
    quote). On the round page a hole, filled per request (consultations/page_cache.py)."""
    holes = context.get("holes")
    if holes is not None:
        return holes.mark("quoted", part, key)
    return passages.quoted_part(part, key, context.get("quoted_passage"))


# ------------------------------------------------------------- answering a comment (closed round)


@register.simple_tag(takes_context=True)
def form_region(context, name: str, comment) -> str:
    """Around a thread's answer or reply form (`name`) on the shared round page: a hole, so that
    a form sent back with errors (the page without JavaScript) takes its place for that person
    only (page_cache.fill). Elsewhere nothing."""
    holes = context.get("holes")
    return holes.mark(name, comment.pk) if holes is not None else ""


@register.simple_tag(takes_context=True)
def answer_saved(context, comment) -> str:
    """ "The answer is saved", with the way to the next comment that waits, at the thread that
    was answered: a hole on the shared round page (filled for the person who answered), and on
    the other pages where the view says this comment was just answered."""
    holes = context.get("holes")
    if holes is not None:
        return holes.mark("saved", comment.pk)
    saved = context.get("answer_saved")
    if saved is None or saved.get("comment_id") != comment.pk:
        return ""
    return render_to_string("consultations/_answer_saved.html", saved)


@register.simple_tag
def answer_values(comment, form=None) -> dict:
    """What the answer form of `comment` shows: what was typed when `form` (sent back with its
    errors) is this comment's, else the answer given (or nothing chosen)."""
    if form is not None and getattr(form, "comment_id", None) == comment.pk:
        applied = form["applied_in"].value()
        return {
            "outcome": form["outcome"].value() or "",
            "rationale": form["rationale"].value() or "",
            "applied": int(applied) if str(applied or "").isdigit() else None,
            "errors": {
                name: errors[0] for name, errors in form.errors.items() if name != "__all__"
            },
            "refusal": " ".join(form.non_field_errors()),
        }
    disposition = comment.disposition_or_none
    return {
        "outcome": disposition.outcome if disposition else "",
        "rationale": disposition.rationale if disposition else "",
        "applied": disposition.applied_in_id if disposition else None,
        "errors": {},
        "refusal": "",
    }
