"""The consultations' actions, by the object they are taken on. The values are what templates
read (`{% if may.close_round %}`)."""

from enum import StrEnum


class RoundAction(StrEnum):
    VIEW = "view_round"
    COMMENT = "comment_round"  # write a comment: while the round is open
    OPEN = "open_round"  # planned → open
    CLOSE = "close_round"  # open → closed, before the deadline
    EXTEND = "extend_round"  # a later deadline
    CONSULT = "consult"  # add consulted parties
    # send a party its guest link again, or a first one, and withdraw it: while the round is open
    SEND_LINKS = "send_guest_links"
    # how each party is reached (its people, a guest link to an address, or not at all)
    SEE_REACH = "see_reach"
    # remind every party that has not answered (its people, and a fresh guest link): while open
    REMIND = "remind_parties"
    PUBLISH_REPORT = "publish_report"  # closed → reported
    ANSWER = "dispose_comment"  # answer the comments (the writing group)
    READ_EVERY_RESPONSE = "read_every_response"  # those who run it and answer its comments


class ConsulteeAction(StrEnum):
    """On one consulted party of a round (its formal response)."""

    # speaks for the party in the round, from its opening on: is told of the round's steps
    SPEAK = "speak_for"
    RESPOND = "respond"  # write the party's response
    APPROVE = "approve_response"  # approve and submit it for the party
    ENTER = "enter_response"  # enter a response that came by e-mail, letter or at a meeting
    VIEW_RESPONSE = "view_response"  # read it and its original, read-only


class ResponseAction(StrEnum):
    """On a party's formal response itself (its text and the original it came in)."""

    # a draft by those who write it; once submitted, by all who may read the party's response
    READ = "read_response"


class CommentAction(StrEnum):
    REPLY = "reply"
    EDIT_OWN = "edit_comment"  # change or remove one's own comment: while the round is open
    ANSWER = "answer_comment"  # record what is done with it (the writing group)
    APPLY_PROPOSAL = "apply_proposal"  # write a change proposal into the draft


class DocumentStep(StrEnum):
    """The consultations' steps on a document (added to the documents' policy)."""

    START_ROUND = "start_round"
    RECORD_DECISION = "record_decision"
    REQUEST_SIGN_OFF = "request_sign_off"
    START_REVISION = "start_revision"


class SignOffAction(StrEnum):
    VIEW = "view_sign_off"
    SIGN = "sign"  # a named signatory, while it waits
    WITHDRAW = "withdraw_sign_off"  # those who run the document, and the requester, while it waits
