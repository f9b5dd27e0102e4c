"""Refusals of the review-round core, readable by the person who tried."""

from django.utils.translation import gettext_lazy as _

from networks.errors import DomainError, NotAllowed


class InvalidTransition(DomainError):
    default_message = _("That step is not possible for this round now.")


# Why a step of the round is not possible in its state (consultations/policies/rounds.py).
ALREADY_OPEN = _("The round is already open.")
ALREADY_CLOSED = _("The round is already closed.")
NOT_OPENED_YET = _("The round has not opened yet, so it cannot be closed.")
CLOSE_BEFORE_REPORT = _("Close the round before publishing its report.")
ALREADY_REPORTED = _("The report has already been published.")
LINKS_WHEN_OPEN = _("The round has not opened yet: the guest links go out when it opens.")


class RoundClosed(DomainError):
    default_message = _("The round is closed: it no longer takes comments or responses.")


class RoundNotOpen(DomainError):
    default_message = _("The round has not opened yet.")


class OpenRoundExists(DomainError):
    default_message = _(
        "This document already has an open consultation round. Close it before opening another."
    )


class WrongVersion(DomainError):
    default_message = _("Comments in this round are about the version it sends out, not another.")


class EmptyComment(DomainError):
    default_message = _("Write something before you send the comment.")


class CommentTooLong(DomainError):
    default_message = _("A comment can be at most 20,000 characters long. Shorten it or split it.")


class QuoteNotInSection(DomainError):
    default_message = _(
        "The passage you selected is not in that section of this version. Select it again."
    )


class UnknownSection(DomainError):
    default_message = _("That section is not in the version of this round.")


class ResponseExists(DomainError):
    default_message = _("This party has already submitted its response to the round.")


class NeedsApproval(DomainError):
    default_message = _(
        "Only the person who approves for the party can submit its response. Nothing was "
        "saved: save your text as a draft, or send it for approval."
    )


class NotAwaitingApproval(DomainError):
    default_message = _("The response does not wait for approval: there is nothing to send back.")


class OnlyApproverSendsBack(DomainError):
    default_message = _("Only the person who approves for the party can send its response back.")


class SendBackWithoutComment(DomainError):
    default_message = _("Tell the drafter why the response is sent back.")


class IncompleteResponse(DomainError):
    default_message = _("Choose a position before the response is sent for approval.")


class DeadlineInPast(DomainError):
    default_message = _("The deadline must be in the future.")


class DeadlineNotLater(DomainError):
    default_message = _(
        "An extension moves the last day later. Choose a day after the present last day."
    )


class DatesOutOfOrder(DomainError):
    default_message = _("The round must close after it opens.")


class OnlyWritingGroup(DomainError):
    default_message = _("Only the writing group records what was done with a comment.")


class NotYourComment(NotAllowed):
    """Someone else's comment: a refusal of access (403), with its reason."""

    default_message = _("Only the person who wrote a comment can change or remove it.")


class NothingToConsult(DomainError):
    default_message = _("Choose at least one network, organisation or person to consult.")


class NotAnAddress(DomainError):
    """An outside person's e-mail address that cannot be one."""

    def __init__(self, address: str = ""):
        super().__init__(
            _("“%(address)s” is not an e-mail address. Check it and try again.")
            % {"address": address}
        )


class NoLinkSent(DomainError):
    default_message = _("No guest link has been sent to this party, so there is none to withdraw.")


class NotAProposal(DomainError):
    default_message = _("Only a change proposal with proposed text can be applied to the draft.")


class ProposalNeedsText(DomainError):
    default_message = _("A change proposal needs the text you propose.")


class RationaleNeeded(DomainError):
    default_message = _("Write a short rationale: the person who commented will read it.")


class NotClosedYet(DomainError):
    default_message = _("Comments are answered once the round has closed.")


class ReportPublished(DomainError):
    default_message = _("The report is published: the answers in it no longer change.")


class AnsweredComment(DomainError):
    default_message = _("A comment that has been answered cannot be removed.")


class CommentRemoved(DomainError):
    default_message = _("This comment was removed by its author: it takes no replies or changes.")


class ProposalNotApplicable(DomainError):
    default_message = _(
        "This proposal is already in the working draft, or its answer does not accept it."
    )


class PassageNotInDraft(DomainError):
    default_message = _(
        "The passage is no longer in the working draft as it was, so the proposal cannot be "
        "applied in one step. Edit the section by hand and record the answer."
    )


class DecisionInFuture(DomainError):
    default_message = _("A decision cannot be dated in the future.")


class VersionOfAnotherDocument(DomainError):
    default_message = _("That version belongs to another document.")


class NoBody(DomainError):
    default_message = _("Say which body decided: choose a network or write its name.")


class SignOffDuringRound(DomainError):
    default_message = _(
        "A consultation round on this document is open. Close it before asking for sign-off."
    )


class SupersededVersion(DomainError):
    default_message = _(
        "A newer version of the document has been published since. Sign-off is on the newest "
        "version only."
    )


class NotASignatory(DomainError):
    default_message = _("You are not one of the signatories of this sign-off.")


class AlreadySigned(DomainError):
    default_message = _("You have already signed. A signature cannot be changed.")


class SignOffClosed(DomainError):
    default_message = _("This sign-off is no longer waiting for signatures.")


class WrongPassword(DomainError):
    default_message = _("The password is not right. Your signature was not recorded.")


class ReasonNeeded(DomainError):
    default_message = _("Say why you refuse: the writing group needs to know what to change.")


class BadSignatories(DomainError):
    default_message = _(
        "Choose at least one signatory, and no more approvals than there are signatories."
    )


class CannotBeAskedToSign(DomainError):
    default_message = _("That person cannot be asked to sign this document.")


class PendingSignOff(DomainError):
    default_message = _("A sign-off of this document is already waiting for signatures.")


class NotAdopted(DomainError):
    default_message = _("Only an adopted document starts a new revision cycle.")


class RemindedToday(DomainError):
    """The chair's reminder goes out at most once a day (consultations.models.RoundReminder)."""

    def __init__(self, when: str = "", by: str = ""):
        if when and by:
            message = _(
                "The parties were already reminded today, at %(when)s by %(by)s. Nothing was "
                "sent: you can remind them again tomorrow."
            ) % {"when": when, "by": by}
        else:
            message = _(
                "The parties were already reminded today. Nothing was sent: you can remind them "
                "again tomorrow."
            )
        super().__init__(message)


class NobodyToRemind(DomainError):
    default_message = _("Every party has answered: there is nobody to remind.")
