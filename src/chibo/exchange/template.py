"""The import template: one sheet per kind with chibo's headers and an example row, and a
guide sheet listing every column with what it accepts (docs/import.md says the same)."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from chibo.exchange.columns import (
    LOCALITY_COLUMNS,
    MEMBER_COLUMNS,
    ORGANISATION_COLUMNS,
    PERSON_COLUMNS,
    POST_COLUMNS,
    Column,
    display,
)
from chibo.exchange.writers import write_xlsx

GUIDE_SHEET = "Hướng dẫn"
# Example rows by stored value; choice columns are written with their labels (display()).
EXAMPLES: list[tuple[str, list[Column], dict[str, Any]]] = [
    ("Địa bàn", LOCALITY_COLUMNS, {"code": "XA-T1", "name": "Thôn 1", "kind": "village", "parent": "XA",
                                   "organisation": "DB-XA"}),
    ("Người dân", PERSON_COLUMNS, {"full_name": "Rơ Mah Blưi", "sex": "M", "birth_date": dt.date(1975, 6, 5),
                                   "ethnicity": "10", "religion": "protestant", "citizen_id": "064075000321",
                                   "residence": "XA-T1", "political_theory": "none"}),
    ("Tổ chức đảng", ORGANISATION_COLUMNS, {"code": "CB-T1", "name": "Chi bộ thôn 1", "kind": "grassroots_cell",
                                            "sector": "residential", "parent": "DB-XA",
                                            "valid_from": dt.date(2025, 7, 1), "locality": "XA-T1"}),
    ("Đảng viên", MEMBER_COLUMNS, {"full_name": "Nguyễn Văn An", "sex": "M", "birth_date": dt.date(1985, 9, 2),
                                   "ethnicity": "01", "religion": "none", "citizen_id": "052085001234",
                                   "phone": "0905 123 456", "residence": "XA-T1", "education": "upper_secondary",
                                   "political_theory": "elementary", "organisation": "CB-T1", "status": "official",
                                   "admission_date": dt.date(2010, 5, 19),
                                   "admission_decision_date": dt.date(2010, 4, 28),
                                   "official_date": dt.date(2011, 5, 19),
                                   "card_number": "79012345", "exempt": False, "temporary": False}),
    ("Chức vụ", POST_COLUMNS, {"citizen_id": "052085001234", "full_name": "Nguyễn Văn An", "kind": "secretary",
                               "organisation": "CB-T1", "start_date": dt.date(2025, 8, 1),
                               "decision_number": "12-QĐ/ĐU"}),
]


def _accepted(column: Column) -> str:
    if column.kind == "date":
        return "dd/mm/yyyy (chữ), ô ngày của Excel, hoặc số ngày kiểu Excel"
    if column.kind == "bool":
        return "Có / Không"
    if column.kind == "id":
        return "chữ số; nên định dạng cột là Văn bản (Text) để giữ số 0 ở đầu"
    if column.choices:  # one per line: some labels hold commas ("đảng bộ xã, phường")
        return "\n".join(column.accepted_values())
    return "chữ"


def write_template(out: IO[bytes] | str) -> None:
    guide = []
    for sheet, columns, _example in EXAMPLES:
        for c in columns:
            guide.append([sheet, c.header, "Bắt buộc" if c.required else "", _accepted(c), c.note])
    write_xlsx(out, [
        (GUIDE_SHEET, ["Trang", "Cột", "Bắt buộc", "Giá trị nhận", "Ghi chú"], guide),
        *[(name, [c.header for c in columns], [[display(c, example.get(c.key, "")) for c in columns]])
          for name, columns, example in EXAMPLES],
    ])
