"""Issue 13, point 7: the template's guide sheet and the importer agree — every value the guide
offers imports (through the importer's own parser), every value it does not offer for the status
is refused by the import, required columns are marked required, and labels holding commas are
listed one per line."""

from __future__ import annotations

import io

import pytest
from python_calamine import CalamineWorkbook

from chibo.exchange import parse
from chibo.exchange.columns import MEMBER_COLUMNS, ORGANISATION_COLUMNS, Column
from chibo.exchange.template import EXAMPLES, GUIDE_SHEET, write_template


def _guide() -> dict[tuple[str, str], tuple[str, list[str]]]:
    out = io.BytesIO()
    write_template(out)
    book = CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue()))
    rows = book.get_sheet_by_name(GUIDE_SHEET).to_python()
    return {(r[0], r[1]): (r[2], str(r[3]).split("\n")) for r in rows[1:]}


def test_every_choice_the_guide_offers_is_read_by_the_importer() -> None:
    guide = _guide()
    checked = 0
    for sheet, columns, _example in EXAMPLES:
        for c in columns:
            required, values = guide[(sheet, c.header)]
            assert (required == "Bắt buộc") == c.required, (sheet, c.header)
            if c.kind != "choice":
                continue
            for value in values:
                stored, problem = parse.choice(value, c)
                assert stored and not problem, (sheet, c.header, value)
                checked += 1
    assert checked > 80


def test_the_status_column_offers_every_status_and_labels_with_commas_are_one_per_line() -> None:
    guide = _guide()
    _required, statuses = guide[("Đảng viên", "Tình trạng")]
    assert statuses == ["Dự bị", "Chính thức", "Đã chuyển đi", "Xóa tên", "Khai trừ", "Từ trần"]
    kind: Column = next(c for c in ORGANISATION_COLUMNS if c.key == "kind")
    _required, kinds = guide[("Tổ chức đảng", kind.header)]
    assert sorted(kinds) == sorted(kind.accepted_values())
    assert all(label.strip() == label and label for label in kinds)


@pytest.mark.parametrize("status", ["Đã chuyển đi", "Xóa tên", "Khai trừ", "Từ trần"])
def test_a_former_member_is_imported_with_the_day_they_left(world, status) -> None:  # type: ignore[no-untyped-def]
    from tests.test_import import MEMBER_HEADERS, do_import, member_row, xlsx

    headers = [*MEMBER_HEADERS, "Ngày ra khỏi danh sách"]
    result = do_import(world, xlsx({"Đảng viên": [headers, [*member_row(**{"Tình trạng": status,
                                                                          "Mã nơi cư trú": ""}), ""]]}))
    assert [e.column for e in result.errors] == ["Ngày ra khỏi danh sách"]
    result = do_import(world, xlsx({"Đảng viên": [headers, [*member_row(**{"Tình trạng": status,
                                                                          "Mã nơi cư trú": ""}), "01/06/2024"]]}))
    assert not result.errors
    assert status in next(c for c in MEMBER_COLUMNS if c.key == "status").accepted_values()


def test_the_docs_table_marks_the_same_member_columns_required() -> None:
    """docs/import.md's member table says "yes" exactly for the columns the importer requires."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "import.md").read_text(encoding="utf-8")
    table = text[text.index("## Members"):text.index("## People who are not members")]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in ("column", "---"):
            for header in cells[0].split(" — ")[0].split(", "):
                rows[header] = cells[1]
    names = {"full_name", "family_name", "middle_name", "given_name"}  # one column or the three: checked apart
    documented = [c for c in MEMBER_COLUMNS if c.header in rows and c.key not in names]
    assert len(documented) >= 13
    for c in documented:
        assert (rows[c.header] == "yes") == c.required, c.header


def test_errors_that_follow_from_a_refused_row_name_that_row(world) -> None:  # type: ignore[no-untyped-def]
    """A child organisation and the members of a cell whose own row was refused are told which
    row to correct — not that the code does not exist."""
    from tests.test_import import MEMBER_HEADERS, do_import, member_row, messages, xlsx

    orgs = [["Mã tổ chức", "Tên tổ chức", "Loại tổ chức", "Lĩnh vực", "Mã tổ chức cấp trên", "Ngày thành lập"],
            ["DB9", "Đảng bộ 9", "Đảng bộ cơ sở", "doanh nghiệp", "C1", "31/02/2025"],  # no such date: refused
            ["CB9", "Chi bộ 9", "Chi bộ trực thuộc đảng bộ cơ sở", "doanh nghiệp", "DB9", "01/07/2025"]]
    members = [MEMBER_HEADERS, member_row("Lò Văn Chín", "011090000909", **{"Mã chi bộ": "CB9", "Mã nơi cư trú": ""})]
    result = do_import(world, xlsx({"Tổ chức đảng": orgs, "Đảng viên": members}))
    by_row = {(i.sheet, i.row): i.message for i in result.errors}
    assert "row 2 of sheet “Tổ chức đảng”" in by_row[("Tổ chức đảng", 3)], messages(result)
    assert "row 3 of sheet “Tổ chức đảng”" in by_row[("Đảng viên", 2)], messages(result)


def test_a_csv_file_is_recognised_by_its_headers_whatever_its_name(world) -> None:  # type: ignore[no-untyped-def]
    from tests.test_import import MEMBER_HEADERS, do_import, member_row

    rows = [MEMBER_HEADERS, member_row("Lò Thị Mười", "011090000910", **{"Mã chi bộ": "A", "Mã nơi cư trú": ""})]
    data = "\n".join(",".join(f'"{c}"' for c in r) for r in rows).encode("utf-8-sig")
    result = do_import(world, data, dry_run=True, filename="danh sach thang 11.csv")
    assert result.outcomes["members"].create == 1 and not result.errors
