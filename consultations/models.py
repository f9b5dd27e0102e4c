"""Review rounds (remissrundor): who is consulted on which version, their comments and formal
responses, and what the writing group did with every comment."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from documents.models import Document, Version, WrittenOnce
from networks.models import Network, Organisation

if TYPE_CHECKING:
    from networks.registry import Allowed


class ReviewRound(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        REPORTED = "reported", _("Report published")

    TRANSITIONS: dict[str, set[str]] = {
        Status.PLANNED: {Status.OPEN},
        Status.OPEN: {Status.CLOSED},
        Status.CLOSED: {Status.REPORTED},
        Status.REPORTED: set(),
    }

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.PROTECT, related_name="rounds"
    )
    version = models.ForeignKey(
        Version, verbose_name=_("version"), on_delete=models.PROTECT, related_name="rounds"
    )
    title = models.CharField(_("title"), max_length=300)
    instructions = models.TextField(_("instructions"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("deadline"))
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair of the round"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    # Live updates on the round page carry this number, so a page can tell what it missed.
    sequence = models.PositiveBigIntegerField(default=0)

    history = HistoricalRecords(excluded_fields=["sequence"])
    _history_user: AbstractBaseUser | None  # who changes it (services set it for simple-history)

    class Meta:
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        ordering = ["-opens_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status="open"),
                name="one_open_round_per_document",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="round_dates_in_order"
            ),
        ]
        # the every-minute scans: open rounds whose deadline is near or past
        indexes = [models.Index(fields=["status", "closes_at"], name="round_status_deadline")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("consultations:round", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def has_opened(self) -> bool:
        return self.status != self.Status.PLANNED

    @property
    def has_closed(self) -> bool:
        return self.status in (self.Status.CLOSED, self.Status.REPORTED)

    @property
    def closed_early(self) -> bool:
        """Closed by its chair before the deadline: parties that had not answered were not late."""
        return self.closed_at is not None and self.closed_at < self.closes_at


class RoundReminder(models.Model):
    """The chair reminded every party that had not answered (consultations.services.rounds.
    remind_parties): at most once a local calendar day per round, which the constraint keeps
    however the requests race."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="reminders")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    sent_on = models.DateField()  # the local day: one reminder a day
    parties = models.PositiveIntegerField(default=0)  # parties reminded
    people = models.PositiveIntegerField(default=0)  # people told in Samverka and by e-mail
    links = models.PositiveIntegerField(default=0)  # fresh guest links sent

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["round", "sent_on"], name="round_reminded_once_a_day"),
        ]

    def __str__(self):
        return f"{self.round} ({self.sent_on})"


class Question(models.Model):
    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    text = models.TextField(_("question"))

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None  # who changes it (services set it for simple-history)

    class Meta:
        ordering = ["round", "position"]

    def __str__(self):
        return self.text[:80]


class Consultee(models.Model):
    """A consulted party: a whole network, an organisation, or one named person."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        DRAFTING = "drafting", _("Drafting")
        SUBMITTED = "submitted", _("Submitted")
        DECLINED = "declined", _("Declined")

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="consultees")
    network = models.ForeignKey(
        Network, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consulted_in",
    )
    # A person outside Samverka (an expert, a researcher), consulted by e-mail address alone.
    outside_email = models.EmailField(_("e-mail address"), blank=True)
    outside_name = models.CharField(_("name"), max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.INVITED)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None  # who changes it (services set it for simple-history)
    may: "Allowed"  # the actions allowed now, set for a page (policies.rounds.on_parties)

    class Meta:
        verbose_name = _("consulted party")
        verbose_name_plural = _("consulted parties")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(network__isnull=False, organisation__isnull=True, person__isnull=True)
                    & Q(outside_email="")
                    | Q(network__isnull=True, organisation__isnull=False, person__isnull=True)
                    & Q(outside_email="")
                    | Q(network__isnull=True, organisation__isnull=True, person__isnull=False)
                    & Q(outside_email="")
                    | Q(network__isnull=True, organisation__isnull=True, person__isnull=True)
                    & ~Q(outside_email="")
                ),
                name="consultee_is_one_party_or_outside_person",
            ),
            models.UniqueConstraint(
                fields=["round", "network"],
                condition=Q(network__isnull=False),
                name="network_consulted_once",
            ),
            models.UniqueConstraint(
                fields=["round", "organisation"],
                condition=Q(organisation__isnull=False),
                name="organisation_consulted_once",
            ),
            models.UniqueConstraint(
                fields=["round", "person"],
                condition=Q(person__isnull=False),
                name="person_consulted_once",
            ),
            models.UniqueConstraint(
                "round",
                Lower("outside_email"),
                condition=~Q(outside_email=""),
                name="outside_person_consulted_once",
            ),
        ]

    def __str__(self):
        return str(self.party)

    @property
    def party(self):
        return self.network or self.organisation or self.person or self.outside_party

    @property
    def outside_party(self) -> str:
        """An outside person as every reader of the round sees them: by name (their address is
        shown only to those who run the round, with how the party is reached)."""
        if not self.outside_email:
            return ""
        return self.outside_name or self.outside_email

    @property
    def has_answered(self) -> bool:
        """Its response is in (submitted, or declined to take a position): nothing more to do."""
        return self.status in (self.Status.SUBMITTED, self.Status.DECLINED)

    @property
    def kind(self) -> str:
        if self.network_id:
            return "network"
        if self.organisation_id:
            return "organisation"
        return "person" if self.person_id else "outside"

    @property
    def guest_address(self) -> str:
        """Where a guest link goes when nobody in Samverka speaks for the party: an
        organisation's registry address, an outside person's own address."""
        if self.organisation_id:
            return self.organisation.registry_email
        return self.outside_email


class Comment(models.Model):
    class Kind(models.TextChoices):
        REMARK = "remark", _("Remark")
        QUESTION = "question", _("Question")
        PROPOSAL = "proposal", _("Change proposal")

    MAX_LENGTH = 20_000

    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="comments")
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="+")
    section_key = models.CharField(max_length=24, blank=True)  # blank: the whole document
    quote_exact = models.TextField(blank=True)
    quote_prefix = models.CharField(max_length=64, blank=True)
    quote_suffix = models.CharField(max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.REMARK)
    body = models.TextField(_("comment"))
    proposed_text = models.TextField(_("proposed text"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    on_behalf_of = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies"
    )
    resolved = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # The key of the form it was posted from (a new one each time a comment or reply form is
    # rendered): a POST sent again with the same key, by a browser or client whose answer was
    # lost, is the same comment (consultations/services/comments.py). None: posted without one.
    idempotency_key = models.UUIDField(null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["idempotency_key"])
    _history_user: AbstractBaseUser | None  # who changes it (services set it for simple-history)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["round", "parent", "created_at"])]
        constraints = [
            # Posted once per key and author, however often the form is sent. Only comments with
            # a key are in the index (those posted before it, or without one, are not).
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="comment_posted_once_per_key",
            )
        ]

    def __str__(self):
        return self.body[:80]

    def get_absolute_url(self) -> str:
        """The comment on the round page, its section shown in full (the page opens with some
        of a section's threads; a reply has its thread's section)."""
        from django.urls import reverse

        key = self.section_key or "-"  # "-": the whole document (selectors.WHOLE_DOCUMENT)
        url = reverse("consultations:round", args=[self.round_id])
        return f"{url}?avsnitt={key}#comment-{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def disposition_or_none(self):
        try:
            return self.disposition
        except Disposition.DoesNotExist:
            return None

    @property
    def proposal_diff(self):
        """The proposed text marked against the quoted passage (word by word)."""
        from documents.diff import diff_text

        return diff_text(self.quote_exact, self.proposed_text)


class Response(models.Model):
    """The formal answer (remissvar) of one consulted party, with its position."""

    class Position(models.TextChoices):
        SUPPORTS = "supports", _("Supports (tillstyrker)")
        SUPPORTS_WITH_RESERVATIONS = "reservations", _("Supports with reservations")
        OPPOSES = "opposes", _("Opposes (avstyrker)")
        DECLINES = "declines", _("No opinion (avstår)")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        SUBMITTED = "submitted", _("Submitted")

    class Via(models.TextChoices):
        WEB = "web", _("In Samverka")
        EMAIL = "email", _("By e-mail")
        LETTER = "letter", _("By letter")
        MEETING = "meeting", _("At a meeting")

    consultee = models.OneToOneField(Consultee, on_delete=models.PROTECT, related_name="response")
    position = models.CharField(_("position"), max_length=16, choices=Position.choices, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    answers = models.JSONField(default=dict, blank=True)  # question id → answer
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    received_via = models.CharField(max_length=10, choices=Via.choices, default=Via.WEB)
    received_at = models.DateTimeField(null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attachment_name = models.CharField(max_length=255, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    # the original (a letter, a PDF) in the file storage (settings.STORAGES["default"]); read
    # only by the download view, streamed
    attachment = models.FileField(upload_to="responses/%Y/%m/", max_length=500, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # the last time an approver sent it back to the drafters, and why (kept until it is sent
    # for approval again; every time is in the history)
    sent_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_back_at = models.DateTimeField(null=True, blank=True)
    sent_back_comment = models.TextField(blank=True)

    history = HistoricalRecords(excluded_fields=["attachment"])
    _history_user: AbstractBaseUser | None  # who changes it (services set it for simple-history)
    _change_reason: str | None  # why, for simple-history (a response sent back: the comment)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self):
        return f"{self.consultee}: {self.get_position_display()}"


class Disposition(models.Model):
    """What the writing group did with a comment (bemötande)."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        PARTLY_ACCEPTED = "partly", _("Partly accepted")
        REJECTED = "rejected", _("Rejected")
        NOTED = "noted", _("Noted")

    comment = models.OneToOneField(Comment, on_delete=models.PROTECT, related_name="disposition")
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    rationale = models.TextField(_("rationale"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    applied_in = models.ForeignKey(
        Version, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The proposal's text was put into the working draft: the next published version carries
    # it, and publishing fills `applied_in` with that version.
    applied_to_draft = models.BooleanField(default=False)

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None  # who changes it (services set it for simple-history)

    class Meta:
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")

    def __str__(self):
        return f"{self.get_outcome_display()}: {self.comment}"


class CarriedComment(models.Model):
    """Where a comment stands in a later version: re-anchored, its text changed, or orphaned."""

    class State(models.TextChoices):
        ANCHORED = "anchored", _("Unchanged")
        TEXT_CHANGED = "text_changed", _("Text changed")
        ORPHANED = "orphaned", _("Passage removed")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="carried")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=14, choices=State.choices)
    quote_exact = models.TextField(blank=True)
    quote_prefix = models.CharField(max_length=64, blank=True)
    quote_suffix = models.CharField(max_length=64, blank=True)
    old_wording = models.TextField(blank=True)
    new_wording = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "version"], name="carried_once"),
        ]

    def __str__(self):
        return f"{self.comment_id} → v{self.version_id}: {self.state}"


class RoundEvent(models.Model):
    """A numbered change on a round page (a comment, reply, edit, disposition…)."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="events")
    sequence = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20)
    # The comment concerned; its id stays even when a comment without replies is removed.
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "sequence"], name="round_event_sequence"),
        ]

    def __str__(self):
        return f"{self.round_id}#{self.sequence} {self.kind}"


class DeadlineReminder(models.Model):
    """A party that has been reminded of the round's deadline at one threshold (3 days, 1 day
    before). The reminder scan selects only the parties without this row, so a run after the
    reminders went out costs one query and writes nothing."""

    class Threshold(models.TextChoices):
        THREE_DAYS = "3d", _("3 days before the deadline")
        ONE_DAY = "1d", _("1 day before the deadline")

    consultee = models.ForeignKey(
        Consultee, on_delete=models.CASCADE, related_name="deadline_reminders"
    )
    threshold = models.CharField(max_length=2, choices=Threshold.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consultee", "threshold"], name="deadline_reminder_once"
            ),
        ]

    def __str__(self):
        return f"{self.consultee_id} {self.threshold}"


class Decision(WrittenOnce, models.Model):
    """What a body decided about a version (endorsement, views, returned, adopted). Never
    edited or deleted: a mistaken record is corrected by a new one that references it."""

    rewrite_refused = "A decision is never changed: record a correction instead."

    class Kind(models.TextChoices):
        ENDORSEMENT = "endorsement", _("Endorsement")
        VIEWS = "views", _("Views given")
        RETURNED = "returned", _("Returned for revision")
        ADOPTED = "adopted", _("Adopted")

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.PROTECT, related_name="decisions"
    )
    version = models.ForeignKey(
        Version, verbose_name=_("version"), on_delete=models.PROTECT, related_name="decisions"
    )
    body_network = models.ForeignKey(
        Network,
        verbose_name=_("body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    body_name = models.CharField(_("body outside the workspace"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    decided_on = models.DateField(_("date of the decision"))
    minutes_reference = models.CharField(_("minutes reference"), max_length=100, blank=True)
    text = models.TextField(_("decision"))
    conditions = models.TextField(_("conditions"), blank=True)
    minutes_name = models.CharField(max_length=255, blank=True)
    minutes_type = models.CharField(max_length=100, blank=True)
    # the minutes file in the file storage, streamed by the download view
    minutes = models.FileField(upload_to="minutes/%Y/%m/", max_length=500, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords(excluded_fields=["minutes"])
    _history_user: AbstractBaseUser | None  # who changes it (services set it for simple-history)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["decided_on", "recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(body_network__isnull=False) | ~Q(body_name=""),
                name="decision_has_a_body",
            ),
        ]

    def __str__(self):
        return f"{self.body}: {self.get_kind_display()}"

    @property
    def body(self) -> str:
        return str(self.body_network) if self.body_network_id else self.body_name


class SignOff(models.Model):
    """A request that named signatories approve one version; enough approvals adopt it."""

    class Rule(models.TextChoices):
        ALL = "all", _("All must approve")
        SOME = "some", _("A number of them must approve")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for signatures")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="sign_offs")
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="sign_offs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signatories = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("signatories"), related_name="sign_offs_to_sign"
    )
    rule = models.CharField(_("rule"), max_length=8, choices=Rule.choices, default=Rule.ALL)
    required = models.PositiveIntegerField(_("approvals needed"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(default=timezone.now)
    # The last day the signatories are asked to sign by; none when the request sets none.
    sign_by = models.DateField(_("sign by"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None  # who changes it (services set it for simple-history)

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status="pending"),
                name="one_pending_sign_off_per_document",
            ),
        ]

    def __str__(self):
        return f"{self.document}: {self.version}"

    def get_absolute_url(self):
        return reverse("consultations:sign_off", args=[self.pk])


class Signature(WrittenOnce, models.Model):
    """One signatory's approval or refusal, with the password confirmed. Never changed."""

    rewrite_refused = "A signature is never changed."

    class Verdict(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Refused")

    sign_off = models.ForeignKey(SignOff, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures"
    )
    verdict = models.CharField(max_length=8, choices=Verdict.choices)
    reason = models.TextField(blank=True)
    signed_at = models.DateTimeField(default=timezone.now)
    content_hash = models.CharField(max_length=64)  # the text the signatory read

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["sign_off", "signer"], name="one_signature_each"),
        ]

    def __str__(self):
        return f"{self.signer}: {self.get_verdict_display()}"


class GuestPass(models.Model):
    """A consulted party's way in without an account: the address its guest links go to (the
    organisation's registry address, the outside person's own), whether the chair revoked it,
    and what became of it. One per party; valid while the round runs and a grace period after
    it closes (settings.GUEST_GRACE_DAYS), for reading the report."""

    consultee = models.OneToOneField(Consultee, on_delete=models.CASCADE, related_name="guest_pass")
    email = models.EmailField(_("e-mail address"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("first opened"), null=True, blank=True)

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None  # who changes it (services set it for simple-history)

    class Meta:
        verbose_name = _("guest access")
        verbose_name_plural = _("guest accesses")

    def __str__(self):
        return f"{self.consultee} → {self.email}"


class GuestLink(models.Model):
    """One e-mail with a link to a guest pass: its token is stored only as a SHA-256 hash, made
    when the message is sent (consultations.guests.deliver_link)."""

    class Reason(models.TextChoices):
        OPENING = "opening", _("Sent when the round opened")
        ADDED = "added", _("Sent when the party was added")
        RESENT = "resent", _("Sent again by the chair")
        REMINDER_3D = "reminder_3d", _("Reminder three days before the deadline")
        REMINDER_1D = "reminder_1d", _("Reminder the day before the deadline")
        MANUAL = "manual", _("Reminder sent by the chair")

    guest_pass = models.ForeignKey(GuestPass, on_delete=models.CASCADE, related_name="links")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    token_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["guest_pass", "reason"],
                condition=Q(reason__in=["reminder_3d", "reminder_1d"]),
                name="guest_reminded_once_per_threshold",
            ),
        ]

    def __str__(self):
        return f"{self.guest_pass} ({self.reason})"


class GuestCode(models.Model):
    """A one-time code e-mailed to the pass's address when someone opens a link: only the
    person who reads that address gets in (a forwarded link alone does not)."""

    link = models.ForeignKey(GuestLink, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"code for {self.link}"


class Guest(models.Model):
    """Someone who answered for a party through its link, as they said who they are: the
    account they act with (no password) and their title. Comments and the response they
    submit carry this account, so the record shows their name and title."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guest"
    )
    guest_pass = models.ForeignKey(GuestPass, on_delete=models.PROTECT, related_name="guests")
    title = models.CharField(_("title"), max_length=200, blank=True)
    verified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")

    def __str__(self):
        return f"{self.user.full_name}, {self.title}" if self.title else self.user.full_name
