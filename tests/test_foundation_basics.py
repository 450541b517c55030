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


def test_bulk_paths_keep_every_field_audit_and_rollup(world):
    import datetime as dt

    from chibo.audit.models import AuditEvent
    from chibo.members.services import bulk_create_members
    from chibo.organisations.services import bulk_create_organisations

    orgs = bulk_create_organisations([
        {"code": "C1-DB", "name": "Đảng bộ Trường THCS", "kind": "grassroots_committee", "sector": "education_health",
         "parent": world.org["C1"], "valid_from": dt.date(2025, 7, 1)},
        {"code": "C1-DB-1", "name": "Chi bộ Giáo viên", "kind": "cell", "sector": "education_health",
         "parent_code": "C1-DB", "valid_from": dt.date(2025, 7, 1)},
    ], actor=None)
    cell = orgs[1]
    assert cell.path.startswith(orgs[0].path) and cell.parent_id == orgs[0].pk
    created = bulk_create_members([{
        "family_name": "Hồ", "middle_name": "Thị", "given_name": "Lan", "sex": "F", "birth_date": dt.date(1985, 1, 2),
        "ethnicity": "01", "citizen_id": "066185000777", "residence": world.loc["A"], "organisation": cell,
        "status": "official", "admission_date": dt.date(2010, 5, 19), "official_date": dt.date(2011, 5, 19),
    }], actor=None)
    m = created[0]
    m.person.refresh_from_db()
    assert m.person.citizen_id == "066185000777" and m.person.residence == world.loc["A"]
    assert m.base_id == orgs[0].pk and m.cell_id == cell.pk and m.commune_id == world.org["C1"].pk
    assert AuditEvent.objects.filter(object_type="membership", object_id=str(m.pk)).exists()
    assert compare_member_stats() == []
    assert indicators(world.org["C1"]).figures["members_total"] == 7
