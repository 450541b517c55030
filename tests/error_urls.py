"""chibo's URLs plus test-only views that fail in each way, for tests/test_safe_defaults.py
(pytest.mark.urls): the error handlers are chibo's own."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import include, path

from chibo.urls import handler400, handler403, handler404, handler500  # noqa: F401


def bad(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a malformed request")


def refused(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def missing(request: HttpRequest) -> HttpResponse:
    raise Http404("no such member")


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug: SECRET details in the traceback")


urlpatterns = [
    path("thu-loi/400/", bad),
    path("thu-loi/403/", refused),
    path("thu-loi/404/", missing),
    path("thu-loi/500/", broken),
    path("api/v1/thu-loi/500/", broken),
    path("", include("chibo.urls")),
]
