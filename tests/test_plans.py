"""Resolutions, targets broken down to cells, measurements and the figures they give
(issue 4), through the services and the gatekeeper, with the named personas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from chibo import access
from chibo.audit.models import AuditEvent
from chibo.plans import rules, selectors, services
from chibo.plans.models import Resolution, Target


@pytest.fixture
def plan(world):
    staff = world.users["commune_staff"]
    res = services.resolution_create(
        actor=staff, organisation=world.org["C1"], body=Resolution.Body.CONGRESS, kind=Resolution.Kind.RESOLUTION,
        number="01-NQ/ĐH", issued_on=dt.date(2025, 7, 20), period_start=2025, period_end=2030,
        title="Nghị quyết Đại hội Đảng bộ xã lần thứ I, nhiệm kỳ 2025–2030",
        file=(b"%PDF-1.7 the signed text", "NQ 01 DH.pdf"))
    admit = services.target_create(actor=staff, resolution=res, organisation=world.org["C1"],
                                   name="Kết nạp đảng viên mới", unit="đảng viên", kind=Target.Kind.COUNT,
                                   target_value=D(30), roll_up=Target.RollUp.SUM, milestones={2025: D(4)})
    a, b = services.target_break_down(admit, actor=staff, shares={world.org["A"]: D(20), world.org["B"]: D(10)})
    return res, admit, a, b


def test_a_commune_target_adds_up_from_its_cells(world, plan):
    res, admit, a, b = plan
    services.measurement_record(actor=world.users["secretary_a"], target=a, measured_on=dt.date(2026, 6, 30),
                                value=D(12), note="Quyết định kết nạp số 12, 15, 21…")
    services.measurement_record(actor=world.users["secretary_b"], target=b, measured_on=dt.date(2026, 9, 30),
                                value=D(3))
    day = dt.date(2028, 1, 1)  # halfway through the term
    figs = selectors.figures([admit], day)
    whole = figs[admit.pk]
    assert whole.value == 15 and whole.measured_on == dt.date(2026, 9, 30)
    assert whole.roll_up is not None and whole.roll_up.explain() == "12 + 3 = 15"
    assert whole.progress == D("0.5") and whole.status == rules.Status.ON_TRACK
    assert figs[a.pk].percent == 60 and figs[b.pk].status == rules.Status.OFF_TRACK  # 3 of 10 at half time
    assert AuditEvent.objects.filter(object_type="measurement").count() == 2
    assert AuditEvent.objects.filter(object_type="target", action="create").count() == 3


def test_who_reads_and_who_reports(world, plan):
    res, admit, a, b = plan
    for persona in ("member", "secretary_a", "secretary_b", "commune_staff", "province_staff", "admin"):
        assert access.get_resolution(world.users[persona], res.pk) == res  # it reaches every cell of the commune
    with pytest.raises(Http404):
        access.get_resolution(world.users["other_commune_staff"], res.pk)
    assert access.get_target(world.users["secretary_a"], a.pk, report=True) == a
    with pytest.raises(PermissionDenied):
        access.get_target(world.users["secretary_b"], a.pk, report=True)  # another cell's part
    with pytest.raises(PermissionDenied):
        access.get_target(world.users["member"], a.pk, report=True)
    with pytest.raises(PermissionDenied):
        access.get_resolution(world.users["secretary_a"], res.pk, write=True)  # the commune's resolution
    assert access.get_target(world.users["commune_staff"], b.pk, report=True) == b
    with pytest.raises(Http404):
        access.get_target(world.users["other_commune_staff"], a.pk)


def test_a_rolled_up_target_takes_no_figure_of_its_own(world, plan):
    _res, admit, _a, _b = plan
    with pytest.raises(ValidationError) as err:
        services.measurement_record(actor=world.users["commune_staff"], target=admit,
                                    measured_on=dt.date(2026, 1, 1), value=D(5))
    assert "value" in err.value.message_dict


@pytest.mark.parametrize(("change", "field"), [
    ({"number": " "}, "number"),
    ({"period_start": 2030, "period_end": 2025}, "period_end"),
    ({"issued_on": dt.date(2099, 1, 1)}, "issued_on"),
    ({"file": (b"MZ\x90\x00 an executable", "nghi-quyet.pdf")}, "file"),
])
def test_bad_resolution_input_names_the_field_and_writes_nothing(world, change, field):
    data = {"organisation": world.org["C1"], "body": Resolution.Body.COMMITTEE, "number": "05-NQ/ĐU",
            "issued_on": dt.date(2025, 9, 1), "period_start": 2025, "period_end": 2030, "title": "Chuyển đổi số",
            **change}
    before = (Resolution.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as err:
        services.resolution_create(actor=world.users["commune_staff"], **data)
    assert field in err.value.message_dict
    assert (Resolution.objects.count(), AuditEvent.objects.count()) == before


def test_bad_target_input(world, plan):
    res, admit, a, _b = plan
    base = {"resolution": res, "organisation": world.org["C1"], "name": "Tỷ lệ hộ nghèo", "kind": Target.Kind.PERCENT,
            "direction": Target.Direction.AT_MOST, "target_value": D(2), "baseline_value": D(8),
            "roll_up": Target.RollUp.MEAN}
    for change, field in [({"target_value": D(120)}, "target_value"), ({"roll_up": Target.RollUp.SUM}, "roll_up"),
                          ({"organisation": world.org["X"]}, "organisation"),  # another commune's cell
                          ({"milestones": {2040: D(3)}}, "milestones"),
                          ({"parent": admit}, "kind")]:
        with pytest.raises(ValidationError) as err:
            services.target_create(actor=world.users["commune_staff"], **{**base, **change})
        assert field in err.value.message_dict, change
    with pytest.raises(ValidationError) as err:
        services.measurement_record(actor=world.users["secretary_a"], target=a, measured_on=None, value=None)
    assert {"measured_on", "value"} <= set(err.value.message_dict)


def test_a_count_takes_whole_numbers_only(world, plan):
    _res, _admit, part, _b = plan
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.measurement_record(actor=None, target=part, measured_on=dt.date(2026, 3, 1), value=D("2.5"))
    assert "whole number" in exc.value.message_dict["value"][0]
    assert not part.measurements.exists()
