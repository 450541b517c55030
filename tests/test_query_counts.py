"""No page issues more than 15 SQL queries, and the count does not grow with the data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.core.dates import today
from chibo.indicators.services import snapshot_province
from tests.conftest import add_member

PAGES = [
    ("commune_staff", "/"),
    ("province_staff", "/"),
    ("province_staff", "/?org=C1&date=01/01/2026"),
    ("secretary_a", "/"),
    ("member", "/"),
    ("province_staff", "/to-chuc/"),
    ("commune_staff", "/to-chuc/?parent=C1"),
    ("commune_staff", "/to-chuc/A/"),
    ("commune_staff", "/dang-vien/"),
    ("province_staff", "/dang-vien/?q=nguyen+van&sort=-birth"),
    ("commune_staff", "/dang-vien/?status=all&sex=F&age=u30&ethnicity=minority"),
    ("commune_staff", "/dang-vien/{member}/"),
    ("commune_staff", "/dang-vien/{member}/sua/"),
    ("commune_staff", "/dang-vien/moi/?org=A"),
    ("commune_staff", "/chuc-vu/moi/?org=A"),
    ("commune_staff", "/dia-ban/VA/"),
    ("commune_staff", "/nhat-ky/"),
    ("commune_staff", "/chat-luong-du-lieu/?org=C1"),
    ("province_staff", "/chat-luong-du-lieu/"),
    ("secretary_a", "/to-chuc/A/tai-khoan/"),
    ("commune_staff", "/tai-khoan/{account}/"),
    ("commune_staff", "/tim-kiem/?q=nguyen+van"),
    ("province_staff", "/tim-kiem/?q=chi+bo&nhom=hop"),
    ("commune_staff", "/to-chuc/C1/chi-tieu/"),  # with targets: tests/test_target_overview.py
]


# Each role's home page shows "Việc cần làm" before the figures (issue 14 point 3): a few more
# queries, still a fixed number (tests/test_home_cell.py, test_home_member.py, test_home_commune.py).
LIMITS = {("secretary_a", "/"): 25, ("commune_staff", "/"): 20,
          ("province_staff", "/?org=C1&date=01/01/2026"): 30}  # a date asked for: the figures come inline


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("persona", "template"), PAGES)
def test_query_count_is_small_and_flat(world, persona, template):
    url = template.format(member=world.m["member"].pk, account=world.users["secretary_a"].pk)
    # The province home reads the comparison's daily snapshot (`chibo remind`, demo, synth make
    # one); before the first it spends one more query finding out why there is none.
    snapshot_province(world.org["P"], today())
    client = world.client(persona)
    _count(client, url)  # warm caches (content types, sessions)
    small = _count(client, url)
    for i in range(30):
        add_member(world.org["A"], "Nguyễn", "Văn", f"Thêm{i}", birth=dt.date(1970 + i % 10, 1, 1))
        add_member(world.org["X"], "Trần", "Thị", f"Nữa{i}", sex="F")
    large = _count(client, url)
    assert small <= LIMITS.get((persona, template), 15), f"{url}: {small} queries"
    # Never more with more data. (Fewer is possible: the change log reads one query per kind of
    # object on its page, and 60 new members are one kind.)
    assert large <= small, f"{url}: {small} queries with little data, {large} with more"


@pytest.mark.parametrize("level", ["P", "C1", "A"])
@pytest.mark.parametrize("sort", ["name", "-name", "birth", "-birth", "admission", "-admission"])
def test_member_list_is_read_in_index_order(world, level, sort):
    """Every offered sort on every subtree is one index range: no temporary B-tree."""
    if connection.vendor != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans depend on table statistics")
    from chibo import access
    from chibo.members import selectors

    qs = selectors.member_rows(selectors.filter_members(
        access.memberships(world.users["admin"], within=world.org[level]), sort=sort))[:25]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " / ".join(str(row[-1]) for row in cursor.fetchall())
    assert "TEMP B-TREE" not in plan, plan


def test_the_accounts_list_is_flat_as_accounts_grow(world):
    """Roles, failed sign-ins and two-step of a page of accounts come in a fixed number of queries."""
    from chibo.accounts import services as accounts

    client = world.client("commune_staff")
    _count(client, "/tai-khoan/")
    small = _count(client, "/tai-khoan/")
    for i in range(30):
        m = add_member(world.org["A"], "Nguyễn", "Văn", f"Thêm{i}")
        user, _code = accounts.account_create_for_person(actor=None, person=m.person)
        accounts.user_unlock(actor=None, user=user)
    large = _count(client, "/tai-khoan/")
    assert small <= 15, f"{small} queries"
    assert large == small, f"{small} queries with few accounts, {large} with more"


@pytest.mark.parametrize("persona", ["member", "secretary_a", "commune_staff", "province_staff", "admin"])
def test_the_home_pages_figures_follow_in_a_small_flat_request(world, persona):
    """The home page's figures arrive in their own request (htmx, on load): at most 15 queries,
    never more with more data; the page itself is counted above."""
    client = world.client(persona)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/", headers={"HX-Request": "true"})
        assert response.status_code == 200 and 'id="figures-h"' in response.content.decode()
        return len(ctx.captured_queries)

    count()
    small = count()
    for i in range(30):
        add_member(world.org["A"], "Nguyễn", "Văn", f"Thêm{i}", birth=dt.date(1970 + i % 10, 1, 1))
    assert small <= 15, f"{small} queries"
    assert count() <= small
