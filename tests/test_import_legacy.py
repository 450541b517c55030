"""Issue 13, point 8: legacy-font text (TCVN3, VNI) in Gia Lai's files, imported through the
service: Jrai and Bahnar names, headers and yes/no columns typed in an old font, capitals the
font could not write, and what cannot be converted."""

from __future__ import annotations

from typing import Any

import pytest

from chibo.core import legacy
from chibo.exchange import parse
from chibo.members.models import Membership, Person
from tests.test_import import MEMBER_HEADERS, counts, do_import, member_row, messages, xlsx
from tests.test_legacy import HIGHLAND, legacy_form

BOOL_HEADERS = ["Miễn công tác và sinh hoạt", "Sinh hoạt tạm thời", "Ngày bắt đầu miễn sinh hoạt"]


def cid(i: int) -> str:
    return f"06409000{i:04d}"


def highland_rows(encoding: str | None, *, headers_too: bool = False, choices_too: bool = False) -> list[list[Any]]:
    """A members sheet of the Jrai and Bahnar names, typed in `encoding` (None: Unicode)."""
    def enc(value: str) -> str:
        return legacy_form(value, encoding) if encoding else value

    headers = MEMBER_HEADERS + BOOL_HEADERS
    rows = [[enc(h) for h in headers] if headers_too else headers]
    for i, name in enumerate(HIGHLAND):
        row = member_row(enc(name), cid(i), **{"Dân tộc": "Gia-rai", "Ngày chính thức": "03/02/2016"})
        if choices_too:
            row[MEMBER_HEADERS.index("Giới tính")] = enc("Nữ")
            row[MEMBER_HEADERS.index("Tình trạng")] = enc("Chính thức")
        exempt = i % 3 == 0
        rows.append(row + [enc("Có" if exempt else "Không"), enc("Không"), "01/03/2024" if exempt else ""])
    return rows


def stored_names() -> list[str]:
    people = {p.citizen_id: p.full_name for p in Person.objects.filter(citizen_id__startswith="06409000")}
    return [people.get(cid(i), "") for i in range(len(HIGHLAND))]


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_jrai_and_bahnar_names_round_trip(world, encoding):
    """Names encoded the way .VnTime (TCVN3) and VNI-Times stored them come back as the
    Unicode originals, capitals with a tone mark included (Ánh, Ớt, H'Ớt), and each converted
    cell is reported."""
    result = do_import(world, xlsx({"Đảng viên": highland_rows(encoding)}))
    assert result.committed and not result.errors, messages(result)
    assert stored_names() == HIGHLAND
    converted = {i.row for i in result.converted if i.column == "Họ và tên" and encoding.upper() in i.message}
    non_ascii = {n + 2 for n, name in enumerate(HIGHLAND) if not legacy_form(name, encoding).isascii()}
    assert converted == non_ascii


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_headers_sheet_name_choices_and_yes_no(world, encoding):
    """Everything typed in the old font: the sheet's name, the headers (decoded before the
    columns are matched), Nữ and Chính thức, and Có/Không (“Cã”/“Kh«ng”, “Coù”/“Khoâng”)."""
    sheet = legacy_form("Đảng viên", encoding)
    rows = highland_rows(encoding, headers_too=True, choices_too=True)
    assert legacy_form("Có", encoding) in ("Cã", "Coù") and legacy_form("Không", encoding) in ("Kh«ng", "Khoâng")
    result = do_import(world, xlsx({sheet: rows}))
    assert result.committed and not result.errors, messages(result)
    assert not any("not used by chibo" in i.message for i in result.warnings), messages(result)
    assert stored_names() == HIGHLAND
    members = {m.person.citizen_id: m for m in Membership.objects.filter(person__citizen_id__startswith="06409000")}
    assert {m.person.sex for m in members.values()} == {"F"}
    assert {m.status for m in members.values()} == {"official"}
    assert [members[cid(i)].exempt for i in range(len(HIGHLAND))] == [i % 3 == 0 for i in range(len(HIGHLAND))]
    assert not any(m.temporary for m in members.values())


def test_legacy_headers_with_unicode_names(world):
    """Only the header row is in TCVN3; the Unicode names are left alone."""
    rows = highland_rows(None)
    rows[0] = [legacy_form(h, "tcvn3") for h in rows[0]]
    result = do_import(world, xlsx({"Đảng viên": rows}))
    assert result.committed and not result.errors, messages(result)
    assert stored_names() == HIGHLAND and not result.converted


def test_a_column_of_short_ascii_names_is_not_touched(world):
    names = ["Ksor Y Blim", "Siu H'Mai", "Nay Ia", "A Blan", "Y Sun", "Rah Lan", "Kpa Pa", "Siu H’Hen"]
    rows = [MEMBER_HEADERS] + [member_row(n, cid(i)) for i, n in enumerate(names)]
    result = do_import(world, xlsx({"Đảng viên": rows}))
    assert result.committed and not result.errors and not result.converted, messages(result)
    people = Person.objects.filter(citizen_id__startswith="06409000").order_by("citizen_id")
    assert [p.full_name for p in people] == names


def test_names_in_three_columns_are_title_case(world):
    """TCVN3 in .VnTime writes “Ớt” and “Ánh” with the lower-case code; a name column restores
    the capital, in the Họ, Tên đệm and Tên columns alike."""
    headers = ["Họ", "Tên đệm", "Tên"] + MEMBER_HEADERS[1:]
    names = [("Rơ Chăm", "", "Ớt"), ("Đinh", "Thị", "Ánh"), ("Ksor", "", "H'Ớt"), ("Ê Ban", "Y", "Ưng")]
    rows = [headers] + [[legacy_form(part, "tcvn3") for part in name] + member_row("x", cid(i))[1:]
                        for i, name in enumerate(names)]
    assert rows[1][2] == "ít" and rows[4][0] == "£ Ban"
    result = do_import(world, xlsx({"Đảng viên": rows}))
    assert result.committed and not result.errors, messages(result)
    people = Person.objects.filter(citizen_id__startswith="06409000").order_by("citizen_id")
    assert [(p.family_name, p.middle_name, p.given_name) for p in people] == names


def test_what_cannot_be_converted_is_refused_with_row_and_column(world):
    """A converted cell that holds a code no letter uses, and a cell that holds TCVN3 symbols
    the detection cannot read: both refused, naming the characters; nothing is imported (all
    or nothing). A Unicode row in the same column is fine."""
    rows = highland_rows("tcvn3")
    rows[1][0] = rows[1][0].replace("'", "°")  # Rơ Chăm H'Bia, row 2: “R¬ Ch¨m H°Bia”
    rows.append(member_row("Nguyễn Văn Hùng", cid(90)))
    rows.append(member_row("Ksor R¬¬m ¿", cid(91)))  # “Rơơm” is no syllable: not detected
    before = counts()
    result = do_import(world, xlsx({"Đảng viên": rows}))
    assert not result.committed and counts() == before
    by_row = {(i.row, i.column): i.message for i in result.errors}
    assert set(by_row) == {(2, "Họ và tên"), (len(rows), "Họ và tên")}, messages(result)
    assert "Rơ Chăm H°Bia" in by_row[(2, "Họ và tên")] and "could not be converted" in by_row[(2, "Họ và tên")]
    assert "¬ ¿" in by_row[(len(rows), "Họ và tên")]


def test_a_highland_word_the_detection_does_not_know_is_converted_by_its_tcvn3_symbols(world):
    rows = [MEMBER_HEADERS, member_row("Nguyễn Thị Hoa", cid(0)), member_row("Ksor Adr¬ng", cid(1)),
            member_row("H¬ R¨", cid(2))]
    result = do_import(world, xlsx({"Đảng viên": rows}))
    assert result.committed and not result.errors, messages(result)
    assert stored_names()[:3] == ["Nguyễn Thị Hoa", "Ksor Adrơng", "Hơ Ră"]
    assert {i.row for i in result.converted if i.column == "Họ và tên"} == {3, 4}


def test_capitals_restored_from_the_other_cells_of_the_sheet():
    """Outside name columns a TCVN3 word starting with a toned vowel gets its capital where
    the sheet writes the same word with one in a cell whose case is known (Unicode, VNI)."""
    rows = [["Chi bộ Ánh Dương", "x"], [legacy_form("Chi bộ thôn ánh Sáng", "tcvn3"), "y"],
            [legacy_form("Chi bộ ấp Bắc", "tcvn3"), "z"]]
    columns = parse.legacy_columns(iter(rows), {"name": 0})
    assert columns.capitals == frozenset({"ánh"})
    assert parse.legacy_text(rows[1][0], "name", columns) == ("Chi bộ thôn Ánh Sáng", "tcvn3", "")
    assert parse.legacy_text(rows[2][0], "name", columns) == ("Chi bộ ấp Bắc", "tcvn3", "")


@pytest.mark.parametrize(("raw", "expected"), [
    ("Cã", True), ("Kh«ng", False), ("Coù", True), ("Khoâng", False), ("§óng", True), ("Ñuùng", True),
    ("Sai", False), ("Có", True), ("x", True), ("", False),
])
def test_yes_no_in_an_old_font(raw, expected):
    assert parse.boolean(raw, "Miễn công tác và sinh hoạt") == (expected, "")


def test_yes_no_that_is_neither_is_still_refused():
    value, problem = parse.boolean("C¸i", "Miễn công tác và sinh hoạt")
    assert problem and value is False


def test_choices_in_an_old_font():
    from chibo.exchange.columns import MEMBER_COLUMNS

    column = {c.key: c for c in MEMBER_COLUMNS}
    assert parse.choice(legacy.from_unicode("Nữ", "tcvn3"), column["sex"]) == ("F", "")
    assert parse.choice(legacy.from_unicode("Nữ", "vni"), column["sex"]) == ("F", "")
    assert parse.choice(legacy.from_unicode("Ê Đê", "tcvn3"), column["ethnicity"])[0] == "12"
    assert parse.choice(legacy.from_unicode("Dự bị", "vni"), column["status"]) == ("probationary", "")
