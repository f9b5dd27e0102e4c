"""Importing a Word file: upload, then a progress page until the document is ready."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from documents import docx_io, selectors, services
from documents.forms import ImportForm
from documents.models import DocxImport
from documents.views.htmx import login_required as htmx_login_required
from networks import registry
from networks.errors import DomainError
from networks.permissions import Action

# Messages of the checks made in the background, by the name the import records.
FAILURES = {cls.__name__: cls.default_message for cls in docx_io.DocxError.__subclasses__()}


@login_required
@require_http_methods(["GET", "POST"])
def import_docx(request, pk):
    network = selectors.get_network_for_documents(request.user, pk)
    registry.require(request.user, Action.CREATE_DOCUMENT, network)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.start_docx_import(
                network,
                by_user=request.user,
                filename=upload.name,
                data=upload,
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect(job)
    status = 400 if form.errors else 200
    return render(
        request, "documents/import.html", {"network": network, "form": form}, status=status
    )


@htmx_login_required
def import_status(request, pk):
    job = selectors.get_import_for_user(request.user, pk)
    context = {
        "job": job,
        "network": job.network,
        "failure": FAILURES.get(job.message, "") if job.state == DocxImport.State.FAILED else "",
        "working": job.state in (DocxImport.State.WAITING, DocxImport.State.PROCESSING),
    }
    if job.state == DocxImport.State.DONE and job.document and request.GET.get("go"):
        return redirect(job.document)
    template = "documents/_import_progress.html" if request.htmx else "documents/import_status.html"
    return render(request, template, context)
