"""The document library (issue 5, point 6): party documents distributed to an organisation's
subtree, members' read receipts, and study sessions (học tập, quán triệt nghị quyết) with
their participants and each participant's short written reflection.

A document is distributed to one organisation (a commune, a cell, the province) and reaches
every member of its subtree. A receipt says that a member read it, and when; it is written
once and never changed. The list of who has not read is for the committee's follow-up, never
a public ranking (docs/decisions.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Document(models.Model):
    class Kind(models.TextChoices):
        RESOLUTION = "resolution", _("resolution (nghị quyết)")
        DIRECTIVE = "directive", _("directive (chỉ thị)")
        REGULATION = "regulation", _("regulation (quy định)")
        GUIDANCE = "guidance", _("guidance (hướng dẫn)")
        CONCLUSION = "conclusion", _("conclusion (kết luận)")
        PLAN = "plan", _("plan (kế hoạch)")
        LETTER = "letter", _("official letter (công văn)")
        OTHER = "other", _("other document")

    organisation = models.ForeignKey("organisations.Organisation", verbose_name=_("distributed to"),
                                     on_delete=models.PROTECT, related_name="documents")
    issuer = models.CharField(_("issuing body"), max_length=200, help_text=_("For example: Ban Bí thư Trung ương"))
    number = models.CharField(_("number and symbol"), max_length=50, help_text=_("For example 339-QĐ/TW"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.RESOLUTION)
    issued_on = models.DateField(_("date issued"))
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    file = models.CharField(max_length=300, blank=True, editable=False)  # path under DATA_DIR/files
    file_name = models.CharField(_("attached file"), max_length=200, blank=True, editable=False)
    number_key = models.CharField(max_length=60, editable=False)  # folded number, words only: "339 qd tw"
    search_text = models.CharField(max_length=600, editable=False)  # folded number, title and issuer, words only
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["organisation", "issued_on"], name="document_org_issued"),
                   models.Index(fields=["issued_on", "id"], name="document_issued"),
                   models.Index(fields=["organisation", "number_key"], name="document_org_number")]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"


class Receipt(models.Model):
    """A member read a document (once; marking it again changes nothing)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="receipts")
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="document_receipts")
    read_at = models.DateTimeField(_("read on"))

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [models.UniqueConstraint(fields=["document", "person"], name="receipt_once")]
        indexes = [models.Index(fields=["person", "document"], name="receipt_person")]


class StudySession(models.Model):
    """A session of học tập, quán triệt (studying and taking in) party documents, held by an
    organisation for its members."""

    organisation = models.ForeignKey("organisations.Organisation", verbose_name=_("held by"),
                                     on_delete=models.PROTECT, related_name="study_sessions")
    title = models.CharField(_("title"), max_length=300,
                             help_text=_("For example: Học tập, quán triệt Quy định 339-QĐ/TW"))
    held_on = models.DateField(_("date held"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    summary = models.TextField(_("content"), blank=True)
    documents = models.ManyToManyField(Document, verbose_name=_("documents studied"), blank=True,
                                       related_name="study_sessions")
    search_text = models.CharField(max_length=300, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("study session")
        verbose_name_plural = _("study sessions")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["organisation", "held_on"], name="study_org_held")]

    def __str__(self) -> str:
        return self.title


class Participant(models.Model):
    """A member who took part in a study session, with their own short written reflection
    (bài thu hoạch), which only they write."""

    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="study_participations")
    reflection = models.TextField(_("reflection"), blank=True)
    reflected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="participant_once")]
        indexes = [models.Index(fields=["person", "session"], name="participant_person")]

    def __str__(self) -> str:
        return str(self.person)
