"""The plans pages (issue 4) through HTTP with the named personas: resolutions with their
signed text, targets with milestones, shares given to cells, figures reported, and the
commune's overview of targets × cells."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape

from chibo.audit.models import AuditEvent
from chibo.core.dates import today
from chibo.organisations import services as orgs
from chibo.plans import selectors, services
from chibo.plans.models import Measurement, Milestone, Resolution, Target


def shown(make) -> str:
    """A text as the pages show it: in Vietnamese (or in English until it is translated), escaped."""
    with translation.override("vi"):
        return escape(make())


def explanation(target) -> str:
    return shown(lambda: selectors.figures([target])[target.pk].roll_up.explain())


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def resolution_form(**over):
    data = {"organisation": "", "body": "congress", "kind": "resolution", "number": "01-NQ/ĐH",
            "issued_on": "20/07/2025", "period_start": "2025", "period_end": "2030",
            "title": "Nghị quyết Đại hội Đảng bộ xã lần thứ I", "summary": "", "status": "in_force"}
    data.update(over)
    return data


@pytest.fixture
def plan(world):
    staff = world.users["commune_staff"]
    res = services.resolution_create(
        actor=staff, organisation=world.org["C1"], body=Resolution.Body.CONGRESS, number="01-NQ/ĐH",
        issued_on=dt.date(2025, 7, 20), period_start=2025, period_end=2030, title="Nghị quyết Đại hội nhiệm kỳ 2025–2030")
    admit = services.target_create(actor=staff, resolution=res, organisation=world.org["C1"],
                                   name="Kết nạp đảng viên mới", unit="đảng viên", kind=Target.Kind.COUNT,
                                   target_value=D(30), roll_up=Target.RollUp.SUM)
    a, b = services.target_break_down(admit, actor=staff, shares={world.org["A"]: D(20), world.org["B"]: D(10)})
    return res, admit, a, b


def test_staff_record_a_resolution_with_its_signed_text_and_download_it(world):
    c = world.client("commune_staff")
    response = c.post("/nghi-quyet/moi/?org=C1", resolution_form(
        organisation=world.org["C1"].pk, file=SimpleUploadedFile("NQ 01 ĐH.pdf", PDF, "application/pdf")))
    assert response.status_code == 302, response.context["form"].errors
    res = Resolution.objects.get(number="01-NQ/ĐH")
    assert response["Location"] == f"/nghi-quyet/{res.pk}/"
    assert res.file_name == "NQ 01 ĐH.pdf" and res.organisation == world.org["C1"]

    page = c.get(f"/nghi-quyet/{res.pk}/").content.decode()
    assert f"/nghi-quyet/{res.pk}/tep/" in page

    download = world.client("member").get(f"/nghi-quyet/{res.pk}/tep/")  # a member of a cell reads it too
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="export", object_type="resolution", object_id=str(res.pk),
                                     actor=world.users["member"]).exists()

    response = c.post(f"/nghi-quyet/{res.pk}/sua/", resolution_form(
        title="Nghị quyết Đại hội (bản sửa)", status="in_force",
        file=SimpleUploadedFile("ban-moi.pdf", PDF + b"% v2\n", "application/pdf")))
    assert response.status_code == 302
    res.refresh_from_db()
    assert res.title == "Nghị quyết Đại hội (bản sửa)" and res.file_name == "ban-moi.pdf"
    assert b"".join(c.get(f"/nghi-quyet/{res.pk}/tep/").streaming_content).endswith(b"% v2\n")
    assert AuditEvent.objects.filter(action="update", object_type="resolution", object_id=str(res.pk)).exists()


def test_a_program_renamed_pdf_is_refused_naming_the_file_field(world):
    before = (Resolution.objects.count(), AuditEvent.objects.count())
    response = world.client("commune_staff").post("/nghi-quyet/moi/?org=C1", resolution_form(
        organisation=world.org["C1"].pk, file=SimpleUploadedFile("nghi-quyet.pdf", b"MZ\x90\x00 a program", "application/pdf")))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["file"]
    assert 'class="alert error"' in response.content.decode()
    assert (Resolution.objects.count(), AuditEvent.objects.count()) == before


def test_bad_resolution_input_names_the_field(world):
    c = world.client("commune_staff")
    for over, field in [({"period_start": "2030", "period_end": "2025"}, "period_end"),
                        ({"issued_on": "01/01/2099"}, "issued_on"), ({"issued_on": "31/02/2025"}, "issued_on"),
                        ({"number": " "}, "number"), ({"organisation": world.org["X"].pk}, "organisation")]:
        response = c.post("/nghi-quyet/moi/", resolution_form(**{"organisation": world.org["C1"].pk, **over}))
        assert response.status_code == 200, over
        assert field in response.context["form"].errors, (over, response.context["form"].errors)
    assert not Resolution.objects.exists()


def test_the_list_is_searched_without_diacritics_and_filtered(world, plan):
    res = plan[0]
    c = world.client("secretary_b")
    assert res.title in c.get("/nghi-quyet/?q=dai+hoi+nhiem+ky").content.decode()
    assert res.title not in c.get("/nghi-quyet/?q=chuyen+doi+so").content.decode()
    assert res.title not in c.get("/nghi-quyet/?status=completed").content.decode()
    fragment = c.get("/nghi-quyet/?q=01-nq&org=C1", HTTP_HX_REQUEST="true").content.decode()
    assert res.title in fragment and "<html" not in fragment
    assert res.title not in world.client("other_commune_staff").get("/nghi-quyet/").content.decode()
    assert "/nghi-quyet/moi/?org=C1" in world.client("commune_staff").get("/nghi-quyet/").content.decode()
    assert "/nghi-quyet/moi/" not in world.client("member").get("/nghi-quyet/").content.decode()


def test_a_target_with_yearly_milestones(world, plan):
    res = plan[0]
    c = world.client("commune_staff")
    form = c.get(f"/nghi-quyet/{res.pk}/chi-tieu/moi/").content.decode()
    assert 'name="milestone_2025"' in form and 'name="milestone_2030"' in form
    response = c.post(f"/nghi-quyet/{res.pk}/chi-tieu/moi/", {
        "name": "Tỷ lệ chi bộ hoàn thành tốt nhiệm vụ", "organisation": world.org["C1"].pk, "kind": "percent",
        "direction": "at_least", "unit": "%", "baseline_value": "72,5", "baseline_year": "2024", "target_value": "90",
        "roll_up": "mean", "weight": "", "note": "", "milestone_2026": "78", "milestone_2028": "84,5"})
    assert response.status_code == 302
    target = Target.objects.get(name="Tỷ lệ chi bộ hoàn thành tốt nhiệm vụ")
    assert response["Location"] == f"/chi-tieu/{target.pk}/"
    assert target.baseline_value == D("72.5") and target.target_value == 90 and target.position == 2
    assert {m.year: m.value for m in Milestone.objects.filter(target=target)} == {2026: D(78), 2028: D("84.5")}
    page = c.get(f"/chi-tieu/{target.pk}/").content.decode()
    assert "84,5" in page and 'role="img"' in page and "<title" in page

    # edit: drop a milestone, change the target
    response = c.post(f"/chi-tieu/{target.pk}/sua/", {
        "name": target.name, "organisation": world.org["C1"].pk, "kind": "percent", "direction": "at_least",
        "unit": "%", "baseline_value": "72,5", "baseline_year": "2024", "target_value": "92", "roll_up": "mean",
        "milestone_2026": "78"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.target_value == 92 and list(target.milestones.values_list("year", flat=True)) == [2026]


def test_bad_target_input_names_the_field(world, plan):
    res = plan[0]
    c = world.client("commune_staff")
    base = {"name": "Tỷ lệ hộ nghèo", "organisation": world.org["C1"].pk, "kind": "percent", "direction": "at_most",
            "unit": "%", "baseline_value": "8", "target_value": "2", "roll_up": "mean"}
    for over, field in [({"target_value": "120"}, "target_value"), ({"roll_up": "sum"}, "roll_up"),
                        ({"target_value": "hai"}, "target_value"), ({"milestone_2026": "x"}, "milestone_2026"),
                        ({"organisation": world.org["X"].pk}, "organisation")]:
        response = c.post(f"/nghi-quyet/{res.pk}/chi-tieu/moi/", {**base, **over})
        assert response.status_code == 200, over
        assert field in response.context["form"].errors, (over, response.context["form"].errors)
    assert Target.objects.count() == 3


def test_breaking_down_warns_when_the_shares_do_not_add_up(world):
    staff = world.users["commune_staff"]
    res = services.resolution_create(actor=staff, organisation=world.org["C1"], body="committee", number="02-NQ/ĐU",
                                     issued_on=dt.date(2025, 8, 1), period_start=2025, period_end=2030, title="Phát triển đảng viên")
    admit = services.target_create(actor=staff, resolution=res, organisation=world.org["C1"], name="Kết nạp đảng viên mới",
                                   unit="đảng viên", kind="count", target_value=D(30), roll_up="sum")
    c = world.client("commune_staff")
    form = c.get(f"/chi-tieu/{admit.pk}/chia/").content.decode()
    assert f'name="share_{world.org["A"].pk}"' in form and f'name="share_{world.org["B"].pk}"' in form
    assert f'name="share_{world.org["X"].pk}"' not in form  # another commune's cell

    response = c.post(f"/chi-tieu/{admit.pk}/chia/", {}, follow=True)  # nothing entered: an error, nothing saved
    assert "share" in response.content.decode() and not admit.parts.exists()

    response = c.post(f"/chi-tieu/{admit.pk}/chia/", {f"share_{world.org['A'].pk}": "20",
                                                      f"share_{world.org['B'].pk}": "8"}, follow=True)
    assert response.redirect_chain == [(f"/chi-tieu/{admit.pk}/", 302)]
    html = response.content.decode()
    warning = shown(selectors.Shares(total=D(28), target=D(30), parts=2).warning)
    with translation.override("en"):
        assert selectors.Shares(total=D(28), target=D(30), parts=2).warning() == (
            "The parts' shares add up to 28, 2 less than the target of 30.")
    assert warning in html and 'class="alert warning"' in html
    assert sorted(admit.parts.values_list("target_value", flat=True)) == [8, 20]  # saved all the same
    # the warning stays on the target page while the shares differ …
    assert warning in c.get(f"/chi-tieu/{admit.pk}/").content.decode()
    assert warning in c.get("/to-chuc/C1/chi-tieu/").content.decode()
    # … and goes once they add up
    part_b = admit.parts.get(organisation=world.org["B"])
    services.target_update(part_b, actor=staff, target_value=D(10))
    assert 'id="shares-warning"' not in c.get(f"/chi-tieu/{admit.pk}/").content.decode()


def test_reporting_a_figure_with_and_without_htmx(world, plan):
    _res, admit, a, _b = plan
    c = world.client("secretary_a")
    page = c.get(f"/chi-tieu/{a.pk}/").content.decode()
    assert 'id="measure-form"' in page
    assert 'id="measure-form"' not in world.client("member").get(f"/chi-tieu/{a.pk}/").content.decode()
    assert 'id="measure-form"' not in world.client("secretary_b").get(f"/chi-tieu/{a.pk}/").content.decode()

    response = c.post(f"/chi-tieu/{a.pk}/so-lieu/", {"measured_on": "30/06/2026", "value": "12",
                                                       "note": "Quyết định kết nạp số 12, 15"})
    assert response.status_code == 302 and response["Location"] == f"/chi-tieu/{a.pk}/"
    evidence = SimpleUploadedFile("bien-ban.pdf", PDF, "application/pdf")
    response = c.post(f"/chi-tieu/{a.pk}/so-lieu/", {"measured_on": today().strftime("%d/%m/%Y"), "value": "14",
                                                       "note": "", "file": evidence}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="figure-value">14<' in html and "bien-ban.pdf" in html
    m = Measurement.objects.get(target=a, value=14)
    assert m.reported_by == world.users["secretary_a"]
    download = world.client("secretary_b").get(f"/so-lieu/{m.pk}/tep/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert world.client("other_commune_staff").get(f"/so-lieu/{m.pk}/tep/").status_code == 404
    # the commune's figure is added up from its cells
    commune = world.client("commune_staff").get(f"/chi-tieu/{admit.pk}/").content.decode()
    assert explanation(admit) in commune
    with translation.override("en"):
        assert selectors.figures([admit])[admit.pk].roll_up.explain() == "14 = 14 — 1 not reported yet"


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(("post", "field"), [
    ({"value": "120"}, "value"),  # a percentage above 100
    ({"value": "mười hai"}, "value"),
    ({"value": ""}, "value"),
    ({"measured_on": "01/01/2099"}, "measured_on"),
    ({"measured_on": "31/02/2026"}, "measured_on"),
])
def test_bad_figures_name_the_field_and_write_nothing(world, plan, htmx, post, field):
    res = plan[0]
    rate = services.target_create(actor=world.users["commune_staff"], resolution=res, organisation=world.org["A"],
                                  name="Tỷ lệ đảng viên dự sinh hoạt", unit="%", kind="percent", target_value=D(95),
                                  roll_up="none")
    before = (Measurement.objects.count(), AuditEvent.objects.count())
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = world.client("secretary_a").post(
        f"/chi-tieu/{rate.pk}/so-lieu/", {"measured_on": "30/06/2026", "value": "90", "note": "", **post}, **headers)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert ("<html" in response.content.decode()) is not htmx
    assert (Measurement.objects.count(), AuditEvent.objects.count()) == before


def test_a_rolled_up_target_takes_no_figure_of_its_own(world, plan):
    _res, admit, _a, _b = plan
    page = world.client("commune_staff").get(f"/chi-tieu/{admit.pk}/").content.decode()
    assert 'id="measure-form"' not in page  # its figure comes from the cells
    response = world.client("commune_staff").post(f"/chi-tieu/{admit.pk}/so-lieu/",
                                                   {"measured_on": "30/06/2026", "value": "5"})
    assert response.status_code == 200 and "value" in response.context["form"].errors
    assert not Measurement.objects.exists()


def test_the_commune_overview_explains_each_sum_and_follows_the_cells(world, plan):
    _res, admit, a, b = plan
    c = world.client("commune_staff")
    html = c.get("/to-chuc/C1/chi-tieu/").content.decode()
    assert "Kết nạp đảng viên mới" in html
    page = c.get(f"/chi-tieu/{admit.pk}/").content.decode()  # the target opens to its cells
    assert "Chi bộ Thôn Đông" in page and "Chi bộ Làng Ia Rơ" in page
    before = explanation(admit)
    assert before in html
    services.measurement_record(actor=world.users["secretary_a"], target=a, measured_on=dt.date(2026, 3, 1), value=D(7))
    html = c.get("/to-chuc/C1/chi-tieu/").content.decode()
    after = explanation(admit)
    assert after != before and after.startswith("7 = 7 —") and after in html and before not in html
    services.measurement_record(actor=world.users["secretary_b"], target=b, measured_on=dt.date(2026, 4, 1), value=D(4))
    assert ">7 + 4 = 11<" in c.get("/to-chuc/C1/chi-tieu/").content.decode()  # in the row's "how it is worked out"
    # a cell sees its own targets
    own = world.client("member").get("/to-chuc/A/chi-tieu/").content.decode()
    assert "Kết nạp đảng viên mới" in own and f"/chi-tieu/{a.pk}/" in own and f"/chi-tieu/{b.pk}/" not in own
    # the organisation page links to it
    assert "/to-chuc/C1/chi-tieu/" in c.get("/to-chuc/C1/").content.decode()


def _add_cells_and_targets(world, res, cells: int, targets: int) -> None:
    staff = world.users["commune_staff"]
    new = [orgs.organisation_create(actor=None, code=f"N{i}", name=f"Chi bộ thôn {i}", kind="grassroots_cell",
                                    sector="residential", parent=world.org["C1"], valid_from=dt.date(2025, 7, 1))
           for i in range(cells)]
    cells_now = [world.org["A"], world.org["B"], *new]
    for i in range(targets):
        whole = services.target_create(actor=staff, resolution=res, organisation=world.org["C1"], name=f"Chỉ tiêu {i}",
                                       kind="count", target_value=D(10 * len(cells_now)), roll_up="sum",
                                       milestones={2027: D(5)})
        for part in services.target_break_down(whole, actor=staff, shares=dict.fromkeys(cells_now, D(10))):
            services.measurement_record(actor=staff, target=part, measured_on=dt.date(2026, 1, 5), value=D(3))
            services.measurement_record(actor=staff, target=part, measured_on=dt.date(2026, 2, 5), value=D(4))


def test_the_overview_reads_a_fixed_number_of_queries(world, plan):
    res = plan[0]
    c = world.client("commune_staff")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = c.get("/to-chuc/C1/chi-tieu/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    count()  # warm caches (content types, sessions)
    _add_cells_and_targets(world, res, cells=0, targets=1)  # 2 cells, 2 targets
    small = count()
    _add_cells_and_targets(world, res, cells=4, targets=4)  # 6 cells, 6 targets, 4 figures more per cell
    large = count()
    html = c.get("/to-chuc/C1/chi-tieu/").content.decode()
    assert "Chỉ tiêu 3" in html and html.count('class="target-row"') == 6  # one row per target
    assert small <= 15, small
    assert large == small, f"{small} queries with 2 cells, {large} with 6"


@pytest.mark.parametrize(("typed", "kind", "unit", "outcome"), [
    ("95 %", "percent", "%", "95"),
    ("95%", "percent", "%", "95"),
    ("12 đảng viên", "count", "đảng viên", "12"),
    ("12 dang vien", "count", "đảng viên", "12"),
    ("95 %", "count", "đảng viên", "measured in đảng viên, not in “%”"),
    ("3 ha", "amount", "triệu đồng", "measured in triệu đồng, not in “ha”"),
    ("2,5", "count", "đảng viên", "whole"),
    ("1.234,5 triệu đồng", "amount", "triệu đồng", "1234.5"),
])
def test_a_figure_typed_with_its_unit_is_read_and_a_wrong_unit_is_refused(world, typed, kind, unit, outcome):
    from chibo.plans.forms import MeasurementForm

    res = services.resolution_create(actor=None, organisation=world.org["C1"], body="congress", kind="resolution",
                                          number="01-NQ/ĐH", issued_on=dt.date(2025, 8, 20), period_start=2025,
                                          period_end=2030, title="Nghị quyết")
    target = services.target_create(actor=None, resolution=res, organisation=world.org["C1"], name="Chỉ tiêu",
                                         unit=unit, kind=kind, target_value=D(90),
                                         roll_up="mean" if kind == "percent" else "sum")
    with translation.override("en"):
        form = MeasurementForm({"measured_on": "01/11/2026", "value": typed}, target=target)
        valid = form.is_valid()
        if outcome[0].isdigit():
            assert valid, form.errors
            assert form.cleaned_data["value"] == D(outcome)
        else:
            assert not valid and outcome in form.errors["value"][0]
