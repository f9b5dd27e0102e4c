"""The round pages: start a round, the round itself (text, comments, parties), its steps."""

import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from consultations import anchoring, answering, passages, saved_answers, selectors
from consultations.errors import InvalidTransition, NobodyToRemind
from consultations.forms import (
    CommentForm,
    ConsulteesForm,
    DeadlineForm,
    ReplyForm,
    RoundForm,
)
from consultations.models import Comment, Disposition
from consultations.policies import rounds as round_policy
from consultations.policies import threads
from consultations.policies.actions import CommentAction, DocumentStep, RoundAction
from consultations.policies.decisions import not_now
from consultations.services import comments as comment_services
from consultations.services import rounds as round_services
from consultations.views.reach import reach_of
from documents import selectors as document_selectors
from documents.markdown import render_markdown
from documents.policies import DocumentAction
from networks import registry
from networks.errors import ACCESS_REFUSALS, DomainError, NotFound
from networks.permissions import Action
from networks.policies import visible_networks


def _networks_for(user):
    return visible_networks(user).filter(archived=False).order_by("name")


def _acting_for(user, review_round):
    return round_policy.organisations_spoken_for(user, review_round)


def _written_for(request, organisations) -> int | None:
    """The organisation the comment forms start from. A guest writes for the body whose link
    they came by (the one organisation they speak for); anyone else for themselves until they
    choose."""
    if getattr(request, "guest", None) is not None and len(organisations) == 1:
        return organisations[0].pk
    return None


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request, pk):
    document = document_selectors.get_document_for_user(request.user, pk)
    registry.require(request.user, DocumentAction.RUN_PROCESS, document)
    form = RoundForm(
        request.POST or None,
        document=document,
        networks=_networks_for(request.user),
        chair=request.user,
        initial={"title": _("Consultation on %(title)s") % {"title": document.title}},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The round and its parties together: a refused party leaves no round behind.
            with transaction.atomic():
                review_round = round_services.create_round(
                    document,
                    by_user=request.user,
                    version=data["version"],
                    title=data["title"],
                    instructions=data["instructions"],
                    questions=form.question_list(),
                    closes_at=form.closes_at(),
                )
                if data["networks"] or data["organisations"] or data["people"] or data["outside"]:
                    round_services.add_consultees(
                        review_round,
                        by_user=request.user,
                        networks=list(data["networks"]),
                        organisations=list(data["organisations"]),
                        people=data["people"],
                        outside=data["outside"],
                    )
        except ACCESS_REFUSALS:
            raise  # the 404 and 403 pages, not a message next to the form
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("The round is planned. Check it, then open it for the consulted.")
            )
            return redirect(review_round)
    context = {"document": document, "network": document.network, "form": form}
    if DocumentStep.START_ROUND not in registry.actions(request.user, document):
        # Those who run the document see the page; where a round does not start now it says
        # why instead of a form the service would refuse (the decisions' policy decides).
        context["not_now"] = not_now(DocumentStep.START_ROUND, document.status).message
    return render(
        request, "consultations/round_new.html", context, status=400 if form.errors else 200
    )


def thread_context(request, review_round):
    """What a thread (_thread.html) needs to be rendered for this person alone, outside the
    shared part of the round page: the round's context, the outcomes and versions to answer."""
    context = _round_context(request, review_round)
    context["outcomes"] = Disposition.Outcome.choices
    context["versions"] = (
        list(review_round.document.versions.order_by("-number")) if context["can_dispose"] else []
    )
    return context


def _round_context(request, review_round):
    actions = registry.actions(request.user, review_round)
    document = review_round.document
    # What the person may do on the round's comments (the same for every comment; their own
    # comments' link is added per comment).
    on_comments = threads.on_comments(request.user, review_round)
    return {
        "round": review_round,
        "document": document,
        "network": document.network,
        "actions": actions,
        "may": actions,
        "can_comment": RoundAction.COMMENT in actions,
        "on_comments": on_comments,
        "can_dispose": CommentAction.ANSWER in on_comments,
        "can_apply": CommentAction.APPLY_PROPOSAL in on_comments,
        "can_view_document": Action.VIEW_DOCUMENT in registry.actions(request.user, document),
        "can_view_network": Action.VIEW_NETWORK in registry.actions(request.user, document.network),
        "now": timezone.now(),
    }


def _party_status(review_round, consultees) -> dict:
    """The figures on the parties for those who run the round: how many have answered, how
    many days are left (calendar days, local time), and the last reminder."""
    waiting = [c for c in consultees if not c.has_answered]  # a count, and the names
    now = timezone.now()
    days_left = (timezone.localdate(review_round.closes_at) - timezone.localdate(now)).days
    last = round_services.last_reminder(review_round)
    return {
        "not_answered": waiting,
        "answered_count": len(consultees) - len(waiting),
        "days_left": max(days_left, 0),
        "past_deadline": review_round.closes_at <= now,
        "last_reminder": last,
        "reminded_today": last is not None and last.sent_on == timezone.localdate(now),
    }


@login_required
def round_detail(request, pk):
    review_round = selectors.get_round_for_user(request.user, pk)
    return round_page(request, review_round)


@dataclass
class SentBack:
    """A form of a thread sent back with its errors (without JavaScript): on the round page,
    `html` takes the place of the thread's form (`region`: "answer" or "reply"), with the error
    summary at the top of the page (status 400), never a page apart."""

    region: str
    comment_id: int
    html: str
    errors: list[tuple[str, str]]  # (the id of the field, or of the thread, and the message)


def errors_of(form, comment_id: int, ids: dict[str, str]) -> list[tuple[str, str]]:
    """The error summary's lines: each field's error linked to the field (`ids`: its id's start,
    by field name), the rest to the thread."""
    lines = [(f"thread-{comment_id}", str(e)) for e in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name in ids:
            lines += [(f"{ids[name]}-{comment_id}", str(e)) for e in errors]
    return lines


def round_page(request, review_round, *, sent_back: SentBack | None = None, comment_form=None):
    """The round page (`sent_back`: with a thread's form sent back with its errors;
    `comment_form`: a new comment that could not be sent, with its errors and what was typed).
    It opens with the threads a person is likely to read (selectors.light_round_page); a
    section's other threads come with `?avsnitt=<key>` (or its fragment, `section_threads`)."""
    context = thread_context(request, review_round)
    runs = RoundAction.SEE_REACH in context["actions"]
    consultees = selectors.consultees_of(review_round, with_reach=runs)
    round_policy.on_parties(request.user, review_round, consultees)
    saved = saved_answers.take_saved(request, review_round)
    also = tuple(
        pk
        for pk in (
            sent_back.comment_id if sent_back is not None else None,
            saved[0] if saved is not None else None,
        )
        if pk is not None
    )
    full = _section_asked(request.GET.get("avsnitt"))
    page = selectors.light_round_page(review_round, request.user, full=full, also=also)
    organisations = list(_acting_for(request.user, review_round))
    quoted = _quoted_passage(request, review_round) if context["can_comment"] else None
    context.update(_sections_context(request, review_round, page, organisations, context))
    context.update(
        {
            "quoted_passage": quoted,
            "comment_at": _comment_at(request, page, quoted, comment_form),
            # Followed "Kommentera avsnittet" without JavaScript: the focus in "Din synpunkt".
            "comment_focus": quoted is None and "kommentera" in request.GET,
            "sent_back": sent_back,
            "comment_form": comment_form,
            "summary": page,
            "page_sequence": review_round.sequence,
            "consultees": consultees,
            "my_parties": [c for c in consultees if c.may.speak_for],
            "questions": list(review_round.questions.all()),
            "not_answered": [c for c in consultees if not c.has_answered],
        },
    )
    if saved is not None:
        comment_id, next_id, applied = saved
        context["answer_saved"] = {
            "comment_id": comment_id,
            "next_href": page.href_of(next_id),
            "autofocus": True,
            "applied": applied,
        }
    if runs:
        # Those who run the round: the parties first (how each is reached, who has answered,
        # the reminder), before the document.
        context["reach"] = reach_of(request.user, review_round, consultees)
        context["runs"] = True
        context.update(_party_status(review_round, consultees))
    status = 400 if sent_back is not None or comment_form is not None else 200
    return render(request, "consultations/round_detail.html", context, status=status)


def _sections_context(request, review_round, page, organisations, context) -> dict:
    return {
        "page": page,
        "round_url": review_round.get_absolute_url(),
        "kinds": Comment.Kind.choices,
        "organisations": organisations,
        "chosen": _written_for(request, organisations),
        "next_href": page.href_of(page.first_unanswered) if context["can_dispose"] else "",
    }


def _section_asked(value: str | None) -> str | None:
    """The section a link asks for in full (`?avsnitt=`): its key, "" for the whole document."""
    if not value:
        return None
    return "" if value == selectors.WHOLE_DOCUMENT else value


def _comment_at(request, page, quoted, comment_form) -> str:
    """Where the page's one comment form stands: in the section a "Kommentera avsnittet" link
    (`?kommentera=<key>`) or a quoted passage asked for, else with the whole document."""
    keys = {s.key for s in page.sections}
    asked = request.GET.get("kommentera", "")
    if quoted is not None:
        return quoted[0]
    if asked in keys:
        return asked
    return ""


@login_required
def section_threads(request, pk, key):
    """Every thread of one section of the round page (`key`; "-" the whole document): the
    fragment "Visa alla" loads with htmx; without JavaScript the same link shows the round
    page with that section in full (`?avsnitt=`). Seen by those who see the round."""
    review_round = selectors.get_round_for_user(request.user, pk)
    wanted = _section_asked(key)
    if wanted is None:
        raise NotFound()
    if wanted and not review_round.version.sections.filter(key=wanted).exists():
        raise NotFound()
    page = selectors.light_round_page(review_round, request.user, only=wanted)
    context = thread_context(request, review_round)
    organisations = list(_acting_for(request.user, review_round))
    context.update(_sections_context(request, review_round, page, organisations, context))
    item = page.general if not wanted else next(s for s in page.sections if s.key == wanted)
    context["item"] = item
    return render(request, "consultations/_section_threads.html", context)


def _quoted_passage(request, review_round):
    """The passage a "Kommentera stycket" link quotes (`?stycke=<section key>:<number>`, the
    link followed without JavaScript): (section key, Anchor), or None."""
    key, _sep, number = request.GET.get("stycke", "").partition(":")
    if not key or not number.isdigit():
        return None
    section = review_round.version.sections.filter(key=key).first()
    if section is None:
        return None
    anchor = passages.anchor_of(str(render_markdown(section.body)), int(number))
    return (key, anchor) if anchor is not None else None


def _kind_of(data) -> str:
    """A remark on a quoted passage whose proposed text (which starts as the quote) was changed
    is a change proposal: the page's script says so as the person types, and without it, it is
    decided here. The quote left as it was proposes nothing (the service keeps proposed text
    only for a proposal)."""
    proposed = anchoring.normalise(data["proposed_text"])
    if data["kind"] != Comment.Kind.REMARK or not data["quote_exact"].strip() or not proposed:
        return data["kind"]
    if proposed == anchoring.normalise(data["quote_exact"]):
        return data["kind"]
    return Comment.Kind.PROPOSAL


@login_required
@require_http_methods(["GET", "POST"])
def round_remind(request, pk):
    """Remind every party that has not answered: the question (who is reminded) on GET, the
    reminder on POST. Refused in words when the round is not open or they were reminded today."""
    review_round = selectors.get_round_for_user(request.user, pk)
    try:
        round_policy.require(request.user, RoundAction.REMIND, review_round)
    except InvalidTransition as refusal:  # e.g. the round has closed: say why
        messages.error(request, refusal.message)
        return redirect(review_round)
    if request.method == "POST":
        try:
            reminder = round_services.remind_parties(review_round, by_user=request.user)
        except ACCESS_REFUSALS:
            raise
        except DomainError as error:  # reminded today, or everyone has answered
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                ngettext(
                    "A reminder went to %(count)s party that has not answered.",
                    "A reminder went to the %(count)s parties that have not answered.",
                    reminder.parties,
                )
                % {"count": reminder.parties},
            )
        return redirect(review_round)  # the message on top, the party card below it
    consultees = selectors.consultees_of(review_round)
    context = _round_context(request, review_round)
    context.update({"step": "remind", **_party_status(review_round, consultees)})
    if context["reminded_today"]:
        context["refusal"] = round_services.reminded_today(context["last_reminder"]).message
    elif not context["not_answered"]:
        context["refusal"] = NobodyToRemind().message
    return render(request, "consultations/round_step.html", context)


@login_required
@require_POST
def comment_add(request, pk):
    review_round = selectors.get_round_for_user(request.user, pk)
    form = CommentForm(request.POST, organisations=_acting_for(request.user, review_round))
    if form.is_valid():
        data = form.cleaned_data
        quote = None
        if data["quote_exact"].strip():
            quote = anchoring.Anchor(
                anchoring.normalise(data["quote_exact"]),
                data["quote_prefix"],
                data["quote_suffix"],
            )
        try:
            comment = comment_services.add_comment(
                review_round,
                by_user=request.user,
                body=data["body"],
                section_key=data["section_key"],
                quote=quote,
                kind=_kind_of(data),
                proposed_text=data["proposed_text"],
                on_behalf_of=data["on_behalf_of"],
                idempotency_key=data["idempotency_key"],
            )
        except ACCESS_REFUSALS:
            raise  # the 404 and 403 pages, not a message next to the form
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Your comment is saved. Everyone in the round can read it.")
            )
            return redirect(f"{review_round.get_absolute_url()}#comment-{comment.pk}")
    # Not a page apart: the round page, the errors on top and what was typed kept there, with
    # the form's key (sent again, it is the same post).
    return round_page(request, review_round, comment_form=with_key(form))


@login_required
@require_POST
def reply_add(request, pk, comment_pk):
    review_round = selectors.get_round_for_user(request.user, pk)
    parent = selectors.get_comment(review_round, comment_pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            reply = comment_services.add_comment(
                review_round,
                by_user=request.user,
                body=form.cleaned_data["body"],
                parent=parent,
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ACCESS_REFUSALS:
            raise  # the 404 and 403 pages, not a message next to the form
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect(f"{review_round.get_absolute_url()}#comment-{reply.pk}")
    return round_page(request, review_round, sent_back=_reply_sent_back(request, parent, form))


def with_key(form):
    """The form sent back with its errors keeps the key it came with; one that came without a
    key (a page from before keys) gets one now."""
    if form["idempotency_key"].value() and form.fields["idempotency_key"].clean(
        form["idempotency_key"].value()
    ):
        return form
    form.data = form.data.copy()
    form.data["idempotency_key"] = str(uuid.uuid4())
    return form


def _reply_sent_back(request, parent, form) -> SentBack:
    """The reply form with its error and the text as typed, at its thread; where no reply can
    be written any more (the round has closed), the reason and the text to copy."""
    review_round = parent.round
    form = with_key(form)
    form.comment_id, form.kept_text = parent.pk, form.data.get("body", "")
    context = thread_context(request, review_round)
    thread = answering.one_thread(review_round, parent.pk)
    may = threads.for_comment(thread.comment, review_round.status, context["on_comments"])
    context.update({"t": thread, "reply_form": form, "kept": form, "region": "reply"})
    template = "_reply_form.html" if CommentAction.REPLY in may else "_kept_text.html"
    html = render_to_string(f"consultations/{template}", context, request=request)
    return SentBack("reply", parent.pk, html, errors_of(form, parent.pk, {"body": "reply"}))


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request, pk, comment_pk):
    review_round = selectors.get_round_for_user(request.user, pk)
    comment = selectors.get_comment(review_round, comment_pk)
    try:
        threads.require(request.user, CommentAction.EDIT_OWN, comment)
    except ACCESS_REFUSALS:
        raise  # others get "not allowed"
    except DomainError:
        if request.method != "POST":
            raise  # the page says why (the round has closed) instead of a form it would refuse
        # A text typed before the round closed: the service refuses it, and it comes back.
    form = ReplyForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "delete":
                comment_services.delete_comment(comment, by_user=request.user)
                messages.success(request, _("Your comment was removed."))
                return redirect(review_round)
            if form.is_valid():
                comment_services.edit_comment(
                    comment, by_user=request.user, body=form.cleaned_data["body"]
                )
                messages.success(request, _("Your comment was changed."))
                return redirect(comment.get_absolute_url())
        except ACCESS_REFUSALS:
            raise  # the 404 and 403 pages, not a message next to the form
        except DomainError as error:
            form.add_error(None, error.message)
    context = _round_context(request, review_round)
    context.update({"comment": comment, "form": form})
    status = 400 if form.errors else 200
    return render(request, "consultations/comment_edit.html", context, status=status)


@login_required
def thread(request, pk, comment_pk):
    """All replies of a long thread (the round page shows the latest few)."""
    review_round = selectors.get_round_for_user(request.user, pk)
    comment = selectors.get_comment(review_round, comment_pk)
    context = _round_context(request, review_round)
    context.update(
        {
            "comment": comment,
            "replies": selectors.thread_replies(review_round, comment),
            "reply_form": ReplyForm(),
        }
    )
    return render(request, "consultations/thread.html", context)


STEPS = {
    "open": RoundAction.OPEN,
    "close": RoundAction.CLOSE,
    "report": RoundAction.PUBLISH_REPORT,
    "extend": RoundAction.EXTEND,
    "consult": RoundAction.CONSULT,
}


@login_required
@require_http_methods(["GET", "POST"])
def round_step(request, pk, step):
    """Open, close, publish the report, extend the deadline, add consulted parties."""
    review_round = selectors.get_round_for_user(request.user, pk)
    if step not in STEPS:
        raise NotFound()
    try:
        round_policy.require(request.user, STEPS[step], review_round)
    except InvalidTransition as refusal:  # e.g. closing a round that is closed: say why
        messages.error(request, refusal.message)
        return redirect(review_round)
    posted = request.method == "POST"
    deadline_form = DeadlineForm(
        request.POST if posted and step == "extend" else None,
        initial={"closes_on": timezone.localtime(review_round.closes_at).date()},
    )
    consultees_form = ConsulteesForm(
        request.POST if posted and step == "consult" else None,
        networks=_networks_for(request.user),
        chair=request.user,
    )
    if request.method == "POST":
        try:
            if step == "open":
                round_services.open_round(review_round, by_user=request.user)
                messages.success(request, _("The round is open. The consulted have been told."))
                return redirect(review_round)
            if step == "close":
                round_services.close_round(review_round, by_user=request.user)
                messages.success(request, _("The round is closed. Now answer every comment."))
                return redirect(review_round)
            if step == "report":
                round_services.publish_report(review_round, by_user=request.user)
                messages.success(request, _("The report is published."))
                return redirect("consultations:report", pk=review_round.pk)
            if step == "extend" and deadline_form.is_valid():
                round_services.extend_deadline(
                    review_round, by_user=request.user, closes_at=deadline_form.closes_at()
                )
                messages.success(
                    request, _("The deadline is extended. The consulted have been told.")
                )
                return redirect(review_round)
            if step == "consult" and consultees_form.is_valid():
                data = consultees_form.cleaned_data
                round_services.add_consultees(
                    review_round,
                    by_user=request.user,
                    networks=list(data["networks"]),
                    organisations=list(data["organisations"]),
                    people=data["people"],
                    outside=data["outside"],
                )
                messages.success(request, _("The parties were added to the round."))
                return redirect(review_round)
        except ACCESS_REFUSALS:
            raise  # the 404 and 403 pages, not a message next to the form
        except DomainError as error:
            if step in ("open", "close", "report"):  # a button without a form: the round's page
                messages.error(request, error.message)
                return redirect(review_round)
            form = deadline_form if step == "extend" else consultees_form
            form.add_error(None, error.message)
    context = _round_context(request, review_round)
    context.update(
        {"step": step, "deadline_form": deadline_form, "consultees_form": consultees_form}
    )
    if step == "open":  # who cannot be reached, and who gets a guest link, told before opening
        context["reach"] = reach_of(
            request.user, review_round, selectors.consultees_of(review_round)
        )
    if step == "close":  # the numbers before the button: who has not answered, days left
        consultees = selectors.consultees_of(review_round)
        context.update({"consultees": consultees, **_party_status(review_round, consultees)})
    status = 400 if (deadline_form.errors or consultees_form.errors) else 200
    return render(request, "consultations/round_step.html", context, status=status)


@login_required
def document_rounds(request, pk):
    document = document_selectors.get_document_for_user(request.user, pk)
    return render(
        request,
        "consultations/document_rounds.html",
        {
            "document": document,
            "network": document.network,
            "rounds": selectors.list_rounds(document),
            "may": registry.actions(request.user, document),
            "can_view_network": Action.VIEW_NETWORK
            in registry.actions(request.user, document.network),
            "now": timezone.now(),
        },
    )


@login_required
def round_events(request, pk):
    """For the live page: the threads changed after the sequence number the page last saw."""
    from django.http import JsonResponse
    from django.middleware.csrf import get_token
    from django.template.loader import render_to_string

    review_round = selectors.get_round_for_user(request.user, pk)
    try:
        after = max(0, int(request.GET.get("after", "0")))
    except ValueError:
        after = 0
    last, threads, removed = selectors.events_after(review_round, after)
    context = thread_context(request, review_round)
    # Rendered without the request's context processors (they would run once per thread).
    context.update({"user": request.user, "csrf_token": get_token(request)})
    items = [
        {
            "id": t.comment.pk,
            "section": t.comment.section_key,
            "author": t.actor,
            "html": render_to_string("consultations/_thread.html", {**context, "t": t}),
        }
        for t in threads
    ]
    keys = {t.comment.section_key for t in threads}
    sections = [
        _section_texts(key, n) for key, n in selectors.section_counts(review_round, keys).items()
    ]
    return JsonResponse(
        {"sequence": last, "threads": items, "removed": removed, "sections": sections}
    )


def _section_texts(key: str, count: int) -> dict:
    """What the live page writes for a section whose threads changed: its count, and (where it
    shows only some) "Visar {shown} av N" and "Visa alla N" (the page puts in {shown})."""
    more = (
        ngettext(
            "Show all %(counter)s comment in the section",
            "Show all %(counter)s comments in the section",
            count,
        )
        if key
        else ngettext(
            "Show all %(counter)s comment on the whole document",
            "Show all %(counter)s comments on the whole document",
            count,
        )
    )
    return {
        "key": key,
        "count": ngettext("%(counter)s comment", "%(counter)s comments", count)
        % {"counter": count},
        "showing": ngettext(
            "Showing %(shown)s of %(counter)s comment",
            "Showing %(shown)s of %(counter)s comments",
            count,
        )
        % {"shown": "{shown}", "counter": count},
        "more": more % {"counter": count},
    }
