"""Shared fixtures: a small province and the named personas of the access matrix.

    Province P ── commune C1 ── cell A (residential, village VA) ── party group A1
                │            └─ cell B (residential, village VB)
                └─ commune C2 ── cell X (residential, village VX)

Personas: member (a member of A, no role), secretary_a (cell committee on A),
secretary_b (on B), commune_staff (C1), other_commune_staff (C2), province_staff (P),
admin (superuser)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from chibo.accounts.models import Role, RoleAssignment, User
from chibo.members import services as members
from chibo.members.models import Membership, Person, Post
from chibo.organisations import services as orgs
from chibo.organisations.models import Locality, Organisation

PASSWORD = "a-long-test-password-42"
PERSONAS = ["member", "secretary_a", "secretary_b", "commune_staff", "other_commune_staff", "province_staff", "admin"]


@dataclass
class World:
    org: dict[str, Organisation] = field(default_factory=dict)
    loc: dict[str, Locality] = field(default_factory=dict)
    m: dict[str, Membership] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)
    outsider: Person | None = None

    def client(self, persona: str) -> Client:
        c = Client()
        if persona != "anonymous":
            c.force_login(self.users[persona])
        return c




def person_data(family: str, middle: str, given: str, *, sex: str = "M", birth: dt.date = dt.date(1980, 5, 17),
                ethnicity: str = "01", residence: Locality | None = None) -> dict[str, Any]:
    return {"family_name": family, "middle_name": middle, "given_name": given, "sex": sex, "birth_date": birth,
            "ethnicity": ethnicity, "citizen_id": str(100000000000 + uuid.uuid4().int % 899999999999), "residence": residence}


def add_member(org: Organisation, family: str, middle: str, given: str, *, status: str = "official",
               admission: dt.date = dt.date(2010, 3, 2), **kw: Any) -> Membership:
    official = dt.date(admission.year + 1, admission.month, admission.day) if status == "official" else None
    return members.member_create(actor=None, person_data=person_data(family, middle, given, **kw),
                                 organisation=org, status=status, admission_date=admission, official_date=official)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(tmp_path_factory: pytest.TempPathFactory) -> None:
    """On SQLite, test in a database file (WAL, as in production), not in memory: an
    in-memory database shared between threads locks whole tables, so a page would fail
    while the background worker of a browser test holds its import transaction."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any, tmp_path: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Background tasks run at once in tests (one test drives the real queue and worker).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.DATA_DIR = tmp_path
    # Personas sign in with force_login: nobody must set up two-step sign-in unless a test
    # asks for it (tests/test_twostep.py).
    settings.CHIBO_REQUIRE_2FA_FOR = ""


@pytest.fixture
def world(db: Any) -> World:
    w = World()
    start = dt.date(2025, 7, 1)
    w.loc["P"] = orgs.locality_create(actor=None, code="LP", name="Tỉnh Thử", kind="province")
    w.org["P"] = orgs.organisation_create(actor=None, code="P", name="Đảng bộ tỉnh Thử", kind="province", valid_from=start)
    for c, name in (("C1", "Xã Một"), ("C2", "Xã Hai")):
        w.loc[c] = orgs.locality_create(actor=None, code=f"L{c}", name=name, kind="commune", parent=w.loc["P"])
        w.org[c] = orgs.organisation_create(actor=None, code=c, name=f"Đảng bộ {name}", kind="commune",
                                            parent=w.org["P"], valid_from=start)
        orgs.locality_update(w.loc[c], actor=None, organisation=w.org[c])
    for cell, commune, village in (("A", "C1", "Thôn Đông"), ("B", "C1", "Làng Ia Rơ"), ("X", "C2", "Buôn Ma")):
        w.loc[cell] = orgs.locality_create(actor=None, code=f"V{cell}", name=village, kind="village",
                                           parent=w.loc[commune], organisation=w.org[commune])
        w.org[cell] = orgs.organisation_create(actor=None, code=cell, name=f"Chi bộ {village}", kind="grassroots_cell",
                                               sector="residential", parent=w.org[commune], valid_from=start,
                                               locality=w.loc[cell])
    w.org["A1"] = orgs.organisation_create(actor=None, code="A1", name="Tổ đảng số 1", kind="party_group",
                                           parent=w.org["A"], valid_from=start)
    w.m["member"] = add_member(w.org["A"], "Nguyễn", "Văn", "Đức", residence=w.loc["A"])
    w.m["secretary_a"] = add_member(w.org["A"], "Ksor", "", "Thăng", ethnicity="10", residence=w.loc["A"])
    w.m["a_woman"] = add_member(w.org["A"], "Trần", "Thị", "Hoa", sex="F", birth=dt.date(2000, 1, 9),
                                status="probationary", admission=dt.date(2026, 2, 3), residence=w.loc["A"])
    w.m["secretary_b"] = add_member(w.org["B"], "Rơ Châm", "", "H'Luyên", sex="F", ethnicity="10", residence=w.loc["B"])
    w.m["b_member"] = add_member(w.org["B"], "Lê", "Văn", "Bình", residence=w.loc["B"])
    w.m["x_member"] = add_member(w.org["X"], "Phạm", "Văn", "Đức", residence=w.loc["X"])
    w.m["x_secretary"] = add_member(w.org["X"], "Nay", "", "Kiên", ethnicity="10", residence=w.loc["X"])
    w.m["c1_staff"] = add_member(w.org["A"], "Đào", "Thị", "Ninh", sex="F", residence=w.loc["A"])
    w.outsider = members.person_create(actor=None, **person_data("Siu", "", "Bơi", residence=w.loc["B"]))
    for key, kind, org_key in (("secretary_a", "secretary", "A"), ("secretary_b", "secretary", "B"),
                               ("x_secretary", "secretary", "X")):
        w.posts[key], _ = members.post_create(actor=None, person=w.m[key].person, kind=kind,
                                              organisation=w.org[org_key], start_date=dt.date(2025, 8, 1))
    w.posts["head_a"], _ = members.post_create(actor=None, person=w.m["secretary_a"].person, kind="village_head",
                                               locality=w.loc["A"], start_date=dt.date(2025, 8, 1))
    w.posts["head_b"], _ = members.post_create(actor=None, person=w.outsider, kind="village_head",
                                               locality=w.loc["B"], start_date=dt.date(2025, 8, 1))
    w.posts["committee_a"], _ = members.post_create(actor=None, person=w.m["member"].person, kind="committee_member",
                                                    organisation=w.org["A"], start_date=dt.date(2025, 8, 1))

    def user(name: str, person: Person | None = None, role: str | None = None, org: str | None = None,
             superuser: bool = False) -> User:
        u = User.objects.create_user(username=name, password=PASSWORD, person=person, is_superuser=superuser)
        if role:
            RoleAssignment.objects.create(user=u, organisation=w.org[org], role=role, valid_from=start)  # type: ignore[index]
        return u

    w.users["member"] = user("member", w.m["member"].person)
    w.users["secretary_a"] = user("secretary_a", w.m["secretary_a"].person, Role.CELL_COMMITTEE, "A")
    w.users["secretary_b"] = user("secretary_b", w.m["secretary_b"].person, Role.CELL_COMMITTEE, "B")
    w.users["commune_staff"] = user("commune_staff", w.m["c1_staff"].person, Role.COMMUNE_STAFF, "C1")
    w.users["other_commune_staff"] = user("other_commune_staff", None, Role.COMMUNE_STAFF, "C2")
    w.users["province_staff"] = user("province_staff", None, Role.PROVINCE_STAFF, "P")
    w.users["admin"] = user("admin", None, superuser=True)
    return w


@pytest.fixture
def _migration_data(transactional_db: None) -> None:
    """Put back the rows data migrations seed, which the flush after every transactional
    test deletes: chibo.core.seed writes them (each domain's reference.py holds them).

    (`django_db_serialized_rollback` does not work here: once Playwright's sync API has
    started, asyncio reports a running loop on the main thread, so Django's thread-critical
    `connections` hands out a different DatabaseWrapper than the one pytest-django stored
    the serialized contents on whenever the test database was set up before the browser.)"""
    from chibo.core.seed import seed_reference_data

    seed_reference_data()
