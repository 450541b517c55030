"""The columns of chibo's spreadsheets: one definition for the template, the exports and
(issue 3) the import, so that a file chibo writes can be read back unchanged.

Headers are Vietnamese, as commune offices write them; `header_key` folds case, diacritics
and spacing so "HỌ VÀ TÊN", "ho va ten" and "Họ  và tên" match the same column."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from chibo.core.ethnicities import ETHNICITY_NAMES
from chibo.core.text import fold
from chibo.members.models import Education, PoliticalTheory, Post, Religion, Sex, Status
from chibo.organisations.models import Locality, Organisation


@functools.lru_cache(maxsize=16384)  # headers and choice cells (Nam, Nữ, Kinh…) repeat on every row
def header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(header))


@dataclass(frozen=True)
class Column:
    header: str  # Vietnamese header as written in the template
    key: str  # internal name
    kind: str = "text"  # text | id (digits kept as text) | date | choice | bool
    field: str = ""  # the ORM path an export reads ("" = computed from other columns)
    choices: dict[str, str] | None = None  # stored value -> Vietnamese label
    required: bool = False
    note: str = ""
    # The stored values an import accepts, when fewer than `choices` (which exports also use to
    # display): the template's guide lists these, and only these (tests/test_import_guide.py).
    offered: tuple[str, ...] = ()

    def accepted_values(self) -> list[str]:
        assert self.choices is not None
        return [self.choices[k] for k in (self.offered or tuple(self.choices))]


def _choice(labels: Any) -> dict[str, str]:
    return {str(value): str(label) for value, label in labels}


SEX_LABELS: dict[str, str] = {Sex.MALE: "Nam", Sex.FEMALE: "Nữ"}
STATUS_LABELS: dict[str, str] = {
    Status.PROBATIONARY: "Dự bị", Status.OFFICIAL: "Chính thức", Status.TRANSFERRED_OUT: "Đã chuyển đi",
    Status.REMOVED: "Xóa tên", Status.EXPELLED: "Khai trừ", Status.DECEASED: "Từ trần",
}

MEMBER_COLUMNS: list[Column] = [
    Column("Họ và tên", "full_name",
           note="Cả họ, tên đệm và tên trong một cột; hoặc dùng ba cột Họ, Tên đệm, Tên."),
    Column("Họ", "family_name", field="person__family_name"),
    Column("Tên đệm", "middle_name", field="person__middle_name"),
    Column("Tên", "given_name", field="person__given_name"),
    Column("Giới tính", "sex", "choice", field="person__sex", choices=SEX_LABELS, required=True),
    Column("Ngày sinh", "birth_date", "date", field="person__birth_date", required=True),
    Column("Dân tộc", "ethnicity", "choice", field="person__ethnicity", choices=ETHNICITY_NAMES),
    Column("Tôn giáo", "religion", "choice", field="person__religion", choices=_choice(Religion.choices)),
    Column("Số CCCD", "citizen_id", "id", field="person__citizen_id", note="12 chữ số."),
    Column("Số điện thoại", "phone", "id", field="person__phone"),
    Column("Mã nơi cư trú", "residence", field="person__residence__code"),
    Column("Trình độ học vấn", "education", "choice", field="person__education",
           choices=_choice(Education.choices)),
    Column("Lý luận chính trị", "political_theory", "choice", field="person__political_theory",
           choices=_choice(PoliticalTheory.choices)),
    Column("Mã chi bộ", "organisation", field="organisation__code", required=True),
    Column("Tên chi bộ", "organisation_name", field="organisation__name", note="Chỉ để đọc; khi nhập dùng Mã chi bộ."),
    Column("Tình trạng", "status", "choice", field="status", choices=STATUS_LABELS, required=True,
           note="Người đã chuyển đi, xóa tên, khai trừ, từ trần: ghi cả Ngày ra khỏi danh sách."),
    Column("Ngày vào Đảng", "admission_date", "date", field="admission_date", required=True),
    Column("Ngày ký quyết định kết nạp", "admission_decision_date", "date", field="admission_decision_date",
           note="Tuổi đảng tính từ ngày này; để trống nếu sổ không ghi (khi đó tính từ Ngày vào Đảng)."),
    Column("Ngày chính thức", "official_date", "date", field="official_date"),
    Column("Số thẻ đảng viên", "card_number", "id", field="card_number"),
    Column("Miễn công tác và sinh hoạt", "exempt", "bool", field="exempt"),
    Column("Ngày bắt đầu miễn sinh hoạt", "exempt_since", "date", field="exempt_since",
           note="Bắt buộc khi được miễn: ngày quyết định miễn có hiệu lực."),
    Column("Sinh hoạt tạm thời", "temporary", "bool", field="temporary"),
    Column("Ngày bắt đầu sinh hoạt tạm thời", "temporary_since", "date", field="temporary_since",
           note="Bắt buộc khi sinh hoạt tạm thời: ngày nộp giấy giới thiệu sinh hoạt tạm thời."),
    Column("Ngày ra khỏi danh sách", "left_on", "date", field="left_on",
           note="Bắt buộc với người đã chuyển đi, xóa tên, khai trừ, từ trần: ngày có hiệu lực."),
    Column("Số quyết định, lý do ra khỏi danh sách", "left_note", field="left_note"),
]

ORGANISATION_COLUMNS: list[Column] = [
    Column("Mã tổ chức", "code", required=True, field="code"),
    Column("Tên tổ chức", "name", required=True, field="name"),
    Column("Loại tổ chức", "kind", "choice", required=True, field="kind",
           choices=_choice(Organisation.Kind.choices)),
    Column("Lĩnh vực", "sector", "choice", field="sector", choices=_choice(Organisation.Sector.choices)),
    Column("Mã tổ chức cấp trên", "parent", field="parent__code"),
    Column("Ngày thành lập", "valid_from", "date", required=True, field="valid_from"),
    Column("Ngày giải thể, sáp nhập", "valid_to", "date", field="valid_to"),
    Column("Mã địa bàn", "locality", field="locality__code"),
]

LOCALITY_COLUMNS: list[Column] = [
    Column("Mã địa bàn", "code", required=True, field="code"),
    Column("Tên địa bàn", "name", required=True, field="name"),
    Column("Loại địa bàn", "kind", "choice", required=True, field="kind",
           choices=_choice(Locality.Kind.choices)),
    Column("Mã địa bàn cấp trên", "parent", field="parent__code"),
    Column("Mã tổ chức đảng phụ trách", "organisation",
           field="organisation__code"),
]


def display(column: Column, raw: Any) -> Any:
    """The value as a person reads it in the file (labels, not codes; Có/Không)."""
    if column.kind == "choice" and column.choices is not None:
        return column.choices.get(str(raw), raw) if raw not in (None, "") else ""
    if column.kind == "bool":
        return "Có" if raw else "Không"
    return "" if raw is None else raw


NAME_FIELDS = ("person__family_name", "person__middle_name", "person__given_name")


def table_rows(queryset: Any, columns: list[Column]) -> Iterator[list[Any]]:
    """Rows for an export, read as plain values (no model instances): one query, streamed.
    A column without a field is the full name, joined from the person's name parts."""
    fields = [c.field for c in columns if c.field]
    name_fields = [f.removeprefix("person__") for f in NAME_FIELDS] if "given_name" in fields else list(NAME_FIELDS)
    if any(not c.field for c in columns):
        fields += [f for f in name_fields if f not in fields]
    index = {f: i for i, f in enumerate(fields)}
    convert = [(c, index.get(c.field) if c.field else None) for c in columns]
    names = [index[f] for f in name_fields] if any(not c.field for c in columns) else []
    for values in queryset.values_list(*fields).iterator(chunk_size=5000):
        row = []
        for column, i in convert:
            if i is None:
                row.append(" ".join(values[n] for n in names if values[n]))
            else:
                row.append(display(column, values[i]))
        yield row


POST_COLUMNS: list[Column] = [
    Column("Số CCCD", "citizen_id", "id", required=True, field="person__citizen_id",
           note="Số CCCD của người giữ chức vụ (đảng viên hoặc người dân đã có trong chibo)."),
    Column("Họ và tên", "full_name", note="Chỉ để đọc; chibo nhận người theo Số CCCD."),
    Column("Chức vụ", "kind", "choice", required=True, field="kind", choices=_choice(Post.Kind.choices)),
    Column("Mã tổ chức", "organisation", field="organisation__code", note="Với chức vụ cấp ủy."),
    Column("Mã địa bàn", "locality", field="locality__code", note="Với trưởng thôn, tổ trưởng tổ dân phố."),
    Column("Ngày bắt đầu", "start_date", "date", required=True, field="start_date"),
    Column("Ngày kết thúc", "end_date", "date", field="end_date"),
    Column("Số quyết định", "decision_number", field="decision_number"),
]


# People who are not party members (village heads, later candidates): the person columns.
PERSON_COLUMNS: list[Column] = [
    Column(c.header, c.key, c.kind, c.field.removeprefix("person__"), c.choices, c.required, c.note)
    if c.field else c for c in MEMBER_COLUMNS[:13]
]
