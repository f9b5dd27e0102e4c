"""Notifications are written in the same transaction as the event (an outbox) and delivered
after it: in the workspace at once, by e-mail at once or in a daily summary, as each person
chooses. The rows are the record of what was sent, and when."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from notifications.kinds import Channel, Kind, render


class Digest(models.Model):
    """One summary e-mail per person and day: the unique row makes it happen once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "day"], name="one_digest_per_day"),
        ]

    def __str__(self):
        return f"{self.recipient} {self.day}"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # For people who have no account yet (an invitation): e-mail only.
    email = models.EmailField(_("e-mail address"), blank=True)
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    context = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    # Exactly once per key and person, however often an event is raised (e.g. reminders).
    key = models.CharField(max_length=200, null=True, blank=True)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    language = models.CharField(max_length=8, default=settings.LANGUAGE_CODE)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # E-mail delivery: claimed by a worker while it sends, then recorded as sent.
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    email_attempts = models.PositiveIntegerField(default=0)
    email_error = models.TextField(blank=True)
    digest = models.ForeignKey(
        Digest, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=Q(key__isnull=False, recipient__isnull=False),
                name="notification_once_per_key",
            ),
            models.UniqueConstraint(
                fields=["email", "key"],
                condition=Q(key__isnull=False, recipient__isnull=True),
                name="notification_once_per_key_and_address",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(email=""),
                name="notification_has_someone_to_reach",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(
                fields=["channel", "emailed_at"],
                name="notification_email_due",
                condition=Q(emailed_at__isnull=True),
            ),
            # the rows a keyed call (a reminder) wrote, read back by its key and timestamp
            models.Index(
                fields=["key", "created_at"],
                name="notification_by_key",
                condition=Q(key__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient or self.email}"

    @property
    def message(self) -> str:
        return render(self.kind, self.context)

    @property
    def subject(self) -> str:
        return render(self.kind, self.context, "subject")

    @property
    def address(self) -> str:
        return self.recipient.email if self.recipient_id else self.email


class Preference(models.Model):
    """How a person wants one kind of notification; without a row, the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    channel = models.CharField(max_length=12, choices=Channel.choices)

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None  # who changes it (services set it for simple-history)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind"),
        ]

    def __str__(self):
        return f"{self.user}: {self.kind} → {self.channel}"
