"""Domain errors: refusals a person can read, in their language. Never a 500, never a 403."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of every refusal the core raises. `message` is shown to the person as it is."""

    default_message = _("That could not be done.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class NotFound(DomainError, Http404):
    """Missing or not visible: the same answer for both, so nothing leaks. Django shows it as
    its 404 page."""

    default_message = _("Not found.")


class NotAllowed(DomainError):
    """Visible, but this person may not do this."""

    default_message = _("You do not have permission to do that.")


# Refusals that are pages of their own (404, 403), never a message next to a form.
ACCESS_REFUSALS = (NotFound, NotAllowed)


class OwnAffiliation(DomainError):
    default_message = _(
        "You cannot change your own link to an organisation. Ask another coordinator."
    )


class LastChair(DomainError):
    default_message = _(
        "A network must always have at least one chair. Appoint another chair first."
    )


class AlreadyMember(DomainError):
    default_message = _("That person is already a member of this network.")


class OrganisationOutsideNetwork(DomainError):
    default_message = _(
        "That organisation does not take part in this network or the networks it belongs with. "
        "Choose one of the organisations in the list."
    )


class InvitationInvalid(DomainError):
    default_message = _("This invitation link is not valid.")


class InvitationExpired(InvitationInvalid):
    default_message = _(
        "This invitation has expired. Ask the person who invited you for a new one."
    )


class InvitationUsed(InvitationInvalid):
    default_message = _("This invitation has already been used.")


class InvitationWithdrawn(InvitationInvalid):
    default_message = _("This invitation has been withdrawn.")


class InvitationForSomeoneElse(InvitationInvalid):
    default_message = _(
        "This invitation was sent to another e-mail address than the one you are logged in with."
    )


class AccountExists(DomainError):
    default_message = _(
        "There is already an account for this e-mail address. Log in to accept the invitation."
    )


class MembershipEnded(DomainError):
    default_message = _("This membership has already ended.")


class InvalidOrganisationNumber(DomainError):
    field = "organisation_number"

    def __init__(self, message=None):
        from networks.organisation_numbers import INVALID_MESSAGE

        super().__init__(message or INVALID_MESSAGE)


class DuplicateOrganisation(DomainError):
    """Another organisation already has this number or name; `existing` is that one, so the
    page can link to it."""

    def __init__(self, message, *, existing, field: str):
        self.existing = existing
        self.field = field
        super().__init__(message)


class InvalidOrganisationEmail(DomainError):
    default_message = _("Enter a valid e-mail address.")

    def __init__(self, field: str):
        self.field = field
        super().__init__()


class AlreadyRepresents(DomainError):
    """The organisation chosen is the one the membership represents now: nothing to change."""

    default_message = _(
        "That is the organisation the person already represents. Choose another one, or none."
    )


class EndDateInPast(DomainError):
    default_message = _("Choose today or a later date: a membership cannot end in the past.")


class NameMissing(DomainError):
    default_message = _("Give the group a name.")
