"""The working draft: document list, document page, section editing, structure, publishing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from documents import selectors, services
from documents.diff import SectionText, diff_documents
from documents.errors import DocumentLocked, EditConflict, SectionGone
from documents.forms import DocumentForm, PublishForm, SectionForm
from documents.process import banners_for, process_of
from documents.views.htmx import login_required as htmx_login_required
from documents.views.htmx import refresh_with_message
from networks import registry
from networks.errors import DomainError, NotAllowed, NotFound
from networks.permissions import Action

# `?show=draft` on an adopted document's page: the working draft, not the adopted version.
SHOW_DRAFT = "draft"


@login_required
@require_http_methods(["GET", "POST"])
def network_documents(request, pk):
    network = selectors.get_network_for_documents(request.user, pk)
    actions = registry.actions(request.user, network)
    form = DocumentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        registry.require(request.user, Action.CREATE_DOCUMENT, network)
        if form.is_valid():
            try:
                document = services.create_document(
                    network,
                    by_user=request.user,
                    title=form.cleaned_data["title"],
                    kind=form.cleaned_data["kind"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The document was created. Add its first section."))
                return redirect(document)
        status = 400
    return render(
        request,
        "documents/network_documents.html",
        {
            "network": network,
            "documents": selectors.list_documents(selectors.document_networks(network)),
            "can_create": Action.CREATE_DOCUMENT in actions,
            "can_view_network": Action.VIEW_NETWORK in actions,
            "can_manage": Action.MANAGE_MEMBERS in actions,
            "form": form,
        },
        status=status,
    )


def _document_context(request, document):
    actions = registry.actions(request.user, document)
    return {
        "document": document,
        "network": document.network,
        "actions": actions,
        "may": actions,
        "can_view_network": Action.VIEW_NETWORK in registry.actions(request.user, document.network),
    }


@login_required
def document_detail(request, pk):
    """The document's page: where it is in its process, and its text (an adopted document opens
    on the version it was adopted in; `?show=draft` shows the working draft)."""
    document = selectors.get_document_for_user(request.user, pk)
    text = selectors.document_text(document, want_draft=request.GET.get("show") == SHOW_DRAFT)
    context = _document_context(request, document)
    context.update(
        {
            "doc_text": text,
            "sections": text.sections,
            "total_lix": text.lix,
            "latest": document.versions.order_by("-number").first(),
            "doc_process": process_of(document),
            "doc_banners": banners_for(request.user, document),
            "show_draft": SHOW_DRAFT,
            "new_section_form": SectionForm(prefix="new"),
        }
    )
    return render(request, "documents/document_detail.html", context)


def _section_page(
    request, document, section, form, *, status=200, conflict=None, gone=False, refused=None
):
    context = _document_context(request, document)
    context.update(
        {"section": section, "form": form, "conflict": conflict, "gone": gone, "refused": refused}
    )
    template = "documents/_section_form.html" if request.htmx else "documents/section_edit.html"
    return render(request, template, context, status=status)


def _read_section(request, document, key, **extra):
    """The section as the document page shows it, for htmx to put back in its place."""
    rendered, _lix = selectors.working_draft(document)
    match = next(s for s in rendered if s.key == key)
    return render(
        request,
        "documents/_section.html",
        {**_document_context(request, document), "section": match, **extra},
        status=409 if extra.get("refusal") else 200,
    )


@htmx_login_required
@require_http_methods(["GET", "POST"])
def section_edit(request, pk, key):
    document = selectors.get_document_for_user(request.user, pk)
    try:
        if request.method == "GET":
            return _section_edit_form(request, document, key)
        return _section_save(request, document, key)
    except NotAllowed as error:
        if request.htmx:
            return refresh_with_message(request, error.message)
        raise
    except NotFound:
        if request.htmx:  # the document is visible: it is the section that was removed
            removed = _("Someone else removed this section a moment ago.")
            return _section_page(request, document, None, None, status=409, gone=removed)
        raise


def _section_edit_form(request, document, key):
    section = selectors.get_section(document, key)
    try:
        services.ensure_editable(request.user, document)
    except DocumentLocked as locked:
        if request.htmx:  # the message in the section, which stays as it was
            return _read_section(request, document, section.key, refusal=locked.message)
        raise  # a page of its own: the refusal page
    if request.GET.get("cancel") and request.htmx:
        return _read_section(request, document, section.key)
    form = SectionForm(
        initial={"heading": section.heading, "body": section.body, "revision": section.revision}
    )
    return _section_page(request, document, section, form)


def _section_save(request, document, key):
    form = SectionForm(request.POST)
    section = document.sections.filter(key=str(key)[:24]).first()
    try:
        services.ensure_editable(request.user, document)
    except DocumentLocked as locked:
        # Refused before anything is saved; what was typed is shown so that it is not lost.
        return _section_page(request, document, section, form, status=409, refused=locked.message)
    if not form.is_valid():
        return _section_page(request, document, section, form, status=400)
    data = form.cleaned_data
    try:
        saved = services.save_section(
            document,
            key=str(key)[:24],
            by_user=request.user,
            heading=data["heading"],
            body=data["body"],
            base_revision=data["revision"] or 0,
        )
    except EditConflict as conflict:
        current = conflict.current
        merged = SectionForm(
            initial={
                "heading": conflict.heading,
                "body": conflict.body,
                "revision": current.revision,
            }
        )
        diff = diff_documents(
            [SectionText(current.key, current.heading, current.body)],
            [SectionText(current.key, conflict.heading, conflict.body)],
        ).sections[0]
        return _section_page(
            request,
            document,
            current,
            merged,
            status=409,
            conflict={"message": conflict.message, "current": current, "diff": diff},
        )
    except SectionGone as gone:
        return _section_page(request, document, None, form, status=409, gone=gone.message)
    except DocumentLocked as locked:  # adopted between the check above and the save
        return _section_page(request, document, section, form, status=409, refused=locked.message)
    except (NotAllowed, NotFound):
        raise
    except DomainError as error:
        form.add_error(None, error.message)
        return _section_page(request, document, section, form, status=400)
    if request.htmx:
        return _read_section(request, document, saved.key, just_saved=True)
    messages.success(
        request, _("The section “%(heading)s” was saved.") % {"heading": saved.heading}
    )
    return redirect(f"{document.get_absolute_url()}#section-{saved.key}")


@login_required
@require_http_methods(["GET", "POST"])
def section_add(request, pk):
    document = selectors.get_document_for_user(request.user, pk)
    services.ensure_editable(request.user, document)
    form = SectionForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        after_key = request.POST.get("after")
        try:
            after = selectors.get_section(document, after_key) if after_key else None
            section = services.add_section(
                document,
                by_user=request.user,
                heading=form.cleaned_data["heading"],
                body=form.cleaned_data["body"],
                after=after,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The section was added."))
            return redirect(f"{document.get_absolute_url()}#section-{section.key}")
    context = _document_context(request, document)
    context["form"] = form
    status = 400 if form.errors else 200
    return render(request, "documents/section_add.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def section_delete(request, pk, key):
    document = selectors.get_document_for_user(request.user, pk)
    section = selectors.get_section(document, key)
    services.ensure_editable(request.user, document)
    if request.method == "POST":
        try:
            services.delete_section(section, by_user=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("The section “%(heading)s” was removed.") % {"heading": section.heading}
            )
        return redirect(document)
    context = _document_context(request, document)
    context["section"] = section
    return render(request, "documents/section_delete.html", context)


@login_required
@require_POST
def section_move(request, pk, key):
    document = selectors.get_document_for_user(request.user, pk)
    section = selectors.get_section(document, key)
    services.ensure_editable(request.user, document)
    try:
        services.move_section(
            section,
            by_user=request.user,
            direction="up" if request.POST.get("direction") == "up" else "down",
            structure_revision=int(request.POST.get("structure_revision") or -1),
        )
    except DomainError as error:
        messages.error(request, error.message)
    except ValueError:
        messages.error(request, _("The order could not be changed. Please try again."))
    return redirect(f"{document.get_absolute_url()}#section-{section.key}")


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, pk):
    document = selectors.get_document_for_user(request.user, pk)
    services.ensure_editable(request.user, document, Action.PUBLISH_VERSION)
    latest = document.versions.order_by("-number").first()
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.publish_version(
                document,
                by_user=request.user,
                label=form.cleaned_data["label"],
                change_summary=form.cleaned_data["change_summary"],
                editorial=form.cleaned_data["editorial"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Version %(number)s was published. It will never change.")
                % {"number": version.number},
            )
            return redirect(version)
    context = _document_context(request, document)
    diff = None
    if latest is not None:
        diff = selectors.compare(
            selectors.side(document, latest.number), selectors.side(document, selectors.DRAFT)
        )
    context.update({"form": form, "latest": latest, "diff": diff})
    status = 400 if form.errors else 200
    return render(request, "documents/publish.html", context, status=status)


def compare_url(document, old, new) -> str:
    return f"{reverse('documents:compare', args=[document.pk])}?from={old}&to={new}"
