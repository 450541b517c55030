"""Data-quality checks over an organisation's subtree, with a data-health score.

`run_checks(org)` finds, for the current members, cells and village heads of the subtree:
near-duplicate people, impossible dates, probation overdue, members without an active
organisation, cells too small or without a committee, heads not living in their village,
names in a legacy encoding or not in NFC, and missing required fields. Each problem says how
to fix it and links to the page that does.

Speed: a fixed handful of queries whatever the size of the subtree, none per member —
the regulation numbers (core.rules.RuleBook: one query for all versions), the due cell facts, the subtree's
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
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, F, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chibo.core.dates import add_months, format_vn_date, today
from chibo.core.models import Rule
from chibo.core.rules import RuleBook
from chibo.core.text import is_nfc
from chibo.members import rules as member_rules
from chibo.members.models import Membership, Post, Status
from chibo.organisations.models import LEVEL_OF_KIND, PATH_STEP, Organisation

ERROR = "error"
WARNING = "warning"
WEIGHTS = {ERROR: 1.0, WARNING: 0.25}
SHOWN_PER_KIND = 50


@dataclass(frozen=True)
class Kind:
    code: str
    severity: str
    title: Promise


# The checks, in the order the page and the console list them.
KINDS: dict[str, Kind] = {k.code: k for k in [
    Kind("duplicate_person", ERROR, _("Probably one person entered twice (same name and date of birth, "
                                      "a citizen ID missing)")),
    Kind("possible_duplicate", WARNING, _("Same name and date of birth with different citizen IDs")),
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
        "%(name)s, born %(birth)s, is recorded %(n)s times here, not every time with a citizen ID: probably "
        "one person entered twice. Enter the citizen ID on each record; if two records are the same person, "
        "keep the fuller one and record the other's removal with the note “duplicate record”."),
    "possible_duplicate": _(
        "%(name)s, born %(birth)s, is recorded %(n)s times here with different citizen IDs. Check the IDs "
        "against the cards: if it is the same person, correct the ID and record the removal of the extra "
        "record with the note “duplicate record”."),
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
# Letters beyond Latin-1 (ă đ ơ ư ạ ễ …) and combining marks: text holding one is Unicode, not a
# legacy font, and core.legacy.detect answers None for it. Searching for them first is cheap.
_UNICODE_ONLY = re.compile("[\u0100-\u024f\u0300-\u036f\u1e00-\u1eff]")


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
        top = self.organisation
        rows = [s for s in scores.values() if s.organisation.pk != top.pk and s.organisation.path.startswith(top.path)]
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
    min_cell = book.rule("cell_min_official", day)
    committee = book.rule("cell_committee_min_official", day)
    problems: list[Problem] = []

    # 1. The subtree's cells (with their facts) and every organisation that cannot hold
    #    members or has ended: one index range on the path (plus the org's few ancestors).
    refresh_due(now)
    in_subtree = Organisation.subtree_q(org)
    orgs = {o.pk: o for o in Organisation.objects
            .filter((in_subtree & (Q(kind__in=Organisation.CELL_KINDS) | Q(valid_to__isnull=False)
                                   | ~Q(kind__in=Organisation.MEMBER_KINDS)))
                    | Q(path__in=org.ancestor_paths()))  # the org itself, and the cell of a party group
            .annotate(official_count=F("facts__official_count"), has_committee=F("facts__has_committee"))
            .only("code", "name", "kind", "path", "valid_from", "valid_to", "locality_id", "parent_id")}
    orgs.setdefault(org.pk, org)
    cells: dict[int, Score] = {}
    for o in orgs.values():
        if o.kind not in Organisation.CELL_KINDS or not _active(o, now) or not o.path.startswith(org.path):
            continue
        cells[o.pk] = Score(o, records=1)
        n = getattr(o, "official_count", None)
        if n is None:  # no facts row (yet)
            continue
        if n < min_cell.value:
            problems.append(Problem("cell_too_few_officials", WARNING, o, _org_ref(o),
                                    params={"n": n, "min": min_cell.value, "cite": min_cell.citation},
                                    fix=("organisation", (o.code,), "")))
        if n >= committee.value and not getattr(o, "has_committee", False):
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
    months = _MonthIndex()
    members_in: dict[int, int] = defaultdict(int)  # members per cell (or organisation)
    seen: dict[str, tuple[Any, ...]] = {}  # folded name + date of birth -> first row
    duplicates: dict[str, list[tuple[Any, ...]]] = {}
    flagged: list[tuple[tuple[Any, ...], list[tuple[str, str, str, dict[str, Any]]]]] = []

    for row in scan.iterator(chunk_size=5000):
        (pk, cell_id, org_id, family, middle, given, search, status, birth_s, admission_s, official_s,
         cid, phone, card) = row
        members_in[cell_id or org_id] += 1
        key = search + birth_s
        first = seen.setdefault(key, row)
        if first is not row:
            duplicates.setdefault(key, [first]).append(row)
        found: list[tuple[str, str, str, dict[str, Any]]] = []  # code, template, url name, params
        # Dates in the future.
        if birth_s > day_iso or admission_s > day_iso or (official_s and official_s > day_iso):
            for label, value in zip(date_labels, (birth_s, admission_s, official_s), strict=True):
                if value and value > day_iso:
                    found.append(("date_in_future", "", "member-edit", {"field": label, "date": _vn(value)}))
        # Admitted under the minimum age: only rows admitted at most that many years after birth
        # are parsed.
        admitted_month = months[admission_s]
        if admission_s <= day_iso and admitted_month - months[birth_s] <= max_age * 12:
            admission, birth = iso(admission_s), iso(birth_s)
            age = book.rule("admission_min_age", admission)
            if member_rules.under_age(birth, admission, age.value):
                found.append(("admitted_under_age", "", "member-edit", {
                    "birth": format_vn_date(birth), "admission": format_vn_date(admission), "age": age.value,
                    "cite": age.citation}))
        # Official before the end of probation: only rows at most the longest probation apart in
        # months, and on its last month with an earlier day of the month, can be too early.
        if official_s:
            apart = months[official_s] - admitted_month
            if apart < max_probation or (apart == max_probation and official_s[8:] < admission_s[8:]):
                admission, official_day = iso(admission_s), iso(official_s)
                probation = book.rule("probation_months", admission)
                earliest = member_rules.probation_end(admission, probation.value)
                if official_day < earliest:
                    found.append(("official_too_early", "", "member-edit", {
                        "official": format_vn_date(official_day), "admission": format_vn_date(admission),
                        "months": probation.value, "earliest": format_vn_date(earliest),
                        "cite": probation.citation}))
        elif member_rules.needs_official_date(status, None):
            found.append(("missing_official_date", "", "member-edit", {}))
        # Probation over without a decision.
        if status == probationary and admission_s <= overdue_cutoff:
            admission = iso(admission_s)
            probation = book.rule("probation_months", admission)
            end = member_rules.probation_overdue(status, admission, probation.value, day)
            if end is not None:
                found.append(("probation_overdue", "", "member-event", {
                    "admission": format_vn_date(admission), "months": probation.value,
                    "end": format_vn_date(end), "cite": probation.citation}))
        # The organisation: ended, or of a kind that does not keep members.
        own = orgs.get(org_id)
        if own is not None:
            if own.kind not in Organisation.MEMBER_KINDS:
                found.append(("no_active_organisation", "no_active_organisation_kind", "member-event",
                              {"org": own.name}))
            elif own.valid_to is not None and own.valid_to <= now:
                found.append(("no_active_organisation", "", "member-event", {
                    "org": own.name, "date": format_vn_date(own.valid_to)}))
        # Required fields.
        if not cid:
            found.append(("missing_citizen_id", "", "member-edit", {}))
        if not card and status == official:
            found.append(("missing_card_number", "", "member-edit", {}))
        if not phone:
            found.append(("missing_phone", "", "member-edit", {}))
        # Names (an ASCII name is neither in a legacy encoding nor decomposed).
        if not (family.isascii() and middle.isascii() and given.isascii()):
            name = _full_name(family, middle, given)
            encoding = None if _UNICODE_ONLY.search(name) else detect(name)
            if encoding:
                found.append(("name_legacy_encoding", "", "member-edit", {
                    "name": name, "encoding": ENCODING_NAMES.get(encoding, encoding)}))
            if not is_nfc(name):
                found.append(("name_not_nfc", "", "member-edit", {"name": name}))
        if found:
            flagged.append((row, found))

    extra: dict[int, Organisation] = {}

    def cell_of(row: tuple[Any, ...]) -> Organisation:
        key = row[1] or row[2]
        cell = orgs.get(key)
        if cell is None:  # every cell of the subtree is in `orgs`: only for inconsistent imports
            cell = extra.setdefault(key, Organisation(pk=key, code="", name="?", path=""))
        return cell

    for row, found in flagged:
        cell, pk = cell_of(row), row[0]
        who = Subject("member", pk, _full_name(*row[3:6]))
        for code, template, url, params in found:
            problems.append(Problem(code, KINDS[code].severity, cell, who, template, params, (url, (pk,), "")))

    # 3. Near-duplicates: the same folded name and date of birth; an error when a record has no
    #    citizen ID (the usual way one person is entered twice), else a warning.
    for rows in duplicates.values():
        code = "duplicate_person" if any(not row[11] for row in rows) else "possible_duplicate"
        for row in rows:
            pk, name = row[0], _full_name(*row[3:6])
            problems.append(Problem(code, KINDS[code].severity, cell_of(row), Subject("member", pk, name),
                                    params={"name": name, "birth": _vn(row[8]), "n": len(rows)},
                                    fix=("member-edit", (pk,), "")))
    for key, n in members_in.items():
        cell = cell_of((None, key, key))
        if cell.pk not in cells:
            cells[cell.pk] = Score(cell)
        cells[cell.pk].records += n

    # 4. Village heads (of the villages the subtree's cells serve) not living there.
    active_posts = Post.objects.active_on(day).filter(kind__in=Post.HEAD_KINDS)
    heads = (active_posts.filter(Organisation.subtree_q(org, "locality__organisations__"),
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
                         "probation_months": book.rule("probation_months", day),
                         "admission_min_age": book.rule("admission_min_age", day)})


class _MonthIndex(dict[str, int]):
    """"2026-11-27" → the month's number counted from year 0, memoised per date."""

    def __missing__(self, iso_date: str) -> int:
        value = self[iso_date] = int(iso_date[:4]) * 12 + int(iso_date[5:7]) - 1
        return value


def _full_name(family: str, middle: str, given: str) -> str:
    return " ".join(filter(None, (family, middle, given)))


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
