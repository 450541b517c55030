"""Organisations, members, localities and posts: schemas and handlers.

Each handler gets its objects only through chibo.access (404 outside the user's scope, 403
when visible but not writable) and makes one service call for a write; each schema declares a
resource's fields once, for input (checked field by field, 400 invalid) or for output."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import create_model

from chibo import access
from chibo.api.core import (
    PAGE,
    Bad,
    Boolean,
    Day,
    In,
    Q,
    WholeNumber,
    choice,
    code,
    date,
    enum,
    field,
    invalid,
    list_of,
    page_number,
    page_of,
    paginated,
    query_date,
    responses,
    text,
)
from chibo.core.dates import today
from chibo.core.ethnicities import ETHNICITIES, ETHNICITY_NAMES
from chibo.indicators.figures import INDICATOR_KEYS, indicators
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
)
from chibo.members.models import (
    Status as MemberStatus,
)
from chibo.members.selectors import committee_posts, filter_members
from chibo.organisations.models import Locality, Organisation

router = Router()
MEMBER_STATUSES = ("current", "probationary", "official", "former", "all")


def _sex(value: Any) -> str:
    if value not in Sex.values:
        raise Bad(_("Enter \"M\" for male or \"F\" for female."))
    return value


def _ethnicity(value: Any) -> str:
    if not isinstance(value, str) or value not in ETHNICITY_NAMES:
        raise Bad(_("Enter the two-digit code of the ethnic group, from \"01\" (Kinh) to \"54\" (Rơ-măm)."))
    return value


def _person_id(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise Bad(_("Enter the number (id) of the person, as listed by the API."))
    return value


SexIn = field(_sex, {"type": "string", "enum": ["M", "F"]})
EthnicityIn = field(_ethnicity, {"type": "string", "enum": [c for c, _n in ETHNICITIES]})
PersonIn = field(_person_id, {"type": "integer", "minimum": 1, "description": "person id"})
Text50 = text(50)
Text20 = text(20)
NullText20 = text(20, null=True)
Date = date()
NullDate = date(null=True)
Code = code()
CellCode = code("code of the party cell or party group")
ReligionIn = choice(Religion.values)
EducationIn = choice(Education.values, blank=True)
TheoryIn = choice(PoliticalTheory.values)
StatusIn = choice(MemberStatus.values)
NewStatusIn = choice([st.value for st in CURRENT_STATUSES])
EventKindIn = choice(sorted(str(k) for k in services.EVENT_RULES))
Text500 = text(500)
PostKindIn = choice(Post.Kind.values)


# --- Schemas ----------------------------------------------------------------------------------

class OrganisationOut(Schema):
    code: str
    name: str
    kind: str = Field(json_schema_extra=enum(Organisation.Kind.values))
    sector: str = Field(json_schema_extra=enum(Organisation.Sector.values))
    parent: str | None = Field(None, alias="parent.code")
    depth: int
    valid_from: Day
    valid_to: Day | None
    locality: str | None = Field(None, alias="locality.code")


class CommitteePost(Schema):
    id: int
    kind: str
    person: int = Field(alias="person_id")
    person_name: str = Field(alias="person.full_name")
    start_date: Day
    decision_number: str


class OrganisationDetail(OrganisationOut):
    note: str
    members_visible: bool
    committee: list[CommitteePost]
    children: list[str]

    @staticmethod
    def resolve_members_visible(org: Organisation, context: Any) -> bool:
        return access.sees_members_of(context["request"].user, org)

    @staticmethod
    def resolve_committee(org: Organisation) -> list[Post]:
        # The committee is part of the organisation's page, which the gatekeeper let us show.
        return list(committee_posts([org]).select_related("person"))

    @staticmethod
    def resolve_children(org: Organisation, context: Any) -> list[str]:
        return list(access.organisations(context["request"].user).filter(parent=org).order_by("path")
                    .values_list("code", flat=True))


FIGURES: Any = dict.fromkeys(INDICATOR_KEYS, (Any, ...))  # described in chibo.indicators.figures
Indicators = create_model(  # type: ignore[call-overload]
    "Indicators", __base__=Schema, organisation=(dict[str, Any], ...),
    date=(str, Field(json_schema_extra={"format": "date"})), period=(dict[str, str], ...),
    **dict.fromkeys(INDICATOR_KEYS, (Any, ...)))


class MembershipOut(Schema):
    organisation: str = Field(alias="organisation.code")
    organisation_name: str = Field(alias="organisation.name")
    status: str = Field(json_schema_extra=enum(MemberStatus.values))
    current: bool
    exempt: bool
    temporary: bool
    admission_date: Day
    admission_decision_date: Day | None
    official_date: Day | None
    card_number: str | None
    exempt_since: Day | None = Field(description="the day the present exemption took effect")
    temporary_since: Day | None = Field(description="the day the present temporary activity here began")
    left_on: Day | None = Field(description="for a former member, the day they left the rolls")


class MemberRow(MembershipOut):
    id: int
    full_name: str = Field(alias="person.full_name")
    family_name: str = Field(alias="person.family_name")
    middle_name: str = Field(alias="person.middle_name")
    given_name: str = Field(alias="person.given_name")
    sex: str = Field(json_schema_extra=enum(["M", "F"]))
    birth_date: Day
    ethnicity: str


class Event(Schema):
    id: int
    kind: str = Field(json_schema_extra=enum(MembershipEvent.Kind.values))
    effective_date: Day
    decision_number: str
    note: str
    organisation: str = Field(alias="organisation.code")
    status: str
    exempt: bool
    temporary: bool
    ended_on: Day | None


class Member(MemberRow):
    person_id: int
    religion: str = Field(alias="person.religion")
    citizen_id: str | None = Field(alias="person.citizen_id")
    phone: str = Field(alias="person.phone")
    residence: str | None = Field(None, alias="person.residence.code")
    education: str = Field(alias="person.education")
    political_theory: str = Field(alias="person.political_theory")
    left_note: str
    interrupted_months: int
    party_age: int | None = Field(description="whole years (tuổi đảng); null if not official")
    events: list[Event]

    @staticmethod
    def resolve_party_age(m: Membership) -> int | None:
        return m.party_age_on(today())

    @staticmethod
    def resolve_events(m: Membership) -> list[MembershipEvent]:
        return list(m.events.select_related("organisation").order_by("effective_date", "id"))


class PersonFields(In):
    family_name: Text50 = None
    middle_name: Text50 = None
    given_name: Text50 = None
    sex: SexIn = None
    birth_date: Date = None
    ethnicity: EthnicityIn = None
    religion: ReligionIn = None
    citizen_id: NullText20 = None
    phone: Text20 = None
    residence: code("locality code") = None
    education: EducationIn = None
    political_theory: TheoryIn = None


class MemberUpdate(PersonFields):
    """Only the fields sent are changed. Status, organisation, exemption and temporary activity change by events."""

    organisation: CellCode = None
    status: StatusIn = None
    exempt: Boolean = None
    temporary: Boolean = None
    admission_date: Date = None
    admission_decision_date: NullDate = None
    official_date: NullDate = None
    card_number: NullText20 = None
    interrupted_months: WholeNumber = None


class MemberCreate(MemberUpdate):
    given_name: Text50
    sex: SexIn
    birth_date: Date
    organisation: CellCode
    status: NewStatusIn
    admission_date: Date
    decision_number: Text50 = None
    exempt_since: date(null=True) = Field(None, description="required when exempt: the day the exemption took effect")
    temporary_since: date(null=True) = Field(None, description="required when temporary: the day the temporary "
                                                               "activity here began")


class EventCreate(In):
    kind: EventKindIn
    effective_date: Date
    decision_number: Text50 = None
    organisation: code("destination cell, for moved and transferred_in") = None
    note: Text500 = None


class EventResult(Schema):
    event: Event
    member: Member


class LocalityOut(Schema):
    code: str
    name: str
    kind: str = Field(json_schema_extra=enum(Locality.Kind.values))
    parent: str | None = Field(None, alias="parent.code")
    organisation: str | None = Field(None, alias="organisation.code")


class Head(Schema):
    post: int = Field(alias="pk")
    kind: str
    person: int = Field(alias="person_id")
    person_name: str = Field(alias="person.full_name")
    start_date: Day
    is_member: bool


class LocalityDetail(LocalityOut):
    head: Head | None
    children: list[str]

    @staticmethod
    def resolve_head(loc: Locality, context: Any) -> Post | None:
        day = today()
        return (
            access.posts(context["request"].user).active_on(day).filter(locality=loc, kind__in=Post.HEAD_KINDS)
            .annotate(is_member=Exists(Membership.objects.filter(person=OuterRef("person"),
                                                                 status__in=CURRENT_STATUSES)))
            .select_related("person").order_by("-start_date", "-id").first())

    @staticmethod
    def resolve_children(loc: Locality, context: Any) -> list[str]:
        return list(access.localities(context["request"].user).filter(parent=loc).order_by("sort_key", "id")
                    .values_list("code", flat=True))


class PostOut(Schema):
    id: int
    kind: str = Field(json_schema_extra=enum(Post.Kind.values))
    person: int = Field(alias="person_id")
    person_name: str = Field(alias="person.full_name")
    organisation: str | None = Field(None, alias="organisation.code")
    locality: str | None = Field(None, alias="locality.code")
    start_date: Day
    end_date: Day | None
    decision_number: str
    active: bool

    @staticmethod
    def resolve_active(post: Post) -> bool:
        return post.active_on(today())


class PostResult(PostOut):
    warnings: list[str]


class PostUpdate(In):
    person: PersonIn = None
    kind: PostKindIn = None
    organisation: code("for committee posts") = None
    locality: code("for village and neighbourhood group heads") = None
    start_date: Date = None
    end_date: NullDate = None
    decision_number: Text50 = None


class PostCreate(PostUpdate):
    person: PersonIn
    kind: PostKindIn
    start_date: Date


# --- Looking objects up for input fields (always through chibo.access) ------------------------

def member_org(user: Any, org_code: str | None) -> Organisation | None:
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


def locality_ref(user: Any, name: str, loc_code: str | None) -> Locality | None:
    if loc_code is None:
        return None
    try:
        return access.get_locality(user, loc_code)
    except Http404:
        raise invalid(name, _("No locality with the code %(code)s within your scope. "
                              "Use a code listed by /api/v1/localities/.") % {"code": loc_code}) from None


def organisation_ref(user: Any, org_code: str | None) -> Organisation | None:
    if org_code is None:
        return None
    try:
        return access.get_organisation(user, org_code)
    except Http404:
        raise invalid("organisation", _("No party organisation with the code %(code)s within your scope. "
                                        "Use a code listed by /api/v1/organisations/.") % {"code": org_code}) from None


# --- Organisations ----------------------------------------------------------------------------

@router.get("organisations/", response=responses(list_of(OrganisationOut), 200, 404), url_name="organisations",
            tags=["organisations"], summary="The organisations you may see, in tree order")
def organisation_list(request: HttpRequest,
                      parent: str = Q("only the children of the organisation with this code")) -> Any:
    qs = access.organisations_with_basics(request.user).select_related("parent", "locality")
    if parent.strip():
        qs = qs.filter(parent=access.get_organisation(request.user, parent.strip()))
    rows = list(qs.order_by("path"))
    return {"count": len(rows), "results": rows}


@router.get("organisations/{code}/", response=responses(OrganisationDetail, 200, 404), url_name="organisation",
            tags=["organisations"], summary="An organisation with its committee and children")
def organisation_detail(request: HttpRequest, code: str) -> Any:
    return access.get_organisation(request.user, code)


@router.get("organisations/{code}/indicators/", response=responses(Indicators, 200, 400, 404), url_name="indicators",
            tags=["organisations"], summary="The indicators of an organisation's subtree on a date, with the work, "
                                            "meetings and documents of a period")
def organisation_indicators(
        request: HttpRequest, code: str, date: str = Q("dd/mm/yyyy or yyyy-mm-dd; default today"),
        start: str = Q("start of the period of completed tasks, meetings and documents read; default 1 January "
                       "of the end's year", alias="from"),
        end: str = Q("end of that period, not after date; default date", alias="to")) -> Any:
    org = access.get_organisation(request.user, code)
    day = query_date("date", date) or today()
    first, last = query_date("from", start), query_date("to", end)
    if last is not None and last > day:
        raise invalid("to", _("The end of the period cannot be after the date of the figures (%(date)s). "
                              "Give an earlier end, or a later date.") % {"date": day.strftime("%d/%m/%Y")})
    if first is not None and first > (last or day):
        raise invalid("from", _("The period cannot start after it ends (%(end)s). Give an earlier start.")
                      % {"end": (last or day).strftime("%d/%m/%Y")})
    report = indicators(org, day, start=first, end=last)
    period_start, period_end = report.period
    return {**report.as_dict(), "date": report.on.isoformat(),  # ISO, like every API date
            "period": {"from": period_start.isoformat(), "to": period_end.isoformat()}}


# --- Members ---------------------------------------------------------------------------------

@router.get("members/", response=responses(page_of(MemberRow), 200, 400, 404), url_name="members", tags=["members"],
            summary="Members you may see, 25 a page, in roster order")
def member_list(request: HttpRequest,
                q: str = Q("name (accents optional) or the start of a citizen ID or card number"),
                org: str = Q("only members within the organisation with this code"),
                status: str = Q("default current", {"enum": list(MEMBER_STATUSES)}), page: str = PAGE) -> Any:
    status = status.strip() or "current"
    if status not in MEMBER_STATUSES:
        raise invalid("status", _("Give one of: %(choices)s.") % {"choices": ", ".join(MEMBER_STATUSES)})
    page_number(page)  # a bad page is reported before the organisation is looked up
    within = access.get_organisation(request.user, org.strip()) if org.strip() else None
    qs = filter_members(access.memberships(request.user, within=within), q=q, status=status).order_by("sort_key", "id")
    return paginated(page, qs.select_related("person", "organisation"))


@router.get("members/{int:id}/", response=responses(Member, 200, 404), url_name="member", tags=["members"],
            summary="A member's record with its history")
def member_detail(request: HttpRequest, id: int) -> Any:
    return _member(request.user, id)


def _member(user: Any, pk: int) -> Membership:
    """The member as the API shows it (Member)."""
    return access.get_membership(user, pk)


def _person_data(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    person = {k: data[k] for k in PersonFields.model_fields if k in data}
    if "residence" in person:
        person["residence"] = locality_ref(user, "residence", person["residence"])
    return person


MEMBERSHIP_FIELDS = [k for k in MemberUpdate.model_fields if k not in PersonFields.model_fields]


@router.post("members/", response=responses(Member, 201, 400, 403), url_name="members", tags=["members"],
             summary="Enter a new party member (a new person and their membership)")
def member_create(request: HttpRequest, payload: MemberCreate) -> Any:
    data = payload.sent()
    organisation = member_org(request.user, data.get("organisation"))
    person = _person_data(request.user, data)
    membership = {k: data[k] for k in (*MEMBERSHIP_FIELDS, "exempt_since", "temporary_since") if k in data} \
        | {"organisation": organisation}
    m = services.member_create(actor=request.user, person_data=person,
                               decision_number=data.get("decision_number", ""), **membership)
    return Status(201, _member(request.user, m.pk))


@router.patch("members/{int:id}/", response=responses(Member, 200, 400, 403, 404), url_name="member",
              tags=["members"], summary="Correct a member's record (changes of status or cell are events)")
def member_update(request: HttpRequest, id: int, payload: MemberUpdate) -> Any:
    m = access.get_membership(request.user, id, write=True)
    data = payload.sent()
    if data.pop("organisation", m.organisation.code) != m.organisation.code:
        raise invalid("organisation", _(
            "To move a member to another cell, record a \"moved\" event at /api/v1/members/%(id)s/events/.")
            % {"id": m.pk})
    person = _person_data(request.user, data)
    membership = {k: data[k] for k in MEMBERSHIP_FIELDS if k in data}
    services.member_update(m, actor=request.user, person_data=person, **membership)
    return _member(request.user, m.pk)


@router.post("members/{int:id}/events/", response=responses(EventResult, 201, 400, 403, 404),
             url_name="member-events", tags=["members"],
             summary="Record a dated event: recognised, moved, transferred, exempted, removed …")
def member_event_create(request: HttpRequest, id: int, payload: EventCreate) -> Any:
    m = access.get_membership(request.user, id, write=True)
    data = payload.sent()
    if data["kind"] in (MembershipEvent.Kind.EXEMPTED, MembershipEvent.Kind.EXEMPTION_ENDED) \
            and exemptions.procedure_under_way(m):
        raise invalid("kind", _("An exemption procedure is under way for this member: record its steps on the "
                                "member's page, under “Exemption from party work and meetings”."))
    data["organisation"] = member_org(request.user, data.get("organisation"))
    event = services.member_record_event(m, actor=request.user, **data)
    m = access.get_membership(request.user, m.pk)
    return Status(201, {"event": MembershipEvent.objects.select_related("organisation").get(pk=event.pk), "member": m})


# --- Localities ------------------------------------------------------------------------------

@router.get("localities/", response=responses(list_of(LocalityOut), 200, 404), url_name="localities",
            tags=["localities"], summary="The localities you may see")
def locality_list(request: HttpRequest,
                  parent: str = Q("only the localities under the one with this code")) -> Any:
    qs = access.localities(request.user).select_related("parent", "organisation")
    if parent.strip():
        qs = qs.filter(parent=access.get_locality(request.user, parent.strip()))
    rows = list(qs.order_by("sort_key", "id"))
    return {"count": len(rows), "results": rows}


@router.get("localities/{code}/", response=responses(LocalityDetail, 200, 404), url_name="locality",
            tags=["localities"], summary="A locality with its head (village or neighbourhood group head)")
def locality_detail(request: HttpRequest, code: str) -> Any:
    return access.get_locality(request.user, code)


# --- Posts -----------------------------------------------------------------------------------

@router.get("posts/", response=responses(list_of(PostOut), 200, 400, 404), url_name="posts", tags=["posts"],
            summary="Posts (committee posts and locality heads) you may see")
def post_list(request: HttpRequest, org: str = Q("only posts in the organisation with this code"),
              locality: str = Q("only posts in the locality with this code"),
              active: str = Q("true: only posts held today", {"type": "boolean"})) -> Any:
    qs = access.posts(request.user).select_related("person", "organisation", "locality")
    if org.strip():
        qs = qs.filter(organisation=access.get_organisation(request.user, org.strip()))
    if locality.strip():
        qs = qs.filter(locality=access.get_locality(request.user, locality.strip()))
    active = active.strip().lower()
    if active not in ("", "true", "false"):
        raise invalid("active", _("Give true or false."))
    if active == "true":
        day = today()
        qs = qs.active_on(day)
    rows = list(qs.order_by("start_date", "id"))
    return {"count": len(rows), "results": rows}


def _post_data(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if "person" in out:
        person = access.persons(user).filter(pk=out["person"]).first()
        if person is None:
            raise invalid("person", _("No person with the id %(id)s within your scope. Use the person id "
                                      "of a member record or of a resident.") % {"id": out["person"]})
        out["person"] = person
    if "organisation" in out:
        out["organisation"] = organisation_ref(user, out["organisation"])
    if "locality" in out:
        out["locality"] = locality_ref(user, "locality", out["locality"])
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


def _post_result(user: Any, post: Post, warnings: list[str]) -> Post:
    post = access.get_post(user, post.pk)
    post.warnings = warnings  # type: ignore[attr-defined]
    return post


@router.post("posts/", response=responses(PostResult, 201, 400, 403), url_name="posts", tags=["posts"],
             summary="Create a post")
def post_create(request: HttpRequest, payload: PostCreate) -> Any:
    data = _post_data(request.user, payload.sent())
    _check_post_target(request.user, data.get("kind"), data.get("organisation"), data.get("locality"))
    post, warnings = services.post_create(actor=request.user, **data)
    return Status(201, _post_result(request.user, post, warnings))


@router.get("posts/{int:id}/", response=responses(PostOut, 200, 404), url_name="post", tags=["posts"],
            summary="A post")
def post_detail(request: HttpRequest, id: int) -> Any:
    return access.get_post(request.user, id)


@router.patch("posts/{int:id}/", response=responses(PostResult, 200, 400, 403, 404), url_name="post", tags=["posts"],
              summary="Change a post (for example, its end date)")
def post_update(request: HttpRequest, id: int, payload: PostUpdate) -> Any:
    post = access.get_post(request.user, id, write=True)
    data = _post_data(request.user, payload.sent())
    if "organisation" in data or "locality" in data:
        _check_post_target(request.user, data.get("kind", post.kind),
                           data.get("organisation", post.organisation), data.get("locality", post.locality))
    post, warnings = services.post_update(post, actor=request.user, **data)
    return _post_result(request.user, post, warnings)
