import re
from datetime import datetime, time

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from consultations.models import Comment, Decision, Disposition, Response, Signature
from consultations.services.responses import MAX_ATTACHMENT_BYTES
from networks import registry
from networks.models import Network, Organisation, normalise_email
from networks.policies import PersonAction

# A word with an @ in it: the address on a line of "People outside Samverka" (with what a
# mail program puts around it: "Anna Berg <anna@oru.se>", "mailto:", a comma, quotes).
_ADDRESS = re.compile(r"<?(?:mailto:)?[^\s<>,;()\[\]\"]*@[^\s<>,;()\[\]\"]*>?", re.IGNORECASE)
_AROUND_A_NAME = " \t<>,;:()[]\"'"


def outside_people(text: str) -> list[tuple[str, str]]:
    """(address, name) from lines of a name and an e-mail address, in any order and however a
    mail program writes them; every line that is not one is named in the error."""
    people, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        found = list(_ADDRESS.finditer(line))
        if not found:
            problems.append(
                _("Line %(line)s, “%(text)s”: there is no e-mail address on it.")
                % {"line": number, "text": line.strip()}
            )
            continue
        if len(found) > 1:
            problems.append(
                _("Line %(line)s: write one person per line (it has %(count)s addresses).")
                % {"line": number, "count": len(found)}
            )
            continue
        match = found[0]
        address = normalise_email(re.sub(r"^mailto:", "", match.group().strip("<>"), flags=re.I))
        try:
            validate_email(address)
        except forms.ValidationError:
            problems.append(
                _("Line %(line)s: “%(address)s” is not an e-mail address.")
                % {"line": number, "address": address}
            )
            continue
        name = f"{line[: match.start()]} {line[match.end() :]}".strip(_AROUND_A_NAME)
        people.append((address, " ".join(name.split())))
    if problems:
        raise forms.ValidationError(problems)
    return people


class RoundForm(forms.Form):
    version = forms.ModelChoiceField(
        label=_("Version to send out"), queryset=None, empty_label=None
    )
    title = forms.CharField(label=_("Title of the round"), max_length=300)
    instructions = forms.CharField(
        label=_("Instructions to the consulted"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    questions = forms.CharField(
        label=_("Specific questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One question per line. Every consulted party can answer them."),
    )
    closes_on = forms.DateField(
        label=_("Last day to answer"), widget=forms.DateInput(attrs={"type": "date"})
    )
    networks = forms.ModelMultipleChoiceField(
        label=_("Networks"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    people = forms.CharField(
        label=_("Named people"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "E-mail addresses, one per line. They may be outside the network: they then see this "
            "round and its version, and nothing else."
        ),
    )
    outside = forms.CharField(
        label=_("People outside Samverka"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One person per line: name and e-mail address, for example “Anna Berg "
            "anna.berg@oru.se”. They get a link by e-mail to read the round and answer it, "
            "without an account."
        ),
    )

    def __init__(self, *args, document, networks, chair, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = document.versions.order_by("-number")
        self.fields["networks"].queryset = networks
        self.chair = chair

    def clean_closes_on(self):
        day = self.cleaned_data["closes_on"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The last day to answer cannot be in the past."))
        return day

    def clean_people(self):
        addresses = [
            normalise_email(line) for line in self.cleaned_data["people"].replace(",", "\n").split()
        ]
        addresses = [a for a in addresses if a]
        # Only people the chair can already see: an account out of their reach gets the very
        # answer an address without one gets, so the form tells nobody who has an account.
        within_reach = registry.objects_for(self.chair, PersonAction.VIEW, get_user_model())
        users = list(within_reach.filter(email__in=addresses))
        unknown = sorted(set(addresses) - {u.email for u in users})
        if unknown:
            raise forms.ValidationError(
                _(
                    "No one you can consult by name has the address %(addresses)s. Invite them "
                    "to a network first, or consult them under “People outside Samverka”."
                )
                % {"addresses": ", ".join(unknown)}
            )
        return users

    def clean_outside(self):
        return outside_people(self.cleaned_data["outside"])

    def closes_at(self):
        """The round closes at the end of its last day, Swedish time."""
        day = self.cleaned_data["closes_on"]
        return timezone.make_aware(datetime.combine(day, time(23, 59)))

    def question_list(self):
        return [line for line in self.cleaned_data["questions"].splitlines() if line.strip()]


class ConsulteesForm(forms.Form):
    networks = forms.ModelMultipleChoiceField(
        label=_("Networks"),
        queryset=Network.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    people = RoundForm.base_fields["people"]
    clean_people = RoundForm.clean_people
    outside = RoundForm.base_fields["outside"]
    clean_outside = RoundForm.clean_outside

    def __init__(self, *args, networks, chair, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["networks"].queryset = networks
        self.chair = chair


class DeadlineForm(forms.Form):
    closes_on = RoundForm.base_fields["closes_on"]
    clean_closes_on = RoundForm.clean_closes_on
    closes_at = RoundForm.closes_at


class IdempotencyKeyField(forms.UUIDField):
    """The hidden key of a comment or reply form (a new uuid4 each time the form is rendered,
    kept when it comes back with errors): the same key sent twice is the same post
    (consultations/services/comments.py). Never an error: a form without it, or with something
    else in it, is posted without a key, as before there were keys."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            return None


class CommentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Comment.Kind.choices, initial=Comment.Kind.REMARK
    )
    body = forms.CharField(
        label=_("Your comment"),
        max_length=Comment.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("A comment can be at most 20,000 characters long.")},
    )
    proposed_text = forms.CharField(
        label=_("Proposed text"),
        required=False,
        max_length=Comment.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a change proposal: the text as you would like it to read."),
    )
    section_key = forms.CharField(required=False, widget=forms.HiddenInput)
    quote_exact = forms.CharField(required=False, widget=forms.HiddenInput)
    quote_prefix = forms.CharField(required=False, widget=forms.HiddenInput)
    quote_suffix = forms.CharField(required=False, widget=forms.HiddenInput)
    idempotency_key = IdempotencyKeyField()
    on_behalf_of = forms.ModelChoiceField(
        label=_("On behalf of"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— myself —"),
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on_behalf_of"].queryset = organisations or Organisation.objects.none()


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=Comment.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write your reply")},
    )
    idempotency_key = IdempotencyKeyField()


class ResponseForm(forms.Form):
    position = forms.ChoiceField(
        label=_("Position"),
        choices=Response.Position.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    summary = forms.CharField(
        label=_("Summary of the response"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"q{question.pk}"] = forms.CharField(
                label=question.text, required=False, widget=forms.Textarea(attrs={"rows": 3})
            )

    def answers(self):
        return {str(q.pk): self.cleaned_data.get(f"q{q.pk}", "") for q in self.questions}


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label=_("Why it is sent back (to the drafter)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Tell the drafter why the response is sent back.")},
    )


class EnteredResponseForm(ResponseForm):
    via = forms.ChoiceField(
        label=_("How it came"),
        choices=[c for c in Response.Via.choices if c[0] != Response.Via.WEB],
    )
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    attachment = forms.FileField(label=_("The original"), required=False)

    def clean_position(self):
        position = self.cleaned_data.get("position")
        if not position:
            raise forms.ValidationError(_("Choose the party's position."))
        return position

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if upload and upload.size > MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class DispositionForm(forms.Form):
    """The writing group's answer to a comment. Nothing is chosen for them: the outcome starts
    empty, and a form without one comes back with the rationale as typed."""

    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Disposition.Outcome.choices,
        error_messages={
            "required": _("Choose how the comment is dealt with"),
            "invalid_choice": _("Choose how the comment is dealt with"),
        },
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write why: the rationale is what the commenter reads")},
    )
    applied_in = forms.ModelChoiceField(
        label=_("Applied in version"),
        queryset=None,
        required=False,
        empty_label=_("— not yet —"),
        error_messages={"invalid_choice": _("Choose one of the document's versions")},
    )

    def __init__(self, *args, document, comment_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.comment_id = comment_id  # the comment the form answers (its fields' ids end so)
        self.fields["applied_in"].queryset = document.versions.order_by("-number")


class GuestForm(forms.Form):
    """Who answers through a guest link: the code e-mailed to the party's address, and who they
    are (the round's record shows it with their comments and the response they submit)."""

    code = forms.CharField(
        label=_("The code from the e-mail"),
        max_length=20,
        help_text=_("Six digits."),
        error_messages={"required": _("Type the code from the e-mail.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        error_messages={
            "required": _("Write your name, so that the round's record shows who answered.")
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    title = forms.CharField(
        label=_("Title/role"),
        max_length=200,
        required=False,
        help_text=_("For example Registrator, or Head of social services."),
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )


class DecisionForm(forms.Form):
    version = forms.ModelChoiceField(label=_("Version decided on"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("Kind of decision"), choices=Decision.Kind.choices)
    body_network = forms.ModelChoiceField(
        label=_("Body in Samverka"),
        queryset=Network.objects.none(),
        required=False,
        empty_label=_("— a body outside Samverka —"),
    )
    body_name = forms.CharField(
        label=_("Or the body's name"),
        required=False,
        max_length=300,
        help_text=_("For example “Socialnämnden i Kumla kommun”."),
    )
    decided_on = forms.DateField(
        label=_("Date of the decision"), widget=forms.DateInput(attrs={"type": "date"})
    )
    minutes_reference = forms.CharField(
        label=_("Minutes reference"),
        required=False,
        max_length=100,
        help_text=_("For example “§ 42”."),
    )
    text = forms.CharField(label=_("The decision"), widget=forms.Textarea(attrs={"rows": 4}))
    conditions = forms.CharField(
        label=_("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes = forms.FileField(label=_("The minutes"), required=False)

    def __init__(self, *args, document, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = document.versions.order_by("-number")
        self.fields["body_network"].queryset = networks

    def clean_minutes(self):
        upload = self.cleaned_data.get("minutes")
        if upload and upload.size > MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


NOT_OFFERED = _(
    "One of the people chosen cannot be asked to sign this document. Choose among those listed."
)


class SignOffForm(forms.Form):
    """The version is the newest one, shown as text; it travels in a hidden field so that a
    version published while the page was open is refused (SupersededVersion), never signed
    unseen."""

    version = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    signatories = forms.ModelMultipleChoiceField(
        label=_("Signatories"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one signatory."),
            "invalid_choice": NOT_OFFERED,
            "invalid_pk_value": NOT_OFFERED,
        },
    )
    required = forms.IntegerField(
        label=_("Approvals needed"),
        required=False,
        min_value=1,
        help_text=_("Leave empty when all must approve."),
    )
    sign_by = forms.DateField(
        label=_("Sign by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day to sign. Leave empty for no deadline."),
    )

    def __init__(self, *args, document, candidates, roles, **kwargs):
        """`candidates`: the people who may be asked; `roles`: what to show after each name
        (their roles and bodies), by person id."""
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = document.versions.all()
        self.fields["version"].error_messages["invalid_choice"] = _(
            "The version shown is no longer there. Reload the page."
        )
        field = self.fields["signatories"]
        field.queryset = candidates
        field.label_from_instance = lambda person: format_html(
            '{} <span class="meta">{}</span>', person.get_full_name(), roles.get(person.pk, "")
        )

    def clean_sign_by(self):
        sign_by = self.cleaned_data["sign_by"]
        if sign_by is not None and sign_by < timezone.localdate():
            raise forms.ValidationError(_("The last day to sign cannot be in the past."))
        return sign_by


class SignForm(forms.Form):
    # The service's verdicts, worded as what the signatory says.
    verdict = forms.ChoiceField(
        label=_("Your decision"),
        choices=[
            (Signature.Verdict.APPROVE, _("I approve")),
            (Signature.Verdict.REJECT, _("I decline")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when you refuse."),
    )
    password = forms.CharField(
        label=_("Your password, to confirm that it is you"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
