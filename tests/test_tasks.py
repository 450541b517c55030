"""Tasks under "6 rõ": what a task must name, who may do what, verification, outcomes,
recurrence, conflicts, and the daily reminder — through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from chibo.audit.models import AuditEvent
from chibo.notifications import services as notify
from chibo.notifications.models import Notification
from chibo.tasks import rules
from chibo.tasks import selectors as task_selectors
from chibo.tasks import services as tasks
from chibo.tasks.models import Task, Update

D = dt.date


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are checked in English, the msgids (the pages show them in Vietnamese)."""
    with translation.override("en"):
        yield


def a_task(world, **over):
    data = {
        "actor": world.users["secretary_a"], "organisation": world.org["A"], "title": "Vận động 5 hộ làm nhà vệ sinh",
        "start_on": D(2026, 11, 1), "due_on": D(2026, 11, 30), "expected_output": "5 hộ có nhà vệ sinh hợp vệ sinh",
        "measure_value": Decimal(5), "measure_unit": "hộ", "verifier": world.m["secretary_a"].person, "verify_by": D(2026, 12, 5),
        "assignees": [tasks.Assign(person=world.m["member"].person, lead=True),
                   tasks.Assign(person=world.m["a_woman"].person)]}
    data.update(over)
    return tasks.task_create(**data)


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"assignees": []}, "assignees", "Rõ người"),
    ({"title": "  "}, "title", "Rõ việc"),
    ({"due_on": None}, "due_on", "Rõ thời gian"),
    ({"start_on": D(2026, 12, 1)}, "due_on", "Rõ thời gian"),
    ({"expected_output": ""}, "expected_output", "Rõ kết quả"),
    ({"verifier": None}, "verifier", "Rõ kiểm tra"),
    ({"verify_by": D(2026, 11, 20)}, "verifier", "Rõ kiểm tra"),
])
def test_a_task_that_leaves_a_ro_unclear_is_refused_naming_it(world, change, field, words):
    with pytest.raises(ValidationError) as exc:
        a_task(world, **change)
    assert field in errors_of(exc)
    assert words in " ".join(errors_of(exc)[field])
    assert not Task.objects.exists() and not AuditEvent.objects.filter(object_type__icontains="task").exists()


def test_one_lead_is_required_and_the_verifier_cannot_be_the_only_assignee(world):
    from chibo.tasks.services import Assign

    with pytest.raises(ValidationError) as exc:
        a_task(world, assignees=[Assign(person=world.m["member"].person), Assign(person=world.m["a_woman"].person)])
    assert "Rõ trách nhiệm" in errors_of(exc)["lead"][0]
    with pytest.raises(ValidationError) as exc:
        a_task(world, assignees=[Assign(person=world.m["secretary_a"].person, lead=True)])
    assert "nobody verifies their own work" in errors_of(exc)["verifier"][0]


def test_assignees_must_belong_to_the_organisation_and_a_commune_member_may_verify(world):
    from chibo.tasks.services import Assign

    with pytest.raises(ValidationError) as exc:
        a_task(world, assignees=[Assign(person=world.m["b_member"].person, lead=True)])
    assert "Lê Văn Bình" in errors_of(exc)["assignees"][0]
    with pytest.raises(ValidationError) as exc:
        a_task(world, verifier=world.m["x_member"].person)
    assert "verifier" in errors_of(exc)
    # a member of another cell of the same commune (e.g. the commune committee member who follows the cell) may verify
    task = a_task(world, verifier=world.m["b_member"].person)
    assert task.verifier == world.m["b_member"].person
    # a cell of the organisation may be the assignee
    t2 = a_task(world, organisation=world.org["C1"], actor=world.users["commune_staff"],
                assignees=[Assign(organisation=world.org["A"], lead=True)])
    assert t2.assignees.get().organisation == world.org["A"]


def test_progress_submit_return_accept_and_the_outcome(world):
    task = a_task(world)
    member, verifier = world.users["member"], world.users["secretary_a"]
    tasks.task_progress(task, actor=member, progress=40, note="2 hộ đã làm xong")
    task.refresh_from_db()
    assert (task.status, task.progress) == (Task.Status.IN_PROGRESS, 40)
    with pytest.raises(ValidationError) as exc:
        tasks.task_accept(task, actor=verifier)
    assert "submitted" in errors_of(exc)["note"][0]
    with pytest.raises(ValidationError):
        tasks.task_submit(task, actor=member, note="")
    tasks.task_submit(task, actor=member, note="5 hộ xong, có ảnh")
    # the assignee cannot close it alone
    with pytest.raises(ValidationError) as exc:
        tasks.task_accept(task, actor=member)
    assert "verifier" in errors_of(exc)["note"][0]
    with pytest.raises(ValidationError):
        tasks.task_return(task, actor=verifier, note=" ")
    tasks.task_return(task, actor=verifier, note="Thiếu ảnh hộ thứ 5")
    task.refresh_from_db()
    assert task.status == Task.Status.RETURNED
    tasks.task_submit(task, actor=member, note="Đã bổ sung ảnh")
    tasks.task_accept(task, actor=verifier, exceeded=True)
    task.refresh_from_db()
    assert task.status == Task.Status.DONE and task.completed_on is not None
    expected = "late" if task.completed_on > task.due_on else "exceeded"
    assert task.outcome == expected
    assert list(task.updates.values_list("kind", flat=True)) == ["progress", "submit", "return", "submit", "accept"]
    assert AuditEvent.objects.filter(action="task_accept", object_id=str(task.pk)).exists()


def test_two_people_updating_at_once_the_second_sees_a_conflict(world):
    task = a_task(world)
    seen_by_both = task.version
    first = Task.objects.get(pk=task.pk)
    second = Task.objects.get(pk=task.pk)
    tasks.task_progress(first, actor=world.users["member"], progress=30, note="a", version=seen_by_both)
    with pytest.raises(tasks.Conflict) as exc:
        tasks.task_update(second, actor=world.users["secretary_a"], version=seen_by_both, title="Đổi tên")
    assert "Someone else changed this task" in exc.value.message_dict["version"][0]
    second.refresh_from_db()
    assert second.title == "Vận động 5 hộ làm nhà vệ sinh" and second.progress == 30


def test_a_recurring_task_makes_its_next_occurrence_once_done_or_overdue(world):
    task = a_task(world, title="Thu đảng phí", start_on=D(2026, 1, 1), due_on=D(2026, 1, 31),
                  verify_by=D(2026, 2, 5), recurrence="monthly", repeat_until=D(2026, 4, 30))
    made = tasks.roll_forward_all(day=D(2026, 3, 15))
    series = Task.objects.filter(title="Thu đảng phí").order_by("start_on")
    assert made == 2
    assert [(t.start_on, t.due_on) for t in series] == [
        (D(2026, 1, 1), D(2026, 1, 31)), (D(2026, 2, 1), D(2026, 2, 28)), (D(2026, 3, 1), D(2026, 3, 31))]
    assert all(t.assignees.count() == 2 for t in series)
    assert tasks.roll_forward_all(day=D(2026, 3, 15)) == 0  # idempotent
    assert tasks.roll_forward_all(day=D(2026, 12, 1)) == 1  # April, then the series ends
    assert Task.objects.filter(title="Thu đảng phí").count() == 4 and task.occurrences.count() == 3


@given(st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31)), st.integers(0, 40), st.integers(0, 60),
       st.sampled_from(["monthly", "quarterly", "yearly"]), st.integers(0, 30))
def test_occurrences_keep_their_length_and_never_go_backwards(start, length, extra, recurrence, n):
    due = start + dt.timedelta(days=length)
    s0, d0, v0 = rules.occurrence(start, due, due + dt.timedelta(days=extra), recurrence, n)
    s1, d1, v1 = rules.occurrence(start, due, due + dt.timedelta(days=extra), recurrence, n + 1)
    assert s1 > s0 and d1 > d0 and v1 >= d1
    assert d0 >= s0 and v0 >= d0


@given(st.dates(), st.dates(), st.booleans())
def test_outcome_is_late_exactly_when_completed_after_the_deadline(done, due, exceeded):
    outcome = rules.outcome(completed_on=done, due_on=due, exceeded=exceeded)
    assert (outcome == "late") == (done > due)
    assert outcome != "exceeded" or exceeded


def test_record_and_due_lists(world):
    from chibo import access

    t1 = a_task(world, due_on=D(2026, 11, 10), start_on=D(2026, 11, 1))
    a_task(world, title="Rà soát hộ nghèo", due_on=D(2026, 11, 28), start_on=D(2026, 11, 1))
    tasks.task_submit(t1, actor=world.users["member"], note="xong")
    tasks.task_accept(t1, actor=world.users["secretary_a"], on=D(2026, 11, 9))
    rec = task_selectors.record(world.m["member"].person.pk, 2026, day=D(2026, 11, 26))
    assert (rec.assigned, rec.led, rec.open) == (2, 2, 1)
    visible = access.tasks(world.users["commune_staff"])
    lists = task_selectors.due_lists(visible, world.org["C1"], day=D(2026, 11, 26), days=3)
    assert [t.title for t in lists.due_soon] == ["Rà soát hộ nghèo"] and not lists.overdue
    lists = task_selectors.due_lists(visible, world.org["C1"], day=D(2026, 11, 29), days=3)
    assert [t.title for t in lists.overdue] == ["Rà soát hộ nghèo"]
    assert not task_selectors.due_lists(access.tasks(world.users["other_commune_staff"]), world.org["C1"],
                                        day=D(2026, 11, 29)).overdue


def test_the_daily_reminder_is_one_notification_per_person_per_day(world):
    a_task(world, title="Việc sắp đến hạn", due_on=D(2026, 11, 28), start_on=D(2026, 11, 1))
    a_task(world, title="Việc quá hạn", due_on=D(2026, 11, 20), start_on=D(2026, 11, 1))
    a_task(world, title="Việc còn xa", due_on=D(2026, 12, 28), start_on=D(2026, 11, 1), verify_by=D(2027, 1, 5))
    assert notify.send_daily(day=D(2026, 11, 26)) == 1  # the member (the other assignee has no account)
    assert notify.send_daily(day=D(2026, 11, 26)) == 0
    n = Notification.objects.get(user=world.users["member"])
    texts = [line["text"] for line in n.lines]
    assert any("Việc quá hạn" in t for t in texts) and any("Việc sắp đến hạn" in t for t in texts)
    assert not any("Việc còn xa" in t for t in texts)
    notify.set_preference(world.users["member"], due_soon_days=1, daily=True)
    notify.send_daily(day=D(2026, 11, 27))
    n2 = Notification.objects.get(user=world.users["member"], day=D(2026, 11, 27))
    assert any("Việc sắp đến hạn" in line["text"] for line in n2.lines)  # due tomorrow, within one day
    assert Update.objects.count() == 0


def test_the_remind_command_creates_occurrences_and_reminders(world):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    a_task(world, title="Họp tổ", start_on=D(2026, 10, 1), due_on=D(2026, 10, 25), verify_by=D(2026, 10, 30),
           recurrence="monthly", repeat_until=D(2027, 6, 30))
    out = StringIO()
    call_command("remind", "--date", "26/11/2026", stdout=out)
    assert "26/11/2026: 2 recurring task(s) created, 1 reminder(s) sent" in out.getvalue()
    with pytest.raises(CommandError, match="dd/mm/yyyy"):
        call_command("remind", "--date", "2026-13-45")
