"""The consultation report (sammanställning av remissvar): per section who said what and what
was done; per party its position and summary; per question of the round each party's answer;
who did not answer. On screen, .csv and .docx."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape as xml_escape

import docx
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from docx.oxml.ns import qn
from lxml import etree

from consultations.guests import signed_name
from consultations.models import Comment, Consultee, Disposition, Question, Response, ReviewRound
from documents.models import Version

log = logging.getLogger(__name__)


@dataclass
class ReportRow:
    """A comment (not a reply) as the report gives it: the words, who wrote them, and what was
    done with them, in the language the report is read in."""

    pk: int
    kind: str  # Remark, Question, Change proposal
    quote: str  # the passage it is anchored to, if any
    body: str
    proposed: str  # the proposed text of a change proposal
    author: str  # who wrote it (a guest with their title)
    on_behalf: str  # the organisation they wrote for, if any
    answered: bool  # whether it has a disposition
    outcome: str  # what was done with it; blank while it is not answered
    rationale: str
    applied: str  # the number of the version that applied it, if any


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
    rows = _rows(review_round)
    by_key: dict[str, list[ReportRow]] = {}
    for key, row in rows:
        by_key.setdefault(key, []).append(row)
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
    answered = sum(1 for _key, row in rows if row.answered)
    return Report(review_round, report_sections, responses, questions, missing, len(rows), answered)


def _rows(review_round: ReviewRound) -> list[tuple[str, ReportRow]]:
    """The round's comments (not the replies), oldest first, each with its section's key, in
    four queries however many there are: the comments, their dispositions, the document's
    versions (which applied them) and their authors. Plain values, not model instances; each
    table read by its index through the ids the rows before name (joined in one query, the
    planner read every disposition and every person in the country to find those of a round of
    3,000 comments)."""
    comments = list(
        Comment.objects.filter(round=review_round, parent__isnull=True, deleted_at__isnull=True)
        .order_by("created_at", "id")
        .values_list(
            "pk",
            "section_key",
            "kind",
            "quote_exact",
            "body",
            "proposed_text",
            "author_id",
            "on_behalf_of__name",  # organisations are few: joined
        )
    )
    if not comments:
        return []
    dispositions = {
        comment_id: (outcome, rationale, applied)
        for comment_id, outcome, rationale, applied in Disposition.objects.filter(
            comment_id__in=[c[0] for c in comments]
        ).values_list("comment_id", "outcome", "rationale", "applied_in_id")
    }
    # A disposition is applied in a version of the round's document (services.dispositions):
    # its versions, a few, are read whether or not any comment was applied, so that the report
    # costs the same queries on any round.
    numbers = dict(
        Version.objects.filter(document_id=review_round.document_id).values_list("pk", "number")
    )
    authors = {
        user.pk: signed_name(user)
        for user in get_user_model()
        .objects.filter(pk__in={c[6] for c in comments})
        .select_related("guest")
    }
    kinds = {value: str(label) for value, label in Comment.Kind.choices}
    outcomes = {value: str(label) for value, label in Disposition.Outcome.choices}
    rows = []
    for pk, key, kind, quote, body, proposed, author_id, on_behalf in comments:
        outcome, rationale, applied = dispositions.get(pk, ("", "", None))
        row = ReportRow(
            pk=pk,
            kind=kinds.get(kind, kind),
            quote=quote,
            body=body,
            proposed=proposed,
            author=authors.get(author_id, ""),
            on_behalf=on_behalf or "",
            answered=pk in dispositions,
            outcome=outcomes.get(outcome, outcome),
            rationale=rationale,
            applied=str(numbers[applied]) if applied in numbers else "",
        )
        rows.append((key, row))
    return rows


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


def _has_response(consultee: Consultee) -> bool:
    try:
        return consultee.response is not None
    except Response.DoesNotExist:
        return False


def _who(row: ReportRow) -> str:
    return f"{row.author} ({row.on_behalf})" if row.on_behalf else row.author


def _done(row: ReportRow) -> tuple[str, str]:
    if not row.answered:
        return _("Not answered"), ""
    return row.outcome, row.rationale


# OWASP's rule against CSV (formula) injection: a cell that begins with one of these is read as a
# formula by Excel and LibreOffice. Such a cell gets a single quote in front, which spreadsheets
# take as "this is text"; the rest of the cell is as typed.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


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
            outcome, rationale = _done(row)
            write(
                [
                    section.heading,
                    row.quote,
                    row.kind,
                    row.body,
                    row.proposed,
                    _who(row),
                    outcome,
                    rationale,
                    row.applied,
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


def _docx_cells(row: ReportRow) -> list[str]:
    outcome, rationale = _done(row)
    if row.applied:
        outcome += "\n" + _("Applied in version") + " " + row.applied
    text = row.body
    if row.quote:
        text = f"”{row.quote}”: {text}"
    if row.proposed:
        text += "\n" + _("Proposed: %(text)s") % {"text": row.proposed}
    return [text, _who(row), outcome, rationale]


def _table(document, headings: list[str], rows: Iterable[Sequence[str]]):
    """A table with a bold heading row and a row for each of `rows`."""
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    _add_rows(table, rows)
    return table


# The body rows of a report's tables are written as WordprocessingML and parsed once: a round of
# 3,000 comments took more than a second through python-docx's `add_row()` and `cell.text`, which
# look up and build every element one at a time; this writes the same elements (each cell one
# run, a line break `<w:br/>` for each new line and `<w:tab/>` for a tab, as `cell.text` does).
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# Characters XML 1.0 cannot hold (control characters other than tab and new lines).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_BREAKS = re.compile(r"(\r\n|\r|\n|\t)")


def _run(text: str) -> str:
    parts = []
    for part in _BREAKS.split(_NOT_XML.sub("", text)):
        if part == "\t":
            parts.append("<w:tab/>")
        elif part in ("\r\n", "\r", "\n"):
            parts.append("<w:br/>")
        elif part:
            parts.append(f'<w:t xml:space="preserve">{xml_escape(part)}</w:t>')
    return f"<w:p><w:r>{''.join(parts)}</w:r></w:p>"


def _add_rows(table, rows: Iterable[Sequence[str]]) -> None:
    header = table._tbl.tr_lst[0]
    widths = [tc.tcPr.tcW for tc in header.tc_lst]  # each column's, as python-docx set it
    cell_properties = [
        f'<w:tcPr><w:tcW w:type="{w.get(qn("w:type"))}" w:w="{w.get(qn("w:w"))}"/></w:tcPr>'
        for w in widths
    ]
    xml = "".join(
        "<w:tr>"
        + "".join(
            f"<w:tc>{properties}{_run(text)}</w:tc>"
            for properties, text in zip(cell_properties, row, strict=True)
        )
        + "</w:tr>"
        for row in rows
    )
    if xml:
        # lxml's own parser: python-docx's looks up a class for each element it makes
        table._tbl.extend(etree.fromstring(f'<w:tbl xmlns:w="{_W}">{xml}</w:tbl>'))


# A Word file is made from its plan: every text it holds, in order, as plain data. The file is
# kept in the cache under the plan's checksum, so that a report downloaded again unchanged is not
# written again (0.1 s for a round of 3,000 comments), and any change to what it says (a comment,
# an answer, a name, the reader's language, whether the original is linked for them) is a new
# checksum: there is nothing to invalidate.
DOCX_CACHE_SECONDS = 60 * 60 * 24


def to_docx(report: Report) -> bytes:
    plan = _docx_plan(report)
    digest = hashlib.sha256(json.dumps(plan, ensure_ascii=False).encode("utf-8")).hexdigest()
    key = f"report-docx:v1:{digest}"
    try:
        data = cache.get(key)
    except Exception:  # noqa: BLE001 - never a 500 because of the cache
        log.warning("The cache is not answering; writing the report's Word file")
        data = None
    if data is None:
        data = _write_docx(plan)
        try:
            cache.set(key, data, DOCX_CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            log.warning("The cache is not answering; not keeping the report's Word file")
    return data


def _docx_plan(report: Report) -> list:
    """What the Word file says, in order: ("title", text), ("subtitle", text), ("paragraph",
    text), ("heading", text, level) and ("table", headings, rows)."""
    review_round = report.round
    title = _("Consultation report")
    if report.preliminary:
        title = f"{title} – {_('preliminary')}"
    plan: list = [("properties", f"{title}: {review_round.title}")]
    plan += [("title", title), ("subtitle", review_round.title)]
    if report.preliminary:
        plan.append(
            ("paragraph", _("Preliminary: the report is not published yet, and may still change."))
        )
    version = review_round.version
    plan.append(
        (
            "paragraph",
            _("%(document)s, version %(number)s (%(label)s). Checksum %(hash)s.")
            % {
                "document": version.title,
                "number": version.number,
                "label": version.label,
                "hash": version.short_hash,
            },
        )
    )
    closed = review_round.closed_at or review_round.closes_at
    plan.append(
        (
            "paragraph",
            _("Open %(opens)s – %(closes)s. %(answered)s of %(total)s comments answered.")
            % {
                "opens": date_format(
                    timezone.localtime(review_round.opened_at or review_round.opens_at),
                    "DATE_FORMAT",
                ),
                "closes": date_format(timezone.localtime(closed), "DATE_FORMAT"),
                "answered": report.answered,
                "total": report.total,
            },
        )
    )
    plan.append(("heading", _("Responses"), 1))
    rows = []
    for party in report.responses:
        summary = [party.response.summary] if party.response.summary else []
        summary.append(f"{_('Received')}: {_received(party.response)}")
        if by := submitted_by(party.response):
            summary.append(f"{_('Submitted by')}: {by}")
        if party.original:
            summary.append(f"{_('The original')}: {party.original}")
        position = str(party.response.get_position_display())
        rows.append([str(party.consultee.party), position, "\n".join(summary)])
    rows += [[str(c.party), _("Did not answer"), ""] for c in report.missing]
    plan.append(("table", [_("Party"), _("Position"), _("Summary")], rows))
    if report.questions:
        plan.append(("heading", _("The round's questions and the answers"), 1))
        for number, item in enumerate(report.questions, start=1):
            plan.append(("heading", f"{number}. {item.question.text}", 2))
            if not item.answers:
                plan.append(("paragraph", _("No party answered this question.")))
                continue
            answers = [[str(answer.consultee.party), answer.text] for answer in item.answers]
            plan.append(("table", [_("Party"), _("Answer")], answers))
    plan.append(("heading", _("Comments and what was done with them"), 1))
    for section in report.sections:
        if not section.rows:
            continue
        plan.append(("heading", section.heading, 2))
        headings = [_("Comment"), _("By"), _("Outcome"), _("Rationale")]
        plan.append(("table", headings, [_docx_cells(row) for row in section.rows]))
    return plan


def _write_docx(plan: list) -> bytes:
    document = docx.Document()
    for kind, text, *rest in plan:
        if kind == "properties":
            document.core_properties.title = text
        elif kind == "title":
            document.add_paragraph(text, style="Title")
        elif kind == "subtitle":
            document.add_paragraph(text, style="Subtitle")
        elif kind == "paragraph":
            document.add_paragraph(text)
        elif kind == "heading":
            document.add_heading(text, level=rest[0])
        elif kind == "table":
            _table(document, text, rest[0])
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
