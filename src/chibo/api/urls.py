"""The JSON API, mounted at /api/v1/: one NinjaAPI (chibo.api.core.api) with a router per
domain; the OpenAPI document at /api/v1/openapi.json is generated from them by ninja.

Each route's Django view is wrapped by `_view`, which keeps what ninja does not do by itself:
405 in the error shape, HEAD answered as GET, a write (POST/PATCH/PUT handler) all or nothing,
and `Cache-Control: no-store` on every answer."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from ninja.operation import PathView
from ninja.utils import normalize_path, replace_path_param_notation

from chibo.api import channel, documents, meetings, members, plans
from chibo.api.core import api, defer_body_errors, method_not_allowed

BODY_METHODS = {"POST", "PATCH", "PUT"}
TAGS = ("organisations", "members", "localities", "posts", "resolutions", "targets", "tasks", "meetings", "threads",
        "documents", "meta")

for _router in (members.router, plans.router, channel.router, documents.router, meetings.router):
    api.add_router("", _router)


@api.get("openapi.json", auth=None, response=dict[str, Any], url_name="openapi", tags=["meta"],
         summary="This OpenAPI document")
def openapi(request: HttpRequest) -> Any:
    return openapi_schema()


@functools.cache
def openapi_schema() -> dict[str, Any]:
    doc = json.loads(json.dumps(api.get_openapi_schema(path_prefix="")))  # as served: status codes as text
    doc["openapi"] = "3.1.0"
    doc["servers"] = [{"url": "/api/v1", "description": "this server"}]
    doc["security"] = [{"bearer": []}]
    doc["tags"] = [{"name": t} for t in TAGS]
    schemas = doc["components"]["schemas"]
    schemas["Error"]["properties"]["error"] = schemas.pop("ErrorBody")  # the one error shape, in one piece
    schemes = doc["components"]["securitySchemes"]
    schemes.clear()
    schemes["bearer"] = {"type": "http", "scheme": "bearer", "description": "an API token from `chibo apitoken`"}
    for operations in doc["paths"].values():
        for op in operations.values():
            if op.pop("security", None) is None:  # no authentication: public (the document itself)
                op["security"] = []
            for param in op.get("parameters", ()):
                param.get("schema", {}).pop("title", None)
                if param["in"] == "path" and param["schema"].get("type") == "integer":
                    param["schema"]["minimum"] = 1
                if param["in"] == "query":
                    param["schema"].pop("default", None)
            body = op.get("requestBody")
            if body:
                body["required"] = True
    return doc


def _atomic_writes() -> None:
    """A write's handler runs in one transaction: an exception inside rolls everything back
    before the exception handler writes the error. Its body's field errors are raised where
    the handler first reads the body (core.Deferred)."""
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                if set(operation.methods) & BODY_METHODS and not getattr(operation.view_func, "atomic", False):
                    operation.view_func = _atomic(operation.view_func)
                    defer_body_errors(operation)


def _atomic(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        with transaction.atomic():
            return func(*args, **kwargs)
    run.atomic = True  # type: ignore[attr-defined]
    return run


def _view(path_view: PathView, callback: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    allowed = sorted({m for op in path_view.operations for m in op.methods})

    @functools.wraps(callback)
    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "HEAD" and "GET" in allowed:
            request.method = "GET"
        elif request.method not in allowed:
            return method_not_allowed(request.method or "", allowed)
        response = callback(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response
    view.methods = allowed  # type: ignore[attr-defined]
    return view


def _patterns() -> list[URLPattern]:
    """One Django route per path (its methods served by one view), named by its operations'
    url_name."""
    _atomic_writes()
    out = []
    for bound in api._get_bound_routers():
        for route, path_view in bound.path_operations.items():
            name = next(op.url_name for op in path_view.operations if op.url_name)
            out.append(path(normalize_path(replace_path_param_notation(route)).lstrip("/"),
                            _view(path_view, path_view.get_view()), name=name))
    return out


app_name = "api"
urlpatterns = _patterns()
