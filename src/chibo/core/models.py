from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rule(models.Model):
    """A number taken from a regulation, with its citation and the dates it is in force.

    A new version of a regulation is a new row with a later `effective_from`; dates are
    always computed with the version in force on the relevant day (see core.rules)."""

    class Unit(models.TextChoices):
        YEARS = "years", _("years")
        MONTHS = "months", _("months")
        DAYS = "days", _("days")
        WORKING_DAYS = "working_days", _("working days")
        COUNT = "count", _("count")
        MINUTES = "minutes", _("minutes")
        PERCENT = "percent", _("per cent")

    key = models.CharField(_("key"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    value = models.IntegerField(_("value"))
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    citation = models.CharField(_("citation"), max_length=300)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    confirmed = models.BooleanField(_("confirmed"), default=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "effective_from"], name="rule_key_from_unique"),
        ]
        ordering = ["key", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.key}={self.value} ({self.citation})"

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)


class Holiday(models.Model):
    """A weekday with no work: a public holiday, or the day given in place of one that fell on a
    weekend. Tết Nguyên đán and the Hùng Kings' day move with the lunar calendar, and the
    Government sets each year's days off, so holidays are data per year that an administrator
    edits (chibo.core.calendar counts working days with them)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("holiday"), max_length=120)
    confirmed = models.BooleanField(_("confirmed"), default=True,
                                    help_text=_("Unticked while the Government has not announced the year's days off."))
    note = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"
