"""Transfers of party activity (chuyển sinh hoạt đảng, domain-rules.md §5.1): the introduction
letter (giấy giới thiệu sinh hoạt đảng) with its dates, and the presentation of the letter to
the receiving committee. The member's own history (transferred out, moved, temporary activity)
is kept by chibo.members; a letter records the procedure and its deadlines."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TransferLetter(models.Model):
    """One introduction letter.

    direction "out": issued by the member's organisation (`organisation`) to a receiving
    organisation — `other_organisation` when it is in chibo (inside the province), else
    `other_name`. direction "in": a letter from a sending organisation outside chibo
    (`other_name`), recorded by the receiving organisation (`organisation`) for a member whose
    record it holds. `reason_date` is the decision or move that starts the 60 working days
    (rule transfer_start_working_days); the letter must be presented within
    transfer_present_days of `letter_date`."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("official transfer")
        TEMPORARY = "temporary", _("temporary transfer")

    class Direction(models.TextChoices):
        OUT = "out", _("out")
        IN = "in", _("in")

    class State(models.TextChoices):
        ISSUED = "issued", _("issued, not presented yet")
        PRESENTED = "presented", _("presented to the receiving committee")
        ENDED = "ended", _("temporary activity ended")

    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="transfer_letters")
    kind = models.CharField(_("kind of transfer"), max_length=16, choices=Kind.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices, default=Direction.OUT)
    study = models.BooleanField(_("for full-time study"), default=False)
    reason_date = models.DateField(_("date of the decision or move"))
    number = models.CharField(_("letter number"), max_length=50)
    letter_date = models.DateField(_("letter date"))
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("organisation recording the letter"))
    other_organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+",
                                           null=True, blank=True, verbose_name=_("receiving organisation in chibo"))
    other_name = models.CharField(_("organisation outside chibo"), max_length=200, blank=True)
    temporary_end = models.DateField(_("end of the temporary activity"), null=True, blank=True)
    presented_on = models.DateField(_("presented on"), null=True, blank=True)
    late_reason = models.CharField(_("reason for the late presentation"), max_length=500, blank=True)
    ended_on = models.DateField(_("temporary activity ended on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=State.choices, default=State.ISSUED)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-letter_date", "-id"]
        indexes = [models.Index(fields=["status", "letter_date"], name="transfer_status_date")]

    def __str__(self) -> str:
        return f"{self.number} ({self.letter_date:%d/%m/%Y})"

    @property
    def other_display(self) -> str:
        return self.other_organisation.name if self.other_organisation_id and self.other_organisation else self.other_name
