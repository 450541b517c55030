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


def _both_paths(org, day):
    from chibo.indicators.figures import _residential_figures

    live, history = _residential_figures(org, day, True), _residential_figures(org, day, False)
    assert live == history
    return live


def test_cell_facts_follow_posts_memberships_and_the_calendar(world):
    import datetime as dt

    import time_machine

    from chibo.core.dates import today
    from chibo.members import services
    from tests.conftest import instant_on, person_data

    c1 = world.org["C1"]
    day = today()
    assert _both_paths(c1, day)["with_committee"] == 1
    services.post_update(world.posts["committee_a"], actor=None, end_date=day + dt.timedelta(days=10))
    assert _both_paths(c1, day)["with_committee"] == 1
    later = day + dt.timedelta(days=11)
    with time_machine.travel(instant_on(later)):
        assert _both_paths(c1, later)["with_committee"] == 0
        assert indicators(c1).figures["residential_cells_with_committee"] == 0
    # The head of village B becomes a party member: B's head now counts.
    assert _both_paths(c1, day)["heads_who_are_members"] == 1
    services.member_create(actor=None, person=world.outsider, organisation=world.org["B"], status="probationary",
                           admission_date=day - dt.timedelta(days=30))
    assert _both_paths(c1, day)["heads_who_are_members"] == 2
    # A new residential cell appears in the figures at once.
    from chibo.organisations import services as orgs

    loc = orgs.locality_create(actor=None, code="VN", name="Thôn Mới", kind="village", parent=world.loc["C1"],
                               organisation=c1)
    orgs.organisation_create(actor=None, code="N", name="Chi bộ Thôn Mới", kind="grassroots_cell",
                             sector="residential", parent=c1, valid_from=day, locality=loc)
    head = services.person_create(actor=None, **person_data("Y", "", "Blư", residence=loc))
    services.post_create(actor=None, person=head, kind="village_head", locality=loc, start_date=day)
    figures = _both_paths(c1, day)
    assert figures["residential_cells"] == 3 and figures["localities_with_head"] == 3
    assert compare_member_stats() == []


def test_age_bands_are_exact_at_the_boundary(world):
    import datetime as dt

    from chibo.core.dates import add_years, today
    from tests.conftest import add_member

    day = today()
    # One member turns 30 today, one tomorrow: the first is 30, the second still 29.
    add_member(world.org["B"], "Đinh", "", "Hơn", birth=add_years(day, -30), admission=add_years(day, -2))
    add_member(world.org["B"], "Đinh", "", "Bia", birth=add_years(day, -30) + dt.timedelta(days=1),
               admission=add_years(day, -2))
    live = _members_today(world.org["B"], day)
    assert live == _members_on(world.org["B"], day)
    assert live.age_bands[:3] == [1, 1, 2]  # Bia 29; Hơn 30; the two born in 1980
