"""The OpenAPI 3.1 document, built from the routes in chibo.api.urls and the `@doc`
description each handler carries, plus the component schemas below. Served at
/api/v1/openapi.json; a test checks that every route appears in it."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from django.urls import URLPattern

from chibo.core.ethnicities import ETHNICITIES
from chibo.indicators.figures import INDICATOR_KEYS
from chibo.members.models import Education, MembershipEvent, PoliticalTheory, Post, Religion, Status
from chibo.members.services import EVENT_RULES
from chibo.organisations.models import Locality, Organisation
from chibo.plans import rules as plan_rules
from chibo.plans.models import Resolution, Target
from chibo.tasks.models import Assignee, Recurrence, Task, Update

PREFIX = "/api/v1"
ERROR_CODES = ["not_found", "forbidden", "unauthorized", "invalid", "method_not_allowed", "bad_request", "busy",
               "server_error"]
ERROR_DESCRIPTIONS = {
    400: "Bad input: `invalid` (with `fields`) or `bad_request` (body is not a JSON object)",
    401: "No valid bearer token",
    403: "Your post lets you read this but not change it",
    404: "Not found within your scope",
    500: "An unexpected error on the server (code `server_error`); nothing was saved",
    503: "The database was busy with a long write (code `busy`); nothing was saved: send the request again "
         "after Retry-After seconds",
    409: "The task or meeting changed since you read it (code `invalid`, naming `version`, or for one person's "
         "attendance `status`): read it again, then resend your change with its current version",
}
CONVERTERS = {"int": {"type": "integer", "minimum": 1}, "str": {"type": "string"}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _null(schema: dict[str, Any]) -> dict[str, Any]:
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": [*types, "null"]}


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
DATE_OUT = {"type": "string", "format": "date"}
DATE_IN = {"type": "string", "description": "dd/mm/yyyy or yyyy-mm-dd", "examples": ["25/03/1990", "1990-03-25"]}
CODE = {"type": "string", "maxLength": 32}


def _obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = required
    return schema


def _list_of(item: str) -> dict[str, Any]:
    return _obj({"count": INT, "results": {"type": "array", "items": _ref(item)}}, ["count", "results"])


def _page_of(item: str) -> dict[str, Any]:
    return _obj({"count": INT, "page": INT, "pages": INT, "results": {"type": "array", "items": _ref(item)}},
                ["count", "page", "pages", "results"])


NUM_OUT = {"type": "string", "description": "a decimal number, e.g. \"95.5\"", "examples": ["30", "95.5"]}
NUM_IN = {"type": ["string", "number"], "description": "a decimal number (at most 2 decimals), as a JSON number "
          "or a string with a decimal point", "examples": ["95.5", 30]}
TEXT = {"type": "string", "maxLength": 5000}


def _plan_components() -> dict[str, Any]:
    resolution_in = {
        "body": {**STR, "enum": Resolution.Body.values}, "kind": {**STR, "enum": Resolution.Kind.values},
        "number": {**STR, "maxLength": 50}, "issued_on": DATE_IN,
        "period_start": {**INT, "minimum": 1900, "maximum": 2099}, "period_end": {**INT, "minimum": 1900, "maximum": 2099},
        "title": {**STR, "maxLength": 300}, "summary": TEXT, "status": {**STR, "enum": Resolution.Status.values},
    }
    resolution = _obj({
        "id": INT, "organisation": STR, "organisation_name": STR, "body": STR, "kind": STR, "number": STR,
        "issued_on": DATE_OUT, "period_start": INT, "period_end": INT, "title": STR, "summary": STR,
        "status": {**STR, "enum": Resolution.Status.values}, "file_name": STR,
    })
    statuses = [plan_rules.Status.ACHIEVED, plan_rules.Status.ON_TRACK, plan_rules.Status.AT_RISK,
                plan_rules.Status.OFF_TRACK, plan_rules.Status.NO_DATA]
    figure = _obj({
        "value": _null(NUM_OUT), "measured_on": _null(DATE_OUT),
        "progress": _null({**NUM_OUT, "description": "share of the way from baseline to target (1 = reached)"}),
        "percent": _null(INT), "status": {**STR, "enum": statuses},
        "roll_up": {"oneOf": [{"type": "null"}, _obj({
            "rule": {**STR, "enum": Target.RollUp.values}, "explanation": {**STR, "examples": ["12 + 3 = 15"]},
            "parts": INT, "reported": INT})],
            "description": "set when the value is added up from the parts"},
    }, ["value", "measured_on", "progress", "percent", "status", "roll_up"])
    target_in = {
        "organisation": {**CODE, "description": "the responsible organisation"},
        "parent": _null({**INT, "minimum": 1, "description": "the target this one is a part of"}),
        "position": {**INT, "minimum": 0}, "name": {**STR, "maxLength": 300}, "unit": {**STR, "maxLength": 40},
        "kind": {**STR, "enum": Target.Kind.values}, "direction": {**STR, "enum": Target.Direction.values},
        "baseline_value": _null(NUM_IN), "baseline_year": _null({**INT, "minimum": 1900, "maximum": 2099}),
        "target_value": NUM_IN, "roll_up": {**STR, "enum": Target.RollUp.values}, "weight": _null(NUM_IN),
        "note": TEXT,
        "milestones": {"type": "object", "additionalProperties": NUM_IN, "propertyNames": {"pattern": r"^\d{4}$"},
                       "description": "year → the value to reach by its end", "examples": [{"2026": "10"}]},
    }
    target_props = {
        "id": INT, "resolution": INT, "organisation": STR, "organisation_name": STR, "parent": _null(INT),
        "position": INT, "name": STR, "unit": STR, "kind": {**STR, "enum": Target.Kind.values},
        "direction": {**STR, "enum": Target.Direction.values}, "baseline_value": _null(NUM_OUT),
        "baseline_year": _null(INT), "target_value": NUM_OUT, "roll_up": {**STR, "enum": Target.RollUp.values},
        "weight": _null(NUM_OUT), "note": STR, "figure": _ref("Figure"),
    }
    measurement = _obj({
        "id": INT, "target": INT, "measured_on": DATE_OUT, "value": NUM_OUT, "note": STR, "file_name": STR,
        "reported_by": _null(STR), "created_at": {**STR, "format": "date-time"},
    })
    assignee = _obj({
        "person": _null(INT), "person_name": _null(STR), "organisation": _null(STR),
        "organisation_name": _null(STR), "role": {**STR, "enum": Assignee.Role.values}, "lead": BOOL,
    })
    assignee_in = {"oneOf": [
        _obj({"person": {**INT, "minimum": 1, "description": "person id"}, "lead": BOOL}, ["person"],
             additionalProperties=False),
        _obj({"organisation": CODE, "lead": BOOL}, ["organisation"], additionalProperties=False)]}
    task_props = {
        "id": INT, "organisation": STR, "organisation_name": STR, "title": STR,
        "status": {**STR, "enum": Task.Status.values}, "progress": {**INT, "minimum": 0, "maximum": 100},
        "start_on": _null(DATE_OUT), "due_on": _null(DATE_OUT), "verifier": _null(INT),
        "verifier_name": _null(STR), "verify_by": _null(DATE_OUT),
        "assignees": {"type": "array", "items": _ref("Assignee")}, "target": _null(INT),
        "outcome": _null({**STR, "enum": Task.Outcome.values}), "completed_on": _null(DATE_OUT),
        "version": {**INT, "description": "send it back with a change"},
    }
    task_in = {
        "assignees": {"type": "array", "items": _ref("AssigneeInput"),
                      "description": "rõ người, rõ trách nhiệm: exactly one has \"lead\": true"},
        "title": {**STR, "maxLength": 300}, "description": TEXT, "start_on": _null(DATE_IN), "due_on": _null(DATE_IN),
        "expected_output": TEXT, "measure_value": _null(NUM_IN), "measure_unit": {**STR, "maxLength": 40},
        "verifier": _null({**INT, "minimum": 1, "description": "person id of the member who verifies"}),
        "verify_by": _null(DATE_IN), "target": _null({**INT, "minimum": 1, "description": "target id"}),
        "decision": {**STR, "maxLength": 300}, "recurrence": {**STR, "enum": Recurrence.values},
        "repeat_until": _null(DATE_IN),
    }
    update = _obj({
        "id": INT, "task": INT, "kind": {**STR, "enum": Update.Kind.values}, "progress": _null(INT), "note": STR,
        "file_name": STR, "author": _null(STR), "on_behalf_of": _null(INT), "on_behalf_of_name": _null(STR),
        "created_at": {**STR, "format": "date-time"},
    })
    return {
        "Resolution": resolution,
        "ResolutionList": _page_of("Resolution"),
        "ResolutionDetail": {"allOf": [resolution, _obj({
            "can_write": BOOL, "targets": {"type": "array", "items": _ref("Target")}})]},
        "ResolutionCreate": _obj({"organisation": {**CODE, "description": "the issuing organisation"},
                                  **resolution_in}, ["organisation", "body"], additionalProperties=False),
        "ResolutionUpdate": _obj(resolution_in, additionalProperties=False,
                                 description="Only the fields sent are changed."),
        "Figure": figure,
        "Target": _obj(target_props),
        "TargetList": _page_of("Target"),
        "TargetDetail": _obj({
            **target_props, "milestones": {"type": "object", "additionalProperties": NUM_OUT},
            "parts": {"type": "array", "items": _ref("Target")}, "can_write": BOOL, "can_report": BOOL}),
        "TargetCreate": _obj({"resolution": {**INT, "minimum": 1, "description": "not needed with \"parent\""},
                              **target_in}, ["organisation"], additionalProperties=False),
        "TargetUpdate": _obj(target_in, additionalProperties=False, description="Only the fields sent are changed."),
        "Measurement": measurement,
        "MeasurementList": _page_of("Measurement"),
        "MeasurementCreate": _obj({"measured_on": DATE_IN, "value": NUM_IN, "note": TEXT},
                                  ["measured_on", "value"], additionalProperties=False),
        "MeasurementResult": _obj({"measurement": _ref("Measurement"), "figure": _ref("Figure")},
                                  ["measurement", "figure"]),
        "Assignee": assignee,
        "AssigneeInput": assignee_in,
        "Task": _obj(task_props),
        "TaskList": _page_of("Task"),
        "TaskDetail": _obj({
            **task_props, "description": STR, "expected_output": STR, "measure_value": _null(NUM_OUT),
            "measure_unit": STR, "decision": STR, "recurrence": {**STR, "enum": Recurrence.values},
            "repeat_until": _null(DATE_OUT), "series": _null(INT), "created_at": {**STR, "format": "date-time"},
            "can_edit": BOOL, "can_report": BOOL, "can_verify": BOOL}),
        "TaskCreate": _obj({"organisation": {**CODE, "description": "the organisation assigning the task"},
                            **task_in}, ["organisation"], additionalProperties=False),
        "TaskUpdate": _obj({**task_in, "version": {**INT, "minimum": 1}}, ["version"], additionalProperties=False,
                           description="Only the fields sent are changed; \"assignees\" replaces them all."),
        "Update": update,
        "UpdateList": _page_of("Update"),
        "UpdateCreate": _obj({
            "kind": {**STR, "enum": ["progress", "submit", "accept", "return", "cancel"]},
            "progress": {**INT, "minimum": 0, "maximum": 100, "description": "kind progress"},
            "note": {**TEXT, "description": "required to submit, return and cancel"},
            "exceeded": {**BOOL, "description": "kind accept: the result went beyond what was expected"},
            "version": {**INT, "minimum": 1, "description": "the task's version as you read it (409 if stale)"},
        }, ["kind"], additionalProperties=False),
        "UpdateResult": _obj({"update": _ref("Update"), "task": _ref("TaskDetail")}, ["update", "task"]),
    }


def _person_input() -> dict[str, Any]:
    return {
        "family_name": {**STR, "maxLength": 50},
        "middle_name": {**STR, "maxLength": 50},
        "given_name": {**STR, "maxLength": 50},
        "sex": {**STR, "enum": ["M", "F"]},
        "birth_date": DATE_IN,
        "ethnicity": {**STR, "enum": [c for c, _n in ETHNICITIES]},
        "religion": {**STR, "enum": Religion.values},
        "citizen_id": _null({**STR, "pattern": r"^\d{12}$"}),
        "phone": {**STR, "maxLength": 20},
        "residence": _null({**CODE, "description": "locality code"}),
        "education": {**STR, "enum": ["", *Education.values]},
        "political_theory": {**STR, "enum": PoliticalTheory.values},
    }


def _membership_input() -> dict[str, Any]:
    return {
        "organisation": {**CODE, "description": "code of the party cell or party group"},
        "status": {**STR, "enum": Status.values},
        "exempt": BOOL,
        "temporary": BOOL,
        "admission_date": DATE_IN,
        "admission_decision_date": _null(DATE_IN),
        "official_date": _null(DATE_IN),
        "card_number": _null({**STR, "maxLength": 20}),
        "interrupted_months": {**INT, "minimum": 0},
    }


def _person_output() -> dict[str, Any]:
    return {
        "id": INT, "full_name": STR, "family_name": STR, "middle_name": STR, "given_name": STR,
        "sex": {**STR, "enum": ["M", "F"]}, "birth_date": DATE_OUT, "ethnicity": STR, "religion": STR,
        "citizen_id": _null(STR), "phone": STR, "residence": _null(STR), "education": STR, "political_theory": STR,
    }


def _channel_components() -> dict[str, Any]:
    from chibo.api.channel import schemas  # it imports this module's helpers

    return schemas()


def _document_components() -> dict[str, Any]:
    from chibo.api.documents import schemas  # it imports this module's helpers

    return schemas()


def _meeting_components() -> dict[str, Any]:
    from chibo.api.meetings import schemas  # it imports this module's helpers

    return schemas()


def components() -> dict[str, Any]:
    org = _obj({
        "code": STR, "name": STR, "kind": {**STR, "enum": Organisation.Kind.values},
        "sector": {**STR, "enum": Organisation.Sector.values}, "parent": _null(STR), "depth": INT,
        "valid_from": DATE_OUT, "valid_to": _null(DATE_OUT), "locality": _null(STR),
    }, ["code", "name", "kind", "sector", "parent", "depth", "valid_from", "valid_to", "locality"])
    membership_out = {
        "organisation": STR, "organisation_name": STR, "status": {**STR, "enum": Status.values}, "current": BOOL,
        "exempt": BOOL, "temporary": BOOL, "admission_date": DATE_OUT,
        "admission_decision_date": _null(DATE_OUT), "official_date": _null(DATE_OUT),
        "card_number": _null(STR),
        "exempt_since": _null({**DATE_OUT, "description": "the day the present exemption took effect"}),
        "temporary_since": _null({**DATE_OUT, "description": "the day the present temporary activity here began"}),
        "left_on": _null({**DATE_OUT, "description": "for a former member, the day they left the rolls"}),
    }
    event = _obj({
        "id": INT, "kind": {**STR, "enum": MembershipEvent.Kind.values}, "effective_date": DATE_OUT,
        "decision_number": STR, "note": STR, "organisation": STR, "status": STR, "exempt": BOOL,
        "temporary": BOOL, "ended_on": _null(DATE_OUT),
    })
    post_props = {
        "id": INT, "kind": {**STR, "enum": Post.Kind.values}, "person": INT, "person_name": STR,
        "organisation": _null(STR), "locality": _null(STR), "start_date": DATE_OUT, "end_date": _null(DATE_OUT),
        "decision_number": STR, "active": BOOL,
    }
    post_input = {
        "person": {**INT, "minimum": 1, "description": "person id"}, "kind": {**STR, "enum": Post.Kind.values},
        "organisation": {**CODE, "description": "for committee posts"},
        "locality": {**CODE, "description": "for village and neighbourhood group heads"},
        "start_date": DATE_IN, "end_date": _null(DATE_IN), "decision_number": {**STR, "maxLength": 50},
    }
    locality = _obj({
        "code": STR, "name": STR, "kind": {**STR, "enum": Locality.Kind.values}, "parent": _null(STR),
        "organisation": _null(STR),
    })
    return {
        "Error": _obj({"error": _obj({
            "code": {**STR, "enum": ERROR_CODES},
            "message": {**STR, "description": "what to do, in the user's language"},
            "fields": {"type": "object", "additionalProperties": {"type": "array", "items": STR},
                       "description": "only for code `invalid`: messages per input field"},
            "retry_after": {"type": "integer", "description": "only for code `busy`: seconds to wait before "
                                                              "sending the request again (also in Retry-After)"},
        }, ["code", "message"])}, ["error"]),
        "Organisation": org,
        "OrganisationList": _list_of("Organisation"),
        "OrganisationDetail": {"allOf": [org, _obj({
            "note": STR, "members_visible": BOOL,
            "committee": {"type": "array", "items": _obj({
                "id": INT, "kind": STR, "person": INT, "person_name": STR, "start_date": DATE_OUT,
                "decision_number": STR})},
            "children": {"type": "array", "items": STR},
        })]},
        "Indicators": _obj({
            "organisation": _obj({"code": STR, "name": STR, "kind": STR}),
            "date": DATE_OUT,
            **{key: {} for key in INDICATOR_KEYS},
        }, ["organisation", "date", *INDICATOR_KEYS]),
        "MemberRow": _obj({**{k: v for k, v in _person_output().items() if k in {
            "id", "full_name", "family_name", "middle_name", "given_name", "sex", "birth_date", "ethnicity"}},
            **membership_out}),
        "MemberList": _obj({"count": INT, "page": INT, "pages": INT,
                            "results": {"type": "array", "items": _ref("MemberRow")}},
                           ["count", "page", "pages", "results"]),
        "Event": event,
        "Member": _obj({**_person_output(), "person_id": INT, **membership_out, "left_note": STR,
                        "interrupted_months": INT,
                        "party_age": _null({**INT, "description": "whole years (tuổi đảng); null if not official"}),
                        "events": {"type": "array", "items": _ref("Event")}}),
        "MemberCreate": _obj({**_person_input(), **_membership_input(),
                              "status": {**STR, "enum": ["probationary", "official"]},
                              "decision_number": {**STR, "maxLength": 50},
                              "exempt_since": _null({**DATE_IN, "description": "required when exempt: the day the "
                                                                               "exemption took effect"}),
                              "temporary_since": _null({**DATE_IN, "description": "required when temporary: the day "
                                                                                  "the temporary activity here began"})},
                             ["given_name", "sex", "birth_date", "organisation", "status", "admission_date"],
                             additionalProperties=False),
        "MemberUpdate": _obj({**_person_input(), **_membership_input()}, additionalProperties=False,
                             description="Only the fields sent are changed. Status, organisation, exemption "
                                         "and temporary activity change by events."),
        "EventCreate": _obj({
            "kind": {**STR, "enum": sorted(str(k) for k in EVENT_RULES)}, "effective_date": DATE_IN,
            "decision_number": {**STR, "maxLength": 50},
            "organisation": {**CODE, "description": "destination cell, for moved and transferred_in"},
            "note": {**STR, "maxLength": 500},
        }, ["kind", "effective_date"], additionalProperties=False),
        "EventResult": _obj({"event": _ref("Event"), "member": _ref("Member")}, ["event", "member"]),
        "Locality": locality,
        "LocalityList": _list_of("Locality"),
        "LocalityDetail": {"allOf": [locality, _obj({
            "head": {"oneOf": [{"type": "null"}, _obj({
                "post": INT, "kind": STR, "person": INT, "person_name": STR, "start_date": DATE_OUT,
                "is_member": BOOL})]},
            "children": {"type": "array", "items": STR},
        })]},
        "Post": _obj(post_props),
        "PostList": _list_of("Post"),
        "PostResult": _obj({**post_props, "warnings": {"type": "array", "items": STR}}),
        "PostCreate": _obj(post_input, ["person", "kind", "start_date"], additionalProperties=False),
        "PostUpdate": _obj(post_input, additionalProperties=False),
        **_plan_components(),
        **_channel_components(),
        **_document_components(),
        **_meeting_components(),
        "OpenApi": {"type": "object", "description": "this document"},
    }


def openapi_path(route: str) -> str:
    """"members/<int:id>/" → "/members/{id}/" (relative to the server URL /api/v1)."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def _path_params(route: str) -> list[dict[str, Any]]:
    params = []
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", route):
        params.append({"name": name, "in": "path", "required": True,
                       "schema": CONVERTERS.get(converter or "str", {"type": "string"})})
    return params


def _operation(handler: Any, route: str, public: bool) -> dict[str, Any]:
    d = handler.doc
    op: dict[str, Any] = {
        "operationId": handler.__name__,
        "summary": d.summary,
        "tags": [d.tag],
        "responses": {str(d.status): {"description": "OK" if d.status == 200 else "Created",
                                      "content": {"application/json": {"schema": _ref(d.response)}}}},
    }
    params = _path_params(route) + [
        {"name": p.name, "in": "query", "required": False, "description": p.description, "schema": p.schema}
        for p in d.query]
    if params:
        op["parameters"] = params
    if d.body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(d.body)}}}
    for status in sorted({*d.errors, *((400,) if d.body else ()), 500, 503}):
        op["responses"][str(status)] = {"description": ERROR_DESCRIPTIONS[status],
                                        "content": {"application/json": {"schema": _ref("Error")}}}
    if public:
        op["security"] = []
    return op


def build_schema(request: HttpRequest | None = None) -> dict[str, Any]:
    from chibo.api.urls import urlpatterns

    paths: dict[str, Any] = {}
    for pattern in urlpatterns:
        if not isinstance(pattern, URLPattern):
            continue
        route = str(pattern.pattern)
        view = pattern.callback
        paths[openapi_path(route)] = {
            method.lower(): _operation(handler, route, getattr(view, "public", False))
            for method, handler in view.handlers.items()  # type: ignore[attr-defined]
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "chibo API",
            "version": "1.0.0",
            "description": (
                "JSON API of chibo, the system of grassroots party organisations. Every call needs "
                "`Authorization: Bearer <token>` (create one on the page /ma-api/ or with `chibo apitoken USERNAME`; "
                "it expires after a year by default). You see and change "
                "only what your post covers: anything outside it answers 404, anything you may read but not "
                "change answers 403. Dates are written yyyy-mm-dd and accepted as dd/mm/yyyy or yyyy-mm-dd. "
                "Every error has the shape of the Error schema."
            ),
        },
        "servers": [{"url": PREFIX, "description": "this server"}],
        "security": [{"bearer": []}],
        "tags": [{"name": t} for t in ("organisations", "members", "localities", "posts", "resolutions", "targets",
                                               "tasks", "meetings", "threads", "documents", "meta")],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "an API token from `chibo apitoken`"}},
            "schemas": components(),
        },
    }
