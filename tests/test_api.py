"""The JSON API (/api/v1/), through HTTP: token auth, scope per persona, writes through
the services, field-named errors, and the OpenAPI document.

The tree: province P with communes C1 and C2; cells A and B in C1, cell X in C2.
Personas: `member` (a party member in A, no role), `sec_a` and `sec_b` (cell committee
of A and B), `staff_c1` and `staff_c2` (commune staff), `prov` (province staff)."""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern
from django.utils import timezone

from chibo.accounts.models import ApiToken, Role, RoleAssignment, User
from chibo.accounts.tokens import api_token_create, api_token_revoke
from chibo.api.urls import urlpatterns
from chibo.audit.models import AuditEvent
from chibo.indicators.figures import INDICATOR_KEYS
from chibo.members.models import Membership, MembershipEvent, Person, Post
from chibo.members.services import member_create, person_create, post_create
from chibo.organisations.models import Locality, Organisation
from chibo.organisations.services import locality_create, organisation_create
from tests.api_client import (
    SchemaClient as Client,  # every response checked against the OpenAPI document
)

D = dt.date
API = "/api/v1/"
PERSONAS = ["member", "sec_a", "sec_b", "staff_c1", "staff_c2", "prov"]
BORN = D(1980, 5, 1)
ERROR_CODES = {"not_found", "forbidden", "unauthorized", "invalid", "method_not_allowed", "bad_request", "busy",
               "server_error"}


def person(given: str, *, family: str = "Nguyễn", middle: str = "Văn", sex: str = "M",
           birth: dt.date = BORN, citizen_id: str | None = None,
           residence: Locality | None = None) -> dict[str, Any]:
    return {"family_name": family, "middle_name": middle, "given_name": given, "sex": sex,
            "birth_date": birth, "citizen_id": citizen_id, "residence": residence}


class ApiTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        org = organisation_create
        cls.P = org(actor=None, code="P", name="Đảng bộ tỉnh", kind="province", valid_from=D(2000, 1, 1))
        cls.C1 = org(actor=None, code="C1", name="Đảng bộ xã Một", kind="commune", parent=cls.P, valid_from=D(2000, 1, 1))
        cls.C2 = org(actor=None, code="C2", name="Đảng bộ xã Hai", kind="commune", parent=cls.P, valid_from=D(2000, 1, 1))
        cls.LP = locality_create(actor=None, code="LP", name="Tỉnh", kind="province", organisation=cls.P)
        cls.L1 = locality_create(actor=None, code="L1", name="Xã Một", kind="commune", parent=cls.LP, organisation=cls.C1)
        cls.L2 = locality_create(actor=None, code="L2", name="Xã Hai", kind="commune", parent=cls.LP, organisation=cls.C2)
        cls.V1 = locality_create(actor=None, code="V1", name="Thôn Đông", kind="village", parent=cls.L1)
        cls.V2 = locality_create(actor=None, code="V2", name="Thôn Tây", kind="village", parent=cls.L1)
        cls.VX = locality_create(actor=None, code="VX", name="Thôn Xa", kind="village", parent=cls.L2)
        cls.A = org(actor=None, code="A", name="Chi bộ thôn Đông", kind="grassroots_cell", parent=cls.C1,
                    sector="residential", locality=cls.V1, valid_from=D(2000, 1, 1))
        cls.B = org(actor=None, code="B", name="Chi bộ thôn Tây", kind="grassroots_cell", parent=cls.C1,
                    sector="residential", locality=cls.V2, valid_from=D(2000, 1, 1))
        cls.X = org(actor=None, code="X", name="Chi bộ thôn Xa", kind="grassroots_cell", parent=cls.C2,
                    sector="residential", locality=cls.VX, valid_from=D(2000, 1, 1))

        def member(given: str, cell: Organisation, **kw: Any) -> Membership:
            official = kw.pop("official", D(2011, 3, 1))
            return member_create(actor=None, person_data=person(given, **kw), organisation=cell,
                                 status="official", admission_date=D(2010, 3, 1), official_date=official)

        cls.m_lan = member("Lan", cls.A, sex="F", citizen_id="001080000001", residence=cls.V1)
        cls.m_hung = member("Hùng", cls.A, residence=cls.V1)
        cls.m_binh = member("Bình", cls.B, residence=cls.V2)
        cls.m_xuan = member("Xuân", cls.X, residence=cls.VX)
        cls.secretary_a, _w = post_create(actor=None, person=cls.m_hung.person, kind="secretary",
                                          organisation=cls.A, start_date=D(2020, 10, 1))
        resident = person_create(actor=None, **person("Tư", family="Trần", middle="", birth=D(1970, 1, 1),
                                                      residence=cls.V1))
        cls.head_v1, _w = post_create(actor=None, person=resident, kind="village_head", locality=cls.V1,
                                      start_date=D(2022, 1, 1))

        cls.users: dict[str, User] = {}
        cls.tokens: dict[str, str] = {}
        roles = {"sec_a": (Role.CELL_COMMITTEE, cls.A), "sec_b": (Role.CELL_COMMITTEE, cls.B),
                 "staff_c1": (Role.COMMUNE_STAFF, cls.C1), "staff_c2": (Role.COMMUNE_STAFF, cls.C2),
                 "prov": (Role.PROVINCE_STAFF, cls.P)}
        for name in PERSONAS:
            user = User.objects.create(username=name, person=cls.m_lan.person if name == "member" else None)
            if name in roles:
                role, target = roles[name]
                RoleAssignment.objects.create(user=user, role=role, organisation=target)
            cls.users[name] = user
            cls.tokens[name] = api_token_create(user, "test")[1]

    def call(self, persona: str | None, method: str, url: str, data: Any = None, *,
             token: str | None = None, raw: str | None = None) -> Any:
        headers = {}
        if persona is not None or token is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token or self.tokens[persona]}"
        client = Client(enforce_csrf_checks=True)
        body = raw if raw is not None else (json.dumps(data) if data is not None else "")
        if method == "GET":
            return client.get(API + url, data, **headers)
        return client.generic(method, API + url, body, content_type="application/json", **headers)

    def assert_error(self, response: Any, status: int, code: str) -> dict[str, Any]:
        assert response.status_code == status, (response.status_code, response.content)
        body = response.json()
        assert set(body) == {"error"}
        assert body["error"]["code"] == code
        assert body["error"]["message"]
        assert ("fields" in body["error"]) == (code == "invalid")
        return body["error"]

    def member_payload(self, **overrides: Any) -> dict[str, Any]:
        data = {"family_name": "Lê", "middle_name": "Thị", "given_name": "Mai", "sex": "F",
                "birth_date": "12/04/1995", "ethnicity": "01", "citizen_id": "001195000777",
                "residence": "V1", "organisation": "A", "status": "probationary",
                "admission_date": "2025-01-10", "decision_number": "12-QĐ/ĐU"}
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not ...}


class AuthTests(ApiTestCase):
    def test_it_requires_a_token(self) -> None:
        self.assert_error(self.call(None, "GET", "organisations/"), 401, "unauthorized")

    def test_it_rejects_an_unknown_token(self) -> None:
        response = self.call(None, "GET", "organisations/", token="chb_not-a-real-token")
        self.assert_error(response, 401, "unauthorized")
        assert response["WWW-Authenticate"].startswith("Bearer")

    def test_it_rejects_another_scheme(self) -> None:
        response = Client().get(API + "organisations/", HTTP_AUTHORIZATION=f"Token {self.tokens['prov']}")
        self.assert_error(response, 401, "unauthorized")

    def test_it_rejects_revoked_and_expired_tokens_and_inactive_users(self) -> None:
        user = self.users["prov"]
        token, plain = api_token_create(user, "revoked")
        assert self.call(None, "GET", "organisations/", token=plain).status_code == 200
        api_token_revoke(token)
        self.assert_error(self.call(None, "GET", "organisations/", token=plain), 401, "unauthorized")

        _t, plain = api_token_create(user, "expired", expires_at=timezone.now() - dt.timedelta(seconds=1))
        self.assert_error(self.call(None, "GET", "organisations/", token=plain), 401, "unauthorized")

        User.objects.filter(pk=user.pk).update(is_active=False)
        self.assert_error(self.call("prov", "GET", "organisations/"), 401, "unauthorized")

    def test_the_session_cookie_alone_does_not_authenticate(self) -> None:
        client = Client()
        client.force_login(self.users["prov"])
        self.assert_error(client.get(API + "organisations/"), 401, "unauthorized")

    def test_the_token_user_replaces_the_session_user(self) -> None:
        client = Client()
        client.force_login(self.users["prov"])  # sees everything
        response = client.get(API + "organisations/X/", HTTP_AUTHORIZATION=f"Bearer {self.tokens['sec_a']}")
        self.assert_error(response, 404, "not_found")

    def test_it_records_last_use_at_most_once_a_minute(self) -> None:
        token = ApiToken.objects.get(user=self.users["sec_a"])
        assert token.last_used_at is None
        self.call("sec_a", "GET", "organisations/")
        token.refresh_from_db()
        first = token.last_used_at
        assert first is not None
        self.call("sec_a", "GET", "organisations/")
        token.refresh_from_db()
        assert token.last_used_at == first
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=2))
        self.call("sec_a", "GET", "organisations/")
        token.refresh_from_db()
        assert token.last_used_at >= first

    def test_tokens_are_stored_as_digests_and_audited(self) -> None:
        token, plain = api_token_create(self.users["sec_a"], "phone app")
        assert plain.startswith("chb_") and len(plain) > 40
        assert token.prefix == plain[:8]
        assert token.digest == ApiToken.digest_of(plain) and plain not in token.digest
        assert AuditEvent.objects.filter(object_type="apitoken", object_id=str(token.pk), action="create").exists()

    def test_the_apitoken_command_prints_a_working_token(self) -> None:
        out = StringIO()
        call_command("apitoken", "staff_c1", "--name", "script", stdout=out, stderr=StringIO())
        plain = out.getvalue().strip()
        assert ApiToken.objects.filter(user=self.users["staff_c1"], name="script",
                                       digest=ApiToken.digest_of(plain)).exists()
        assert self.call(None, "GET", "organisations/", token=plain).status_code == 200

    def test_writes_need_no_csrf_token(self) -> None:
        # call() uses a CSRF-enforcing client: token auth needs no CSRF token.
        response = self.call("staff_c1", "PATCH", f"members/{self.m_hung.pk}/", {"phone": "0912 345 678"})
        assert response.status_code == 200, response.content

    def test_it_answers_405_for_other_methods(self) -> None:
        response = self.call("staff_c1", "DELETE", f"members/{self.m_hung.pk}/")
        self.assert_error(response, 405, "method_not_allowed")
        assert response["Allow"] == "GET, PATCH"


class ScopeTests(ApiTestCase):
    ORGS = {
        "member": ["A"],  # their own cell's basics
        "sec_a": ["A"],
        "sec_b": ["B"],
        "staff_c1": ["C1", "A", "B"],
        "staff_c2": ["C2", "X"],
        "prov": ["P", "C1", "A", "B", "C2", "X"],
    }
    # Organisation pages a persona may open (a member sees their own cell's basics).
    ORG_PAGES = {**ORGS, "member": ["A"]}

    def members(self) -> dict[str, Membership]:
        return {"lan": self.m_lan, "hung": self.m_hung, "binh": self.m_binh, "xuan": self.m_xuan}

    MEMBERS = {
        "member": ["lan"],
        "sec_a": ["hung", "lan"],
        "sec_b": ["binh"],
        "staff_c1": ["binh", "hung", "lan"],
        "staff_c2": ["xuan"],
        "prov": ["binh", "hung", "lan", "xuan"],
    }
    LOCALITIES = {
        "member": [],
        "sec_a": ["V1"],
        "sec_b": ["V2"],
        "staff_c1": ["L1", "V1", "V2"],
        "staff_c2": ["L2", "VX"],
        "prov": ["LP", "L1", "L2", "V1", "V2", "VX"],
    }

    def test_organisation_list_and_detail_per_persona(self) -> None:
        all_codes = ["P", "C1", "C2", "A", "B", "X"]
        order = {"P": 0, "C1": 1, "A": 2, "B": 3, "C2": 4, "X": 5}
        for persona in PERSONAS:
            body = self.call(persona, "GET", "organisations/").json()
            codes = [o["code"] for o in body["results"]]
            assert codes == sorted(self.ORGS[persona], key=order.get), (persona, codes)
            for code in all_codes:
                response = self.call(persona, "GET", f"organisations/{code}/")
                if code in self.ORG_PAGES[persona]:
                    assert response.status_code == 200, (persona, code)
                    assert response.json()["code"] == code
                else:
                    self.assert_error(response, 404, "not_found")

    def test_organisation_list_shape_and_parent_filter(self) -> None:
        body = self.call("prov", "GET", "organisations/", {"parent": "C1"}).json()
        assert [o["code"] for o in body["results"]] == ["A", "B"]
        a = body["results"][0]
        assert a == {"code": "A", "name": "Chi bộ thôn Đông", "kind": "grassroots_cell", "sector": "residential",
                     "parent": "C1", "depth": 2, "valid_from": "2000-01-01", "valid_to": None, "locality": "V1"}
        self.assert_error(self.call("staff_c2", "GET", "organisations/", {"parent": "C1"}), 404, "not_found")

    def test_organisation_detail_has_committee_and_children(self) -> None:
        body = self.call("staff_c1", "GET", "organisations/A/").json()
        assert body["committee"] == [{"id": self.secretary_a.pk, "kind": "secretary", "person": self.m_hung.person_id,
                                      "person_name": "Nguyễn Văn Hùng", "start_date": "2020-10-01",
                                      "decision_number": ""}]
        assert self.call("staff_c1", "GET", "organisations/C1/").json()["children"] == ["A", "B"]
        member_view = self.call("member", "GET", "organisations/A/").json()
        assert member_view["members_visible"] is False

    def test_member_list_and_detail_per_persona(self) -> None:
        members = self.members()
        for persona in PERSONAS:
            body = self.call(persona, "GET", "members/").json()
            assert sorted(r["id"] for r in body["results"]) == sorted(members[k].pk for k in self.MEMBERS[persona]), persona
            assert body["count"] == len(self.MEMBERS[persona])
            for key, m in self.members().items():
                response = self.call(persona, "GET", f"members/{m.pk}/")
                if key in self.MEMBERS[persona]:
                    assert response.status_code == 200, (persona, key)
                else:
                    self.assert_error(response, 404, "not_found")
        self.assert_error(self.call("prov", "GET", "members/999999/"), 404, "not_found")

    def test_member_list_filters(self) -> None:
        def names(**params: Any) -> list[str]:
            return [r["full_name"] for r in self.call("prov", "GET", "members/", params).json()["results"]]

        assert names(org="A") == ["Nguyễn Văn Hùng", "Nguyễn Văn Lan"]
        assert names(q="lan") == ["Nguyễn Văn Lan"]
        assert names(q="NGUYEN hung") == ["Nguyễn Văn Hùng"]
        assert names(status="probationary") == []
        assert names(status="former") == []
        assert len(names(status="all")) == 4
        assert names(page=2) == []
        self.assert_error(self.call("staff_c1", "GET", "members/", {"org": "X"}), 404, "not_found")
        error = self.assert_error(self.call("prov", "GET", "members/", {"status": "retired"}), 400, "invalid")
        assert "status" in error["fields"]
        for page in ("zero", "0", "²", "-1"):
            error = self.assert_error(self.call("prov", "GET", "members/", {"page": page}), 400, "invalid")
            assert "page" in error["fields"]

    def test_member_detail_shape(self) -> None:
        body = self.call("sec_a", "GET", f"members/{self.m_lan.pk}/").json()
        assert body["id"] == self.m_lan.pk
        assert body["full_name"] == "Nguyễn Văn Lan"
        assert body["sex"] == "F" and body["birth_date"] == "1980-05-01" and body["residence"] == "V1"
        assert body["organisation"] == "A" and body["status"] == "official"
        assert body["admission_date"] == "2010-03-01" and body["official_date"] == "2011-03-01"
        assert body["party_age"] >= 15
        assert [e["kind"] for e in body["events"]] == ["admitted", "recognised"]

    def test_member_list_has_no_n_plus_one(self) -> None:
        def queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert self.call("prov", "GET", "members/").status_code == 200
            return len(ctx)

        queries()  # the first call of the minute also records the token's last use
        before = queries()
        for i in range(5):
            member_create(actor=None, person_data=person(f"Thêm{i}"), organisation=self.B, status="official",
                          admission_date=D(2010, 3, 1), official_date=D(2011, 3, 1))
        assert queries() == before

    def test_other_lists_have_no_n_plus_one(self) -> None:
        def queries(url: str) -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert self.call("prov", "GET", url).status_code == 200
            return len(ctx)

        urls = ["organisations/", "localities/", "posts/"]
        queries(urls[0])  # the first call of the minute also records the token's last use
        before = [queries(url) for url in urls]
        for i in range(3):
            village = locality_create(actor=None, code=f"VN{i}", name=f"Thôn Mới {i}", kind="village", parent=self.L1)
            organisation_create(actor=None, code=f"N{i}", name=f"Chi bộ mới {i}", kind="grassroots_cell",
                                parent=self.C1, locality=village, valid_from=D(2020, 1, 1))
            post_create(actor=None, person=self.m_lan.person, kind="committee_member", organisation=self.B,
                        start_date=D(2021, 1, i + 1))
            post_create(actor=None, person=self.m_binh.person, kind="village_head", locality=village,
                        start_date=D(2021, 1, i + 1))
        assert [queries(url) for url in urls] == before

    def test_locality_list_and_detail_per_persona(self) -> None:
        all_codes = ["LP", "L1", "L2", "V1", "V2", "VX"]
        for persona in PERSONAS:
            body = self.call(persona, "GET", "localities/").json()
            assert sorted(loc["code"] for loc in body["results"]) == sorted(self.LOCALITIES[persona]), persona
            for code in all_codes:
                response = self.call(persona, "GET", f"localities/{code}/")
                if code in self.LOCALITIES[persona]:
                    assert response.status_code == 200, (persona, code)
                else:
                    self.assert_error(response, 404, "not_found")

    def test_locality_detail_has_its_head(self) -> None:
        body = self.call("staff_c1", "GET", "localities/V1/").json()
        assert body["parent"] == "L1"
        assert body["head"]["person_name"] == "Trần Tư"
        assert body["head"]["kind"] == "village_head"
        assert body["head"]["is_member"] is False
        assert self.call("staff_c1", "GET", "localities/V2/").json()["head"] is None
        assert self.call("staff_c1", "GET", "localities/L1/").json()["children"] == ["V1", "V2"]

    def test_post_list_and_detail_per_persona(self) -> None:
        visible = {"member": [], "sec_a": ["sec", "head"], "sec_b": [], "staff_c1": ["sec", "head"],
                   "staff_c2": [], "prov": ["sec", "head"]}
        ids = {"sec": self.secretary_a.pk, "head": self.head_v1.pk}
        for persona in PERSONAS:
            got = sorted(p["id"] for p in self.call(persona, "GET", "posts/").json()["results"])
            assert got == sorted(ids[k] for k in visible[persona]), persona
            for key, pk in ids.items():
                response = self.call(persona, "GET", f"posts/{pk}/")
                assert response.status_code == (200 if key in visible[persona] else 404), (persona, key)
        assert [p["kind"] for p in self.call("prov", "GET", "posts/", {"locality": "V1"}).json()["results"]] == ["village_head"]
        assert [p["kind"] for p in self.call("prov", "GET", "posts/", {"org": "A"}).json()["results"]] == ["secretary"]

    def test_indicators(self) -> None:
        body = self.call("staff_c1", "GET", "organisations/C1/indicators/").json()
        assert set(INDICATOR_KEYS) <= set(body)
        assert body["organisation"]["code"] == "C1"
        assert body["members_total"] == 3 and body["members_women"] == 1
        past = self.call("staff_c1", "GET", "organisations/C1/indicators/", {"date": "31/12/2009"}).json()
        assert past["members_total"] == 0 and past["date"] == "2009-12-31"
        assert self.call("staff_c1", "GET", "organisations/A/indicators/", {"date": "2015-06-30"}).json()["members_total"] == 2
        assert self.call("member", "GET", "organisations/A/indicators/").status_code == 200
        self.assert_error(self.call("staff_c1", "GET", "organisations/X/indicators/"), 404, "not_found")
        for bad in ("abc", "31/02/2024", "01/01/2999", "01/01/0001"):
            error = self.assert_error(self.call("staff_c1", "GET", "organisations/C1/indicators/", {"date": bad}),
                                      400, "invalid")
            assert list(error["fields"]) == ["date"]


class MemberWriteTests(ApiTestCase):
    def test_commune_staff_creates_a_member_in_their_cell(self) -> None:
        response = self.call("staff_c1", "POST", "members/", self.member_payload())
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["full_name"] == "Lê Thị Mai" and body["organisation"] == "A"
        assert body["birth_date"] == "1995-04-12" and body["admission_date"] == "2025-01-10"
        assert body["status"] == "probationary" and body["party_age"] is None
        assert body["events"][0]["decision_number"] == "12-QĐ/ĐU"
        m = Membership.objects.get(pk=body["id"])
        assert m.person.citizen_id == "001195000777" and m.person.residence == self.V1
        assert AuditEvent.objects.filter(object_type="membership", object_id=str(m.pk), action="create",
                                         actor=self.users["staff_c1"]).exists()

    def test_cell_secretary_creates_only_in_their_cell(self) -> None:
        assert self.call("sec_a", "POST", "members/", self.member_payload()).status_code == 201
        error = self.assert_error(self.call("sec_a", "POST", "members/",
                                            self.member_payload(organisation="B", citizen_id=None)), 400, "invalid")
        assert list(error["fields"]) == ["organisation"]

    def test_a_cell_outside_the_editors_scope_is_invalid_input(self) -> None:
        before = Person.objects.count()
        response = self.call("staff_c1", "POST", "members/", self.member_payload(organisation="X", residence=...))
        error = self.assert_error(response, 400, "invalid")
        assert list(error["fields"]) == ["organisation"]
        assert Person.objects.count() == before

    def test_a_commune_is_not_a_place_for_members(self) -> None:
        error = self.assert_error(self.call("staff_c1", "POST", "members/", self.member_payload(organisation="C1")),
                                  400, "invalid")
        assert list(error["fields"]) == ["organisation"]

    def test_read_only_personas_get_403(self) -> None:
        before = (Person.objects.count(), Post.objects.count(), MembershipEvent.objects.count())
        for persona in ("prov", "member"):
            self.assert_error(self.call(persona, "POST", "members/", self.member_payload()), 403, "forbidden")
            self.assert_error(self.call(persona, "PATCH", f"members/{self.m_lan.pk}/", {"phone": "0912345678"}),
                              403, "forbidden")
            self.assert_error(self.call(persona, "POST", f"members/{self.m_lan.pk}/events/",
                                        {"kind": "exempted", "effective_date": "01/01/2025"}), 403, "forbidden")
        self.assert_error(self.call("prov", "POST", "posts/", {
            "person": self.m_lan.person_id, "kind": "deputy_secretary", "organisation": "A",
            "start_date": "01/01/2025"}), 403, "forbidden")
        self.assert_error(self.call("prov", "PATCH", f"posts/{self.secretary_a.pk}/", {"end_date": "01/01/2025"}),
                          403, "forbidden")
        assert (Person.objects.count(), Post.objects.count(), MembershipEvent.objects.count()) == before

    def test_out_of_scope_writes_are_404(self) -> None:
        self.assert_error(self.call("staff_c2", "PATCH", f"members/{self.m_lan.pk}/", {"phone": "0912345678"}),
                          404, "not_found")
        self.assert_error(self.call("sec_b", "POST", f"members/{self.m_lan.pk}/events/",
                                    {"kind": "exempted", "effective_date": "01/01/2025"}), 404, "not_found")
        self.assert_error(self.call("staff_c2", "PATCH", f"posts/{self.secretary_a.pk}/", {"end_date": "01/01/2025"}),
                          404, "not_found")

    def assert_invalid_and_nothing_written(self, persona: str, method: str, url: str, data: Any,
                                           fields: list[str], raw: str | None = None) -> dict[str, Any]:
        counts = (Person.objects.count(), Membership.objects.count(), Post.objects.count(),
                  AuditEvent.objects.count())
        response = self.call(persona, method, url, data, raw=raw)
        error = self.assert_error(response, 400, "invalid")
        assert sorted(error["fields"]) == sorted(fields), error
        assert all(error["fields"][f] and all(error["fields"][f]) for f in fields)
        assert (Person.objects.count(), Membership.objects.count(), Post.objects.count(),
                AuditEvent.objects.count()) == counts
        return error

    def test_bad_member_input_names_the_field_and_writes_nothing(self) -> None:
        cases = [
            ({"citizen_id": "00119500077"}, ["citizen_id"]),  # 11 digits
            ({"citizen_id": "001080000001"}, ["citizen_id"]),  # Lan's
            ({"status": "official", "official_date": "01/06/2025"}, ["official_date"]),  # < admission + 12 months
            ({"birth_date": "2008-01-01"}, ["admission_date"]),  # 17 at admission
            ({"birth_date": "abc"}, ["birth_date"]),
            ({"admission_date": "01/01/0001"}, ["admission_date"]),
            ({"admission_date": "31/12/9999", "status": "official", "official_date": "2026-01-01"},
             ["admission_date"]),
            ({"birth_date": 19950412}, ["birth_date"]),
            ({"sex": "X"}, ["sex"]),
            ({"ethnicity": "99"}, ["ethnicity"]),
            ({"religion": "pastafarian"}, ["religion"]),
            ({"exempt": "yes"}, ["exempt"]),
            ({"citizen_id": 1195000777}, ["citizen_id"]),
            ({"status": "expelled"}, ["status"]),
            ({"residence": "VX"}, ["residence"]),  # a village outside the editor's scope
            ({"organisation": "NOPE"}, ["organisation"]),
            ({"given_name": ...,  "sex": ..., "nickname": "Mai"}, ["given_name", "sex", "nickname"]),
        ]
        for overrides, fields in cases:
            with self.subTest(overrides=overrides):
                self.assert_invalid_and_nothing_written("staff_c1", "POST", "members/",
                                                        self.member_payload(**overrides), fields)

    def test_the_messages_are_the_services_own(self) -> None:
        error = self.assert_invalid_and_nothing_written(
            "staff_c1", "POST", "members/", self.member_payload(citizen_id="00119500077"), ["citizen_id"])
        assert "12" in error["fields"]["citizen_id"][0]

    def test_bad_json_is_a_bad_request(self) -> None:
        for raw in ("{not json", "[1, 2]", "", '"text"'):
            with self.subTest(raw=raw):
                before = Person.objects.count()
                self.assert_error(self.call("staff_c1", "POST", "members/", raw=raw), 400, "bad_request")
                assert Person.objects.count() == before
        self.assert_error(self.call("staff_c1", "PATCH", f"members/{self.m_lan.pk}/", raw="\xff{"), 400, "bad_request")

    def test_patch_corrects_person_and_membership_fields(self) -> None:
        response = self.call("sec_a", "PATCH", f"members/{self.m_lan.pk}/", {
            "middle_name": "Thị", "phone": "0912 345 678", "birth_date": "02/05/1980",
            "official_date": "2011-03-05", "card_number": "79001234"})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["full_name"] == "Nguyễn Thị Lan" and body["birth_date"] == "1980-05-02"
        assert body["official_date"] == "2011-03-05" and body["card_number"] == "79001234"
        self.m_lan.refresh_from_db()
        assert self.m_lan.search_name == "nguyen thi lan" and self.m_lan.official_date == D(2011, 3, 5)
        assert AuditEvent.objects.filter(object_type="membership", object_id=str(self.m_lan.pk), action="update",
                                         actor=self.users["sec_a"]).exists()
        assert AuditEvent.objects.filter(object_type="person", object_id=str(self.m_lan.person_id),
                                         action="update").exists()

    def test_patch_rejects_bad_input_and_moves(self) -> None:
        url = f"members/{self.m_lan.pk}/"
        self.assert_invalid_and_nothing_written("sec_a", "PATCH", url, {"citizen_id": "123"}, ["citizen_id"])
        self.assert_invalid_and_nothing_written("sec_a", "PATCH", url, {"official_date": "2010-06-01"}, ["official_date"])
        self.assert_invalid_and_nothing_written("sec_a", "PATCH", url, {"organisation": "B"}, ["organisation"])
        self.assert_invalid_and_nothing_written("sec_a", "PATCH", url, {"status": "probationary"}, ["status"])
        self.assert_invalid_and_nothing_written("sec_a", "PATCH", url, {"sex": None}, ["sex"])
        self.assert_invalid_and_nothing_written("sec_a", "PATCH", url, {"id": 5}, ["id"])
        # A person error and a membership error: nothing of either is kept.
        self.assert_invalid_and_nothing_written("sec_a", "PATCH", url,
                                                {"phone": "0912345678", "official_date": "2010-06-01"},
                                                ["official_date"])
        self.m_lan.person.refresh_from_db()
        assert self.m_lan.person.phone == ""

    def test_events_move_a_member_within_scope_only(self) -> None:
        url = f"members/{self.m_lan.pk}/events/"
        self.assert_invalid_and_nothing_written("staff_c1", "POST", url, {
            "kind": "moved", "effective_date": "01/02/2025", "organisation": "X"}, ["organisation"])
        self.assert_invalid_and_nothing_written("staff_c1", "POST", url, {
            "kind": "moved", "effective_date": "not a date", "organisation": "B"}, ["effective_date"])
        self.assert_invalid_and_nothing_written("staff_c1", "POST", url, {
            "kind": "promoted", "effective_date": "01/02/2025"}, ["kind"])
        response = self.call("staff_c1", "POST", url, {"kind": "moved", "effective_date": "01/02/2025",
                                                        "organisation": "B", "decision_number": "5-QĐ"})
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["event"]["kind"] == "moved" and body["event"]["organisation"] == "B"
        assert body["member"]["organisation"] == "B"
        assert [e["kind"] for e in body["member"]["events"]] == ["admitted", "recognised", "moved"]
        # Now in B: sec_a no longer sees her, sec_b does.
        self.assert_error(self.call("sec_a", "GET", f"members/{self.m_lan.pk}/"), 404, "not_found")
        assert self.call("sec_b", "GET", f"members/{self.m_lan.pk}/").status_code == 200


class PostWriteTests(ApiTestCase):
    def test_cell_secretary_creates_and_ends_a_committee_post(self) -> None:
        response = self.call("sec_a", "POST", "posts/", {
            "person": self.m_lan.person_id, "kind": "deputy_secretary", "organisation": "A",
            "start_date": "01/10/2020", "decision_number": "7-QĐ/ĐU"})
        assert response.status_code == 201, response.content
        post_id = response.json()["id"]
        assert response.json()["organisation"] == "A" and response.json()["warnings"] == []
        assert AuditEvent.objects.filter(object_type="post", object_id=str(post_id), action="create").exists()
        response = self.call("sec_a", "PATCH", f"posts/{post_id}/", {"end_date": "2025-01-31"})
        assert response.status_code == 200, response.content
        assert response.json()["end_date"] == "2025-01-31" and response.json()["active"] is False

    def test_commune_staff_appoints_a_village_head(self) -> None:
        response = self.call("staff_c1", "POST", "posts/", {
            "person": self.m_binh.person_id, "kind": "village_head", "locality": "V2", "start_date": "2023-01-01"})
        assert response.status_code == 201, response.content
        head = self.call("staff_c1", "GET", "localities/V2/").json()["head"]
        assert head["person"] == self.m_binh.person_id and head["is_member"] is True

    def test_commune_staff_edit_a_village_heads_post(self) -> None:
        response = self.call("staff_c1", "PATCH", f"posts/{self.head_v1.pk}/", {"decision_number": "9-QĐ/UBND"})
        assert response.status_code == 200, response.content

    def test_a_village_heads_post_is_audited_in_the_communes_trail(self) -> None:
        response = self.call("staff_c1", "POST", "posts/", {
            "person": self.m_binh.person_id, "kind": "village_head", "locality": "V2", "start_date": "2023-01-01"})
        event = AuditEvent.objects.get(object_type="post", object_id=str(response.json()["id"]))
        assert event.org_path == self.C1.path

    def test_a_cell_secretary_may_not_appoint_a_village_head(self) -> None:
        self.assert_error(self.call("sec_a", "POST", "posts/", {
            "person": self.m_lan.person_id, "kind": "village_head", "locality": "V1", "start_date": "2023-01-01"}),
            403, "forbidden")

    def test_bad_post_input_names_the_field_and_writes_nothing(self) -> None:
        base = {"person": self.m_lan.person_id, "kind": "deputy_secretary", "organisation": "A",
                "start_date": "01/10/2020"}
        check = MemberWriteTests.assert_invalid_and_nothing_written
        check(self, "sec_a", "POST", "posts/", {**base, "end_date": "30/09/2020"}, ["end_date"])
        check(self, "sec_a", "POST", "posts/", {**base, "kind": "king"}, ["kind"])
        check(self, "sec_a", "POST", "posts/", {**base, "person": self.m_xuan.person_id}, ["person"])
        check(self, "sec_a", "POST", "posts/", {**base, "person": "Lan"}, ["person"])
        check(self, "sec_a", "POST", "posts/", {**base, "organisation": "X"}, ["organisation"])
        check(self, "sec_a", "POST", "posts/", {**base, "start_date": "2020-13-01"}, ["start_date"])
        check(self, "sec_a", "PATCH", f"posts/{self.secretary_a.pk}/", {"end_date": "2019-01-01"}, ["end_date"])
        check(self, "staff_c1", "POST", "posts/", {
            "person": self.m_lan.person_id, "kind": "village_head", "locality": "L1", "start_date": "2023-01-01"},
            ["locality"])


def openapi_path(route: str) -> str:
    """"members/<int:id>/" → "/members/{id}/" (relative to the server URL /api/v1)."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


class OpenApiTests(ApiTestCase):
    def test_it_is_valid_json_listing_every_route(self) -> None:
        response = Client().get(API + "openapi.json")  # public: no token needed
        assert response.status_code == 200
        doc = json.loads(response.content)
        assert doc["openapi"].startswith("3.1")
        assert doc["info"]["title"] and doc["info"]["version"]
        assert doc["servers"][0]["url"] == "/api/v1"
        assert doc["components"]["securitySchemes"]["bearer"] == {
            "type": "http", "scheme": "bearer", "description": doc["components"]["securitySchemes"]["bearer"]["description"]}
        routes = [str(p.pattern) for p in urlpatterns if isinstance(p, URLPattern)]
        assert len(routes) == len(urlpatterns)
        for route in routes:
            path = openapi_path(route)
            assert path in doc["paths"], route
            methods = set(next(p for p in urlpatterns if str(p.pattern) == route).callback.methods)
            assert {m.upper() for m in doc["paths"][path]} == methods, route
        assert set(doc["paths"]) == {openapi_path(r) for r in routes}
        members = doc["paths"]["/members/"]
        assert {p["name"] for p in members["get"]["parameters"]} == {"q", "org", "status", "page"}
        assert members["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/MemberCreate")
        assert members["post"]["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
        assert {"500", "503"} <= set(members["post"]["responses"])  # a bug, and a database busy with an import
        detail = doc["paths"]["/members/{id}/"]
        assert detail["get"]["parameters"][0] == {"name": "id", "in": "path", "required": True,
                                                   "schema": {"type": "integer", "minimum": 1}}
        # Every $ref points at a defined schema.
        refs = set(re.findall(r'"#/components/schemas/(\w+)"', response.content.decode()))
        assert refs <= set(doc["components"]["schemas"])
        codes = doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"]
        assert set(codes) == ERROR_CODES

