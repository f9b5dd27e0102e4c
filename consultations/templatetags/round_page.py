"""The per-person parts of the round page's threads and forms, rendered for the viewer.

What a person may do on a comment is the comments' policy's answer
(consultations/policies/threads.py), never decided here.
"""

import functools
import uuid
from html import escape

from django import template
from django.template import defaultfilters
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext, ngettext

from consultations import anchoring, guests, passages
from consultations.models import Disposition
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
    return format_html(
        '<p><a class="button button--small button--link" href="{}">{}'
        '<span class="visually-hidden"> {}</span></a></p>',
        reverse("consultations:comment_edit", args=(review_round.pk, comment.pk)),
        gettext("Change or remove"),
        gettext("your comment"),
    )


# A comment as it shows in a thread, built here rather than with an {% include %} per comment
# (the round page shows some 40): _comment.html is this tag.
KIND_BADGES = {"proposal": "warning", "question": "info"}


@register.simple_tag(takes_context=True)
def comment_article(context, c) -> SafeString:
    """One comment: who wrote it (for which organisation), its kind, when, the passage it
    quotes, its text, the proposed text (with the changes marked), and its author's "Ändra
    eller ta bort"; a removed comment says so and nothing more."""
    classes = "comment"
    if c.parent_id:
        classes += " comment--reply"
    if c.is_deleted:
        classes += " comment--deleted"
        return format_html(
            '<article class="{}" id="comment-{}" aria-labelledby="comment-{}-by">\n'
            '  <p class="meta" id="comment-{}-by">{}</p>\n</article>',
            classes,
            c.pk,
            c.pk,
            c.pk,
            gettext("This comment was removed by its author."),
        )
    behalf = ""
    if c.on_behalf_of:
        behalf = format_html(
            ' <span class="meta">{}</span>',
            mark_safe(  # noqa: S308 - the organisation's name is escaped
                gettext("for %(org)s") % {"org": conditional_escape(c.on_behalf_of)}
            ),
        )
    kind = ""
    if not c.parent_id:
        kind = format_html(
            '<span class="badge badge--{}">{}</span>',
            KIND_BADGES.get(c.kind, "neutral"),
            c.get_kind_display(),
        )
    created = template_localtime(c.created_at)
    edited = format_html("<span>{}</span>", gettext("edited")) if c.edited_at else ""
    quote = ""
    if c.quote_exact:
        quote = format_html(
            '\n  <blockquote class="comment__quote"><span class="visually-hidden">{} </span>'
            "{}</blockquote>",
            gettext("About the passage:"),
            c.quote_exact,
        )
    proposal = ""
    if c.proposed_text:
        proposal = format_html(
            '\n  <div class="comment__proposal">\n    <p class="meta">{}</p>\n    {}\n  </div>',
            gettext("Proposed text:"),
            format_html('<p class="diff-p">{}</p>', c.proposal_diff)
            if c.quote_exact
            else format_html(
                '<div class="source">{}</div>', defaultfilters.linebreaks_filter(c.proposed_text)
            ),
        )
    return format_html(
        '<article class="{}" id="comment-{}" aria-labelledby="comment-{}-by">\n'
        '  <header class="comment__head">\n'
        '    <p class="comment__by" id="comment-{}-by"><strong>{}</strong>{}</p>\n'
        '    <p class="meta">{}<time datetime="{}">{}</time>{}</p>\n'
        "  </header>{}\n"
        '  <div class="comment__body">{}</div>{}\n  {}\n</article>',
        classes,
        c.pk,
        c.pk,
        c.pk,
        guests.signed_name(c.author),
        behalf,
        kind,
        created.isoformat(),  # what the date filter's "c" writes
        defaultfilters.date(created, "DATETIME_FORMAT"),
        edited,
        quote,
        defaultfilters.linebreaks_filter(c.body),
        proposal,
        own_comment_link(context, c),
    )


def csrf_input(context) -> str:
    """What {% csrf_token %} writes."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


@register.simple_tag(takes_context=True)
def reply_form(context, t) -> SafeString:
    """A thread's "Svara" and its form (_reply_form.html is this tag), open with what was typed
    and its errors when the reply form sent back (`reply_form`) is this thread's. Built here:
    the round page has one per thread it shows."""
    pk = t.comment.pk
    form = context.get("reply_form")
    mine = getattr(form, "comment_id", None) == pk
    error = form["body"].errors[0] if mine and form["body"].errors else ""
    refusal = ""
    if mine and form.non_field_errors():
        refusal = format_html(
            '\n      <div class="form-errors" role="alert" id="reply-{}-refusal"><p>{}</p></div>',
            pk,
            " ".join(form.non_field_errors()),
        )
    error_line = ""
    invalid = ""
    if error:
        error_line = format_html(
            '\n        <p class="field__error" id="reply-{}_error"><span class="visually-hidden">'
            "{} </span>{}</p>",
            pk,
            gettext("Error:"),
            error,
        )
        invalid = format_html(' aria-invalid="true" aria-describedby="reply-{}_error"', pk)
    return format_html(
        '<details class="thread__reply"{}>\n    <summary>{}</summary>\n'
        '    <form method="post" action="{}" class="form stack">\n'
        '      {}<input type="hidden" name="idempotency_key" value="{}">{}\n'
        '      <div class="field{}"><label for="reply-{}">{}</label>{}\n'
        '        <textarea id="reply-{}" name="body" rows="2" required maxlength="20000"{}>{}'
        "</textarea></div>\n"
        '      <div class="button-row"><button type="submit" class="button button--small '
        'button--primary">{}</button></div>\n    </form>\n  </details>',
        mark_safe(" open") if mine else "",
        gettext("Reply"),
        reverse("consultations:reply_add", args=(context["round"].pk, pk)),
        csrf_input(context),
        idempotency_key(context, form, pk),
        refusal,
        " field--error" if error else "",
        pk,
        gettext("Your reply"),
        error_line,
        pk,
        invalid,
        (form["body"].value() or "") if mine else "",
        gettext("Send reply"),
    )


DISPOSITION_BADGES = {
    Disposition.Outcome.ACCEPTED: "success",
    Disposition.Outcome.REJECTED: "danger",
    Disposition.Outcome.PARTLY_ACCEPTED: "warning",
}


@register.simple_tag(takes_context=True)
def thread(context, t) -> SafeString:
    """A thread (_thread.html is this tag): its comment, the answer given, "Visa N tidigare
    svar", the replies shown, and the reply and answer forms the person may use (or a form sent
    back with its errors, or the text kept from a refused one). Built here: the round page
    shows some ten, each with a few comments."""
    comment = t.comment
    pk = comment.pk
    may = comment_may(context, comment)
    sent_back = context.get("sent_back")
    sequence = context.get("thread_sequence")
    parts = [
        format_html(
            '<div class="thread" id="thread-{}" data-section="{}"{}{}>\n  ',
            pk,
            comment.section_key,
            mark_safe(' tabindex="-1"') if CommentAction.ANSWER in may else "",
            format_html(' data-sequence="{}"', sequence) if sequence else "",
        )
    ]
    if CommentAction.ANSWER in may:
        parts.append(answer_saved(context, comment))
    parts.append("\n  ")
    parts.append(comment_article(context, comment))
    parts.append("\n  \n  ")
    disposition = comment.disposition_or_none
    if disposition is not None:
        decided = template_localtime(disposition.decided_at)
        applied = ""
        if disposition.applied_in_id:
            applied = " · " + gettext("applied in version %(n)s") % {
                "n": disposition.applied_in.number
            }
        parts.append(
            format_html(
                '\n  <div class="disposition disposition--{}">\n    <p><span class="badge '
                'badge--{}">{}</span> <span class="meta">{} · <time datetime="{}">{}</time>{}'
                "</span></p>\n    <p>{}</p>\n  </div>\n  ",
                disposition.outcome,
                DISPOSITION_BADGES.get(disposition.outcome, "neutral"),
                disposition.get_outcome_display(),
                disposition.decided_by.get_full_name(),
                decided.isoformat(),
                defaultfilters.date(decided),
                applied,
                defaultfilters.linebreaksbr(disposition.rationale, autoescape=True),
            )
        )
    parts.append("\n  ")
    if t.hidden_replies:
        more = ngettext(
            "Show %(counter)s earlier reply", "Show %(counter)s earlier replies", t.hidden_replies
        ) % {"counter": t.hidden_replies}
        parts.append(
            format_html(
                '<p class="thread__more"><a href="{}">{}</a></p>',
                reverse("consultations:thread", args=(context["round"].pk, pk)),
                more,
            )
        )
    parts.append("\n  ")
    parts.extend(comment_article(context, r) for r in t.replies)
    parts.append("\n  ")
    with context.push(t=t, may=may):  # as the forms' templates read them
        parts.append(_thread_form(context, t, "reply", CommentAction.REPLY in may, sent_back))
        parts.append("\n  ")
        parts.append(_thread_form(context, t, "answer", CommentAction.ANSWER in may, sent_back))
    parts.append("\n</div>\n")
    return mark_safe("".join(parts))  # noqa: S308 - each part escaped by format_html or its tag


def _thread_form(context, t, region: str, allowed: bool, sent_back) -> str:
    """The thread's reply or answer form: sent back with its errors, the form itself, or the
    text kept from a refused one."""
    pk = t.comment.pk
    if sent_back and sent_back.html and sent_back.region == region and sent_back.comment_id == pk:
        return sent_back.html
    engine = context.template.engine
    if allowed:
        if region == "reply":
            return reply_form(context, t)
        return engine.get_template("consultations/_answer_form.html").render(context)
    kept = context.get(f"{region}_form")
    if getattr(kept, "comment_id", None) == pk:
        with context.push(kept=kept, region=region):
            return engine.get_template("consultations/_kept_text.html").render(context)
    return ""


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


@register.simple_tag(takes_context=True)
def idempotency_key(context, form=None, comment_id=None) -> str:
    """The hidden key of a comment or reply form: new each time the form is rendered, so that
    the form sent twice (its answer lost) is one post and two forms are two
    (consultations/services/comments.py). `form`: a reply form sent back with its errors keeps
    its key at its thread (`comment_id`)."""
    if getattr(form, "is_bound", False) and getattr(form, "comment_id", None) == comment_id:
        return form["idempotency_key"].value()
    return str(uuid.uuid4())


@register.simple_tag(takes_context=True)
def section_text(context, item, may_comment: bool) -> SafeString:
    """The section's text with its passages marked (consultations/passages.py): how many comments
    quote each one, linked to the first of their threads (through the section shown in full,
    `?avsnitt=`: the page opens with some of its threads; the page's script goes to a thread it
    shows without loading again), and "Kommentera stycket" for those who may comment."""
    section = item.section
    quotes = tuple((pk, a.exact, a.prefix, a.suffix) for pk, a in item.quotes)
    return mark_safe(  # noqa: S308 - see _marked_text
        _marked_text(
            str(section.html),
            section.key,
            section.heading,
            context.get("round_url") or context["round"].get_absolute_url(),
            may_comment,
            get_language(),
            quotes,
        )
    )


# ------------------------------------------------------------------ the sections of the round page
# Built here rather than with an {% include %} per section: the page has some 60 sections, most
# of them without a thread shown, and an include in a loop costs more than the few tags it holds.


@register.simple_tag(takes_context=True)
def round_sections(context, sections, may_comment: bool) -> SafeString:
    """Every section of the round's text (`sections`: LightPage.sections) with its count, its
    text (`section_text`), its threads (`section_threads`) and "Kommentera avsnittet"."""
    # Plain string formatting with each text escaped (html.escape, as Django's escape does):
    # the page has some 60 sections, and format_html's per-argument checks added up.
    selection = escape(gettext("Comment on the selected passage"))
    parts = []
    for item in sections:
        key = escape(item.key)
        parts.append(
            f'<section class="doc-section round-section" id="section-{key}" '
            f'aria-labelledby="heading-{key}">\n  <div class="doc-section__head">\n'
            f'    <h2 id="heading-{key}">{escape(item.section.heading)}</h2>\n'
            f"    {section_count(item)}\n  </div>\n"
            f'  <div class="prose" data-section-key="{key}">'
            f"{section_text(context, item, may_comment)}</div>\n"
        )
        if may_comment:
            parts.append(
                '  <p><button type="button" class="button button--small button--secondary" '
                f'data-comment-selection="{key}" hidden>{selection}</button></p>\n'
            )
        parts.append(section_threads(context, item))
        if may_comment:
            parts.append(comment_here(context, item))
        parts.append("\n</section>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every text escaped above or by its tag


@register.simple_tag
def section_count(item) -> SafeString:
    """A section's number of comments (the live updates change it)."""
    count = item.count
    text = ngettext("%(counter)s comment", "%(counter)s comments", count) % {"counter": count}
    return mark_safe(  # noqa: S308 - escaped
        f'<span class="meta" data-section-count="{escape(item.key)}">{escape(text)}</span>'
    )


@register.simple_tag(takes_context=True)
def section_threads(context, item) -> SafeString:
    """A section's threads: those the page opens with, or (the fragment "Visa alla" loads, or
    ?avsnitt=) all of them, with "Visar 1 av 41 synpunkter – Visa alla 41 synpunkter i
    avsnittet" when some are not shown. Each thread is _thread.html."""
    key = item.key
    count = item.count
    if not count:  # most sections: nothing but the place live updates add a thread to
        return mark_safe(  # noqa: S308 - escaped
            f'<div class="stack threads" data-threads="{escape(key)}" '
            f'id="threads-{escape(item.link_key)}">\n</div>'
        )
    heading = conditional_escape(item.section.heading) if key else ""
    attributes = ""
    if count:
        label = (
            gettext("Comments on %(heading)s") % {"heading": heading}
            if key
            else gettext("Comments on the whole document")
        )
        attributes = format_html(
            ' tabindex="-1" role="group" aria-label="{}"',
            mark_safe(label),  # noqa: S308 - the heading is escaped above
        )
    parts = [
        format_html(
            '<div class="stack threads" data-threads="{}" id="threads-{}"{}>\n',
            key,
            item.link_key,
            attributes,
        )
    ]
    if item.threads:
        with context.push():
            for t in item.threads:
                context["t"] = t
                parts.append(thread(context, t))
    if not item.complete:
        shown = len(item.threads)
        showing = ngettext(
            "Showing %(shown)s of %(counter)s comment",
            "Showing %(shown)s of %(counter)s comments",
            count,
        ) % {"shown": shown, "counter": count}
        if key:
            show_all = ngettext(
                "Show all %(counter)s comment in the section",
                "Show all %(counter)s comments in the section",
                count,
            ) % {"counter": count}
            hidden = format_html('<span class="visually-hidden"> {}</span>', heading)
        else:
            show_all = ngettext(
                "Show all %(counter)s comment on the whole document",
                "Show all %(counter)s comments on the whole document",
                count,
            ) % {"counter": count}
            hidden = ""
        base = context.get("round_url") or context["round"].get_absolute_url()
        link_key = item.link_key
        parts.append(
            format_html(
                '  <p class="threads__more" data-threads-more="{}" data-shown="{}">\n'
                "    <span data-showing>{}</span> –\n"
                '    <a href="{}?avsnitt={}#threads-{}" hx-get="{}sections/{}/threads/" '
                'hx-target="#threads-{}" hx-swap="outerHTML" data-show-all>'
                "<span data-show-all-text>{}</span>{}</a>\n  </p>\n",
                key,
                shown,
                showing,
                base,
                link_key,
                link_key,
                base,
                link_key,
                link_key,
                show_all,
                hidden,
            )
        )
    parts.append(mark_safe("</div>"))
    return mark_safe("".join(parts))  # noqa: S308 - each part escaped by format_html


@register.simple_tag(takes_context=True)
def comment_here(context, item) -> SafeString:
    """ "Kommentera avsnittet" (`?kommentera=<key>`), and the page's one comment form where it
    stands (`comment_at`)."""
    key = item.key
    here = context.get("comment_at") == key
    if key:
        label = escape(gettext("Comment on the section"))
        text = f'{label}<span class="visually-hidden"> {escape(item.section.heading)}</span>'
    else:
        text = escape(gettext("Comment on the whole document"))
    base = escape(context.get("round_url") or context["round"].get_absolute_url())
    form = ""
    if here:
        with context.push(item=item):
            form = context.template.engine.get_template("consultations/_comment_form.html").render(
                context
            )
    link, key = escape(item.link_key), escape(key)
    return mark_safe(  # noqa: S308 - every text escaped above, the form by its template
        f'\n  <p class="comment-here"{" hidden" if here else ""}><a class="button button--small '
        f'button--secondary" id="comment-here-{link}" href="{base}?kommentera={link}'
        f'#comment-form" data-comment-here="{key}">{text}</a></p>\n'
        f'<div data-comment-spot="{key}">{form}</div>'
    )


@functools.lru_cache(maxsize=4096)
def _marked_text(
    html: str, key: str, heading: str, base: str, may_comment: bool, language: str, quotes: tuple
) -> str:
    """`section_text`, a function of its arguments alone: kept for the texts and quotes that come
    again (every view of a round until a comment quotes a passage of the section)."""
    found = passages.passages(html)
    if not found:
        return html
    quoted = passages.quoted_counts(
        html, found, ((pk, anchoring.Anchor(*quote)) for pk, *quote in quotes)
    )
    if not quoted and not may_comment:
        return html
    with translation.override(language):
        label = gettext("Comment on the passage")
        where = gettext("%(number)s in %(section)s")
        counts = {
            n: ngettext("%(count)s comment", "%(count)s comments", n) % {"count": n}
            for n in {len(ids) for ids in quoted.values()}
        }

    def control(passage: passages.Passage) -> str:
        threads = quoted.get(passage.number, [])
        if not threads and not may_comment:
            return ""
        count = (
            format_html(
                '<a class="passage__count" href="{}?avsnitt={}#thread-{}">{}</a>',
                base,
                key,
                threads[0],
                counts[len(threads)],
            )
            if threads
            else ""
        )
        link = (
            format_html(
                '<a class="passage__comment" href="{}?stycke={}:{}#comment-form">{}'
                '<span class="visually-hidden"> {}</span></a>',
                base,
                key,
                passage.number,
                label,
                where % {"number": passage.number, "section": heading},
            )
            if may_comment
            else ""
        )
        return format_html(' <span class="passage" data-passage-ui>{}{}</span>', count, link)

    # Cleaned by nh3 (documents.markdown); the controls are escaped by format_html.
    return passages.with_controls(html, found, control)


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
