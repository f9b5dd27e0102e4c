"""The round page's list of consulted parties (in _party_status.html): per party its name, where
it stands (answered when, its position, the original; or overdue, drafting, invited), "Lämna in
ett svar" for those who may enter its response, and for those who run the round how it is
reached and the links it was sent. Built here rather than in the template: the page lists every
party, and the template's tags cost more than the rest of its list.

What a person may do is the policies' answer (`may` for the round, `c.may` for each party),
never decided here."""

from django import template
from django.template import defaultfilters
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from consultations import guests
from consultations.models import Consultee
from consultations.templatetags.round_page import csrf_input

register = template.Library()


def _day(moment) -> str:
    return defaultfilters.date(template_localtime(moment), "j b")


def _time(label: str, moment) -> SafeString:
    local = template_localtime(moment)
    return format_html(
        '<span>{} <time datetime="{}">{}</time></span>',
        label,
        local.isoformat(),  # what the date filter's "c" writes
        defaultfilters.date(local, "j b"),
    )


def _name(round_pk: int, c: Consultee) -> SafeString:
    if c.may.view_response and c.has_answered:
        return format_html(
            '<a href="{}">{}</a>', reverse("consultations:respond", args=(round_pk, c.pk)), c.party
        )
    return format_html("<span>{}</span>", c.party)


def _standing(review_round, c: Consultee, now) -> SafeString:
    """Answered (when, its position, the original), or what it is while it has not."""
    if c.has_answered:
        parts = [
            format_html('<span class="badge badge--success">{}</span>', c.get_status_display())
        ]
        response = getattr(c, "response", None)  # a party that declined may have none
        if response is not None:
            if response.submitted_at:
                parts.append(
                    format_html(
                        ' <span class="meta">{}</span>',
                        gettext("answered %(day)s") % {"day": _day(response.submitted_at)},
                    )
                )
            if response.position:
                parts.append(
                    format_html(' <span class="meta">{}</span>', response.get_position_display())
                )
            if c.may.view_response and response.attachment_name:
                parts.append(
                    format_html(
                        '\n      <a class="party__original" href="{}" download>{}'
                        '<span class="visually-hidden"> {} {}</span></a>',
                        reverse("consultations:attachment", args=(review_round.pk, c.pk)),
                        gettext("The original"),
                        gettext("from"),
                        c.party,
                    )
                )
        return mark_safe("".join(parts))  # noqa: S308 - each part escaped by format_html
    if review_round.closed_early:
        return format_html(
            '<span class="badge badge--neutral">{}</span>',
            gettext("Did not answer – the round was closed early"),
        )
    if review_round.has_closed or review_round.closes_at < now:
        return format_html('<span class="badge badge--danger">{}</span>', gettext("Overdue"))
    return format_html(
        '<span class="badge badge--{}">{}</span>',
        "info" if c.status == Consultee.Status.DRAFTING else "neutral",
        c.get_status_display(),
    )


def _reach(context, c: Consultee) -> SafeString:
    """How the party is reached and the links it was sent, with the chair's buttons."""
    may = context["may"]
    review_round = context["round"]
    r = c.reach
    p = r.guest_pass
    if r.by_people:
        how = format_html("<span>{}</span>", gettext("People in Samverka"))
    elif r.unreachable:
        how = format_html(
            '<strong class="party__unreachable">{}</strong>',
            gettext("Cannot be reached: %(why)s") % {"why": r.why_unreachable},
        )
        if c.organisation_id in context["reach"]["editable_organisations"]:
            how += format_html(
                '<a href="{}">{}<span class="visually-hidden"> ({})</span></a>',
                reverse("networks:edit_organisation", args=(c.organisation_id,)),
                gettext("Add its registry address"),
                c.party,
            )
    else:
        address = guests.masked(r.address)  # a party reached by link has an address
        if c.organisation_id:
            text = gettext("Guest link to the registry address %(address)s")
        else:
            text = gettext("Guest link to %(address)s")
        how = format_html("<span>{}</span>", text % {"address": address})
    sent = ""
    if p:
        if p.revoked_at:
            sent = _time(gettext("withdrawn"), p.revoked_at)
        elif p.last_sent_at:
            sent = _time(gettext("sent"), p.last_sent_at)
        else:
            sent = format_html("<span>{}</span>", gettext("on its way"))
        if p.opened_at:
            sent += format_html("\n      {}", _time(gettext("opened"), p.opened_at))
    elif r.by_link:
        if may.send_guest_links:
            note = gettext("no link sent yet")
        elif may.consult:
            note = gettext("The link goes out when the round opens.")
        else:
            note = gettext("no link was sent")
        sent = format_html("<span>{}</span>", note)
    actions = ""
    live_pass = p is not None and not p.revoked_at
    if may.send_guest_links and (r.by_link or live_pass):
        send = ""
        if r.by_link:
            send = format_html(
                '\n    <form method="post" action="{}">{}<button type="submit" class="button '
                'button--small button--secondary">{}<span class="visually-hidden"> ({})</span>'
                "</button></form>",
                reverse("consultations:send_link", args=(review_round.pk, c.pk)),
                csrf_input(context),
                gettext("Send the link again") if p else gettext("Send the link"),
                c.party,
            )
        withdraw = ""
        if live_pass:
            withdraw = format_html(
                '\n    <a href="{}">{}<span class="visually-hidden"> ({})</span></a>',
                reverse("consultations:withdraw_link", args=(review_round.pk, c.pk)),
                gettext("Withdraw the link"),
                c.party,
            )
        actions = format_html('\n  <div class="party__actions">{}{}\n  </div>', send, withdraw)
    return format_html(
        '\n<div class="party__reach stack" id="party-{}">\n  <p class="meta">\n    {}\n    {}\n'
        "  </p>{}\n</div>",
        c.pk,
        how,
        sent,
        actions,
    )


@register.simple_tag(takes_context=True)
def party_items(context) -> SafeString:
    """The list's items, one per party of `consultees`."""
    review_round = context["round"]
    now = context["now"]
    sees_reach = context["may"].see_reach
    items = []
    for c in context["consultees"]:
        enter = ""
        if c.may.enter_response:
            enter = format_html(
                '\n      <a class="party__enter" href="{}">{}<span class="visually-hidden"> {} {}'
                "</span></a>",
                reverse("consultations:enter_response", args=(review_round.pk, c.pk)),
                gettext("Enter a response"),
                gettext("for"),
                c.party,
            )
        items.append(
            format_html(
                '<li class="party">\n      {}\n      {}{}{}\n    </li>',
                _name(review_round.pk, c),
                _standing(review_round, c, now),
                enter,
                _reach(context, c) if sees_reach else "",
            )
        )
    return mark_safe("\n    ".join(items))  # noqa: S308 - each item escaped by format_html
