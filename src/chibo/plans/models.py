"""Resolutions, their targets and the measured values (issue 4).

A resolution (nghị quyết, kế hoạch, chương trình hành động) is issued by an organisation for
a period. Its targets (chỉ tiêu) each name the organisation responsible; a commune target may
be broken down into cell targets (`parent`), and then takes its value from theirs by its
roll-up rule (plans.rules). Measurements are dated values with evidence."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.plans import rules


class Resolution(models.Model):
    class Kind(models.TextChoices):
        RESOLUTION = "resolution", _("resolution (nghị quyết)")
        PLAN = "plan", _("plan (kế hoạch)")
        PROGRAMME = "programme", _("action programme (chương trình hành động)")

    class Body(models.TextChoices):
        CONGRESS = "congress", _("congress (đại hội)")
        COMMITTEE = "committee", _("party committee (cấp ủy)")
        STANDING = "standing", _("standing committee (ban thường vụ)")
        CELL = "cell", _("party cell (chi bộ)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_FORCE = "in_force", _("in force")
        COMPLETED = "completed", _("completed")
        SUPERSEDED = "superseded", _("superseded")

    organisation = models.ForeignKey("organisations.Organisation", verbose_name=_("issued by"),
                                     on_delete=models.PROTECT, related_name="resolutions")
    body = models.CharField(_("issuing body"), max_length=12, choices=Body.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.RESOLUTION)
    number = models.CharField(_("number and symbol"), max_length=50, help_text=_("For example 01-NQ/ĐH"))
    issued_on = models.DateField(_("date issued"))
    period_start = models.PositiveSmallIntegerField(_("from year"))
    period_end = models.PositiveSmallIntegerField(_("to year"))
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IN_FORCE)
    file = models.CharField(max_length=300, blank=True, editable=False)  # path under DATA_DIR/files
    file_name = models.CharField(_("attached file"), max_length=200, blank=True, editable=False)
    search_text = models.CharField(max_length=400, editable=False, db_index=True)  # folded number + title
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["-issued_on", "number"]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.period_start, 1, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.period_end, 12, 31)


class Target(models.Model):
    class Kind(models.TextChoices):
        COUNT = rules.Kind.COUNT, _("count")
        PERCENT = rules.Kind.PERCENT, _("percentage")
        AMOUNT = rules.Kind.AMOUNT, _("amount")
        YESNO = rules.Kind.YESNO, _("yes / no")

    class Direction(models.TextChoices):
        AT_LEAST = rules.Direction.AT_LEAST, _("at least")
        AT_MOST = rules.Direction.AT_MOST, _("at most")
        EXACTLY = rules.Direction.EXACTLY, _("exactly")

    class RollUp(models.TextChoices):
        SUM = rules.RollUpRule.SUM, _("sum of the parts")
        MEAN = rules.RollUpRule.MEAN, _("mean of the parts, weighted")
        ALL = rules.RollUpRule.ALL, _("done when every part is done")
        NONE = rules.RollUpRule.NONE, _("measured on its own")

    resolution = models.ForeignKey(Resolution, verbose_name=_("resolution"), on_delete=models.PROTECT,
                                   related_name="targets")
    organisation = models.ForeignKey("organisations.Organisation", verbose_name=_("responsible organisation"),
                                     on_delete=models.PROTECT, related_name="targets")
    parent = models.ForeignKey("self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="parts")
    position = models.PositiveSmallIntegerField(_("number"), default=1)
    name = models.CharField(_("target"), max_length=300)
    unit = models.CharField(_("unit"), max_length=40, blank=True, help_text=_("For example: đảng viên, %, triệu đồng"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.COUNT)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, default=Direction.AT_LEAST)
    baseline_value = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target_value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)
    roll_up = models.CharField(_("how the parts add up"), max_length=4, choices=RollUp.choices, default=RollUp.SUM)
    weight = models.DecimalField(_("weight"), max_digits=14, decimal_places=2, null=True, blank=True,
                                 help_text=_("For a rate that is part of a larger one: what it is a rate of "
                                             "(e.g. the number of households)."))
    note = models.TextField(_("note"), blank=True)
    search_text = models.CharField(max_length=300, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["resolution_id", "parent_id", "position", "id"]
        indexes = [models.Index(fields=["organisation", "resolution"], name="target_org_resolution")]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    """The value a target should reach by the end of a year of its period."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="milestones")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["target", "year"], name="milestone_target_year")]


class Measurement(models.Model):
    """A value of a target on a date, with its evidence and who reported it."""

    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="measurements")
    measured_on = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.TextField(_("evidence"), blank=True)
    file = models.CharField(max_length=300, blank=True, editable=False)
    file_name = models.CharField(_("attached file"), max_length=200, blank=True, editable=False)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["-measured_on", "-id"]
        indexes = [models.Index(fields=["target", "-measured_on", "-id"], name="measurement_latest")]
