"""The API's front door: bearer-token authentication, JSON bodies and the one error shape.

Every API view is built by `endpoint(GET=..., POST=...)`. The resulting Django view:
- is CSRF-exempt (it never reads the session cookie, so there is nothing to forge);
- answers 405 for a method it does not handle;
- authenticates `Authorization: Bearer <token>` and sets `request.user` to the token's
  user, replacing whatever the session middleware put there; anything else is 401;
- parses a JSON object body into `request.json` for POST/PATCH (400 bad_request if not);
- turns Http404, PermissionDenied, ValidationError and ApiError into `error()` responses;
- answers 503 `busy` (with Retry-After) when a write gave up waiting for the database's lock,
  and 500 `server_error` for any other unexpected exception (logged) — never an HTML page.

Every error, whatever its cause, has the shape
    {"error": {"code": ..., "message": ..., "fields": {name: [message, ...]}}}
with `fields` present only for code "invalid" (and `retry_after`, in seconds, only for "busy")."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from chibo.accounts.models import ApiToken
from chibo.core.db import RETRY_AFTER_SECONDS, is_lock_timeout

log = logging.getLogger(__name__)

logger = logging.getLogger(__name__)

LAST_USED_GRANULARITY = dt.timedelta(minutes=1)
BODY_METHODS = {"POST", "PATCH", "PUT"}

Handler = Callable[..., HttpResponse]
Fields = dict[str, list[str]]


class ApiError(Exception):
    """Raised by views to answer with an error(); `fields` only for code "invalid"."""

    def __init__(self, code: str, message: str, status: int, fields: Fields | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields


class Invalid(ApiError):
    """Bad input in named fields (400 invalid)."""

    def __init__(self, fields: Fields) -> None:
        super().__init__("invalid", invalid_message(), 400, fields)


def invalid_message() -> str:
    return _("Some fields are not valid. Correct each field listed under \"fields\" and send the request again.")


def error(code: str, message: str, status: int, fields: Fields | None = None) -> JsonResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if code == "invalid":
        body["fields"] = fields or {}
    if code == "busy":
        body["retry_after"] = RETRY_AFTER_SECONDS
    response = JsonResponse({"error": body}, status=status, json_dumps_params={"ensure_ascii": False})
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="chibo"'
    if code == "busy":
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def unauthorized() -> JsonResponse:
    return error("unauthorized", _(
        "Send a valid API token in the header \"Authorization: Bearer <token>\". "
        "If your token was revoked or has expired, ask the administrator for a new one."), 401)


def not_found() -> JsonResponse:
    return error("not_found", _(
        "Nothing was found at this address within what your post lets you see. "
        "Check the code or number in the address."), 404)


def forbidden() -> JsonResponse:
    return error("forbidden", _(
        "Your post lets you read this but not change it. "
        "Ask the party committee responsible for it to make the change."), 403)


def busy() -> JsonResponse:
    """A write gave up waiting for the database (another long write held it): try again."""
    return error("busy", busy_message(), 503)


def busy_message() -> str:
    return _("chibo is busy saving other work and could not save yours; nothing was changed. Send the same request "
             "again in a few seconds.")


def server_error() -> JsonResponse:
    return error("server_error", _(
        "Something went wrong on the server and nothing was saved. Try again in a minute; if it happens again, "
        "tell the system administrator."), 500)


def validation_fields(exc: ValidationError) -> Fields:
    """A service's ValidationError as {field: [messages]} (non-field errors under "__all__")."""
    if hasattr(exc, "error_dict"):
        return {name: list(messages) for name, messages in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: list(exc.messages)}


def ok(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


# --- Tokens ---------------------------------------------------------------------------------

def _bearer(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = token.strip()
    return token or None


def authenticate(request: HttpRequest) -> Any | None:
    """The active user owning the request's bearer token, or None."""
    token = _bearer(request)
    if token is None or len(token) > 200:
        return None
    found = ApiToken.objects.select_related("user").filter(
        digest=ApiToken.digest_of(token), revoked_at__isnull=True).first()
    if found is None:
        return None
    now = timezone.now()
    if found.expires_at is not None and found.expires_at <= now:
        return None
    if not found.user.is_active:
        return None
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_GRANULARITY:
        _record_use(found, now)
    return found.user


def _record_use(token: ApiToken, now: dt.datetime) -> None:
    """Note when a token was last used. Only bookkeeping: if the database cannot take the
    write (read-only, disk full, locked too long) the request goes on and the failure is logged."""
    try:
        with transaction.atomic():  # a savepoint inside a transaction: nothing else is spoiled
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    except DatabaseError:
        logger.warning("could not record the last use of API token %s", token.prefix, exc_info=True)


def _parse_body(request: HttpRequest) -> dict[str, Any]:
    message = _("The request body must be a JSON object, for example {\"given_name\": \"Lan\"}, "
                "sent as UTF-8 with Content-Type: application/json.")
    try:
        data = json.loads(request.body.decode("utf-8")) if request.body else None
    except (UnicodeDecodeError, ValueError):
        raise ApiError("bad_request", message, 400) from None
    if not isinstance(data, dict):
        raise ApiError("bad_request", message, 400)
    return data


# --- The view builder ---------------------------------------------------------------------

def endpoint(*, public: bool = False, **handlers: Handler) -> Callable[..., HttpResponse]:
    """One Django view serving the given methods (keyword = HTTP method, value = handler).

    Handlers take (request, **url_kwargs) and return a response; `public` skips token
    authentication (only for the OpenAPI document)."""
    methods = sorted(handlers)

    @csrf_exempt
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        handler = handlers.get(request.method or "")
        if handler is None and request.method == "HEAD":
            handler = handlers.get("GET")
        if handler is None:
            refused = error("method_not_allowed", _(
                "This address does not accept %(method)s. Use %(allowed)s.") % {
                "method": request.method, "allowed": ", ".join(methods)}, 405)
            refused["Allow"] = ", ".join(methods)
            return refused
        response: HttpResponse
        try:
            if not public:
                user = authenticate(request)  # may write (the token's last use)
                if user is None:
                    return unauthorized()
                request.user = user
            if request.method in BODY_METHODS:
                request.json = _parse_body(request)  # type: ignore[attr-defined]
                with transaction.atomic():  # a write is all or nothing, whatever the handler calls
                    response = handler(request, **kwargs)
            else:
                response = handler(request, **kwargs)
        except ApiError as exc:
            return error(exc.code, exc.message, exc.status, exc.fields)
        except Http404:
            return not_found()
        except PermissionDenied:
            return forbidden()
        except ValidationError as exc:
            return error("invalid", invalid_message(), 400, validation_fields(exc))
        except Exception as exc:
            if is_lock_timeout(exc):
                log.warning("API %s %s: the database was busy", request.method, request.path)
                return busy()
            log.exception("API %s %s failed", request.method, request.path)
            return server_error()
        response["Cache-Control"] = "no-store"
        return response

    view.handlers = handlers  # type: ignore[attr-defined]  # read by chibo.api.schema
    view.public = public  # type: ignore[attr-defined]
    return view
