"""The JSON API's handlers. Each gets its objects only through chibo.access, validates
the types of its input (400 invalid, field by field), and makes one service call for a
write. Authentication, method dispatch, JSON parsing and error mapping are done by
chibo.api.auth.endpoint, which urls.py wraps around these handlers.

Each handler carries its OpenAPI description (`@doc`), which chibo.api.schema reads."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from chibo import access
from chibo.api import serializers as s
from chibo.api.auth import Invalid, ok
from chibo.core.dates import EARLIEST_DATE, LATEST_DATE, parse_vn_date, today
from chibo.core.ethnicities import ETHNICITY_NAMES
from chibo.indicators.figures import indicators
from chibo.lifecycle import exemptions
from chibo.members import services
from chibo.members.models import (
    CURRENT_STATUSES,
    Education,
    Membership,
    MembershipEvent,
    PoliticalTheory,
    Post,
    Religion,
    Sex,
    Status,
)
from chibo.members.selectors import filter_members, in_committee_order
from chibo.organisations.models import Locality, Organisation

PAGE_SIZE = 25
# Input dates outside these are typing mistakes (and would overflow date arithmetic).
MEMBER_STATUSES = ("current", "probationary", "official", "former", "all")


# --- OpenAPI description of a handler ----------------------------------------------------

@dataclass(frozen=True)
class Param:
    name: str
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})


@dataclass(frozen=True)
class Doc:
    summary: str
    tag: str
    response: str  # component schema name
    status: int = 200
    query: tuple[Param, ...] = ()
    body: str | None = None  # component schema name
    errors: tuple[int, ...] = (401, 404)


def doc(summary: str, tag: str, response: str, **kwargs: Any) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def wrap(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        func.doc = Doc(summary, tag, response, **kwargs)  # type: ignore[attr-defined]
        return func
    return wrap


# --- Input parsing ---------------------------------------------------------------------------

class Bad(Exception):
    """A field's value has the wrong type or form; the message says how to fix it."""


Parser = Callable[[Any], Any]


def text(max_length: int, *, null: bool = False) -> Parser:
    def parse(value: Any) -> Any:
        if value is None:
            return None if null else ""
        if not isinstance(value, str) or len(value) > max_length:
            raise Bad(_("Enter text (a JSON string) of at most %(n)s characters.") % {"n": max_length})
        return value
    return parse


def choice(choices: list[str] | tuple[str, ...], *, blank: bool = False) -> Parser:
    def parse(value: Any) -> Any:
        if blank and value in (None, ""):
            return ""
        if not isinstance(value, str) or value not in choices:
            raise Bad(_("Enter one of: %(choices)s.") % {"choices": ", ".join(f'"{c}"' for c in choices)})
        return value
    return parse


def sex(value: Any) -> str:
    if value not in Sex.values:
        raise Bad(_("Enter \"M\" for male or \"F\" for female."))
    return value


def ethnicity(value: Any) -> str:
    if not isinstance(value, str) or value not in ETHNICITY_NAMES:
        raise Bad(_("Enter the two-digit code of the ethnic group, from \"01\" (Kinh) to \"54\" (Rơ-măm)."))
    return value


def date(*, null: bool = False) -> Parser:
    def parse(value: Any) -> Any:
        if value is None and null:
            return None
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
    return parse


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Bad(_("Enter true or false."))
    return value


def whole_number(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 32767:
        raise Bad(_("Enter a whole number from 0 to 32767."))
    return value


def code(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 32:
        raise Bad(_("Enter the code as text, as listed by the API (at most 32 characters)."))
    return value.strip()


def identifier(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Bad(_("Enter the number (id) of the person, as listed by the API."))
    return value


def object_id(*, null: bool = False) -> Parser:
    def parse(value: Any) -> Any:
        if value is None and null:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise Bad(_("Enter the id (a whole number from 1), as listed by the API."))
        return value
    return parse


NUMBER_LIMIT = Decimal(10) ** 12  # the models' numbers: 14 digits, 2 of them decimals


def number(*, null: bool = False) -> Parser:
    """A decimal number, as a JSON number or a string ("95.5"); at most 2 decimals."""
    def parse(value: Any) -> Any:
        if value is None and null:
            return None
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
    return parse


def year(*, null: bool = False) -> Parser:
    def parse(value: Any) -> Any:
        if value is None and null:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not EARLIEST_DATE.year <= value <= LATEST_DATE.year:
            raise Bad(_("Enter a year as a whole number from 1900 to 2099, for example 2025."))
        return value
    return parse


PERSON_SPEC: dict[str, Parser] = {
    "family_name": text(50), "middle_name": text(50), "given_name": text(50),
    "sex": sex, "birth_date": date(), "ethnicity": ethnicity,
    "religion": choice(Religion.values), "citizen_id": text(20, null=True), "phone": text(20),
    "residence": code, "education": choice(Education.values, blank=True),
    "political_theory": choice(PoliticalTheory.values),
}
MEMBERSHIP_SPEC: dict[str, Parser] = {
    "organisation": code, "status": choice(Status.values), "exempt": boolean, "temporary": boolean,
    "admission_date": date(), "admission_decision_date": date(null=True), "official_date": date(null=True),
    "card_number": text(20, null=True),
    "interrupted_months": whole_number,
}
MEMBER_CREATE_SPEC = {**PERSON_SPEC, **MEMBERSHIP_SPEC, "status": choice([st.value for st in CURRENT_STATUSES]),
                      "decision_number": text(50), "exempt_since": date(null=True), "temporary_since": date(null=True)}
MEMBER_CREATE_REQUIRED = ("given_name", "sex", "birth_date", "organisation", "status", "admission_date")
EVENT_SPEC: dict[str, Parser] = {
    "kind": choice(sorted(str(k) for k in services.EVENT_RULES)), "effective_date": date(), "decision_number": text(50),
    "organisation": code, "note": text(500),
}
POST_SPEC: dict[str, Parser] = {
    "person": identifier, "kind": choice(Post.Kind.values), "organisation": code, "locality": code,
    "start_date": date(), "end_date": date(null=True), "decision_number": text(50),
}


def parse(body: dict[str, Any], spec: dict[str, Parser], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The body's fields converted by `spec`; every problem reported at once (400 invalid)."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for name, value in body.items():
        parser = spec.get(name)
        if parser is None:
            errors[name] = [_("This field is not accepted here. Remove it; the accepted fields are "
                              "listed in /api/v1/openapi.json.")]
            continue
        try:
            out[name] = parser(value)
        except Bad as exc:
            errors[name] = [str(exc)]
    for name in required:
        if name not in body:
            try:
                spec[name](None)
            except Bad as exc:
                errors[name] = [str(exc)]
            else:
                errors[name] = [_("This field is required. Add it to the request.")]
    if errors:
        raise Invalid(errors)
    return out


def invalid(name: str, message: str) -> Invalid:
    return Invalid({name: [message]})


# --- Looking objects up for input fields (always through chibo.access) ------------------------

def _member_org(user: Any, org_code: str | None) -> Organisation | None:
    """The organisation a member is placed in: in scope (else 400), writable (else 403),
    one of access.writable_member_orgs (else 400)."""
    if org_code is None:
        return None
    try:
        org = access.get_organisation(user, org_code, write=True)
    except Http404:
        raise invalid("organisation", _(
            "No party organisation with the code %(code)s within your scope. You may only place "
            "members in the cells you are responsible for; check the code.") % {"code": org_code}) from None
    if not access.writable_member_orgs(user).filter(pk=org.pk).exists():
        if not org.holds_members:
            raise invalid("organisation", _(
                "Members are kept in a party cell or party group, not in a %(kind)s. Give the code of a cell.")
                % {"kind": org.get_kind_display()})
        raise invalid("organisation", _(
            "That organisation has been dissolved or merged. Give the code of an active cell."))
    return org


def _locality(user: Any, name: str, loc_code: str | None) -> Locality | None:
    if loc_code is None:
        return None
    try:
        return access.get_locality(user, loc_code)
    except Http404:
        raise invalid(name, _("No locality with the code %(code)s within your scope. "
                              "Use a code listed by /api/v1/localities/.") % {"code": loc_code}) from None


def _organisation(user: Any, org_code: str | None) -> Organisation | None:
    if org_code is None:
        return None
    try:
        return access.get_organisation(user, org_code)
    except Http404:
        raise invalid("organisation", _("No party organisation with the code %(code)s within your scope. "
                                        "Use a code listed by /api/v1/organisations/.") % {"code": org_code}) from None


def _query_flag(request: HttpRequest, name: str) -> bool:
    raw = request.GET.get(name, "").strip().lower()
    if raw not in ("", "0", "1", "true", "false"):
        raise invalid(name, _("Give 1 (or true) to apply this filter, 0 (or false) or nothing not to."))
    return raw in ("1", "true")


def _query_id(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise invalid(name, _("Give the id as a whole number from 1, as listed by the API."))
    return int(raw)


def _page_number(request: HttpRequest) -> int:
    try:
        page = int(request.GET.get("page", "").strip() or "1")
    except ValueError:
        page = 0
    if page < 1:
        raise invalid("page", _("Give the page as a whole number from 1."))
    return page


def paginated(request: HttpRequest, qs: QuerySet[Any],
              rows: Callable[[list[Any]], Iterable[dict[str, Any]]]) -> dict[str, Any]:
    """One page (PAGE_SIZE rows) of an ordered queryset: {count, page, pages, results};
    `rows` turns the page's objects into dicts (in a fixed number of queries)."""
    page = _page_number(request)
    count = qs.count()
    start = (page - 1) * PAGE_SIZE
    objects = list(qs[start:start + PAGE_SIZE]) if start < count else []
    return {"count": count, "page": page, "pages": max(1, math.ceil(count / PAGE_SIZE)),
            "results": list(rows(objects))}


def _query_date(request: HttpRequest, name: str) -> dt.date | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        day = parse_vn_date(raw)
    except ValueError:
        raise invalid(name, _("Give the date as dd/mm/yyyy or yyyy-mm-dd, for example 31/12/2024.")) from None
    if day < EARLIEST_DATE:
        raise invalid(name, _("The year must be 1900 or later. Check the year."))
    if day > today():
        raise invalid(name, _("The date cannot be in the future. Give today's date or an earlier one."))
    return day


# --- Organisations ----------------------------------------------------------------------------

@doc("The organisations you may see, in tree order", "organisations", "OrganisationList",
     query=(Param("parent", "only the children of the organisation with this code"),))
def organisation_list(request: HttpRequest) -> HttpResponse:
    qs = access.organisations_with_basics(request.user).select_related("parent", "locality")
    parent_code = request.GET.get("parent", "").strip()
    if parent_code:
        parent = access.get_organisation(request.user, parent_code)
        qs = qs.filter(parent=parent)
    rows = [s.organisation_to_dict(o) for o in qs.order_by("path")]
    return ok({"count": len(rows), "results": rows})


@doc("An organisation with its committee and children", "organisations", "OrganisationDetail")
def organisation_detail(request: HttpRequest, code: str) -> HttpResponse:
    org = access.get_organisation(request.user, code)
    day = today()
    # The committee is part of the organisation's page, which the gatekeeper let us show.
    committee = list(in_committee_order(
        Post.objects.filter(organisation=org, kind__in=Post.COMMITTEE_KINDS, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day)).select_related("person")))
    children = access.organisations(request.user).filter(parent=org).order_by("path").values_list("code", flat=True)
    return ok({
        **s.organisation_to_dict(org),
        "note": org.note,
        "members_visible": access.sees_members_of(request.user, org),
        "committee": [{"id": p.pk, "kind": p.kind, "person": p.person_id, "person_name": p.person.full_name,
                       "start_date": s.iso(p.start_date), "decision_number": p.decision_number}
                      for p in committee],
        "children": list(children),
    })


@doc("The indicators of an organisation's subtree on a date, with the work, meetings and documents of a period",
     "organisations", "Indicators",
     query=(Param("date", "dd/mm/yyyy or yyyy-mm-dd; default today"),
            Param("from", "start of the period of completed tasks, meetings and documents read; default 1 January "
                          "of the end's year"),
            Param("to", "end of that period, not after date; default date")),
     errors=(400, 401, 404))
def organisation_indicators(request: HttpRequest, code: str) -> HttpResponse:
    org = access.get_organisation(request.user, code)
    day = _query_date(request, "date") or today()
    start, end = _query_date(request, "from"), _query_date(request, "to")
    if end is not None and end > day:
        raise invalid("to", _("The end of the period cannot be after the date of the figures (%(date)s). "
                              "Give an earlier end, or a later date.") % {"date": day.strftime("%d/%m/%Y")})
    if start is not None and start > (end or day):
        raise invalid("from", _("The period cannot start after it ends (%(end)s). Give an earlier start.")
                      % {"end": (end or day).strftime("%d/%m/%Y")})
    report = indicators(org, day, start=start, end=end)
    period_start, period_end = report.period
    return ok({**report.as_dict(), "date": report.on.isoformat(),  # ISO, like every API date
               "period": {"from": period_start.isoformat(), "to": period_end.isoformat()}})


# --- Members ---------------------------------------------------------------------------------

@doc("Members you may see, 25 a page, in roster order", "members", "MemberList", errors=(400, 401, 404),
     query=(Param("q", "name (accents optional) or the start of a citizen ID or card number"),
            Param("org", "only members within the organisation with this code"),
            Param("status", "default current", {"type": "string", "enum": list(MEMBER_STATUSES)}),
            Param("page", "page number, from 1", {"type": "integer", "minimum": 1})))
def member_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "").strip() or "current"
    if status not in MEMBER_STATUSES:
        raise invalid("status", _("Give one of: %(choices)s.") % {"choices": ", ".join(MEMBER_STATUSES)})
    _page_number(request)  # a bad page is reported before the organisation is looked up
    org_code = request.GET.get("org", "").strip()
    within = access.get_organisation(request.user, org_code) if org_code else None
    qs = filter_members(access.memberships(request.user, within=within), q=request.GET.get("q", ""),
                        status=status).order_by("sort_key", "id")
    return ok(paginated(request, qs.select_related("person", "organisation"),
                        lambda rows: [s.member_row_to_dict(m) for m in rows]))


def _member_response(m: Membership, status: int = 200) -> HttpResponse:
    events = list(m.events.select_related("organisation").order_by("effective_date", "id"))
    return ok(s.member_to_dict(m, events), status=status)


@doc("A member's record with its history", "members", "Member")
def member_detail(request: HttpRequest, id: int) -> HttpResponse:
    return _member_response(access.get_membership(request.user, id))


def _person_data(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    person = {k: data[k] for k in PERSON_SPEC if k in data}
    if "residence" in person:
        person["residence"] = _locality(user, "residence", person["residence"])
    return person


@doc("Enter a new party member (a new person and their membership)", "members", "Member", status=201,
     body="MemberCreate", errors=(400, 401, 403))
def member_create(request: HttpRequest) -> HttpResponse:
    data = parse(request.json, MEMBER_CREATE_SPEC, MEMBER_CREATE_REQUIRED)  # type: ignore[attr-defined]
    organisation = _member_org(request.user, data.get("organisation"))
    person = _person_data(request.user, data)
    membership = {k: data[k] for k in (*MEMBERSHIP_SPEC, "exempt_since", "temporary_since") if k in data} \
        | {"organisation": organisation}
    m = services.member_create(actor=request.user, person_data=person,
                               decision_number=data.get("decision_number", ""), **membership)
    return _member_response(access.get_membership(request.user, m.pk), status=201)


@doc("Correct a member's record (changes of status or cell are events)", "members", "Member",
     body="MemberUpdate", errors=(400, 401, 403, 404))
def member_update(request: HttpRequest, id: int) -> HttpResponse:
    m = access.get_membership(request.user, id, write=True)
    data = parse(request.json, {**PERSON_SPEC, **MEMBERSHIP_SPEC})  # type: ignore[attr-defined]
    if data.pop("organisation", m.organisation.code) != m.organisation.code:
        raise invalid("organisation", _(
            "To move a member to another cell, record a \"moved\" event at /api/v1/members/%(id)s/events/.")
            % {"id": m.pk})
    person = _person_data(request.user, data)
    membership = {k: data[k] for k in MEMBERSHIP_SPEC if k in data}
    services.member_update(m, actor=request.user, person_data=person, **membership)
    return _member_response(access.get_membership(request.user, m.pk))


@doc("Record a dated event: recognised, moved, transferred, exempted, removed …", "members", "EventResult",
     status=201, body="EventCreate", errors=(400, 401, 403, 404))
def member_event_create(request: HttpRequest, id: int) -> HttpResponse:
    m = access.get_membership(request.user, id, write=True)
    data = parse(request.json, EVENT_SPEC, ("kind", "effective_date"))  # type: ignore[attr-defined]
    if data["kind"] in (MembershipEvent.Kind.EXEMPTED, MembershipEvent.Kind.EXEMPTION_ENDED) \
            and exemptions.procedure_under_way(m):
        raise invalid("kind", _("An exemption procedure is under way for this member: record its steps on the "
                                "member's page, under “Exemption from party work and meetings”."))
    data["organisation"] = _member_org(request.user, data.get("organisation"))
    event = services.member_record_event(m, actor=request.user, **data)
    m = access.get_membership(request.user, m.pk)
    events = list(m.events.select_related("organisation").order_by("effective_date", "id"))
    event = next(e for e in events if e.pk == event.pk)
    return ok({"event": s.event_to_dict(event), "member": s.member_to_dict(m, events)}, status=201)


# --- Localities ------------------------------------------------------------------------------

@doc("The localities you may see", "localities", "LocalityList",
     query=(Param("parent", "only the localities under the one with this code"),))
def locality_list(request: HttpRequest) -> HttpResponse:
    qs = access.localities(request.user).select_related("parent", "organisation")
    parent_code = request.GET.get("parent", "").strip()
    if parent_code:
        qs = qs.filter(parent=access.get_locality(request.user, parent_code))
    rows = [s.locality_to_dict(loc) for loc in qs.order_by("sort_key", "id")]
    return ok({"count": len(rows), "results": rows})


@doc("A locality with its head (village or neighbourhood group head)", "localities", "LocalityDetail")
def locality_detail(request: HttpRequest, code: str) -> HttpResponse:
    loc = access.get_locality(request.user, code)
    day = today()
    head = (
        access.posts(request.user).filter(locality=loc, kind__in=Post.HEAD_KINDS, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .annotate(is_member=Exists(Membership.objects.filter(person=OuterRef("person"), status__in=CURRENT_STATUSES)))
        .select_related("person").order_by("-start_date", "-id").first()
    )
    children = access.localities(request.user).filter(parent=loc).order_by("sort_key", "id").values_list("code", flat=True)
    return ok({
        **s.locality_to_dict(loc),
        "head": None if head is None else {
            "post": head.pk, "kind": head.kind, "person": head.person_id, "person_name": head.person.full_name,
            "start_date": s.iso(head.start_date), "is_member": head.is_member,  # type: ignore[attr-defined]
        },
        "children": list(children),
    })


# --- Posts -----------------------------------------------------------------------------------

@doc("Posts (committee posts and locality heads) you may see", "posts", "PostList",
     query=(Param("org", "only posts in the organisation with this code"),
            Param("locality", "only posts in the locality with this code"),
            Param("active", "true: only posts held today", {"type": "boolean"})), errors=(400, 401, 404))
def post_list(request: HttpRequest) -> HttpResponse:
    qs = access.posts(request.user).select_related("person", "organisation", "locality")
    if org_code := request.GET.get("org", "").strip():
        qs = qs.filter(organisation=access.get_organisation(request.user, org_code))
    if loc_code := request.GET.get("locality", "").strip():
        qs = qs.filter(locality=access.get_locality(request.user, loc_code))
    active = request.GET.get("active", "").strip().lower()
    if active not in ("", "true", "false"):
        raise invalid("active", _("Give true or false."))
    if active == "true":
        day = today()
        qs = qs.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
    rows = [s.post_to_dict(p) for p in qs.order_by("start_date", "id")]
    return ok({"count": len(rows), "results": rows})


def _post_data(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if "person" in out:
        person = access.persons(user).filter(pk=out["person"]).first()
        if person is None:
            raise invalid("person", _("No person with the id %(id)s within your scope. Use the person id "
                                      "of a member record or of a resident.") % {"id": out["person"]})
        out["person"] = person
    if "organisation" in out:
        out["organisation"] = _organisation(user, out["organisation"])
    if "locality" in out:
        out["locality"] = _locality(user, "locality", out["locality"])
    return out


def _check_post_target(user: Any, kind: str | None, organisation: Organisation | None,
                       locality: Locality | None) -> None:
    """403 unless the user may write posts where this one is going."""
    if kind in Post.COMMITTEE_KINDS:
        locality = None
    elif kind in Post.HEAD_KINDS:
        organisation = None
    if (organisation or locality) and not access.may_write_post_in(user, organisation=organisation,
                                                                   locality=locality):
        raise PermissionDenied


@doc("Create a post", "posts", "PostResult", status=201, body="PostCreate", errors=(400, 401, 403))
def post_create(request: HttpRequest) -> HttpResponse:
    data = _post_data(request.user, parse(request.json, POST_SPEC, ("person", "kind", "start_date")))  # type: ignore[attr-defined]
    _check_post_target(request.user, data.get("kind"), data.get("organisation"), data.get("locality"))
    post, warnings = services.post_create(actor=request.user, **data)
    post = access.get_post(request.user, post.pk)
    return ok({**s.post_to_dict(post), "warnings": warnings}, status=201)


@doc("A post", "posts", "Post")
def post_detail(request: HttpRequest, id: int) -> HttpResponse:
    return ok(s.post_to_dict(access.get_post(request.user, id)))


@doc("Change a post (for example, its end date)", "posts", "PostResult", body="PostUpdate",
     errors=(400, 401, 403, 404))
def post_update(request: HttpRequest, id: int) -> HttpResponse:
    post = access.get_post(request.user, id, write=True)
    data = parse(request.json, POST_SPEC)  # type: ignore[attr-defined]
    data = _post_data(request.user, data)
    if "organisation" in data or "locality" in data:
        _check_post_target(request.user, data.get("kind", post.kind),
                           data.get("organisation", post.organisation), data.get("locality", post.locality))
    post, warnings = services.post_update(post, actor=request.user, **data)
    post = access.get_post(request.user, post.pk)
    return ok({**s.post_to_dict(post), "warnings": warnings})


# --- The API's own description ----------------------------------------------------------------

@doc("This OpenAPI document", "meta", "OpenApi", errors=())
def openapi(request: HttpRequest) -> HttpResponse:
    from chibo.api.schema import build_schema

    return ok(build_schema(request))
