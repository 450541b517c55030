"""Shared fixtures: a small province and the named personas of the access matrix.

    Province P ── commune C1 ── cell A (residential, village VA) ── party group A1
                │            └─ cell B (residential, village VB)
                └─ commune C2 ── cell X (residential, village VX)

Personas: member (a member of A, no role), secretary_a (cell committee on A),
secretary_b (on B), commune_staff (C1), other_commune_staff (C2), province_staff (P),
admin (superuser).

The clock: every test runs at one fixed instant (`fixed_clock`, below), whatever the date the suite
runs on; `@pytest.mark.today("2026-10-14")` moves a test to its own day. The world is built
once per session and committed; each test gets a fresh copy of its objects and runs inside a
transaction rolled back at its end (see `world`)."""

from __future__ import annotations

import copy
import datetime as dt
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from chibo.accounts.models import Role, RoleAssignment, User
from chibo.members import services as members
from chibo.members.models import Membership, Person, Post
from chibo.organisations import services as orgs
from chibo.organisations.models import Locality, Organisation

PASSWORD = "a-long-test-password-42"

# The suite's "today". The tests were written, and were green, on this Monday; the dates they
# pin (the world's cells from 01/07/2025, a probation from 03/02/2026 to 03/02/2027, plans of
# 2025-2030, deadlines through 2026) keep the meaning they were written with only against it.
# 10:00 in Vietnam: far from midnight in both Hà Nội and UTC, so a test's day is the same
# whichever zone a piece of code (or the browser) reads it in. The clock ticks from there.
TODAY = dt.date(2026, 12, 7)
TEST_TIME = dt.time(10, 0)
TEST_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

# Hypothesis measures wall time: on two shared cores (two xdist workers, CI) one slow example or
# draw says nothing about the code, so no deadline and no "too slow" health check.
hypothesis_settings.register_profile("chibo", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("chibo")
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
def django_db_modify_db_settings(tmp_path_factory: pytest.TempPathFactory,
                                 django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Each xdist process tests in a database of its own (pytest-django's suffix, e.g. `_gw0`, on
    PostgreSQL). On SQLite, test in a database file (WAL, as in production), not in memory: an
    in-memory database shared between threads locks whole tables, so a page would fail
    while the background worker of a browser test holds its import transaction."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        db.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def suite_today() -> dt.date:
    """TODAY, or the day CHIBO_TEST_TODAY names (yyyy-mm-dd): run the suite on another day to see
    which tests depend on the date, e.g. `CHIBO_TEST_TODAY=2027-12-07 scripts/run-tests`."""
    value = os.environ.get("CHIBO_TEST_TODAY")
    return dt.date.fromisoformat(value) if value else TODAY


def instant_on(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, TEST_TIME, tzinfo=TEST_ZONE)


_SESSION_CLOCK: list[time_machine.travel] = []


@pytest.fixture(scope="session", autouse=True)
def _session_clock() -> Iterator[None]:
    """What runs outside a test runs on TODAY too: Django TestCase classes' setUpTestData
    (tests/test_api.py), session and class fixtures."""
    traveller = time_machine.travel(instant_on(suite_today()))
    traveller.start()
    _SESSION_CLOCK.append(traveller)
    yield
    _SESSION_CLOCK.remove(traveller)
    traveller.stop()


@pytest.fixture(autouse=True)
def fixed_clock(request: pytest.FixtureRequest) -> Iterator[time_machine.Traveller | None]:
    """Every test runs at 10:00 (Vietnam) on TODAY, whatever day the suite runs on, and the
    clock ticks on from there. A test whose outcome depends on the day chooses its own with
    `@pytest.mark.today("2026-10-14")` (or a `datetime.date`); within a test, `fixed_clock.move_to(...)`
    or `fixed_clock.shift(dt.timedelta(...))` moves time on. time-machine patches the process's clock
    (time.time, datetime.now, date.today, timezone.now/localdate), so the live server's thread
    of the browser tests and the worker threads see the same day; a subprocess does not: a test
    that compares times with one (a file's mtime it wrote) is marked `real_clock`."""
    if request.node.get_closest_marker("real_clock"):
        for traveller in _SESSION_CLOCK:
            traveller.stop()
        yield None
        for traveller in _SESSION_CLOCK:
            traveller.start()
        return
    marker = request.node.get_closest_marker("today")
    day = suite_today()
    if marker:
        day = marker.args[0] if isinstance(marker.args[0], dt.date) else dt.date.fromisoformat(marker.args[0])
    with time_machine.travel(instant_on(day), tick=True) as traveller:
        yield traveller


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any, tmp_path: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS
    # Background tasks run at once in tests (one test drives the real queue and worker).
    settings.TASKS = IMMEDIATE_TASKS
    settings.DATA_DIR = tmp_path
    # Personas sign in with force_login: nobody must set up two-step sign-in unless a test
    # asks for it (tests/test_twostep.py).
    settings.CHIBO_REQUIRE_2FA_FOR = ""


def build_world() -> World:
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


class _Shelf:
    """The world committed to the test database, built once per session (per xdist worker).

    `world` is None while no committed world exists: before the first test that asks for it,
    and after a flush (pytest-django flushes the database after every transactional test)."""

    def __init__(self, blocker: Any) -> None:
        self.blocker = blocker
        self.world: World | None = None

    def build(self) -> None:
        from django.test import override_settings

        # Outside any test, so with what the autouse fixtures set for every test by hand.
        with (self.blocker.unblock(), time_machine.travel(instant_on(suite_today())),
              override_settings(PASSWORD_HASHERS=FAST_HASHERS, TASKS=IMMEDIATE_TASKS)):
            self.world = build_world()

    def flush(self) -> None:
        """Empty the database (as after a transactional test) and put back the migrations' rows."""
        from django.core.management import call_command

        with self.blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)
            seed_migration_data()
        self.world = None


_SHELF: list[_Shelf] = []  # the session's shelf, once `_world_shelf` has made it


def _db_use(item: pytest.Item) -> str:
    """'transactional', 'db' (in a transaction rolled back at its end) or '' (no database),
    decided as pytest-django decides it."""
    from django.test import TestCase, TransactionTestCase
    from pytest_django.plugin import validate_django_db

    cls = getattr(item, "cls", None)
    if cls and issubclass(cls, TransactionTestCase):  # Django's own test classes (tests/test_api.py)
        return "db" if issubclass(cls, TestCase) else "transactional"
    names = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    transaction, reset_sequences, *_ = validate_django_db(marker) if marker else (False, False)
    if transaction or reset_sequences or names & {"transactional_db", "live_server", "django_db_reset_sequences"}:
        return "transactional"
    return "db" if marker or "db" in names else ""


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """After pytest-django's own order (rolled-back tests first, then transactional ones, then
    those without a database), the rolled-back tests without the world go first: the committed
    world would be in their way (an empty database, codes and names of their own)."""
    group = {"db": 0, "transactional": 1, "": 2}
    items.sort(key=lambda item: (group[_db_use(item)], _db_use(item) == "db" and "world" in item.fixturenames))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before the test's fixtures (so outside its transaction): the committed world is there for
    a rolled-back test that asks for it and gone for one that does not (in the order above this
    flush never happens; it keeps any other order, e.g. -p randomly, correct)."""
    if not _SHELF or _db_use(item) != "db":
        return
    shelf, wants = _SHELF[0], "world" in item.fixturenames
    if shelf.world is not None and not wants:
        shelf.flush()
    elif shelf.world is None and wants:
        shelf.build()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    yield
    if _SHELF and _db_use(item) == "transactional":
        _SHELF[0].world = None  # flushed with everything else


@pytest.fixture(scope="session")
def _world_shelf(django_db_setup: None, django_db_blocker: Any) -> _Shelf:
    shelf = _Shelf(django_db_blocker)
    shelf.build()
    _SHELF.append(shelf)
    return shelf


@pytest.fixture
def world(_world_shelf: _Shelf, db: Any) -> World:
    """The province of the module docstring, committed once and shared: each test gets its own
    deep copy of the objects (as Django's setUpTestData does), so what a test changes in memory
    stays in that test, and what it writes is rolled back with its transaction. A transactional
    test (and a browser test, whose live server must see the rows) uses the committed world if
    it is still there and builds its own after a flush."""
    if _world_shelf.world is None:
        return build_world()
    return copy.deepcopy(_world_shelf.world)


def seed_migration_data() -> None:
    """Put back the rows data migrations seed: chibo.core.seed writes them (each domain's
    reference.py holds them), as the migrations do."""
    from chibo.core.seed import seed_reference_data

    seed_reference_data()


@pytest.fixture
def _migration_data(transactional_db: None) -> None:
    """Put back the rows data migrations seed, which the flush after every transactional
    test deletes (`seed_migration_data`).

    (`django_db_serialized_rollback` does not work here: once Playwright's sync API has
    started, asyncio reports a running loop on the main thread, so Django's thread-critical
    `connections` hands out a different DatabaseWrapper than the one pytest-django stored
    the serialized contents on whenever the test database was set up before the browser.)"""
    seed_migration_data()
