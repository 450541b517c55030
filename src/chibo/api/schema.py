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

PREFIX = "/api/v1"
ERROR_CODES = ["not_found", "forbidden", "unauthorized", "invalid", "method_not_allowed", "bad_request"]
ERROR_DESCRIPTIONS = {
    400: "Bad input: `invalid` (with `fields`) or `bad_request` (body is not a JSON object)",
    401: "No valid bearer token",
    403: "Your post lets you read this but not change it",
    404: "Not found within your scope",
}
CONVERTERS = {"int": {"type": "integer", "minimum": 1}, "str": {"type": "string"}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _null(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "type": [schema["type"], "null"]}


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


def components() -> dict[str, Any]:
    org = _obj({
        "code": STR, "name": STR, "kind": {**STR, "enum": Organisation.Kind.values},
        "sector": {**STR, "enum": Organisation.Sector.values}, "parent": _null(STR), "depth": INT,
        "valid_from": DATE_OUT, "valid_to": _null(DATE_OUT), "locality": _null(STR),
    }, ["code", "name", "kind", "sector", "parent", "depth", "valid_from", "valid_to", "locality"])
    membership_out = {
        "organisation": STR, "organisation_name": STR, "status": {**STR, "enum": Status.values}, "current": BOOL,
        "exempt": BOOL, "temporary": BOOL, "admission_date": DATE_OUT, "official_date": _null(DATE_OUT),
        "card_number": _null(STR),
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
        "Member": _obj({**_person_output(), "person_id": INT, **membership_out, "interrupted_months": INT,
                        "party_age": _null({**INT, "description": "whole years (tuổi đảng); null if not official"}),
                        "events": {"type": "array", "items": _ref("Event")}}),
        "MemberCreate": _obj({**_person_input(), **_membership_input(),
                              "status": {**STR, "enum": ["probationary", "official"]},
                              "decision_number": {**STR, "maxLength": 50}},
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
    for status in sorted({*d.errors, *((400,) if d.body else ())}):
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
                "`Authorization: Bearer <token>` (create one with `chibo apitoken USERNAME`). You see and change "
                "only what your post covers: anything outside it answers 404, anything you may read but not "
                "change answers 403. Dates are written yyyy-mm-dd and accepted as dd/mm/yyyy or yyyy-mm-dd. "
                "Every error has the shape of the Error schema."
            ),
        },
        "servers": [{"url": PREFIX, "description": "this server"}],
        "security": [{"bearer": []}],
        "tags": [{"name": t} for t in ("organisations", "members", "localities", "posts", "meta")],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "an API token from `chibo apitoken`"}},
            "schemas": components(),
        },
    }
