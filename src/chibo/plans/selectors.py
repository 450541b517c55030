"""Reads for plans: the current figure of each target — measured, or added up from its
parts by its roll-up rule — with its progress and status, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from chibo.core.dates import today
from chibo.core.text import fold
from chibo.organisations.models import PATH_STEP, Organisation
from chibo.plans import rules
from chibo.plans.models import Measurement, Milestone, Resolution, Target

_UNUSED = ("search_text", "created_at", "updated_at")  # never shown with a figure
_RESOLUTION = Target._meta.get_field("resolution")
_ORGANISATION = Target._meta.get_field("organisation")


@dataclass
class Figure:
    target: Target
    value: Decimal | None
    measured_on: dt.date | None
    roll_up: rules.RollUp | None  # set when the value is added up from the parts
    progress: Decimal | None
    status: str
    expected: Decimal | None = None  # the progress the time elapsed asks for (None: yes/no)

    @property
    def percent(self) -> int | None:
        return None if self.progress is None else int((self.progress * 100).to_integral_value())

    @property
    def expected_percent(self) -> int | None:
        return None if self.expected is None else int((self.expected * 100).to_integral_value())

    @property
    def behind(self) -> bool:
        return self.status in (rules.Status.AT_RISK, rules.Status.OFF_TRACK)

    @property
    def progress_formula(self) -> str:
        """The progress written out from the baseline (rules.explain_progress)."""
        t = self.target
        return rules.explain_progress(kind=t.kind, direction=t.direction, target=t.target_value, value=self.value,
                                      baseline=t.baseline_value)


def search(qs: QuerySet[Resolution], q: str) -> QuerySet[Resolution]:
    """Accent-insensitive: the folded query occurs in the number and title ("nong thon moi"
    finds "Xây dựng nông thôn mới"). The list page and the search from any page use this one."""
    text = fold(q)
    return qs.filter(search_text__contains=text) if text else qs


def figures(targets: Iterable[Target], day: dt.date | None = None) -> dict[int, Figure]:
    """Figures for these targets and all their parts (keyed by target id), in a fixed number
    of queries: one per level of parts (a commune → cells → party groups: two), each filtered
    by the given targets' ids only; the parts' organisations; the latest values; milestones.
    Pass the targets with their resolution loaded (select_related)."""
    day = day or today()
    by_id: dict[int, Target] = {t.pk: t for t in targets}
    roots = list(by_id)
    children: dict[int, list[Target]] = defaultdict(list)
    placed: set[int] = set()
    within = Q(pk__in=roots)
    lookup = "parent__in"
    while roots:
        found = list(Target.objects.filter(**{lookup: roots}).defer(*_UNUSED))
        if not found:
            break
        within |= Q(**{lookup: roots})
        lookup = "parent__" + lookup
        for t in found:
            if t.pk in placed:
                continue
            placed.add(t.pk)
            parent = by_id[t.parent_id or 0]
            if parent.resolution_id == t.resolution_id:  # a part shares its whole's resolution: not read again
                _RESOLUTION.set_cached_value(t, parent.resolution)
            by_id.setdefault(t.pk, t)
            children[t.parent_id or 0].append(t)
    missing = {t.organisation_id for t in by_id.values() if not _ORGANISATION.is_cached(t)}
    if missing:  # the few organisations the parts are given to, each read once
        orgs = Organisation.objects.in_bulk(missing)
        for t in by_id.values():
            if not _ORGANISATION.is_cached(t):
                _ORGANISATION.set_cached_value(t, orgs[t.organisation_id])
    ids = Target.objects.filter(within)
    # The latest value of each target on `day`: one index seek per target (measurement_latest),
    # never the whole history.
    newest = (Measurement.objects.filter(target=OuterRef("pk"), measured_on__lte=day)
              .order_by("-measured_on", "-id").values("pk")[:1])
    latest: dict[int, tuple[Decimal, dt.date]] = {
        target_id: (value, measured_on) for target_id, value, measured_on in Measurement.objects.filter(
            pk__in=ids.values(latest=Subquery(newest))).values_list("target_id", "value", "measured_on")}
    milestones: dict[int, list[rules.Milestone]] = defaultdict(list)
    for target_id, year, value in Milestone.objects.filter(target__in=ids.values("pk")).values_list(
            "target_id", "year", "value"):
        milestones[target_id].append(rules.Milestone(year, value))

    out: dict[int, Figure] = {}

    def figure(t: Target) -> Figure:
        if t.pk in out:
            return out[t.pk]
        parts = sorted(children.get(t.pk, []), key=lambda p: (p.position, p.pk))
        combined: rules.RollUp | None = None
        if parts and t.roll_up != Target.RollUp.NONE:
            part_figures = [figure(p) for p in parts]
            combined = rules.roll_up(t.roll_up, [
                rules.Part(p.organisation.name, f.value, p.weight) for p, f in zip(parts, part_figures, strict=True)])
            value = combined.value
            dates = [f.measured_on for f in part_figures if f.measured_on]
            measured_on = max(dates) if dates else None
        else:
            value, measured_on = latest.get(t.pk, (None, None))
        res = t.resolution
        progress = None if value is None else rules.progress(
            kind=t.kind, direction=t.direction, target=t.target_value, value=value, baseline=t.baseline_value)
        steps = milestones.get(t.pk, ())
        expected = rules.expected_progress(kind=t.kind, direction=t.direction, target=t.target_value,
                                           baseline=t.baseline_value, start=res.start, end=res.end, day=day,
                                           milestones=steps)
        state = rules.status_of(done=progress, expected=expected, day=day, end=res.end)
        out[t.pk] = Figure(target=t, value=value, measured_on=measured_on, roll_up=combined, progress=progress,
                           status=state, expected=expected)
        return out[t.pk]

    for t in list(by_id.values()):
        figure(t)
    return out


def parts_of(target: Target) -> list[Target]:
    return list(target.parts.select_related("organisation").order_by("position", "id"))


def history(target: Target) -> list[Measurement]:
    return list(target.measurements.select_related("reported_by").order_by("measured_on", "id"))


# --- Shares of a target broken down into parts ------------------------------------------------

@dataclass(frozen=True)
class Shares:
    """The parts' targets added up against the whole's target (for the sum rule): a gap is
    worth a warning, never an error — a commune may keep part of its target for itself."""

    total: Decimal  # the parts' targets added up
    target: Decimal  # the whole's target
    parts: int

    @property
    def difference(self) -> Decimal:
        return self.total - self.target

    @property
    def matches(self) -> bool:
        return self.total == self.target

    def warning(self) -> str:
        """E.g. "The parts' shares add up to 28, 2 less than the target of 30." ("" when they match)."""
        if self.matches:
            return ""
        values = {"total": rules._num(self.total), "diff": rules._num(abs(self.difference)),
                  "target": rules._num(self.target)}
        if self.difference < 0:
            return _("The parts' shares add up to %(total)s, %(diff)s less than the target of %(target)s.") % values
        return _("The parts' shares add up to %(total)s, %(diff)s more than the target of %(target)s.") % values


def shares(target: Target, parts: Iterable[Target]) -> Shares | None:
    """How the parts' targets add up, for a target that is the sum of its parts (else None)."""
    given = list(parts)
    if not given or target.roll_up != Target.RollUp.SUM:
        return None
    return Shares(total=sum((p.target_value for p in given), Decimal(0)), target=target.target_value, parts=len(given))


# --- A measured figure over time ------------------------------------------------------------

def series(target: Target, parts: Iterable[Target] = (), day: dt.date | None = None) -> list[tuple[dt.date, Decimal]]:
    """The target's value on each date it changed, up to `day`: its own measurements, or for a
    rolled-up target the roll-up of each part's latest value as of every date a part reported
    (two queries)."""
    day = day or today()
    given = list(parts)
    if not given or target.roll_up == Target.RollUp.NONE:
        rows = target.measurements.filter(measured_on__lte=day).order_by("measured_on", "id").values_list(
            "measured_on", "value")
        return list(dict(rows).items())  # the last figure of a day counts
    by_part: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for target_id, d, v in Measurement.objects.filter(target__in=given, measured_on__lte=day).order_by(
            "measured_on", "id").values_list("target_id", "measured_on", "value"):
        by_part[target_id].append((d, v))
    dates = sorted({d for rows in by_part.values() for d, _v in rows})
    out: list[tuple[dt.date, Decimal]] = []
    for d in dates:
        combined = rules.roll_up(target.roll_up, [
            rules.Part(str(p.pk), next((v for md, v in reversed(by_part[p.pk]) if md <= d), None), p.weight)
            for p in given])
        if combined.value is not None:
            out.append((d, combined.value))
    return out


# --- An organisation's targets, with each sub-organisation's part ----------------------------

@dataclass(frozen=True)
class OverviewCell:
    """One sub-organisation's part of a row's target."""

    target: Target  # the part (its target_value is the share given to the organisation)
    figure: Figure


@dataclass(frozen=True)
class OverviewRow:
    target: Target  # with .resolution and .organisation loaded
    figure: Figure
    explanation: str  # RollUp.explain() when the figure is added up from the parts, else ""
    cells: tuple[OverviewCell | None, ...]  # one per column; None: that organisation has no part
    shares: Shares | None  # the parts' targets against the whole's (sum rule), None without parts


@dataclass(frozen=True)
class Overview:
    """What an organisation has to achieve: every target of the resolutions in force it is
    responsible for (rows, by resolution then number) × its sub-organisations (columns)."""

    organisation: Organisation
    day: dt.date
    columns: tuple[Organisation, ...]  # active sub-organisations (when any row has parts), by name
    rows: tuple[OverviewRow, ...]

    @property
    def resolutions(self) -> list[Resolution]:
        seen: dict[int, Resolution] = {}
        for row in self.rows:
            seen.setdefault(row.target.resolution_id, row.target.resolution)
        return list(seen.values())


def _own_targets(org: Organisation, within: QuerySet[Target] | None) -> list[Target]:
    """The targets of the resolutions in force `org` is responsible for: newest resolution
    first, then by number."""
    qs = (within if within is not None else Target.objects.all()).filter(
        organisation=org, resolution__status=Resolution.Status.IN_FORCE).select_related("resolution", "organisation")
    return sorted(qs, key=lambda t: (-t.resolution.issued_on.toordinal(), t.resolution_id, t.position, t.pk))


def overview(org: Organisation, day: dt.date | None = None, *, within: QuerySet[Target] | None = None) -> Overview:
    """The overview of `org` on `day`, in a fixed number of queries whatever the number of
    targets and sub-organisations (six for a commune whose targets are given to cells).
    `within` limits the targets (the view passes `access.targets(user)`). The matrix of the
    printed and spreadsheet overview; the page shows `target_rows`."""
    day = day or today()
    own = _own_targets(org, within)
    figs = figures(own, day)
    parts: dict[int, list[Target]] = defaultdict(list)
    for f in figs.values():
        if f.target.parent_id is not None:
            parts[f.target.parent_id].append(f.target)
    columns: list[Organisation] = []
    if any(parts.get(t.pk) for t in own):
        columns = list(Organisation.objects.filter(parent=org, valid_to__isnull=True).order_by("sort_key"))
    index = {c.pk: i for i, c in enumerate(columns)}
    by_path = {c.path: c.pk for c in columns}
    step = len(org.path) + PATH_STEP

    def column_of(part: Target) -> int:
        """The column of a part: its organisation's, or the sub-organisation above it; an
        organisation outside the columns (ended since) gets a column of its own."""
        key = by_path.get(part.organisation.path[:step], part.organisation_id)
        if key not in index:
            index[key] = len(columns)
            columns.append(part.organisation)
        return index[key]

    placed: list[dict[int, OverviewCell]] = []
    for t in own:
        cells: dict[int, OverviewCell] = {}
        for p in sorted(parts.get(t.pk, ()), key=lambda p: (len(p.organisation.path), p.position, p.pk)):
            cells.setdefault(column_of(p), OverviewCell(target=p, figure=figs[p.pk]))
        placed.append(cells)
    rows = []
    for t, cells in zip(own, placed, strict=True):
        fig = figs[t.pk]
        rows.append(OverviewRow(
            target=t, figure=fig, explanation=fig.roll_up.explain() if fig.roll_up is not None else "",
            cells=tuple(cells.get(i) for i in range(len(columns))), shares=shares(t, parts.get(t.pk, ()))))
    return Overview(organisation=org, day=day, columns=tuple(columns), rows=tuple(rows))


# --- An organisation's targets, one row each, with the parts behind -------------------------

@dataclass(frozen=True)
class TargetRow:
    """One target of the overview page: its figure and its parts' figures, most behind first."""

    figure: Figure
    parts: tuple[Figure, ...]  # the parts given to sub-organisations, most behind first
    shares: Shares | None  # the parts' targets against the whole's (sum rule), None without parts

    @property
    def target(self) -> Target:
        return self.figure.target

    @property
    def behind(self) -> list[Figure]:
        """The parts at risk or off track, most behind first."""
        return [f for f in self.parts if f.behind]

    @property
    def unreported(self) -> int:
        return sum(1 for f in self.parts if f.value is None)


def most_behind_first(figs: Iterable[Figure]) -> list[Figure]:
    """Figures ordered by rules.behind_key, then by organisation (a stable order for ties)."""
    return sorted(figs, key=lambda f: (rules.behind_key(f.status, f.progress, f.expected),
                                       f.target.organisation.sort_key, f.target.pk))


def target_rows(org: Organisation, day: dt.date | None = None, *,
                within: QuerySet[Target] | None = None) -> list[TargetRow]:
    """One row per target of the resolutions in force `org` is responsible for (newest
    resolution first, then by number), each with its direct parts' figures most behind first:
    one query for the targets and those of `figures()`, whatever the number of targets and parts."""
    day = day or today()
    own = _own_targets(org, within)
    figs = figures(own, day)
    parts: dict[int, list[Figure]] = defaultdict(list)
    for f in figs.values():
        if f.target.parent_id is not None:
            parts[f.target.parent_id].append(f)
    return [TargetRow(figure=figs[t.pk], parts=tuple(most_behind_first(parts.get(t.pk, ()))),
                      shares=shares(t, [f.target for f in parts.get(t.pk, ())])) for t in own]


# --- How many targets of an organisation stand where (the indicators) -------------------------

def status_counts(org: Organisation, day: dt.date | None = None, *, within: QuerySet[Target] | None = None
                  ) -> dict[str, int]:
    """How many targets `org` answers for on `day`, by status (rules.Status): every target of
    a resolution in force on that day (status "in force", issued by then, the day's year within
    its period) whose responsible organisation is `org` or inside its subtree — its own targets
    and the parts given to its cells, each counted once. The same figures as `figures()`, read
    lean (one row per target, no model instances): three queries whatever the subtree's size.
    `within` limits the targets (a page passes `access.targets(user)`)."""
    return _count(statuses(org, day, within=within))


def statuses(org: Organisation, day: dt.date | None = None, *, within: QuerySet[Target] | None = None
             ) -> dict[int, tuple[str, Decimal | None]]:
    """The targets `status_counts` counts, each with its status and current value, by id."""
    return statuses_by(org, len(org.path), day, within=within).get(org.path, {})


def status_counts_by(org: Organisation, depth: int, day: dt.date | None = None) -> dict[str, dict[str, int]]:
    """`status_counts` of each organisation of `org`'s subtree whose path is `depth` characters
    long (e.g. every commune of a province), keyed by that path, in the same three queries: each
    group's targets are counted as `status_counts` of that organisation counts them (a target's
    parts roll up only from the parts inside the same group)."""
    return {group: _count(found) for group, found in statuses_by(org, depth, day).items()}


def _no_status_counts() -> dict[str, int]:
    return dict.fromkeys((rules.Status.ACHIEVED, rules.Status.ON_TRACK, rules.Status.AT_RISK,
                          rules.Status.OFF_TRACK, rules.Status.NO_DATA), 0)


def _count(found: dict[int, tuple[str, Decimal | None]]) -> dict[str, int]:
    counts = _no_status_counts()
    for state, _value in found.values():
        counts[state] += 1
    return counts


def statuses_by(org: Organisation, depth: int, day: dt.date | None = None, *,
                within: QuerySet[Target] | None = None) -> dict[str, dict[int, tuple[str, Decimal | None]]]:
    """`statuses` of each organisation of `org`'s subtree whose path is `depth` characters long,
    keyed by that path: three queries whatever the number of groups."""
    day = day or today()
    qs = Target.objects.filter(
        Organisation.subtree_q(org, "organisation__"),
        resolution__status=Resolution.Status.IN_FORCE, resolution__issued_on__lte=day,
        resolution__period_start__lte=day.year, resolution__period_end__gte=day.year)
    if within is not None:
        qs = qs & within  # the reader's scope as conditions of the same query, not a subquery
    newest = (Measurement.objects.filter(target=OuterRef("pk"), measured_on__lte=day)
              .order_by("-measured_on", "-id").values("value")[:1])
    groups: dict[str, dict[int, tuple[Any, ...]]] = defaultdict(dict)
    for row in qs.annotate(latest=Subquery(newest)).values_list(
            "pk", "parent_id", "kind", "direction", "roll_up", "target_value", "baseline_value", "weight",
            "resolution__period_start", "resolution__period_end", "latest", "organisation__path").order_by():
        if len(row[-1]) >= depth:
            groups[row[-1][:depth]][row[0]] = row[:-1]
    milestones: dict[int, list[rules.Milestone]] = defaultdict(list)
    for target_id, year, value in Milestone.objects.filter(target__in=qs.values("pk")).values_list(
            "target_id", "year", "value"):
        milestones[target_id].append(rules.Milestone(year, value))
    return {group: _statuses_of(rows, milestones, day) for group, rows in groups.items()}


def _statuses_of(rows: dict[int, tuple[Any, ...]], milestones: dict[int, list[rules.Milestone]],
                 day: dt.date) -> dict[int, tuple[str, Decimal | None]]:
    parts: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id, *_rest in rows.values():
        if parent_id in rows:
            parts[parent_id].append(pk)
    values: dict[int, Decimal | None] = {}

    def value_of(pk: int) -> Decimal | None:
        if pk not in values:
            _pk, _parent, _kind, _dir, roll_up, *_mid, weight, _start, _end, latest = rows[pk]
            if parts.get(pk) and roll_up != Target.RollUp.NONE:
                values[pk] = rules.roll_up(roll_up, [rules.Part("", value_of(p), rows[p][7]) for p in parts[pk]]).value
            else:
                values[pk] = latest
        return values[pk]

    out: dict[int, tuple[str, Decimal | None]] = {}
    for pk, _parent, kind, direction, _roll_up, target, baseline, _weight, start, end, _latest in rows.values():
        current = value_of(pk)
        out[pk] = (rules.status(kind=kind, direction=direction, target=target, baseline=baseline, value=current,
                                start=dt.date(start, 1, 1), end=dt.date(end, 12, 31), day=day,
                                milestones=milestones.get(pk, ())), current)
    return out


@dataclass(frozen=True)
class StatusRow:
    target: Target  # with .resolution and .organisation loaded
    value: Decimal | None
    status: str
    commune: Organisation | None  # the commune the responsible organisation is in, for lists that span communes


def with_status(org: Organisation, status: str, day: dt.date | None = None, *,
                within: QuerySet[Target] | None = None) -> list[StatusRow]:
    """The targets of `status_counts` that stand at `status` (its count, listed): by responsible
    organisation in the tree's order, then resolution and number. Three or four queries."""
    day = day or today()
    found = {pk: value for pk, (state, value) in statuses(org, day, within=within).items() if state == status}
    targets = sorted(Target.objects.filter(pk__in=list(found)).select_related("resolution", "organisation"),
                     key=lambda t: (t.organisation.path, -t.resolution.issued_on.toordinal(), t.resolution_id,
                                    t.position, t.pk))
    communes = (Organisation.objects.communes_above([t.organisation for t in targets])
                if org.kind == Organisation.Kind.PROVINCE else {})
    return [StatusRow(target=t, value=found[t.pk], status=status, commune=communes.get(t.organisation_id))
            for t in targets]


BEHIND = (rules.Status.AT_RISK, rules.Status.OFF_TRACK)


def behind(visible: QuerySet[Target], org: Organisation, day: dt.date | None = None) -> list[Figure]:
    """The organisation's own targets of the resolutions in force that are at risk or off track
    on `day` (worst first), for the committee's home page: `figures` of those targets, a fixed
    number of queries. `visible` is access.targets(user)."""
    day = day or today()
    own = list(visible.filter(organisation=org, resolution__status=Resolution.Status.IN_FORCE)
               .select_related("resolution", "organisation").order_by("position", "pk"))
    figs = figures(own, day)
    out = [figs[t.pk] for t in own if figs[t.pk].status in BEHIND]
    out.sort(key=lambda f: (f.status != rules.Status.OFF_TRACK, f.target.position, f.target.pk))
    return out
