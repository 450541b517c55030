"""What the API tests share: a client per persona with its own bearer token, readers of the
one error shape (`{"error": {"code", "message", "fields"}}`), and `SchemaClient`, the test
client that checks every API response against the OpenAPI document generated from the code:
the status must be one the operation describes, and the body must match its schema."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from django.test import Client

from chibo.accounts.tokens import api_token_create

API = "/api/v1/"
JSON_TYPES: dict[str, Any] = {
    "object": dict, "array": list, "string": str, "boolean": bool, "null": type(None),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
}


@cache
def openapi() -> dict[str, Any]:
    from chibo.api.urls import openapi_schema

    return openapi_schema()


def _is(value: Any, kind: str) -> bool:
    test = JSON_TYPES[kind]
    return isinstance(value, test) if isinstance(test, type) else bool(test(value))


def schema_errors(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """What in `value` does not match `schema` (the JSON Schema keywords the document uses)."""
    if "$ref" in schema:
        schema = openapi()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    errors: list[str] = []
    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(_is(value, k) for k in kinds):
            return [f"{where}: {value!r} is not of type {kinds}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        errors.append(f"{where}: {value!r} is not {schema['const']!r}")
    for sub in schema.get("allOf", ()):
        errors += schema_errors(value, sub, where)
    for key in ("anyOf", "oneOf"):
        if key in schema and not any(not schema_errors(value, sub, where) for sub in schema[key]):
            errors.append(f"{where}: {value!r} matches none of {key}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        errors += [f"{where}: {name!r} is missing" for name in schema.get("required", ()) if name not in value]
        for name, item in value.items():
            if name in properties:
                errors += schema_errors(item, properties[name], f"{where}.{name}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{where}: {name!r} is not in the schema")
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += schema_errors(item, schema["additionalProperties"], f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += schema_errors(item, schema["items"], f"{where}[{i}]")
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
    return errors


def _operation(path: str, method: str) -> dict[str, Any] | None:
    for template, operations in openapi()["paths"].items():
        pattern = "^" + re.sub(r"\\{\w+\\}", "[^/]+", re.escape(API.rstrip("/") + template)) + "$"
        if re.match(pattern, path):
            return operations.get(method.lower())
    return None


def check_response(method: str, path: str, response: Any) -> None:
    """Fail unless the API's response is described by the OpenAPI document: its status among the
    operation's responses, its JSON body valid against that response's schema."""
    if not path.startswith(API) or response.status_code in (301, 302) or method == "HEAD":  # HEAD: no body
        return
    assert response["Content-Type"].startswith("application/json"), (path, response["Content-Type"])
    body = json.loads(response.content)
    operation = _operation(path, "GET" if method == "HEAD" else method)
    if operation is None:  # no such path or method: 404 or 405, in the error shape
        assert response.status_code in (404, 405), (method, path, response.status_code)
        schema: dict[str, Any] = {"$ref": "#/components/schemas/Error"}
    else:
        described = operation["responses"].get(str(response.status_code))
        assert described is not None, f"{method} {path}: status {response.status_code} is not in the OpenAPI document"
        schema = described["content"]["application/json"]["schema"]
    errors = schema_errors(body, schema)
    assert not errors, f"{method} {path} ({response.status_code}) does not match its schema: {errors[:5]}"


class SchemaClient(Client):
    """A test client that checks every response of the API against the OpenAPI document."""

    def request(self, **request: Any) -> Any:
        response = super().request(**request)
        check_response(request["REQUEST_METHOD"], request["PATH_INFO"], response)
        return response


class Api:
    """An API client per persona, each with its own bearer token; `language` sets Accept-Language
    (messages in English, the msgids, when a test reads them)."""

    def __init__(self, world: Any, language: str | None = None) -> None:
        self.world = world
        self.language = language
        self.tokens = {name: api_token_create(user, "test")[1] for name, user in world.users.items()}

    def __call__(self, persona: str, method: str, url: str, data: Any = None) -> Any:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[persona]}"}
        if self.language:
            headers["HTTP_ACCEPT_LANGUAGE"] = self.language
        client = SchemaClient(enforce_csrf_checks=True)
        if method == "GET":
            return client.get(API + url, data, **headers)
        return client.generic(method, API + url, json.dumps(data if data is not None else {}),
                              content_type="application/json", **headers)


def error_of(response: Any, status: int, code: str = "invalid") -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    assert ("fields" in body["error"]) == (code == "invalid")
    return body["error"]


def fields_of(response: Any) -> list[str]:
    return sorted(error_of(response, 400)["fields"])
