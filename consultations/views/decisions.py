"""Decisions, endorsements and sign-off of a document's versions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from consultations import selectors, signing_attempts
from consultations.errors import WrongPassword
from consultations.forms import DecisionForm, SignForm, SignOffForm
from consultations.models import Decision, ReviewRound, Signature, SignOff
from consultations.policies.actions import DocumentStep, RoundAction, SignOffAction
from consultations.policies.decisions import not_now, require_step, signing_memberships
from consultations.services import decisions as decision_services
from documents import files
from documents import selectors as document_selectors
from documents.policies import DocumentAction
from documents.selectors import version_sections
from networks import registry
from networks.errors import ACCESS_REFUSALS, DomainError, NotFound
from networks.models import Network
from networks.permissions import Action
from networks.policies import visible_networks


def _context(request, document):
    return {
        "document": document,
        "network": document.network,
        "may": registry.actions(request.user, document),
        "can_view_network": Action.VIEW_NETWORK in registry.actions(request.user, document.network),
    }


@login_required
def decisions(request, pk):
    document = document_selectors.get_document_for_user(request.user, pk)
    latest = document.versions.order_by("-number").first()
    records = list(
        document.decisions.select_related("version", "body_network", "recorded_by", "corrects")
        .prefetch_related("corrections")
        .order_by("-decided_on", "-recorded_at")
    )
    editorial = set(document.versions.filter(editorial=True).values_list("number", flat=True))
    for record in records:
        record.counts = latest is not None and decision_services.counts_for(
            record, latest, editorial
        )
        record.corrected = bool(record.corrections.all())
    sign_offs = list(
        document.sign_offs.select_related("version", "requested_by")
        .prefetch_related("signatories", "signatures__signer")
        .order_by("-requested_at")
    )
    adopted = next((s for s in sign_offs if s.status == SignOff.Status.APPROVED), None)
    # Councils and groups that have not (yet) given their view on the newest version.
    counted = {r.body_network_id for r in records if r.counts and r.body_network_id}
    bodies = (
        visible_networks(request.user)
        .filter(kind__in=[Network.Kind.COUNCIL, Network.Kind.MANAGEMENT_GROUP], archived=False)
        .order_by("name")
    )
    context = _context(request, document)
    context.update(
        {
            "latest": latest,
            "records": records,
            "endorsements": [r for r in records if r.kind in ("endorsement", "views")],
            "bodies_without": [b for b in bodies if b.pk not in counted],
            "sign_offs": sign_offs,
            "adopted": adopted if document.is_adopted else None,
            "adopted_decision": next((r for r in records if r.kind == Decision.Kind.ADOPTED), None)
            if document.is_adopted
            else None,
        }
    )
    return render(request, "consultations/decisions.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def decision_new(request, pk):
    document = document_selectors.get_document_for_user(request.user, pk)
    require_step(request.user, DocumentStep.RECORD_DECISION, document)
    corrects = None
    if request.GET.get("corrects") or request.POST.get("corrects"):
        corrects = selectors.get_decision(
            document, request.GET.get("corrects") or request.POST.get("corrects")
        )
    networks = visible_networks(request.user).order_by("name")
    initial = {"version": document.versions.order_by("-number").first()}
    if corrects is not None:
        initial.update(
            {
                "version": corrects.version,
                "kind": corrects.kind,
                "body_network": corrects.body_network,
                "body_name": corrects.body_name,
                "decided_on": corrects.decided_on,
                "minutes_reference": corrects.minutes_reference,
                "text": corrects.text,
                "conditions": corrects.conditions,
            }
        )
    form = DecisionForm(
        request.POST or None,
        request.FILES or None,
        document=document,
        networks=networks,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("minutes")
        try:
            decision_services.record_decision(
                document,
                by_user=request.user,
                version=data["version"],
                kind=data["kind"],
                decided_on=data["decided_on"],
                text=data["text"],
                body_network=data["body_network"],
                body_name=data["body_name"],
                minutes_reference=data["minutes_reference"],
                conditions=data["conditions"],
                minutes=(upload.name, upload.content_type or "", upload) if upload else None,
                corrects=corrects,
            )
        except ACCESS_REFUSALS:
            raise
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("consultations:decisions", pk=document.pk)
    context = _context(request, document)
    context.update({"form": form, "corrects": corrects})
    return render(
        request, "consultations/decision_new.html", context, status=400 if form.errors else 200
    )


@login_required
def decision_minutes(request, pk):
    decision = Decision.objects.select_related("document").filter(pk=pk).first()
    if decision is None or not decision.minutes_name:
        raise NotFound()
    document_selectors.get_document_for_user(request.user, decision.document_id)
    return files.download(decision.minutes, decision.minutes_name)


def _signatory_choices(document):
    """Who may be asked to sign (the sign-off policy decides), and for each of them the roles
    and bodies they would sign in, to show after their name (two queries in all)."""
    memberships = signing_memberships(document).select_related("network", "organisation")
    roles: dict[int, list[str]] = {}
    for membership in memberships.order_by("network__name"):
        text = _("%(role)s, %(body)s") % {
            "role": membership.get_role_display(),
            "body": membership.network.name,
        }
        if membership.organisation_id:
            text += f" ({membership.organisation.name})"
        roles.setdefault(membership.user_id, []).append(text)
    candidates = registry.users_for(SignOffAction.SIGN, SignOff(document=document)).order_by(
        "full_name", "email"
    )
    return candidates, {pk: "; ".join(texts) for pk, texts in roles.items()}


@login_required
@require_http_methods(["GET", "POST"])
def sign_off_new(request, pk):
    document = document_selectors.get_document_for_user(request.user, pk)
    # Those who run the document see the page; it asks for sign-off only when that comes now,
    # and otherwise says why not.
    registry.require(request.user, DocumentAction.RUN_PROCESS, document)
    latest = document.versions.order_by("-number").first()
    candidates, roles = _signatory_choices(document)
    form = SignOffForm(
        request.POST or None,
        document=document,
        candidates=candidates,
        roles=roles,
        initial={"version": latest},
    )
    if request.method == "POST" and form.is_valid():
        try:
            sign_off = decision_services.request_sign_off(
                document,
                by_user=request.user,
                version=form.cleaned_data["version"],
                signatories=list(form.cleaned_data["signatories"]),
                required=form.cleaned_data["required"],
                sign_by=form.cleaned_data["sign_by"],
            )
        except ACCESS_REFUSALS:
            raise
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The signatories have been asked to sign."))
            return redirect(sign_off)
    context = _context(request, document)
    context.update({"form": form, "latest": latest})
    if DocumentStep.REQUEST_SIGN_OFF not in context["may"]:
        context["not_now"] = not_now(DocumentStep.REQUEST_SIGN_OFF, document.status).message
    return render(
        request, "consultations/sign_off_new.html", context, status=400 if form.errors else 200
    )


def _get_sign_off(user, pk) -> SignOff:
    sign_off = (
        # The network's parents as the document's page loads them (the policies walk them).
        SignOff.objects.select_related(
            "document__network__parent__parent__parent", "version", "requested_by"
        )
        .filter(pk=pk)
        .first()
    )
    if sign_off is None or SignOffAction.VIEW not in registry.actions(user, sign_off):
        raise NotFound()
    return sign_off


def _locked_message(retry_at):
    local = timezone.localtime(retry_at)
    return _(
        "The password has been wrong too many times. For your security, you can try again at "
        "%(time)s (%(date)s)."
    ) % {"time": date_format(local, "H:i"), "date": date_format(local, "j F")}


def _signed_message(sign_off_pk, verdict) -> str:
    """What the signature did, read back after it: approved, declined, or approved and with it
    the document adopted."""
    status = SignOff.objects.filter(pk=sign_off_pk).values_list("status", flat=True).first()
    if verdict == Signature.Verdict.REJECT:
        return _("You declined. Your signature is recorded and the document goes back to revision.")
    if status == SignOff.Status.APPROVED:
        return _("You approved. Your signature is recorded. The document is now adopted.")
    return _("You approved. Your signature is recorded.")


def _outcome_round(user, sign_off):
    """The consultation whose outcome the signed version answers: the newest round on this
    version or an earlier one that has closed, if the person may see it (the round's policy);
    one round, so the page does not grow with the rounds."""
    review_round = (
        ReviewRound.objects.select_related("document__network__parent", "version", "chair")
        .filter(
            document_id=sign_off.document_id,
            version__number__lte=sign_off.version.number,
            status__in=[ReviewRound.Status.CLOSED, ReviewRound.Status.REPORTED],
        )
        .order_by("-version__number", "-pk")
        .first()
    )
    if review_round is None or not registry.can(user, RoundAction.VIEW, review_round):
        return None
    return review_round


@login_required
@require_http_methods(["GET", "POST"])
def sign_off_detail(request, pk):
    sign_off = _get_sign_off(request.user, pk)
    may = registry.actions(request.user, sign_off)
    form = SignForm(request.POST or None)
    # Wrong passwords count like failed logins (consultations.signing_attempts).
    retry_at = None
    if may.sign:
        retry_at = signing_attempts.locked_until(request, request.user)
    if retry_at is not None and request.method == "POST":
        form.is_valid()  # what was chosen and typed is shown again; the password is not checked
        form.add_error(None, _locked_message(retry_at))
        form.add_error(None, _("Your signature was not recorded."))
    elif request.method == "POST" and form.is_valid():
        try:
            decision_services.sign(
                sign_off,
                by_user=request.user,
                verdict=form.cleaned_data["verdict"],
                password=form.cleaned_data["password"],
                reason=form.cleaned_data["reason"],
            )
        except ACCESS_REFUSALS:
            raise
        except WrongPassword as error:
            form.add_error(None, error.message)
            retry_at = signing_attempts.record_failure(request, request.user)
            if retry_at is not None:
                form.add_error(None, _locked_message(retry_at))
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _signed_message(sign_off.pk, form.cleaned_data["verdict"]))
            return redirect(sign_off)
    signatures = {s.signer_id: s for s in sign_off.signatures.select_related("signer")}
    signatories = list(sign_off.signatories.order_by("full_name"))
    for person in signatories:
        person.signature = signatures.get(person.pk)
    sections, _lix = version_sections(sign_off.version)
    document = sign_off.document
    context = {
        "sign_off": sign_off,
        "document": document,
        "network": document.network,
        "signatories": signatories,
        "approvals": sum(1 for s in signatures.values() if s.verdict == Signature.Verdict.APPROVE),
        "sections": sections,
        "form": form,
        "may": may,
        "can_view_document": DocumentAction.VIEW in registry.actions(request.user, document),
        "superseded": document.versions.filter(number__gt=sign_off.version.number).exists(),
        "outcome": _outcome_round(request.user, sign_off),
        "my_signatures": selectors.list_signatures_of(request.user),
    }
    context["locked"] = _locked_message(retry_at) if retry_at is not None else ""
    if request.method == "POST" and retry_at is not None:
        status = 429
    else:
        status = 400 if form.errors else 200
    return render(request, "consultations/sign_off.html", context, status=status)


@login_required
@require_POST
def sign_off_withdraw(request, pk):
    sign_off = _get_sign_off(request.user, pk)
    try:
        decision_services.withdraw_sign_off(sign_off, by_user=request.user)
    except ACCESS_REFUSALS:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The request for sign-off was withdrawn."))
    return redirect(sign_off)


@login_required
@require_POST
def new_revision(request, pk):
    document = document_selectors.get_document_for_user(request.user, pk)
    try:
        decision_services.start_new_revision(document, by_user=request.user)
    except ACCESS_REFUSALS:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("A new revision has started. The adopted version stays as it is.")
        )
    return redirect("consultations:decisions", pk=document.pk)
