"""The candidate pipeline and recognition as an official member (issue 6 points 3–4,
domain-rules.md §2.3–2.6).

A person who is not a party member moves through the stages quần chúng ưu tú (introduced
by a mass organisation) → cảm tình Đảng (by cell resolution) → applicant (the admission file)
→ admitted (the ceremony creates the probationary membership through members.services).
Each step is a `Step` row (date, number, who decided, who recorded it); the candidate keeps
the latest values the deadlines are computed from. Recognition of a probationary member is a
`Recognition` (the cell's resolution with its two-thirds vote, then the committee's
decision), which ends in a membership event: recognised (effective on the 12-month date) or
removed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    OUTSTANDING = "outstanding", _("outstanding citizen")
    SYMPATHISER = "sympathiser", _("party sympathiser")
    APPLICANT = "applicant", _("applicant")
    ADMITTED = "admitted", _("admitted")
    WITHDRAWN = "withdrawn", _("withdrawn")


OPEN_STAGES = (Stage.OUTSTANDING, Stage.SYMPATHISER, Stage.APPLICANT)


class FileCode(models.TextChoices):
    """The admission file (HD 09-HD/BTCTW 2017 form codes; domain-rules.md §2.4)."""
    CERTIFICATE = "CN-NTVD", _("CN-NTVĐ: awareness class certificate")
    APPLICATION = "1-KND", _("1-KNĐ: application to join the Party")
    HISTORY = "2-KND", _("2-KNĐ: personal history")
    INTRODUCTION = "3-KND", _("3-KNĐ: introduction by an official member")
    YOUTH_UNION = "4-KND", _("4-KNĐ: Youth Union resolution introducing the candidate")
    COMMENTS = "5-KND", _("5-KNĐ: comments of the residence committee and mass organisations")
    CELL_RESOLUTION = "6-KND", _("6-KNĐ: cell resolution proposing admission")
    COMMITTEE_RESOLUTION = "8-KND", _("8-KNĐ: resolution of the grassroots party committee")
    DECISION = "9-KND", _("9-KNĐ: admission decision")


# Received before the cell considers the application (4-KNĐ only when the Youth Union introduced
# the candidate); 6-KNĐ and 9-KNĐ are the resolution and decision recorded here.
REQUIRED_FILES = (FileCode.CERTIFICATE, FileCode.APPLICATION, FileCode.HISTORY, FileCode.INTRODUCTION,
                  FileCode.COMMENTS)
RECEIVED_FILES = (*REQUIRED_FILES, FileCode.YOUTH_UNION, FileCode.COMMITTEE_RESOLUTION)


class Decider(models.TextChoices):
    """Who decided an admission (QĐ 29 §4.3.2, kept by QĐ 294; an applicant over 60 is decided
    by the committee directly under the Central Committee, the provincial committee — §2.2)."""
    GRASSROOTS = "grassroots", _("the grassroots party committee empowered to admit")
    SUPERIOR = "superior", _("the standing committee of the directly superior committee")
    PROVINCE = "province", _("the provincial standing committee (Ban Thường vụ Tỉnh ủy)")


class Candidate(models.Model):
    person = models.ForeignKey("members.Person", verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="candidacies")
    organisation = models.ForeignKey("organisations.Organisation", verbose_name=_("party cell"),
                                     on_delete=models.PROTECT, related_name="candidates")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.OUTSTANDING)
    introduced_on = models.DateField(_("introduced on"))
    introduced_by = models.CharField(_("introduced by"), max_length=200)
    sympathiser_on = models.DateField(_("sympathiser since"), null=True, blank=True)
    applicant_on = models.DateField(_("applicant since"), null=True, blank=True)
    verified_on = models.DateField(_("personal history verified on"), null=True, blank=True)
    verification_result = models.CharField(_("verification result"), max_length=300, blank=True)
    consent_number = models.CharField(_("written consent (over 60)"), max_length=50, blank=True)
    consent_on = models.DateField(_("written consent date"), null=True, blank=True)
    resolution_on = models.DateField(_("cell resolution date"), null=True, blank=True)
    resolution_number = models.CharField(_("cell resolution number"), max_length=50, blank=True)
    resolution_passed = models.BooleanField(null=True)
    resolution_basis = models.CharField(max_length=300, blank=True)
    # the vote of the cell's resolution, as the resolution (6-KNĐ) prints it
    resolution_for = models.PositiveIntegerField(_("for"), null=True, blank=True)
    resolution_against = models.PositiveIntegerField(_("against"), null=True, blank=True)
    resolution_abstain = models.PositiveIntegerField(_("abstaining"), null=True, blank=True)
    resolution_present = models.PositiveIntegerField(_("official members present"), null=True, blank=True)
    resolution_official = models.PositiveIntegerField(_("official members of the cell"), null=True, blank=True)
    extended = models.BooleanField(_("decision deadline extended"), default=False)
    decision_on = models.DateField(_("admission decision date"), null=True, blank=True)
    decision_number = models.CharField(_("admission decision number"), max_length=50, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=200, blank=True)
    decider = models.CharField(_("level that decided"), max_length=12, choices=Decider.choices, blank=True)
    # the day the cell received the decision: the ceremony's 30 working days count from it
    decision_received_on = models.DateField(_("decision received by the cell on"), null=True, blank=True)
    ceremony_on = models.DateField(_("ceremony date"), null=True, blank=True)
    membership = models.OneToOneField("members.Membership", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="candidacy")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        indexes = [models.Index(fields=["organisation", "stage"], name="candidate_org_stage")]

    def __str__(self) -> str:
        return str(self.person)

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class Step(models.Model):
    """One step of a candidate's way, as decided: what, when, the document number, by whom."""

    class Kind(models.TextChoices):
        INTRODUCED = "introduced", _("introduced as an outstanding citizen")
        SYMPATHISER = "sympathiser", _("recognised as a party sympathiser")
        HELPER = "helper", _("member assigned to help")
        TEST_TASK = "test_task", _("test task given")
        APPLICANT = "applicant", _("allowed to prepare the admission file")
        FILE = "file", _("file document received")
        VERIFIED = "verified", _("personal history verified")
        CONSENT = "consent", _("written consent for an applicant over 60")
        RESOLUTION = "resolution", _("cell resolution proposing admission")
        EXTENSION = "extension", _("decision deadline extended")
        DECISION = "decision", _("admission decision")
        RECEIVED = "received", _("admission decision received by the cell")
        CEREMONY = "ceremony", _("admission ceremony")
        WITHDRAWN = "withdrawn", _("withdrawn")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("date"))
    number = models.CharField(_("number"), max_length=50, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]


class Helper(models.Model):
    """An official member the cell assigned to help the candidate (đảng viên giúp đỡ)."""
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="helpers")
    person = models.ForeignKey("members.Person", on_delete=models.PROTECT, related_name="+")
    assigned_on = models.DateField(_("assigned on"))

    class Meta:
        ordering = ["assigned_on", "id"]
        constraints = [models.UniqueConstraint(fields=["candidate", "person"], name="helper_once")]


class TestTask(models.Model):
    """A task the cell committee gives the candidate to test them, with its dates."""
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="test_tasks")
    title = models.CharField(_("test task"), max_length=300)
    given_on = models.DateField(_("given on"))
    due_on = models.DateField(_("to be done by"), null=True, blank=True)

    class Meta:
        ordering = ["given_on", "id"]


class FileItem(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="files")
    code = models.CharField(_("document"), max_length=8, choices=FileCode.choices)
    received_on = models.DateField(_("received on"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["candidate", "code"], name="fileitem_once")]


class Recognition(models.Model):
    """The cell's consideration of a probationary member when the 12 months end, and the
    committee's decision: recognition as official member, or removal from the rolls."""

    class Proposal(models.TextChoices):
        RECOGNISE = "recognise", _("recognise as official member")
        REMOVE = "remove", _("remove from the rolls")

    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="recognitions")
    proposal = models.CharField(_("the cell proposes to"), max_length=10, choices=Proposal.choices)
    grounds = models.CharField(_("grounds"), max_length=300, blank=True)
    resolution_on = models.DateField(_("cell resolution date"))
    resolution_number = models.CharField(_("cell resolution number"), max_length=50, blank=True)
    votes_for = models.PositiveIntegerField(_("for"))
    votes_against = models.PositiveIntegerField(_("against"))
    votes_abstain = models.PositiveIntegerField(_("abstaining"))
    official = models.PositiveIntegerField(_("official members of the cell"))
    passed = models.BooleanField()
    basis = models.CharField(max_length=300)
    decision_on = models.DateField(_("decision date"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    decided_by = models.CharField(_("decided by"), max_length=200, blank=True)
    # what the decision decided: the proposal of a passed resolution, or what the superior
    # committee decided after the cell voted three times without two-thirds
    decided_proposal = models.CharField(_("decided to"), max_length=10, choices=Proposal.choices, blank=True)
    # the one-time special-case extension of the committee's time limit
    extended = models.BooleanField(_("decision deadline extended"), default=False)
    extension_on = models.DateField(_("extended on"), null=True, blank=True)
    extension_number = models.CharField(_("extension number"), max_length=50, blank=True)
    extension_reason = models.CharField(_("reason for the extension"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["resolution_on", "id"]

    @property
    def by_superior(self) -> bool:
        """Decided by the superior committee on a resolution that did not pass (the third)."""
        return not self.passed and self.decision_on is not None
