"""The API's front door, on django-ninja: the one `NinjaAPI`, bearer-token authentication, the
one error shape, and the field types every input schema is built from.

- Authentication: `Authorization: Bearer <token>` (chibo.accounts' per-user tokens: revoked,
  expired or an inactive user's token is refused; the last use is noted once a minute). The
  token's user becomes `request.user`, whatever the session middleware put there; anything
  else is 401. CSRF never applies (the session cookie is never read).
- Input: each body is a `In` schema (unknown fields refused); each field's type carries the
  check and the Vietnamese message naming what to send (`field(...)`).
- Output: each response is a ninja `Schema`, which the OpenAPI document describes.
- Every error, whatever its cause, has the shape
      {"error": {"code": ..., "message": ..., "fields": {name: [message, ...]}}}
  with `fields` present only for code "invalid" (and `retry_after`, in seconds, only for
  "busy"): `api_error` below is the one exception handler that writes it."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer
from pydantic import BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from chibo.accounts import tokens
from chibo.core.dates import EARLIEST_DATE, LATEST_DATE, parse_vn_date, today
from chibo.core.db import RETRY_AFTER_SECONDS, is_lock_timeout

log = logging.getLogger(__name__)

PAGE_SIZE = 25
ERROR_CODES = ["not_found", "forbidden", "unauthorized", "invalid", "method_not_allowed", "bad_request", "busy",
               "server_error"]
Fields = dict[str, list[str]]


# --- The error shape ------------------------------------------------------------------------

class ApiError(Exception):
    """Raised by handlers to answer with an error(); `fields` only for code "invalid"."""

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


def invalid(name: str, message: str) -> Invalid:
    return Invalid({name: [message]})


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
    response["Cache-Control"] = "no-store"
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


def busy_message() -> str:
    return _("chibo is busy saving other work and could not save yours; nothing was changed. Send the same request "
             "again in a few seconds.")


def server_error() -> JsonResponse:
    return error("server_error", _(
        "Something went wrong on the server and nothing was saved. Try again in a minute; if it happens again, "
        "tell the system administrator."), 500)


def bad_request() -> JsonResponse:
    return error("bad_request", _(
        "The request body must be a JSON object, for example {\"given_name\": \"Lan\"}, "
        "sent as UTF-8 with Content-Type: application/json."), 400)


def method_not_allowed(method: str, allowed: list[str]) -> JsonResponse:
    refused = error("method_not_allowed", _("This address does not accept %(method)s. Use %(allowed)s.") % {
        "method": method, "allowed": ", ".join(allowed)}, 405)
    refused["Allow"] = ", ".join(allowed)
    return refused


def validation_fields(exc: ValidationError) -> Fields:
    """A service's ValidationError as {field: [messages]} (non-field errors under "__all__")."""
    if hasattr(exc, "error_dict"):
        return {name: list(messages) for name, messages in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: list(exc.messages)}


def _input_fields(errors: list[dict[str, Any]]) -> Fields | None:
    """ninja's validation errors as {field: [message]}; None when the body is not a JSON object."""
    fields: Fields = {}
    for e in errors:
        loc = [str(part) for part in e.get("loc", ())]
        where = loc[0] if loc else ""
        if where == "body":
            if len(loc) < 3:  # the body itself: missing, or not an object
                return None
            name = loc[2]
        else:
            name = loc[1] if len(loc) > 1 else where
        if e.get("type") == "extra_forbidden":
            message = _("This field is not accepted here. Remove it; the accepted fields are listed in "
                        "/api/v1/openapi.json.")
        elif e.get("type") == "missing":
            message = _("This field is required. Add it to the request.")
        else:
            message = str(e.get("msg", ""))
        fields.setdefault(name, [message])
    return fields


def api_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The one exception handler: every failure becomes the error shape."""
    if isinstance(exc, ApiError):
        return error(exc.code, exc.message, exc.status, exc.fields)
    if isinstance(exc, AuthenticationError):
        return unauthorized()
    if isinstance(exc, NinjaValidationError):
        fields = _input_fields(list(exc.errors))
        return bad_request() if fields is None else error("invalid", invalid_message(), 400, fields)
    if isinstance(exc, HttpError) and exc.status_code == 400:
        return bad_request()
    if isinstance(exc, Http404):
        return not_found()
    if isinstance(exc, PermissionDenied):
        return forbidden()
    if isinstance(exc, ValidationError):
        return error("invalid", invalid_message(), 400, validation_fields(exc))
    if is_lock_timeout(exc):
        log.warning("API %s %s: the database was busy", request.method, request.path)
        return error("busy", busy_message(), 503)
    log.exception("API %s %s failed", request.method, request.path, exc_info=exc)
    return server_error()


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
    return tokens.user_for_token(token)


class BearerToken(HttpBearer):
    """An API token from `chibo apitoken` or the page /ma-api/."""

    def __call__(self, request: HttpRequest) -> Any | None:
        user = authenticate(request)
        if user is not None:
            request.user = user
        return user

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:  # pragma: no cover - see __call__
        return None


class Renderer(JSONRenderer):
    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        return json.dumps(data, cls=self.encoder_class, ensure_ascii=False)


api = NinjaAPI(
    title="chibo API", version="1.0.0", urls_namespace="api", auth=BearerToken(), docs_url=None,
    openapi_url=None, renderer=Renderer(),
    description=(
        "JSON API of chibo, the system of grassroots party organisations. Every call needs "
        "`Authorization: Bearer <token>` (create one on the page /ma-api/ or with `chibo apitoken USERNAME`; "
        "it expires after a year by default). You see and change "
        "only what your post covers: anything outside it answers 404, anything you may read but not "
        "change answers 403. Dates are written yyyy-mm-dd and accepted as dd/mm/yyyy or yyyy-mm-dd. "
        "Every error has the shape of the Error schema."),
)
for _exc in (Exception, ApiError, AuthenticationError, NinjaValidationError, HttpError, Http404, PermissionDenied,
             ValidationError):
    api.add_exception_handler(_exc, api_error)  # type: ignore[arg-type]


# --- Responses --------------------------------------------------------------------------------

class ErrorBody(Schema):
    code: Literal["not_found", "forbidden", "unauthorized", "invalid", "method_not_allowed", "bad_request", "busy",
                  "server_error"]
    message: str = Field(description="what to do, in the user's language")
    fields: dict[str, list[str]] | None = Field(None, description="only for code `invalid`: messages per input field")
    retry_after: int | None = Field(None, description="only for code `busy`: seconds to wait before sending the "
                                                       "request again (also in Retry-After)")


class Error(Schema):
    error: ErrorBody


def enum(values: Any) -> Any:
    """An output field's possible values, for the OpenAPI document (json_schema_extra)."""
    return {"enum": list(values)}


def responses(ok: Any, status: int = 200, *errors: int) -> dict[int, Any]:
    """An operation's responses: its own, the errors it may answer, and 500 and 503."""
    return {status: ok, **dict.fromkeys(sorted({401, *errors, 500, 503}), Error)}


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def number_out(value: Decimal | None, places: int = 2) -> str | None:
    """A decimal as a string without exponent or trailing zeros: "30", "95.5", "0.3333"."""
    if value is None:
        return None
    q = value.quantize(Decimal(1).scaleb(-places)).normalize()
    return f"{q:f}"


def moment_out(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


# Output types: dates yyyy-mm-dd, moments ISO 8601, decimal numbers as strings ("95.5").
Day = Annotated[dt.date, PlainSerializer(lambda d: d.isoformat(), return_type=str),
                WithJsonSchema({"type": "string", "format": "date"})]
Moment = Annotated[dt.datetime, PlainSerializer(lambda d: d.isoformat(), return_type=str),
                   WithJsonSchema({"type": "string", "format": "date-time"})]
Num = Annotated[Decimal, PlainSerializer(lambda d: number_out(d), return_type=str),
                WithJsonSchema({"type": "string", "description": "a decimal number, e.g. \"95.5\"",
                                "examples": ["30", "95.5"]})]


def page_of(item: Any) -> Any:
    """The schema of one page of `item`s: {count, page, pages, results}."""
    return type(_list_name(item), (Schema,), {
        "__annotations__": {"count": int, "page": int, "pages": int, "results": list[item]}})


def list_of(item: Any) -> Any:
    """The schema of a whole list of `item`s: {count, results}."""
    return type(_list_name(item), (Schema,), {"__annotations__": {"count": int, "results": list[item]}})


def _list_name(item: Any) -> str:
    return item.__name__.removesuffix("Out").removesuffix("Row") + "List"


def paginated(page: str, qs: QuerySet[Any] | list[Any],
              rows: Callable[[list[Any]], Iterable[Any]] = list) -> dict[str, Any]:
    """One page (PAGE_SIZE rows): {count, page, pages, results}; `rows` prepares the page's
    objects for the response (in a fixed number of queries)."""
    number = page_number(page)
    count = qs.count() if isinstance(qs, QuerySet) else len(qs)
    start = (number - 1) * PAGE_SIZE
    objects = list(qs[start:start + PAGE_SIZE]) if start < count else []
    return {"count": count, "page": number, "pages": max(1, math.ceil(count / PAGE_SIZE)),
            "results": list(rows(objects))}


# --- Query parameters (read as text; each check names the parameter) ----------------------------

def page_number(raw: str) -> int:
    try:
        page = int(raw.strip() or "1")
    except ValueError:
        page = 0
    if page < 1:
        raise invalid("page", _("Give the page as a whole number from 1."))
    return page


def query_flag(name: str, raw: str) -> bool:
    raw = raw.strip().lower()
    if raw not in ("", "0", "1", "true", "false"):
        raise invalid(name, _("Give 1 (or true) to apply this filter, 0 (or false) or nothing not to."))
    return raw in ("1", "true")


def query_id(name: str, raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise invalid(name, _("Give the id as a whole number from 1, as listed by the API."))
    return int(raw)


def query_choice(name: str, raw: str, choices: list[str]) -> str:
    value = raw.strip()
    if value and value not in choices:
        raise invalid(name, _("Give one of: %(choices)s.") % {"choices": ", ".join(choices)})
    return value


def query_date(name: str, raw: str, *, future: bool = False) -> dt.date | None:
    """A date query parameter, None when empty. Past dates only (the figures of a day), unless
    `future` (a filter of meetings, which are also planned ahead): then 1900–2099."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        day = parse_vn_date(raw)
    except ValueError:
        raise invalid(name, _("Give the date as dd/mm/yyyy or yyyy-mm-dd, for example 31/12/2024.")) from None
    if future:
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            raise invalid(name, _("The year must be between 1900 and 2099. Check the year."))
        return day
    if day < EARLIEST_DATE:
        raise invalid(name, _("The year must be 1900 or later. Check the year."))
    if day > today():
        raise invalid(name, _("The date cannot be in the future. Give today's date or an earlier one."))
    return day


def Q(description: str, schema: dict[str, Any] | None = None, alias: str | None = None) -> Any:  # noqa: N802
    """A query parameter, read as text (the handler checks it and names it when it is wrong)."""
    from ninja import Query

    if schema and "enum" in schema:
        description += " (one of: " + ", ".join(str(v) for v in schema["enum"]) + ")"
    return Query("", description=description, alias=alias)


PAGE = Q("page number, from 1")


# --- Input fields ---------------------------------------------------------------------------

class Bad(Exception):
    """A field's value has the wrong type or form; the message says how to fix it."""


Parser = Callable[[Any], Any]


def field(parser: Parser, schema: dict[str, Any], python: Any = Any) -> Any:
    """An input field's type: `parser` checks and converts the JSON value (raising Bad with the
    message naming what to send); `schema` is what the OpenAPI document says of it."""
    def check(value: Any) -> Any:
        try:
            return parser(value)
        except Bad as exc:
            raise PydanticCustomError("chibo", str(exc)) from None

    return Annotated[python, BeforeValidator(check), WithJsonSchema(schema)]


class In(Schema):
    """An input body: only the fields declared are accepted; a missing required field is
    reported with its own message when its parser has one (e.g. "Enter M or F")."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _missing(cls, data: Any, handler: Any) -> Any:
        try:
            return handler(data)
        except PydanticValidationError as exc:
            errors: list[Any] = []
            for e in exc.errors():
                if e["type"] == "missing" and len(e["loc"]) == 1:
                    message = _missing_message(cls, str(e["loc"][0]))
                    if message:
                        errors.append({"type": PydanticCustomError("chibo", message), "loc": e["loc"],
                                       "input": None})
                        continue
                errors.append({"type": PydanticCustomError(e["type"], e["msg"]), "loc": e["loc"],
                               "input": e.get("input")})
            raise PydanticValidationError.from_exception_data(exc.title, errors) from None

    def sent(self) -> dict[str, Any]:
        """The fields the client sent, converted."""
        return {name: getattr(self, name) for name in self.model_fields_set}


def _missing_message(model: Any, name: str) -> str | None:
    info = model.model_fields.get(name)
    for meta in info.metadata if info is not None else ():
        if isinstance(meta, BeforeValidator):
            try:
                meta.func(None)  # type: ignore[call-arg]
            except PydanticCustomError as exc:
                return str(exc)
    return None


def text(max_length: int, *, null: bool = False) -> Any:
    def parse(value: Any) -> Any:
        if value is None:
            return None if null else ""
        if not isinstance(value, str) or len(value) > max_length:
            raise Bad(_("Enter text (a JSON string) of at most %(n)s characters.") % {"n": max_length})
        return value
    schema: dict[str, Any] = {"type": ["string", "null"] if null else "string", "maxLength": max_length}
    return field(parse, schema)


def choice(choices: list[str] | tuple[str, ...], *, blank: bool = False) -> Any:
    def parse(value: Any) -> Any:
        if blank and value in (None, ""):
            return ""
        if not isinstance(value, str) or value not in choices:
            raise Bad(_("Enter one of: %(choices)s.") % {"choices": ", ".join(f'"{c}"' for c in choices)})
        return value
    return field(parse, {"type": "string", "enum": [*([""] if blank else []), *choices]})


def _date(value: Any) -> dt.date:
    if isinstance(value, str):
        try:
            day = parse_vn_date(value)
        except ValueError:
            pass
        else:
            if EARLIEST_DATE <= day <= LATEST_DATE:
                return day
            raise Bad(_("The year must be between 1900 and 2099. Check the year."))
    raise Bad(_("Enter a date as dd/mm/yyyy or yyyy-mm-dd, for example 25/03/1990 or 1990-03-25."))


def date(*, null: bool = False) -> Any:
    def parse(value: Any) -> Any:
        return None if value is None and null else _date(value)
    return field(parse, {"type": ["string", "null"] if null else "string", "description": "dd/mm/yyyy or yyyy-mm-dd",
                         "examples": ["25/03/1990", "1990-03-25"]})


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Bad(_("Enter true or false."))
    return value


def _whole_number(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 32767:
        raise Bad(_("Enter a whole number from 0 to 32767."))
    return value


def _code(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 32:
        raise Bad(_("Enter the code as text, as listed by the API (at most 32 characters)."))
    return value.strip()


def object_id(*, null: bool = False, description: str = "") -> Any:
    def parse(value: Any) -> Any:
        if value is None and null:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise Bad(_("Enter the id (a whole number from 1), as listed by the API."))
        return value
    return field(parse, {"type": ["integer", "null"] if null else "integer", "minimum": 1,
                         **({"description": description} if description else {})})


NUMBER_LIMIT = Decimal(10) ** 12  # the models' numbers: 14 digits, 2 of them decimals


def _number(value: Any) -> Decimal:
    if not isinstance(value, bool) and isinstance(value, int | float | str):
        try:
            d = Decimal(str(value).strip())
        except InvalidOperation:
            pass
        else:
            if d.is_finite() and abs(d) < NUMBER_LIMIT and d == d.quantize(Decimal("0.01")):
                return d.quantize(Decimal("0.01"))
    raise Bad(_("Enter a number as a JSON number or a string with a decimal point, for example 30 or "
                "\"95.5\" (at most 2 decimals, less than 1,000,000,000,000)."))


def number(*, null: bool = False) -> Any:
    """A decimal number, as a JSON number or a string ("95.5"); at most 2 decimals."""
    def parse(value: Any) -> Any:
        return None if value is None and null else _number(value)
    return field(parse, {"type": ["string", "number", *(["null"] if null else [])],
                         "description": "a decimal number (at most 2 decimals), as a JSON number or a string with a "
                                        "decimal point", "examples": ["95.5", 30]})


def _year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not EARLIEST_DATE.year <= value <= LATEST_DATE.year:
        raise Bad(_("Enter a year as a whole number from 1900 to 2099, for example 2025."))
    return value


def year(*, null: bool = False) -> Any:
    def parse(value: Any) -> Any:
        return None if value is None and null else _year(value)
    return field(parse, {"type": ["integer", "null"] if null else "integer", "minimum": EARLIEST_DATE.year,
                         "maximum": LATEST_DATE.year})


Boolean = field(_boolean, {"type": "boolean"})
WholeNumber = field(_whole_number, {"type": "integer", "minimum": 0, "maximum": 32767})


def code(description: str = "") -> Any:
    return field(_code, {"type": ["string", "null"], "maxLength": 32,
                         **({"description": description} if description else {})})


class Deferred:
    """A body whose fields were not valid, given to the handler in place of its schema: the
    handler first looks its objects up (so that what is out of scope still answers 404 and
    what may not be changed 403, as before any input is read), and the first use of the body
    raises the validation error (400 invalid, field by field)."""

    def __init__(self, error: Exception) -> None:
        self._error = error

    def __getattr__(self, name: str) -> Any:
        raise self._error


def defer_body_errors(operation: Any) -> None:
    """Make `operation` hand a Deferred body to its handler when only the body's fields are
    wrong (a body that is not a JSON object is still refused at once, 400 bad_request)."""
    from ninja.params.models import BodyModel

    original = operation._get_values

    def get_values(request: HttpRequest, path_params: Any, temporal_response: HttpResponse) -> dict[str, Any]:
        try:
            return original(request, path_params, temporal_response)
        except NinjaValidationError as exc:
            body_models = [m for m in operation.models if issubclass(m, BodyModel)]
            errors = list(exc.errors)
            if not body_models or not all(str(e["loc"][0]) == "body" and len(e["loc"]) > 2 for e in errors):
                raise
            others = [m for m in operation.models if m not in body_models]
            values: dict[str, Any] = {}
            for model in others:
                values.update(model.resolve(request, operation.api, path_params))
            for model in body_models:
                for name in model.model_fields:
                    values[name] = Deferred(exc)
            return values

    operation._get_values = get_values


class Empty(In):
    """An empty object: {}."""
