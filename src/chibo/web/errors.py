"""Error pages in plain Vietnamese that say what to do next; the API answers JSON.

A request whose write gave up waiting for the database's lock (another long write held it)
is not a server error: it answers 503 with Retry-After and a calm page asking to try again
in a moment (`busy`), whether it surfaces in a view (`BusyMiddleware`) or anywhere else in
the request (`server_error` looks at the exception being handled)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from chibo.core.db import RETRY_AFTER_SECONDS, is_lock_timeout

CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 500: "server_error", 503: "busy"}


def _page(request: HttpRequest, status: int, title: str, message: str, steps: list[str] | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        body: dict[str, Any] = {"code": CODES[status], "message": message}
        if status == 503:
            body["retry_after"] = RETRY_AFTER_SECONDS
        response: HttpResponse = JsonResponse({"error": body}, status=status, json_dumps_params={"ensure_ascii": False})
    else:
        html = loader.render_to_string("web/error.html", {
            "title": title, "message": message, "steps": steps or [], "status": status, "back": _back(request)},
            request)
        response = HttpResponse(html, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _back(request: HttpRequest) -> str:
    """The page the person came from, when it is one of ours (the way back), else ""."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        parts = urlsplit(referer)
        return str(parts.path) + (f"?{parts.query}" if parts.query else "")
    return ""


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _page(request, 400, _("The request could not be understood"),
                 _("Go back, check what you entered and try again."))


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _page(request, 403, _("You may look but not change this"),
                 _("Your post lets you see this page but not change it. Ask the commune party committee office if you need to."))


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """Never says whether the thing exists: a link to another commune's member, a deleted draft
    and a mistyped address all get this page, which says what to do next."""
    return _page(request, 404, _("Page not found"),
                 _("There is nothing to show at this address. The link may be mistyped, what it pointed to may "
                   "have been removed, or it may be outside what your post lets you see; chibo does not say which."),
                 steps=[_("Go to the home page and look for it from there, through the menu or the search."),
                        _("If someone sent you this link, ask them to check it."),
                        _("If you think your post should let you see it, ask your cell secretary or the commune "
                          "party committee office to give you access.")])


def busy(request: HttpRequest) -> HttpResponse:
    return _page(request, 503, _("chibo is busy for a moment"),
                 _("chibo is saving a large piece of work (an import, for example) and could not save yours just "
                   "now. Nothing was changed. Wait a few seconds, go back and send it again."))


def server_error(request: HttpRequest) -> HttpResponse:
    if is_lock_timeout(sys.exc_info()[1]):
        return busy(request)
    return _page(request, 500, _("Something went wrong"),
                 _("Nothing was saved. Try again in a minute; if it happens again, tell the system administrator."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    html = loader.render_to_string("web/error.html", {
        "title": _("The form has expired"),
        "message": _("The page was open too long or cookies are blocked. Go back, reload the page and submit again."),
        "status": 403}, request)
    return HttpResponse(html, status=403)


class BusyMiddleware:
    """A view whose write gave up waiting for the database's lock answers `busy` (503), in
    development too (where Django would otherwise show its debug page)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return busy(request) if is_lock_timeout(exception) else None
