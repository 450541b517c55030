"""Error pages in plain Vietnamese that say what to do next; the API answers JSON."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        code = {400: "bad_request", 403: "forbidden", 404: "not_found", 500: "server_error"}[status]
        return JsonResponse({"error": {"code": code, "message": message}}, status=status)
    html = loader.render_to_string("web/error.html", {"title": title, "message": message, "status": status}, request)
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _page(request, 400, _("The request could not be understood"),
                 _("Go back, check what you entered and try again."))


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _page(request, 403, _("You may look but not change this"),
                 _("Your post lets you see this page but not change it. Ask the commune party committee office if you need to."))


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _page(request, 404, _("Page not found"),
                 _("This page does not exist or is outside what your post lets you see. Go back to the home page."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(request, 500, _("Something went wrong"),
                 _("Nothing was saved. Try again in a minute; if it happens again, tell the system administrator."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    html = loader.render_to_string("web/error.html", {
        "title": _("The form has expired"),
        "message": _("The page was open too long or cookies are blocked. Go back, reload the page and submit again."),
        "status": 403}, request)
    return HttpResponse(html, status=403)
