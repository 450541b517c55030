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


class Exemption(models.Model):
    """One procedure of exemption from party work and meetings (miễn công tác và sinh hoạt đảng,
    domain-rules.md §5.2 and §0): the member's request or the cell committee's proposal, the
    cell's resolution (recorded in the resolution book), the decision and who made it, the start
    date, and later the return to activity. The member's dated state (exempt from `start_on`
    until `end_on`) is kept by chibo.members as the events "exempted" and "exemption ended";
    this row records the procedure behind them.

    Which body decides is not settled in the texts found: HD 27-HD/BTCTW (2009) has the
    committee decide on the cell's resolution, QĐ 24 §7.1 has the cell decide and report to the
    superior committee — so `decided_by` records who did."""

    class Origin(models.TextChoices):
        REQUEST = "request", _("the member's request")
        PROPOSAL = "proposal", _("the cell committee's proposal")
        HISTORY = "history", _("recorded before the procedure (from the history)")

    class Grounds(models.TextChoices):
        AGE_HEALTH = "age_health", _("old age and poor health")
        TRAVEL = "travel", _("long travel or mobile work")
        OTHER = "other", _("other grounds")

    class DecidedBy(models.TextChoices):
        CELL_COMMITTEE = "cell_committee", _("the cell committee (chi ủy), on the cell's resolution")
        CELL = "cell", _("the party cell (chi bộ), reported to the superior committee")
        SUPERIOR = "superior", _("the superior party committee")

    class State(models.TextChoices):
        REQUESTED = "requested", _("requested, before the cell")
        RESOLVED = "resolved", _("agreed by the cell, to be decided")
        DECIDED = "decided", _("exempt")
        ENDED = "ended", _("returned to activity")
        REFUSED = "refused", _("not agreed")

    OPEN_STATES = (State.REQUESTED, State.RESOLVED, State.DECIDED)

    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="exemptions")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("party cell"))
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    request_on = models.DateField(_("date of the request or proposal"), null=True, blank=True)
    grounds = models.CharField(_("grounds"), max_length=12, choices=Grounds.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    resolution_on = models.DateField(_("date of the cell's resolution"), null=True, blank=True)
    resolution_number = models.CharField(_("resolution number"), max_length=50, blank=True)
    votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(_("votes against"), null=True, blank=True)
    decision_on = models.DateField(_("decision date"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=16, choices=DecidedBy.choices, blank=True)
    start_on = models.DateField(_("exempt from"), null=True, blank=True)
    return_request_on = models.DateField(_("date of the request to return"), null=True, blank=True)
    return_on = models.DateField(_("date of the return decision"), null=True, blank=True)
    return_number = models.CharField(_("return decision number"), max_length=50, blank=True)
    end_on = models.DateField(_("back in activity from"), null=True, blank=True)
    refused_on = models.DateField(_("not agreed on"), null=True, blank=True)
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.REQUESTED)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("exemption from party work and meetings")
        verbose_name_plural = _("exemptions from party work and meetings")
        indexes = [models.Index(fields=["membership", "state"], name="exemption_member_state")]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES
