"""Documents, their sections (the working draft), immutable versions, and .docx imports."""

import hashlib
import json
import secrets

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from networks.models import Network


class WrittenOnce:
    """For records everyone relies on (versions, decisions, signatures): saved when created,
    never rewritten. A model sets `rewrite_refused` to say why."""

    rewrite_refused = "This record cannot be changed."

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(self.rewrite_refused)
        super().save(*args, **kwargs)


def new_section_key() -> str:
    """A short, stable identity for a section: it survives edits, moves and versions."""
    return secrets.token_hex(6)


class Document(models.Model):
    class Kind(models.TextChoices):
        STRATEGY = "strategy", _("Strategy")
        ACTION_PLAN = "action_plan", _("Action plan")
        AGREEMENT = "agreement", _("Agreement")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFTING = "drafting", _("Drafting")
        IN_CONSULTATION = "in_consultation", _("In consultation")
        REVISING = "revising", _("Revising")
        ANCHORING = "anchoring", _("Anchoring")
        AWAITING_SIGN_OFF = "awaiting_sign_off", _("Awaiting sign-off")
        ADOPTED = "adopted", _("Adopted")
        ARCHIVED = "archived", _("Archived")

    # Allowed moves of the lifecycle (DESIGN.md). Every change of `status` is one of these,
    # made by documents.services.move_document and nothing else; any other is refused.
    # Anchoring → adopted: a body adopts the anchored proposal at its meeting and the decision
    # is recorded (not signed here). A new round on an anchoring document is refused: the
    # decision that returns it for revision comes first (anchoring → revising → consultation).
    TRANSITIONS: dict[str, set[str]] = {
        Status.DRAFTING: {Status.IN_CONSULTATION, Status.ARCHIVED},
        Status.IN_CONSULTATION: {Status.REVISING},
        Status.REVISING: {Status.IN_CONSULTATION, Status.ANCHORING, Status.ARCHIVED},
        Status.ANCHORING: {Status.REVISING, Status.AWAITING_SIGN_OFF, Status.ADOPTED},
        Status.AWAITING_SIGN_OFF: {Status.REVISING, Status.ANCHORING, Status.ADOPTED},
        Status.ADOPTED: {Status.REVISING, Status.ARCHIVED},
        Status.ARCHIVED: set(),
    }
    LOCKED_STATUSES = frozenset({Status.ADOPTED, Status.ARCHIVED})

    network = models.ForeignKey(
        Network, verbose_name=_("network"), on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.STRATEGY)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFTING
    )
    # Bumped by every change to the set or order of sections: concurrent structure edits see it.
    structure_revision = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    history = HistoricalRecords(excluded_fields=["structure_revision"])
    _history_user: AbstractBaseUser | None  # who changes it (services set it for simple-history)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("documents:detail", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        return self.status in self.LOCKED_STATUSES

    @property
    def is_adopted(self) -> bool:
        return self.status == self.Status.ADOPTED


class Section(models.Model):
    """A section of the working draft. `revision` counts saves, so a stale save is detected."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="sections"
    )
    key = models.CharField(max_length=24, default=new_section_key, editable=False)
    heading = models.CharField(_("heading"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    position = models.PositiveIntegerField(_("position"))
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None  # who changes it (services set it for simple-history)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["document", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "key"], name="section_key_unique"),
        ]

    def __str__(self):
        return self.heading

    def get_absolute_url(self):
        return f"{self.document.get_absolute_url()}#section-{self.key}"


def content_hash(title: str, sections) -> str:
    """SHA-256 of the text as readers see it: title, then each section's heading and body, in
    order. Everyone who reads the same text sees the same hash."""
    canonical = json.dumps(
        {"title": title, "sections": [[s.key, s.heading, s.body] for s in sections]},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class Version(WrittenOnce, models.Model):
    """An immutable snapshot of the working draft, published by a writer. Never changed."""

    rewrite_refused = "A published version cannot be changed."

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("number"))
    label = models.CharField(_("label"), max_length=200)
    change_summary = models.TextField(_("what changed"), blank=True)
    title = models.CharField(_("title"), max_length=300)
    content_hash = models.CharField(_("checksum"), max_length=64)
    # An editorial change only (spelling, layout): endorsements of the version before still
    # count. Who said so is recorded with it.
    editorial = models.BooleanField(_("editorial change only"), default=False)
    editorial_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("published"), default=timezone.now)

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None  # who changes it (services set it for simple-history)

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_number_unique"),
        ]

    def __str__(self):
        return f"{self.number}. {self.label}"

    def get_absolute_url(self):
        return reverse("documents:version", args=[self.document_id, self.number])

    @property
    def short_hash(self) -> str:
        """The first 16 hex digits in groups of four: easy to read out in a meeting."""
        return " ".join(self.content_hash[i : i + 4] for i in range(0, 16, 4))


class VersionSection(WrittenOnce, models.Model):
    rewrite_refused = "A published version cannot be changed."

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=24)
    heading = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="version_section_key_unique"),
        ]

    def __str__(self):
        return self.heading


class DocxImport(models.Model):
    """An uploaded Word file being turned into a document. The file is kept in the file storage
    (settings.STORAGES["default"]: shared by every worker when there are several machines) so
    any worker can process it, and deleted once it is done."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        PROCESSING = "processing", _("Processing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(_("file"), max_length=255)
    title = models.CharField(_("title"), max_length=300, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Document.Kind.choices, default=Document.Kind.STRATEGY
    )
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=500, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.WAITING)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    message = models.TextField(blank=True)
    had_headings = models.BooleanField(default=True)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Word import")
        verbose_name_plural = _("Word imports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.filename

    def get_absolute_url(self):
        return reverse("documents:import_status", args=[self.pk])
