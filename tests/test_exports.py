"""Exports: what the list shows, IDs kept as text, formulas neutralised, every export audited."""

from __future__ import annotations

import csv
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from chibo.audit.models import AuditEvent
from chibo.exchange.writers import neutralise, unneutralise
from chibo.members import services


def _xlsx_rows(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens UTF-8 right
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_member_export_holds_exactly_the_filtered_list_and_is_audited(world):
    c = world.client("commune_staff")
    response = c.get("/dang-vien/xuat/?org=C1&sex=F&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="dang-vien-C1-')
    rows = _xlsx_rows(_body(response))
    header, data = rows[0], rows[1:]
    names = sorted(r[header.index("Họ và tên")] for r in data)
    assert names == ["Rơ Châm H'Luyên", "Trần Thị Hoa", "Đào Thị Ninh"]
    event = AuditEvent.objects.get(action="export")
    assert event.actor == world.users["commune_staff"] and event.after == {"rows": 3, "format": "xlsx"}
    assert "sex=F" in event.note and event.org_path == world.org["C1"].path


def test_ids_stay_text_and_formulas_are_neutralised(world):
    m = world.m["b_member"]
    services.person_update(m.person, actor=None, phone="+84 905 000 111", family_name="=HYPERLINK(\"x\")")
    services.member_update(m, actor=None, card_number="00012345")
    for fmt, read in (("xlsx", _xlsx_rows), ("csv", _csv_rows)):
        rows = read(_body(world.client("secretary_b").get(f"/dang-vien/xuat/?org=B&format={fmt}")))
        header = rows[0]
        row = next(r for r in rows[1:] if r[header.index("Tên")] == "Bình")
        assert row[header.index("Số thẻ đảng viên")] == "00012345"
        assert row[header.index("Số CCCD")] == m.person.citizen_id and isinstance(row[header.index("Số CCCD")], str)
        assert row[header.index("Số điện thoại")] == "'+84 905 000 111"
        assert row[header.index("Họ")].startswith("'=")
        assert row[header.index("Ngày sinh")] in ("17/05/1980",) or str(row[header.index("Ngày sinh")]).startswith("1980-05-17")


@pytest.mark.parametrize("persona,status", [("member", 404), ("secretary_b", 404), ("other_commune_staff", 404),
                                            ("province_staff", 200), ("secretary_a", 200)])
def test_export_follows_scope(world, persona, status):
    assert world.client(persona).get("/dang-vien/xuat/?org=A&format=csv").status_code == status
    if status == 404:
        assert not AuditEvent.objects.filter(action="export").exists()


def test_unknown_format_is_404(world):
    assert world.client("commune_staff").get("/dang-vien/xuat/?org=C1&format=pdf").status_code == 404


def test_organisation_export(world):
    rows = _csv_rows(_body(world.client("commune_staff").get("/to-chuc/xuat/?org=C1&format=csv")))
    assert [r[0] for r in rows[1:]] == ["C1", "A", "A1", "B"]
    assert AuditEvent.objects.filter(action="export", object_type="organisation").count() == 1


def test_cli_export(world, tmp_path):
    out = StringIO()
    call_command("export", "members", "C1", str(tmp_path / "c1.xlsx"), stdout=out)
    assert len(_xlsx_rows((tmp_path / "c1.xlsx").read_bytes())) == 1 + 6
    call_command("export", "organisations", "P", str(tmp_path / "p.csv"), stdout=out)
    assert len(_csv_rows((tmp_path / "p.csv").read_bytes())) == 1 + 7
    assert AuditEvent.objects.filter(action="export", actor__isnull=True).count() == 2
    with pytest.raises(CommandError):
        call_command("export", "members", "NOPE", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError):
        call_command("export", "members", "C1", str(tmp_path / "x.pdf"))


def test_neutralise_round_trips():
    for text in ["=1+1", "+84", "-5", "@x", "\tx", "Nguyễn", "'quoted", ""]:
        assert unneutralise(neutralise(text)) == text


def test_a_long_list_is_written_in_the_background_for_its_owner_only(world, settings):
    settings.CHIBO_EXPORT_SYNC_ROWS = 2  # the commune has 6 members: "long"
    c = world.client("commune_staff")
    response = c.get("/dang-vien/xuat/?org=C1&sex=F&format=xlsx")
    assert response.status_code == 302 and response["Location"].startswith("/xuat-du-lieu/")
    page = c.get(response["Location"]).content.decode()
    assert 'id="download"' in page  # the immediate backend has already written it
    download = c.get(response["Location"] + "tai/")
    rows = _xlsx_rows(_body(download))
    assert len(rows) == 1 + 3  # the three women: the filter was kept
    event = AuditEvent.objects.get(action="export")
    assert event.actor == world.users["commune_staff"] and "sex=F" in event.note
    assert world.client("other_commune_staff").get(response["Location"]).status_code == 404
    assert world.client("other_commune_staff").get(response["Location"] + "tai/").status_code == 404


def test_a_background_export_whose_worker_died_says_so(world, settings):
    import os
    import time

    from chibo.exchange.models import ExportJob

    settings.CHIBO_EXPORT_SYNC_ROWS = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, not run
    c = world.client("commune_staff")
    location = c.get("/dang-vien/xuat/?org=C1&format=csv")["Location"]
    job = ExportJob.objects.get()
    job.status = ExportJob.Status.RUNNING  # as a worker leaves it when it is killed mid-file
    job.save()
    job.write_progress(3, 6)
    assert 'id="export-progress"' in c.get(location).content.decode()
    stamp = time.time() - (settings.CHIBO_JOB_STALE_MINUTES + 1) * 60
    os.utime(job.folder / "progress.json", (stamp, stamp))
    c.cookies["django_language"] = "en"  # English chosen in this browser
    page = c.get(location).content.decode()
    assert "Export the list again" in page and 'href="/dang-vien/"' in page and "hx-trigger" not in page
    assert c.get(location + "tai/").status_code == 404
