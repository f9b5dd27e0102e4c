"""The kinds of notification: what each says, in the recipient's language, and how it is
delivered unless the person chooses otherwise.

Texts take their words from the notification's `context` (plain strings the caller passes, so
this app needs no other app of ours): e.g. network, document, round, deadline, comment.
"""

import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    INVITED = "invited", _("Invited to a network")
    CONSULTEE_ADDED = "consultee_added", _("Asked to answer a consultation")
    ROUND_OPENED = "round_opened", _("A consultation round opened")
    DEADLINE_IN_3_DAYS = "deadline_3_days", _("Deadline in 3 days")
    DEADLINE_IN_1_DAY = "deadline_1_day", _("Deadline tomorrow")
    DEADLINE_EXTENDED = "deadline_extended", _("Deadline extended")
    ROUND_REMINDER = "round_reminder", _("A reminder from the chair of a consultation")
    ROUND_CLOSED = "round_closed", _("A consultation round closed")
    COMMENT_REPLY = "comment_reply", _("A reply to my comment")
    COMMENT_DISPOSITION = "comment_disposition", _("A response to my comment")
    VERSION_PUBLISHED = "version_published", _("A new version of a document")
    RESPONSE_AWAITING_APPROVAL = (
        "response_awaiting_approval",
        _("My organisation's response waits for my approval"),
    )
    RESPONSE_SENT_BACK = (
        "response_sent_back",
        _("The approver sent my organisation's response back"),
    )
    SIGNOFF_AWAITING_SIGNATURE = (
        "signoff_awaiting_signature",
        _("A sign-off waits for my signature"),
    )
    SIGNATURE_GIVEN = "signature_given", _("A signature was given")
    SIGNATURE_REFUSED = "signature_refused", _("A signature was refused")
    DOCUMENT_ADOPTED = "document_adopted", _("A document was adopted")
    DECISION_RECORDED = "decision_recorded", _("A decision was recorded in my network")


class Channel(models.TextChoices):
    IMMEDIATE = "immediate", _("E-mail at once")
    DIGEST = "digest", _("Daily e-mail summary")
    IN_APP = "in_app", _("Only in Samverka")


@dataclass(frozen=True)
class Texts:
    """`message` is one sentence for the list and the e-mail; `subject` the e-mail subject."""

    subject: str
    message: str
    default: str = Channel.IMMEDIATE


TEXTS: dict[str, Texts] = {
    Kind.INVITED: Texts(
        _("Invitation to %(network)s"),
        _("%(actor)s invites you to join %(network)s as %(role)s."),
    ),
    Kind.CONSULTEE_ADDED: Texts(
        _("Consultation: %(round)s"),
        _("You are asked to answer the consultation “%(round)s” on %(document)s by %(deadline)s."),
    ),
    Kind.ROUND_OPENED: Texts(
        _("Consultation opened: %(round)s"),
        _("The consultation “%(round)s” on %(document)s is open until %(deadline)s."),
        Channel.DIGEST,
    ),
    Kind.DEADLINE_IN_3_DAYS: Texts(
        _("3 days left: %(round)s"),
        _("The consultation “%(round)s” closes on %(deadline)s, and you have not answered yet."),
    ),
    Kind.DEADLINE_IN_1_DAY: Texts(
        _("Closes tomorrow: %(round)s"),
        _("The consultation “%(round)s” closes tomorrow, %(deadline)s, and you have not answered."),
    ),
    Kind.DEADLINE_EXTENDED: Texts(
        _("New deadline: %(round)s"),
        _("The deadline of the consultation “%(round)s” is now %(deadline)s."),
    ),
    Kind.ROUND_REMINDER: Texts(
        _("Reminder: %(round)s"),
        _(
            "%(actor)s reminds you: the consultation “%(round)s” on %(document)s closes on "
            "%(deadline)s, and your response has not been sent yet."
        ),
    ),
    Kind.ROUND_CLOSED: Texts(
        _("Consultation closed: %(round)s"),
        _("The consultation “%(round)s” on %(document)s has closed."),
        Channel.DIGEST,
    ),
    Kind.COMMENT_REPLY: Texts(
        _("Reply to your comment on %(document)s"),
        _("%(actor)s replied to your comment on %(document)s."),
        Channel.DIGEST,
    ),
    Kind.COMMENT_DISPOSITION: Texts(
        _("Your comment on %(document)s was answered"),
        _("The writing group has answered your comment on %(document)s: %(disposition)s."),
        Channel.DIGEST,
    ),
    Kind.VERSION_PUBLISHED: Texts(
        _("New version of %(document)s"),
        _("%(actor)s published version %(version)s of %(document)s."),
        Channel.DIGEST,
    ),
    Kind.RESPONSE_AWAITING_APPROVAL: Texts(
        _("Approve the response of %(organisation)s"),
        _("The response of %(organisation)s to “%(round)s” waits for your approval."),
    ),
    Kind.RESPONSE_SENT_BACK: Texts(
        _("Sent back: the response of %(organisation)s"),
        _("%(actor)s sent the response of %(organisation)s to “%(round)s” back: %(reason)s"),
    ),
    Kind.SIGNOFF_AWAITING_SIGNATURE: Texts(
        _("Your signature: %(document)s"),
        _("Version %(version)s of %(document)s waits for your signature."),
    ),
    Kind.SIGNATURE_GIVEN: Texts(
        _("Signed: %(document)s"),
        _("%(actor)s approved version %(version)s of %(document)s."),
    ),
    Kind.SIGNATURE_REFUSED: Texts(
        _("Signature refused: %(document)s"),
        _("%(actor)s refused to sign version %(version)s of %(document)s."),
    ),
    Kind.DOCUMENT_ADOPTED: Texts(
        _("Adopted: %(document)s"),
        _("Version %(version)s of %(document)s has been adopted."),
    ),
    Kind.DECISION_RECORDED: Texts(
        _("Decision recorded: %(document)s"),
        _("%(body)s recorded a decision on %(document)s: %(decision)s."),
        Channel.DIGEST,
    ),
}

# Kinds that concern a deadline: the round issue raises them once per round and threshold.
REMINDER_KINDS = frozenset({Kind.DEADLINE_IN_3_DAYS, Kind.DEADLINE_IN_1_DAY})


I18N = "_i18n"  # a context value stored in every language: {"_i18n": {"sv": …, "en": …}}


def _in_active_language(value) -> str:
    if isinstance(value, dict) and I18N in value:
        texts = value[I18N]
        language = (get_language() or "sv").split("-")[0]
        return texts.get(language) or next(iter(texts.values()), "")
    return str(value)


class _Blank(dict):
    """Missing words show as a dash rather than breaking the sentence."""

    def __missing__(self, key):
        return "–"


def render(kind: str, context: dict, part: str = "message") -> str:
    """The text of a notification in the active language."""
    texts = TEXTS.get(kind)
    if texts is None:
        return str(context.get("text", kind))
    template = str(getattr(texts, part))
    words = {k: _in_active_language(v) for k, v in (context or {}).items()}
    if part == "subject":
        title = _title_with_the_prefix(template, words)
        if title:
            return title
    return template % _Blank(words)


# A subject of the form "Remiss: %(round)s".
_PREFIXED = re.compile(r"(?P<prefix>\w[\w ]*): %\((?P<name>\w+)\)s")


def _title_with_the_prefix(template: str, words: dict) -> str:
    """A title that already starts with the subject's prefix is the subject on its own: a round
    called "Remiss av …" gives "Remiss av …", not "Remiss: Remiss av …"."""
    match = _PREFIXED.fullmatch(template.strip())
    if match is None:
        return ""
    title = str(words.get(match["name"], "")).strip()
    if title.casefold().startswith(match["prefix"].strip().casefold()):
        return title
    return ""
