"""After authentication, for signed-in people on the web pages (never the API, which signs in
with tokens):

- the language they chose on "My account" is the page's language, on any device;
- someone whose role must sign in in two steps (CHIBO_REQUIRE_2FA_FOR) and has not set it up
  is sent to the set-up page and can open nothing else but sign-out, the set-up page itself,
  the activation page and the static files, until it is done.

A session that passed two-step sign-in (or set it up) is marked, so the check costs no
query afterwards; with nothing required it costs none at all."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation

from chibo.accounts import twostep


class AccountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or user is None or not user.is_authenticated:
            return self.get_response(request)
        language = getattr(user, "language", "")
        if language and language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = language
        if (not request.session.get(twostep.SESSION_VERIFIED) and not self._open(request.path)
                and twostep.is_required(user)):
            if not twostep.is_enabled(user):
                return self._to_setup(request)
            request.session[twostep.SESSION_VERIFIED] = True
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        return path.startswith(settings.STATIC_URL) or path in {
            reverse("logout"), reverse("twostep-setup"), reverse("activate")}

    @staticmethod
    def _to_setup(request: HttpRequest) -> HttpResponse:
        url = reverse("twostep-setup")
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
