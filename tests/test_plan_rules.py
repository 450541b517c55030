"""The arithmetic of targets (chibo.plans.rules): worked examples from the article's kind of
targets, and properties that must hold for any numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from chibo.plans.rules import (
    Direction,
    Kind,
    Milestone,
    Part,
    RollUpRule,
    Status,
    expected_value,
    progress,
    roll_up,
    status,
)

START, END = dt.date(2025, 1, 1), dt.date(2030, 12, 31)
amounts = st.decimals(min_value=-1000, max_value=10000, places=2, allow_nan=False, allow_infinity=False)


def test_worked_examples():
    # admit 30 new members over the term; 12 so far
    assert progress(kind=Kind.COUNT, direction=Direction.AT_LEAST, target=D(30), value=D(12)) == D("0.4")
    # poor households from 8 % down to at most 2 %; now 5 %
    assert progress(kind=Kind.PERCENT, direction=Direction.AT_MOST, target=D(2), baseline=D(8), value=D(5)) == D("0.5")
    # income per head from 40 to 70 million; now 55
    assert progress(kind=Kind.AMOUNT, direction=Direction.AT_LEAST, target=D(70), baseline=D(40), value=D(55)) == D("0.5")
    # a new-style rural commune: yes / no
    assert progress(kind=Kind.YESNO, direction=Direction.EXACTLY, target=D(1), value=D(0)) == 0
    assert progress(kind=Kind.YESNO, direction=Direction.EXACTLY, target=D(1), value=D(1)) == 1
    # exceeding shows as more than 100 %
    assert progress(kind=Kind.COUNT, direction=Direction.AT_LEAST, target=D(30), value=D(36)) == D("1.2")


@given(target=amounts, baseline=amounts, value=amounts)
def test_progress_is_never_negative_and_reaching_the_target_is_full(target, baseline, value):
    for direction in (Direction.AT_LEAST, Direction.AT_MOST, Direction.EXACTLY):
        p = progress(kind=Kind.AMOUNT, direction=direction, target=target, baseline=baseline, value=value)
        assert p >= 0
        assert progress(kind=Kind.AMOUNT, direction=direction, target=target, baseline=baseline, value=target) >= 1


@given(target=amounts, baseline=amounts, a=amounts, b=amounts)
def test_more_is_never_worse_for_at_least_and_less_never_worse_for_at_most(target, baseline, a, b):
    low, high = min(a, b), max(a, b)
    up = {v: progress(kind=Kind.COUNT, direction=Direction.AT_LEAST, target=target, baseline=baseline, value=v)
          for v in (low, high)}
    down = {v: progress(kind=Kind.PERCENT, direction=Direction.AT_MOST, target=target, baseline=baseline, value=v)
            for v in (low, high)}
    assert up[high] >= up[low]
    assert down[low] >= down[high]


def test_status_against_time_elapsed():
    def at(day: dt.date, value: D | None) -> str:
        return status(kind=Kind.COUNT, direction=Direction.AT_LEAST, target=D(30), baseline=D(0), value=value,
                      start=START, end=END, day=day)

    halfway = dt.date(2028, 1, 1)  # 50.0 % of the term
    assert at(halfway, None) == Status.NO_DATA
    assert at(halfway, D(15)) == Status.ON_TRACK
    assert at(halfway, D(14)) == Status.ON_TRACK  # within 5 points
    assert at(halfway, D(12)) == Status.AT_RISK  # 40 % ≥ ¾ of 50 %
    assert at(halfway, D(10)) == Status.OFF_TRACK
    assert at(halfway, D(30)) == Status.ACHIEVED
    assert at(END, D(29)) == Status.OFF_TRACK  # the term is over: 97 % is not on track


def test_milestones_bend_the_expected_line():
    # 10 by the end of 2025, then evenly to 30 by the end of 2030
    milestones = [Milestone(2025, D(10))]
    assert expected_value(start=START, end=END, day=dt.date(2025, 12, 31), target=D(30), baseline=D(0),
                          milestones=milestones) == D(10)
    assert status(kind=Kind.COUNT, direction=Direction.AT_LEAST, target=D(30), baseline=D(0), value=D(8),
                  start=START, end=END, day=dt.date(2025, 12, 31), milestones=milestones) == Status.AT_RISK


@given(st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=500)), min_size=1, max_size=40))
def test_a_sum_roll_up_adds_what_was_reported_and_says_what_is_missing(values):
    parts = [Part(f"chi bộ {i}", None if v is None else D(v)) for i, v in enumerate(values)]
    r = roll_up(RollUpRule.SUM, parts)
    reported = [v for v in values if v is not None]
    assert r.counted == len(reported)
    assert r.value == (D(sum(reported)) if reported else None)
    missing = len(values) - len(reported)
    with translation.override("en"):
        assert ("not reported yet" in r.explain()) == (missing > 0)


def test_weighted_mean_and_all_of_are_reproducible_from_their_explanation():
    rates = roll_up(RollUpRule.MEAN, [Part("A", D(90), D(100)), Part("B", D(60), D(50)), Part("C", None, D(10))])
    assert rates.value == D(80)  # (90×100 + 60×50) ÷ 150, C has not reported
    done = roll_up(RollUpRule.ALL, [Part("A", D(1)), Part("B", D(0))])
    with translation.override("en"):
        assert rates.explain() == "(90 × 100 + 60 × 50) ÷ (100 + 50) = 80 — 1 not reported yet"
        assert done.explain() == "1 of 2 done"
    assert roll_up(RollUpRule.ALL, [Part("A", D(1)), Part("B", D(1))]).value == 1
    assert roll_up(RollUpRule.SUM, [Part("A", D("1234.5")), Part("B", D(1))]).explain() == "1.234,5 + 1 = 1.235,5"


@given(target=amounts, baseline=st.none() | amounts, value=st.none() | amounts,
       kind=st.sampled_from([Kind.COUNT, Kind.PERCENT, Kind.AMOUNT, Kind.YESNO]),
       direction=st.sampled_from([Direction.AT_LEAST, Direction.AT_MOST, Direction.EXACTLY]),
       offset=st.integers(min_value=-400, max_value=2500))
def test_status_from_progress_made_and_expected_is_status(target, baseline, value, kind, direction, offset):
    """The overview computes progress and the expected progress once per target and derives the
    status from both (`status_of`): always the status of the definition (`status`)."""
    from chibo.plans.rules import expected_progress, status_of

    if kind == Kind.YESNO:
        target, baseline = D(1), None
        value = None if value is None else D(1 if value > 0 else 0)
    if baseline is not None and baseline == target:
        baseline = None
    start, end = dt.date(2025, 1, 1), dt.date(2030, 12, 31)
    day = start + dt.timedelta(days=offset)
    args = {"kind": kind, "direction": direction, "target": target, "baseline": baseline}
    done = None if value is None else progress(value=value, **args)
    expected = expected_progress(start=start, end=end, day=day, **args)
    assert status_of(done=done, expected=expected, day=day, end=end) == status(
        value=value, start=start, end=end, day=day, **args)
