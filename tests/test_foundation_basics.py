from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from chibo.indicators.figures import _members_on, _members_today, indicators
from chibo.members.services import compare_member_stats


def test_no_missing_migrations(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)


def test_world_figures(world):
    from chibo.core.dates import today

    f = indicators(world.org["C1"]).figures
    assert f["members_total"] == 6
    assert f["members_probationary"] == 1
    assert f["members_women"] == 3
    assert f["members_ethnic_minority"] == 2
    assert f["members_under_30"] == 1
    assert f["residential_cells"] == 2
    assert f["residential_cells_with_committee"] == 1
    assert f["residential_cells_with_committee_pct"] == 50.0
    assert f["heads_who_are_members"] == 1
    assert f["secretaries_who_are_heads"] == 1
    assert f["grassroots_organisations"] == 2
    assert f["organisations_total"] == 3  # A, B and party group A1
    for org in world.org.values():
        assert _members_today(org, today()) == _members_on(org, today())
    assert compare_member_stats() == []


@pytest.mark.parametrize("kind", ["exempted", "moved", "transferred_out", "deceased"])
def test_events_keep_rollup_and_history_in_step(world, kind):
    import datetime as dt

    from chibo.core.dates import today
    from chibo.members import services

    m = world.m["b_member"]
    services.member_record_event(m, actor=None, kind=kind, effective_date=today(), decision_number="12-QĐ/ĐU",
                                 organisation=world.org["X"] if kind == "moved" else None)
    assert compare_member_stats() == []
    for org in world.org.values():
        assert _members_today(org, today()) == _members_on(org, today())
    yesterday = today() - dt.timedelta(days=1)
    assert indicators(world.org["B"], yesterday).figures["members_total"] == 2
