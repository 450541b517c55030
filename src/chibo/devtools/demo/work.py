"""The work of the demo communes and the synthetic province (issue 4): each commune's
2025–2030 congress resolution with its 19 targets broken down to cells, each cell's plan,
and tasks in every state. Decided from a seeded rng and the build day, then written through
the services (a few cells, so the demo exercises them) or in bulk (the rest)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from chibo.core.dates import add_months
from chibo.devtools.demo.builders import CommunePlan
from chibo.members.models import Person, Post
from chibo.organisations.models import Locality, Organisation
from chibo.plans import rules as plan_rules
from chibo.plans import services as plan_services
from chibo.plans.models import Measurement, Resolution, Target
from chibo.tasks import rules as task_rules
from chibo.tasks import services as task_services
from chibo.tasks.models import Task, Update

# --- Resolutions, targets and tasks (issue 4) -------------------------------------------------
#
# The planners below decide what to write, as plain data, from the rng and the day; the demo
# writes it through the services (`write_resolution`, `write_tasks`: audit rows and every check
# included), the synthetic province with bulk inserts (`bulk_write_work`). Every date is
# counted from the build's day, and the figures are chosen so that each target has the
# status it was dealt on that day (plans.rules), whatever the day.

TERM = (2025, 2030)
ZERO = Decimal(0)
ONE = Decimal(1)
TENTH = Decimal("0.1")
TK = Target.Kind
TD = Target.Direction
TR = Target.RollUp
ST = plan_rules.Status

# A commune's 19 targets are dealt these statuses (shuffled): what a report two years into the
# term looks like — most on track, some at risk or off track, a few achieved or not measured.
STATUS_DECK = [ST.ACHIEVED] * 2 + [ST.ON_TRACK] * 8 + [ST.AT_RISK] * 4 + [ST.OFF_TRACK] * 3 + [ST.NO_DATA] * 2
# New members admitted by the end of each year, as a share of the term's target.
ADMIT_MILESTONES = {2025: 0.10, 2026: 0.27, 2027: 0.45, 2028: 0.63, 2029: 0.82}


def _q(value: float | Decimal, quantum: Decimal = TENTH, rounding: str = ROUND_HALF_UP) -> Decimal:
    return Decimal(str(value)).quantize(quantum, rounding=rounding)


@dataclass(eq=False)
class TargetPlan:
    organisation: Organisation
    name: str
    unit: str
    kind: str
    target_value: Decimal
    direction: str = TD.AT_LEAST
    roll_up: str = TR.NONE
    baseline_value: Decimal | None = None
    baseline_year: int | None = None
    weight: Decimal | None = None
    note: str = ""
    key: str = ""  # what tasks link to ("admit", "poverty", "latrine", …)
    milestones: dict[int, Decimal] = field(default_factory=dict)
    measurements: list[tuple[dt.date, Decimal, str]] = field(default_factory=list)
    parts: list[TargetPlan] = field(default_factory=list)
    obj: Target | None = None


@dataclass(eq=False)
class ResolutionPlan:
    organisation: Organisation
    body: str
    kind: str
    number: str
    issued_on: dt.date
    title: str
    summary: str
    targets: list[TargetPlan] = field(default_factory=list)
    obj: Resolution | None = None

    def all_targets(self) -> Iterable[TargetPlan]:
        for t in self.targets:
            yield t
            yield from t.parts


@dataclass(eq=False)
class TaskPlan:
    organisation: Organisation
    state: str  # a TaskState
    title: str
    description: str
    expected_output: str
    start_on: dt.date
    due_on: dt.date
    verify_by: dt.date
    lead: int  # person ids
    verifier: int
    coordinating: list[int] = field(default_factory=list)
    measure: tuple[Decimal, str] | None = None
    decision: str = ""
    target: TargetPlan | None = None
    recurrence: str = ""
    repeat_until: dt.date | None = None
    progress: int = 0
    progress_on: dt.date | None = None
    submitted_on: dt.date | None = None
    decided_on: dt.date | None = None  # accepted, returned or cancelled
    note: str = ""  # the progress, submission, return or cancellation note


class TaskState:
    OPEN = "open"
    DUE_SOON = "due_soon"  # deadline within the next three days
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ON_TIME = "on_time"
    LATE = "late"
    EXCEEDED = "exceeded"
    CANCELLED = "cancelled"
    SERIES = "series"  # a monthly task: past months done, this month's open
    ALL = (OPEN, DUE_SOON, IN_PROGRESS, OVERDUE, SUBMITTED, RETURNED, ON_TIME, LATE, EXCEEDED, CANCELLED)


def figure_for(want: str, *, kind: str, direction: str, target: Decimal, baseline: Decimal | None, day: dt.date,
               milestones: dict[int, Decimal] | None = None, quantum: Decimal = TENTH,
               hi: Decimal | None = None) -> Decimal | None:
    """A figure that gives the target the status `want` on `day`, rounded to `quantum`: the
    one nearest the middle of that status's band, or that middle when rounding leaves none."""
    if want == ST.NO_DATA:
        return None
    if kind == TK.YESNO:
        return ONE if want == ST.ACHIEVED else ZERO
    start, end = dt.date(TERM[0], 1, 1), dt.date(TERM[1], 12, 31)
    ms = [plan_rules.Milestone(y, v) for y, v in (milestones or {}).items()]
    expected_value = plan_rules.expected_value(start=start, end=end, day=day, target=target, baseline=baseline,
                                               milestones=ms)
    e = float(plan_rules.progress(kind=kind, direction=direction, target=target, value=expected_value,
                                  baseline=baseline))
    ideal = {ST.ACHIEVED: 1.02, ST.ON_TRACK: min(0.97, e + 0.04), ST.AT_RISK: e * 0.8, ST.OFF_TRACK: e * 0.4}[want]
    origin = baseline if baseline is not None else ZERO

    def at(p: float) -> Decimal:
        value = _q(origin + (target - origin) * Decimal(str(p)), quantum)
        value = max(ZERO, value)
        return min(hi, value) if hi is not None else value

    for p in sorted((i / 100 for i in range(0, 111)), key=lambda p: abs(p - ideal)):
        value = at(p)
        if plan_rules.status(kind=kind, direction=direction, target=target, baseline=baseline, value=value,
                             start=start, end=end, day=day, milestones=ms) == want:
            return value
    return at(ideal)


def measure_dates(today: dt.date, *, annual: bool = False) -> list[dt.date]:
    """When figures were reported: each year-end review of the term so far, and (unless the
    figure is counted once a year) the last month's report."""
    out = [dt.date(y, 12, 31) for y in range(TERM[0], today.year + 1) if dt.date(y, 12, 31) < today]
    month_end = today.replace(day=1) - dt.timedelta(days=1)
    if not annual and month_end.year >= TERM[0] and (not out or month_end > out[-1]):
        out.append(month_end)
    return out


def _report_note(day: dt.date) -> str:
    if (day.month, day.day) == (12, 31):
        return f"Báo cáo tổng kết năm {day.year}"
    return f"Báo cáo kết quả thực hiện đến tháng {day.month}/{day.year}"


def _history(final: Decimal, dates: list[dt.date], *, origin: Decimal, quantum: Decimal,
             rng: random.Random, cumulative: bool) -> list[tuple[dt.date, Decimal, str]]:
    """Figures on each date leading to `final` on the last one, roughly in a straight line from `origin`."""
    if not dates:
        return []
    start = dt.date(TERM[0], 1, 1)
    span = max(1, (dates[-1] - start).days)
    out = []
    for d in dates[:-1]:
        share = Decimal(str(min(1.0, (d - start).days / span * rng.uniform(0.8, 1.1))))
        value = origin + (final - origin) * share
        value = _q(value, quantum, ROUND_FLOOR if cumulative else ROUND_HALF_UP)
        out.append((d, max(ZERO, value), _report_note(d)))
    out.append((dates[-1], final, _report_note(dates[-1])))
    return out


def largest_remainder(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Whole shares of `total` in proportion to `weights` (each at least `minimum` when it fits)."""
    if not weights:
        return []
    base = [minimum] * len(weights) if minimum * len(weights) <= total else [0] * len(weights)
    left = total - sum(base)
    weight = sum(weights) or 1.0
    exact = [left * w / weight for w in weights]
    whole = [int(x) for x in exact]
    for i in sorted(range(len(weights)), key=lambda i: exact[i] - whole[i], reverse=True)[: left - sum(whole)]:
        whole[i] += 1
    return [b + w for b, w in zip(base, whole, strict=True)]


@dataclass
class CommuneFacts:
    """What a commune's congress targets are sized from."""

    org: Organisation
    place: str  # "xã Biển Hồ"
    grassroots: list[tuple[Organisation, int]]  # the grassroots organisations and their members
    villages: list[tuple[Organisation, bool]]  # residential cells; True for a highland (làng, plei, buôn) village
    schools: int
    development: float  # 0 (remote and poor) … 1 (next to the city)
    overrides: dict[str, tuple[float, float]] = field(default_factory=dict)  # key → (baseline, target)
    shares: dict[str, int] = field(default_factory=dict)  # organisation code → its fixed share of new members


def congress_resolution(rng: random.Random, facts: CommuneFacts, *, today: dt.date, issued_on: dt.date,
                        number: str = "01-NQ/ĐH") -> ResolutionPlan:
    """The commune congress resolution of the 2025–2030 term with its 19 key targets
    (chỉ tiêu chủ yếu): the new-members target given to each grassroots organisation, the
    poverty rate to each village weighted by its households, the cultural houses to each village."""
    org, d = facts.org, facts.development
    deck = list(STATUS_DECK)
    rng.shuffle(deck)
    dates, year_ends = measure_dates(today), measure_dates(today, annual=True)

    def bt(key: str, baseline: float, target: float) -> tuple[float, float]:
        return facts.overrides.get(key, (baseline, target))

    def plain(key: str, name: str, unit: str, kind: str, baseline: float | None, target: float, *,
              direction: str = TD.AT_LEAST, annual: bool = False, quantum: Decimal = TENTH,
              milestones: dict[int, Decimal] | None = None, baseline_year: int = 2024, note: str = "") -> TargetPlan:
        want = deck.pop()
        b = None if baseline is None else _q(baseline, quantum)
        t = _q(target, quantum)
        tp = TargetPlan(org, name, unit, kind, t, direction=direction, baseline_value=b,
                        baseline_year=baseline_year if b is not None else None, key=key, note=note,
                        milestones=milestones or {})
        hi = Decimal(100) if kind == TK.PERCENT else None
        final = figure_for(want, kind=kind, direction=direction, target=t, baseline=b, day=today,
                           milestones=milestones, quantum=quantum if kind != TK.YESNO else ONE, hi=hi)
        if final is not None:
            when = year_ends if annual else dates
            if kind == TK.YESNO:
                tp.measurements = [(day, final, _report_note(day)) for day in when[-1:]]
            else:
                tp.measurements = _history(final, when, origin=b if b is not None else ZERO, quantum=quantum,
                                           rng=rng, cumulative=b is None)
        return tp

    targets: list[TargetPlan] = []
    # Kinh tế
    income_b, income_t = bt("income", round(30 + 30 * d + rng.uniform(-2, 2)), 0)
    income_t = income_t or round(income_b * rng.uniform(1.6, 1.75))
    growth = (income_t / income_b) ** (1 / (TERM[1] - 2024))
    targets.append(plain("income", "Thu nhập bình quân đầu người đến năm 2030", "triệu đồng/người/năm", TK.AMOUNT,
                         income_b, income_t, milestones={y: _q(income_b * growth ** (y - 2024)) for y in range(2025, 2030)}))
    conv_b, conv_t = bt("crops", 0, round(150 + 350 * (1 - d) * rng.uniform(0.7, 1.3), -1))
    targets.append(plain("crops", "Diện tích chuyển đổi cây trồng kém hiệu quả sang cây trồng có giá trị kinh tế cao "
                                  "(cộng dồn cả nhiệm kỳ)", "ha", TK.AMOUNT, conv_b, conv_t, baseline_year=2025,
                         note="Chuyển từ mì (sắn), lúa rẫy sang cây ăn quả, rau màu, cà phê tái canh"))
    irr_b, irr_t = bt("irrigation", round(300 + 1200 * rng.random(), -1), 0)
    targets.append(plain("irrigation", "Diện tích cây trồng được tưới chủ động từ các công trình thủy lợi", "ha",
                         TK.AMOUNT, irr_b, irr_t or round(irr_b * rng.uniform(1.25, 1.5), -1)))
    ntm_b = 11 + round(6 * d)
    targets.append(plain("ntm", "Số tiêu chí xã nông thôn mới đạt được", "tiêu chí", TK.COUNT, ntm_b, 19,
                         quantum=ONE, milestones={y: Decimal(min(19, ntm_b + round((19 - ntm_b) * (y - 2024) / 6)))
                                                  for y in range(2025, 2030)}))
    water_b = 45 + 25 * d + rng.uniform(-3, 3)
    targets.append(plain("water", "Tỷ lệ hộ dân sử dụng nước sạch theo quy chuẩn", "%", TK.PERCENT,
                         water_b, min(95, water_b + 20)))
    forest_b = 10 + 30 * rng.random()
    targets.append(plain("forest", "Tỷ lệ che phủ rừng", "%", TK.PERCENT, forest_b, forest_b + 2, annual=True))
    # Văn hóa – xã hội
    poverty_b, poverty_t = bt("poverty", max(3.0, 4 + 6 * (1 - d) + rng.uniform(-1, 1)), 0)
    targets.append(_poverty(rng, facts, deck.pop(), poverty_b, poverty_t or max(1.0, round(poverty_b / 4 * 2) / 2),
                            today=today, dates=dates))
    targets.append(plain("bhyt", "Tỷ lệ người dân tham gia bảo hiểm y tế", "%", TK.PERCENT,
                         92.5 + 3 * rng.random(), 98))
    schools = max(1, facts.schools)
    targets.append(plain("schools", "Số trường học đạt chuẩn quốc gia", "trường", TK.COUNT, schools // 2,
                         max(schools // 2 + 1, schools - schools // 5), quantum=ONE, annual=True))
    targets.append(_halls(rng, facts, deck.pop(), dates=dates))
    targets.append(plain("culture", "Tỷ lệ hộ gia đình đạt danh hiệu “Gia đình văn hóa”", "%", TK.PERCENT,
                         82 + 8 * d, 92, annual=True))
    latrine_b = 60 + 25 * d + rng.uniform(-4, 4)
    targets.append(plain("latrine", "Tỷ lệ hộ có nhà tiêu hợp vệ sinh", "%", TK.PERCENT, latrine_b, 95))
    labour_b = 35 + 25 * d
    targets.append(plain("labour", "Tỷ lệ lao động qua đào tạo", "%", TK.PERCENT, labour_b, labour_b + 15))
    # Quốc phòng – an ninh
    targets.append(plain("security", "Xã giữ vững tiêu chuẩn “An toàn về an ninh, trật tự” hằng năm", "",
                         TK.YESNO, None, 1, direction=TD.EXACTLY, annual=True, quantum=ONE))
    # Xây dựng Đảng và hệ thống chính trị
    targets.append(_admissions(rng, facts, deck.pop(), today=today, dates=dates))
    cu_b, cu_t = bt("cell_committees", 45 + 30 * rng.random(), 0)
    targets.append(plain("cell_committees", "Tỷ lệ chi bộ có cấp ủy (chi ủy)", "%", TK.PERCENT, cu_b,
                         cu_t or min(100, cu_b + 10), annual=True))
    targets.append(plain("grassroots_rating", "Tỷ lệ tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ trở lên (hằng năm)",
                         "%", TK.PERCENT, 82 + 6 * rng.random(), 90, annual=True))
    targets.append(plain("member_rating", "Tỷ lệ đảng viên hoàn thành tốt nhiệm vụ trở lên (hằng năm)", "%",
                         TK.PERCENT, 86 + 4 * rng.random(), 92, annual=True))
    heads_b, heads_t = bt("heads", 88 + 10 * rng.random(), 100)
    targets.append(plain("heads", "Tỷ lệ thôn, làng, tổ dân phố có trưởng thôn (tổ trưởng) là đảng viên", "%",
                         TK.PERCENT, heads_b, heads_t))
    assert len(targets) == 19
    place = facts.place
    return ResolutionPlan(
        organisation=org, body=Resolution.Body.CONGRESS, kind=Resolution.Kind.RESOLUTION, number=number,
        issued_on=issued_on, targets=targets,
        title=f"Nghị quyết Đại hội đại biểu Đảng bộ {place} lần thứ I, nhiệm kỳ 2025–2030",
        summary=(f"Đại hội đại biểu Đảng bộ {place} lần thứ I đề ra 19 chỉ tiêu chủ yếu về kinh tế, văn hóa – xã hội, "
                 "quốc phòng – an ninh và xây dựng Đảng. Các chi bộ xây dựng kế hoạch thực hiện, gắn với chức trách, "
                 "nhiệm vụ của từng đảng viên."))


def _poverty(rng: random.Random, facts: CommuneFacts, want: str, baseline: float, target: float, *,
             today: dt.date, dates: list[dt.date]) -> TargetPlan:
    """The poor-household rate: each village its own rate, the commune's the mean weighted by households."""
    villages = facts.villages
    households = [rng.randint(90, 380) if highland else rng.randint(140, 460) for _o, highland in villages]
    raw = [rng.uniform(0.6, 1.0) * (1.7 if highland else 0.7) for _o, highland in villages]
    mean_raw = sum(r * h for r, h in zip(raw, households, strict=True)) / (sum(households) or 1)
    bases = [min(Decimal(45), _q(baseline * r / mean_raw)) for r in raw]
    aims = [max(Decimal("0.5"), _q(float(b) * target / baseline)) for b in bases]
    weights = [Decimal(h) for h in households]
    total = sum(weights) or ONE
    b = _q(sum((x * w for x, w in zip(bases, weights, strict=True)), ZERO) / total) if villages else _q(baseline)
    t = _q(target)
    tp = TargetPlan(facts.org, "Tỷ lệ hộ nghèo theo chuẩn nghèo đa chiều", "%", TK.PERCENT, t, direction=TD.AT_MOST,
                    roll_up=TR.MEAN if villages else TR.NONE, baseline_value=b, baseline_year=2024, key="poverty",
                    note="Số liệu rà soát hộ nghèo, hộ cận nghèo hằng năm; tỷ lệ của xã là bình quân các thôn, "
                         "gia quyền theo số hộ")
    if want == ST.NO_DATA:
        want = ST.ON_TRACK
    goal = figure_for(want, kind=TK.PERCENT, direction=TD.AT_MOST, target=t, baseline=b, day=today)
    assert goal is not None
    if not villages:
        tp.measurements = _history(goal, dates, origin=b, quantum=TENTH, rng=rng, cumulative=False)
        return tp
    p = float((b - goal) / (b - t)) if b != t else 1.0
    finals = [x - (x - a) * Decimal(str(max(0.0, p * rng.uniform(0.5, 1.5)))) for x, a in zip(bases, aims, strict=True)]
    shift = goal - sum((f * w for f, w in zip(finals, weights, strict=True)), ZERO) / total
    for (cell, _h), base, aim, final, w in zip(villages, bases, aims, finals, weights, strict=True):
        part = TargetPlan(cell, tp.name, "%", TK.PERCENT, aim, direction=TD.AT_MOST, baseline_value=base,
                          baseline_year=2024, weight=w, key="poverty")
        value = min(Decimal(100), max(ZERO, _q(final + shift)))
        part.measurements = _history(value, dates, origin=base, quantum=TENTH, rng=rng, cumulative=False)
        tp.parts.append(part)
    return tp


def _halls(rng: random.Random, facts: CommuneFacts, want: str, *, dates: list[dt.date]) -> TargetPlan:
    """Each village has (yes/no) a cultural house to standard; the commune's is done when all are."""
    tp = TargetPlan(facts.org, "Thôn, làng, tổ dân phố có nhà văn hóa đạt chuẩn", "", TK.YESNO, ONE,
                    direction=TD.EXACTLY, roll_up=TR.ALL if facts.villages else TR.NONE, key="hall")
    share = {ST.ACHIEVED: 1.0, ST.ON_TRACK: 0.8, ST.AT_RISK: 0.65, ST.OFF_TRACK: 0.5, ST.NO_DATA: 0.7}[want]
    if not facts.villages:
        tp.measurements = [(dates[-1], ONE if share == 1.0 else ZERO, _report_note(dates[-1]))] if dates else []
        return tp
    for cell, _highland in facts.villages:
        part = TargetPlan(cell, tp.name, "", TK.YESNO, ONE, direction=TD.EXACTLY, key="hall")
        done = rng.random() < share
        if dates and (done or rng.random() < 0.7):  # the rest not reported yet
            part.measurements = [(rng.choice(dates) if done else dates[0], ONE if done else ZERO,
                                  _report_note(dates[-1]))]
        tp.parts.append(part)
    return tp


def _admissions(rng: random.Random, facts: CommuneFacts, want: str, *, today: dt.date,
                dates: list[dt.date]) -> TargetPlan:
    """New members over the term, given to each grassroots organisation in proportion to its members."""
    orgs = facts.grassroots
    shares = largest_remainder(round(sum(n for _o, n in orgs) * 0.12), [max(1, n) for _o, n in orgs], minimum=1)
    shares = [facts.shares.get(o.code, s) for (o, _n), s in zip(orgs, shares, strict=True)]
    total = Decimal(sum(shares))
    milestones = {y: _q(float(total) * share, ONE) for y, share in ADMIT_MILESTONES.items()}
    tp = TargetPlan(facts.org, "Kết nạp đảng viên mới (cả nhiệm kỳ)", "đảng viên", TK.COUNT, total,
                    roll_up=TR.SUM, milestones=milestones, key="admit",
                    note="Chú trọng đoàn viên thanh niên, phụ nữ, người dân tộc thiểu số; chi bộ thôn, làng "
                         "khó khăn tạo nguồn được Đảng ủy xã giúp đỡ")
    if want == ST.NO_DATA:
        want = ST.ON_TRACK
    goal = figure_for(want, kind=TK.COUNT, direction=TD.AT_LEAST, target=total, baseline=None, day=today,
                      milestones=milestones, quantum=ONE)
    assert goal is not None
    reported = [rng.random() > 0.06 for _o in orgs]
    got = largest_remainder(int(goal), [s * rng.uniform(0.2, 1.8) if r else 0.0
                                        for s, r in zip(shares, reported, strict=True)])
    for (o, _n), share, value, r in zip(orgs, shares, got, reported, strict=True):
        part = TargetPlan(o, tp.name, tp.unit, TK.COUNT, Decimal(share), key="admit")
        if r and dates:
            when = dates if rng.random() > 0.1 else dates[:1]  # a few have not sent this year's figure
            part.measurements = _history(Decimal(value), when, origin=ZERO, quantum=ONE, rng=rng, cumulative=True)
        tp.parts.append(part)
    return tp


def cell_plan(rng: random.Random, cell: Organisation, *, residential: bool, place: str, issued_on: dt.date,
              today: dt.date, number: str, recruit_note: str = "") -> ResolutionPlan:
    """A cell's plan to carry out the congress resolution (kế hoạch thực hiện nghị quyết), with three targets."""
    rows: list[tuple[str, str, str, str, float | None, float, Decimal]]  # key, name, unit, kind, baseline, target, quantum
    if residential:
        rows = [
            ("latrine", "Vận động hộ làm nhà tiêu hợp vệ sinh", "hộ", TK.COUNT, None, rng.randint(8, 25), ONE),
            ("crops", "Hộ chuyển đổi cây trồng kém hiệu quả", "hộ", TK.COUNT, None, rng.randint(10, 40), ONE),
            ("recruit", "Giới thiệu quần chúng ưu tú học lớp bồi dưỡng nhận thức về Đảng", "người", TK.COUNT, None,
             rng.randint(3, 6), ONE),
        ]
    else:
        rows = [
            ("digital", "Tỷ lệ đảng viên sử dụng Sổ tay đảng viên điện tử", "%", TK.PERCENT,
             rng.randint(30, 60), 100, TENTH),
            ("rating", "Tỷ lệ đảng viên hoàn thành tốt nhiệm vụ trở lên", "%", TK.PERCENT, rng.randint(82, 90), 95,
             TENTH),
            ("recruit", "Giới thiệu quần chúng ưu tú học lớp bồi dưỡng nhận thức về Đảng", "người", TK.COUNT, None,
             rng.randint(2, 4), ONE),
        ]
    dates = measure_dates(today)
    targets = []
    for key, name, unit, kind, baseline, target, quantum in rows:
        b = None if baseline is None else _q(baseline, quantum)
        t = _q(target, quantum)
        tp = TargetPlan(cell, name, unit, kind, t, baseline_value=b, baseline_year=2025 if b is not None else None,
                        key=key, note=recruit_note if key == "recruit" else "")
        want = rng.choice([ST.ON_TRACK, ST.ON_TRACK, ST.AT_RISK, ST.OFF_TRACK, ST.ACHIEVED, ST.NO_DATA])
        final = figure_for(want, kind=kind, direction=TD.AT_LEAST, target=t, baseline=b, day=today, quantum=quantum,
                           hi=Decimal(100) if kind == TK.PERCENT else None)
        if final is not None:
            tp.measurements = _history(final, dates, origin=b if b is not None else ZERO, quantum=quantum, rng=rng,
                                       cumulative=b is None)
        targets.append(tp)
    return ResolutionPlan(
        organisation=cell, body=Resolution.Body.CELL, kind=Resolution.Kind.PLAN, number=number, issued_on=issued_on,
        targets=targets, title=f"Kế hoạch thực hiện Nghị quyết Đại hội đại biểu Đảng bộ {place} lần thứ I, "
                               f"nhiệm kỳ 2025–2030 của {cell.name[0].lower()}{cell.name[1:]}",
        summary="Cụ thể hóa các chỉ tiêu của Nghị quyết cho chi bộ, phân công từng đảng viên phụ trách.")


# --- Tasks of a cell ------------------------------------------------------------------------

@dataclass(frozen=True)
class TaskTemplate:
    key: str
    title: str
    description: str
    expected: str
    measure: tuple[int, int, str] | None = None  # a random count between the two, and its unit
    link: str = ""  # the key of the target it serves
    by_secretary: bool = False  # led by the cell secretary (verified by a committee member above)


VILLAGE_TASKS = [
    TaskTemplate("latrine", "Vận động {n} hộ làm nhà tiêu hợp vệ sinh",
                 "Đến từng hộ chưa có nhà tiêu hợp vệ sinh, hướng dẫn cách làm, giới thiệu vay vốn Ngân hàng "
                 "Chính sách xã hội.", "{n} hộ có nhà tiêu hợp vệ sinh, có ảnh trước và sau khi làm",
                 (3, 6, "hộ"), link="latrine"),
    TaskTemplate("poverty", "Rà soát hộ nghèo, hộ cận nghèo năm {year} của {village}",
                 "Cùng trưởng thôn và chi hội phụ nữ rà soát từng hộ theo chuẩn nghèo đa chiều, lập danh sách đề nghị.",
                 "Danh sách hộ nghèo, hộ cận nghèo của thôn có chữ ký của trưởng thôn, nộp UBND xã", link="poverty"),
    TaskTemplate("propaganda", "Tuyên truyền Nghị quyết Đại hội Đảng bộ xã lần thứ I tại cuộc họp {village}",
                 "Phổ biến 19 chỉ tiêu chủ yếu của Nghị quyết bằng tiếng Việt và tiếng Jrai, giải đáp thắc mắc "
                 "của bà con.", "Biên bản cuộc họp thôn, có ít nhất 80% số hộ dự", by_secretary=True),
    TaskTemplate("crops", "Hướng dẫn bà con chuyển đổi cây trồng, đăng ký nước tưới từ công trình thủy lợi",
                 "Hướng dẫn các hộ chuyển từ mì (sắn), lúa rẫy kém hiệu quả sang cây ăn quả, rau màu; đăng ký lịch "
                 "tưới với tổ thủy nông.", "{n} hộ đăng ký chuyển đổi, có danh sách và diện tích từng hộ",
                 (4, 10, "hộ"), link="crops"),
    TaskTemplate("recruit", "Bồi dưỡng, giới thiệu quần chúng ưu tú học lớp nhận thức về Đảng",
                 "Theo dõi, giúp đỡ đoàn viên thanh niên ưu tú trong thôn; hoàn thiện hồ sơ giới thiệu đi học lớp "
                 "bồi dưỡng nhận thức về Đảng.", "{n} quần chúng ưu tú được giới thiệu đi học, có nhận xét của chi bộ",
                 (1, 3, "người"), link="recruit"),
    TaskTemplate("bhyt", "Vận động người dân tham gia bảo hiểm y tế hộ gia đình năm {next}",
                 "Đến các hộ chưa có thẻ, giải thích quyền lợi, hướng dẫn thủ tục với đại lý thu.",
                 "{n} người đăng ký mua thẻ bảo hiểm y tế, có danh sách", (10, 30, "người")),
    TaskTemplate("security", "Nắm tình hình an ninh, trật tự và tranh chấp đất đai trên địa bàn thôn",
                 "Phối hợp công an viên, tổ tự quản nắm tình hình, hòa giải kịp thời các mâu thuẫn nhỏ.",
                 "Báo cáo tình hình gửi chi bộ trước kỳ sinh hoạt tháng"),
    TaskTemplate("topic", "Chuẩn bị nội dung sinh hoạt chuyên đề quý {quarter}/{year}",
                 "Chuyên đề học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh gắn với phong trào "
                 "“Dân vận khéo”.", "Đề cương sinh hoạt chuyên đề được chi ủy thông qua", by_secretary=True),
    TaskTemplate("hall", "Sửa chữa, bổ sung trang thiết bị nhà văn hóa {village}",
                 "Vận động bà con góp ngày công, đề nghị xã hỗ trợ vật liệu lợp mái, bàn ghế, loa.",
                 "Nhà văn hóa được sửa mái, có bàn ghế và loa; UBND xã nghiệm thu", link="hall"),
    TaskTemplate("environment", "Vận động đoàn viên, thanh niên ra quân vệ sinh đường làng ngày Chủ nhật xanh",
                 "Phối hợp chi đoàn, chi hội phụ nữ phát quang, thu gom rác đường làng, khu nhà văn hóa.",
                 "{n} buổi ra quân, có ảnh và danh sách tham gia", (2, 3, "buổi")),
]
UNIT_TASKS = [
    TaskTemplate("digital", "Hướng dẫn đảng viên cài đặt, sử dụng Sổ tay đảng viên điện tử",
                 "Hướng dẫn từng đồng chí cài ứng dụng, đăng nhập, đọc tài liệu sinh hoạt chi bộ trên điện thoại.",
                 "100% đảng viên của chi bộ đăng nhập được, có danh sách ký xác nhận", link="digital"),
    TaskTemplate("review", "Chuẩn bị báo cáo kiểm điểm, đánh giá, xếp loại chất lượng đảng viên năm {year}",
                 "Hướng dẫn đảng viên viết bản tự kiểm điểm; tổng hợp ý kiến nhận xét của chi ủy và nơi cư trú.",
                 "Báo cáo của chi bộ và bản tự kiểm điểm của từng đảng viên, nộp Đảng ủy xã", by_secretary=True,
                 link="rating"),
    TaskTemplate("propaganda", "Quán triệt Nghị quyết Đại hội Đảng bộ xã lần thứ I đến đảng viên, công chức",
                 "Tổ chức hội nghị quán triệt, liên hệ nhiệm vụ của cơ quan, đơn vị.",
                 "Biên bản hội nghị; 100% đảng viên có bài thu hoạch", by_secretary=True),
    TaskTemplate("recruit", "Bồi dưỡng, giới thiệu quần chúng ưu tú học lớp nhận thức về Đảng",
                 "Phân công đảng viên theo dõi, giúp đỡ quần chúng ưu tú của cơ quan, đơn vị.",
                 "{n} quần chúng ưu tú được giới thiệu đi học, có nhận xét của chi bộ", (1, 2, "người"),
                 link="recruit"),
    TaskTemplate("records", "Rà soát, bổ sung hồ sơ, lý lịch đảng viên của chi bộ",
                 "Đối chiếu hồ sơ với dữ liệu đảng viên, bổ sung giấy tờ còn thiếu.",
                 "Danh sách hồ sơ đã bổ sung, nộp Văn phòng Đảng ủy xã"),
    TaskTemplate("topic", "Chuẩn bị nội dung sinh hoạt chuyên đề quý {quarter}/{year}",
                 "Chuyên đề về nâng cao chất lượng phục vụ nhân dân, cải cách hành chính, chuyển đổi số.",
                 "Đề cương sinh hoạt chuyên đề được chi bộ thông qua", by_secretary=True),
    TaskTemplate("help", "Giúp đỡ thôn, làng khó khăn theo phân công của Đảng ủy xã",
                 "Cùng chi bộ thôn vận động hộ nghèo phát triển sản xuất, hướng dẫn thủ tục vay vốn.",
                 "Báo cáo kết quả giúp đỡ, có xác nhận của trưởng thôn"),
    TaskTemplate("online", "Hướng dẫn người dân nộp hồ sơ trực tuyến trên Cổng dịch vụ công",
                 "Trực hỗ trợ tại bộ phận một cửa và tại thôn vào các ngày thứ bảy.",
                 "{n} hồ sơ được nộp trực tuyến, có sổ theo dõi", (20, 60, "hồ sơ")),
]
DUES = TaskTemplate("dues", "Thu đảng phí hằng tháng của đảng viên trong chi bộ",
                    "Thu đảng phí tại kỳ sinh hoạt chi bộ, ghi sổ thu đảng phí, nộp về Đảng ủy xã.",
                    "Thu đủ đảng phí của 100% đảng viên, nộp Đảng ủy xã trước ngày 10")
RETURN_NOTES = ["Thiếu ảnh và chữ ký xác nhận của các hộ, đề nghị bổ sung.",
                "Danh sách chưa đủ thông tin từng hộ; bổ sung số nhân khẩu và lý do.",
                "Chưa có biên bản có chữ ký của trưởng thôn; bổ sung rồi gửi lại."]
CANCEL_NOTES = ["Hủy theo kết luận cuộc họp chi bộ: việc này Đảng ủy xã đã giao cho Mặt trận xã thực hiện.",
                "Hủy vì xã điều chỉnh kế hoạch, gộp vào đợt ra quân chung toàn xã."]


def _schedule(rng: random.Random, state: str, today: dt.date) -> dict[str, Any]:
    """Dates of a task in `state` on `today`: start, deadline, verification date and what happened when."""
    ago = lambda a, b: today - dt.timedelta(days=rng.randint(a, b))  # noqa: E731
    ahead = lambda a, b: today + dt.timedelta(days=rng.randint(a, b))  # noqa: E731
    out: dict[str, Any] = {}
    if state == TaskState.OPEN:
        out.update(start_on=ago(0, 6), due_on=ahead(10, 40))
    elif state == TaskState.DUE_SOON:
        out.update(start_on=ago(12, 25), due_on=ahead(1, 3), progress=rng.choice([0, 40, 60, 80]))
    elif state == TaskState.IN_PROGRESS:
        out.update(start_on=ago(10, 30), due_on=ahead(6, 30), progress=rng.choice([20, 30, 50, 70]))
    elif state == TaskState.OVERDUE:
        out.update(start_on=ago(35, 60), due_on=ago(2, 15), progress=rng.choice([0, 0, 30, 50]))
    elif state == TaskState.SUBMITTED:
        out.update(start_on=ago(20, 40), due_on=ahead(-2, 8))
        out["submitted_on"] = min(out["due_on"], ago(0, 3))
    elif state == TaskState.RETURNED:
        out.update(start_on=ago(25, 45), due_on=ahead(4, 14), submitted_on=ago(6, 10))
        out["decided_on"] = out["submitted_on"] + dt.timedelta(days=rng.randint(1, 3))
    elif state in (TaskState.ON_TIME, TaskState.EXCEEDED):
        out.update(start_on=ago(50, 100), due_on=ago(12, 35))
        out["submitted_on"] = out["due_on"] - dt.timedelta(days=rng.randint(0, 6))
        out["decided_on"] = min(today, out["submitted_on"] + dt.timedelta(days=rng.randint(1, 4)))
    elif state == TaskState.LATE:
        out.update(start_on=ago(60, 100), due_on=ago(25, 45))
        out["submitted_on"] = out["due_on"] + dt.timedelta(days=rng.randint(3, 12))
        out["decided_on"] = min(today, out["submitted_on"] + dt.timedelta(days=rng.randint(1, 4)))
    elif state == TaskState.CANCELLED:
        out.update(start_on=ago(20, 40), due_on=ahead(-5, 20), decided_on=ago(1, 10))
    if out.get("progress"):
        out["progress_on"] = min(today, out["start_on"] + dt.timedelta(days=rng.randint(3, 9)))
    out["verify_by"] = out["due_on"] + dt.timedelta(days=rng.randint(3, 7))
    return out


@dataclass
class CellPeople:
    """Who works in a cell: person ids of its members (not the secretary), its secretary, who
    collects the dues, and the committee members above it who verify the secretary's own tasks."""

    members: list[int]
    secretary: int | None
    collector: int | None
    above: list[int]


def cell_tasks(rng: random.Random, cell: Organisation, people: CellPeople, *, residential: bool, village: str,
               today: dt.date, n: int, links: dict[str, TargetPlan],
               forced: Sequence[tuple[str, int | None]] = ()) -> list[TaskPlan]:
    """`n` tasks of a cell's plan, among them the monthly party dues, in the states dealt
    (`forced` first: a state and, when given, the member who leads it)."""
    people = CellPeople(people.members, people.secretary, people.collector,
                        [p for p in people.above if p != people.secretary])
    if not people.members or (people.secretary is None and not people.above):
        return []
    verifier = people.secretary if people.secretary is not None else people.above[0]
    month = add_months(today.replace(day=1), -1)
    dues = TaskPlan(cell, TaskState.SERIES, DUES.title, DUES.description, DUES.expected, start_on=month,
                    due_on=month + dt.timedelta(days=9), verify_by=month + dt.timedelta(days=14),
                    lead=people.collector or people.members[0], verifier=verifier, recurrence="monthly",
                    repeat_until=dt.date(max(2027, today.year + 1), 12, 31),
                    decision=f"Nghị quyết chi bộ tháng {month.month}/{month.year}")
    out = [dues]
    states = list(TaskState.ALL)
    rng.shuffle(states)
    for state, _lead in forced:
        states.remove(state)
    dealt: list[tuple[str, int | None]] = [*forced, *((s, None) for s in states)][: n - 1]
    templates = list(VILLAGE_TASKS if residential else UNIT_TASKS)
    rng.shuffle(templates)
    for state, lead in dealt:
        tpl = next((t for t in templates if not (t.by_secretary and (lead is not None or not people.above
                                                                      or people.secretary is None))), None)
        if tpl is None:
            break
        templates.remove(tpl)
        when = _schedule(rng, state, today)
        if tpl.by_secretary:
            assert people.secretary is not None
            who, check = people.secretary, rng.choice(people.above)
        else:
            who, check = lead if lead is not None else rng.choice(people.members), verifier
        others = [p for p in people.members if p not in (who, check)]
        helpers = [rng.choice(others)] if others and rng.random() < 0.35 else []
        count = rng.randint(tpl.measure[0], tpl.measure[1]) if tpl.measure else 0
        words = {"n": count, "year": when["due_on"].year, "next": when["due_on"].year + 1, "village": village,
                 "quarter": "IV" if when["due_on"].month >= 10 else "III" if when["due_on"].month >= 7
                 else "II" if when["due_on"].month >= 4 else "I"}
        start = when["start_on"]
        task = TaskPlan(
            cell, state, tpl.title.format(**words), tpl.description, tpl.expected.format(**words),
            start_on=start, due_on=when["due_on"], verify_by=when["verify_by"], lead=who, verifier=check,
            coordinating=helpers, measure=(Decimal(count), tpl.measure[2]) if tpl.measure else None,
            decision=f"Nghị quyết chi bộ tháng {start.month}/{start.year}", target=links.get(tpl.link),
            progress=when.get("progress", 0), progress_on=when.get("progress_on"),
            submitted_on=when.get("submitted_on"), decided_on=when.get("decided_on"))
        if state == TaskState.RETURNED:
            task.note = rng.choice(RETURN_NOTES)
        elif state == TaskState.CANCELLED:
            task.note = rng.choice(CANCEL_NOTES)
        out.append(task)
    return out


def _moment(day: dt.date, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(8, 0)) + dt.timedelta(minutes=minute))


def write_resolution(plan: ResolutionPlan) -> int:
    """Write a planned resolution through the plans services, as the system. Returns the targets written."""
    res = plan_services.resolution_create(
        actor=None, organisation=plan.organisation, body=plan.body, kind=plan.kind, number=plan.number,
        issued_on=plan.issued_on, period_start=TERM[0], period_end=TERM[1], title=plan.title, summary=plan.summary)
    plan.obj = res
    written = 0

    def target(tp: TargetPlan, position: int, parent: Target | None) -> None:
        nonlocal written
        extra: dict[str, Any] = {"milestones": tp.milestones} if tp.milestones else {}
        tp.obj = plan_services.target_create(
            actor=None, resolution=res, organisation=tp.organisation, parent=parent, position=position, name=tp.name,
            unit=tp.unit, kind=tp.kind, direction=tp.direction, baseline_value=tp.baseline_value,
            baseline_year=tp.baseline_year, target_value=tp.target_value, roll_up=tp.roll_up, weight=tp.weight,
            note=tp.note, **extra)
        written += 1

    for i, tp in enumerate(plan.targets, start=1):
        target(tp, i, None)
        assert tp.obj is not None
        if tp.key == "admit" and tp.parts:  # shares of the whole: the break-down service
            made = plan_services.target_break_down(tp.obj, actor=None, shares={
                p.organisation: p.target_value for p in tp.parts})
            for part, obj in zip(tp.parts, made, strict=True):
                part.obj = obj
            written += len(made)
        else:  # parts with their own baselines and weights (households)
            for j, part in enumerate(tp.parts, start=1):
                target(part, j, tp.obj)
    for tp in plan.all_targets():
        for day, value, note in tp.measurements:
            assert tp.obj is not None
            plan_services.measurement_record(actor=None, target=tp.obj, measured_on=day, value=value, note=note)
    return written


def write_tasks(tasks: Sequence[TaskPlan], *, today: dt.date) -> int:
    """Create the planned tasks through the tasks services and take each one to its state (as
    the system, on behalf of the verifier); the updates are dated when they happened. Returns
    the tasks written (a monthly series counts each month)."""
    Assign = task_services.Assign
    when: list[tuple[int, dt.datetime]] = []
    written = 0

    def dated(update: Update, day: dt.date | None) -> None:
        when.append((update.pk, _moment(day or today, len(when) % 600)))

    for tp in tasks:
        assignees = [Assign(person=Person(pk=tp.lead), lead=True), *(Assign(person=Person(pk=p)) for p in tp.coordinating)]
        task = task_services.task_create(
            actor=None, organisation=tp.organisation, assignees=assignees, title=tp.title, description=tp.description,
            start_on=tp.start_on, due_on=tp.due_on, expected_output=tp.expected_output,
            measure_value=tp.measure[0] if tp.measure else None, measure_unit=tp.measure[1] if tp.measure else "",
            verifier=Person(pk=tp.verifier), verify_by=tp.verify_by, target=tp.target.obj if tp.target else None,
            decision=tp.decision, recurrence=tp.recurrence, repeat_until=tp.repeat_until)
        written += 1
        if tp.state == TaskState.SERIES:
            current = task
            while current.due_on is not None and current.due_on < today:
                on = current.due_on - dt.timedelta(days=1)
                dated(task_services.task_submit(current, actor=None, note="Đã thu đủ đảng phí, có sổ thu đảng phí"), on)
                dated(task_services.task_accept(current, actor=None, on=on), min(today, on + dt.timedelta(days=1)))
                following = Task.objects.filter(series=task).order_by("-start_on", "-id").first()
                if following is None or following.pk == current.pk:
                    break
                current = following
                written += 1
            continue
        if tp.progress_on is not None and tp.progress:
            dated(task_services.task_progress(task, actor=None, progress=tp.progress,
                                              note=f"Đã thực hiện được khoảng {tp.progress}%"), tp.progress_on)
        if tp.submitted_on is not None:
            dated(task_services.task_submit(task, actor=None, note="Đã hoàn thành, gửi kết quả và ảnh minh chứng"),
                  tp.submitted_on)
        if tp.state == TaskState.RETURNED:
            dated(task_services.task_return(task, actor=None, note=tp.note), tp.decided_on)
        elif tp.state in (TaskState.ON_TIME, TaskState.LATE, TaskState.EXCEEDED):
            dated(task_services.task_accept(task, actor=None, on=tp.submitted_on,
                                            exceeded=tp.state == TaskState.EXCEEDED,
                                            note="Đạt yêu cầu" if tp.state != TaskState.EXCEEDED
                                            else "Vượt yêu cầu đề ra"), tp.decided_on)
        elif tp.state == TaskState.CANCELLED:
            dated(task_services.task_cancel(task, actor=None, note=tp.note), tp.decided_on)
    Update.objects.bulk_update([Update(pk=pk, created_at=at) for pk, at in when], ["created_at"], batch_size=500)
    return written


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def committee_members(orgs: Iterable[Organisation]) -> dict[int, list[int]]:
    """Person ids of the committee members (secretary, deputies, members) of each organisation, today."""
    out: dict[int, list[int]] = {}
    kinds = [Post.Kind.SECRETARY, Post.Kind.DEPUTY_SECRETARY, Post.Kind.COMMITTEE_MEMBER]
    for org_id, person_id in Post.objects.filter(organisation__in=list(orgs), kind__in=kinds, end_date__isnull=True
                                                 ).order_by("organisation_id", "kind", "id").values_list(
                                                     "organisation_id", "person_id"):
        out.setdefault(org_id, []).append(person_id)
    return out


def commune_work(rng: random.Random, commune: CommunePlan, *, today: dt.date, development: float,
                 committees: dict[int, list[int]], issued_on: dt.date, tasks_per_cell: tuple[int, int] = (5, 10),
                 cell_plans: bool = True, overrides: dict[str, tuple[float, float]] | None = None,
                 shares: dict[str, int] | None = None,
                 forced: dict[str, list[tuple[str, int | None]]] | None = None,
                 notes: dict[str, str] | None = None) -> tuple[list[ResolutionPlan], list[TaskPlan]]:
    """A commune's congress resolution, its cells' plans and their tasks (not yet written)."""
    assert commune.org is not None
    by_code = {c.code: c for c in commune.cells}
    grassroots = []
    for cell in commune.cells:
        if cell.parent_code or cell.org is None:
            continue
        size = cell.size if cell.holds_members else sum(c.size for c in commune.cells if c.parent_code == cell.code)
        grassroots.append((cell.org, size))
    highland = {Locality.Kind.LANG, Locality.Kind.PLEI, Locality.Kind.BUON}
    facts = CommuneFacts(
        org=commune.org, place=_lower_first(commune.place), grassroots=grassroots,
        villages=[(c.org, c.village.kind in highland) for c in commune.cells if c.village is not None and c.org],
        schools=sum(1 for c in commune.cells if "Trường" in c.name), development=development,
        overrides=overrides or {}, shares=shares or {})
    congress = congress_resolution(rng, facts, today=today, issued_on=issued_on)
    parts: dict[int, dict[str, TargetPlan]] = {}
    for t in congress.targets:
        for part in t.parts:
            parts.setdefault(part.organisation.pk, {})[part.key] = part
    resolutions, tasks = [congress], []
    for cell in commune.cells:
        if cell.org is None or cell.kind not in Organisation.CELL_KINDS:
            continue
        links = dict(parts.get(cell.org.pk, {}))
        if cell.parent_code and "admit" not in links:  # a cell under a grassroots committee works for its share
            above = by_code[cell.parent_code].org
            links.update({k: v for k, v in parts.get(above.pk, {}).items() if k == "admit"} if above else {})
        if cell_plans:
            plan = cell_plan(rng, cell.org, residential=cell.village is not None, place=facts.place,
                             issued_on=min(today, issued_on + dt.timedelta(days=rng.randint(20, 55))), today=today,
                             number=f"{rng.randint(3, 12):02d}-KH/CB", recruit_note=(notes or {}).get(cell.code, ""))
            resolutions.append(plan)
            links.update({t.key: t for t in plan.targets})
        counted = [p for p in cell.members if not p.temporary and p.person_id is not None]
        secretary = cell.secretary.person_id if cell.secretary is not None else None
        collector = next((p.person_id for p in cell.post_holders if p is not cell.secretary), None)
        anchor = by_code[cell.parent_code].org if cell.parent_code else commune.org
        people = CellPeople(members=[p.person_id for p in counted if p.person_id is not None and p is not cell.secretary],
                            secretary=secretary, collector=collector,
                            above=committees.get(anchor.pk, []) if anchor is not None else [])
        wanted = (forced or {}).get(cell.code, [])
        n = max(len(wanted) + 1, rng.randint(*tasks_per_cell))
        tasks += cell_tasks(rng, cell.org, people, residential=cell.village is not None,
                            village=_lower_first(cell.village.name) if cell.village else cell.name, today=today, n=n, links=links,
                            forced=wanted)
    return resolutions, tasks


# --- Writing many at once (the demo's other communes, the synthetic province) ------------------

def _task_rows(tp: TaskPlan, today: dt.date) -> list[tuple[Task, list[dict[str, Any]]]]:
    """The task (or, for a monthly series, each month's occurrence) in its final state, with its
    updates, as the services would have left them."""
    def task(start: dt.date, due: dt.date, verify: dt.date) -> Task:
        return Task(organisation=tp.organisation, title=tp.title, description=tp.description, start_on=start,
                    due_on=due, expected_output=tp.expected_output,
                    measure_value=tp.measure[0] if tp.measure else None,
                    measure_unit=tp.measure[1] if tp.measure else "", verifier_id=tp.verifier, verify_by=verify,
                    target=tp.target.obj if tp.target else None, decision=tp.decision, recurrence=tp.recurrence,
                    repeat_until=tp.repeat_until)

    def update(kind: str, day: dt.date | None, **extra: Any) -> dict[str, Any]:
        return {"kind": kind, "created_at": _moment(day or today), "note": "", **extra}

    if tp.state == TaskState.SERIES:
        out: list[tuple[Task, list[dict[str, Any]]]] = []
        n = 0
        while True:
            start, due, verify = task_rules.occurrence(tp.start_on, tp.due_on, tp.verify_by, "monthly", n)
            if n and (tp.repeat_until is None or start > tp.repeat_until):
                break
            t = task(start, due, verify)
            if due >= today:
                out.append((t, []))
                break
            on = due - dt.timedelta(days=1)
            t.status, t.progress, t.completed_on, t.outcome, t.version = Task.Status.DONE, 100, on, "on_time", 3
            out.append((t, [update(Update.Kind.SUBMIT, on, progress=100, note="Đã thu đủ đảng phí, có sổ thu đảng phí"),
                            update(Update.Kind.ACCEPT, min(today, on + dt.timedelta(days=1)),
                                   on_behalf_of_id=tp.verifier)]))
            n += 1
        return out
    t = task(tp.start_on, tp.due_on, tp.verify_by)
    updates = []
    if tp.progress_on is not None and tp.progress:
        t.status, t.progress = Task.Status.IN_PROGRESS, tp.progress
        updates.append(update(Update.Kind.PROGRESS, tp.progress_on, progress=tp.progress,
                              note=f"Đã thực hiện được khoảng {tp.progress}%"))
    if tp.submitted_on is not None:
        t.status, t.progress = Task.Status.SUBMITTED, 100
        updates.append(update(Update.Kind.SUBMIT, tp.submitted_on, progress=100,
                              note="Đã hoàn thành, gửi kết quả và ảnh minh chứng"))
    if tp.state == TaskState.RETURNED:
        t.status = Task.Status.RETURNED
        updates.append(update(Update.Kind.RETURN, tp.decided_on, note=tp.note, on_behalf_of_id=tp.verifier))
    elif tp.state in (TaskState.ON_TIME, TaskState.LATE, TaskState.EXCEEDED):
        assert tp.submitted_on is not None
        exceeded = tp.state == TaskState.EXCEEDED
        t.status, t.completed_on = Task.Status.DONE, tp.submitted_on
        t.outcome = task_rules.outcome(completed_on=tp.submitted_on, due_on=tp.due_on, exceeded=exceeded)
        updates.append(update(Update.Kind.ACCEPT, tp.decided_on, note="Vượt yêu cầu đề ra" if exceeded else "Đạt yêu cầu",
                              on_behalf_of_id=tp.verifier))
    elif tp.state == TaskState.CANCELLED:
        t.status = Task.Status.CANCELLED
        updates.append(update(Update.Kind.CANCEL, tp.decided_on, note=tp.note))
    t.version = 1 + len(updates)
    return [(t, updates)]


def bulk_write_work(resolutions: Sequence[ResolutionPlan], tasks: Sequence[TaskPlan], *,
                    today: dt.date) -> dict[str, int]:
    """Write planned resolutions, targets, milestones, measurements and tasks through the plans
    and tasks bulk services (search text and one audit row for each created object, as the
    system). What the services would check is what the planners make (the demo writes some of
    the same plans through the one-at-a-time services)."""
    for rp in resolutions:
        rp.obj = Resolution(organisation=rp.organisation, body=rp.body, kind=rp.kind, number=rp.number,
                            issued_on=rp.issued_on, period_start=TERM[0], period_end=TERM[1], title=rp.title,
                            summary=rp.summary, status=Resolution.Status.IN_FORCE)
    plan_services.bulk_create_resolutions([rp.obj for rp in resolutions if rp.obj is not None], actor=None)

    def targets(level: list[tuple[ResolutionPlan, TargetPlan, Target | None, int]]) -> None:
        for rp, tp, parent, position in level:
            tp.obj = Target(resolution=rp.obj, organisation=tp.organisation, parent=parent, position=position,
                            name=tp.name, unit=tp.unit, kind=tp.kind, direction=tp.direction,
                            baseline_value=tp.baseline_value, baseline_year=tp.baseline_year,
                            target_value=tp.target_value, roll_up=tp.roll_up, weight=tp.weight, note=tp.note)
        plan_services.bulk_create_targets([(tp.obj, tp.milestones) for _rp, tp, _parent, _position in level
                                           if tp.obj is not None], actor=None)

    targets([(rp, tp, None, i) for rp in resolutions for i, tp in enumerate(rp.targets, start=1)])
    targets([(rp, part, tp.obj, j) for rp in resolutions for tp in rp.targets
             for j, part in enumerate(tp.parts, start=1)])
    planned = [tp for rp in resolutions for tp in rp.all_targets()]
    plan_services.bulk_create_measurements([Measurement(target=tp.obj, measured_on=day, value=value, note=note)
                                            for tp in planned for day, value, note in tp.measurements], actor=None)

    rows: list[task_services.BulkTask] = []
    for tp in tasks:
        first: Task | None = None
        for t, updates in _task_rows(tp, today):
            rows.append(task_services.BulkTask(task=t, lead=tp.lead, coordinating=tp.coordinating, updates=updates,
                                               series=first))
            first = first or t
    task_services.bulk_create_tasks(rows, actor=None)
    return {"resolutions": len(resolutions), "targets": len(planned), "tasks": len(rows)}
