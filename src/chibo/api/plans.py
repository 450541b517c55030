"""Resolutions, their targets and the figures measured on them, and tasks under "6 rõ" with their
updates: schemas and handlers.

The same rules as chibo.api.members: every object comes through chibo.access (404 outside the
user's scope, 403 when visible but not writable), input is checked field by field (400
invalid), and a write is one service call. A task changed since the client read it answers
409, naming the field "version"."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from chibo import access
from chibo.api.core import (
    PAGE,
    ApiError,
    Bad,
    Boolean,
    Day,
    In,
    Invalid,
    Moment,
    Num,
    Q,
    WholeNumber,
    _number,
    _year,
    choice,
    code,
    date,
    enum,
    field,
    invalid,
    number,
    number_out,
    object_id,
    page_of,
    paginated,
    query_choice,
    query_flag,
    query_id,
    responses,
    text,
    validation_fields,
    year,
)
from chibo.api.members import organisation_ref
from chibo.core.dates import today
from chibo.core.text import fold
from chibo.organisations.models import Organisation
from chibo.plans import rules as plan_rules
from chibo.plans import selectors as plan_selectors
from chibo.plans import services as plan_services
from chibo.plans.models import Measurement, Resolution, Target
from chibo.plans.selectors import Figure
from chibo.tasks import selectors as task_selectors
from chibo.tasks import services as task_services
from chibo.tasks.models import Assignee, Recurrence, Task, Update

router = Router()
TASK_STATUSES = ["active", *Task.Status.values]  # "active": not started, in progress, submitted or returned
WORKING = (Task.Status.OPEN, Task.Status.IN_PROGRESS, Task.Status.RETURNED)
INHERITED = ("name", "unit", "kind", "direction", "baseline_year")  # a part is measured like its whole
UPDATE_KINDS = ["progress", "submit", "accept", "return", "cancel"]
UPDATE_FIELDS = {"progress": {"progress", "note", "version"}, "submit": {"note", "version"},
                 "accept": {"note", "exceeded", "version"}, "return": {"note", "version"},
                 "cancel": {"note", "version"}}


# --- Input fields ------------------------------------------------------------------------------

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
            out[_year(int(key))] = _number(amount)
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



Milestones = field(milestones, {"type": "object", "additionalProperties": {"type": ["string", "number"]},
                                "propertyNames": {"pattern": r"^\d{4}$"},
                                "description": "year → the value to reach by its end", "examples": [{"2026": "10"}]})
AssigneesIn = field(assignees, {"type": "array", "description": "rõ người, rõ trách nhiệm: exactly one has "
                                                                "\"lead\": true", "items": {"oneOf": [
    {"type": "object", "properties": {"person": {"type": "integer", "minimum": 1, "description": "person id"},
                                      "lead": {"type": "boolean"}}, "required": ["person"],
     "additionalProperties": False},
    {"type": "object", "properties": {"organisation": {"type": "string", "maxLength": 32}, "lead": {"type": "boolean"}},
     "required": ["organisation"], "additionalProperties": False}]}})
Percent = field(percent, {"type": "integer", "minimum": 0, "maximum": 100})
Version = field(version, {"type": "integer", "minimum": 1, "description": "the version as you read it (409 if stale)"})
Text = text(5000)
Text300 = text(300)
Text50 = text(50)
Text40 = text(40)
Date = date()
NullDate = date(null=True)
Year = year()
NullYear = year(null=True)
Number = number()
NullNumber = number(null=True)
NullId = object_id(null=True)


def required(name: str) -> Invalid:
    return invalid(name, _("This field is required. Add it to the request."))


def conflict(exc: ValidationError) -> ApiError:
    """409: the object changed since the client read it (the service's message, under "version")."""
    fields = validation_fields(exc)
    return ApiError("invalid", fields["version"][0], 409, fields)


# --- Schemas ----------------------------------------------------------------------------------

class ResolutionOut(Schema):
    id: int
    organisation: str = Field(alias="organisation.code")
    organisation_name: str = Field(alias="organisation.name")
    body: str
    kind: str
    number: str
    issued_on: Day | None
    period_start: int | None
    period_end: int | None
    title: str
    summary: str
    status: str = Field(json_schema_extra=enum(Resolution.Status.values))
    file_name: str


class ResolutionUpdate(In):
    """Only the fields sent are changed."""

    body: choice(Resolution.Body.values) = None
    kind: choice(Resolution.Kind.values) = None
    number: Text50 = None
    issued_on: Date = None
    period_start: Year = None
    period_end: Year = None
    title: Text300 = None
    summary: Text = None
    status: choice(Resolution.Status.values) = None


class ResolutionCreate(ResolutionUpdate):
    organisation: code("the issuing organisation")
    body: choice(Resolution.Body.values)


class RollUp(Schema):
    rule: str = Field(json_schema_extra=enum(Target.RollUp.values))
    explanation: str = Field(json_schema_extra={"examples": ["12 + 3 = 15"]})
    parts: int
    reported: int = Field(alias="counted")

    @staticmethod
    def resolve_explanation(roll_up: Any) -> str:
        return roll_up.explain()

    @staticmethod
    def resolve_parts(roll_up: Any) -> int:
        return len(roll_up.parts)


class FigureOut(Schema):
    """The target's figure on a day: its latest value (or the roll-up of its parts' values, with
    the sum written out), progress from baseline to target (1 = reached) and status."""

    value: Num | None
    measured_on: Day | None
    progress: str | None = Field(description="share of the way from baseline to target (1 = reached)")
    percent: int | None
    status: str = Field(json_schema_extra=enum([
        plan_rules.Status.ACHIEVED, plan_rules.Status.ON_TRACK, plan_rules.Status.AT_RISK,
        plan_rules.Status.OFF_TRACK, plan_rules.Status.NO_DATA]))
    roll_up: RollUp | None = Field(description="set when the value is added up from the parts")

    @staticmethod
    def resolve_progress(fig: Figure) -> str | None:
        return number_out(fig.progress, 4)


class TargetOut(Schema):
    """Handlers set `figure` on each target (plan_selectors.figures, one pass for a page)."""

    id: int
    resolution: int = Field(alias="resolution_id")
    organisation: str = Field(alias="organisation.code")
    organisation_name: str = Field(alias="organisation.name")
    parent: int | None = Field(alias="parent_id")
    position: int
    name: str
    unit: str
    kind: str = Field(json_schema_extra=enum(Target.Kind.values))
    direction: str = Field(json_schema_extra=enum(Target.Direction.values))
    baseline_value: Num | None
    baseline_year: int | None
    target_value: Num
    roll_up: str = Field(json_schema_extra=enum(Target.RollUp.values))
    weight: Num | None
    note: str
    figure: FigureOut = Field(alias="api_figure")


class ResolutionDetail(ResolutionOut):
    can_write: bool
    targets: list[TargetOut]

    @staticmethod
    def resolve_can_write(res: Resolution, context: Any) -> bool:
        return access.may_issue_resolution(context["request"].user, res.organisation)

    @staticmethod
    def resolve_targets(res: Resolution, context: Any) -> list[Target]:
        top = list(access.targets(context["request"].user).filter(resolution=res, parent__isnull=True)
                   .select_related("organisation", "resolution").order_by("position", "id"))
        return with_figures(top)


class TargetDetail(TargetOut):
    milestones: dict[str, Num]
    parts: list[TargetOut] = Field(alias="api_parts")
    can_write: bool
    can_report: bool

    @staticmethod
    def resolve_milestones(t: Target) -> dict[str, Any]:
        return {str(m.year): m.value for m in t.milestones.all()}

    @staticmethod
    def resolve_can_write(t: Target, context: Any) -> bool:
        return access.may_issue_resolution(context["request"].user, t.resolution.organisation)

    @staticmethod
    def resolve_can_report(t: Target, context: Any) -> bool:
        return access.may_report(context["request"].user, t)


class TargetUpdate(In):
    """Only the fields sent are changed."""

    organisation: code("the responsible organisation") = None
    parent: object_id(null=True, description="the target this one is a part of") = None
    position: WholeNumber = None
    name: Text300 = None
    unit: Text40 = None
    kind: choice(Target.Kind.values) = None
    direction: choice(Target.Direction.values) = None
    baseline_value: NullNumber = None
    baseline_year: NullYear = None
    target_value: Number = None
    roll_up: choice(Target.RollUp.values) = None
    weight: NullNumber = None
    note: Text = None
    milestones: Milestones = None


class TargetCreate(TargetUpdate):
    resolution: object_id(description="not needed with \"parent\"") = None
    organisation: code("the responsible organisation")


class MeasurementOut(Schema):
    id: int
    target: int = Field(alias="target_id")
    measured_on: Day
    value: Num
    note: str
    file_name: str
    reported_by: str | None
    created_at: Moment

    @staticmethod
    def resolve_reported_by(m: Measurement) -> str | None:
        return str(m.reported_by) if m.reported_by is not None else None


class MeasurementCreate(In):
    measured_on: Date
    value: Number
    note: Text = None


class MeasurementResult(Schema):
    measurement: MeasurementOut
    figure: FigureOut


class AssigneeOut(Schema):
    person: int | None = Field(alias="person_id")
    person_name: str | None = Field(None, alias="person.full_name")
    organisation: str | None = Field(None, alias="organisation.code")
    organisation_name: str | None = Field(None, alias="organisation.name")
    role: str = Field(json_schema_extra=enum(Assignee.Role.values))
    lead: bool

    @staticmethod
    def resolve_lead(a: Assignee) -> bool:
        return a.role == Assignee.Role.LEAD


class TaskOut(Schema):
    """A task row, the lead first. select_related: organisation, verifier; assignees with person,
    organisation."""

    id: int
    organisation: str = Field(alias="organisation.code")
    organisation_name: str = Field(alias="organisation.name")
    title: str
    status: str = Field(json_schema_extra=enum(Task.Status.values))
    progress: int
    start_on: Day | None
    due_on: Day | None
    verifier: int | None = Field(alias="verifier_id")
    verifier_name: str | None = Field(None, alias="verifier.full_name")
    verify_by: Day | None
    assignees: list[AssigneeOut]
    target: int | None = Field(alias="target_id")
    outcome: str | None = Field(json_schema_extra=enum([*Task.Outcome.values, None]))
    completed_on: Day | None
    version: int = Field(description="send it back with a change")

    @staticmethod
    def resolve_assignees(t: Task) -> list[Assignee]:
        rows = getattr(t, "api_assignees", None)
        rows = t.assignees.all() if rows is None else rows
        return sorted(rows, key=lambda a: (a.role != Assignee.Role.LEAD, a.pk))

    @staticmethod
    def resolve_outcome(t: Task) -> str | None:
        return t.outcome or None


class TaskDetail(TaskOut):
    """The whole task: the row plus what it is about and how it repeats; handlers set
    `api_assignees` (with person and organisation)."""

    description: str
    expected_output: str
    measure_value: Num | None
    measure_unit: str
    decision: str
    recurrence: str = Field(json_schema_extra=enum(Recurrence.values))
    repeat_until: Day | None
    series: int | None = Field(alias="series_id")
    created_at: Moment
    can_edit: bool
    can_report: bool
    can_verify: bool

    @staticmethod
    def resolve_can_edit(t: Task, context: Any) -> bool:
        return access.may_edit_task(context["request"].user, t)

    @staticmethod
    def resolve_can_report(t: Task, context: Any) -> bool:
        return access.may_report_task(context["request"].user, t, t.api_assignees)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_can_verify(t: Task, context: Any) -> bool:
        return access.may_verify_task(context["request"].user, t, t.api_assignees)  # type: ignore[attr-defined]


class TaskFields(In):

    assignees: AssigneesIn = None
    title: Text300 = None
    description: Text = None
    start_on: NullDate = None
    due_on: NullDate = None
    expected_output: Text = None
    measure_value: NullNumber = None
    measure_unit: Text40 = None
    verifier: object_id(null=True, description="person id of the member who verifies") = None
    verify_by: NullDate = None
    target: object_id(null=True, description="target id") = None
    decision: Text300 = None
    recurrence: choice([r for r in Recurrence.values if r], blank=True) = None
    repeat_until: NullDate = None


class TaskUpdate(TaskFields):
    """Only the fields sent are changed; "assignees" replaces them all."""

    version: Version


class TaskCreate(TaskFields):
    organisation: code("the organisation assigning the task")


class UpdateOut(Schema):
    id: int
    task: int = Field(alias="task_id")
    kind: str = Field(json_schema_extra=enum(Update.Kind.values))
    progress: int | None
    note: str
    file_name: str
    author: str | None
    on_behalf_of: int | None = Field(alias="on_behalf_of_id")
    on_behalf_of_name: str | None = Field(None, alias="on_behalf_of.full_name")
    created_at: Moment

    @staticmethod
    def resolve_author(u: Update) -> str | None:
        return str(u.author) if u.author is not None else None


class UpdateCreate(In):
    kind: choice(UPDATE_KINDS)
    progress: Percent = Field(None, description="kind progress")
    note: Text = Field(None, description="required to submit, return and cancel")
    exceeded: Boolean = Field(None, description="kind accept: the result went beyond what was expected")
    version: Version = None


class UpdateResult(Schema):
    update: UpdateOut
    task: TaskDetail


def with_figures(targets: list[Target]) -> list[Target]:
    """The targets with their figures today (`api_figure`). figures() walks down from the
    targets it is given: give it only those whose whole is not in the list, and it reaches the
    others as their parts (each target read once)."""
    listed = {t.pk for t in targets}
    figs = plan_selectors.figures([t for t in targets if t.parent_id not in listed])
    for t in targets:
        t.api_figure = figs[t.pk]  # type: ignore[attr-defined]
    return targets


# --- Looking objects up for input fields (always through chibo.access) ------------------------

def _issuer(user: Any, org_code: str | None) -> Organisation:
    """The organisation issuing a new resolution: 400 when its resolutions are out of the
    user's reach, 403 when the user reads them but may not issue for it."""
    if org_code is None:
        raise required("organisation")
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

@router.get("resolutions/", response=responses(page_of(ResolutionOut), 200, 400), url_name="resolutions",
            tags=["resolutions"], summary="Resolutions, plans and action programmes you may read, 25 a page, "
                                          "newest first")
def resolution_list(request: HttpRequest, org: str = Q("only those issued by the organisation with this code"),
                    status: str = Q("only those with this status", {"enum": Resolution.Status.values}),
                    q: str = Q("number or title (accents optional)"), page: str = PAGE) -> Any:
    status = query_choice("status", status, Resolution.Status.values)
    qs = access.resolutions(request.user).select_related("organisation")
    if org.strip():
        qs = qs.filter(organisation__code=org.strip())
    if status:
        qs = qs.filter(status=status)
    if folded := fold(q).strip():
        qs = qs.filter(search_text__contains=folded)
    return paginated(page, qs.order_by("-issued_on", "number", "id"))


@router.get("resolutions/{int:id}/", response=responses(ResolutionDetail, 200, 404), url_name="resolution",
            tags=["resolutions"], summary="A resolution with its targets (not their parts) and their figures today")
def resolution_detail(request: HttpRequest, id: int) -> Any:
    return access.get_resolution(request.user, id)


@router.post("resolutions/", response=responses(ResolutionDetail, 201, 400, 403), url_name="resolutions",
             tags=["resolutions"], summary="Record a resolution, plan or action programme")
def resolution_create(request: HttpRequest, payload: ResolutionCreate) -> Any:
    data = payload.sent()
    data["organisation"] = _issuer(request.user, data.get("organisation"))
    res = plan_services.resolution_create(actor=request.user, **data)
    return Status(201, access.get_resolution(request.user, res.pk))


@router.patch("resolutions/{int:id}/", response=responses(ResolutionDetail, 200, 400, 403, 404),
              url_name="resolution", tags=["resolutions"], summary="Correct a resolution or change its status")
def resolution_update(request: HttpRequest, id: int, payload: ResolutionUpdate) -> Any:
    res = access.get_resolution(request.user, id, write=True)
    plan_services.resolution_update(res, actor=request.user, **payload.sent())
    return access.get_resolution(request.user, res.pk)


# --- Targets ----------------------------------------------------------------------------------

@router.get("targets/", response=responses(page_of(TargetOut), 200, 400, 404), url_name="targets", tags=["targets"],
            summary="Targets of the resolutions you may read, with their figures today, 25 a page")
def target_list(request: HttpRequest,
                resolution: str = Q("only the targets of the resolution with this id (a whole number from 1)"),
                org: str = Q("only the targets the organisation with this code is responsible for"),
                page: str = PAGE) -> Any:
    qs = access.targets(request.user).select_related("resolution", "organisation")
    if (res_id := query_id("resolution", resolution)) is not None:
        qs = qs.filter(resolution=access.get_resolution(request.user, res_id))
    if org.strip():
        qs = qs.filter(organisation__code=org.strip())
    qs = qs.order_by("-resolution__issued_on", "resolution_id", F("parent_id").asc(nulls_first=True), "position", "id")
    return paginated(page, qs, with_figures)


def _target(user: Any, pk: int) -> Target:
    target = access.get_target(user, pk)
    figs = plan_selectors.figures([target])
    target.api_figure = figs[target.pk]  # type: ignore[attr-defined]
    target.api_parts = [f.target for f in sorted(  # type: ignore[attr-defined]
        (f for f in figs.values() if f.target.parent_id == target.pk), key=lambda f: (f.target.position, f.target.pk))]
    for part in target.api_parts:  # type: ignore[attr-defined]
        part.api_figure = figs[part.pk]
    return target


@router.get("targets/{int:id}/", response=responses(TargetDetail, 200, 404), url_name="target", tags=["targets"],
            summary="A target with its figure today (for a target added up from its parts, the sum written out), "
                    "its milestones and its parts")
def target_detail(request: HttpRequest, id: int) -> Any:
    return _target(request.user, id)


@router.post("targets/", response=responses(TargetDetail, 201, 400, 403), url_name="targets", tags=["targets"],
             summary="Add a target to a resolution, or give an organisation its part of a target (\"parent\"): a "
                     "part takes the name, unit, kind, direction and baseline year of its whole unless given")
def target_create(request: HttpRequest, payload: TargetCreate) -> Any:
    user = request.user
    data = payload.sent()
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
    data["organisation"] = organisation_ref(user, data["organisation"])
    target = plan_services.target_create(actor=user, resolution=res, **data)
    return Status(201, _target(user, target.pk))


@router.patch("targets/{int:id}/", response=responses(TargetDetail, 200, 400, 403, 404), url_name="target",
              tags=["targets"], summary="Change a target (\"milestones\" replaces them all)")
def target_update(request: HttpRequest, id: int, payload: TargetUpdate) -> Any:
    user = request.user
    target = access.get_target(user, id, write=True)
    data = payload.sent()
    if "parent" in data:
        data["parent"] = _target_ref(user, "parent", data["parent"])
    if "organisation" in data:
        data["organisation"] = organisation_ref(user, data["organisation"])
    plan_services.target_update(target, actor=user, **data)
    return _target(user, target.pk)


# --- Measurements -----------------------------------------------------------------------------

@router.get("targets/{int:id}/measurements/", response=responses(page_of(MeasurementOut), 200, 400, 404),
            url_name="measurements", tags=["targets"], summary="The figures recorded for a target, newest first, "
                                                               "25 a page")
def measurement_list(request: HttpRequest, id: int, page: str = PAGE) -> Any:
    target = access.get_target(request.user, id)
    return paginated(page, target.measurements.select_related("reported_by__person").order_by("-measured_on", "-id"))


@router.post("targets/{int:id}/measurements/", response=responses(MeasurementResult, 201, 400, 403, 404),
             url_name="measurements", tags=["targets"],
             summary="Record a figure of a target (evidence files are attached in the web pages)")
def measurement_create(request: HttpRequest, id: int, payload: MeasurementCreate) -> Any:
    target = access.get_target(request.user, id, report=True)
    m = plan_services.measurement_record(actor=request.user, target=target, **payload.sent())
    m = target.measurements.select_related("reported_by__person").get(pk=m.pk)
    return Status(201, {"measurement": m, "figure": plan_selectors.figures([target])[target.pk]})


# --- Tasks ------------------------------------------------------------------------------------

@router.get("tasks/", response=responses(page_of(TaskOut), 200, 400, 404), url_name="tasks", tags=["tasks"],
            summary="Tasks you may see, 25 a page, by deadline")
def task_list(request: HttpRequest,
              org: str = Q("only tasks assigned by the organisation with this code or one below it"),
              status: str = Q("\"active\": not started, in progress, submitted or returned (\"open\" alone is not "
                              "started)", {"enum": TASK_STATUSES}),
              mine: str = Q("1: only tasks assigned to you (your person)"),
              overdue: str = Q("1: only tasks still being worked on past their deadline"), page: str = PAGE) -> Any:
    user: Any = request.user
    status = query_choice("status", status, TASK_STATUSES)
    only_mine, only_overdue = query_flag("mine", mine), query_flag("overdue", overdue)
    qs: QuerySet[Task] = access.tasks(user)
    if org.strip():
        qs = task_selectors.in_subtree(qs, access.get_organisation(user, org.strip()))
    if status == "active":
        qs = qs.filter(status__in=Task.OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if only_mine:
        person_id = getattr(user, "person_id", None)
        qs = qs.filter(pk__in=Assignee.objects.filter(person_id=person_id).values("task_id")) if person_id \
            else qs.none()
    if only_overdue:
        qs = qs.filter(status__in=WORKING, due_on__lt=today())
    qs = task_selectors.with_people(qs).order_by(F("due_on").asc(nulls_last=True), "id")
    return paginated(page, qs)


def _task(user: Any, pk: int) -> Task:
    task = access.get_task(user, pk)
    task.api_assignees = list(task.assignees.select_related("person", "organisation"))  # type: ignore[attr-defined]
    return task


@router.get("tasks/{int:id}/", response=responses(TaskDetail, 200, 404), url_name="task", tags=["tasks"],
            summary="A task: who, what, responsibility, time, result and verification (\"6 rõ\"), with its status")
def task_detail(request: HttpRequest, id: int) -> Any:
    return _task(request.user, id)


@router.post("tasks/", response=responses(TaskDetail, 201, 400, 403), url_name="tasks", tags=["tasks"],
             summary="Assign a task; every one of the \"6 rõ\" must be clear")
def task_create(request: HttpRequest, payload: TaskCreate) -> Any:
    user = request.user
    data = payload.sent()
    org = organisation_ref(user, data.pop("organisation"))
    if org is None:
        raise required("organisation")
    if not access.may_assign(user, org):
        raise PermissionDenied
    data = _task_refs(user, org, data)
    task = task_services.task_create(actor=user, organisation=org, assignees=data.pop("assignees", []), **data)
    return Status(201, _task(user, task.pk))


@router.patch("tasks/{int:id}/", response=responses(TaskDetail, 200, 400, 403, 404, 409), url_name="task",
              tags=["tasks"], summary="Change an open task; send the \"version\" you read (409 if someone changed the "
                                      "task since)")
def task_update(request: HttpRequest, id: int, payload: TaskUpdate) -> Any:
    user = request.user
    task = access.get_task(user, id, edit=True)
    data = payload.sent()
    seen = data.pop("version")
    data = _task_refs(user, task.organisation, data)
    try:
        task_services.task_update(task, actor=user, version=seen, **data)
    except task_services.Conflict as exc:
        raise conflict(exc) from None
    return _task(user, task.pk)


@router.get("tasks/{int:id}/updates/", response=responses(page_of(UpdateOut), 200, 400, 404),
            url_name="task-updates", tags=["tasks"],
            summary="What happened to a task: progress, submission, the verifier's decisions, changes; oldest "
                    "first, 25 a page")
def update_list(request: HttpRequest, id: int, page: str = PAGE) -> Any:
    task = access.get_task(request.user, id)
    return paginated(page, task.updates.select_related("author__person", "on_behalf_of").order_by("created_at", "id"))


@router.post("tasks/{int:id}/updates/", response=responses(UpdateResult, 201, 400, 403, 404, 409),
             url_name="task-updates", tags=["tasks"],
             summary="Report progress or submit the result (an assignee), accept or return it (the verifier), or "
                     "cancel the task (who assigns it). The assignees cannot accept their own task: 403")
def update_create(request: HttpRequest, id: int, payload: UpdateCreate) -> Any:
    user = request.user
    task = access.get_task(user, id)
    data = payload.sent()
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
        raise conflict(exc) from None
    saved: Update = task.updates.select_related("author__person", "on_behalf_of").get(pk=update.pk)
    return Status(201, {"update": saved, "task": _task(user, task.pk)})
