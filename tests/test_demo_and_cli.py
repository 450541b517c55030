"""`chibo demo`, `chibo synth`, `chibo indicators` and `chibo rollups`: the figures of the
Báo Gia Lai article (3 September 2025) come out of the command line.

The demo is built once for the module, inside a transaction rolled back at the end; each
test runs in its own savepoint on top of it."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings

from chibo.accounts.models import Role, RoleAssignment, User
from chibo.core.dates import add_months, full_years, today
from chibo.devtools.demo.builders import DEFAULT_PASSWORD
from chibo.indicators.figures import _members_on, _members_today
from chibo.members.models import Membership, Person, Post, Status
from chibo.organisations.models import Locality, Organisation
from chibo.plans.models import Resolution, Target
from chibo.tasks.models import Task

pytestmark = pytest.mark.django_db(transaction=False)

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def figures(org: str, *extra: str) -> dict[str, Any]:
    return json.loads(run("indicators", org, "--json", *extra))


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        output = run("demo")
        yield output
        transaction.set_rollback(True)


def counts() -> tuple[int, ...]:
    return (Organisation.objects.count(), Membership.objects.count(), Person.objects.count(),
            Post.objects.count(), Locality.objects.count(), User.objects.count())


def holds(full_name: str, kind: str, **where: Any) -> bool:
    family, _sep, given = full_name.rpartition(" ")
    return any(p.person.full_name == full_name for p in Post.objects.filter(
        kind=kind, end_date__isnull=True, person__given_name=given, **where).select_related("person"))


# --- the article's figures ---------------------------------------------------------------

def test_bien_ho_has_61_grassroots_organisations_and_1189_members(demo: str) -> None:
    f = figures("BH")
    assert f["organisation"]["name"] == "Đảng bộ xã Biển Hồ"
    assert f["grassroots_organisations"] == 61
    assert f["members_total"] == 1189
    assert holds("Nay Kiên", Post.Kind.SECRETARY, organisation__code="BH")
    assert holds("Ngô Đức Phương", Post.Kind.COMMITTEE_MEMBER, organisation__code="BH-T07")
    assert holds("Ngô Đức Phương", Post.Kind.VILLAGE_HEAD, locality__code="GL-BH-T07")
    assert Locality.objects.get(code="GL-BH-T07").name == "Thôn 7"


def test_phu_thien_indicators_match_the_article(demo: str) -> None:
    f = figures("PT")
    assert f["grassroots_organisations"] == 69
    assert f["organisations_by_kind"]["grassroots_cell"] + f["organisations_by_kind"]["grassroots_committee"] == 69
    assert f["residential_cells"] == 37
    assert (f["residential_cells_with_committee"], f["residential_cells_with_committee_pct"]) == (37, 100.0)
    assert (f["heads_who_are_members"], f["heads_who_are_members_pct"]) == (36, 97.3)
    assert (f["secretaries_who_are_heads"], f["secretaries_who_are_heads_pct"]) == (30, 81.1)
    assert holds("Vũ Hồng Duy", Post.Kind.SECRETARY, organisation__code="PT")
    human = run("indicators", "PT")
    assert "97,3%" in human and "81,1%" in human and "100,0%" in human


def test_phu_thien_cells_with_a_committee_have_nine_official_members(demo: str) -> None:
    pt = Organisation.objects.get(code="PT")
    cells = Organisation.objects.subtree(pt).filter(sector="residential", kind="grassroots_cell")
    for cell in cells:
        officials = Membership.objects.filter(organisation=cell, status=Status.OFFICIAL, temporary=False).count()
        assert officials >= 9, cell.code
        kinds = set(Post.objects.filter(organisation=cell).values_list("kind", flat=True))
        assert {"secretary", "deputy_secretary", "committee_member"} <= kinds, cell.code


def test_krong_cell_has_16_members_and_ksor_thang_is_secretary_and_head(demo: str) -> None:
    f = figures("IAMO-KRONG")
    assert f["organisation"]["name"] == "Chi bộ làng Krông"
    assert f["members_total"] == 16
    assert holds("Ksor Thăng", Post.Kind.SECRETARY, organisation__code="IAMO-KRONG")
    assert holds("Ksor Thăng", Post.Kind.VILLAGE_HEAD, locality__code="GL-IAMO-KRONG")
    thang = Person.objects.get(family_name="Ksor", given_name="Thăng", membership__organisation__code="IAMO-KRONG")
    assert thang.ethnicity == "10" and thang.residence.code == "GL-IAMO-KRONG"  # type: ignore[union-attr]


def test_gao_has_dao_thi_ninh(demo: str) -> None:
    ninh = Membership.objects.select_related("person", "commune").get(
        person__family_name="Đào", person__middle_name="Thị", person__given_name="Ninh")
    assert ninh.commune.code == "GAO"  # type: ignore[union-attr]
    assert figures("GAO")["members_total"] > 0


def test_named_people_are_unique(demo: str) -> None:
    for family, middle, given in [("Ngô", "Đức", "Phương"), ("Đào", "Thị", "Ninh"), ("Ksor", "", "Thăng"),
                                  ("Nay", "", "Kiên"), ("Vũ", "Hồng", "Duy")]:
        assert Person.objects.filter(family_name=family, middle_name=middle, given_name=given).count() == 1


# --- realism of the members ---------------------------------------------------------------

def test_members_look_real(demo: str) -> None:
    gl = Organisation.objects.get(code="GL")
    ms = list(Membership.objects.filter(province=gl).select_related("person"))
    day = today()
    n = len(ms)
    women = sum(m.sex == "F" for m in ms) / n
    probationary = [m for m in ms if m.status == Status.PROBATIONARY]
    assert 0.30 <= women <= 0.40
    assert 0.03 <= len(probationary) / n <= 0.05
    assert any(m.exempt for m in ms) and any(m.temporary for m in ms)
    assert {m.ethnicity for m in ms} >= {"01", "10", "13"}
    ages = [full_years(m.birth_date, day) for m in ms]
    assert min(ages) >= 20 and max(ages) <= 85 and sum(a < 30 for a in ages) > 0
    for m in ms:
        assert full_years(m.birth_date, m.admission_date) >= 18
        if m.status == Status.OFFICIAL:
            assert m.official_date == add_months(m.admission_date, 12) <= day
            assert m.card_number
        else:
            # within the 12 months, or (one in làng Tơ Vơ) overdue for recognition
            assert m.official_date is None and m.admission_date > add_months(day, -15)
        assert re.fullmatch(r"\d{12}", m.person.citizen_id or "")
        assert m.person.residence_id is not None
    assert len({m.person.citizen_id for m in ms}) == n
    assert len({m.card_number for m in ms if m.card_number}) == sum(1 for m in ms if m.card_number)


def test_cells_with_nine_officials_have_a_committee(demo: str) -> None:
    from chibo.indicators.figures import cells_needing_committee

    assert cells_needing_committee(Organisation.objects.get(code="GL"), 9) == []


def test_some_village_heads_are_not_members(demo: str) -> None:
    heads = Post.objects.filter(kind__in=[Post.Kind.VILLAGE_HEAD, Post.Kind.GROUP_HEAD]).select_related("person")
    outsiders = [p for p in heads if not Membership.objects.filter(person=p.person).exists()]
    assert outsiders and all(p.person.residence_id == p.locality_id for p in outsiders)


# --- resolutions, targets and tasks (issue 4) ---------------------------------------------------

def test_each_commune_has_its_congress_resolution_with_19_targets(demo: str) -> None:
    for code in ("BH", "GAO", "IAMO", "PT"):
        res = Resolution.objects.get(organisation__code=code, body=Resolution.Body.CONGRESS)
        assert res.number == "01-NQ/ĐH" and "lần thứ I, nhiệm kỳ 2025–2030" in res.title and res.issued_on.year == 2025
        assert res.targets.filter(parent=None).count() == 19
        admit = res.targets.get(parent=None, roll_up=Target.RollUp.SUM)
        grassroots = Organisation.objects.filter(parent__code=code).exclude(kind="party_group").count()
        assert admit.parts.count() == grassroots  # every grassroots organisation has its share
        poverty = res.targets.get(parent=None, roll_up=Target.RollUp.MEAN)
        assert poverty.parts.exists() and not poverty.parts.filter(weight=None).exists()  # weighted by households
    assert Resolution.objects.filter(organisation__code="IAMO-KRONG", kind=Resolution.Kind.PLAN).exists()


def test_tasks_in_every_state_and_the_logins_have_theirs(demo: str) -> None:
    assert set(Task.objects.values_list("status", flat=True)) == set(Task.Status.values)
    assert set(Task.objects.filter(status="done").values_list("outcome", flat=True)) == set(Task.Outcome.values)
    day = today()
    mine = Task.objects.filter(assignees__person=User.objects.get(username="dangvien").person,
                               status__in=["open", "in_progress", "returned"])
    assert mine.filter(due_on__lt=day).exists()  # overdue
    assert mine.filter(due_on__gte=day, due_on__lte=day + dt.timedelta(days=3)).exists()  # due soon
    secretary = User.objects.get(username="bithu.krong").person
    assert Task.objects.filter(verifier=secretary, status="submitted").exists()
    from chibo.notifications.models import Notification

    reminder = Notification.objects.get(user__username="dangvien", day=day, kind="digest")  # the demo's daily pass
    assert any(line["urgency"] == "overdue" for line in reminder.lines)
    f = figures("IAMO")
    assert f["targets_total"] > 19 and f["targets_on_track"] and f["targets_at_risk"] and f["targets_off_track"]
    assert f["tasks_overdue"] > 0 and f["tasks_done_on_time_pct"] is not None


# --- meetings (issue 5) ------------------------------------------------------------------------

def test_meetings_held_with_minutes_a_gap_krongs_next_meeting_and_documents_read(demo: str) -> None:
    from chibo.meetings import selectors
    from chibo.meetings.models import Attendance, Meeting, Vote

    held = Meeting.objects.filter(status="held")
    assert held.filter(organisation__code="IAMO-KRONG").count() >= 12
    assert not held.exclude(minutes__finalised_at__isnull=False).exists()  # every one has final minutes
    assert held.filter(kind="thematic").exists() and held.filter(kind="committee").exists()
    assert set(Attendance.objects.values_list("status", flat=True)) >= {"present", "late", "excused", "unexcused"}
    assert Attendance.objects.filter(status="excused", reason__in=["ốm", "đi làm ăn xa"]).exists()
    assert Vote.objects.filter(kind="admission", passed=True, meeting__organisation__code="IAMO-KRONG").exists()
    assert Vote.objects.filter(passed=False).exists()  # one admission short of two-thirds
    day = today()
    gaps = selectors.gaps(Organisation.objects.get(code="GL"), start=add_months(day.replace(day=1), -12), end=day)
    assert any(r.kind == "regular" for cell in gaps.cells for r in cell.missing)
    dangvien = User.objects.get(username="dangvien")
    upcoming = selectors.upcoming_for(dangvien.person_id)  # type: ignore[arg-type]
    assert [m.organisation.code for m in upcoming] == ["IAMO-KRONG"]
    assert day < upcoming[0].date <= day + dt.timedelta(days=7) and upcoming[0].materials.exists()
    assert dangvien.notifications.filter(kind="invitation").exists()
    f = figures("IAMO")
    assert f["meetings_held"] > 0 and 80 <= f["attendance_pct"] <= 100
    from chibo.documents.models import Document, Receipt

    assert set(Document.objects.values_list("number", flat=True)) >= {"339-QĐ/TW", "50-CT/TW"}
    assert Receipt.objects.filter(person=dangvien.person, document__number="339-QĐ/TW").exists()
    assert not Receipt.objects.filter(person=dangvien.person, document__number="50-CT/TW").exists()  # to read
    assert 50 <= figures("IAMO", "--from", "01/07/2025")["documents_read_pct"] <= 95  # issued in 2025


# --- accounts --------------------------------------------------------------------------------

def test_demo_logins(demo: str) -> None:
    for name in ("dangvien", "bithu.krong", "bithu.khac", "vanphong.bienho", "vanphong.gao", "tinh", "admin"):
        assert name in demo
        assert User.objects.get(username=name).check_password(DEFAULT_PASSWORD)
    assert "http://127.0.0.1:8000/" in demo

    def role(username: str) -> tuple[str, str]:
        ra = RoleAssignment.objects.select_related("organisation").get(user__username=username)
        return ra.role, ra.organisation.code

    assert not RoleAssignment.objects.filter(user__username="dangvien").exists()
    assert User.objects.get(username="dangvien").person.membership.organisation.code == "IAMO-KRONG"  # type: ignore[union-attr]
    assert role("bithu.krong") == (Role.CELL_COMMITTEE, "IAMO-KRONG")
    assert str(User.objects.get(username="bithu.krong").person) == "Ksor Thăng"
    code = role("bithu.khac")[1]
    assert code.startswith("IAMO-") and code != "IAMO-KRONG"
    assert Post.objects.filter(kind="secretary", organisation__code=code,
                               person=User.objects.get(username="bithu.khac").person).exists()
    assert role("vanphong.bienho") == (Role.COMMUNE_STAFF, "BH")
    assert role("vanphong.gao") == (Role.COMMUNE_STAFF, "GAO")
    assert str(User.objects.get(username="vanphong.gao").person) == "Đào Thị Ninh"
    assert role("tinh") == (Role.PROVINCE_STAFF, "GL")
    assert User.objects.get(username="admin").is_superuser


# --- member development (issue 6) -----------------------------------------------------------------

def test_candidates_at_every_stage_and_probation_ending_within_two_weeks(demo: str) -> None:
    from chibo.recruitment.models import Candidate

    krong = Candidate.objects.filter(organisation__code="IAMO-KRONG")
    assert sorted(krong.values_list("stage", flat=True)) == ["applicant", "outstanding", "sympathiser"]
    waiting = krong.get(stage="applicant")
    assert waiting.resolution_passed and waiting.decision_on is None  # waiting for the decision
    assert krong.get(stage="outstanding").introduced_by.startswith("Chi đoàn")  # the Youth Union
    assert figures("IAMO-KRONG")["candidates_total"] == 3
    day = today()
    ends = [add_months(m.admission_date, 12) for m in Membership.objects.filter(
        organisation__code="IAMO-TOVO", status=Status.PROBATIONARY)]
    assert any(day <= end <= day + dt.timedelta(days=14) for end in ends)
    assert any(end < day - dt.timedelta(days=30) for end in ends)  # overdue for recognition


# --- idempotence, rollups, history -----------------------------------------------------------

def test_demo_is_idempotent(demo: str) -> None:
    before = counts()
    out = run("demo")
    assert counts() == before
    assert "GL" in out and "bithu.krong" in out


def test_rollups_check_passes_after_demo(demo: str) -> None:
    run("rollups", "--check")
    run("rollups")


def test_rollups_check_fails_on_a_damaged_rollup(demo: str) -> None:
    from chibo.members.models import MemberStat

    stat = MemberStat.objects.filter(organisation__code="IAMO-KRONG", n__gt=0).first()
    assert stat is not None
    MemberStat.objects.filter(pk=stat.pk).update(n=stat.n + 1)
    with pytest.raises(CommandError):
        run("rollups", "--check")
    run("rollups", "--rebuild")
    run("rollups", "--check")


def test_rollup_path_equals_history_path_today(demo: str) -> None:
    day = today()
    for code in ("BH", "PT", "GL", "IAMO-KRONG"):
        org = Organisation.objects.get(code=code)
        live, history = _members_today(org, day), _members_on(org, day)
        assert +live.by_key == +history.by_key, code
        assert live.age_bands == history.age_bands, code


def test_indicators_for_a_past_date(demo: str) -> None:
    now, past = figures("BH"), figures("BH", "--date", "01/12/2025")
    assert past["date"] == "01/12/2025"
    for key in ("organisations_total", "grassroots_organisations", "members_total", "members_official",
                "members_women", "members_ethnic_minority", "residential_cells", "heads_who_are_members"):
        assert 0 <= past[key] <= now[key], key
    assert 0 < past["members_total"] < now["members_total"]  # some were admitted after 1/12/2025
    # The commune was founded on 1/7/2025 (two-level local government): before that, nobody is
    # counted in it, however long ago its members were admitted.
    before = figures("BH", "--date", "01/01/2020")
    assert before["members_total"] == before["members_official"] == 0
    assert before["residential_cells_with_committee"] == 0
    assert "01/01/2020" in run("indicators", "PT", "--date", "01/01/2020")


# --- the command line: lookup and errors ------------------------------------------------------

def test_indicators_finds_an_organisation_by_exact_name(demo: str) -> None:
    assert figures("đảng bộ xã phú thiện")["organisation"]["code"] == "PT"
    assert figures("iamo-krong")["organisation"]["code"] == "IAMO-KRONG"


def test_indicators_bad_date(demo: str) -> None:
    with pytest.raises(CommandError) as exc:
        run("indicators", "PT", "--date", "31/02/2025")
    assert "31/02/2025" in str(exc.value) and "dd/mm/yyyy" in str(exc.value)
    future = (today() + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    with pytest.raises(CommandError) as exc:
        run("indicators", "PT", "--date", future)
    assert future in str(exc.value)


def test_indicators_unknown_organisation(demo: str) -> None:
    with pytest.raises(CommandError) as exc:
        run("indicators", "Không có xã này")
    assert "Không có xã này" in str(exc.value)
    with pytest.raises(CommandError) as exc:
        run("indicators", "Phú Thiện")  # not the exact name: similar names are suggested
    assert "PT" in str(exc.value)


def test_indicators_lists_organisations_with_the_same_name(demo: str) -> None:
    from chibo.organisations import services

    pt, bh = Organisation.objects.get(code="PT"), Organisation.objects.get(code="BH")
    for code, parent in (("DUP1", pt), ("DUP2", bh)):
        services.organisation_create(actor=None, code=code, name="Chi bộ Trùng Tên", kind="grassroots_cell",
                                     parent=parent, valid_from=dt.date(2025, 7, 1))
    with pytest.raises(CommandError) as exc:
        run("indicators", "chi bộ trùng tên")
    assert "DUP1" in str(exc.value) and "DUP2" in str(exc.value)


# --- synth ---------------------------------------------------------------------------------------

def test_synth_small(demo: str) -> None:
    out = run("synth", "--members", "2000", "--communes", "3", "--seed", "7")
    syn = Organisation.objects.get(code="SYN")
    assert Membership.objects.filter(province=syn).count() == 2000
    assert Organisation.objects.filter(parent=syn, kind="commune").count() == 3
    cells = Organisation.objects.subtree(syn).filter(kind__in=["grassroots_cell", "cell"]).count()
    assert 70 <= cells <= 90
    assert Organisation.objects.subtree(syn).filter(kind="grassroots_committee").exists()
    assert "2000/2000" in out
    for commune in Organisation.objects.filter(parent=syn):
        assert Target.objects.filter(resolution__organisation=commune, parent=None).count() == 19
    assert Task.objects.filter(organisation__code__startswith="SYN-").count() >= 5 * cells
    from chibo.meetings.models import Attendance, Meeting

    assert Meeting.objects.filter(organisation__code__startswith="SYN-", status="held").count() >= 11 * cells
    assert Attendance.objects.filter(meeting__organisation__code__startswith="SYN-").count() >= 10 * 1900
    run("rollups", "--check")
    f = figures("SYN")
    assert 1950 <= f["members_total"] <= 2000
    assert f["residential_cells"] > 0 and f["cell_secretaries"] == f["residential_cells"]
    for name, role in (("synth.tinh", Role.PROVINCE_STAFF), ("synth.xa", Role.COMMUNE_STAFF),
                       ("synth.bithu", Role.CELL_COMMITTEE)):
        assert RoleAssignment.objects.get(user__username=name).role == role
    bithu = User.objects.get(username="synth.bithu")
    cell = bithu.roles.get().organisation
    assert Post.objects.filter(kind="secretary", organisation=cell, person=bithu.person).exists()
    member = User.objects.get(username="synth.dangvien")  # a plain member of that cell, for the member's home
    assert not member.roles.exists() and not Post.objects.filter(person=member.person).exists()
    assert Membership.objects.get(person=member.person, current=True).cell == cell
    with pytest.raises(CommandError) as exc:
        run("synth", "--members", "2000", "--communes", "3")
    assert "SYN" in str(exc.value)


def test_a_transfer_letter_waits_to_be_presented_and_one_temporary_is_presented(demo: str) -> None:
    from chibo.lifecycle.models import TransferLetter

    waiting = TransferLetter.objects.get(number="21-GGT/ĐU")
    assert waiting.presented_on is None and waiting.other_organisation is not None
    assert waiting.other_organisation.code == "IAMO-KRONG"
    assert TransferLetter.objects.get(number="19-GGT/ĐU").presented_on is not None
