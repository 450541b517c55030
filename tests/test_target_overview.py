"""The commune's target overview (issue 14, point 4) through HTTP with the named personas: one
row per target with its figure, its progress from the baseline against the time elapsed, its
status and the cells behind; a target opens to its cells' contributions, most behind first; the
roll-up arithmetic one click away; links only where the viewer may open them; empty states that
say what to do next; a query count that does not grow with targets and cells."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from chibo.core.dates import today
from chibo.organisations import services as orgs
from chibo.plans import rules, selectors, services
from chibo.plans.models import Resolution, Target
from chibo.plans.templatetags.plans_tags import STATUS_LABELS
from tests.conftest import PERSONAS


def vi(text) -> str:
    """A text as the pages show it: in Vietnamese (English until the new strings are compiled), escaped."""
    with translation.override("vi"):
        return escape(str(text() if callable(text) else text))


def row_of(html: str, target: Target) -> str:
    """The overview's row of a target (its <tr> … </tr>)."""
    match = re.search(rf'<tr class="target-row" id="target-{target.pk}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {target.name}"
    return match.group(1)


def status_of(row: str) -> str:
    return re.search(r'<td class="status".*?</td>', row, re.S).group(0)


def hrefs(html: str) -> set[str]:
    main = html[html.index("<main"):html.index("</main>")]
    return {h for h in re.findall(r'href="(/[^"#]*)', main) if not h.startswith("/static/")}


@pytest.fixture
def plan(world):
    """A congress resolution of C1 (2025–2030) with four targets:
    - admit: 30 new members, the sum of A's 25 and B's 5 (A has admitted none, B all five);
    - poor: poor households at most 2 %, from 8 % in 2025, the mean of A's and B's rates weighted by households;
    - water: clean water at least 90 %, from 62 % in 2025, measured by the commune itself (70 % now);
    - safe: a yes/no target, not reported yet."""
    staff = world.users["commune_staff"]
    res = services.resolution_create(
        actor=staff, organisation=world.org["C1"], body=Resolution.Body.CONGRESS, number="01-NQ/ĐH",
        issued_on=dt.date(2025, 7, 20), period_start=2025, period_end=2030, title="Nghị quyết Đại hội nhiệm kỳ 2025–2030")
    admit = services.target_create(actor=staff, resolution=res, organisation=world.org["C1"], position=1,
                                   name="Kết nạp đảng viên mới", unit="đảng viên", kind=Target.Kind.COUNT,
                                   target_value=D(30), roll_up=Target.RollUp.SUM)
    a, b = services.target_break_down(admit, actor=staff, shares={world.org["A"]: D(25), world.org["B"]: D(5)})
    poor = services.target_create(actor=staff, resolution=res, organisation=world.org["C1"], position=2,
                                  name="Tỷ lệ hộ nghèo", unit="%", kind=Target.Kind.PERCENT,
                                  direction=Target.Direction.AT_MOST, baseline_value=D(8), baseline_year=2025,
                                  target_value=D(2), roll_up=Target.RollUp.MEAN)
    pa, pb = services.target_break_down(poor, actor=staff, shares={world.org["A"]: D(2), world.org["B"]: D(2)},
                                        weights={world.org["A"]: D(100), world.org["B"]: D(300)})
    water = services.target_create(actor=staff, resolution=res, organisation=world.org["C1"], position=3,
                                   name="Tỷ lệ hộ dùng nước sạch", unit="%", kind=Target.Kind.PERCENT,
                                   baseline_value=D(62), baseline_year=2025, target_value=D(90),
                                   roll_up=Target.RollUp.NONE)
    safe = services.target_create(actor=staff, resolution=res, organisation=world.org["C1"], position=4,
                                  name="Xã an toàn về an ninh, trật tự", kind=Target.Kind.YESNO, target_value=D(1),
                                  roll_up=Target.RollUp.NONE)
    day = dt.date(2026, 6, 30)
    for target, value in ((a, 0), (b, 5), (pa, 8), (pb, 3), (water, 90)):
        services.measurement_record(actor=staff, target=target, measured_on=day, value=D(value))
    return {"res": res, "admit": admit, "a": a, "b": b, "poor": poor, "pa": pa, "pb": pb, "water": water,
            "safe": safe}


def test_one_row_per_target_with_figure_status_and_progress_from_the_baseline(world, plan):
    html = world.client("commune_staff").get("/to-chuc/C1/chi-tieu/").content.decode()
    assert html.count('class="target-row"') == 4  # one row per target, not one column per cell

    admit = row_of(html, plan["admit"])
    assert "<strong>5</strong> / 30 đảng viên" in admit  # 0 + 5, against 30
    # a sixth of the way when more than a quarter of the period has gone
    assert vi(STATUS_LABELS[rules.Status.OFF_TRACK]) in status_of(admit)
    assert vi(lambda: _("Counted from 0: no baseline was entered")) in admit

    water = row_of(html, plan["water"])
    assert "<strong>90</strong> / 90%" in water and vi(STATUS_LABELS[rules.Status.ACHIEVED]) in status_of(water)
    assert vi(lambda: _("Counted from the baseline of %(value)s (in %(year)s)") % {"value": "62%", "year": 2025}) in water
    assert 'class="fill st-achieved w-100"' in water

    # poor households: (8 × 100 + 3 × 300) ÷ 400 = 4,25 %, from 8 % towards 2 %: 62,5 % of the way
    poor = row_of(html, plan["poor"])
    assert "<strong>4,25</strong> / 2%" in poor
    assert vi(lambda: _("Counted from the baseline of %(value)s (in %(year)s)") % {"value": "8%", "year": 2025}) in poor
    assert "<strong>62%</strong>" in poor  # 62,5 rounds to even

    safe = row_of(html, plan["safe"])
    assert vi(STATUS_LABELS[rules.Status.NO_DATA]) in status_of(safe) and 'class="mark' not in safe  # done or not: no time mark


def test_the_mark_shows_where_the_time_elapsed_says_the_figure_should_be(world, plan):
    expected = selectors.figures([plan["water"]])[plan["water"].pk].expected
    percent = int((expected * 100).to_integral_value())
    elapsed = rules.time_elapsed(start=dt.date(2025, 1, 1), end=dt.date(2030, 12, 31), day=today())
    assert percent == int((elapsed * 100).to_integral_value())  # no milestones: evenly over the period
    html = world.client("commune_staff").get("/to-chuc/C1/chi-tieu/").content.decode()
    assert f'<span class="mark w-{percent}">' in row_of(html, plan["water"])


def test_the_cells_behind_are_named_and_linked_for_the_commune_staff(world, plan):
    html = world.client("commune_staff").get("/to-chuc/C1/chi-tieu/").content.decode()
    admit = row_of(html, plan["admit"])
    assert f'<a href="/chi-tieu/{plan["a"].pk}/">Chi bộ Thôn Đông</a>' in admit  # A is behind
    assert "Chi bộ Làng Ia Rơ" not in admit  # B has reached its part
    poor = row_of(html, plan["poor"])  # A's 8 % has not moved from the baseline; B's 3 % is on its way
    assert "Chi bộ Thôn Đông" in poor
    water = row_of(html, plan["water"])
    assert "Chi bộ" not in water  # measured by the commune itself


def test_at_most_three_cells_behind_are_named_then_a_count(world, plan):
    staff = world.users["commune_staff"]
    res = plan["res"]
    cells = [orgs.organisation_create(actor=None, code=f"N{i}", name=f"Chi bộ thôn {i}", kind="grassroots_cell",
                                      sector="residential", parent=world.org["C1"], valid_from=dt.date(2025, 7, 1))
             for i in range(5)]
    whole = services.target_create(actor=staff, resolution=res, organisation=world.org["C1"], position=5,
                                   name="Hộ làm nhà tiêu hợp vệ sinh", kind="amount", target_value=D(50), roll_up="sum")
    parts = services.target_break_down(whole, actor=staff, shares=dict.fromkeys(cells, D(10)))
    for i, part in enumerate(parts):  # the later the cell, the further behind
        services.measurement_record(actor=staff, target=part, measured_on=dt.date(2026, 1, 5), value=D(4 - i) / 2)
    html = world.client("commune_staff").get("/to-chuc/C1/chi-tieu/").content.decode()
    row = row_of(html, whole)
    named = re.findall(r"Chi bộ thôn (\d)", row)
    assert named == ["4", "3", "2"]  # the three most behind, most behind first
    assert "+2" in row and f'href="/chi-tieu/{whole.pk}/#parts"' in row


def test_the_arithmetic_is_one_click_away_not_inline(world, plan):
    html = world.client("commune_staff").get("/to-chuc/C1/chi-tieu/").content.decode()
    admit = row_of(html, plan["admit"])
    details = admit[admit.index('<details class="arith'):admit.index("</details>")]
    assert "0 + 5 = 5" in details  # the sum, inside a <details>: one click
    assert "0 + 5 = 5" not in admit.replace(details, "")
    poor = row_of(html, plan["poor"])
    assert "(8 × 100 + 3 × 300) ÷ (100 + 300) = 4,25" in poor  # the weighted mean written out
    assert "(8 − 4,25) ÷ (8 − 2) = 62,5 %" in poor  # the progress from the baseline written out
    # and on the target page
    page = world.client("commune_staff").get(f"/chi-tieu/{plan['admit'].pk}/").content.decode()
    details = page[page.index('id="arithmetic"'):]
    assert "0 + 5 = 5" in details[:details.index("</details>")]


def test_a_target_opens_to_its_cells_contributions_most_behind_first(world, plan):
    c = world.client("commune_staff")
    html = c.get("/to-chuc/C1/chi-tieu/").content.decode()
    assert f'href="/chi-tieu/{plan["admit"].pk}/"' in row_of(html, plan["admit"])
    page = c.get(f"/chi-tieu/{plan['admit'].pk}/").content.decode()
    parts = page[page.index('id="parts"'):]
    assert parts.index("Chi bộ Thôn Đông") < parts.index("Chi bộ Làng Ia Rơ")  # A (0 of 25) first
    assert vi(STATUS_LABELS[rules.Status.OFF_TRACK]) in parts and vi(STATUS_LABELS[rules.Status.ACHIEVED]) in parts
    assert "<strong>0</strong> / 25 đảng viên" in parts and "<strong>5</strong> / 5 đảng viên" in parts
    by_name = c.get(f"/chi-tieu/{plan['admit'].pk}/?xep=ten").content.decode()
    parts = by_name[by_name.index('id="parts"'):]
    assert parts.index("Chi bộ Làng Ia Rơ") < parts.index("Chi bộ Thôn Đông")  # L before T


def test_commune_staff_get_links_to_all_their_cells(world, plan):
    page = world.client("commune_staff").get(f"/chi-tieu/{plan['admit'].pk}/").content.decode()
    links = hrefs(page)
    assert {f"/chi-tieu/{plan['a'].pk}/", f"/chi-tieu/{plan['b'].pk}/", "/to-chuc/A/chi-tieu/",
            "/to-chuc/B/chi-tieu/"} <= links


@pytest.mark.parametrize("persona", ["member", "secretary_a", "secretary_b", "province_staff"])
def test_every_link_on_the_target_page_opens_for_its_viewer(world, plan, persona):
    c = world.client(persona)
    page = c.get(f"/chi-tieu/{plan['admit'].pk}/").content.decode()
    links = {h for h in hrefs(page) if "/tep/" not in h}
    assert links
    for href in links:
        assert c.get(href).status_code == 200, (persona, href)


def test_a_cell_secretary_gets_no_link_into_another_cells_pages(world, plan):
    page = world.client("secretary_b").get(f"/chi-tieu/{plan['admit'].pk}/").content.decode()
    links = hrefs(page)
    assert "/to-chuc/B/chi-tieu/" in links  # their own cell
    assert not any(h.startswith("/to-chuc/A/") for h in links)  # cell A's pages are not theirs
    assert "Chi bộ Thôn Đông" in page  # A's contribution is shown all the same: the resolution is the commune's
    assert world.client("secretary_b").get("/to-chuc/A/chi-tieu/").status_code == 404


def test_the_overview_is_read_only_by_those_who_may_open_the_commune(world, plan):
    got = [world.client(p).get("/to-chuc/C1/chi-tieu/").status_code for p in PERSONAS]
    assert got == [404, 404, 404, 200, 404, 200, 200]
    html = world.client("province_staff").get("/to-chuc/C1/chi-tieu/").content.decode()
    for href in hrefs(html) - {"/to-chuc/C1/chi-tieu.xlsx", "/to-chuc/C1/chi-tieu.pdf"}:
        assert world.client("province_staff").get(href).status_code == 200, href


def test_no_targets_yet_says_what_to_do_next(world):
    # a commune with nothing: its staff are sent to record the resolution
    html = world.client("other_commune_staff").get("/to-chuc/C2/chi-tieu/").content.decode()
    assert 'id="no-targets"' in html and 'href="/nghi-quyet/moi/?org=C2"' in html
    # with a resolution in force but no target: to add its targets
    res = services.resolution_create(
        actor=world.users["other_commune_staff"], organisation=world.org["C2"], body=Resolution.Body.CONGRESS,
        number="01-NQ/ĐH", issued_on=dt.date(2025, 7, 20), period_start=2025, period_end=2030, title="Nghị quyết")
    html = world.client("other_commune_staff").get("/to-chuc/C2/chi-tieu/").content.decode()
    assert f'href="/nghi-quyet/{res.pk}/chi-tieu/moi/"' in html and "/nghi-quyet/moi/" not in html
    # those who may not enter targets are told who does, and get no link they could not use
    html = world.client("province_staff").get("/to-chuc/C2/chi-tieu/").content.decode()
    assert 'id="no-targets"' in html and "/chi-tieu/moi/" not in html and "/nghi-quyet/moi/" not in html
    member = world.client("member").get("/to-chuc/A/chi-tieu/").content.decode()
    assert 'id="no-targets"' in member and "/nghi-quyet/moi/" not in member
    # a party group issues no resolution: its cell's secretary is not sent to a form that refuses them
    group = world.client("secretary_a").get("/to-chuc/A1/chi-tieu/").content.decode()
    assert 'id="no-targets"' in group and "/nghi-quyet/moi/" not in group
    assert 'href="/nghi-quyet/moi/?org=A"' in world.client("secretary_a").get("/to-chuc/A/chi-tieu/").content.decode()


def _grow(world, res, cells: int, targets: int) -> None:
    staff = world.users["commune_staff"]
    new = [orgs.organisation_create(actor=None, code=f"G{cells}{i}", name=f"Chi bộ mới {cells}-{i}",
                                    kind="grassroots_cell", sector="residential", parent=world.org["C1"],
                                    valid_from=dt.date(2025, 7, 1)) for i in range(cells)]
    for i in range(targets):
        whole = services.target_create(actor=staff, resolution=res, organisation=world.org["C1"], position=10 + i,
                                       name=f"Chỉ tiêu thêm {cells}-{i}", kind="count", target_value=D(100),
                                       roll_up="sum", milestones={2027: D(40)})
        for j, part in enumerate(services.target_break_down(
                whole, actor=staff, shares=dict.fromkeys([world.org["A"], world.org["B"], *new], D(5)))):
            services.measurement_record(actor=staff, target=part, measured_on=dt.date(2026, 1, 5), value=D(j % 3))


@pytest.mark.parametrize(("persona", "url"), [
    ("commune_staff", "/to-chuc/C1/chi-tieu/"),
    ("province_staff", "/to-chuc/C1/chi-tieu/"),
    ("commune_staff", "/chi-tieu/{admit}/"),
    ("secretary_b", "/chi-tieu/{admit}/"),
])
def test_the_query_count_does_not_grow_with_targets_and_cells(world, plan, persona, url):
    c = world.client(persona)
    url = url.format(admit=plan["admit"].pk)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = c.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    count()  # warm caches (content types, sessions)
    small = count()
    _grow(world, plan["res"], cells=6, targets=5)  # 8 cells, 9 targets, everyone behind somewhere
    services.target_break_down(plan["admit"], actor=world.users["commune_staff"],
                               shares={o: D(1) for o in world.org["C1"].children.exclude(pk__in=[
                                   world.org["A"].pk, world.org["B"].pk])})
    large = count()
    assert small <= 20, small
    assert large == small, f"{url}: {small} queries before, {large} with more targets and cells"
