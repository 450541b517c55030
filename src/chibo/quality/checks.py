"""Data-quality checks over an organisation's subtree, with a data-health score.

`run_checks(org)` finds, for the current members, cells and village heads of the subtree:
near-duplicate people, impossible dates, probation overdue, members without an active
organisation, cells too small or without a committee, heads not living in their village,
names in a legacy encoding or not in NFC, and missing required fields. Each problem says how
to fix it and links to the page that does.

Speed: a fixed handful of queries whatever the size of the subtree, none per member —
the regulation numbers (one query for all versions), the due cell facts, the subtree's
cells and non-member organisations with their CellFacts, ONE scan of the current members
on the denormalised level column (`Membership.<level>_id`, the member-list index), and the
village heads. Names and dates are checked in Python on the scanned rows: legacy encodings
and NFC cannot be tested in portable SQL, and date arithmetic in SQLite runs one Python
call per row, which is slower than reading the dates.

Score (see docs): 100 × (1 − (errors + ¼ × warnings) ÷ records checked), never below 0,
rounded down to one decimal, where the records checked are the current members and the
active cells. A cell's score counts its own members, itself and its problems."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, F, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chibo.core.dates import add_months, format_vn_date, full_months, today
from chibo.core.models import Rule
from chibo.core.rules import RuleMissing
from chibo.core.text import is_nfc
from chibo.members.models import Membership, Post, Status
from chibo.organisations.models import LEVEL_OF_KIND, PATH_END, PATH_STEP, Organisation

ERROR = "error"
WARNING = "warning"
WEIGHTS = {ERROR: 1.0, WARNING: 0.25}
RULE_KEYS = ("admission_min_age", "probation_months", "cell_min_official", "cell_committee_min_official")
SHOWN_PER_KIND = 50


@dataclass(frozen=True)
class Kind:
    code: str
    severity: str
    title: Promise


# The checks, in the order the page and the console list them.
KINDS: dict[str, Kind] = {k.code: k for k in [
    Kind("duplicate_person", ERROR, _("Same name and date of birth recorded more than once")),
    Kind("date_in_future", ERROR, _("Dates in the future")),
    Kind("admitted_under_age", ERROR, _("Admitted under the minimum age")),
    Kind("official_too_early", ERROR, _("Official date before the end of probation")),
    Kind("probation_overdue", ERROR, _("Probation over without a decision")),
    Kind("no_active_organisation", ERROR, _("Members without an active party organisation")),
    Kind("missing_official_date", ERROR, _("Official members without an official date")),
    Kind("missing_citizen_id", ERROR, _("Members without a citizen ID")),
    Kind("missing_card_number", ERROR, _("Official members without a party card number")),
    Kind("name_legacy_encoding", ERROR, _("Names typed in an old Vietnamese encoding (TCVN3, VNI)")),
    Kind("name_not_nfc", ERROR, _("Names not in standard Unicode (NFC)")),
    Kind("cell_too_few_officials", WARNING, _("Cells with too few official members")),
    Kind("cell_needs_committee", WARNING, _("Cells that should have a cell committee")),
    Kind("head_not_resident", WARNING, _("Village heads not recorded as living in their village")),
    Kind("missing_phone", WARNING, _("Members without a phone number")),
]}

MESSAGES: dict[str, Promise] = {
    "duplicate_person": _(
        "%(name)s, born %(birth)s, is recorded %(n)s times in this organisation. If it is the same person, "
        "keep one record and close the others; if not, correct the name or the date of birth."),
    "date_in_future": _("The %(field)s %(date)s is in the future. Correct it from the member's records."),
    "admitted_under_age": _(
        "Born %(birth)s and admitted %(admission)s: under %(age)s on the admission date (%(cite)s). "
        "Correct the date of birth or the admission date from the records."),
    "official_too_early": _(
        "Official on %(official)s, less than %(months)s months after admission on %(admission)s; the "
        "earliest possible date is %(earliest)s (%(cite)s). Correct the admission date or the official date "
        "from the decisions."),
    "probation_overdue": _(
        "Probationary since %(admission)s: the %(months)s months of probation ended on %(end)s (%(cite)s) "
        "and no decision is recorded. Record the recognition as an official member, or the removal, "
        "with its decision."),
    "no_active_organisation": _(
        "Recorded in %(org)s, which ended on %(date)s. Record the member's move to an active party cell."),
    "no_active_organisation_kind": _(
        "Recorded in %(org)s, which does not keep members. Record the member's move to a party cell "
        "or party group."),
    "missing_official_date": _(
        "An official member without the official date. Enter it from the recognition decision."),
    "missing_citizen_id": _("No citizen ID recorded. Enter the 12 digits from the citizen identity card."),
    "missing_card_number": _("An official member without a party card number. Enter it from the party card."),
    "name_legacy_encoding": _(
        "The name “%(name)s” looks typed in the old %(encoding)s encoding. Retype it in Unicode "
        "(in Unikey: character set Unicode)."),
    "name_not_nfc": _(
        "The name “%(name)s” is stored in decomposed Unicode, so searches and sorting may miss it. "
        "Open the record and save it: chibo stores names in standard form (NFC)."),
    "org_name_legacy_encoding": _(
        "The organisation name “%(name)s” looks typed in the old %(encoding)s encoding. Retype it in Unicode."),
    "org_name_not_nfc": _(
        "The organisation name “%(name)s” is stored in decomposed Unicode. Open it and save it to "
        "store it in standard form (NFC)."),
    "cell_too_few_officials": _(
        "%(n)s official members; a party cell has at least %(min)s (%(cite)s). Enter any members "
        "missing from chibo, or propose merging the cell."),
    "cell_needs_committee": _(
        "%(n)s official members but no cell committee (chi ủy) recorded; a cell with %(min)s or more "
        "official members elects one (%(cite)s). Record its committee members."),
    "head_not_resident": _(
        "%(name)s heads %(place)s but is not recorded as living there. Correct the place of residence, "
        "or record the right head."),
    "missing_phone": _("No phone number recorded. Add one so the cell can reach the member."),
}

ENCODING_NAMES = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI"}


@dataclass(frozen=True)
class Subject:
    """What a problem is about: a member ("member", membership id), a party organisation
    ("organisation", its id and code) or a locality ("locality", its id and code)."""

    kind: str
    pk: int
    label: str
    code: str = ""


@dataclass
class Problem:
    code: str
    severity: str
    organisation: Organisation  # the cell the subject belongs to (or the organisation itself)
    subject: Subject
    template: str = ""  # key in MESSAGES (default: the code)
    params: dict[str, Any] = field(default_factory=dict)
    fix: tuple[str, tuple[Any, ...], str] = ("", (), "")  # url name, args, query string

    @property
    def message(self) -> str:
        """The Vietnamese (active language) message, saying how to fix the problem."""
        text = str(MESSAGES[self.template or self.code])
        params = {k: str(v) if isinstance(v, Promise) else v for k, v in self.params.items()}
        return text % params if params else text

    @property
    def title(self) -> str:
        return str(KINDS[self.code].title)

    @property
    def fix_url(self) -> str:
        name, args, query = self.fix
        url = reverse(name, args=args)
        return f"{url}?{query}" if query else url

    @property
    def view_url(self) -> str:
        """The subject's own page, for users who may look but not change."""
        s = self.subject
        if s.kind == "member":
            return reverse("member", args=[s.pk])
        if s.kind == "locality":
            return reverse("locality", args=[s.code])
        return reverse("organisation", args=[s.code])

    @property
    def fix_needs(self) -> str:
        """What the fix page needs: "member" (write on the cell), "post" (write on the cell),
        "structure" (commune staff) or "" (the page is readable by anyone who sees the problem)."""
        name = self.fix[0]
        if name in ("member-edit", "member-event"):
            return "member"
        if name == "post-create":
            return "post"
        if name == "organisation-edit":
            return "structure"
        return ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "severity": self.severity, "message": self.message,
            "organisation": {"code": self.organisation.code, "name": self.organisation.name},
            "subject": {"kind": self.subject.kind, "id": self.subject.pk, "label": self.subject.label,
                        **({"code": self.subject.code} if self.subject.code else {})},
            "fix_url": self.fix_url,
        }


@dataclass
class Score:
    """Records checked and problems found for one organisation (a cell, a commune, the whole)."""

    organisation: Organisation
    records: int = 0
    errors: int = 0
    warnings: int = 0

    @property
    def score(self) -> float | None:
        return health_score(self.records, self.errors, self.warnings)

    def add(self, other: Score) -> None:
        self.records += other.records
        self.errors += other.errors
        self.warnings += other.warnings

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.organisation.code, "name": self.organisation.name, "score": self.score,
                "records": self.records, "errors": self.errors, "warnings": self.warnings}


def health_score(records: int, errors: int, warnings: int) -> float | None:
    """100 × (1 − (errors + ¼ warnings) / records), floored at 0 and rounded down to 0.1,
    so that only data without problems scores 100. None when nothing was checked."""
    if records <= 0:
        return None if not (errors or warnings) else 0.0
    raw = 100 * (1 - (errors * WEIGHTS[ERROR] + warnings * WEIGHTS[WARNING]) / records)
    return max(0.0, math.floor(round(raw * 10, 6)) / 10)


@dataclass
class Group:
    kind: Kind
    problems: list[Problem]

    @property
    def count(self) -> int:
        return len(self.problems)

    @property
    def shown(self) -> list[Problem]:
        return self.problems[:SHOWN_PER_KIND]

    @property
    def more(self) -> int:
        return max(0, self.count - SHOWN_PER_KIND)


@dataclass
class Report:
    organisation: Organisation
    day: dt.date
    problems: list[Problem]
    total: Score
    cells: dict[int, Score]
    communes: dict[int, Score]
    rules: dict[str, Rule]

    @property
    def score(self) -> float | None:
        return self.total.score

    @property
    def errors(self) -> int:
        return self.total.errors

    @property
    def warnings(self) -> int:
        return self.total.warnings

    def groups(self) -> list[Group]:
        by_code: dict[str, list[Problem]] = defaultdict(list)
        for p in self.problems:
            by_code[p.code].append(p)
        return [Group(kind, by_code[code]) for code, kind in KINDS.items() if by_code.get(code)]

    def units(self) -> list[Score]:
        """The breakdown one level down: communes under a province, else cells; worst first."""
        scores = self.communes if self.organisation.kind == Organisation.Kind.PROVINCE else self.cells
        rows = [s for s in scores.values() if s.organisation.pk != self.organisation.pk]
        return sorted(rows, key=lambda s: (s.score if s.score is not None else 101, s.organisation.path))

    def as_dict(self) -> dict[str, Any]:
        org = self.organisation
        return {
            "organisation": {"code": org.code, "name": org.name, "kind": org.kind},
            "date": self.day.strftime("%d/%m/%Y"),
            "score": self.score, "records": self.total.records, "errors": self.errors, "warnings": self.warnings,
            "formula": "100 × (1 − (errors + 0.25 × warnings) / records), ≥ 0, rounded down to 0.1",
            "counts": {g.kind.code: g.count for g in self.groups()},
            "units": [s.as_dict() for s in self.units()],
            "problems": [p.as_dict() for p in self.problems],
        }


# --- Regulation numbers ----------------------------------------------------------------------

class RuleBook:
    """Every version of the rules the checks use, read in one query; `on(key, day)` picks
    the version in force on a day exactly as core.rules.rule does (the latest in force)."""

    def __init__(self, keys: Iterable[str] = RULE_KEYS) -> None:
        self.versions: dict[str, list[Rule]] = defaultdict(list)
        for r in Rule.objects.filter(key__in=list(keys)).order_by("key", "-effective_from"):
            self.versions[r.key].append(r)

    def on(self, key: str, day: dt.date) -> Rule:
        for r in self.versions.get(key, []):
            if r.in_force_on(day):
                return r
        raise RuleMissing(f"No rule {key!r} in force on {day:%d/%m/%Y}")

    def values(self, key: str) -> list[int]:
        """The values of every version (to bound a check before reading the exact version)."""
        if not self.versions.get(key):
            raise RuleMissing(f"No rule {key!r}")
        return [r.value for r in self.versions[key]]


# --- The checks --------------------------------------------------------------------------------

def _org_ref(org: Organisation) -> Subject:
    return Subject("organisation", org.pk, org.name, org.code)


def run_checks(org: Organisation, day: dt.date | None = None) -> Report:
    """Check the subtree of `org` (its current members, cells and village heads). `day` is the
    date the checks compare with (default today); the state checked is always the present one."""
    from chibo.core.legacy import detect  # written alongside; TCVN3/VNI detection
    from chibo.indicators.services import refresh_due

    day = day or today()
    now = today()
    book = RuleBook()
    min_cell = book.on("cell_min_official", day)
    committee = book.on("cell_committee_min_official", day)
    problems: list[Problem] = []

    # 1. The subtree's cells (with their facts) and every organisation that cannot hold
    #    members or has ended: one index range on the path.
    refresh_due(now)
    orgs = {o.pk: o for o in Organisation.objects.subtree(org)
            .filter(Q(kind__in=Organisation.CELL_KINDS) | Q(valid_to__isnull=False)
                    | ~Q(kind__in=Organisation.MEMBER_KINDS) | Q(pk=org.pk))
            .select_related("facts")
            .only("code", "name", "kind", "path", "valid_from", "valid_to", "locality_id", "parent_id",
                  "facts__official_count", "facts__has_committee", "facts__active")}
    orgs.setdefault(org.pk, org)
    cells: dict[int, Score] = {}
    for o in orgs.values():
        if o.kind not in Organisation.CELL_KINDS or not _active(o, now):
            continue
        cells[o.pk] = Score(o, records=1)
        facts = getattr(o, "facts", None)
        if facts is None:
            continue
        n = facts.official_count
        if n < min_cell.value:
            problems.append(Problem("cell_too_few_officials", WARNING, o, _org_ref(o),
                                    params={"n": n, "min": min_cell.value, "cite": min_cell.citation},
                                    fix=("organisation", (o.code,), "")))
        if n >= committee.value and not facts.has_committee:
            problems.append(Problem("cell_needs_committee", WARNING, o, _org_ref(o),
                                    params={"n": n, "min": committee.value, "cite": committee.citation},
                                    fix=("post-create", (), f"org={o.code}")))
        _check_name(problems, detect, o.name, o, _org_ref(o), "org_name_", ("organisation-edit", (o.code,), ""))

    # 2. One scan of the current members, on the level column's index. Dates are read as ISO
    #    text (no conversion per value by the driver; ISO text compares like the dates) and
    #    parsed only for the few rows near a limit.
    level = LEVEL_OF_KIND[org.kind]
    scan = (Membership.objects.filter(**{f"{level}_id": org.pk}, current__in=[True])
            .annotate(birth_iso=Cast("birth_date", CharField()), admission_iso=Cast("admission_date", CharField()),
                      official_iso=Cast("official_date", CharField()))
            .values_list("pk", "cell_id", "organisation_id", "person__family_name", "person__middle_name",
                         "person__given_name", "search_name", "status", "birth_iso", "admission_iso",
                         "official_iso", "person__citizen_id", "person__phone", "card_number")
            .order_by())
    iso = dt.date.fromisoformat
    day_iso = day.isoformat()
    ages, probations = book.values("admission_min_age"), book.values("probation_months")
    max_age, max_probation = max(ages), max(probations)
    overdue_cutoff = add_months(day, -min(probations)).isoformat()  # admitted after it: not overdue
    official, probationary = Status.OFFICIAL.value, Status.PROBATIONARY.value
    date_labels = (_("date of birth"), _("admission date"), _("official date"))
    seen: dict[tuple[str, str], list[tuple[int, str, str, str, Organisation]]] = defaultdict(list)
    extra: dict[int, Organisation] = {}

    for (pk, cell_id, org_id, family, middle, given, search, status, birth_s, admission_s, official_s,
         cid, phone, card) in scan.iterator(chunk_size=5000):
        cell = orgs.get(cell_id or org_id)
        if cell is None:  # every cell of the subtree is in `orgs`; kept for inconsistent imports
            cell = extra.setdefault(cell_id or org_id, Organisation(pk=cell_id or org_id, code="", name="?", path=""))
        score = cells.get(cell.pk)
        if score is None:
            score = cells[cell.pk] = Score(cell)
        score.records += 1
        seen[(search, birth_s)].append((pk, family, middle, given, cell))
        found: list[tuple[str, str, tuple[str, tuple[Any, ...], str], dict[str, Any]]] = []
        # Dates in the future.
        for label, value in zip(date_labels, (birth_s, admission_s, official_s), strict=True):
            if value and value > day_iso:
                found.append(("date_in_future", "", EDIT, {"field": label, "date": _vn(value)}))
        admitted_year = int(admission_s[:4])
        # Admitted under the minimum age (only rows within a year of it are parsed).
        if admission_s <= day_iso and admitted_year - int(birth_s[:4]) <= max_age:
            admission, birth = iso(admission_s), iso(birth_s)
            age = book.on("admission_min_age", admission)
            if full_months(birth, admission) < age.value * 12:
                found.append(("admitted_under_age", "", EDIT, {
                    "birth": format_vn_date(birth), "admission": format_vn_date(admission), "age": age.value,
                    "cite": age.citation}))
        # Official before the end of probation: only rows at most the longest probation apart,
        # and on its last month only if the day of the month is earlier, can be too early.
        if official_s:
            months = (int(official_s[:4]) - admitted_year) * 12 + int(official_s[5:7]) - int(admission_s[5:7])
            if months < max_probation or (months == max_probation and official_s[8:] < admission_s[8:]):
                admission, official_day = iso(admission_s), iso(official_s)
                probation = book.on("probation_months", admission)
                earliest = add_months(admission, probation.value)
                if official_day < earliest:
                    found.append(("official_too_early", "", EDIT, {
                        "official": format_vn_date(official_day), "admission": format_vn_date(admission),
                        "months": probation.value, "earliest": format_vn_date(earliest),
                        "cite": probation.citation}))
        elif status == official:
            found.append(("missing_official_date", "", EDIT, {}))
        # Probation over without a decision.
        if status == probationary and admission_s <= overdue_cutoff:
            admission = iso(admission_s)
            probation = book.on("probation_months", admission)
            end = add_months(admission, probation.value)
            if end < day:
                found.append(("probation_overdue", "", EVENT, {
                    "admission": format_vn_date(admission), "months": probation.value,
                    "end": format_vn_date(end), "cite": probation.citation}))
        # The organisation: ended, or one that does not keep members.
        own = orgs.get(org_id)
        if own is not None:
            if own.kind not in Organisation.MEMBER_KINDS:
                found.append(("no_active_organisation", "no_active_organisation_kind", EVENT, {"org": own.name}))
            elif own.valid_to is not None and own.valid_to <= now:
                found.append(("no_active_organisation", "", EVENT, {
                    "org": own.name, "date": format_vn_date(own.valid_to)}))
        # Required fields.
        if not cid:
            found.append(("missing_citizen_id", "", EDIT, {}))
        if status == official and not card:
            found.append(("missing_card_number", "", EDIT, {}))
        if not phone:
            found.append(("missing_phone", "", EDIT, {}))
        # Names (ASCII names are neither legacy-encoded nor decomposed).
        name = ""
        if not (family.isascii() and middle.isascii() and given.isascii()):
            name = _full_name(family, middle, given)
            encoding = detect(name)
            if encoding:
                found.append(("name_legacy_encoding", "", EDIT, {
                    "name": name, "encoding": ENCODING_NAMES.get(encoding, encoding)}))
            if not is_nfc(name):
                found.append(("name_not_nfc", "", EDIT, {"name": name}))
        if found:
            who = Subject("member", pk, name or _full_name(family, middle, given))
            for code, template, (url, _args, query), params in found:
                problems.append(Problem(code, KINDS[code].severity, cell, who, template, params, (url, (pk,), query)))

    # 3. Near-duplicates: the same folded name and date of birth.
    for (_search, birth_s), rows in seen.items():
        if len(rows) > 1:
            for pk, family, middle, given, cell in rows:
                name = _full_name(family, middle, given)
                problems.append(Problem("duplicate_person", ERROR, cell, Subject("member", pk, name),
                                        params={"name": name, "birth": _vn(birth_s), "n": len(rows)},
                                        fix=("member-edit", (pk,), "")))

    # 4. Village heads (of the villages the subtree's cells serve) not living there.
    active_posts = Post.objects.filter(kind__in=Post.HEAD_KINDS, start_date__lte=day).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day))
    heads = (active_posts.filter(locality__organisations__path__gte=org.path,
                                 locality__organisations__path__lt=org.path + PATH_END,
                                 locality__organisations__kind__in=Organisation.CELL_KINDS)
             .filter(Q(person__residence__isnull=True) | ~Q(person__residence=F("locality")))
             .values_list("pk", "locality__organisations__id", "locality_id", "locality__code", "locality__name",
                          "person__family_name", "person__middle_name", "person__given_name")
             .order_by("pk"))
    posts_seen: set[int] = set()
    for post_pk, cell_id, loc_id, loc_code, loc_name, family, middle, given in heads:
        if post_pk in posts_seen or cell_id not in cells:
            continue
        posts_seen.add(post_pk)
        name = _full_name(family, middle, given)
        problems.append(Problem("head_not_resident", WARNING, cells[cell_id].organisation,
                                Subject("locality", loc_id, loc_name, loc_code),
                                params={"name": name, "place": loc_name}, fix=("locality", (loc_code,), "")))

    # Scores: per cell, per commune, in all.
    for p in problems:
        score = cells.get(p.organisation.pk)
        if score is None:
            score = cells[p.organisation.pk] = Score(p.organisation)
        if p.severity == ERROR:
            score.errors += 1
        else:
            score.warnings += 1
    total = Score(org)
    communes: dict[int, Score] = {}
    commune_by_path = {o.path: o for o in orgs.values() if o.kind == Organisation.Kind.COMMUNE}
    for s in cells.values():
        total.add(s)
        commune = commune_by_path.get(s.organisation.path[:2 * PATH_STEP]) if s.organisation.path else None
        if commune is not None:
            communes.setdefault(commune.pk, Score(commune)).add(s)
    order = {code: i for i, code in enumerate(KINDS)}
    problems.sort(key=lambda p: (order[p.code], p.organisation.path, p.subject.label))
    return Report(organisation=org, day=day, problems=problems, total=total, cells=cells, communes=communes,
                  rules={"cell_min_official": min_cell, "cell_committee_min_official": committee,
                         "probation_months": book.on("probation_months", day),
                         "admission_min_age": book.on("admission_min_age", day)})


EDIT: tuple[str, tuple[Any, ...], str] = ("member-edit", (), "")
EVENT: tuple[str, tuple[Any, ...], str] = ("member-event", (), "")


def _full_name(family: str, middle: str, given: str) -> str:
    return " ".join(p for p in (family, middle, given) if p)


def _vn(iso_date: str) -> str:
    """2026-11-27 → 27/11/2026."""
    return f"{iso_date[8:10]}/{iso_date[5:7]}/{iso_date[:4]}"


def _active(o: Organisation, day: dt.date) -> bool:
    return o.valid_from <= day and (o.valid_to is None or o.valid_to > day)


def _check_name(problems: list[Problem], detect: Any, name: str, cell: Organisation, who: Subject,
                prefix: str, fix: tuple[str, tuple[Any, ...], str]) -> None:
    encoding = detect(name)
    if encoding:
        problems.append(Problem("name_legacy_encoding", ERROR, cell, who, f"{prefix}name_legacy_encoding",
                                {"name": name, "encoding": ENCODING_NAMES.get(encoding, encoding)}, fix))
    if not is_nfc(name):
        problems.append(Problem("name_not_nfc", ERROR, cell, who, f"{prefix}name_not_nfc", {"name": name}, fix))


def summary_lines(report: Report) -> list[str]:
    """Short Vietnamese summary (score and counts by kind), e.g. after an import."""
    score = report.score
    lines = [gettext("Data health score: %(score)s/100 (%(errors)s errors, %(warnings)s warnings, "
                     "%(records)s records checked).") % {
        "score": "—" if score is None else f"{score:.1f}".replace(".", ","),
        "errors": report.errors, "warnings": report.warnings, "records": report.total.records}]
    lines += [f"  {g.kind.title}: {g.count}" for g in report.groups()]
    return lines
