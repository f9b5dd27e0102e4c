"""Answering a closed round's comments (bemötande): the answer form's view, saved in place with
htmx or, without JavaScript, back on the page it was sent from; and the answering page ("Bemöt
synpunkter") that lists the comments by section, outcome and party. What may be answered is the
comments' policy's (consultations/policies/threads.py); the answer is a service
(consultations/services/dispositions.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from consultations import answering, saved_answers, selectors
from consultations.answering import Filter
from consultations.forms import DispositionForm
from consultations.models import Comment, ReviewRound
from consultations.policies import rounds as round_policy
from consultations.policies import threads
from consultations.policies.actions import RoundAction
from consultations.services import dispositions as disposition_services
from consultations.views.rounds import SentBack, errors_of, round_page, thread_context
from networks.errors import ACCESS_REFUSALS, DomainError

# The answer form's fields' ids start so (then "-<comment id>").
FIELD_IDS = {"outcome": "outcome", "rationale": "rationale", "applied_in": "applied"}
ANSWERS_VIEW = "answers"  # the hidden `view` of the answering page's forms
FILTER_PREFIX = "filter_"  # and its filter, beside the form's own fields


@login_required
@require_POST
def disposition(request, pk, comment_pk):
    review_round = selectors.get_round_for_user(request.user, pk)
    comment = selectors.get_comment(review_round, comment_pk)
    on_answers = request.POST.get("view") == ANSWERS_VIEW
    chosen = Filter.from_query(request.POST, FILTER_PREFIX) if on_answers else Filter()
    form = DispositionForm(request.POST, document=review_round.document, comment_id=comment.pk)
    applied = bool(request.POST.get("apply"))
    try:
        if applied:
            disposition_services.apply_proposal(
                comment, by_user=request.user, rationale=request.POST.get("rationale", "")
            )
        elif form.is_valid():
            disposition_services.record_disposition(
                comment,
                by_user=request.user,
                outcome=form.cleaned_data["outcome"],
                rationale=form.cleaned_data["rationale"],
                applied_in=form.cleaned_data["applied_in"],
            )
        else:
            return _sent_back(request, review_round, comment, form, chosen, on_answers)
    except ACCESS_REFUSALS:
        raise  # the 404 and 403 pages, not a message next to the form
    except DomainError as error:
        form.add_error(None, error.message)
        return _sent_back(request, review_round, comment, form, chosen, on_answers)
    progress = answering.progress(review_round, after=comment, chosen=chosen)
    waiting = progress.next_unanswered
    if request.htmx:
        return _answered_in_place(
            request, review_round, comment, progress, chosen, on_answers, applied
        )
    saved_answers.remember_saved(
        request, review_round, comment.pk, waiting.pk if waiting else None, applied
    )
    if on_answers:
        return redirect(f"{_answers_url(review_round, chosen)}#thread-{comment.pk}")
    # The round page shows the thread answered wherever it is (its section may be long).
    return redirect(f"{review_round.get_absolute_url()}#thread-{comment.pk}")


def _answers_url(review_round: ReviewRound, chosen: Filter) -> str:
    url = reverse("consultations:answers", args=[review_round.pk])
    query = chosen.query()
    return f"{url}?{query}" if query else url


def next_href(
    review_round: ReviewRound, waiting: Comment | None, chosen: Filter, on_answers, page=None
):
    """Where "Next unanswered comment" leads: the thread on this page, or (on the answering
    page, when the filter hides it) the answering page showing the unanswered ones; on the
    round page (`page`, selectors.light_round_page) its section in full when it is not shown."""
    if waiting is None:
        return ""
    if page is not None and not on_answers:
        return page.href_of(waiting.pk)
    if not on_answers or chosen.keeps(waiting):
        return f"#thread-{waiting.pk}"
    unanswered = Filter(chosen.section, answering.UNANSWERED, chosen.party)
    return f"{_answers_url(review_round, unanswered)}#thread-{waiting.pk}"


def _thread_context(request, review_round: ReviewRound, chosen: Filter, on_answers: bool):
    """What a thread needs to be rendered for this person alone (not the shared round page)."""
    context = thread_context(request, review_round)
    context["answer_filter"] = _hidden_filter(chosen) if on_answers else {}
    context["on_answers_page"] = on_answers
    return context


def _hidden_filter(chosen: Filter) -> dict[str, str]:
    """The answering page's filter, sent with its answer forms (the next comment is looked for,
    and the page comes back, with it)."""
    return {"view": ANSWERS_VIEW, **{FILTER_PREFIX + k: v for k, v in vars(chosen).items() if v}}


def _answered_in_place(request, review_round, comment, progress, chosen, on_answers, applied):
    """htmx: the thread, answered, with "the answer is saved" (focused) and the way on; the
    count and the next-comment link of the page follow (hx-swap-oob)."""
    context = _thread_context(request, review_round, chosen, on_answers)
    # The round page opens with some threads of each section: the way to one it does not show
    # goes through its section in full.
    page = None if on_answers else selectors.light_round_page(review_round, request.user)
    href = next_href(review_round, progress.next_unanswered, chosen, on_answers, page)
    context.update(
        {
            "t": answering.one_thread(review_round, comment.pk),
            "thread_sequence": ReviewRound.objects.values_list("sequence", flat=True).get(
                pk=review_round.pk
            ),
            "answer_saved": {
                "comment_id": comment.pk,
                "next_href": href,
                "autofocus": True,
                "answered": progress.answered,
                "total": progress.total,
                "applied": applied,
            },
            "next_href": next_href(
                review_round, progress.first_unanswered, chosen, on_answers, page
            ),
            "answered": progress.answered,
            "total": progress.total,
        }
    )
    return render(request, "consultations/_answered.html", context)


def _sent_back(request, review_round, comment, form, chosen, on_answers):
    """The form with its errors and what was typed: in place (htmx), on the answering page, or
    on the round page with the error summary at the top (status 400, never a page apart)."""
    form.kept_text = form.data.get("rationale", "")
    if on_answers and not request.htmx:
        return answers_page(request, review_round, chosen, answer_error=form)
    context = _thread_context(request, review_round, chosen, on_answers)
    thread = answering.one_thread(review_round, comment.pk)
    context.update({"t": thread, "answer_form": form, "kept": form, "region": "answer"})
    if request.htmx:
        return render(request, "consultations/_thread.html", context, status=400)
    may = threads.for_comment(thread.comment, review_round.status, context["on_comments"])
    context["may"] = may
    template = "_answer_form.html" if may.answer_comment else "_kept_text.html"
    html = render_to_string(f"consultations/{template}", context, request=request)
    errors = errors_of(form, comment.pk, FIELD_IDS)
    return round_page(request, review_round, sent_back=SentBack("answer", comment.pk, html, errors))


@login_required
def answers(request, pk):
    """The answering page: the comments in the document's order, filtered."""
    review_round = selectors.get_round_for_user(request.user, pk)
    round_policy.require(request.user, RoundAction.ANSWER, review_round)
    return answers_page(request, review_round, Filter.from_query(request.GET))


def answers_page(request, review_round, chosen: Filter, *, answer_error=None):
    context = _thread_context(request, review_round, chosen, True)
    page = selectors.round_page(review_round)
    shown = answering.answering(page, chosen)
    saved = saved_answers.take_saved(request, review_round)
    context.update(
        {
            "page": page,
            "answering": shown,
            "chosen": chosen,
            "unanswered_value": answering.UNANSWERED,
            "general_value": answering.GENERAL,
            "answer_form": answer_error,
            "kept": answer_error,
            "region": "answer",
            "sent_back": None
            if answer_error is None
            else SentBack(
                "answer",
                answer_error.comment_id,
                "",
                errors_of(answer_error, answer_error.comment_id, FIELD_IDS),
            ),
            "next_href": next_href(review_round, shown.next_unanswered, chosen, True),
            "answered": page.answered,
            "total": page.total,
            "refusal": threads.answering_refusal(review_round),
        }
    )
    if saved is not None:
        comment_id, next_id, applied = saved
        waiting = next((c for c in page.unanswered if c.pk == next_id), None)
        context["answer_saved"] = {
            "comment_id": comment_id,
            "next_href": next_href(review_round, waiting, chosen, True),
            "autofocus": True,
            "applied": applied,
        }
        in_list = any(t.comment.pk == comment_id for g in shown.groups for t in g.threads)
        if not in_list:  # the filter no longer shows it (unanswered ones): said above the list
            context["saved_apart"] = context["answer_saved"]
    status = 400 if answer_error is not None else 200
    return render(request, "consultations/answers.html", context, status=status)
