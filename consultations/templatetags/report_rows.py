"""`{% report_rows section.rows %}`: the rows of a section's table of comments in the report.

They are written here, not in a loop of the template: a report is the whole record of a round,
every comment in it, and a round of 3,000 comments took a third of a second in the template
language alone (a dozen tags a row) against a few hundredths here. The markup is that of the
other tables of the page (`table--stacked`: each cell labelled for a narrow screen). Every text
from the database goes through `_text` or `_lines` (escaped as the template language escapes).
"""

import re
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from consultations.report import ReportRow

register = template.Library()

_NEW_LINES = re.compile(r"\r\n|\r")


def _text(value: str) -> str:
    return escape(value)  # Django's `escape` is this, with a check for lazy strings on each call


def _lines(value: str) -> str:
    """As `|linebreaksbr`: escaped, each line break a <br>."""
    return escape(_NEW_LINES.sub("\n", value)).replace("\n", "<br>")


@register.simple_tag
def report_rows(rows: list[ReportRow]) -> SafeString:
    comment, by, outcome, rationale = (
        _text(_("Comment")),
        _text(_("By")),
        _text(_("Outcome")),
        _text(_("Rationale")),
    )
    proposed = _text(_("Proposed text:"))
    not_answered = f'<span class="badge badge--warning">{_text(_("Not answered"))}</span>'
    html = []
    for row in rows:
        text = _lines(row.body)
        if row.quote:
            text = f"<q>{_text(row.quote)}</q> {text}"
        if row.proposed:
            text += f'<br><span class="meta">{proposed}</span> {_text(row.proposed)}'
        who = _text(row.author)
        if row.on_behalf:
            who += f'<br><span class="meta">{_text(row.on_behalf)}</span>'
        if not row.answered:
            done = not_answered
        elif row.applied:
            applied = _text(_("in version %(n)s") % {"n": row.applied})
            done = f'{_text(row.outcome)}<br><span class="meta">{applied}</span>'
        else:
            done = _text(row.outcome)
        html.append(
            f'<tr><td data-label="{comment}">{text}</td><td data-label="{by}">{who}</td>'
            f'<td data-label="{outcome}">{done}</td>'
            f'<td data-label="{rationale}">{_lines(row.rationale)}</td></tr>\n'
        )
    return mark_safe("".join(html))  # noqa: S308 - every text from the database escaped above
