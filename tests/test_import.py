"""Importing spreadsheets: the files are built here, by the tests themselves."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from io import StringIO
from typing import Any

import pytest
import xlsxwriter
from django.core.management import CommandError, call_command
from django.utils import translation

from chibo import access
from chibo.audit.models import AuditEvent
from chibo.core import legacy
from chibo.exchange import services
from chibo.exchange.importer import run_import
from chibo.exchange.reader import FileRefused, Sheet, read
from chibo.indicators.figures import indicators
from chibo.members.models import Membership, Person, Post
from chibo.members.services import compare_member_stats
from chibo.organisations.models import Locality, Organisation


@pytest.fixture(autouse=True)
def _restore_language():
    yield
    translation.activate("vi")


MEMBER_HEADERS = ["Họ và tên", "Giới tính", "Ngày sinh", "Dân tộc", "Số CCCD", "Số điện thoại", "Mã nơi cư trú",
                  "Mã chi bộ", "Tình trạng", "Ngày vào Đảng", "Ngày chính thức", "Số thẻ đảng viên"]


def member_row(name: str = "Võ Thị Sáu", cid: str = "052190000123", **over: Any) -> list[Any]:
    row = {"Họ và tên": name, "Giới tính": "Nữ", "Ngày sinh": "12/04/1990", "Dân tộc": "Kinh", "Số CCCD": cid,
           "Số điện thoại": "0905 111 222", "Mã nơi cư trú": "VA", "Mã chi bộ": "A", "Tình trạng": "Chính thức",
           "Ngày vào Đảng": "03/02/2015", "Ngày chính thức": "03/02/2016", "Số thẻ đảng viên": ""}
    row.update(over)
    return [row[h] for h in MEMBER_HEADERS]


def xlsx(sheets: dict[str, list[list[Any]]], *, merge: str = "", formula: str = "") -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day))
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    ws.write_number(r, c, value)
                elif value not in (None, ""):
                    ws.write_string(r, c, str(value))
        if merge:
            ws.merge_range(merge, "gộp")
        if formula:
            ws.write_formula(formula, "=1+1", None, 2)
    wb.close()
    return out.getvalue()


def do_import(world, data: bytes, persona: str = "commune_staff", *, dry_run: bool = False, valid_only: bool = False,
              filename: str = "f.xlsx"):
    scope = access.scope_for(world.users[persona])
    with translation.override("en"):  # assertions below read the English msgids
        return run_import(read(data, filename), actor=world.users[persona], scope=scope, dry_run=dry_run,
                          valid_only=valid_only)


def counts() -> tuple[int, int, int, int]:
    return Person.objects.count(), Membership.objects.count(), Organisation.objects.count(), Post.objects.count()


def messages(result) -> str:
    return "\n".join(f"{i.where()}: {i.message}" for i in result.issues)


# --- a new commune's data, end to end ------------------------------------------------------------

def full_workbook() -> bytes:
    return xlsx({
        "Địa bàn": [["Mã địa bàn", "Tên địa bàn", "Loại địa bàn", "Mã địa bàn cấp trên", "Mã tổ chức đảng phụ trách"],
                    ["VN", "Plei Ring", "Plei", "LC1", "C1"]],
        "Tổ chức đảng": [["Mã tổ chức", "Tên tổ chức", "Loại tổ chức", "Lĩnh vực", "Mã tổ chức cấp trên",
                          "Ngày thành lập", "Mã địa bàn"],
                         ["N", "Chi bộ plei Ring", "Chi bộ cơ sở", "khu dân cư", "C1", "01/07/2025", "VN"]],
        "Đảng viên": [MEMBER_HEADERS,
                      member_row("Rơ Mah Blưi", "064075000321", **{"Mã chi bộ": "N", "Mã nơi cư trú": "VN",
                                                                      "Giới tính": "Nam", "Dân tộc": "Gia-rai"}),
                      member_row("Siu H'Nga", "064080000322", **{"Mã chi bộ": "N", "Mã nơi cư trú": "VN",
                                                                   "Dân tộc": "Jrai", "Ngày sinh": dt.date(1980, 1, 5)}),
                      member_row("Đinh Văn Hùng", "064099000323", **{"Mã chi bộ": "N", "Giới tính": "Nam",
                                                                       "Tình trạng": "Dự bị", "Ngày sinh": "2/3/1999",
                                                                       "Ngày vào Đảng": "10/06/2026",
                                                                       "Ngày chính thức": ""})],
        "Chức vụ": [["Số CCCD", "Họ và tên", "Chức vụ", "Mã tổ chức", "Mã địa bàn", "Ngày bắt đầu"],
                    ["064075000321", "Rơ Mah Blưi", "Bí thư", "N", "", "01/08/2025"],
                    ["064075000321", "Rơ Mah Blưi", "Trưởng thôn", "", "VN", "01/08/2025"]],
    })


def test_a_new_cell_comes_in_from_one_workbook_and_a_second_import_changes_nothing(world):
    before_total = indicators(world.org["C1"]).figures["members_total"]
    dry = do_import(world, full_workbook(), dry_run=True)
    assert not dry.errors, messages(dry)
    assert {k: o.create for k, o in dry.outcomes.items()} == {
        "localities": 1, "organisations": 1, "persons": 0, "members": 3, "posts": 2}
    assert not Organisation.objects.filter(code="N").exists()  # a dry run writes nothing

    result = do_import(world, full_workbook())
    assert result.committed and not result.errors, messages(result)
    n = Organisation.objects.get(code="N")
    assert n.locality == Locality.objects.get(code="VN") and n.parent == world.org["C1"]
    f = indicators(world.org["C1"]).figures
    assert f["members_total"] == before_total + 3 and f["residential_cells"] == 3
    assert f["secretaries_who_are_heads"] == 2
    assert Person.objects.get(citizen_id="064080000322").ethnicity == "10"
    assert AuditEvent.objects.filter(object_type="membership", actor=world.users["commune_staff"]).count() == 3
    assert compare_member_stats() == []

    before = counts(), AuditEvent.objects.count()
    again = do_import(world, full_workbook())
    assert {k: (o.create, o.update) for k, o in again.outcomes.items()} == dict.fromkeys(
        ("localities", "organisations", "persons", "members", "posts"), (0, 0))
    assert again.outcomes["members"].unchanged == 3
    assert (counts(), AuditEvent.objects.count()) == before


def test_export_then_import_changes_nothing(world):
    out = io.BytesIO()
    qs = Membership.objects.filter(commune=world.org["C1"], current=True)
    services.export_members(actor=None, queryset=qs, fmt="xlsx", out=out, scope=world.org["C1"], description="t")
    before = counts()
    result = do_import(world, out.getvalue())
    assert not result.errors, messages(result)
    assert result.outcomes["members"].unchanged == qs.count() and result.outcomes["members"].update == 0
    assert counts() == before


def test_a_changed_file_updates_the_matching_member_and_says_what_changed(world):
    m = world.m["b_member"]
    row = member_row("Lê Văn Bình", m.person.citizen_id, **{"Mã chi bộ": "B", "Giới tính": "Nam",
                                                              "Ngày sinh": "17/05/1980", "Ngày vào Đảng": "02/03/2010",
                                                              "Ngày chính thức": "02/03/2011",
                                                              "Số điện thoại": "0912 000 999", "Mã nơi cư trú": "VB"})
    result = do_import(world, xlsx({"Đảng viên": [MEMBER_HEADERS, row]}))
    assert result.outcomes["members"].update == 1, messages(result)
    m.person.refresh_from_db()
    assert m.person.phone == "0912 000 999"
    assert any("0912 000 999" in c for c in result.changes)
    assert Person.objects.filter(citizen_id=m.person.citizen_id).count() == 1


def test_members_are_matched_by_card_number_when_the_citizen_id_is_missing(world):
    from chibo.members import services as member_services

    m = world.m["b_member"]
    member_services.member_update(m, actor=None, card_number="79000111")
    row = member_row("Lê Văn Bình", "", **{"Mã chi bộ": "B", "Giới tính": "Nam", "Ngày sinh": "17/05/1980",
                                           "Ngày vào Đảng": "02/03/2010", "Ngày chính thức": "02/03/2011",
                                           "Số điện thoại": "", "Mã nơi cư trú": "VB", "Số thẻ đảng viên": "79000111"})
    result = do_import(world, xlsx({"Đảng viên": [MEMBER_HEADERS, row]}))
    assert not result.errors, messages(result)
    assert result.outcomes["members"].create == 0


# --- legacy text ---------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_encodings_are_converted_and_reported(world, encoding):
    name = legacy.from_unicode("Nguyễn Thị Đức Hạnh", encoding)
    result = do_import(world, xlsx({"Đảng viên": [MEMBER_HEADERS, member_row(name, "052190000777")]}))
    assert not result.errors, messages(result)
    assert Person.objects.get(citizen_id="052190000777").full_name == "Nguyễn Thị Đức Hạnh"
    assert any(i.column == "Họ và tên" and encoding.upper() in i.message for i in result.converted)


def test_csv_with_semicolons_and_names_in_three_columns(world):
    text = ("Họ;Tên đệm;Tên;Giới tính;Ngày sinh;Số CCCD;Mã chi bộ;Tình trạng;Ngày vào Đảng;Ngày chính thức\n"
            "Trần;Thị;Lan;Nữ;1985-09-02;052185000444;A;Chính thức;19.05.2010;19-05-2011\n")
    result = do_import(world, text.encode("utf-8-sig"), filename="ds.csv")
    assert not result.errors, messages(result)
    p = Person.objects.get(citizen_id="052185000444")
    assert (p.family_name, p.middle_name, p.given_name, p.birth_date) == ("Trần", "Thị", "Lan", dt.date(1985, 9, 2))


def test_dates_in_excel_cells_and_serial_numbers(world):
    rows = [MEMBER_HEADERS, member_row("A Một", "052190000801", **{"Ngày sinh": dt.date(1990, 4, 12)}),
            member_row("A Hai", "052190000802", **{"Ngày sinh": 32975})]  # serial 32975 = 12/04/1990
    result = do_import(world, xlsx({"Đảng viên": rows}))
    assert not result.errors, messages(result)
    assert {p.birth_date for p in Person.objects.filter(citizen_id__in=["052190000801", "052190000802"])} == {
        dt.date(1990, 4, 12)}


# --- bad input: a clear message, and nothing written ----------------------------------------------

BAD_ROWS = [
    ({"Ngày sinh": "31/02/1970"}, "Ngày sinh", "does not exist"),
    ({"Ngày sinh": "năm 1970"}, "Ngày sinh", "dd/mm/yyyy"),
    ({"Số CCCD": "05219000012"}, "Số CCCD", "12 digits"),
    ({"Số CCCD": 52190000123}, "Số CCCD", "leading 0"),
    ({"Mã chi bộ": "KHONGCO"}, "Mã chi bộ", "No party cell"),
    ({"Mã chi bộ": "X"}, "Mã chi bộ", "outside"),
    ({"Ngày chính thức": "01/01/2016"}, "Ngày chính thức", "12 months"),
    ({"Ngày sinh": "01/06/2000", "Ngày vào Đảng": "01/01/2018", "Ngày chính thức": "01/01/2019"}, "Ngày vào Đảng", "under 18"),
    ({"Giới tính": "?"}, "Giới tính", "accepted values"),
    ({"Tình trạng": ""}, "Tình trạng", ""),
]


@pytest.mark.parametrize(("override", "column", "words"), BAD_ROWS)
def test_a_bad_row_names_sheet_row_and_column_and_nothing_is_imported(world, override, column, words):
    before = counts()
    rows = [MEMBER_HEADERS, member_row("Tốt Một", "052190000901"), member_row("Xấu Hai", "052190000902", **override)]
    result = do_import(world, xlsx({"Đảng viên": rows}))
    assert not result.committed
    bad = [i for i in result.errors if i.row == 3 and i.column == column]
    assert bad and words in bad[0].message, messages(result)
    assert counts() == before


def test_valid_only_imports_the_good_rows_and_returns_the_rest_with_an_error_column(world):
    rows = [MEMBER_HEADERS, member_row("Tốt Một", "052190000911"), member_row("Xấu Hai", "05219000091")]
    result = do_import(world, xlsx({"Đảng viên": rows}), valid_only=True)
    assert result.committed
    assert Person.objects.filter(citizen_id="052190000911").exists()
    headers, rejected = result.rejected["Đảng viên"]
    assert headers[-1] == "Lỗi" and len(rejected) == 1 and "12" in rejected[0][-1]


def test_duplicates_within_the_file(world):
    rows = [MEMBER_HEADERS, member_row("Một", "052190000921"), member_row("Hai", "052190000921")]
    result = do_import(world, xlsx({"Đảng viên": rows}))
    assert any(i.row == 3 and "row 2" in i.message for i in result.errors), messages(result)


def test_unknown_and_missing_columns(world):
    rows = [["Họ và tên", "Ghi chú riêng", "Số CCCD"], ["Một", "x", "052190000931"]]
    result = do_import(world, xlsx({"Đảng viên": rows}))
    assert any("Ghi chú riêng" in i.message for i in result.warnings)
    assert any("Required columns are missing" in i.message and "Mã chi bộ" in i.message for i in result.errors)


def test_headers_match_without_case_diacritics_or_spacing(world):
    headers = ["HỌ VÀ TÊN", "gioi tinh", "Ngày  sinh", "dan toc", "so cccd", "SĐT", "ma noi cu tru", "MA CHI BO",
               "tinh trang", "ngay vao dang", "Ngay chinh thuc", "so the dang vien"]
    result = do_import(world, xlsx({"Đảng viên": [headers, member_row("Hoa Văn Mai", "052190000941")]}))
    assert not result.errors, messages(result)
    assert Person.objects.filter(citizen_id="052190000941").exists()


def test_merged_cells_formulas_and_blank_rows(world):
    rows = [MEMBER_HEADERS, member_row("Một", "052190000951"), [], member_row("Hai", "052190000952")]
    result = do_import(world, xlsx({"Đảng viên": rows}, merge="A6:B6", formula="L2"))
    text = messages(result)
    assert "A6:B6" in text and "formula" in text and "blank rows were skipped" in text
    assert not result.committed


def test_files_refused_before_reading(world, settings):
    translation.activate("en")
    with pytest.raises(FileRefused, match="not a spreadsheet"):
        read(b"%PDF-1.7 not a sheet", "members.xlsx")
    with pytest.raises(FileRefused, match="ZIP archive"):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("readme.txt", "hello")
        read(buf.getvalue(), "x.xlsx")
    settings.CHIBO_IMPORT_MAX_BYTES = 1000
    with pytest.raises(FileRefused, match="limit"):
        read(b"a,b\n" * 600, "x.csv")


def test_a_zip_bomb_is_refused_from_its_directory(world, settings):
    translation.activate("en")
    settings.CHIBO_IMPORT_MAX_UNPACKED_BYTES = 50 * 1024 * 1024
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    assert len(buf.getvalue()) < 1024 * 1024
    with pytest.raises(FileRefused, match="unpack"):
        read(buf.getvalue(), "bomb.xlsx")


def test_row_limit(world, settings):
    translation.activate("en")
    settings.CHIBO_IMPORT_MAX_ROWS = 2
    with pytest.raises(FileRefused, match="limit"):
        read(xlsx({"Đảng viên": [MEMBER_HEADERS] + [member_row(f"N{i}", f"05219000{i:04d}") for i in range(5)]}))


def test_an_importer_cannot_reach_outside_their_scope(world):
    rows = [MEMBER_HEADERS, member_row("Ngoài Phạm Vi", "052190000961", **{"Mã chi bộ": "B"})]
    result = do_import(world, xlsx({"Đảng viên": rows}), persona="secretary_a")
    assert any(i.column == "Mã chi bộ" and "outside" in i.message for i in result.errors)
    assert not Person.objects.filter(citizen_id="052190000961").exists()


# --- command line ---------------------------------------------------------------------------------

def test_cli_dry_run_then_import(world, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(xlsx({"Đảng viên": [MEMBER_HEADERS, member_row("Dòng Lệnh", "052190000971")]}))
    out = StringIO()
    call_command("import", str(path), "--dry-run", "--org", "C1", stdout=out)
    assert "1" in out.getvalue() and not Person.objects.filter(citizen_id="052190000971").exists()
    call_command("import", str(path), "--org", "C1", stdout=out)
    assert Person.objects.filter(citizen_id="052190000971").exists()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx({"Đảng viên": [MEMBER_HEADERS, member_row("Sai", "1")]}))
    with pytest.raises(CommandError):
        call_command("import", str(bad), "--org", "C1", stdout=out)
    call_command("import", str(bad), "--org", "C1", "--valid-only", stdout=out)
    assert (tmp_path / "bad-loi.xlsx").exists()


def test_the_template_imports_cleanly_into_a_commune(world):
    """The template's example rows, re-coded into commune C1, import without errors."""
    from chibo.exchange.template import write_template

    response = world.client("commune_staff").get("/nhap-du-lieu/mau.xlsx")
    assert response.status_code == 200
    out = io.BytesIO()
    write_template(out)
    sheets = read(out.getvalue(), "mau.xlsx")
    assert [s.name for s in sheets] == ["Hướng dẫn", "Địa bàn", "Người dân", "Tổ chức đảng", "Đảng viên", "Chức vụ"]
    recode = {"XA": "LC1", "DB-XA": "C1"}
    sheets = [sheets[0]] + [Sheet(name=s.name, rows=[[recode.get(v, v) if isinstance(v, str) else v for v in row]
                                                     for row in s.iter_rows()]) for s in sheets[1:]]
    with translation.override("en"):
        result = run_import(sheets, actor=None, scope=access.scope_for(world.users["commune_staff"]), dry_run=True)
    assert not result.errors, messages(result)
    assert {k: o.create for k, o in result.outcomes.items()} == {
        "localities": 1, "organisations": 1, "persons": 1, "members": 1, "posts": 1}


def test_a_whole_commune_moves_to_a_new_chibo_through_one_workbook(world, tmp_path):
    """Export everything of commune C1, wipe it from a copy of the world… here: import the
    workbook into the same database and check nothing changes — then check the organisation
    that serves a locality created later in the same file is linked."""
    from chibo.core.dates import today
    from chibo.exchange.services import export_workbook
    from chibo.members import services as member_services

    # an exempt member and a former one travel with their dates
    member_services.member_record_event(world.m["member"], actor=None, kind="exempted",
                                        effective_date=today() - dt.timedelta(days=3))
    member_services.member_record_event(world.m["a_woman"], actor=None, kind="deceased",
                                        effective_date=today() - dt.timedelta(days=2), note="Từ trần")
    out = io.BytesIO()
    export_workbook(actor=None, org=world.org["C1"], out=out, description="test")
    sheets = read(out.getvalue(), "c1.xlsx")
    assert [s.name for s in sheets] == ["Địa bàn", "Người dân", "Tổ chức đảng", "Đảng viên", "Chức vụ"]
    assert any("Siu Bơi" in str(row) for row in sheets[1].iter_rows())  # the village head who is not a member
    member_rows = [" ".join(map(str, row)) for row in sheets[3].iter_rows()]
    assert any("Trần Thị Hoa" in r and "Từ trần" in r for r in member_rows)
    before = counts()
    with translation.override("en"):
        result = run_import(sheets, actor=None, scope=access.scope_for_command(world.org["C1"]), dry_run=False)
    assert not result.errors, messages(result)
    assert all(o.create == 0 and o.update == 0 for o in result.outcomes.values())
    assert result.outcomes["persons"].unchanged == 1 and result.outcomes["posts"].unchanged == 5
    assert counts() == before


def test_a_column_typed_in_vni_is_converted_even_where_one_cell_alone_is_ambiguous(world):
    """VNI “Hoà Thò Lan” alone reads as valid Unicode words; in a VNI column it is Hồ Thị Lan."""
    names = ["Hồ Thị Lan", "Nguyễn Văn Đức", "Trần Thị Hoa", "Phạm Ngọc Ước"]
    rows = [MEMBER_HEADERS] + [member_row(legacy.from_unicode(n, "vni"), f"05219000{i:04d}")
                               for i, n in enumerate(names)]
    result = do_import(world, xlsx({"Đảng viên": rows}))
    assert not result.errors, messages(result)
    got = Person.objects.filter(citizen_id__startswith="05219000").values_list("family_name", "given_name")
    assert sorted(got) == sorted((n.split()[0], n.split()[-1]) for n in names)


def test_a_wrong_citizen_id_is_reported_once(world):
    result = do_import(world, xlsx({"Đảng viên": [MEMBER_HEADERS, member_row("Một Lỗi", "05219000060")]}))
    assert len([i for i in result.errors if i.row == 2]) == 1, messages(result)
