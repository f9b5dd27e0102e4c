from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from consultations import report as reports
from consultations import selectors
from consultations.policies import rounds as round_policy
from consultations.views.rounds import _round_context
from networks.errors import NotFound


def _build(request, review_round, *, absolute=False) -> reports.Report:
    """The report, with the originals of the responses linked for the reader who may see them
    (as full addresses in the files, which are read outside the site)."""
    data = reports.build(review_round)
    round_policy.on_parties(request.user, review_round, [p.consultee for p in data.responses])
    for party in data.responses:
        if party.consultee.may.view_response and party.response.attachment_name:
            url = reverse("consultations:attachment", args=[review_round.pk, party.consultee.pk])
            party.original = request.build_absolute_uri(url) if absolute else url
    return data


@login_required
def report(request, pk):
    review_round = selectors.get_round_for_user(request.user, pk)
    context = _round_context(request, review_round)
    context["report"] = _build(request, review_round)
    return render(request, "consultations/report.html", context)


@login_required
def report_file(request, pk, fmt):
    review_round = selectors.get_round_for_user(request.user, pk)
    if fmt not in ("csv", "docx"):
        raise NotFound()
    data = _build(request, review_round, absolute=True)
    name = f"{slugify(review_round.title)[:60] or 'remiss'}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(reports.to_csv(data), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            reports.to_docx(data),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
