"""The two-way channel (issue 5, point 7): a member sends a question, or an opinion or
suggestion, to their own cell or to their commune; those who answer for that organisation
reply; the thread's status says whose turn it is (waiting for an answer → answered →
closed; the member's reply to an answered thread makes it wait again).

Threads are private: read by the member who wrote it, by those who answer for the
organisation it is sent to, by the commune's staff for a thread sent to one of its cells,
and by administrators (chibo.access decides; docs/decisions.md says why)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Thread(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", _("question")
        OPINION = "opinion", _("opinion or suggestion")

    class Status(models.TextChoices):
        NEW = "new", _("waiting for an answer")
        ANSWERED = "answered", _("answered")
        CLOSED = "closed", _("closed")

    OPEN_STATUSES = (Status.NEW, Status.ANSWERED)

    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT,
                               related_name="threads")
    organisation = models.ForeignKey("organisations.Organisation", verbose_name=_("sent to"),
                                     on_delete=models.PROTECT, related_name="threads")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.QUESTION)
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(auto_now_add=True)
    last_at = models.DateTimeField(_("last message"), default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        verbose_name = _("question or opinion")
        verbose_name_plural = _("questions and opinions")
        ordering = ["-last_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status", "last_at"], name="thread_org_status"),
            models.Index(fields=["author", "status", "last_at"], name="thread_author_status"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Message(models.Model):
    """One message of a thread: the member's (question, follow-up) or an answer written for
    the organisation (`from_staff`)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_staff = models.BooleanField(default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["thread", "created_at"], name="message_thread")]

    def __str__(self) -> str:
        return f"{self.thread_id}: {self.created_at:%d/%m/%Y %H:%M}"
