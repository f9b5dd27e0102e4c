"""Published versions: list, reading, comparing, history of the draft, export to Word."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header, urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from documents import selectors, services
from documents.views.drafting import _document_context
from networks.errors import DomainError


@login_required
def version_list(request, pk):
    document = selectors.get_document_for_user(request.user, pk)
    context = _document_context(request, document)
    context["versions"] = selectors.list_versions(document)
    return render(request, "documents/versions.html", context)


@login_required
def version_detail(request, pk, number):
    document = selectors.get_document_for_user(request.user, pk)
    version = selectors.get_version(document, number)
    sections, total_lix = selectors.version_sections(version)
    context = _document_context(request, document)
    context.update({"version": version, "sections": sections, "total_lix": total_lix})
    context["previous"] = (
        document.versions.filter(number__lt=version.number).order_by("-number").first()
    )
    return render(request, "documents/version_detail.html", context)


# The values of ?visning= on the comparison page.
INLINE = "inline"
SIDE_BY_SIDE = "sida-vid-sida"


@login_required
def compare(request, pk):
    document = selectors.get_document_for_user(request.user, pk)
    versions = selectors.list_versions(document)
    context = _document_context(request, document)
    context["versions"] = versions
    old_ref, new_ref = request.GET.get("from"), request.GET.get("to")
    if not old_ref or not new_ref:
        # A sensible first comparison: the two latest versions, or the latest and the draft.
        if len(versions) >= 2:
            old_ref, new_ref = str(versions[1].number), str(versions[0].number)
        elif versions:
            old_ref, new_ref = str(versions[0].number), selectors.DRAFT
    # Inline (the default) or side by side: links, so that the choice works without JavaScript
    # and can be shared; on a narrow screen the two columns stack.
    side_by_side = request.GET.get("visning") == SIDE_BY_SIDE
    context.update({"old_ref": old_ref, "new_ref": new_ref, "side_by_side": side_by_side})
    if old_ref and new_ref:
        old, new = selectors.side(document, old_ref), selectors.side(document, new_ref)
        context.update(
            {
                "old": old,
                "new": new,
                "diff": selectors.compare(old, new),
                "old_label": _side_label(old),
                "new_label": _side_label(new),
                "inline_url": "?" + urlencode({"from": old_ref, "to": new_ref, "visning": INLINE}),
                "side_url": "?"
                + urlencode({"from": old_ref, "to": new_ref, "visning": SIDE_BY_SIDE}),
            }
        )
    return render(request, "documents/compare.html", context)


def _side_label(side: selectors.Side) -> str:
    if side.version is None:
        return _("Working draft")
    return _("Version %(number)s (%(label)s)") % {
        "number": side.version.number,
        "label": side.version.label,
    }


@login_required
def document_history(request, pk):
    document = selectors.get_document_for_user(request.user, pk)
    context = _document_context(request, document)
    context["records"] = selectors.document_history(document)
    return render(request, "documents/history.html", context)


@login_required
def section_history(request, pk, key):
    document = selectors.get_document_for_user(request.user, pk)
    records = selectors.section_history(document, str(key)[:24])
    if not records:
        raise selectors.NotFound()
    context = _document_context(request, document)
    current = document.sections.filter(key=records[0].key).first()
    context.update({"records": records, "current": current, "key": records[0].key})
    return render(request, "documents/section_history.html", context)


@login_required
@require_POST
def section_restore(request, pk, key, history_id):
    document = selectors.get_document_for_user(request.user, pk)
    section = selectors.get_section(document, key)
    services.ensure_editable(request.user, document)
    try:
        services.restore_section_text(section, by_user=request.user, history_id=history_id)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("documents:section_history", pk=document.pk, key=section.key)
    messages.success(request, _("The older text is back in the draft. The change is recorded."))
    return redirect(f"{document.get_absolute_url()}#section-{section.key}")


@login_required
def export_docx(request, pk, number):
    document = selectors.get_document_for_user(request.user, pk)
    version = selectors.get_version(document, number)
    data = selectors.version_word_file(version)
    filename = f"{slugify(version.title)[:60] or 'dokument'}-v{version.number}.docx"
    response = HttpResponse(
        data,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
