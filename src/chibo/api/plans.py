"""The JSON API's handlers for issue 4: resolutions, their targets and the figures measured on
them, and tasks under "6 rõ" with their updates.

The same rules as chibo.api.views: every object comes through chibo.access (404 outside the
user's scope, 403 when visible but not writable), input types are checked field by field
(400 invalid), and a write is one service call. A task changed since the client read it
answers 409, naming the field "version"."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from chibo import access
from chibo.api import serializers as s
from chibo.api.auth import ApiError, Invalid, ok, validation_fields
from chibo.api.views import (
    Bad,
    Param,
    Parser,
    _organisation,
    _query_flag,
    _query_id,
    boolean,
    choice,
    code,
    date,
    doc,
    invalid,
    number,
    object_id,
    paginated,
    parse,
    text,
    whole_number,
    year,
)
from chibo.core.dates import today
from chibo.core.text import fold
from chibo.organisations.models import Organisation
from chibo.plans import selectors as plan_selectors
from chibo.plans import services as plan_services
from chibo.plans.models import Resolution, Target
from chibo.tasks import selectors as task_selectors
from chibo.tasks import services as task_services
from chibo.tasks.models import Assignee, Recurrence, Task, Update

PAGE = Param("page", "page number, from 1", {"type": "integer", "minimum": 1})
TASK_STATUSES = ["active", *Task.Status.values]  # "active": not started, in progress, submitted or returned
WORKING = (Task.Status.OPEN, Task.Status.IN_PROGRESS, Task.Status.RETURNED)


# --- Input parsing ---------------------------------------------------------------------------

def milestones(value: Any) -> dict[int, Any]:
    message = _("Give the milestones as an object of year → value, for example {\"2026\": \"10\", \"2028\": \"20\"}.")
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > 20:
        raise Bad(message)
    out = {}
    for key, amount in value.items():
        if not (isinstance(key, str) and key.isascii() and key.isdigit() and len(key) == 4):
            raise Bad(message)
        try:
            out[year()(int(key))] = number()(amount)
        except Bad:
            raise Bad(message) from None
    return out


def assignees(value: Any) -> list[tuple[int | None, str | None, bool]]:
    message = _("Give a list of assignees, each {\"person\": person id} or {\"organisation\": \"CODE\"}, "
                "with \"lead\": true for the one who leads.")
    if not isinstance(value, list) or len(value) > 100:
        raise Bad(message)
    out = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"person", "organisation", "lead"} \
                or ("person" in item) == ("organisation" in item):
            raise Bad(message)
        lead = item.get("lead", False)
        person = item.get("person")
        org = item.get("organisation")
        if not isinstance(lead, bool):
            raise Bad(message)
        if "person" in item and (isinstance(person, bool) or not isinstance(person, int) or person < 1):
            raise Bad(message)
        if "organisation" in item and (not isinstance(org, str) or not org.strip() or len(org) > 32):
            raise Bad(message)
        out.append((person, org.strip() if isinstance(org, str) else None, lead))
    return out


def percent(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise Bad(_("Progress is a whole number from 0 to 100 (per cent)."))
    return value


def version(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Bad(_("Send the task's \"version\" as you last read it (a whole number, given by "
                    "GET /api/v1/tasks/<id>/), so that nobody's change is lost."))
    return value


RESOLUTION_SPEC: dict[str, Parser] = {
    "body": choice(Resolution.Body.values), "kind": choice(Resolution.Kind.values), "number": text(50),
    "issued_on": date(), "period_start": year(), "period_end": year(), "title": text(300), "summary": text(5000),
    "status": choice(Resolution.Status.values),
}
RESOLUTION_CREATE_SPEC = {"organisation": code, **RESOLUTION_SPEC}
TARGET_SPEC: dict[str, Parser] = {
    "organisation": code, "parent": object_id(null=True), "position": whole_number, "name": text(300),
    "unit": text(40), "kind": choice(Target.Kind.values), "direction": choice(Target.Direction.values),
    "baseline_value": number(null=True), "baseline_year": year(null=True), "target_value": number(),
    "roll_up": choice(Target.RollUp.values), "weight": number(null=True), "note": text(5000),
    "milestones": milestones,
}
TARGET_CREATE_SPEC = {"resolution": object_id(), **TARGET_SPEC}
INHERITED = ("name", "unit", "kind", "direction", "baseline_year")  # a part is measured like its whole
MEASUREMENT_SPEC: dict[str, Parser] = {"measured_on": date(), "value": number(), "note": text(5000)}
TASK_SPEC: dict[str, Parser] = {
    "assignees": assignees, "title": text(300), "description": text(5000), "start_on": date(null=True),
    "due_on": date(null=True), "expected_output": text(5000), "measure_value": number(null=True),
    "measure_unit": text(40), "verifier": object_id(null=True), "verify_by": date(null=True),
    "target": object_id(null=True), "decision": text(300),
    "recurrence": choice([r for r in Recurrence.values if r], blank=True), "repeat_until": date(null=True),
}
TASK_CREATE_SPEC = {"organisation": code, **TASK_SPEC}
TASK_UPDATE_SPEC = {**TASK_SPEC, "version": version}
UPDATE_KINDS = ["progress", "submit", "accept", "return", "cancel"]
UPDATE_SPEC: dict[str, Parser] = {"kind": choice(UPDATE_KINDS), "progress": percent, "note": text(5000),
                                  "exceeded": boolean, "version": version}
UPDATE_FIELDS = {"progress": {"progress", "note", "version"}, "submit": {"note", "version"},
                 "accept": {"note", "exceeded", "version"}, "return": {"note", "version"},
                 "cancel": {"note", "version"}}


def _required(name: str) -> Invalid:
    return invalid(name, _("This field is required. Add it to the request."))


def _conflict(exc: ValidationError) -> ApiError:
    """409: the task changed since the client read it (the service's message, under "version")."""
    fields = validation_fields(exc)
    return ApiError("invalid", fields["version"][0], 409, fields)


def _query_choice(request: HttpRequest, name: str, choices: list[str]) -> str:
    value = request.GET.get(name, "").strip()
    if value and value not in choices:
        raise invalid(name, _("Give one of: %(choices)s.") % {"choices": ", ".join(choices)})
    return value


# --- Looking objects up for input fields (always through chibo.access) ------------------------

def _issuer(user: Any, org_code: str | None) -> Organisation:
    """The organisation issuing a new resolution: 400 when its resolutions are out of the
    user's reach, 403 when the user reads them but may not issue for it."""
    if org_code is None:
        raise _required("organisation")
    try:
        return access.get_resolution_issuer(user, org_code)
    except Http404:
        raise invalid("organisation", _("No party organisation with the code %(code)s within your scope. "
                                        "Use a code listed by /api/v1/organisations/.") % {"code": org_code}) from None
    except PermissionDenied:
        group = access.organisations(user).filter(code=org_code, kind=Organisation.Kind.PARTY_GROUP).first()
        if group is not None and access.may_issue_resolution(user, group):
            return group  # the service says why a party group issues no resolution
        raise


def _resolution_to_write(user: Any, pk: int) -> Resolution:
    try:
        return access.get_resolution(user, pk, write=True)
    except Http404:
        raise invalid("resolution", _("No resolution with the id %(id)s within your scope. "
                                      "Use an id listed by /api/v1/resolutions/.") % {"id": pk}) from None


def _target_ref(user: Any, name: str, pk: int | None) -> Target | None:
    if pk is None:
        return None
    try:
        return access.get_target(user, pk)
    except Http404:
        raise invalid(name, _("No target with the id %(id)s within your scope. "
                              "Use an id listed by /api/v1/targets/.") % {"id": pk}) from None


def _task_refs(user: Any, org: Organisation, data: dict[str, Any]) -> dict[str, Any]:
    """Person ids, organisation codes and the target id of a task's input → objects."""
    out = dict(data)
    people = access.task_people(user, org)
    if out.get("verifier") is not None:
        verifier = people.filter(pk=out["verifier"]).first()
        if verifier is None:
            raise invalid("verifier", _(
                "No current member with the person id %(id)s who could verify a task of %(org)s. Choose a member "
                "of %(org)s or of the party organisation of its commune.") % {"id": out["verifier"], "org": org.name})
        out["verifier"] = verifier
    if "target" in out:
        out["target"] = _target_ref(user, "target", out["target"])
    if "assignees" in out:
        items = out["assignees"]
        found = {p.pk: p for p in people.filter(pk__in=[p for p, _c, _l in items if p is not None])}
        orgs = {o.code: o for o in access.organisations(user).filter(code__in=[c for _p, c, _l in items if c])}
        chosen = []
        for person_id, org_code, lead in items:
            if person_id is not None and person_id not in found:
                raise invalid("assignees", _(
                    "No current member with the person id %(id)s in %(org)s. Give the person id of a member "
                    "(\"person_id\" in /api/v1/members/<id>/).") % {"id": person_id, "org": org.name})
            if org_code is not None and org_code not in orgs:
                raise invalid("assignees", _(
                    "No party organisation with the code %(code)s within your scope. "
                    "Use a code listed by /api/v1/organisations/.") % {"code": org_code})
            chosen.append(task_services.Assign(person=found.get(person_id) if person_id else None,
                                               organisation=orgs.get(org_code) if org_code else None, lead=lead))
        out["assignees"] = chosen
    return out


# --- Resolutions ------------------------------------------------------------------------------

@doc("Resolutions, plans and action programmes you may read, 25 a page, newest first", "resolutions",
     "ResolutionList", errors=(400, 401),
     query=(Param("org", "only those issued by the organisation with this code"),
            Param("status", "only those with this status", {"type": "string", "enum": Resolution.Status.values}),
            Param("q", "number or title (accents optional)"), PAGE))
def resolution_list(request: HttpRequest) -> HttpResponse:
    status = _query_choice(request, "status", Resolution.Status.values)
    qs = access.resolutions(request.user).select_related("organisation")
    if org_code := request.GET.get("org", "").strip():
        qs = qs.filter(organisation__code=org_code)
    if status:
        qs = qs.filter(status=status)
    if q := fold(request.GET.get("q", "")).strip():
        qs = qs.filter(search_text__contains=q)
    return ok(paginated(request, qs.order_by("-issued_on", "number", "id"),
                        lambda rows: [s.resolution_to_dict(r) for r in rows]))


def _resolution_response(user: Any, pk: int, status: int = 200) -> HttpResponse:
    res = access.get_resolution(user, pk)
    top = list(access.targets(user).filter(resolution=res, parent__isnull=True)
               .select_related("organisation", "resolution").order_by("position", "id"))
    figs = plan_selectors.figures(top)
    return ok({**s.resolution_to_dict(res), "can_write": access.may_issue_resolution(user, res.organisation),
               "targets": [s.target_to_dict(t, figs[t.pk]) for t in top]}, status=status)


@doc("A resolution with its targets (not their parts) and their figures today", "resolutions", "ResolutionDetail")
def resolution_detail(request: HttpRequest, id: int) -> HttpResponse:
    return _resolution_response(request.user, id)


@doc("Record a resolution, plan or action programme", "resolutions", "ResolutionDetail", status=201,
     body="ResolutionCreate", errors=(400, 401, 403))
def resolution_create(request: HttpRequest) -> HttpResponse:
    data = parse(request.json, RESOLUTION_CREATE_SPEC, ("organisation", "body"))  # type: ignore[attr-defined]
    data["organisation"] = _issuer(request.user, data.get("organisation"))
    res = plan_services.resolution_create(actor=request.user, **data)
    return _resolution_response(request.user, res.pk, status=201)


@doc("Correct a resolution or change its status", "resolutions", "ResolutionDetail", body="ResolutionUpdate",
     errors=(400, 401, 403, 404))
def resolution_update(request: HttpRequest, id: int) -> HttpResponse:
    res = access.get_resolution(request.user, id, write=True)
    data = parse(request.json, RESOLUTION_SPEC)  # type: ignore[attr-defined]
    plan_services.resolution_update(res, actor=request.user, **data)
    return _resolution_response(request.user, res.pk)


# --- Targets ----------------------------------------------------------------------------------

def _target_rows(targets: list[Target]) -> list[dict[str, Any]]:
    # figures() walks down from the targets it is given: give it only those whose whole is not
    # on the page, and it reaches the others as their parts (each target read once).
    on_page = {t.pk for t in targets}
    figs = plan_selectors.figures([t for t in targets if t.parent_id not in on_page])
    return [s.target_to_dict(t, figs[t.pk]) for t in targets]


@doc("Targets of the resolutions you may read, with their figures today, 25 a page", "targets", "TargetList",
     errors=(400, 401, 404),
     query=(Param("resolution", "only the targets of the resolution with this id", {"type": "integer", "minimum": 1}),
            Param("org", "only the targets the organisation with this code is responsible for"), PAGE))
def target_list(request: HttpRequest) -> HttpResponse:
    qs = access.targets(request.user).select_related("resolution", "organisation")
    if (res_id := _query_id(request, "resolution")) is not None:
        qs = qs.filter(resolution=access.get_resolution(request.user, res_id))
    if org_code := request.GET.get("org", "").strip():
        qs = qs.filter(organisation__code=org_code)
    qs = qs.order_by("-resolution__issued_on", "resolution_id", F("parent_id").asc(nulls_first=True), "position", "id")
    return ok(paginated(request, qs, _target_rows))


def _target_response(user: Any, pk: int, status: int = 200) -> HttpResponse:
    target = access.get_target(user, pk)
    figs = plan_selectors.figures([target])
    parts = sorted((f for f in figs.values() if f.target.parent_id == target.pk),
                   key=lambda f: (f.target.position, f.target.pk))
    return ok({
        **s.target_to_dict(target, figs[target.pk]),
        "milestones": {str(m.year): s.number(m.value) for m in target.milestones.all()},
        "parts": [s.target_to_dict(f.target, f) for f in parts],
        "can_write": access.may_issue_resolution(user, target.resolution.organisation),
        "can_report": access.may_report(user, target),
    }, status=status)


@doc("A target with its figure today (for a target added up from its parts, the sum written out), "
     "its milestones and its parts", "targets", "TargetDetail")
def target_detail(request: HttpRequest, id: int) -> HttpResponse:
    return _target_response(request.user, id)


@doc("Add a target to a resolution, or give an organisation its part of a target (\"parent\"): a part takes "
     "the name, unit, kind, direction and baseline year of its whole unless given", "targets", "TargetDetail",
     status=201, body="TargetCreate", errors=(400, 401, 403))
def target_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    data = parse(request.json, TARGET_CREATE_SPEC, ("organisation",))  # type: ignore[attr-defined]
    parent = _target_ref(user, "parent", data.get("parent"))
    if "resolution" in data:
        res = _resolution_to_write(user, data.pop("resolution"))
    elif parent is not None:
        res = access.get_resolution(user, parent.resolution_id, write=True)
    else:
        raise invalid("resolution", _("Give the id of the resolution, or the id of the target this one is a "
                                      "part of (\"parent\")."))
    if parent is not None:
        for key in INHERITED:
            data.setdefault(key, getattr(parent, key))
        data.setdefault("roll_up", Target.RollUp.NONE)
    data["parent"] = parent
    data["organisation"] = _organisation(user, data["organisation"])
    target = plan_services.target_create(actor=user, resolution=res, **data)
    return _target_response(user, target.pk, status=201)


@doc("Change a target (\"milestones\" replaces them all)", "targets", "TargetDetail", body="TargetUpdate",
     errors=(400, 401, 403, 404))
def target_update(request: HttpRequest, id: int) -> HttpResponse:
    user = request.user
    target = access.get_target(user, id, write=True)
    data = parse(request.json, TARGET_SPEC)  # type: ignore[attr-defined]
    if "parent" in data:
        data["parent"] = _target_ref(user, "parent", data["parent"])
    if "organisation" in data:
        data["organisation"] = _organisation(user, data["organisation"])
    plan_services.target_update(target, actor=user, **data)
    return _target_response(user, target.pk)


# --- Measurements -----------------------------------------------------------------------------

@doc("The figures recorded for a target, newest first, 25 a page", "targets", "MeasurementList",
     errors=(400, 401, 404), query=(PAGE,))
def measurement_list(request: HttpRequest, id: int) -> HttpResponse:
    target = access.get_target(request.user, id)
    qs = target.measurements.select_related("reported_by__person").order_by("-measured_on", "-id")
    return ok(paginated(request, qs, lambda rows: [s.measurement_to_dict(m) for m in rows]))


@doc("Record a figure of a target (evidence files are attached in the web pages)", "targets", "MeasurementResult",
     status=201, body="MeasurementCreate", errors=(400, 401, 403, 404))
def measurement_create(request: HttpRequest, id: int) -> HttpResponse:
    target = access.get_target(request.user, id, report=True)
    data = parse(request.json, MEASUREMENT_SPEC, ("measured_on", "value"))  # type: ignore[attr-defined]
    m = plan_services.measurement_record(actor=request.user, target=target, **data)
    m = target.measurements.select_related("reported_by__person").get(pk=m.pk)
    fig = plan_selectors.figures([target])[target.pk]
    return ok({"measurement": s.measurement_to_dict(m), "figure": s.figure_to_dict(fig)}, status=201)


# --- Tasks ------------------------------------------------------------------------------------

def _task_rows(tasks: list[Task]) -> list[dict[str, Any]]:
    return [s.task_to_dict(t, t.assignees.all()) for t in tasks]


@doc("Tasks you may see, 25 a page, by deadline", "tasks", "TaskList", errors=(400, 401, 404),
     query=(Param("org", "only tasks assigned by the organisation with this code or one below it"),
            Param("status", "\"active\": not started, in progress, submitted or returned (\"open\" alone is not started)",
                  {"type": "string", "enum": TASK_STATUSES}),
            Param("mine", "1: only tasks assigned to you (your person)", {"type": "integer", "enum": [0, 1]}),
            Param("overdue", "1: only tasks still being worked on past their deadline",
                  {"type": "integer", "enum": [0, 1]}),
            PAGE))
def task_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    status = _query_choice(request, "status", TASK_STATUSES)
    mine, overdue = _query_flag(request, "mine"), _query_flag(request, "overdue")
    qs: QuerySet[Task] = access.tasks(user)
    if org_code := request.GET.get("org", "").strip():
        qs = task_selectors.in_subtree(qs, access.get_organisation(user, org_code))
    if status == "active":
        qs = qs.filter(status__in=Task.OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if mine:
        person_id = getattr(user, "person_id", None)
        qs = qs.filter(pk__in=Assignee.objects.filter(person_id=person_id).values("task_id")) if person_id \
            else qs.none()
    if overdue:
        qs = qs.filter(status__in=WORKING, due_on__lt=today())
    qs = task_selectors.with_people(qs).order_by(F("due_on").asc(nulls_last=True), "id")
    return ok(paginated(request, qs, _task_rows))


def _task_response(user: Any, pk: int, status: int = 200, **extra: Any) -> HttpResponse:
    task = access.get_task(user, pk)
    rows = list(task.assignees.select_related("person", "organisation"))
    body = {**s.task_detail_to_dict(task, rows), "can_edit": access.may_edit_task(user, task),
            "can_report": access.may_report_task(user, task, rows),
            "can_verify": access.may_verify_task(user, task, rows)}
    return ok({**extra, "task": body} if extra else body, status=status)


@doc("A task: who, what, responsibility, time, result and verification (\"6 rõ\"), with its status", "tasks",
     "TaskDetail")
def task_detail(request: HttpRequest, id: int) -> HttpResponse:
    return _task_response(request.user, id)


@doc("Assign a task; every one of the \"6 rõ\" must be clear", "tasks", "TaskDetail", status=201,
     body="TaskCreate", errors=(400, 401, 403))
def task_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    data = parse(request.json, TASK_CREATE_SPEC, ("organisation",))  # type: ignore[attr-defined]
    org = _organisation(user, data.pop("organisation"))
    if org is None:
        raise _required("organisation")
    if not access.may_assign(user, org):
        raise PermissionDenied
    data = _task_refs(user, org, data)
    task = task_services.task_create(actor=user, organisation=org, assignees=data.pop("assignees", []), **data)
    return _task_response(user, task.pk, status=201)


@doc("Change an open task; send the \"version\" you read (409 if someone changed the task since)", "tasks",
     "TaskDetail", body="TaskUpdate", errors=(400, 401, 403, 404, 409))
def task_update(request: HttpRequest, id: int) -> HttpResponse:
    user = request.user
    task = access.get_task(user, id, edit=True)
    data = parse(request.json, TASK_UPDATE_SPEC, ("version",))  # type: ignore[attr-defined]
    seen = data.pop("version")
    data = _task_refs(user, task.organisation, data)
    try:
        task_services.task_update(task, actor=user, version=seen, **data)
    except task_services.Conflict as exc:
        raise _conflict(exc) from None
    return _task_response(user, task.pk)


@doc("What happened to a task: progress, submission, the verifier's decisions, changes; oldest first, "
     "25 a page", "tasks", "UpdateList", errors=(400, 401, 404), query=(PAGE,))
def update_list(request: HttpRequest, id: int) -> HttpResponse:
    task = access.get_task(request.user, id)
    qs = task.updates.select_related("author__person", "on_behalf_of").order_by("created_at", "id")
    return ok(paginated(request, qs, lambda rows: [s.update_to_dict(u) for u in rows]))


@doc("Report progress or submit the result (an assignee), accept or return it (the verifier), or cancel the "
     "task (who assigns it). The assignees cannot accept their own task: 403", "tasks", "UpdateResult",
     status=201, body="UpdateCreate", errors=(400, 401, 403, 404, 409))
def update_create(request: HttpRequest, id: int) -> HttpResponse:
    user = request.user
    task = access.get_task(user, id)
    data = parse(request.json, UPDATE_SPEC, ("kind",))  # type: ignore[attr-defined]
    kind = data.pop("kind")
    extra = sorted(set(data) - UPDATE_FIELDS[kind])
    if extra:
        raise Invalid({name: [_("This field is not used with the kind \"%(kind)s\". Remove it.") % {"kind": kind}]
                       for name in extra})
    rows = list(task.assignees.select_related("organisation"))
    allowed = {
        "progress": access.may_report_task, "submit": access.may_report_task,
        "accept": access.may_verify_task, "return": access.may_verify_task,
    }
    if not (allowed[kind](user, task, rows) if kind in allowed else access.may_edit_task(user, task)):
        raise PermissionDenied
    try:
        if kind == "progress":
            update = task_services.task_progress(task, actor=user, progress=data.pop("progress", None), **data)
        elif kind == "submit":
            update = task_services.task_submit(task, actor=user, **data)
        elif kind == "accept":
            update = task_services.task_accept(task, actor=user, **data)
        elif kind == "return":
            update = task_services.task_return(task, actor=user, note=data.pop("note", ""), **data)
        else:
            update = task_services.task_cancel(task, actor=user, note=data.pop("note", ""), **data)
    except task_services.Conflict as exc:
        raise _conflict(exc) from None
    saved: Update = task.updates.select_related("author__person", "on_behalf_of").get(pk=update.pk)
    return _task_response(user, task.pk, status=201, update=s.update_to_dict(saved))
