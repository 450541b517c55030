"""Cell meetings (issue 5): the meeting with its agenda, materials and invitees; attendance;
the items voted and the decisions; the minutes, finalised and then only corrected by a new
version. Which meetings a cell must hold is computed from rules (meetings.rules, core.Rule),
not stored."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Meeting(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("regular monthly meeting")
        THEMATIC = "thematic", _("thematic meeting")
        EXTRAORDINARY = "extraordinary", _("extraordinary meeting")
        COMMITTEE = "committee", _("cell committee meeting")
        ADMISSION = "admission", _("admission ceremony")

    class Status(models.TextChoices):
        DRAFT = "draft", _("being prepared")
        PUBLISHED = "published", _("announced")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    organisation = models.ForeignKey("organisations.Organisation", verbose_name=_("party cell"),
                                     on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, default=Kind.REGULAR)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200)
    thematic_topic = models.CharField(_("thematic topic"), max_length=300, blank=True,
                                      help_text=_("For a thematic meeting, or a regular one that includes a theme."))
    chair = models.ForeignKey("members.Person", verbose_name=_("chaired by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    recorder = models.ForeignKey("members.Person", verbose_name=_("minutes taken by"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)  # moved on by every change to the meeting's own fields
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "-start_time", "-id"]
        indexes = [models.Index(fields=["organisation", "date"], name="meeting_org_date"),
                   models.Index(fields=["date", "kind"], name="meeting_date_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y}"

    @property
    def starts(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.start_time)

    @property
    def combined(self) -> bool:
        """A regular meeting that also holds a thematic part (at least 120 minutes)."""
        return self.kind == self.Kind.REGULAR and bool(self.thematic_topic)


class AgendaItem(models.Model):
    """One part of the agenda, with the discussion notes and the conclusion taken on it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(_("agenda item"), max_length=300)
    notes = models.TextField(_("discussion notes"), blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    revision = models.PositiveIntegerField(default=1)  # for offline edits: a stale base is a conflict

    class Meta:
        ordering = ["meeting_id", "position", "id"]


class Material(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    file = models.CharField(max_length=300, editable=False)
    file_name = models.CharField(max_length=200, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)  # when members could first see it
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["meeting_id", "id"]


class Attendance(models.Model):
    """An invitee and whether they came. Members of the cell are counted for the quorum;
    official members called are the denominator of the votes (meetings.rules.roll), less those
    left out (`excluded`, with a note) and those here on temporary activity; probationary members
    have no vote. Exempt members are not invited: the secretary adds one who attends, and they
    count when they vote (`voted`). Guests are not counted."""

    class Excluded(models.TextChoices):
        NONE = "", _("counted")
        TEMPORARY_ELSEWHERE = "temporary_elsewhere", _("on temporary activity elsewhere")
        SUSPENDED = "suspended", _("suspended from party activity")
        PROSECUTED = "prosecuted", _("prosecuted, indicted or in temporary detention")
        APPROVED_ABSENCE = "approved_absence", _("absent with the committee's approval")

    class Role(models.TextChoices):
        MEMBER = "member", _("member of the cell")
        GUEST = "guest", _("guest")

    class Status(models.TextChoices):
        INVITED = "invited", _("not recorded yet")
        PRESENT = "present", _("present")
        LATE = "late", _("came late")
        EXCUSED = "excused", _("absent with reason")
        UNEXCUSED = "unexcused", _("absent without reason")

    PRESENT_STATUSES = (Status.PRESENT, Status.LATE)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="meeting_attendance")
    role = models.CharField(max_length=6, choices=Role.choices, default=Role.MEMBER)
    official = models.BooleanField(default=False)  # an official member on the meeting's day (two-thirds votes)
    # Taken from the membership when invited: here on temporary activity (no vote here), exempt.
    temporary = models.BooleanField(default=False)
    exempt = models.BooleanField(default=False)
    voted = models.BooleanField(_("attended and voted"), default=False)  # an exempt member: then counted
    excluded = models.CharField(_("left out of the official members called"), max_length=20, blank=True,
                                choices=Excluded.choices, default=Excluded.NONE)
    excluded_note = models.CharField(_("note"), max_length=200, blank=True)
    guest_title = models.CharField(_("as"), max_length=120, blank=True)  # e.g. "Đảng ủy viên phụ trách chi bộ"
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices, default=Status.INVITED)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # Told ahead by the member themself (meetings.services.absence_notice): "" when none. Only a
    # suggestion for the secretary; the attendance recorded is `status` and `reason`.
    notice = models.CharField(_("reason for being absent"), max_length=200, blank=True)
    notice_at = models.DateTimeField(null=True, blank=True, editable=False)
    revision = models.PositiveIntegerField(default=1)  # for offline edits: a stale base is a conflict
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting_id", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once")]
        indexes = [models.Index(fields=["person", "meeting"], name="attendance_person")]

    @property
    def came(self) -> bool:
        return self.status in self.PRESENT_STATUSES


class Vote(models.Model):
    """An item put to the vote, with the majority it needs (meetings.rules.vote_result). The
    arithmetic is kept as it was when the vote was recorded — official members called, those
    with a vote present, who was left out and why, the rule cited — so a later change to the
    attendance does not silently change a recorded result (docs/decisions.md)."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("resolution or other decision (more than half of the official members called)")
        ADMISSION = "admission", _("admission of a new member (two-thirds of official members)")
        RECOGNITION = "recognition", _("recognition as an official member (two-thirds of official members)")
        REMOVAL = "removal", _("removal from the party rolls (two-thirds of official members; rule not confirmed)")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="votes")
    position = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.GENERAL)
    title = models.CharField(_("item voted on"), max_length=300)
    votes_for = models.PositiveSmallIntegerField(_("for"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("against"), default=0)
    votes_abstain = models.PositiveSmallIntegerField(_("abstaining"), default=0)
    passed = models.BooleanField(default=False, editable=False)
    basis = models.CharField(max_length=300, editable=False)  # the arithmetic, written out
    # The roll when recorded (None for votes recorded before chibo kept it).
    official_called = models.PositiveSmallIntegerField(null=True, editable=False)
    voters_present = models.PositiveSmallIntegerField(null=True, editable=False)
    need = models.PositiveSmallIntegerField(null=True, editable=False)  # fewest votes for that pass
    left_out = models.JSONField(default=list, editable=False)  # [{"name", "reason", "note"}]
    rule_citation = models.CharField(max_length=300, blank=True, editable=False)
    rule_confirmed = models.BooleanField(default=True, editable=False)
    decision = models.TextField(_("decision"), blank=True, help_text=_("What the cell decided, as it goes in the "
                                                                        "resolution book."))
    tasks = models.ManyToManyField("tasks.Task", blank=True, related_name="from_votes")

    class Meta:
        ordering = ["meeting_id", "position", "id"]


class Minutes(models.Model):
    """A version of the minutes (biên bản). Finalised versions are read-only; a correction is
    a new version, and the latest finalised one is the record."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes")
    version = models.PositiveSmallIntegerField(default=1)
    opening = models.TextField(_("opening"), blank=True)
    content = models.TextField(_("content of the meeting"), blank=True)
    conclusions = models.TextField(_("conclusions"), blank=True)
    closing = models.TextField(_("closing"), blank=True)
    correction_note = models.CharField(_("what this version corrects"), max_length=300, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True, editable=False)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["meeting", "version"], name="minutes_version")]

    @property
    def final(self) -> bool:
        return self.finalised_at is not None
