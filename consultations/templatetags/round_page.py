"""The per-person parts of the round page's threads and forms, rendered for the viewer.

What a person may do on a comment is the comments' policy's answer
(consultations/policies/threads.py), never decided here.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from consultations import guests, passages
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
    if not threads.may_edit_own(context.get("user"), review_round, comment.author_id):
        return ""
    return render_to_string(
        "consultations/_own_comment.html", {"round": review_round, "comment_id": comment.pk}
    )


@register.simple_tag(takes_context=True)
def on_behalf_field(context, key: str) -> str:
    """The choice of organisation to comment for, for those who speak for one."""
    organisations = context.get("organisations")
    if not organisations:
        return ""
    return render_to_string(
        "consultations/_on_behalf.html",
        {"key": key, "organisations": organisations, "chosen": context.get("chosen")},
    )


@register.filter
def masked(address: str) -> str:
    """An address shown as r•••••@kumla.se (consultations.guests.masked)."""
    return guests.masked(address) if address else ""


@register.simple_tag(takes_context=True)
def section_text(context, item, may_comment: bool) -> SafeString:
    """The section's text with its passages marked (consultations/passages.py): how many comments
    quote each one, linked to the first of their threads (on the page, or the section shown in
    full when it is not), and "Kommentera stycket" for those who may comment."""
    section = item.section
    html = str(section.html)
    found = passages.passages(html)
    if not found:
        return section.html
    quoted = passages.quoted_counts(html, found, item.quotes)
    if not quoted and not may_comment:
        return section.html
    base = context["round"].get_absolute_url()
    page = context["page"]
    label = gettext("Comment on the passage")

    def control(passage: passages.Passage) -> str:
        threads = quoted.get(passage.number, [])
        if not threads and not may_comment:
            return ""
        count = (
            format_html(
                '<a class="passage__count" href="{}">{}</a>',
                page.href_of(threads[0], base),
                ngettext("%(count)s comment", "%(count)s comments", len(threads))
                % {"count": len(threads)},
            )
            if threads
            else ""
        )
        link = (
            format_html(
                '<a class="passage__comment" href="{}?stycke={}:{}#comment-form" '
                'data-passage="{}">{}<span class="visually-hidden"> {}</span></a>',
                base,
                section.key,
                passage.number,
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
    quote)."""
    return passages.quoted_part(part, key, context.get("quoted_passage"))


# ------------------------------------------------------------- answering a comment (closed round)


@register.simple_tag(takes_context=True)
def answer_saved(context, comment) -> str:
    """ "The answer is saved", with the way to the next comment that waits, at the thread that
    was answered, where the view says this comment was just answered."""
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
