"""The consultation report (sammanställning av remissvar): per section who said what and what
was done; per party its position and summary; per question of the round each party's answer;
who did not answer. On screen, .csv and .docx."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import docx
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from consultations.guests import signed_name
from consultations.models import Comment, Consultee, Disposition, Question, Response, ReviewRound


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
class PartyResponse:
    consultee: Consultee
    response: Response
    # Where the original (the letter, the e-mail) is, filled in by the view for the reader who
    # may see it; blank otherwise.
    original: str = ""


@dataclass
class PartyAnswer:
    consultee: Consultee
    text: str


@dataclass
class QuestionAnswers:
    question: Question
    answers: list[PartyAnswer]  # the parties that answered it, in the order of the responses


@dataclass
class Report:
    round: ReviewRound
    sections: list[ReportSection]
    responses: list[PartyResponse]
    questions: list[QuestionAnswers]
    missing: list[Consultee]
    total: int
    answered: int

    @property
    def preliminary(self) -> bool:
        """Until the round's report is published, it may still change."""
        return self.round.status != ReviewRound.Status.REPORTED


def build(review_round: ReviewRound) -> Report:
    sections = sorted(review_round.version.sections.all(), key=lambda s: s.position)
    comments = list(
        Comment.objects.filter(round=review_round, parent__isnull=True, deleted_at__isnull=True)
        .select_related(
            "author__guest", "on_behalf_of", "disposition__applied_in", "disposition__decided_by"
        )
        .order_by("created_at", "id")
    )
    by_key: dict[str, list[ReportRow]] = {}
    for comment in comments:
        disposition = getattr(comment, "disposition", None) if _has(comment) else None
        by_key.setdefault(comment.section_key, []).append(ReportRow(comment, disposition))
    report_sections = [ReportSection("", _("The whole document"), by_key.get("", []))]
    report_sections += [ReportSection(s.key, s.heading, by_key.get(s.key, [])) for s in sections]
    responses, missing = [], []
    for consultee in _parties(review_round):
        response = getattr(consultee, "response", None) if _has_response(consultee) else None
        if response is not None and response.state == Response.State.SUBMITTED:
            responses.append(PartyResponse(consultee, response))
        else:
            missing.append(consultee)
    questions = [
        QuestionAnswers(
            question,
            [
                PartyAnswer(party.consultee, text)
                for party in responses
                if (text := str(party.response.answers.get(str(question.pk), "")).strip())
            ],
        )
        for question in review_round.questions.all()
    ]
    answered = sum(1 for c in comments if _has(c))
    return Report(
        review_round, report_sections, responses, questions, missing, len(comments), answered
    )


def _parties(review_round: ReviewRound) -> list[Consultee]:
    """The round's consulted parties with their responses, by name."""
    consultees = list(
        review_round.consultees.select_related("network", "organisation", "person", "response")
        .select_related("response__approved_by__guest")  # who submitted it, a guest's title
        .order_by("organisation__name", "network__name", "person__full_name", "pk")
    )
    for consultee in consultees:
        consultee.round = review_round
    return consultees


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
    name = signed_name(comment.author)
    return f"{name} ({comment.on_behalf_of})" if comment.on_behalf_of_id else name


def _done(disposition: Disposition | None) -> tuple[str, str]:
    if disposition is None:
        return _("Not answered"), ""
    return str(disposition.get_outcome_display()), disposition.rationale


# OWASP's rule against CSV (formula) injection: a cell that begins with one of these is read as a
# formula by Excel and LibreOffice. Such a cell gets a single quote in front, which spreadsheets
# take as "this is text"; the rest of the cell is as typed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _applied(disposition: Disposition | None) -> str:
    if disposition is None or disposition.applied_in_id is None:
        return ""
    return str(disposition.applied_in.number)


def submitted_by(response: Response) -> str:
    """Who approved and submitted the response on the web (a guest with their title); blank for
    one entered from a letter or an e-mail."""
    return signed_name(response.approved_by)


def _received(response: Response) -> str:
    when = response.received_at or response.submitted_at
    text = str(response.get_received_via_display())
    return f"{text}, {date_format(timezone.localtime(when), 'DATE_FORMAT')}" if when else text


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")  # Excel in Swedish opens ;-separated files directly

    def write(cells) -> None:
        writer.writerow([_cell(cell) for cell in cells])

    write(
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
            write(
                [
                    section.heading,
                    row.comment.quote_exact,
                    row.comment.get_kind_display(),
                    row.comment.body,
                    row.comment.proposed_text,
                    _who(row.comment),
                    outcome,
                    rationale,
                    _applied(row.disposition),
                ]
            )
    write([])
    write(
        [
            _("Party"),
            _("Position"),
            _("Summary"),
            _("Received"),
            _("Submitted by"),
            _("The original"),
        ]
    )
    for party in report.responses:
        write(
            [
                str(party.consultee.party),
                party.response.get_position_display(),
                party.response.summary,
                _received(party.response),
                submitted_by(party.response),
                party.original,
            ]
        )
    for consultee in report.missing:
        write([str(consultee.party), _("Did not answer"), "", "", "", ""])
    if report.questions:
        write([])
        write([_("Question"), _("Party"), _("Answer")])
        for item in report.questions:
            if not item.answers:
                write([item.question.text, "", _("No party answered this question.")])
            for answer in item.answers:
                write([item.question.text, str(answer.consultee.party), answer.text])
    return "\ufeff" + out.getvalue()  # a BOM, so Excel reads å, ä and ö right


def _table(document, headings: list[str]):
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    return table


def to_docx(report: Report) -> bytes:
    review_round = report.round
    document = docx.Document()
    title = _("Consultation report")
    if report.preliminary:
        title = f"{title} – {_('preliminary')}"
    document.core_properties.title = f"{title}: {review_round.title}"
    document.add_paragraph(title, style="Title")
    document.add_paragraph(review_round.title, style="Subtitle")
    if report.preliminary:
        document.add_paragraph(
            _("Preliminary: the report is not published yet, and may still change.")
        )
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
    table = _table(document, [_("Party"), _("Position"), _("Summary")])
    for party in report.responses:
        cells = table.add_row().cells
        cells[0].text = str(party.consultee.party)
        cells[1].text = str(party.response.get_position_display())
        summary = [party.response.summary] if party.response.summary else []
        summary.append(f"{_('Received')}: {_received(party.response)}")
        if by := submitted_by(party.response):
            summary.append(f"{_('Submitted by')}: {by}")
        if party.original:
            summary.append(f"{_('The original')}: {party.original}")
        cells[2].text = "\n".join(summary)
    for consultee in report.missing:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = str(consultee.party), _("Did not answer")
    if report.questions:
        document.add_heading(_("The round's questions and the answers"), level=1)
        for number, item in enumerate(report.questions, start=1):
            document.add_heading(f"{number}. {item.question.text}", level=2)
            if not item.answers:
                document.add_paragraph(_("No party answered this question."))
                continue
            table = _table(document, [_("Party"), _("Answer")])
            for answer in item.answers:
                cells = table.add_row().cells
                cells[0].text, cells[1].text = str(answer.consultee.party), answer.text
    document.add_heading(_("Comments and what was done with them"), level=1)
    for section in report.sections:
        if not section.rows:
            continue
        document.add_heading(section.heading, level=2)
        table = _table(document, [_("Comment"), _("By"), _("Outcome"), _("Rationale")])
        for row in section.rows:
            outcome, rationale = _done(row.disposition)
            if applied := _applied(row.disposition):
                outcome += "\n" + _("Applied in version") + " " + applied
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
