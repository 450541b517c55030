"""The rules of a task, without the database: which of the "6 rõ" a task leaves unclear, how
a recurring task's next occurrence is dated, how a finished task's outcome is judged, and
when a task is due soon or overdue.

The six, as Quyết định 2179/QĐ-TTg (06/10/2025) words them (rõ người, việc, thời gian, trách
nhiệm, sản phẩm, thẩm quyền), with the variants party texts use ("rõ kết quả", "rõ kiểm tra,
giám sát"); applying them to each task record is chibo's reading (domain-rules.md §6):
  người        who does it — at least one assignee (a member or an organisation);
  việc         what — the task itself, in words;
  trách nhiệm  responsibility — exactly one lead; the others coordinate;
  thời gian    time — a start and a deadline, the deadline not before the start;
  kết quả      result — the expected, checkable output (with a measure where one fits);
  thẩm quyền   who checks — a verifier and the date by which they verify, not before the
               deadline; the verifier is not one of the people assigned (nobody checks their own work,
               and so never its only assignee).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from chibo.core.dates import add_months

MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


@dataclass(frozen=True)
class Assigned:
    person_id: int | None
    organisation_id: int | None
    lead: bool


@dataclass(frozen=True)
class Draft:
    title: str
    assignees: Sequence[Assigned]
    start_on: dt.date | None
    due_on: dt.date | None
    expected_output: str
    verifier_id: int | None
    verify_by: dt.date | None


# The field each "rõ" is reported on (forms show the message next to it).
FIELD_OF = {"nguoi": "assignees", "viec": "title", "trach_nhiem": "lead", "thoi_gian": "due_on",
            "ket_qua": "expected_output", "kiem_tra": "verifier"}


def unclear(d: Draft) -> dict[str, str]:
    """Each "rõ" the draft leaves unclear → a message saying what to fill in. Empty when all six are clear."""
    out: dict[str, str] = {}
    if not d.assignees:
        out["nguoi"] = _("Rõ người (who): choose at least one member or organisation to do the task.")
    if not d.title.strip():
        out["viec"] = _("Rõ việc (what): write what is to be done.")
    leads = [a for a in d.assignees if a.lead]
    if d.assignees and len(leads) != 1:
        out["trach_nhiem"] = (
            _("Rõ trách nhiệm (responsibility): choose who leads the task; the others coordinate.") if not leads
            else _("Rõ trách nhiệm (responsibility): only one assignee can lead; make the others coordinate."))
    if d.start_on is None or d.due_on is None:
        missing = _("the deadline") if d.due_on is None else _("the start date")
        if d.start_on is None and d.due_on is None:
            missing = _("the start date and the deadline")
        out["thoi_gian"] = _("Rõ thời gian (time): enter %(what)s, as dd/mm/yyyy.") % {"what": missing}
    elif d.due_on < d.start_on:
        out["thoi_gian"] = _("Rõ thời gian (time): the deadline %(due)s is before the start %(start)s. "
                             "Check both dates.") % {"due": d.due_on.strftime("%d/%m/%Y"),
                                                    "start": d.start_on.strftime("%d/%m/%Y")}
    if not d.expected_output.strip():
        out["ket_qua"] = _("Rõ kết quả (result): describe the expected result or product, so that it can be checked.")
    if d.verifier_id is None or d.verify_by is None:
        out["kiem_tra"] = (_("Rõ kiểm tra (verification): choose who verifies the result.") if d.verifier_id is None
                           else _("Rõ kiểm tra (verification): enter the date by which it is verified."))
    elif d.due_on is not None and d.verify_by < d.due_on:
        out["kiem_tra"] = _("Rõ kiểm tra (verification): the verification date cannot be before the deadline.")
    elif any(a.person_id == d.verifier_id for a in d.assignees):
        out["kiem_tra"] = _("Rõ kiểm tra (verification): the verifier cannot also be one of the people doing the "
                            "task — nobody verifies their own work. Choose another verifier.")
    return out


def occurrence(first_start: dt.date, first_due: dt.date, first_verify: dt.date, recurrence: str,
               n: int) -> tuple[dt.date, dt.date, dt.date]:
    """The dates of the n-th occurrence (0 = the first) of a recurring task. Counted from the
    first, so a task due on the 31st stays due at the end of each month (31 → 28/2 → 31/3)."""
    step = MONTHS[recurrence] * n
    return add_months(first_start, step), add_months(first_due, step), add_months(first_verify, step)


def outcome(*, completed_on: dt.date, due_on: dt.date, exceeded: bool) -> str:
    """How a task ended, as QĐ 366 scores it: late if completed after the deadline; on time
    otherwise, and "exceeded" when the verifier found the result beyond what was expected."""
    if completed_on > due_on:
        return "late"
    return "exceeded" if exceeded else "on_time"


def urgency(*, due_on: dt.date | None, day: dt.date, soon_days: int) -> str:
    """"overdue", "due_soon" (within `soon_days` days, today included) or ""."""
    if due_on is None:
        return ""
    if due_on < day:
        return "overdue"
    return "due_soon" if (due_on - day).days <= soon_days else ""
