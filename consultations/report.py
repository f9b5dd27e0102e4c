"""The consultation report (sammanställning av remissvar): per section who said what and what
was done; per party its position and summary; who did not answer. On screen, .csv and .docx."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import docx
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from consultations.models import Comment, Consultee, Disposition, Response, ReviewRound


@dataclass
class ReportRow:
    comment: Comment
    disposition: Disposition | None


@dataclass
class ReportSection:
    key: str
    heading: str
    rows: list[ReportRow]


@dataclass
class Report:
    round: ReviewRound
    sections: list[ReportSection]
    responses: list[tuple[Consultee, Response]]
    missing: list[Consultee]
    total: int
    answered: int


def build(review_round: ReviewRound) -> Report:
    sections = sorted(review_round.version.sections.all(), key=lambda s: s.position)
    comments = list(
        Comment.objects.filter(round=review_round, parent__isnull=True, deleted_at__isnull=True)
        .select_related(
            "author", "on_behalf_of", "disposition__applied_in", "disposition__decided_by"
        )
        .order_by("created_at", "id")
    )
    by_key: dict[str, list[ReportRow]] = {}
    for comment in comments:
        disposition = getattr(comment, "disposition", None) if _has(comment) else None
        by_key.setdefault(comment.section_key, []).append(ReportRow(comment, disposition))
    report_sections = [ReportSection("", _("The whole document"), by_key.get("", []))]
    report_sections += [ReportSection(s.key, s.heading, by_key.get(s.key, [])) for s in sections]
    consultees = list(
        review_round.consultees.select_related("network", "organisation", "person", "response")
    )
    responses, missing = [], []
    for consultee in consultees:
        response = getattr(consultee, "response", None) if _has_response(consultee) else None
        if response is not None and response.state == Response.State.SUBMITTED:
            responses.append((consultee, response))
        else:
            missing.append(consultee)
    answered = sum(1 for c in comments if _has(c))
    return Report(review_round, report_sections, responses, missing, len(comments), answered)


def _has(comment: Comment) -> bool:
    try:
        return comment.disposition is not None
    except Disposition.DoesNotExist:
        return False


def _has_response(consultee: Consultee) -> bool:
    try:
        return consultee.response is not None
    except Response.DoesNotExist:
        return False


def _who(comment: Comment) -> str:
    name = comment.author.get_full_name()
    return f"{name} ({comment.on_behalf_of})" if comment.on_behalf_of_id else name


def _done(disposition: Disposition | None) -> tuple[str, str]:
    if disposition is None:
        return _("Not answered"), ""
    return str(disposition.get_outcome_display()), disposition.rationale


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")  # Excel in Swedish opens ;-separated files directly
    writer.writerow(
        [
            _("Section"),
            _("Passage"),
            _("Kind"),
            _("Comment"),
            _("Proposed text"),
            _("By"),
            _("Outcome"),
            _("Rationale"),
            _("Applied in version"),
        ]
    )
    for section in report.sections:
        for row in section.rows:
            outcome, rationale = _done(row.disposition)
            applied = (
                row.disposition.applied_in.number
                if row.disposition and row.disposition.applied_in
                else ""
            )
            writer.writerow(
                [
                    section.heading,
                    row.comment.quote_exact,
                    row.comment.get_kind_display(),
                    row.comment.body,
                    row.comment.proposed_text,
                    _who(row.comment),
                    outcome,
                    rationale,
                    applied,
                ]
            )
    writer.writerow([])
    writer.writerow([_("Party"), _("Position"), _("Summary"), _("Received")])
    for consultee, response in report.responses:
        writer.writerow(
            [
                str(consultee.party),
                response.get_position_display(),
                response.summary,
                response.get_received_via_display(),
            ]
        )
    for consultee in report.missing:
        writer.writerow([str(consultee.party), _("Did not answer"), "", ""])
    return "\ufeff" + out.getvalue()  # a BOM, so Excel reads å, ä and ö right


def to_docx(report: Report) -> bytes:
    review_round = report.round
    document = docx.Document()
    document.core_properties.title = str(review_round.title)
    document.add_paragraph(_("Consultation report"), style="Title")
    document.add_paragraph(review_round.title, style="Subtitle")
    version = review_round.version
    document.add_paragraph(
        _("%(document)s, version %(number)s (%(label)s). Checksum %(hash)s.")
        % {
            "document": version.title,
            "number": version.number,
            "label": version.label,
            "hash": version.short_hash,
        }
    )
    closed = review_round.closed_at or review_round.closes_at
    document.add_paragraph(
        _("Open %(opens)s – %(closes)s. %(answered)s of %(total)s comments answered.")
        % {
            "opens": date_format(
                timezone.localtime(review_round.opened_at or review_round.opens_at), "DATE_FORMAT"
            ),
            "closes": date_format(timezone.localtime(closed), "DATE_FORMAT"),
            "answered": report.answered,
            "total": report.total,
        }
    )
    document.add_heading(_("Responses"), level=1)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, [_("Party"), _("Position"), _("Summary")], strict=True
    ):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for consultee, response in report.responses:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = str(consultee.party), str(response.get_position_display())
        cells[2].text = response.summary
    for consultee in report.missing:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = str(consultee.party), _("Did not answer")
    document.add_heading(_("Comments and what was done with them"), level=1)
    for section in report.sections:
        if not section.rows:
            continue
        document.add_heading(section.heading, level=2)
        table = document.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells, [_("Comment"), _("By"), _("Outcome"), _("Rationale")], strict=True
        ):
            cell.text = text
            cell.paragraphs[0].runs[0].bold = True
        for row in section.rows:
            outcome, rationale = _done(row.disposition)
            text = row.comment.body
            if row.comment.quote_exact:
                text = f"”{row.comment.quote_exact}”: {text}"
            if row.comment.proposed_text:
                text += "\n" + _("Proposed: %(text)s") % {"text": row.comment.proposed_text}
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text, cells[3].text = (
                text,
                _who(row.comment),
                outcome,
                rationale,
            )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
