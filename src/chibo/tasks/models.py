"""Tasks under the "6 rõ" principle (issue 4): every task names its người (assignees), việc
(what), trách nhiệm (one lead, others coordinating), thời gian (start and deadline), kết quả
(the expected, checkable output) and kiểm tra giám sát (who verifies, and by when).

A task is done only when its verifier accepts the evidence; how it ended (on time, late,
exceeding what was expected) is kept, because members and organisations are rated on it
(QĐ 366-QĐ/TW, 2025). Recurring tasks are a series of occurrences (`series`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Recurrence(models.TextChoices):
    NONE = "", _("does not repeat")
    MONTHLY = "monthly", _("every month")
    QUARTERLY = "quarterly", _("every quarter")
    YEARLY = "yearly", _("every year")


class Task(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        SUBMITTED = "submitted", _("waiting for verification")
        RETURNED = "returned", _("returned for more work")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    class Outcome(models.TextChoices):
        ON_TIME = "on_time", _("done on time")
        LATE = "late", _("done late")
        EXCEEDED = "exceeded", _("done on time, beyond what was expected")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.SUBMITTED, Status.RETURNED)

    organisation = models.ForeignKey("organisations.Organisation", verbose_name=_("assigned by"),
                                     on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(_("task"), max_length=300)
    description = models.TextField(_("details"), blank=True)
    start_on = models.DateField(_("start date"), null=True)
    due_on = models.DateField(_("deadline"), null=True)
    expected_output = models.TextField(_("expected result"), blank=True)
    measure_value = models.DecimalField(_("measure"), max_digits=14, decimal_places=2, null=True, blank=True)
    measure_unit = models.CharField(_("unit of the measure"), max_length=40, blank=True)
    verifier = models.ForeignKey("members.Person", verbose_name=_("verified by"), null=True,
                                 on_delete=models.PROTECT, related_name="tasks_to_verify")
    verify_by = models.DateField(_("verify by"), null=True)
    target = models.ForeignKey("plans.Target", verbose_name=_("target"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="tasks")
    decision = models.CharField(_("meeting decision"), max_length=300, blank=True,
                                help_text=_("The cell resolution or meeting conclusion this task carries out, "
                                            "for example “Nghị quyết chi bộ tháng 10/2026, mục 2”."))
    recurrence = models.CharField(_("repeats"), max_length=10, choices=Recurrence.choices, blank=True, default="")
    repeat_until = models.DateField(_("repeat until"), null=True, blank=True)
    series = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="occurrences")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # optimistic locking: a stale form is refused
    search_text = models.CharField(max_length=300, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["organisation", "status", "due_on"], name="task_org_status_due"),
            models.Index(fields=["status", "due_on"], name="task_status_due"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Assignee(models.Model):
    """Rõ người and rõ trách nhiệm: a member or an organisation, leading or coordinating."""

    class Role(models.TextChoices):
        LEAD = "lead", _("leads")
        COORDINATING = "coordinating", _("coordinates")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignees")
    person = models.ForeignKey("members.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="task_assignments")
    organisation = models.ForeignKey("organisations.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="task_assignments")
    role = models.CharField(_("responsibility"), max_length=12, choices=Role.choices, default=Role.LEAD)

    class Meta:
        ordering = ["task_id", "-role", "id"]  # "lead" first, then "coordinating"
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(organisation__isnull=True))
                | (Q(person__isnull=True) & Q(organisation__isnull=False)),
                name="assignee_person_or_organisation"),
        ]
        indexes = [models.Index(fields=["person", "task"], name="assignee_person"),
                   models.Index(fields=["organisation", "task"], name="assignee_org")]

    def __str__(self) -> str:
        return str(self.person or self.organisation)


class Update(models.Model):
    """What happened to a task: progress with evidence, submission, the verifier's decision."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("progress")
        SUBMIT = "submit", _("submitted for verification")
        ACCEPT = "accept", _("accepted")
        RETURN = "return", _("returned")
        CANCEL = "cancel", _("cancelled")
        EDIT = "edit", _("changed")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    file = models.CharField(max_length=300, blank=True, editable=False)
    file_name = models.CharField(_("attached file"), max_length=200, blank=True, editable=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    on_behalf_of = models.ForeignKey("members.Person", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
