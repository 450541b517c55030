"""Every date a person can type, fuzzed through HTTP (issue 11, point 9): web query parameters,
form fields and API fields, with dates across 0001–9999 and odd strings. None may answer 500;
a well-formed date outside 1900–2099 is a field error that names the field (web: under the
field; API: 400 `invalid` with the field)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from chibo.accounts.tokens import api_token_create
from chibo.core.dates import parse_vn_date
from chibo.documents.models import Document
from chibo.members import services as members
from chibo.plans import services as plans
from chibo.plans.models import Resolution, Target
from tests.conftest import World, person_data

OUT_OF_RANGE_VI = "Năm phải từ 1900 đến 2099. Hãy kiểm tra lại năm."
EXTREMES = ["01/01/0001", "31/12/9999", "0001-01-01", "9999-12-31", "31/12/1899", "01/01/2100"]


def _formatted(day: dt.date, style: int) -> str:
    return (f"{day.day:02d}/{day.month:02d}/{day.year:04d}", f"{day.day:02d}-{day.month:02d}-{day.year:04d}",
            f"{day.year:04d}-{day.month:02d}-{day.day:02d}")[style]


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=24)
DATES = st.builds(_formatted, st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
                  st.integers(0, 2))
ODD = st.one_of(
    TEXT,
    st.from_regex(r"\A[0-9²٣ ]{1,3}[/.-][0-9]{1,3}[/.-][0-9]{1,6}\Z"),
    st.sampled_from(["²", "9" * 5000, "00/00/0000", "29/02/1900", "31/04/2025", " 1/1/1 ", "-1", "1e9"]),
)
VALUES = st.one_of(DATES, DATES, ODD)  # dates twice as often as the rest
JSON_VALUES = st.one_of(VALUES, st.integers(), st.none(), st.booleans(), st.lists(st.integers(), max_size=2))
FUZZ = settings(max_examples=8, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
_serial = itertools.count(1)


def out_of_range(value: Any) -> bool:
    """A date typed correctly whose year lies outside 1900–2099."""
    if not isinstance(value, str):
        return False
    try:
        day = parse_vn_date(value)
    except ValueError:
        return False
    return not dt.date(1900, 1, 1) <= day <= dt.date(2099, 12, 31)


def client(world: World, persona: str) -> Client:
    c = Client(raise_request_exception=False)
    c.force_login(world.users[persona])
    return c


@dataclass
class Setup:
    """What the inputs need: a target to measure, a candidate, a document for a study session."""
    target: int
    document: int
    probationary: int


@pytest.fixture
def setup(world: World) -> Setup:
    staff = world.users["commune_staff"]
    res = plans.resolution_create(actor=staff, organisation=world.org["C1"], body=Resolution.Body.CONGRESS,
                                  number="01-NQ/ĐH", issued_on=dt.date(2025, 7, 20), period_start=2025,
                                  period_end=2030, title="Nghị quyết Đại hội")
    target = plans.target_create(actor=staff, resolution=res, organisation=world.org["A"], name="Kết nạp",
                                 kind=Target.Kind.COUNT, target_value=D(3), roll_up=Target.RollUp.NONE)
    doc = Document.objects.create(organisation=world.org["C1"], kind="regulation", number="339-QĐ/TW",
                                  issuer="Ban Bí thư", issued_on=dt.date(2025, 7, 10), title="Quy định 339")
    m = members.member_create(actor=None, person_data=person_data("Lê", "Thị", "Mai", sex="F"),
                              organisation=world.org["A"], status="probationary", admission_date=dt.date(2025, 9, 15))
    return Setup(target=target.pk, document=doc.pk, probationary=m.pk)


def citizen_id() -> str:
    return str(100_000_000_000 + next(_serial) * 7_919)


# --- Web: query parameters ---------------------------------------------------------------------

WEB_GET: dict[str, tuple[str, Callable[[World], str], str]] = {
    "home ?date": ("admin", lambda w: "/", "date"),
    "meeting gaps ?start": ("secretary_a", lambda w: "/to-chuc/A/sinh-hoat/con-thieu/", "start"),
    "meeting gaps ?end": ("secretary_a", lambda w: "/to-chuc/A/sinh-hoat/con-thieu/", "end"),
    "tasks due ?days": ("secretary_a", lambda w: "/to-chuc/A/viec-den-han/", "days"),
    "member's record ?nam": ("secretary_a", lambda w: f"/dang-vien/{w.m['member'].pk}/viec/", "nam"),
    "holidays ?nam": ("admin", lambda w: "/ngay-nghi/", "nam"),
    "due dates ?days": ("commune_staff", lambda w: "/to-chuc/C1/den-han/", "days"),
}


@pytest.mark.parametrize("case", list(WEB_GET))
@FUZZ
@given(value=VALUES)
@example(value="01/01/0001")
@example(value="31/12/9999")
@example(value="²")
@example(value="9" * 5000)
def test_a_date_in_a_web_query_never_answers_500(world: World, case: str, value: str) -> None:
    persona, url, name = WEB_GET[case]
    response = client(world, persona).get(url(world), {name: value})
    assert response.status_code < 500, (case, value)


def test_the_home_page_names_a_date_out_of_range(world: World) -> None:
    response = client(world, "admin").get("/", {"date": "01/01/0001"})
    assert response.status_code == 200
    assert OUT_OF_RANGE_VI in response.content.decode()


# --- Web: form fields ----------------------------------------------------------------------------

def _member(w: World, s: Setup) -> dict[str, Any]:
    return {"family_name": "Võ", "middle_name": "Thị", "given_name": "Sáu", "sex": "F", "birth_date": "12/04/1990",
            "ethnicity": "01", "religion": "none", "citizen_id": citizen_id(), "residence": w.loc["A"].pk,
            "education": "university", "political_theory": "elementary", "organisation": w.org["A"].pk,
            "status": "official", "admission_date": "03/02/2015", "official_date": "03/02/2016"}


def _task(w: World, s: Setup) -> dict[str, Any]:
    return {"title": "Vận động 5 hộ làm nhà vệ sinh", "lead": f"p{w.m['member'].person.pk}",
            "start_on": "02/03/2026", "due_on": "22/03/2026", "expected_output": "5 hộ có nhà vệ sinh",
            "measure_value": "5", "measure_unit": "hộ", "verifier": str(w.m["secretary_a"].person.pk),
            "verify_by": "27/03/2026", "recurrence": "monthly", "repeat_until": "31/12/2026"}


def _candidate(w: World, s: Setup) -> dict[str, Any]:
    return {"introduced_on": "01/03/2025", "introduced_by": "Chi đoàn thôn Đông", "family_name": "Rơ Mah",
            "given_name": "Hiền", "sex": "F", "birth_date": "05/06/2003", "ethnicity": "10", "religion": "none",
            "political_theory": "none", "citizen_id": citizen_id()}


# name → (persona, url, data, date fields)
WEB_FORMS: dict[str, tuple[str, Callable[[World, Setup], str], Callable[[World, Setup], dict[str, Any]], list[str]]] = {
    "member": ("commune_staff", lambda w, s: "/dang-vien/moi/", _member,
               ["birth_date", "admission_date", "official_date"]),
    "person": ("commune_staff", lambda w, s: "/nguoi/moi/?locality=VA", lambda w, s: {
        "family_name": "Rơ Mah", "given_name": "Blưi", "sex": "M", "birth_date": "05/06/1975", "ethnicity": "10",
        "religion": "none", "citizen_id": citizen_id(), "residence": w.loc["A"].pk, "political_theory": "none"},
        ["birth_date"]),
    "member event": ("secretary_b", lambda w, s: f"/dang-vien/{w.m['b_member'].pk}/su-kien/", lambda w, s: {
        "kind": "exempted", "effective_date": "02/03/2026", "decision_number": "05-QĐ/CB"}, ["effective_date"]),
    "post": ("secretary_a", lambda w, s: "/chuc-vu/moi/?org=A", lambda w, s: {
        "kind": "deputy_secretary", "person": w.m["member"].person.pk, "organisation": w.org["A"].pk,
        "start_date": "01/09/2025", "end_date": ""}, ["start_date", "end_date"]),
    "post end": ("secretary_a", lambda w, s: f"/chuc-vu/{w.posts['committee_a'].pk}/ket-thuc/",
                 lambda w, s: {"end_date": "01/10/2025"}, ["end_date"]),
    "organisation": ("commune_staff", lambda w, s: "/to-chuc/moi/?parent=C1", lambda w, s: {
        "code": f"C1-T{next(_serial)}", "name": "Chi bộ Trường học", "kind": "grassroots_cell",
        "sector": "education_health", "parent": w.org["C1"].pk, "valid_from": "01/09/2025"},
        ["valid_from", "valid_to"]),
    "resolution": ("commune_staff", lambda w, s: "/nghi-quyet/moi/?org=C1", lambda w, s: {
        "organisation": w.org["C1"].pk, "body": "committee", "kind": "resolution", "number": f"{next(_serial)}-NQ/ĐU",
        "issued_on": "01/09/2025", "period_start": "2025", "period_end": "2027", "title": "Nghị quyết",
        "status": "in_force"}, ["issued_on"]),
    "measurement": ("secretary_a", lambda w, s: f"/chi-tieu/{s.target}/so-lieu/", lambda w, s: {
        "measured_on": "02/03/2026", "value": "1", "note": ""}, ["measured_on"]),
    "task": ("secretary_a", lambda w, s: "/viec/moi/?org=A", _task, ["start_on", "due_on", "verify_by", "repeat_until"]),
    "meeting": ("secretary_a", lambda w, s: "/hop/moi/?org=A", lambda w, s: {
        "kind": "regular", "date": "05/03/2026", "start_time": "19h30", "place": "Nhà văn hóa thôn Đông",
        "chair": str(w.m["secretary_a"].person.pk), "recorder": str(w.m["member"].person.pk), "agenda": "Một",
        "thematic_topic": ""}, ["date"]),
    "document": ("commune_staff", lambda w, s: "/van-ban/moi/", lambda w, s: {
        "organisation": w.org["C1"].pk, "kind": "regulation", "number": f"{next(_serial)}-QĐ/TW",
        "issuer": "Ban Bí thư", "issued_on": "10/07/2025", "title": "Quy định"}, ["issued_on"]),
    "study session": ("secretary_a", lambda w, s: "/hoc-tap/moi/?org=A", lambda w, s: {
        "title": "Học tập Quy định 339", "held_on": "01/09/2025", "place": "Nhà văn hóa", "summary": "",
        "documents": [str(s.document)], "participants": [str(w.m["member"].person_id)]}, ["held_on"]),
    "candidate": ("secretary_a", lambda w, s: "/ket-nap/moi/?org=A", _candidate, ["introduced_on", "birth_date"]),
    "transfer": ("secretary_a", lambda w, s: f"/dang-vien/{w.m['member'].pk}/chuyen-sinh-hoat/", lambda w, s: {
        "kind": "temporary", "direction": "out", "reason_date": "02/01/2026", "number": f"{next(_serial)}-GGT",
        "letter_date": "05/01/2026", "other_name": "Công ty X", "temporary_end": "05/07/2026"},
        ["reason_date", "letter_date", "temporary_end"]),
    "recognition": ("secretary_a", lambda w, s: f"/dang-vien/{s.probationary}/cong-nhan/", lambda w, s: {
        "action": "resolution", "resolution-proposal": "recognise", "resolution-on": "20/11/2026",
        "resolution-number": "20-NQ/CB", "resolution-votes_for": "8", "resolution-against": "0",
        "resolution-abstain": "0", "resolution-present": "8", "resolution-official": "9"}, ["resolution-on"]),
    "rule version": ("admin", lambda w, s: "/quy-dinh/admission_ceremony_working_days/phien-ban-moi/", lambda w, s: {
        "value": "20", "effective_from": "01/06/2098", "citation": "Quy định giả định", "confirmed": "on"},
        ["effective_from"]),
    "holiday": ("admin", lambda w, s: "/ngay-nghi/", lambda w, s: {
        "date": "02/09/2026", "name": "Quốc khánh", "confirmed": "on", "note": ""}, ["date"]),
}
WEB_FIELDS = [(name, field) for name, (_p, _u, _d, fields) in WEB_FORMS.items() for field in fields]


@pytest.mark.parametrize(("form", "field"), WEB_FIELDS, ids=[f"{n}.{f}" for n, f in WEB_FIELDS])
@FUZZ
@given(value=VALUES)
@example(value="01/01/0001")
@example(value="31/12/9999")
@example(value="9999-12-31")
def test_a_date_in_a_web_form_never_answers_500(world: World, setup: Setup, form: str, field: str,
                                                 value: str) -> None:
    persona, url, data, _fields = WEB_FORMS[form]
    response = client(world, persona).post(url(world, setup), {**data(world, setup), field: value})
    assert response.status_code < 500, (form, field, value)
    if out_of_range(value):
        assert response.status_code in (200, 400), (form, field, value)
        assert OUT_OF_RANGE_VI in response.content.decode(), (form, field, value)


# --- API -----------------------------------------------------------------------------------------

def _api_task(w: World, s: Setup) -> dict[str, Any]:
    return {"organisation": "A", "title": "Vận động 5 hộ", "assignees": [{"person": w.m["member"].person_id,
                                                                          "lead": True}],
            "start_on": "2026-03-02", "due_on": "2026-04-01", "expected_output": "5 hộ có nhà vệ sinh",
            "measure_value": 5, "measure_unit": "hộ", "verifier": w.m["secretary_a"].person_id,
            "verify_by": "2026-04-06", "recurrence": "monthly", "repeat_until": "2026-12-31"}


API_BODIES: dict[str, tuple[str, str, Callable[[World, Setup], str], Callable[[World, Setup], dict[str, Any]], list[str]]] = {
    "members": ("commune_staff", "POST", lambda w, s: "members/", lambda w, s: {
        "family_name": "Lê", "middle_name": "Thị", "given_name": "Mai", "sex": "F", "birth_date": "12/04/1995",
        "ethnicity": "01", "citizen_id": citizen_id(), "residence": "VA", "organisation": "A",
        "status": "probationary", "admission_date": "2025-01-10"}, ["birth_date", "admission_date"]),
    "member events": ("secretary_b", "POST", lambda w, s: f"members/{w.m['b_member'].pk}/events/",
                      lambda w, s: {"kind": "exempted", "effective_date": "02/03/2026"}, ["effective_date"]),
    "posts": ("secretary_a", "POST", lambda w, s: "posts/", lambda w, s: {
        "person": w.m["member"].person_id, "kind": "deputy_secretary", "organisation": "A",
        "start_date": "01/01/2026"}, ["start_date"]),
    "post update": ("secretary_a", "PATCH", lambda w, s: f"posts/{w.posts['committee_a'].pk}/",
                    lambda w, s: {"end_date": "01/01/2026"}, ["end_date"]),
    "resolutions": ("commune_staff", "POST", lambda w, s: "resolutions/", lambda w, s: {
        "organisation": "C1", "body": "committee", "kind": "resolution", "number": f"{next(_serial)}-NQ/ĐU",
        "issued_on": "20/07/2025", "period_start": 2025, "period_end": 2030, "title": "Nghị quyết"}, ["issued_on"]),
    "measurements": ("secretary_a", "POST", lambda w, s: f"targets/{s.target}/measurements/",
                     lambda w, s: {"measured_on": "2026-03-02", "value": 1}, ["measured_on"]),
    "tasks": ("secretary_a", "POST", lambda w, s: "tasks/", _api_task,
              ["start_on", "due_on", "verify_by", "repeat_until"]),
    "documents": ("commune_staff", "POST", lambda w, s: "documents/", lambda w, s: {
        "organisation": "C1", "kind": "regulation", "number": f"{next(_serial)}-QĐ/TW", "issuer": "Ban Bí thư",
        "issued_on": "10/07/2025", "title": "Quy định"}, ["issued_on"]),
    "meetings": ("secretary_a", "POST", lambda w, s: "meetings/", lambda w, s: {
        "organisation": "A", "kind": "regular", "date": "2026-03-05", "start_time": "19:30", "place": "Nhà văn hóa",
        "chair": w.m["secretary_a"].person_id, "recorder": w.m["member"].person_id}, ["date"]),
}
API_FIELDS = [(name, field) for name, (*_rest, fields) in API_BODIES.items() for field in fields]
API_QUERIES = [("organisations/C1/indicators/", "date"), ("organisations/C1/indicators/", "from"),
               ("organisations/C1/indicators/", "to"), ("meetings/", "from"), ("meetings/", "to"),
               ("organisations/A/meeting-gaps/", "from"), ("organisations/A/meeting-gaps/", "to")]


class Api:
    def __init__(self, world: World) -> None:
        self.tokens = {name: api_token_create(user, "test")[1] for name, user in world.users.items()}

    def __call__(self, persona: str, method: str, url: str, data: Any = None) -> Any:
        c = Client(raise_request_exception=False)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[persona]}"}
        if method == "GET":
            return c.get("/api/v1/" + url, data, **headers)
        return c.generic(method, "/api/v1/" + url, json.dumps(data), content_type="application/json", **headers)


@pytest.fixture
def api(world: World) -> Api:
    return Api(world)


@pytest.mark.parametrize(("body", "field"), API_FIELDS, ids=[f"{n}.{f}" for n, f in API_FIELDS])
@FUZZ
@given(value=JSON_VALUES)
@example(value="01/01/0001")
@example(value="9999-12-31")
def test_a_date_in_an_api_body_never_answers_500(world: World, setup: Setup, api: Api, body: str, field: str,
                                                 value: Any) -> None:
    persona, method, url, data, _fields = API_BODIES[body]
    response = api(persona, method, url(world, setup), {**data(world, setup), field: value})
    assert response.status_code < 500, (body, field, value, response.content[:300])
    if out_of_range(value):
        assert response.status_code == 400 and field in response.json()["error"]["fields"], (body, field, value)


@pytest.mark.parametrize(("url", "name"), API_QUERIES, ids=[f"{u}?{n}" for u, n in API_QUERIES])
@FUZZ
@given(value=VALUES)
@example(value="01/01/0001")
@example(value="9999-12-31")
def test_a_date_in_an_api_query_never_answers_500(world: World, api: Api, url: str, name: str, value: str) -> None:
    response = api("commune_staff", "GET", url, {name: value})
    assert response.status_code < 500, (url, name, value, response.content[:300])
    if out_of_range(value):
        assert response.status_code == 400 and name in response.json()["error"]["fields"], (url, name, value)


# --- Commands ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("command", "args"), [
    ("indicators", ["P", "--date", "01/01/0001"]),
    ("indicators", ["P", "--from", "0001-01-01"]),
    ("indicators", ["P", "--to", "31/12/1899"]),
    ("remind", ["--date", "31/12/9999"]),
])
def test_a_date_out_of_range_on_the_command_line_is_an_error_naming_the_option(world: World, command: str,
                                                                                args: list[str]) -> None:
    with pytest.raises(CommandError) as err:
        call_command(command, *args, stdout=io.StringIO())
    assert str(err.value).startswith(f"{args[-2]} {args[-1]}:") and "1900" in str(err.value)


# --- Whole numbers and ids in query parameters ---------------------------------------------------

@pytest.mark.parametrize("raw", ["²", "٣", "9" * 5000, "99999999999999999999", "-1", "1.5"])
def test_an_id_in_a_query_or_form_that_is_not_plain_digits_is_ignored_or_404_never_500(world: World, setup: Setup,
                                                                                        raw: str) -> None:
    sec = client(world, "secretary_a")
    created = sec.post("/hop/moi/?org=A", {**WEB_FORMS["meeting"][2](world, setup)})
    assert created.status_code == 302
    meeting = created["Location"]  # /hop/<pk>/
    for method, url, data in (("get", f"{meeting}bien-ban/", {"v": raw}),
                              ("get", f"{meeting}bieu-quyet/", {"vote": raw}),
                              ("post", f"{meeting}khach-moi/", {"guest": raw, "title": ""}),
                              ("get", f"/dang-vien/{setup.probationary}/cong-nhan/nghi-quyet.pdf", {"r": raw})):
        response = getattr(sec, method)(url, data)
        assert response.status_code in (200, 302, 400, 404), (url, raw, response.status_code)
