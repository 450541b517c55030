"""Pages for tasks: my tasks (phone first, one tap to report progress), a task with its
"6 rõ", updates and verification, the task form, a cell's plan, the due-soon and overdue
lists, and a member's record for a year. Objects come only through chibo.access; writes
only through chibo.tasks.services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chibo import access
from chibo.core.dates import format_vn_date, today
from chibo.core.numbers import query_int
from chibo.meetings import services as meeting_services
from chibo.members import selectors as member_selectors
from chibo.organisations import services as org_services
from chibo.organisations.models import Organisation
from chibo.plans import selectors as plan_selectors
from chibo.tasks import rules, selectors, services
from chibo.tasks.forms import DecisionForm, ProgressForm, TaskForm
from chibo.tasks.models import Assignee, Task, Update
from chibo.web.downloads import stored_file

ACTIONS = {"progress", "submit", "accept", "return", "cancel"}


def _upload(request: HttpRequest) -> tuple[bytes, str] | None:
    f = request.FILES.get("file")
    if f is None:
        return None
    return f.read(settings.CHIBO_UPLOAD_MAX_BYTES + 1), f.name or "tep"


def _own_orgs(user: Any) -> list[int]:
    m = access.scope_for(user).own_membership
    return [pk for pk in (m.cell_id, m.group_id, m.organisation_id) if pk] if m else []


def _decorate(tasks: list[Task], user: Any, day: dt.date) -> list[Task]:
    """Attach what the templates show: urgency, lead, and what this user may do."""
    soon = selectors.soon_days()
    for t in tasks:
        people = list(t.assignees.all())
        t.working = t.status in (Task.Status.OPEN, Task.Status.IN_PROGRESS, Task.Status.RETURNED)  # type: ignore[attr-defined]
        t.urgency = rules.urgency(due_on=t.due_on, day=day, soon_days=soon) if t.working else ""  # type: ignore[attr-defined]
        t.lead = next((a for a in people if a.role == Assignee.Role.LEAD), None)  # type: ignore[attr-defined]
        t.others = [a for a in people if a.role != Assignee.Role.LEAD]  # type: ignore[attr-defined]
        t.can_report = access.may_report_task(user, t, people)  # type: ignore[attr-defined]
        t.next_steps = [p for p in (25, 50, 75) if p > t.progress]  # type: ignore[attr-defined]
    return tasks


# --- My tasks -------------------------------------------------------------------------------

@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    day = today()
    mine = selectors.my_tasks(access.tasks(request.user), person_id=request.user.person_id,  # type: ignore[union-attr]
                              org_ids=_own_orgs(request.user), day=day)
    _decorate(mine.doing + mine.to_verify + mine.recently_done, request.user, day)
    return render(request, "tasks/my_tasks.html", {"mine": mine, "day": day})


# --- One task -------------------------------------------------------------------------------

def _task_context(request: HttpRequest, task: Task, **extra: Any) -> dict[str, Any]:
    day = today()
    people = list(task.assignees.select_related("person", "organisation"))
    task._prefetched_objects_cache = {"assignees": people}  # type: ignore[attr-defined]
    _decorate([task], request.user, day)
    can_verify = task.status == Task.Status.SUBMITTED and access.may_verify_task(request.user, task, people)
    working = task.status in (Task.Status.OPEN, Task.Status.IN_PROGRESS, Task.Status.RETURNED)
    return {
        "task": task, "day": day,
        "updates": list(task.updates.select_related("author", "on_behalf_of").order_by("created_at", "id")),
        "can_edit": task.is_open and access.may_edit_task(request.user, task),
        "can_report": working and task.can_report,  # type: ignore[attr-defined]
        "can_verify": can_verify,
        "progress_form": extra.pop("progress_form", None) or ProgressForm(initial={"version": task.version,
                                                                                   "progress": task.progress}),
        "decision_form": extra.pop("decision_form", None) or DecisionForm(initial={"version": task.version}),
        "series_count": (task.series or task).occurrences.count() + 1 if task.recurrence else 0,
        **extra,
    }


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = access.get_task(request.user, pk)
    return render(request, "tasks/task.html", _task_context(request, task))


@login_required
@require_POST
def task_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress, submission, the verifier's decision or cancellation — one form each on the
    task page; "my tasks" posts progress here with one tap and gets its card back (htmx)."""
    task = access.get_task(request.user, pk)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise Http404
    people = list(task.assignees.select_related("organisation"))
    allowed = {"progress": access.may_report_task, "submit": access.may_report_task,
               "accept": access.may_verify_task, "return": access.may_verify_task}
    if action == "cancel":
        if not access.may_edit_task(request.user, task):
            raise PermissionDenied
    elif not allowed[action](request.user, task, people):
        raise PermissionDenied
    form: ProgressForm | DecisionForm = (ProgressForm if action in ("progress", "submit") else DecisionForm)(
        request.POST, request.FILES)
    card = request.POST.get("from") == "card"
    error, conflict = "", False
    if form.is_valid():
        d = form.cleaned_data
        version = d.get("version")
        try:
            if action == "progress":
                services.task_progress(task, actor=request.user, progress=d.get("progress"), note=d.get("note") or "",
                                       file=_upload(request), version=version)
                done = _("Progress saved: %(n)s%%.") % {"n": d.get("progress")}
            elif action == "submit":
                services.task_submit(task, actor=request.user, note=d.get("note") or "", file=_upload(request),
                                     version=version)
                done = _("Sent to %(name)s for verification.") % {
                    "name": task.verifier.full_name if task.verifier else "—"}
            elif action == "accept":
                services.task_accept(task, actor=request.user, note=d.get("note") or "", exceeded=bool(d.get("exceeded")),
                                     version=version)
                done = _("Accepted: the task is done (%(outcome)s).") % {"outcome": task.get_outcome_display()}
            elif action == "return":
                services.task_return(task, actor=request.user, note=d.get("note") or "", version=version)
                done = _("Returned to the assignees with your comment.")
            else:
                services.task_cancel(task, actor=request.user, note=d.get("note") or "", version=version)
                done = _("The task was cancelled.")
        except services.Conflict as exc:
            error, conflict = exc.message_dict["version"][0], True
        except ValidationError as exc:
            for name, errs in exc.message_dict.items():
                target = name if name in form.fields and name != "version" else None
                for e in errs:
                    if target:
                        form.add_error(target, e)
                    else:
                        error = e
        else:
            if card:
                task = access.get_task(request.user, pk)
                return _card(request, task, message=done)
            messages.success(request, done)
            return redirect("task", pk=task.pk)
    else:
        error = _("Nothing was saved. Correct the fields marked in red below, then send again.")
    task.refresh_from_db()
    if card:
        return _card(request, task, error=error or " ".join(str(e) for errs in form.errors.values() for e in errs),
                     status=409 if conflict else 400)
    key = "progress_form" if action in ("progress", "submit") else "decision_form"
    forms = {} if conflict else {key: form}  # after a conflict, fresh forms carry the current version
    context = _task_context(request, task, **forms, error=error, failed=action)
    return render(request, "tasks/task.html", context, status=409 if conflict else 400)


def _card(request: HttpRequest, task: Task, *, message: str = "", error: str = "", status: int = 200) -> HttpResponse:
    task = selectors.with_people(Task.objects.filter(pk=task.pk)).get()
    _decorate([task], request.user, today())
    return render(request, "tasks/_task_card.html", {"t": task, "message": message, "error": error}, status=status)


@login_required
def update_file(request: HttpRequest, pk: int) -> FileResponse:
    update = Update.objects.filter(pk=pk).exclude(file="").first() if str(pk).isdigit() else None
    if update is None:
        raise Http404
    task = access.get_task(request.user, update.task_id)  # the gatekeeper decides on the task
    return stored_file(request, update.file, update.file_name, obj=update, object_repr=f"{task.title}: {update.file_name}",
                       org_path=task.organisation.path,
                       note=_("Attached file downloaded: %(name)s") % {"name": update.file_name})


# --- The task form --------------------------------------------------------------------------

def _form(request: HttpRequest, org: Organisation, data: Any = None, initial: dict[str, Any] | None = None) -> TaskForm:
    children = list(Organisation.objects.filter(parent=org, valid_to__isnull=True).order_by("path"))
    people = member_selectors.people_of(org)
    anchor = services._anchor(org)
    verifiers = {p.pk: p for p in people}
    for level in [o for o in (org.parent, anchor) if o is not None and o.pk != org.pk]:
        for p in member_selectors.people_of(level):
            verifiers.setdefault(p.pk, p)
    targets = list(access.targets(request.user).filter(organisation=org).exclude(
        resolution__status__in=["completed", "superseded"]).select_related("resolution").order_by(
        "resolution__issued_on", "position"))
    return TaskForm(data, request.FILES if data is not None else None, initial=initial, people=people,
                    orgs=children, verifiers=sorted(verifiers.values(), key=lambda p: (p.sort_key, p.pk)),
                    targets=targets)


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("org", "")
    if not code:
        writable = access.writable_orgs(request.user)
        if not writable:
            raise PermissionDenied
        code = writable[0].code
    org = access.get_organisation(request.user, code)
    if not access.may_assign(request.user, org):
        raise PermissionDenied
    if (ended := org_services.ended_on(org)) is not None:
        messages.warning(request, _("%(org)s ended on %(date)s (merged or dissolved): it takes no new tasks. Give "
                                    "the task to the organisation its members now belong to.") % {
            "org": org.name, "date": format_vn_date(ended)})
        return redirect("org-plan", code=org.code)
    day = today()
    initial: dict[str, Any] = {"start_on": day}
    if request.GET.get("target", "").isdigit():
        initial["target"] = request.GET["target"]
    vote = None  # a meeting's decision this task carries out (?vote=<id>): linked once the task exists
    if "vote" in request.GET:
        vote = access.get_vote(request.user, request.GET["vote"], write=True)
        if vote.meeting.organisation_id != org.pk:
            raise Http404
        initial["decision"] = (_("Cell resolution of %(date)s: %(text)s") % {
            "date": format_vn_date(vote.meeting.date), "text": vote.decision or vote.title})[:300]
    form = _form(request, org, request.POST if request.method == "POST" else None, initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                task = services.task_create(actor=request.user, organisation=org, assignees=form.assignees(),
                                            **form.task_data())
                if vote is not None:
                    meeting_services.vote_link_task(vote, actor=request.user, task=task)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The task was assigned. Its assignees will see it in “My tasks”."))
            return redirect("task", pk=task.pk)
    back = reverse("meeting", args=[vote.meeting_id]) if vote is not None else reverse("org-plan", args=[org.code])
    return render(request, "tasks/task_form.html", {"form": form, "org": org, "title": _("New task for %(org)s") % {
        "org": org.name}, "back": back}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = access.get_task(request.user, pk, edit=True)
    if not task.is_open:
        messages.error(request, _("A task that is %(status)s cannot be changed.") % {"status": task.get_status_display()})
        return redirect("task", pk=task.pk)
    people = list(task.assignees.all())
    lead = next((a for a in people if a.role == Assignee.Role.LEAD), None)

    def key(a: Assignee) -> str:
        return f"p{a.person_id}" if a.person_id else f"o{a.organisation_id}"

    initial = {"title": task.title, "description": task.description, "lead": key(lead) if lead else "",
               "coordinating": [key(a) for a in people if a is not lead], "start_on": task.start_on,
               "due_on": task.due_on, "expected_output": task.expected_output, "measure_value": task.measure_value,
               "measure_unit": task.measure_unit, "verifier": str(task.verifier_id or ""), "verify_by": task.verify_by,
               "target": str(task.target_id or ""), "decision": task.decision, "recurrence": task.recurrence,
               "repeat_until": task.repeat_until, "version": task.version}
    form = _form(request, task.organisation, request.POST if request.method == "POST" else None, initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(task, actor=request.user, version=form.cleaned_data.get("version"),
                                 assignees=form.assignees(), **form.task_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("task", pk=task.pk)
    return render(request, "tasks/task_form.html", {
        "form": form, "org": task.organisation, "task": task, "title": _("Change the task"),
        "back": reverse("task", args=[task.pk])}, status=400 if form.errors else 200)


# --- An organisation's plan and due lists ---------------------------------------------------------

@login_required
def org_plan(request: HttpRequest, code: str) -> HttpResponse:
    """A cell's plan (or a commune's): the targets it is responsible for, and the tasks it has given."""
    org = access.get_organisation(request.user, code)
    day = today()
    status = request.GET.get("status", "active")  # "active": every open status; "": all
    if status not in {"active", "", *Task.Status.values}:
        status = "active"
    targets = list(access.targets(request.user).filter(organisation=org, resolution__status="in_force")
                   .select_related("resolution", "organisation").order_by("resolution__issued_on", "position", "id"))
    figures = plan_selectors.figures(targets, day)
    task_list = _decorate(selectors.org_tasks(access.tasks(request.user), org, status=status), request.user, day)
    return render(request, "tasks/plan.html", {
        "org": org, "day": day, "status": status, "statuses": Task.Status.choices,
        "targets": [(t, figures[t.pk]) for t in targets], "tasks": task_list,
        "can_assign": org.is_active and access.may_assign(request.user, org),
    })


@login_required
def org_due(request: HttpRequest, code: str) -> HttpResponse:
    org = access.get_organisation(request.user, code)
    day = today()
    raw = request.GET.get("days", "")
    days = query_int(raw, 0, 60)
    if days is None:
        days = selectors.soon_days()
    lists = selectors.due_lists(access.tasks(request.user), org, day=day, days=days)
    for group in (lists.overdue, lists.due_soon, lists.waiting):
        _decorate(group, request.user, day)
    return render(request, "tasks/due.html", {"org": org, "lists": lists, "day": day})


@login_required
def member_record(request: HttpRequest, pk: int) -> HttpResponse:
    m = access.get_membership(request.user, pk)
    day = today()
    raw = request.GET.get("nam", "")
    year = query_int(raw, 2000, day.year + 1) or day.year
    rec = selectors.record(m.person_id, year, day=day)
    return render(request, "tasks/record.html", {"m": m, "p": m.person, "rec": rec, "year": year,
                                                 "years": list(range(day.year, day.year - 6, -1))})
