"""Every plans URL × every persona gets exactly what its scope allows (issue 4).

A resolution of commune C1 reaches down: it is read by C1's staff, by those above (province
staff, administrator) and by the people of its cells A and B; C2's staff do not see it. It
and its targets are changed (edited, broken down) only by those who write for C1. A cell's
part of a target is reported by that cell's committee and by C1's staff.

Columns: member, secretary_a, secretary_b, commune_staff, other_commune_staff,
province_staff, admin. 404 = outside scope; 403 = visible but not for this persona."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from chibo.audit.models import AuditEvent
from chibo.plans import services
from chibo.plans.models import Measurement, Resolution, Target
from tests.conftest import PERSONAS

PDF = b"%PDF-1.4\n%%EOF\n"

MATRIX: dict[str, list[int]] = {
    "/nghi-quyet/":                       [200, 200, 200, 200, 200, 200, 200],
    "/nghi-quyet/?org=C1&q=dai+hoi":      [200, 200, 200, 200, 200, 200, 200],
    "/nghi-quyet/moi/":                   [403, 200, 200, 200, 200, 403, 200],
    "/nghi-quyet/moi/?org=C1":            [403, 403, 403, 200, 404, 403, 200],
    "/nghi-quyet/moi/?org=A":             [403, 200, 404, 200, 404, 403, 200],
    "/nghi-quyet/{res}/":                 [200, 200, 200, 200, 404, 200, 200],
    "/nghi-quyet/{res2}/":                [404, 404, 404, 404, 200, 200, 200],
    "/nghi-quyet/{res}/sua/":             [403, 403, 403, 200, 404, 403, 200],
    "/nghi-quyet/{res}/tep/":             [200, 200, 200, 200, 404, 200, 200],
    "/nghi-quyet/{res}/chi-tieu/moi/":    [403, 403, 403, 200, 404, 403, 200],
    "/chi-tieu/{admit}/":                 [200, 200, 200, 200, 404, 200, 200],
    "/chi-tieu/{a}/":                     [200, 200, 200, 200, 404, 200, 200],
    "/chi-tieu/{x}/":                     [404, 404, 404, 404, 200, 200, 200],
    "/chi-tieu/{admit}/sua/":             [403, 403, 403, 200, 404, 403, 200],
    "/chi-tieu/{a}/sua/":                 [403, 403, 403, 200, 404, 403, 200],
    "/chi-tieu/{admit}/chia/":            [403, 403, 403, 200, 404, 403, 200],
    "/chi-tieu/{a}/so-lieu/":             [403, 200, 403, 200, 404, 403, 200],
    "/chi-tieu/{b}/so-lieu/":             [403, 403, 200, 200, 404, 403, 200],
    "/so-lieu/{m}/tep/":                  [200, 200, 200, 200, 404, 200, 200],
    "/to-chuc/C1/chi-tieu/":              [404, 404, 404, 200, 404, 200, 200],
    "/to-chuc/A/chi-tieu/":               [200, 200, 404, 200, 404, 200, 200],
    "/to-chuc/X/chi-tieu/":               [404, 404, 404, 404, 200, 200, 200],
}


@pytest.fixture
def plans(world):
    staff = world.users["commune_staff"]
    res = services.resolution_create(
        actor=staff, organisation=world.org["C1"], body=Resolution.Body.CONGRESS, number="01-NQ/ĐH",
        issued_on=dt.date(2025, 7, 20), period_start=2025, period_end=2030, title="Nghị quyết Đại hội",
        file=(PDF, "nghi-quyet.pdf"))
    admit = services.target_create(actor=staff, resolution=res, organisation=world.org["C1"],
                                   name="Kết nạp đảng viên mới", kind=Target.Kind.COUNT, target_value=D(30),
                                   roll_up=Target.RollUp.SUM)
    a, b = services.target_break_down(admit, actor=staff, shares={world.org["A"]: D(20), world.org["B"]: D(10)})
    m = services.measurement_record(actor=world.users["secretary_a"], target=a, measured_on=dt.date(2026, 1, 5),
                                    value=D(3), file=(PDF, "bien-ban.pdf"))
    res2 = services.resolution_create(
        actor=world.users["other_commune_staff"], organisation=world.org["C2"], body=Resolution.Body.COMMITTEE,
        number="02-NQ/ĐU", issued_on=dt.date(2025, 8, 1), period_start=2025, period_end=2030, title="Chuyển đổi số")
    x = services.target_create(actor=world.users["other_commune_staff"], resolution=res2, organisation=world.org["X"],
                               name="Thôn có điểm wifi", kind=Target.Kind.YESNO, target_value=D(1),
                               roll_up=Target.RollUp.NONE)
    return {"res": res.pk, "res2": res2.pk, "admit": admit.pk, "a": a.pk, "b": b.pk, "x": x.pk, "m": m.pk}


@pytest.mark.parametrize("template", list(MATRIX))
def test_every_persona_gets_what_its_scope_allows(world, plans, template):
    url = template.format(**plans)
    got = [world.client(p).get(url).status_code for p in PERSONAS]
    assert got == MATRIX[template], f"{url}: {dict(zip(PERSONAS, got, strict=True))}"


@pytest.mark.parametrize("template", list(MATRIX))
def test_anonymous_users_are_sent_to_sign_in(world, plans, template):
    response = world.client("anonymous").get(template.format(**plans))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")


def test_writes_outside_the_scope_are_refused_and_write_nothing(world, plans):
    before = (Resolution.objects.count(), Target.objects.count(), Measurement.objects.count(),
              AuditEvent.objects.count())
    figure = {"measured_on": "01/03/2026", "value": "5"}
    assert world.client("secretary_b").post(f"/chi-tieu/{plans['a']}/so-lieu/", figure).status_code == 403
    assert world.client("member").post(f"/chi-tieu/{plans['a']}/so-lieu/", figure).status_code == 403
    assert world.client("other_commune_staff").post(f"/chi-tieu/{plans['a']}/so-lieu/", figure).status_code == 404
    assert world.client("province_staff").post(f"/nghi-quyet/{plans['res']}/sua/", {"title": "x"}).status_code == 403
    assert world.client("secretary_a").post(f"/chi-tieu/{plans['admit']}/chia/",
                                            {f"share_{world.org['A'].pk}": "5"}).status_code == 403
    assert world.client("secretary_a").post("/nghi-quyet/moi/?org=C1", {"number": "x"}).status_code == 403
    assert world.client("other_commune_staff").post(f"/nghi-quyet/{plans['res']}/chi-tieu/moi/",
                                                    {"name": "x"}).status_code == 404
    after = (Resolution.objects.count(), Target.objects.count(), Measurement.objects.count(),
             AuditEvent.objects.count())
    assert after == before


def test_a_cell_secretary_may_not_issue_for_another_organisation_through_the_form(world, plans):
    """The form offers only organisations the user writes for; a forged choice is refused."""
    response = world.client("secretary_a").post("/nghi-quyet/moi/?org=A", {
        "organisation": world.org["C1"].pk, "body": "cell", "kind": "resolution", "number": "03-NQ/CB",
        "issued_on": "01/09/2025", "period_start": "2025", "period_end": "2027", "title": "Nghị quyết chi bộ",
        "status": "in_force"})
    assert response.status_code == 200 and "organisation" in response.context["form"].errors
    assert not Resolution.objects.filter(number="03-NQ/CB").exists()


def test_lists_show_only_the_resolutions_in_reach(world, plans):
    expected = {"member": {"Nghị quyết Đại hội"}, "secretary_b": {"Nghị quyết Đại hội"},
                "other_commune_staff": {"Chuyển đổi số"}, "province_staff": {"Nghị quyết Đại hội", "Chuyển đổi số"}}
    for persona, titles in expected.items():
        html = world.client(persona).get("/nghi-quyet/").content.decode()
        assert {t for t in ("Nghị quyết Đại hội", "Chuyển đổi số") if t in html} == titles, persona
