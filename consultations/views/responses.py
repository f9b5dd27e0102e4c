"""A party's formal response: draft, ask for approval, approve and submit; or entered by a
coordinator when it came by e-mail, letter or at a meeting."""

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from consultations import selectors
from consultations.errors import IncompleteResponse, NeedsApproval
from consultations.forms import EnteredResponseForm, ResponseForm, SendBackForm
from consultations.models import Response
from consultations.policies import rounds as round_policy
from consultations.policies.actions import ConsulteeAction, ResponseAction
from consultations.services import responses as response_services
from consultations.views.rounds import _round_context
from documents import files
from networks import registry
from networks.errors import ACCESS_REFUSALS, DomainError, NotFound


def _initial(response):
    if response is None:
        return {}
    data = {"position": response.position, "summary": response.summary}
    data.update({f"q{k}": v for k, v in response.answers.items()})
    return data


@login_required
@require_http_methods(["GET", "POST"])
def respond(request, pk, consultee_pk):
    review_round = selectors.get_round_for_user(request.user, pk)
    consultee = selectors.get_consultee(review_round, consultee_pk)
    consultee.may = registry.actions(request.user, consultee)
    if ConsulteeAction.RESPOND not in consultee.may:
        # Those who run the round or answer its comments read a party's response, and the
        # party's own people theirs once it is in or the round has closed: read-only. A step
        # sent anyway is refused by the service, with the reason.
        registry.require(request.user, ConsulteeAction.VIEW_RESPONSE, consultee)
    response = (
        Response.objects.filter(consultee=consultee)
        .select_related("approved_by__guest", "sent_back_by__guest")
        .first()
    )
    questions = list(review_round.questions.all())
    step = request.POST.get("step", "save")
    if request.method == "POST" and step in ("approve", "send_back"):
        return _review_step(request, review_round, consultee, response, questions, step)
    form = ResponseForm(request.POST or None, questions=questions, initial=_initial(response))
    checking = False
    if request.method == "POST" and form.is_valid():
        draft = response_services.Draft(
            position=form.cleaned_data["position"],
            summary=form.cleaned_data["summary"],
            answers=form.answers(),
        )
        try:
            # One service call per step: a refused step writes nothing, not even the draft.
            if step in ("submit", "change"):
                # No service is called: the refusal the services would give (403, or the reason
                # in this state) is asked here.
                round_policy.require(request.user, ConsulteeAction.RESPOND, consultee)
            if step == "submit":
                # "Check your answers": nothing goes to the body before the person has seen
                # what goes; the page carries the text to the next step.
                if ConsulteeAction.APPROVE not in consultee.may:
                    raise NeedsApproval()
                if not draft.position:
                    raise IncompleteResponse()
                checking = True
            elif step == "change":
                pass  # back to the form, with what was typed
            elif step == "ask":
                response_services.ask_for_approval(consultee, by_user=request.user, draft=draft)
                messages.success(
                    request, _("The response waits for approval. The approver has been told.")
                )
            elif step == "confirm":
                response_services.approve_and_submit(consultee, by_user=request.user, draft=draft)
                messages.success(request, _("The response is submitted as the party's answer."))
                return redirect(review_round)
            else:
                response_services.save_draft(
                    consultee,
                    by_user=request.user,
                    position=draft.position,
                    summary=draft.summary,
                    answers=draft.answers,
                )
                messages.success(request, _("The draft is saved."))
        except ACCESS_REFUSALS:
            raise  # the 404 and 403 pages, not a message next to the form
        except DomainError as error:
            checking = False
            form.add_error(None, error.message)
        else:
            if not checking and step != "change":
                return redirect(
                    "consultations:respond", pk=review_round.pk, consultee_pk=consultee.pk
                )
    reviewing = request.method == "GET" and "edit" not in request.GET
    reviewing = reviewing and _reviews(response, consultee)
    return _page(
        request,
        review_round,
        consultee,
        response,
        questions,
        form=form,
        mode="check" if checking else "review" if reviewing else "form",
        send_back_form=SendBackForm(),
        status=400 if form.errors else 200,
    )


def _reviews(response, consultee) -> bool:
    """The approver sees a response that waits for her approval as a review, not a form."""
    return (
        response is not None
        and response.state == Response.State.AWAITING_APPROVAL
        and ConsulteeAction.APPROVE in consultee.may
    )


def _review_step(request, review_round, consultee, response, questions, step):
    """The approver's two answers on the review page: submit the text as it is, or send it
    back to the drafter with a comment."""
    send_back_form = SendBackForm(request.POST if step == "send_back" else None)
    try:
        if step == "approve":
            response_services.approve_and_submit(consultee, by_user=request.user)
            messages.success(request, _("The response is submitted as the party's answer."))
            return redirect(review_round)
        if send_back_form.is_valid():
            response_services.send_back(
                consultee, by_user=request.user, comment=send_back_form.cleaned_data["comment"]
            )
            messages.success(request, _("The response is sent back. The drafter has been told."))
            return redirect(review_round)
    except ACCESS_REFUSALS:
        raise
    except DomainError as error:
        refusal = error.message
    else:
        refusal = None  # the comment is missing: the form says so
    response = (
        Response.objects.filter(pk=getattr(response, "pk", None))
        .select_related("approved_by__guest", "sent_back_by__guest")
        .first()
    )
    return _page(
        request,
        review_round,
        consultee,
        response,
        questions,
        form=ResponseForm(questions=questions, initial=_initial(response)),
        mode="review" if _reviews(response, consultee) else "form",
        send_back_form=send_back_form,
        refusal=refusal,
        status=400,
    )


def _page(
    request, review_round, consultee, response, questions, *, form, mode, status=200, **extra
):
    context = _round_context(request, review_round)
    asked_by, asked_at = response_services.asked_by(response) if mode == "review" else (None, None)
    if mode == "check":
        shown = {"position": form.cleaned_data["position"], "answers": form.answers()}
        position = dict(Response.Position.choices).get(shown["position"], "")
        summary = form.cleaned_data["summary"]
        answers = [(q, shown["answers"].get(str(q.pk), "")) for q in questions]
    elif response is not None:
        position, summary = response.get_position_display(), response.summary
        answers = [(q, str(response.answers.get(str(q.pk), ""))) for q in questions]
    else:
        position, summary, answers = "", "", []
    context.update(
        {
            "consultee": consultee,
            "response": response,
            "form": form,
            "mode": mode,
            "asked_by": asked_by,
            "asked_at": asked_at,
            "shown_position": position,
            "shown_summary": summary,
            # who approves it, while it is still to be approved
            "approvers": registry.users_for(ConsulteeAction.APPROVE, consultee).select_related(
                "guest"
            ),
            "submitted": response is not None and response.state == Response.State.SUBMITTED,
            "answers": answers,
            **extra,
        }
    )
    return render(request, "consultations/respond.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def enter_response(request, pk, consultee_pk):
    review_round = selectors.get_round_for_user(request.user, pk)
    consultee = selectors.get_consultee(review_round, consultee_pk)
    try:
        round_policy.require(request.user, ConsulteeAction.ENTER, consultee)
    except ACCESS_REFUSALS:
        raise
    except DomainError as refusal:  # the party has answered, or the report is published
        messages.error(request, refusal.message)
        return redirect(review_round)
    questions = list(review_round.questions.all())
    form = EnteredResponseForm(
        request.POST or None,
        request.FILES or None,
        questions=questions,
        initial={"received_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("attachment")
        try:
            response_services.enter_on_behalf(
                consultee,
                by_user=request.user,
                position=data["position"],
                summary=data["summary"],
                via=data["via"],
                received_at=timezone.make_aware(datetime.combine(data["received_on"], time(12))),
                answers=form.answers(),
                attachment=(upload.name, upload.content_type or "", upload) if upload else None,
            )
        except ACCESS_REFUSALS:
            raise  # the 404 and 403 pages, not a message next to the form
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The response is recorded as the party's answer."))
            return redirect(review_round)
    context = _round_context(request, review_round)
    context.update({"consultee": consultee, "form": form})
    status = 400 if form.errors else 200
    return render(request, "consultations/enter_response.html", context, status=status)


@login_required
def attachment(request, pk, consultee_pk):
    review_round = selectors.get_round_for_user(request.user, pk)
    consultee = selectors.get_consultee(review_round, consultee_pk)
    response = Response.objects.filter(consultee=consultee).first()
    if response is None or not response.attachment_name:
        raise NotFound()
    response.consultee = consultee  # the round as loaded for this person
    registry.require(request.user, ResponseAction.READ, response)
    return files.download(response.attachment, response.attachment_name)
