"""Writes for tasks. Each function is atomic, checks the "6 rõ" and the task's state, writes
the audit record, and refuses a change made from a stale copy of the task (`version`): two
people updating the same task at once never lose an update — the second is told to look again.

Who may call which function is decided by chibo.access (the views ask it first); the rules
that hold whoever calls — the assignee cannot close the task alone, the verifier decides —
are enforced here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.audit import services as audit
from chibo.core import files
from chibo.core.bulk import insert_returning, insert_rows
from chibo.core.dates import format_vn_date, today
from chibo.core.text import fold, nfc
from chibo.members.models import Membership, Person
from chibo.organisations import services as org_services
from chibo.organisations.models import LEVEL_OF_KIND, Organisation
from chibo.tasks import rules
from chibo.tasks.models import Assignee, Task, Update

TASK_FIELDS = ["organisation_id", "title", "description", "start_on", "due_on", "expected_output", "measure_value",
               "measure_unit", "verifier_id", "verify_by", "target_id", "decision", "recurrence", "repeat_until",
               "status", "progress", "outcome", "completed_on"]
EDITABLE = ("title", "description", "start_on", "due_on", "expected_output", "measure_value", "measure_unit",
            "verifier", "verify_by", "target", "decision", "recurrence", "repeat_until")
Upload = tuple[bytes, str]


@dataclass(frozen=True)
class Assign:
    """One assignee as a form or the API gives it: a person or an organisation, lead or not."""
    person: Person | None = None
    organisation: Organisation | None = None
    lead: bool = False


class Conflict(ValidationError):
    """The task changed since the user loaded it."""


def _anchor(org: Organisation) -> Organisation:
    """The commune (or the organisation itself, at commune level or above) whose members may
    verify a task of `org`: a cell's task may be verified by a commune committee member."""
    tops = (Organisation.Kind.PROVINCE, Organisation.Kind.COMMUNE, Organisation.Kind.GRASSROOTS_COMMITTEE)
    if org.kind in tops:
        return org
    above = Organisation.objects.filter(path__in=org.ancestor_paths(), kind__in=tops).order_by("-path").first()
    return above or org


def _members_of(org: Organisation, person_ids: set[int]) -> set[int]:
    if not person_ids:
        return set()
    return set(Membership.objects.filter(current=True, person_id__in=person_ids, **{
        f"{LEVEL_OF_KIND[org.kind]}_id": org.pk}).values_list("person_id", flat=True))


def _clean(data: dict[str, Any], assignees: Sequence[Assign], *, org: Organisation) -> dict[str, Any]:
    out = {**data}
    for key in ("title", "description", "expected_output", "measure_unit", "decision"):
        out[key] = nfc(out.get(key) or "").strip()
    draft = rules.Draft(
        title=out["title"], start_on=out.get("start_on"), due_on=out.get("due_on"),
        expected_output=out["expected_output"], verify_by=out.get("verify_by"),
        verifier_id=out["verifier"].pk if out.get("verifier") else None,
        assignees=[rules.Assigned(a.person.pk if a.person else None, a.organisation.pk if a.organisation else None,
                                  a.lead) for a in assignees])
    errors: dict[str, str] = {rules.FIELD_OF[k]: v for k, v in rules.unclear(draft).items()}
    people = {a.person.pk for a in assignees if a.person}
    outside = people - _members_of(org, people)
    if outside:
        names = ", ".join(sorted(a.person.full_name for a in assignees if a.person and a.person.pk in outside))
        errors.setdefault("assignees", _("%(names)s is not a current member of %(org)s. Choose members of the "
                                         "organisation that assigns the task.") % {"names": names, "org": org.name})
    for a in assignees:
        if a.organisation is not None and not a.organisation.path.startswith(org.path):
            errors.setdefault("assignees", _("%(name)s is not part of %(org)s. A task is given to %(org)s or one of "
                                             "its cells or groups.") % {"name": a.organisation.name, "org": org.name})
    if len({(a.person.pk if a.person else None, a.organisation.pk if a.organisation else None) for a in assignees}) \
            != len(assignees):
        errors.setdefault("assignees", _("The same assignee is chosen twice. Keep each one once."))
    verifier: Person | None = out.get("verifier")
    if verifier is not None and "verifier" not in errors:
        anchor = _anchor(org)
        if not _members_of(anchor, {verifier.pk}):
            errors["verifier"] = _("%(name)s is not a current member of %(org)s and cannot verify this task.") % {
                "name": verifier.full_name, "org": anchor.name}
    value = out.get("measure_value")
    if value is not None and value < 0:
        errors["measure_value"] = _("The measure cannot be negative.")
    if value is not None and not out["measure_unit"]:
        errors["measure_unit"] = _("Write the unit of the measure, for example “hộ” or “buổi”.")
    target = out.get("target")
    if target is not None and not org.path.startswith(target.resolution.organisation.path):
        errors["target"] = _("This target belongs to a resolution that does not reach %(org)s.") % {"org": org.name}
    recurrence = out.get("recurrence") or ""
    until = out.get("repeat_until")
    if recurrence and until is None:
        errors["repeat_until"] = _("Enter the date until which the task repeats, as dd/mm/yyyy.")
    elif recurrence and out.get("start_on") and until < out["start_on"]:
        errors["repeat_until"] = _("The task cannot stop repeating before it starts.")
    elif not recurrence:
        out["repeat_until"] = None
    if recurrence and out.get("start_on") and until and until > out["start_on"] + dt.timedelta(days=366 * 6):
        errors["repeat_until"] = _("A task repeats for at most six years; a longer duty belongs in a resolution.")
    if errors:
        raise ValidationError(errors)
    return out


def _save_assignees(task: Task, assignees: Sequence[Assign]) -> None:
    task.assignees.all().delete()
    Assignee.objects.bulk_create([
        Assignee(task=task, person=a.person, organisation=a.organisation,
                 role=Assignee.Role.LEAD if a.lead else Assignee.Role.COORDINATING) for a in assignees])


def _assignee_repr(assignees: Sequence[Assign]) -> list[str]:
    return [f"{'lead' if a.lead else 'coordinating'}:{'person' if a.person else 'org'}:"
            f"{(a.person or a.organisation).pk}" for a in assignees]  # type: ignore[union-attr]


def _search(task: Task) -> str:
    return fold(task.title)[:300]


@transaction.atomic
def task_create(*, actor: Any, organisation: Organisation, assignees: Sequence[Assign], **data: Any) -> Task:
    if (ended := org_services.ended_on(organisation)) is not None:
        raise ValidationError({"organisation": _(
            "%(org)s ended on %(date)s (merged or dissolved): it takes no new tasks. Give the task to the "
            "organisation its members now belong to.") % {"org": organisation.name, "date": format_vn_date(ended)}})
    data = _clean(data, assignees, org=organisation)
    task = Task(organisation=organisation, created_by=actor if getattr(actor, "is_authenticated", False) else None,
                **{k: data.get(k) for k in EDITABLE if k in data})
    task.recurrence = task.recurrence or ""
    task.search_text = _search(task)
    task.save()
    _save_assignees(task, assignees)
    audit.record(actor=actor, action="create", obj=task, org_path=organisation.path,
                 after={**audit.snapshot(task, TASK_FIELDS), "assignees": _assignee_repr(assignees)})
    return task


def _claim(task: Task, version: int | None) -> None:
    """Take the task's next version, or refuse if someone changed it since `version` was read."""
    if version is None:
        version = task.version
    changed = Task.objects.filter(pk=task.pk, version=version).update(version=F("version") + 1)
    if not changed:
        raise Conflict({"version": _("Someone else changed this task while you were working on it. Your change was "
                                     "not saved: look at the task as it is now, then make your change again.")})
    task.version = version + 1


@transaction.atomic
def task_update(task: Task, *, actor: Any, version: int | None = None, assignees: Sequence[Assign] | None = None,
                **data: Any) -> Task:
    if not task.is_open:
        raise ValidationError({"status": _("A task that is %(status)s cannot be changed.") % {
            "status": task.get_status_display()}})
    _claim(task, version)
    current = [Assign(person=a.person, organisation=a.organisation, lead=a.role == Assignee.Role.LEAD)
               for a in task.assignees.select_related("person", "organisation")]
    chosen = current if assignees is None else assignees
    merged = _clean({**{k: getattr(task, k) for k in EDITABLE}, **data}, chosen, org=task.organisation)
    before = {**audit.snapshot(task, TASK_FIELDS), "assignees": _assignee_repr(current)}
    for key in EDITABLE:
        setattr(task, key, merged.get(key))
    task.recurrence = task.recurrence or ""
    task.search_text = _search(task)
    task.save()
    if assignees is not None:
        _save_assignees(task, assignees)
    old, new = audit.diff(before, {**audit.snapshot(task, TASK_FIELDS), "assignees": _assignee_repr(chosen)})
    if new:
        audit.record(actor=actor, action="update", obj=task, org_path=task.organisation.path, before=old, after=new)
        Update.objects.create(task=task, kind=Update.Kind.EDIT, author=_user(actor),
                              note=", ".join(_field_label(k) for k in new))
    return task


def _field_label(name: str) -> str:
    if name == "assignees":
        return _("assignees")
    field = Task._meta.get_field(name.removesuffix("_id"))
    return str(getattr(field, "verbose_name", name))


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _attach(upload: Upload | None) -> dict[str, str]:
    if upload is None:
        return {}
    try:
        path, name = files.store(upload[0], upload[1], "evidence")
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    return {"file": path, "file_name": name}


def _record(task: Task, actor: Any, kind: str, before: dict[str, Any], **update: Any) -> Update:
    u = Update.objects.create(task=task, kind=kind, author=_user(actor), **update)
    old, new = audit.diff(before, audit.snapshot(task, TASK_FIELDS))
    audit.record(actor=actor, action=f"task_{kind}", obj=task, org_path=task.organisation.path, before=old,
                 after={**new, "note": update.get("note", ""), "file_name": update.get("file_name", "")})
    return u


@transaction.atomic
def task_progress(task: Task, *, actor: Any, progress: int | None, note: str = "", file: Upload | None = None,
                  version: int | None = None) -> Update:
    """An assignee reports progress (0–100 %) with evidence."""
    if task.status not in (Task.Status.OPEN, Task.Status.IN_PROGRESS, Task.Status.RETURNED):
        raise ValidationError({"progress": _("This task is %(status)s; progress can no longer be reported.") % {
            "status": task.get_status_display()}})
    if progress is None or not 0 <= progress <= 100:
        raise ValidationError({"progress": _("Progress is a whole number from 0 to 100 (per cent).")})
    note = nfc(note).strip()
    if progress == task.progress and not note and file is None:
        raise ValidationError({"note": _("Nothing new to report: change the progress or write what was done.")})
    _claim(task, version)
    before = audit.snapshot(task, TASK_FIELDS)
    task.progress = progress
    task.status = Task.Status.IN_PROGRESS
    task.save(update_fields=["progress", "status", "updated_at"])
    return _record(task, actor, Update.Kind.PROGRESS, before, progress=progress, note=note, **_attach(file))


@transaction.atomic
def task_submit(task: Task, *, actor: Any, note: str = "", file: Upload | None = None,
                version: int | None = None) -> Update:
    """The assignee says the task is done and asks the verifier to check the evidence."""
    if task.status not in (Task.Status.OPEN, Task.Status.IN_PROGRESS, Task.Status.RETURNED):
        raise ValidationError({"note": _("This task is %(status)s and cannot be submitted.") % {
            "status": task.get_status_display()}})
    note = nfc(note).strip()
    if not note and file is None:
        raise ValidationError({"note": _("Describe the result (or attach the evidence) so that the verifier can "
                                         "check it against “%(expected)s”.") % {"expected": task.expected_output}})
    _claim(task, version)
    before = audit.snapshot(task, TASK_FIELDS)
    task.status = Task.Status.SUBMITTED
    task.progress = 100
    task.save(update_fields=["progress", "status", "updated_at"])
    return _record(task, actor, Update.Kind.SUBMIT, before, progress=100, note=note, **_attach(file))


def _check_verifier(task: Task, actor: Any) -> None:
    person_id = getattr(actor, "person_id", None)
    if person_id is not None and task.assignees.filter(person_id=person_id).exists():
        raise ValidationError({"note": _("You are assigned to this task, so you cannot accept or return it: "
                                         "its verifier %(name)s decides.") % {
                                             "name": task.verifier.full_name if task.verifier else "—"}})


@transaction.atomic
def task_accept(task: Task, *, actor: Any, note: str = "", exceeded: bool = False, on: dt.date | None = None,
                version: int | None = None) -> Update:
    """The verifier accepts the result: the task is done, and its outcome (on time, late,
    beyond what was expected) is recorded. A recurring task's next occurrence is created."""
    if task.status != Task.Status.SUBMITTED:
        raise ValidationError({"note": _("Only a task submitted for verification can be accepted; this one is "
                                         "%(status)s.") % {"status": task.get_status_display()}})
    _check_verifier(task, actor)
    _claim(task, version)
    before = audit.snapshot(task, TASK_FIELDS)
    day = on or today()
    submitted = task.updates.filter(kind=Update.Kind.SUBMIT).order_by("-created_at", "-id").first()
    done_on = min(day, timezone.localdate(submitted.created_at)) if submitted else day  # the local day
    task.status = Task.Status.DONE
    task.completed_on = done_on
    task.outcome = rules.outcome(completed_on=done_on, due_on=task.due_on, exceeded=exceeded)  # type: ignore[arg-type]
    task.save(update_fields=["status", "completed_on", "outcome", "updated_at"])
    update = _record(task, actor, Update.Kind.ACCEPT, before, note=nfc(note).strip(),
                     on_behalf_of=None if getattr(actor, "person_id", None) == task.verifier_id else task.verifier)
    roll_forward(task, day=day)
    return update


@transaction.atomic
def task_return(task: Task, *, actor: Any, note: str, version: int | None = None) -> Update:
    """The verifier returns the task with a comment saying what is missing."""
    if task.status != Task.Status.SUBMITTED:
        raise ValidationError({"note": _("Only a task submitted for verification can be returned; this one is "
                                         "%(status)s.") % {"status": task.get_status_display()}})
    _check_verifier(task, actor)
    note = nfc(note).strip()
    if not note:
        raise ValidationError({"note": _("Write what is missing or must be redone, so the assignee knows what to do.")})
    _claim(task, version)
    before = audit.snapshot(task, TASK_FIELDS)
    task.status = Task.Status.RETURNED
    task.save(update_fields=["status", "updated_at"])
    return _record(task, actor, Update.Kind.RETURN, before, note=note,
                   on_behalf_of=None if getattr(actor, "person_id", None) == task.verifier_id else task.verifier)


@transaction.atomic
def task_cancel(task: Task, *, actor: Any, note: str, version: int | None = None) -> Update:
    if not task.is_open:
        raise ValidationError({"note": _("This task is already %(status)s.") % {"status": task.get_status_display()}})
    note = nfc(note).strip()
    if not note:
        raise ValidationError({"note": _("Write why the task is cancelled (for example the decision that ended it).")})
    _claim(task, version)
    before = audit.snapshot(task, TASK_FIELDS)
    task.status = Task.Status.CANCELLED
    task.save(update_fields=["status", "updated_at"])
    return _record(task, actor, Update.Kind.CANCEL, before, note=note)


# --- Recurring tasks ------------------------------------------------------------------------

def roll_forward(task: Task, *, day: dt.date) -> Task | None:
    """Create the next occurrence of a recurring task once this one is done or its deadline
    has passed, unless the series has ended or the next one already exists."""
    first = task.series or task
    if not first.recurrence or first.start_on is None or first.due_on is None or first.verify_by is None:
        return None
    latest = Task.objects.filter(pk=first.pk).first() if not first.occurrences.exists() else \
        first.occurrences.order_by("-start_on", "-id").first()
    if latest is None or latest.pk != task.pk:
        return None  # only the latest occurrence makes the next one
    if task.status != Task.Status.DONE and (task.due_on is None or task.due_on >= day):
        return None
    n = first.occurrences.count() + 1
    start, due, verify = rules.occurrence(first.start_on, first.due_on, first.verify_by, first.recurrence, n)
    if first.repeat_until is None or start > first.repeat_until:
        return None
    nxt = Task.objects.create(
        organisation=first.organisation, title=first.title, description=first.description, start_on=start,
        due_on=due, expected_output=first.expected_output, measure_value=first.measure_value,
        measure_unit=first.measure_unit, verifier=first.verifier, verify_by=verify, target=first.target,
        decision=first.decision, recurrence=first.recurrence, repeat_until=first.repeat_until, series=first,
        search_text=first.search_text, created_by=first.created_by)
    Assignee.objects.bulk_create([Assignee(task=nxt, person_id=a.person_id, organisation_id=a.organisation_id,
                                           role=a.role) for a in first.assignees.all()])
    audit.record(actor=None, action="create", obj=nxt, org_path=first.organisation.path,
                 after=audit.snapshot(nxt, TASK_FIELDS), note=_("next occurrence of a recurring task"))
    return nxt


@transaction.atomic
def roll_forward_all(*, day: dt.date | None = None) -> int:
    """The daily pass: the next occurrence of every recurring series whose latest occurrence
    is done or past its deadline. Returns how many were created."""
    day = day or today()
    made = 0
    firsts = Task.objects.exclude(recurrence="").filter(series__isnull=True)
    for first in firsts.select_related("organisation"):
        latest = first.occurrences.order_by("-start_on", "-id").first() or first
        while (nxt := roll_forward(latest, day=day)) is not None:
            made += 1
            latest = nxt
    return made



# --- Many at once (the demo's communes, the synthetic province) -----------------------------------

@dataclass
class BulkTask:
    """A task for bulk_create_tasks, in its final state: its lead and coordinating members
    (person ids), its updates (Update fields: kind, created_at, note, progress, on_behalf_of_id)
    and, for a later occurrence of a monthly series, the series' first task (earlier in the call)."""
    task: Task
    lead: int
    coordinating: Sequence[int] = ()
    updates: Sequence[dict[str, Any]] = ()
    series: Task | None = None


@transaction.atomic
def bulk_create_tasks(rows: Sequence[BulkTask], *, actor: Any) -> list[Task]:
    """Insert tasks already checked by their caller in bulk, with their search text, assignees,
    updates and one audit row each, as task_create and the later steps would have left them."""
    for row in rows:
        row.task.search_text = _search(row.task)
    insert_returning(Task, [row.task for row in rows if row.series is None])
    following = [row for row in rows if row.series is not None]
    for row in following:
        row.task.series = row.series
    insert_returning(Task, [row.task for row in following])
    insert_rows(Assignee, (
        {"task_id": row.task.pk, "person_id": person, "role": role} for row in rows
        for person, role in [(row.lead, Assignee.Role.LEAD),
                             *((p, Assignee.Role.COORDINATING) for p in row.coordinating)]))
    insert_rows(Update, ({**update, "task_id": row.task.pk} for row in rows for update in row.updates))
    audit.record_many([{"action": "create", "obj": row.task, "org_path": row.task.organisation.path, "after": {
        **audit.snapshot(row.task, TASK_FIELDS),
        "assignees": [f"lead:person:{row.lead}", *(f"coordinating:person:{p}" for p in row.coordinating)]}}
        for row in rows], actor=actor)
    return [row.task for row in rows]
