"""The page's language: Vietnamese for everyone unless the person chose otherwise.

Replaces Django's LocaleMiddleware, which follows the browser's Accept-Language: a phone or a
commune PC set up in English would otherwise show chibo in English to someone who never asked
for it. On the web pages the language is, in order:

- the signed-in person's choice on "My account" (applied after authentication by
  accounts.middleware.AccountMiddleware, on any device);
- the choice remembered in this browser (the language cookie, set by that choice and at
  sign-in, so the sign-in page speaks it too after signing out);
- otherwise LANGUAGE_CODE ("vi"), whatever Accept-Language says.

The API (/api/) still follows Accept-Language: its clients are programs whose authors set the
header on purpose (docs/decisions.md, "Vietnamese unless the person chose English")."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


def chosen(request: HttpRequest) -> str:
    """The language remembered in this browser, when it is one chibo speaks, else ""."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return code if code in dict(settings.LANGUAGES) else ""


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        api = request.path.startswith("/api/")
        if api:
            language = translation.get_language_from_request(request)
        else:
            language = chosen(request) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",) if api else ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
