"""In-app notifications: one reminder digest per person per day at most (issue 4: reminders
batched once a day), one notice per person per subject (a meeting invitation, a new document,
an answer), and each person's reminder setting. No counts of others, no rankings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        DIGEST = "digest", _("daily reminder")
        INVITATION = "invitation", _("meeting invitation")
        DOCUMENT = "document", _("new document")
        REPLY = "reply", _("answer to your question")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DIGEST)
    day = models.DateField()
    key = models.CharField(max_length=60, blank=True, default="")  # what it is about, e.g. "meeting:12"
    title = models.CharField(max_length=200)
    lines = models.JSONField(default=list)  # [{"text": ..., "url": ..., "urgency": "overdue"|"due_soon"|"verify"}]
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "kind", "day", "key"], name="notification_once_a_day")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]


def default_soon_days() -> int:
    return int(getattr(settings, "CHIBO_DUE_SOON_DAYS", 3))


class Preference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_pref")
    due_soon_days = models.PositiveSmallIntegerField(
        _("remind me this many days before a deadline"), default=default_soon_days,
        help_text=_("From 0 (only on the day) to 30 days."))
    daily = models.BooleanField(_("send me a daily reminder"), default=True)
