from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from networks.errors import OrganisationOutsideNetwork
from networks.models import Network, Organisation, Role
from networks.organisation_numbers import normalise_organisation_number


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("The e-mail address or the password is wrong. Please try again."),
        "inactive": _("This account is not active."),
    }


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The person gets an e-mail with a link to join."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
    organisation = forms.ModelChoiceField(
        label=_("Represents"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— no organisation —"),
        help_text=_(
            "Only organisations that take part in this network, the networks above it or the "
            "groups under it."
        ),
        error_messages={"invalid_choice": OrganisationOutsideNetwork.default_message},
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations.order_by("name")


class RepresentationForm(forms.Form):
    """The organisation a member represents from now on (or none)."""

    organisation = forms.ModelChoiceField(
        label=_("Represents from today"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— no organisation —"),
        help_text=_(
            "Only organisations that take part in this network, the networks above it or the "
            "groups under it. The earlier organisation stays in the record."
        ),
        error_messages={"invalid_choice": OrganisationOutsideNetwork.default_message},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations.order_by("name")


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class RegisterForm(forms.Form):
    """An invited person without an account chooses their name and password."""

    full_name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are not the same."))
        return cleaned


class OrganisationForm(forms.Form):
    """An organisation's facts, as added or edited on its page (networks.services checks them
    again, and refuses duplicates)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organisation.Kind.choices)
    organisation_number = forms.CharField(
        label=_("Organisation number"),
        max_length=20,
        required=False,
        help_text=_("Ten digits, NNNNNN-NNNN."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    registry_email = forms.EmailField(
        label=_("Registry e-mail"),
        required=False,
        help_text=_(
            "The organisation's official address (registrator or shared mailbox): remisser are "
            "sent to it."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_email = forms.EmailField(
        label=_("Contact person's e-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    contact_phone = forms.CharField(
        label=_("Contact person's phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def clean_organisation_number(self):
        return normalise_organisation_number(self.cleaned_data["organisation_number"])


class NetworkForm(forms.Form):
    """A new network, or a new group under one."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Network.Kind.choices)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the group does, in a sentence or two. Shown on its page."),
    )


class EndMembershipForm(forms.Form):
    end_date = forms.DateField(
        label=_("Member until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Leave it empty to end the membership today. A later date plans the end: until then "
            "the person is a member as before."
        ),
    )
