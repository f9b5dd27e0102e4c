from django.urls import path

from consultations.views import (
    answers,
    decisions,
    guests,
    mine,
    reach,
    report,
    responses,
    rounds,
    timeline,
)

app_name = "consultations"

urlpatterns = [
    path("documents/<int:pk>/rounds/", rounds.document_rounds, name="document_rounds"),
    path("documents/<int:pk>/rounds/new/", rounds.round_new, name="round_new"),
    path("my-comments/", mine.my_comments, name="my_comments"),
    path("documents/<int:pk>/decisions/", decisions.decisions, name="decisions"),
    path("documents/<int:pk>/timeline/", timeline.document_timeline, name="timeline"),
    path("documents/<int:pk>/decisions/new/", decisions.decision_new, name="decision_new"),
    path("documents/<int:pk>/sign-off/new/", decisions.sign_off_new, name="sign_off_new"),
    path("documents/<int:pk>/new-revision/", decisions.new_revision, name="new_revision"),
    path("decisions/<int:pk>/minutes/", decisions.decision_minutes, name="decision_minutes"),
    path("sign-offs/<int:pk>/", decisions.sign_off_detail, name="sign_off"),
    path("sign-offs/<int:pk>/withdraw/", decisions.sign_off_withdraw, name="sign_off_withdraw"),
    # A guest's link names nothing but its token (consultations.guests).
    path("guest/<str:token>/", guests.landing, name="guest"),
    path("guest/<str:token>/code/", guests.send_code, name="guest_code"),
    path("guest/<str:token>/verify/", guests.verify, name="guest_verify"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round"),
    path("rounds/<int:pk>/answers/", answers.answers, name="answers"),
    path("rounds/<int:pk>/comments/", rounds.comment_add, name="comment_add"),
    path("rounds/<int:pk>/events/", rounds.round_events, name="events"),
    path(
        "rounds/<int:pk>/sections/<str:key>/threads/",
        rounds.section_threads,
        name="section_threads",
    ),
    path("rounds/<int:pk>/comments/<int:comment_pk>/reply/", rounds.reply_add, name="reply_add"),
    path(
        "rounds/<int:pk>/comments/<int:comment_pk>/edit/", rounds.comment_edit, name="comment_edit"
    ),
    path("rounds/<int:pk>/comments/<int:comment_pk>/thread/", rounds.thread, name="thread"),
    path(
        "rounds/<int:pk>/comments/<int:comment_pk>/answer/",
        answers.disposition,
        name="disposition",
    ),
    path("rounds/<int:pk>/respond/<int:consultee_pk>/", responses.respond, name="respond"),
    path(
        "rounds/<int:pk>/enter/<int:consultee_pk>/", responses.enter_response, name="enter_response"
    ),
    path(
        "rounds/<int:pk>/respond/<int:consultee_pk>/original/",
        responses.attachment,
        name="attachment",
    ),
    # A party's guest link, by the chair: sent again (or first), withdrawn (after a question).
    path(
        "rounds/<int:pk>/parties/<int:consultee_pk>/send-link/",
        reach.send_link,
        name="send_link",
    ),
    path(
        "rounds/<int:pk>/parties/<int:consultee_pk>/withdraw-link/",
        reach.withdraw_link,
        name="withdraw_link",
    ),
    # The chair reminds every party that has not answered (after a question), once a day.
    path("rounds/<int:pk>/remind/", rounds.round_remind, name="remind"),
    path("rounds/<int:pk>/report/", report.report, name="report"),
    # Publishing is the round's step "report"; it has a path of its own, because the step's
    # general path would be the report page's.
    path("rounds/<int:pk>/publish/", rounds.round_step, {"step": "report"}, name="publish"),
    path("rounds/<int:pk>/report.<str:fmt>", report.report_file, name="report_file"),
    path("rounds/<int:pk>/<str:step>/", rounds.round_step, name="step"),
]
