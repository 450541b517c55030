"""People, their party membership with its dated history, posts, and the member rollup."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.core.dates import full_months, full_years
from chibo.core.ethnicities import ETHNICITIES, KINH
from chibo.core.fields import ByteOrderCharField


class Sex(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class Religion(models.TextChoices):
    NONE = "none", _("none")
    BUDDHISM = "buddhism", _("Buddhism")
    CATHOLIC = "catholic", _("Catholicism")
    PROTESTANT = "protestant", _("Protestantism")
    CAO_DAI = "cao_dai", _("Cao Đài")
    HOA_HAO = "hoa_hao", _("Hòa Hảo Buddhism")
    ISLAM = "islam", _("Islam")
    OTHER = "other", _("other")


class Education(models.TextChoices):
    PRIMARY = "primary", _("primary school")
    LOWER_SECONDARY = "lower_secondary", _("lower secondary (THCS)")
    UPPER_SECONDARY = "upper_secondary", _("upper secondary (THPT)")
    VOCATIONAL = "vocational", _("vocational / college")
    UNIVERSITY = "university", _("university")
    POSTGRADUATE = "postgraduate", _("postgraduate")


class PoliticalTheory(models.TextChoices):
    NONE = "none", _("none")
    ELEMENTARY = "elementary", _("elementary (sơ cấp)")
    INTERMEDIATE = "intermediate", _("intermediate (trung cấp)")
    ADVANCED = "advanced", _("advanced (cao cấp)")
    BACHELOR = "bachelor", _("bachelor of political science")


class Person(models.Model):
    family_name = models.CharField(_("family name"), max_length=50, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=50, blank=True)
    given_name = models.CharField(_("given name"), max_length=50)
    search_name = models.CharField(max_length=160, editable=False)
    sort_key = ByteOrderCharField(max_length=255, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=ETHNICITIES, default=KINH)
    religion = models.CharField(_("religion"), max_length=16, choices=Religion.choices, default=Religion.NONE)
    citizen_id = models.CharField(_("citizen ID"), max_length=12, unique=True, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    residence = models.ForeignKey(
        "organisations.Locality", verbose_name=_("place of residence"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="residents",
    )
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True)
    political_theory = models.CharField(
        _("political theory"), max_length=16, choices=PoliticalTheory.choices, default=PoliticalTheory.NONE,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["sort_key"], name="person_sort"),
            models.Index(fields=["search_name"], name="person_search"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family_name, self.middle_name, self.given_name) if p)

    @property
    def is_ethnic_minority(self) -> bool:
        return self.ethnicity != KINH

    def age_on(self, day: dt.date) -> int:
        return full_years(self.birth_date, day)


class Status(models.TextChoices):
    PROBATIONARY = "probationary", _("probationary")
    OFFICIAL = "official", _("official")
    TRANSFERRED_OUT = "transferred_out", _("transferred out")
    REMOVED = "removed", _("removed from the rolls")
    EXPELLED = "expelled", _("expelled")
    DECEASED = "deceased", _("deceased")


CURRENT_STATUSES = (Status.PROBATIONARY, Status.OFFICIAL)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def counted(self) -> MembershipQuerySet:
        """The memberships counted in đảng số now: probationary or official, and not here on
        temporary activity (they are counted in their home cell). The rollups count these."""
        return self.filter(status__in=CURRENT_STATUSES, temporary=False)

    def counted_on(self, day: dt.date) -> MembershipQuerySet:
        """The memberships counted in đảng số on `day`, from the dated history
        (`MembershipEvent.objects.counted_on`)."""
        return self.filter(pk__in=MembershipEvent.objects.counted_on(day).values("membership_id"))


class MembershipEventQuerySet(models.QuerySet["MembershipEvent"]):
    def in_force_on(self, day: dt.date) -> MembershipEventQuerySet:
        """The history rows whose state holds on `day`: from `effective_date` to the day before `ended_on`."""
        return self.filter(effective_date__lte=day).filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gt=day))

    def counted_on(self, day: dt.date) -> MembershipEventQuerySet:
        """The history rows by which a member is counted in đảng số on `day`: in force then,
        probationary or official, not on temporary activity, and in an organisation already
        founded (nobody is counted in, or through, a cell before its founding)."""
        return self.in_force_on(day).filter(status__in=CURRENT_STATUSES, temporary=False,
                                            organisation__valid_from__lte=day)


class Membership(models.Model):
    """A person's party membership: the present state. Its history is MembershipEvent.

    The organisation's ancestors (province, commune, grassroots organisation, cell, party
    group) and the person's name keys are copied here, kept by members.services, so that
    every member list is one index range in sort order (docs/decisions.md)."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="membership")
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("party organisation"),
        on_delete=models.PROTECT, related_name="memberships",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    current = models.BooleanField(default=True, editable=False)  # status is probationary/official
    exempt = models.BooleanField(_("exempt from party work and meetings"), default=False)
    temporary = models.BooleanField(_("temporary activity here"), default=False)
    admission_date = models.DateField(_("admission date"))  # ngày vào Đảng: the admission ceremony
    # The day the admission decision was signed: party age counts from it (QĐ 294-QĐ/TW; not
    # the ceremony). Unknown in many old books: party age then counts from the ceremony.
    admission_decision_date = models.DateField(_("date the admission decision was signed"), null=True, blank=True)
    official_date = models.DateField(_("official date"), null=True, blank=True)
    card_number = models.CharField(_("party card number"), max_length=20, unique=True, null=True, blank=True)
    # When the present state began (the history is in MembershipEvent): kept by members.services
    # with the events, so that forms, exports and the API show the date without reading history.
    exempt_since = models.DateField(_("exempt since"), null=True, blank=True)
    temporary_since = models.DateField(_("temporary activity here since"), null=True, blank=True)
    left_on = models.DateField(_("left the rolls on"), null=True, blank=True)  # transferred out, removed, …
    left_note = models.CharField(_("decision and reason for leaving"), max_length=300, blank=True)
    interrupted_months = models.PositiveSmallIntegerField(_("months of interrupted membership"), default=0)

    province = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False)
    commune = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+", null=True, db_index=False)
    base = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+", null=True, db_index=False)
    cell = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+", null=True, db_index=False)
    group = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+", null=True, db_index=False)
    sort_key = ByteOrderCharField(max_length=255, editable=False)
    search_name = models.CharField(max_length=160, editable=False)
    birth_date = models.DateField(editable=False)
    sex = models.CharField(max_length=1, choices=Sex.choices, editable=False)
    ethnicity = models.CharField(max_length=2, choices=ETHNICITIES, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("party membership")
        verbose_name_plural = _("party memberships")
        # Filter columns, then sort columns: every member list is one index range read in
        # order (tech-anchors §2). The name index carries the folded name so that a search
        # reads only the index; the birth-date index also covers the age-band counts.
        indexes = [
            models.Index(fields=[level, "current", *sort], name=f"ms_{level[:4]}_{sort[0][:4]}")
            for level in ("province", "commune", "base", "cell", "group")
            for sort in (["sort_key", "search_name"], ["birth_date", "temporary"], ["admission_date"])
        ]

    def __str__(self) -> str:
        return str(self.person)

    @property
    def party_age_start(self) -> dt.date:
        """Where party age counts from: the day the admission decision was signed, or, when
        the books do not give it, the ceremony (ngày vào Đảng)."""
        return self.admission_decision_date or self.admission_date

    def party_age_on(self, day: dt.date) -> int | None:
        """Tuổi đảng in whole years: counted from the day the admission decision was signed
        once the member is official, less interrupted months (QĐ 294-QĐ/TW; domain-rules §2.6)."""
        if self.status != Status.OFFICIAL or self.official_date is None or self.official_date > day:
            return None
        months = full_months(self.party_age_start, day) - self.interrupted_months
        return max(months, 0) // 12


class MembershipEvent(models.Model):
    """A dated change of status or organisation, with its decision. Each event also holds
    the state it leads to, valid from `effective_date` until `ended_on` (the next event),
    so the membership on any past date is a single range query."""

    class Kind(models.TextChoices):
        RECORDED = "recorded", _("record opened")
        ADMITTED = "admitted", _("admitted (probationary)")
        RECOGNISED = "recognised", _("recognised as official member")
        MOVED = "moved", _("moved to another organisation")
        TRANSFERRED_IN = "transferred_in", _("transferred in")
        TRANSFERRED_OUT = "transferred_out", _("transferred out")
        TEMPORARY_IN = "temporary_in", _("temporary activity started")
        TEMPORARY_ENDED = "temporary_ended", _("temporary activity ended")
        EXEMPTED = "exempted", _("exempted from party work and meetings")
        EXEMPTION_ENDED = "exemption_ended", _("exemption ended")
        REMOVED = "removed", _("removed from the rolls")
        EXPELLED = "expelled", _("expelled")
        DECEASED = "deceased", _("deceased")
        READMITTED = "readmitted", _("re-admitted")

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    effective_date = models.DateField(_("effective date"))
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The state from effective_date until ended_on.
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices)
    exempt = models.BooleanField(default=False)
    temporary = models.BooleanField(default=False)
    ended_on = models.DateField(null=True, blank=True)
    province = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+", db_index=False)
    commune = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+", null=True, db_index=False)
    base = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+", null=True, db_index=False)
    cell = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+", null=True, db_index=False)
    group = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+", null=True, db_index=False)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")

    objects = MembershipEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership event")
        verbose_name_plural = _("membership events")
        ordering = ["effective_date", "id"]
        indexes = [
            models.Index(fields=["membership", "effective_date"], name="mevent_member_date"),
            models.Index(fields=["province", "effective_date"], name="mevent_prov_date"),
            models.Index(fields=["commune", "effective_date"], name="mevent_comm_date"),
            models.Index(fields=["base", "effective_date"], name="mevent_base_date"),
            models.Index(fields=["cell", "effective_date"], name="mevent_cell_date"),
            models.Index(fields=["group", "effective_date"], name="mevent_group_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_date:%d/%m/%Y}"


class PostQuerySet(models.QuerySet["Post"]):
    def active_on(self, day: dt.date) -> PostQuerySet:
        """The posts held on `day`: started on or before it, and not ended before it. A post
        whose end_date is D is still held on D — its last day, as the pages show it ("từ … đến
        D"), as the constraint allows (a one-day post ends on the day it starts) and as
        `Post.active_on` says; from D + 1 it is no longer held (docs/decisions.md)."""
        return self.filter(start_date__lte=day).filter(models.Q(end_date__isnull=True) | models.Q(end_date__gte=day))


class Post(models.Model):
    """A post held for a period: a committee post in a party organisation, or the head of
    a locality (who need not be a party member)."""

    class Kind(models.TextChoices):
        SECRETARY = "secretary", _("secretary")
        DEPUTY_SECRETARY = "deputy_secretary", _("deputy secretary")
        COMMITTEE_MEMBER = "committee_member", _("committee member")
        INSPECTION_MEMBER = "inspection_member", _("inspection committee member")
        VILLAGE_HEAD = "village_head", _("village head")
        GROUP_HEAD = "group_head", _("neighbourhood group head")

    COMMITTEE_KINDS = {Kind.SECRETARY, Kind.DEPUTY_SECRETARY, Kind.COMMITTEE_MEMBER, Kind.INSPECTION_MEMBER}
    HEAD_KINDS = {Kind.VILLAGE_HEAD, Kind.GROUP_HEAD}

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="posts")
    kind = models.CharField(_("post"), max_length=20, choices=Kind.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("party organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="posts",
    )
    locality = models.ForeignKey(
        "organisations.Locality", verbose_name=_("locality"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="posts",
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=50, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["start_date"]
        indexes = [
            models.Index(fields=["organisation", "kind"], name="post_org_kind"),
            models.Index(fields=["locality", "kind"], name="post_loc_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="post_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person}"

    def active_on(self, day: dt.date) -> bool:
        """Held on `day`, the last day included (as `Post.objects.active_on`)."""
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


class MemberStat(models.Model):
    """Rollup: counted members (đảng số) per organisation and dimension combination, with a
    row for the member's organisation and for every ancestor. Kept by members.services in
    the same transaction as each write; `chibo rollups --check` rebuilds and compares."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False)
    status = models.CharField(max_length=16, choices=Status.choices)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    ethnicity = models.CharField(max_length=2)
    exempt = models.BooleanField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "status", "sex", "ethnicity", "exempt"], name="memberstat_key",
            ),
        ]


class MemberAgeStat(models.Model):
    """Rollup: counted members per organisation (and every ancestor) and year of birth.
    Age bands on a date are whole birth years from here plus one small index range per
    band boundary for the year cut in two (indicators.figures)."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False)
    birth_year = models.PositiveSmallIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "birth_year"], name="memberagestat_key"),
        ]
