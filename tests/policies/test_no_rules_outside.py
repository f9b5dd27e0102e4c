# ruff: noqa: E501 - the audited lines of code are quoted whole, as they stand
"""No rule is written outside the policies (issue 12, "Done when").

Who may do what, in which state, and who is told, is decided in the permission policies
(networks/registry.py, networks/policies.py, documents/policies.py, consultations/policies/;
networks/permissions.py holds the role tables they read). Templates show buttons and forms from
`may` (what `registry.actions` gives), services ask `require`, lists and recipients come from
`objects_for` and `users_for`.

These tests keep it so. They read the templates and the code outside the policies for the words a
rule is written in (status and state comparisons, role names, membership queries, `can_…`
booleans) and fail on any use not in the lists below. Each entry of a list was audited and says
why it decides nothing about access or recipients: a badge, a label, a sort, a lookup by key, an
invariant of the data (a network keeps a chair). A new use fails until it is either moved into a
policy or added here with its reason; an entry no longer in the code fails too, so the lists stay
the audit's true record.
"""

import re
from collections import Counter
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"

# --------------------------------------------------------------------------------- templates

STATE_WORDS = re.compile(
    r"\b(status|state)\b|\b(is_open|has_opened|has_closed|has_answered|is_locked|is_adopted"
    r"|archived|is_deleted|resolved|closed_early|closes_at)\b"
)
ROLE_WORDS = re.compile(
    r"\b(role|my_role|chair|coordinator|signatory|observer|writer|is_staff|is_superuser)\b",
    re.IGNORECASE,
)
CAN_WORDS = re.compile(r"\bcan_\w+")
TAG = re.compile(r"\{%\s*(if|elif|else|endif|include)\b\s*(.*?)\s*%\}")
# What a person acts with: a form, a button, a field, a link drawn as a button.
ACTING = re.compile(r"<form\b|<button\b|<input\b|<textarea\b|<select\b|class=\"button\b")

# Conditions on state or role that only label, sort or arrange what the page shows.
# (template, condition): why it decides nothing a person may do.
DISPLAY_ONLY = {
    # the round's status badge and its deadline line
    ("consultations/_status.html", "round.closed_early"): "'closed early, on …'",
    ("consultations/_status.html", 'round.status == "open"'): "'closes in …'",
    ("consultations/_status.html", "round.status == 'closed'"): "badge colour",
    ("consultations/_status.html", "round.status == 'open'"): "badge colour",
    ("consultations/_status.html", "round.status == 'planned'"): "badge colour",
    # sign-off badges on the decisions page and the sign-off page
    ("consultations/decisions.html", "s.status == 'approved'"): "badge colour",
    ("consultations/decisions.html", "s.status == 'pending'"): "badge colour",
    ("consultations/decisions.html", "s.status == 'rejected'"): "badge colour",
    ("consultations/sign_off.html", "sign_off.status == 'approved'"): "badge colour",
    ("consultations/sign_off.html", "sign_off.status == 'pending'"): "badge colour",
    ("consultations/sign_off.html", "sign_off.status == 'rejected'"): "badge colour",
    # where a comment's quoted passage is now (anchoring.py's states), on "my comments"
    ("consultations/my_comments.html", 's.state != "orphaned"'): "passage shown or not",
    ("consultations/my_comments.html", 's.state == "anchored"'): "passage label",
    ("consultations/my_comments.html", "s.state == 'anchored'"): "passage label",
    ("consultations/my_comments.html", 's.state == "current"'): "passage label",
    ("consultations/my_comments.html", 's.state == "text_changed"'): "passage label",
    ("consultations/my_comments.html", "s.state == 'text_changed'"): "passage label",
    # the response's badge, and a note above the form (the form itself shows from
    # consultee.may.respond and its buttons from consultee.may.approve_response)
    ("consultations/respond.html", 'response.state == "awaiting_approval"'): "a note",
    ("consultations/respond.html", "response.state == 'awaiting_approval'"): "badge colour",
    ("consultations/respond.html", "response.state == 'submitted'"): "badge colour",
    ("consultations/round_detail.html", "c.status == 'drafting'"): "badge colour",
    ("consultations/round_detail.html", "c.status == 'submitted'"): "badge colour",
    # the summary line for those who run the round (`runs` is RoundAction.SEE_REACH): how many
    # have answered, once it has opened, and the days left while it is open (its buttons show
    # from may.remind_parties); the close step's list marks who is drafting
    ("consultations/_party_status.html", "round.is_open"): "text",
    ("consultations/_party_status.html", "runs and consultees and round.has_opened"): "text",
    ("consultations/_close_numbers.html", 'c.status == "drafting"'): "text",
    # the progress card (comments answered, a link to the report, whose page decides) and the
    # count of comments waiting, once there can be any
    ("consultations/round_detail.html", "round.has_opened"): "progress card",
    ("consultations/round_detail.html", "round.has_closed"): "a count",
    # a guest link's page says what the link still gives once the round has closed (reading
    # until the grace period ends); the button it shows (send a code) is the same either way
    ("consultations/guest_landing.html", "round.has_closed"): "text",
    # the document's status badge, its "adopted" / "archived" callout and the name of its first
    # tab ("Fastställd text": an adopted document's page opens on the adopted version); the
    # buttons show from may.edit_document and may.publish_version, which a locked document does
    # not give. The process stepper on the page labels the status too (documents/process.py).
    ("documents/_doc_header.html", "document.is_adopted"): "callout, tab name",
    ("documents/_doc_header.html", "document.is_locked"): "badge colour, callout",
    ("documents/network_documents.html", "document.is_locked"): "badge colour",
    # the progress of a person's own Word import (a background job, not a policy's object)
    ("documents/_import_progress.html", 'job.state == "done"'): "the result's link",
    # the sections of a comparison (diff.py's states)
    ("documents/_section_diff.html", 's.status == "added"'): "badge",
    ("documents/_section_diff.html", 's.status == "changed"'): "badge",
    ("documents/_section_diff.html", 's.status == "removed"'): "badge",
    ("documents/_section_diff.html", 's.status == "unchanged"'): "folded",
    # roles as data: the selected option of the role picker, the person's role as a badge
    ("networks/_member_row.html", "value == membership.role"): "selected option",
    ("networks/network_list.html", "network.my_role"): "badge",
    ("networks/network_detail.html", "network.archived"): "label",
    ("networks/network_detail.html", "sub.archived"): "badge on a group under it",
    ("networks/network_list.html", "network.archived"): "badge",
    # an affiliation's own field (the person approves responses for the organisation), shown
    ("networks/organisation_detail.html", "a.can_approve"): "label",
    ("networks/organisation_detail.html", "typed.can_approve"): "checkbox kept on an error",
}

# `can_…` booleans a view computes from a policy's answer (registry.actions, or
# networks.permissions.allowed_actions, which is the same call) under a name of its own. They
# are no rule, but they are not `may` either: each goes when its view asks the registry for
# `may` (the networks' and documents' views, with the legacy calls of networks.permissions).
POLICY_ANSWER_UNDER_ANOTHER_NAME = {
    ("consultations/_breadcrumbs.html", "can_view_document"),
    ("consultations/sign_off.html", "can_view_document"),
    ("documents/_breadcrumbs.html", "can_view_network"),
    ("documents/network_documents.html", "can_create"),
    ("networks/_tabs.html", "can_manage"),
    ("networks/_tabs.html", "can_view_network|default_if_none:True"),
    ("networks/organisation_detail.html", "can_manage"),
}

# A condition on state or role may guard a form or a button only here (why, each).
GUARDS_ALLOWED = {
    # "Open the document" when the person's own import has finished: a link to its result.
    ("documents/_import_progress.html", 'job.state == "done"'),
}


def _templates():
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix in (".html", ".txt"):
            yield path.relative_to(TEMPLATES).as_posix(), path.read_text()


def _speaks_of_rules(condition: str) -> bool:
    return bool(
        STATE_WORDS.search(condition) or ROLE_WORDS.search(condition) or CAN_WORDS.search(condition)
    )


def rule_conditions(templates) -> set[tuple[str, str]]:
    """Every `{% if %}` / `{% elif %}` condition that speaks of a state, a role or a `can_…`."""
    found = set()
    for name, text in templates:
        for kind, condition in TAG.findall(text):
            if kind in ("if", "elif") and _speaks_of_rules(condition):
                found.add((name, condition))
    return found


def _acts(name: str, text: str, seen: frozenset[str] = frozenset()) -> bool:
    """Does this piece of template offer a form or a button (itself or what it includes)?"""
    if ACTING.search(TAG.sub("", text)):
        return True
    for kind, argument in TAG.findall(text):
        included = re.match(r"[\"']([^\"']+)[\"']", argument) if kind == "include" else None
        if included and included.group(1) not in seen:
            path = TEMPLATES / included.group(1)
            if path.exists() and _acts(
                included.group(1), path.read_text(), seen | {included.group(1)}
            ):
                return True
    return False


def guarding_conditions(templates) -> set[tuple[str, str]]:
    """The state and role conditions of `{% if %}` blocks that hold a form or a button (in any
    of their branches, or in a template they include)."""
    found = set()
    for name, text in templates:
        stack: list[tuple[int, list[str]]] = []
        for match in TAG.finditer(text):
            kind, argument = match.groups()
            if kind == "if":
                stack.append((match.start(), [argument]))
            elif kind == "elif":
                stack[-1][1].append(argument)
            elif kind == "endif":
                start, conditions = stack.pop()
                ruled = [c for c in conditions if STATE_WORDS.search(c) or ROLE_WORDS.search(c)]
                if ruled and _acts(name, text[start : match.end()]):
                    found |= {(name, c) for c in ruled}
    return found


def test_no_template_decides_from_a_status_or_a_role():
    """A button or form shows from `may.<action>`; a state or role comparison only labels."""
    found = rule_conditions(_templates())
    audited = set(DISPLAY_ONLY) | POLICY_ANSWER_UNDER_ANOTHER_NAME
    new = sorted(found - audited)
    gone = sorted(audited - found)
    assert not new, (
        "A template decides from a status, a role or a can_… boolean: show it from `may` "
        "(registry.actions; add the fine action to the owning policy), or, if it only labels, "
        f"add it to DISPLAY_ONLY with why: {new}"
    )
    assert not gone, f"No longer in the templates, remove from the lists: {gone}"


def test_no_state_or_role_condition_guards_a_form_or_a_button():
    guards = guarding_conditions(_templates())
    unexpected = sorted(guards - GUARDS_ALLOWED)
    assert not unexpected, (
        f"A form or button shows from a status or a role: show it from `may.<action>`: {unexpected}"
    )


def test_the_scan_finds_a_rule_written_in_a_template():
    """The scans above see what they are for: a button shown from the round's status."""
    planted = [
        (
            "consultations/planted.html",
            '{% load i18n %}{% if round.status == "open" %}<form method="post">'
            "<button>Stäng</button></form>{% endif %}",
        ),
        (
            "consultations/planted_role.html",
            '{% if membership.role == "chair" %}{% include "consultations/_comment_form.html" %}'
            "{% endif %}",
        ),
        ("networks/planted_can.html", "{% if can_close %}<a href='#'>x</a>{% endif %}"),
    ]
    assert rule_conditions(planted) == {
        ("consultations/planted.html", 'round.status == "open"'),
        ("consultations/planted_role.html", 'membership.role == "chair"'),
        ("networks/planted_can.html", "can_close"),
    }
    assert guarding_conditions(planted) == {
        ("consultations/planted.html", 'round.status == "open"'),
        ("consultations/planted_role.html", 'membership.role == "chair"'),
    }


# ------------------------------------------------------------------------------------ code

APPS = ("consultations", "documents", "networks", "notifications", "workspace")
# Where the rules live (networks/permissions.py: the role tables the policies read).
POLICY_MODULES = (
    "networks/registry.py",
    "networks/policies.py",
    "networks/permissions.py",
    "documents/policies.py",
    "consultations/policies/",
)
# Not code that runs for a person: the demo's people and their roles, the national data set's
# (seed_national), migrations, the model that defines the roles.
NOT_SCANNED = (
    "/migrations/",
    "/demo.py",
    "/seed_demo.py",
    "/seed_national.py",
    "networks/models.py",
)
ROLE_OR_MEMBERSHIP = re.compile(
    r"\bRole\.[A-Z]|\b[A-Z_]+_ROLES\b|\bROLE_ACTIONS\b"
    r"|\b(Membership|Affiliation|Consultee)\.objects\b|\.(memberships|affiliations|consultees)\b"
    r"|\.role\b|\brole(__in)?=|\bis_superuser\b|\bis_staff\b"
    r"|[\"'](chair|coordinator|signatory|observer|writer|member)[\"']\s*[,)\]}]?\s*(==|!=|in\b)"
    r"|(==|!=|\bin)\s*[\"'(\[{]\s*[\"'](chair|coordinator|signatory|observer|writer|member)[\"']"
)
# Interfaces (views, consumers, tasks, template tags, the dashboard) show; they do not compare
# statuses to decide.
INTERFACE = re.compile(
    r"(/views/|/views\.py$|consumers\.py$|/templatetags/|tasks\.py$|^notifications/"
    r"|dashboard\.py$|context_processors\.py$)"
)
STATUS_TEST = re.compile(
    r"\.(status|state)\s*(==|!=|in\b|not in\b)|\b(status|state)(__in)?=\w*\.?(Status|State)\."
    r"|\b(is_locked|is_adopted|has_answered|has_closed|has_opened|is_open)\b"
)

# (file, the line, stripped): why it decides nothing about access or recipients.
CODE_AUDITED = {
    # the result of a PostgreSQL statement (libpq's status), not a person's or a round's
    (
        "notifications/delivery.py",
        "if result.status != pq.ExecStatus.COMMAND_OK and failure is None:",
    ): "libpq",
    # rows read to lock them (consultations/locks.py's order); the policy decides after
    (
        "consultations/locks.py",
        'Consultee.objects.select_related("round__document", "network", "organisation", "person")',
    ): "lock",
    (
        "consultations/services/responses.py",
        'Consultee.objects.select_related("round__document__network").filter(pk=consultee.pk).first()',
    ): "lock",
    (
        "networks/services.py",
        'membership = Membership.objects.select_related("network").get(pk=membership.pk)',
    ): "lock",
    # the round's parties, listed (the report, the round page; who sees them: the policy)
    (
        "consultations/report.py",
        'review_round.consultees.select_related("network", "organisation", "person", "response")',
    ): "list",
    (
        "consultations/selectors.py",
        'Consultee.objects.select_related("network", "organisation", "person")',
    ): "list",
    (
        "consultations/selectors.py",
        "parties = review_round.consultees.select_related(",
    ): "list",
    # the number of parties of each round in a document's list of rounds
    (
        "consultations/selectors.py",
        'consultee_count=_count_of(Consultee.objects.filter(round_id=OuterRef("pk"))),',
    ): "count",
    # adding parties: no party twice; a round with no party does not open (invariants)
    (
        "consultations/services/rounds.py",
        "existing = list(review_round.consultees.all())",
    ): "no duplicates",
    ("consultations/services/rounds.py", "if not review_round.consultees.exists():"): "invariant",
    # who is told: the parties' policy (people_of is users_for for several parties at once)
    (
        "consultations/services/rounds.py",
        "policy.people_of(review_round, review_round.consultees.all(), ConsulteeAction.RESPOND)",
    ): "users_for",
    (
        "consultations/services/rounds.py",
        "review_round, review_round.consultees.all(), ConsulteeAction.RESPOND",
    ): "users_for",
    (
        "consultations/services/rounds.py",
        "consulted = policy.people_of(review_round, review_round.consultees.all())",
    ): "users_for",
    # the reminder scan selects the parties not answered (the policy's ANSWERED) and not yet
    # reminded; people_of
    # decides who of them is told, guests.remind which of them get a link
    ("consultations/services/rounds.py", "Consultee.objects.filter("): "scan",
    # the reminder scan and the chair's reminder walk the parties not answered (the policy's
    # ANSWERED); people_of decides who of them is told, guests which of them get a link
    (
        "consultations/services/rounds.py",
        "return list(review_round.consultees.exclude(status__in=policy.ANSWERED))",
    ): "scan",
    # guest links: the parties re-read with their organisations (for its registry address);
    # which of them get a link is the rounds policy's (reached_by_people)
    (
        "consultations/guests.py",
        'consultees = list(Consultee.objects.filter(pk__in=ids).select_related("organisation"))',
    ): "list",
    ("consultations/services/rounds.py", "list(review_round.consultees.all()),"): "list",
    # an ARIA role in the HTML of a table's scroll region, not a person's role
    (
        "documents/markdown.py",
        '\'<div class="table-scroll" role="region" aria-label="{}" tabindex="0"><table>\',',
    ): "html",
    # an ARIA role in the HTML of a section's threads on the round page, not a person's role
    (
        "consultations/templatetags/round_page.py",
        '\' tabindex="-1" role="group" aria-label="{}"\',',
    ): "html",
    # the decisions page: the adopted version's card (display)
    (
        "consultations/views/decisions.py",
        "adopted = next((s for s in sign_offs if s.status == SignOff.Status.APPROVED), None)",
    ): "card",
    (
        "consultations/views/decisions.py",
        '"adopted": adopted if document.is_adopted else None,',
    ): "card",
    ("consultations/views/decisions.py", "if document.is_adopted"): "card",
    # the response page: a submitted response is shown read-only (the form shows from
    # consultee.may.respond)
    (
        "consultations/views/responses.py",
        '"submitted": response is not None and response.state == Response.State.SUBMITTED,',
    ): "display",
    # the approver sees a waiting response as a read-only review rather than the form (which
    # she may still open); who may approve is consultee.may's APPROVE, the services refuse
    (
        "consultations/views/responses.py",
        "and response.state == Response.State.AWAITING_APPROVAL",
    ): "display",
    # the round page's count of parties not answered
    (
        "consultations/views/rounds.py",
        '"not_answered": [c for c in consultees if not c.has_answered],',
    ): "count",
    # those who run the round: how many have answered, and who has not (the close step's list)
    (
        "consultations/views/rounds.py",
        "waiting = [c for c in consultees if not c.has_answered]  # a count, and the names",
    ): "count",
    # Word imports: a background job's own states
    (
        "documents/tasks.py",
        "DocxImport.objects.filter(pk=import_id, state=DocxImport.State.PROCESSING).update(",
    ): "job",
    (
        "documents/views/imports.py",
        '"failure": FAILURES.get(job.message, "") if job.state == DocxImport.State.FAILED else "",',
    ): "job",
    (
        "documents/views/imports.py",
        '"working": job.state in (DocxImport.State.WAITING, DocxImport.State.PROCESSING),',
    ): "job",
    (
        "documents/views/imports.py",
        'if job.state == DocxImport.State.DONE and job.document and request.GET.get("go"):',
    ): "job",
    # the Django admin's own gate (staff), outside the app's rules
    (
        "networks/admin.py",
        'list_display = ["email", "full_name", "language", "is_active", "is_staff"]',
    ): "admin",
    (
        "networks/admin.py",
        '{"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},',
    ): "admin",
    # the roles one may give: the picker's choices (who may give them: the view's require)
    (
        "networks/forms.py",
        'role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)',
    ): "choices",
    # members and representatives listed in the role's order, a person's role as a badge
    (
        "networks/selectors.py",
        "ROLE_ORDER = [Role.CHAIR, Role.COORDINATOR, Role.WRITER, Role.MEMBER, Role.SIGNATORY, Role.OBSERVER]",
    ): "sort",
    (
        "networks/selectors.py",
        "*(When(role=role, then=Value(place)) for place, role in enumerate(ROLE_ORDER)),",
    ): "sort",
    # Mitt arbete counts the parties of the rounds the rounds' policy lets the person run
    # (objects_for chose the rounds; the count decides nothing)
    ("workspace/dashboard.py", "parties = Consultee.objects.filter(round_id=this_round)"): "count",
    # ... and sorts them by deadline, which the status says (the policy chose the rounds and
    # their steps; sorting by the step would repeat every policy subquery in the SQL)
    (
        "workspace/dashboard.py",
        "Case(When(status=ReviewRound.Status.CLOSED, then=Value(1)), default=Value(0)),",
    ): "sort",
    (
        "workspace/dashboard.py",
        'When(status=ReviewRound.Status.PLANNED, then=F("opens_at")),',
    ): "sort",
    (
        "networks/selectors.py",
        'Membership.objects.active().filter(network=OuterRef("pk"), user=user).values("role")[:1]',
    ): "badge",
    # a network's members page lists them; one member, one affiliation, by key (the views
    # require the network's or organisation's action first)
    ("networks/selectors.py", "Membership.objects.active()"): "list, lookup by key",
    # the network's former members, listed as the record (the page's view requires the
    # network's action first)
    (
        "networks/selectors.py",
        "Membership.objects.filter(network=network, end_date__lte=timezone.localdate())",
    ): "list",
    # a member whose organisation changed is still a member, not a former one; one of the
    # network's memberships, active or ended, by key (the view requires the network's action)
    (
        "networks/selectors.py",
        'still_members = Membership.objects.active().filter(network=network).values("user_id")',
    ): "list",
    (
        "networks/selectors.py",
        'Membership.objects.select_related("user", "organisation", "network")',
    ): "lookup by key",
    # who sets a network up is its first coordinator (what that gives: the role tables)
    (
        "networks/services.py",
        "membership = Membership(user=by_user, network=network, role=Role.COORDINATOR)",
    ): "the creator's role",
    (
        "networks/selectors.py",
        "affiliation = Affiliation.objects.filter(organisation=organisation, pk=as_id(pk)).first()",
    ): "lookup",
    (
        "networks/selectors.py",
        'return list(organisation.affiliations.select_related("user").order_by("user__full_name"))',
    ): "list",
    # the people already linked to an organisation are found again to be linked (the others
    # only through the person policy's objects_for, in the same query)
    (
        "networks/selectors.py",
        'linked = Affiliation.objects.filter(organisation=organisation).values("user_id")',
    ): "lookup",
    # a network keeps at least one active chair (an invariant of the data, not who may act)
    (
        "networks/services.py",
        "return Membership.objects.active().filter(network=network, role=Role.CHAIR).count()",
    ): "invariant",
    (
        "networks/services.py",
        "is_chair = membership.role == Role.CHAIR and membership.is_active()",
    ): "invariant",
    ("networks/services.py", "if membership.role == role:"): "no change",
    ("networks/services.py", "if role != Role.CHAIR:"): "invariant",
    ("networks/services.py", "membership.role = role"): "the write",
    # a new organisation: the membership that follows keeps the role it had
    ("networks/services.py", "role=membership.role,"): "the write",
    # invitations: one invited twice, the membership an acceptance creates, the role it carries
    (
        "networks/services.py",
        "if Membership.objects.active().filter(network=network, user__email=email).exists():",
    ): "invariant",
    (
        "networks/services.py",
        "network=network, email=email, role=Role(role), organisation=organisation, invited_by=by_user",
    ): "the write",
    (
        "networks/services.py",
        "membership = Membership.objects.active().filter(network=invitation.network, user=user).first()",
    ): "the write",
    ("networks/services.py", "role=invitation.role,"): "the write",
    (
        "networks/services.py",
        "affiliation, _created = Affiliation.objects.select_for_update().get_or_create(",
    ): "the write",
    # the role chosen in the form, handed to the service (which requires the action)
    ("networks/views/networks.py", 'role=form.cleaned_data["role"],'): "form data",
    (
        "networks/views/networks.py",
        'membership, by_user=request.user, role=form.cleaned_data["role"]',
    ): "form data",
    # ARIA: the region where htmx puts a message, not a person's role
    ("workspace/middleware.py", 'response["HX-Retarget"] = "#main > [role=status]"'): "ARIA",
    # ARIA: a refused reply's message is an alert (HTML built in Python), not a person's role
    (
        "consultations/templatetags/round_page.py",
        '\'\\n      <div class="form-errors" role="alert" id="reply-{}-refusal"><p>{}</p></div>\',',
    ): "ARIA",
    # the parties' list on the round page (consultations/templatetags/party_list.py): badges,
    # and a link to a response only once there is one to read (who may read it is
    # c.may.view_response)
    ("consultations/templatetags/party_list.py", "if c.has_answered:"): "badge",
    ("consultations/templatetags/party_list.py", "if c.may.view_response and c.has_answered:"): (
        "link"
    ),
    (
        "consultations/templatetags/party_list.py",
        '"info" if c.status == Consultee.Status.DRAFTING else "neutral",',
    ): "badge colour",
    (
        "consultations/templatetags/party_list.py",
        "if review_round.has_closed or review_round.closes_at < now:",
    ): "badge",
}


def code_uses() -> Counter:
    found: Counter = Counter()
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name.startswith(POLICY_MODULES) or any(s in f"/{name}" for s in NOT_SCANNED):
                continue
            found.update(rule_lines(name, path.read_text()))
    return found


def rule_lines(name: str, text: str) -> Counter:
    found: Counter = Counter()
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            continue
        if ROLE_OR_MEMBERSHIP.search(stripped) or (
            INTERFACE.search(name) and STATUS_TEST.search(stripped)
        ):
            found[(name, stripped)] += 1
    return found


def test_no_role_membership_or_status_rule_outside_the_policies():
    found = code_uses()
    new = sorted(key for key in found if key not in CODE_AUDITED)
    gone = sorted(key for key in CODE_AUDITED if key not in found)
    assert not new, (
        "Outside the policies, code reads roles, memberships or statuses: ask the policy "
        "(registry.require / actions / objects_for / users_for), or, if it decides nothing "
        f"about access or recipients, add it to CODE_AUDITED with why: {new}"
    )
    assert not gone, f"No longer in the code, remove from CODE_AUDITED: {gone}"


def test_the_scan_finds_a_rule_written_in_code():
    planted = (
        "def close(request, review_round):\n"
        "    if review_round.status == ReviewRound.Status.OPEN:\n"
        "        pass\n"
        "    chairs = Membership.objects.filter(network=network, role=Role.CHAIR)\n"
        "    if membership.role in ('chair', 'coordinator'):\n"
        "        pass\n"
    )
    found = rule_lines("consultations/views/planted.py", planted)
    assert set(found) == {
        ("consultations/views/planted.py", line)
        for line in (
            "if review_round.status == ReviewRound.Status.OPEN:",
            "chairs = Membership.objects.filter(network=network, role=Role.CHAIR)",
            "if membership.role in ('chair', 'coordinator'):",
        )
    }
    # A service validates its move after `require`; only interfaces are held to no status.
    assert not rule_lines("consultations/services/planted.py", planted.splitlines()[1])
