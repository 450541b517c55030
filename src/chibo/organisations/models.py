"""The party organisation tree and the localities (địa bàn) it serves.

The tree is an adjacency list (`parent`) plus a maintained materialised `path` of fixed
4-character steps, compared byte-wise, so a subtree is one index range
`path >= p AND path < p + "~"` on SQLite and PostgreSQL alike (never LIKE: see
docs/decisions.md). Organisations are never deleted: `valid_to` ends them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chibo.core.fields import ByteOrderCharField

PATH_STEP = 4
PATH_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PATH_END = "~"  # sorts after every character of the alphabet


class Locality(models.Model):
    """An administrative place: province → commune/ward → village or neighbourhood group."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("province")
        COMMUNE = "commune", _("commune")
        WARD = "ward", _("ward")
        VILLAGE = "village", _("village (thôn)")
        LANG = "lang", _("village (làng)")
        BUON = "buon", _("village (buôn)")
        PLEI = "plei", _("village (plei)")
        HAMLET = "hamlet", _("hamlet (ấp)")
        NEIGHBOURHOOD = "neighbourhood", _("neighbourhood group (tổ dân phố)")

    TOP_KINDS = {Kind.PROVINCE}
    COMMUNE_KINDS = {Kind.COMMUNE, Kind.WARD}

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    search_name = models.CharField(max_length=200, db_index=True, editable=False)
    sort_key = ByteOrderCharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent locality"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    # The commune-level (or province-level) party organisation whose territory this is.
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("responsible party organisation"),
        null=True, blank=True, on_delete=models.PROTECT, related_name="territory",
    )

    class Meta:
        verbose_name = _("locality")
        verbose_name_plural = _("localities")
        ordering = ["sort_key"]
        indexes = [models.Index(fields=["parent", "sort_key"], name="locality_parent_sort")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_village(self) -> bool:
        return self.kind not in self.TOP_KINDS and self.kind not in self.COMMUNE_KINDS


def subtree_q(root: Organisation, prefix: str = "", *, include_root: bool = True) -> Q:
    """The one definition of "in `root`'s subtree": the organisations whose path starts with
    `root`'s, as one index range (`path >= p AND path < p + "~"`, never LIKE). `prefix` reaches
    the path through a relation ("organisation__", "meeting__organisation__"); without the root
    the range starts just after its path."""
    start = f"{prefix}path__gte" if include_root else f"{prefix}path__gt"
    return Q(**{start: root.path, f"{prefix}path__lt": root.path + PATH_END})


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def subtree(self, root: Organisation, include_root: bool = True) -> OrganisationQuerySet:
        qs = self.filter(subtree_q(root))
        return qs if include_root else qs.exclude(pk=root.pk)

    def active_on(self, day: dt.date) -> OrganisationQuerySet:
        return self.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))

    def communes_above(self, orgs: Iterable[Organisation]) -> dict[int, Organisation]:
        """The commune (or ward) committee each organisation stands in, keyed by the organisation's
        id — for the commune column of a list that spans communes. One query, none when empty."""
        given = list(orgs)
        paths = {p for o in given for p in o.ancestor_paths()}
        if not paths:
            return {}
        communes = {c.path: c for c in self.filter(path__in=sorted(paths), kind=Organisation.Kind.COMMUNE)}
        out = {}
        for o in given:
            found = next((communes[p] for p in o.ancestor_paths() if p in communes), None)
            if found is not None:
                out[o.pk] = found
        return out


class Organisation(models.Model):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("provincial party organisation")
        COMMUNE = "commune", _("commune/ward party committee")
        GRASSROOTS_COMMITTEE = "grassroots_committee", _("grassroots party committee")
        GRASSROOTS_CELL = "grassroots_cell", _("grassroots party cell")
        CELL = "cell", _("party cell under a grassroots committee")
        PARTY_GROUP = "party_group", _("party group")

    class Sector(models.TextChoices):
        RESIDENTIAL = "residential", _("residential village or neighbourhood")
        STATE_AGENCY = "state_agency", _("state agency")
        EDUCATION_HEALTH = "education_health", _("school or health unit")
        ENTERPRISE = "enterprise", _("enterprise")
        ARMED_FORCES = "armed_forces", _("police or military")
        OTHER = "other", _("other")

    # Which kinds may sit under which.
    CHILD_KINDS: dict[str | None, set[str]] = {
        None: {Kind.PROVINCE},
        Kind.PROVINCE: {Kind.COMMUNE},
        Kind.COMMUNE: {Kind.GRASSROOTS_COMMITTEE, Kind.GRASSROOTS_CELL},
        Kind.GRASSROOTS_COMMITTEE: {Kind.CELL},
        Kind.GRASSROOTS_CELL: {Kind.PARTY_GROUP},
        Kind.CELL: {Kind.PARTY_GROUP},
        Kind.PARTY_GROUP: set(),
    }
    GRASSROOTS_KINDS = {Kind.GRASSROOTS_COMMITTEE, Kind.GRASSROOTS_CELL}
    CELL_KINDS = {Kind.GRASSROOTS_CELL, Kind.CELL}  # a chi bộ: where members are kept
    MEMBER_KINDS = {Kind.GRASSROOTS_CELL, Kind.CELL, Kind.PARTY_GROUP}

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    search_name = models.CharField(max_length=200, editable=False)
    sort_key = ByteOrderCharField(max_length=255, editable=False)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    sector = models.CharField(_("sector"), max_length=24, choices=Sector.choices, default=Sector.OTHER)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    path = ByteOrderCharField(max_length=64, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    locality = models.ForeignKey(
        Locality, verbose_name=_("locality served"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="organisations",
    )
    note = models.TextField(_("note"), blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["parent", "sort_key"], name="org_parent_sort"),
            models.Index(fields=["search_name"], name="org_search"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        from chibo.core.dates import today

        return self.valid_to is None or self.valid_to > today()

    @property
    def is_cell(self) -> bool:
        return self.kind in self.CELL_KINDS

    @property
    def holds_members(self) -> bool:
        return self.kind in self.MEMBER_KINDS

    @staticmethod
    def subtree_q(root: Organisation, prefix: str = "", *, include_root: bool = True) -> Q:
        """`subtree_q` (module level): the Q of `root`'s subtree, reached through `prefix`."""
        return subtree_q(root, prefix, include_root=include_root)

    def ancestor_paths(self) -> list[str]:
        return [self.path[: i + PATH_STEP] for i in range(0, len(self.path), PATH_STEP)]


# The membership column that holds an organisation of each kind (see members.models).
LEVEL_OF_KIND: dict[str, str] = {
    Organisation.Kind.PROVINCE: "province",
    Organisation.Kind.COMMUNE: "commune",
    Organisation.Kind.GRASSROOTS_COMMITTEE: "base",
    Organisation.Kind.GRASSROOTS_CELL: "base",
    Organisation.Kind.CELL: "cell",
    Organisation.Kind.PARTY_GROUP: "group",
}
