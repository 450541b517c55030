"""The import template: one sheet per kind with chibo's headers and an example row, and a
guide sheet listing every column with what it accepts (docs/import.md says the same)."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from chibo.exchange.columns import (
    LOCALITY_COLUMNS,
    MEMBER_COLUMNS,
    ORGANISATION_COLUMNS,
    POST_COLUMNS,
    Column,
)
from chibo.exchange.writers import write_xlsx

SHEETS: list[tuple[str, list[Column], list[Any]]] = [
    ("Địa bàn", LOCALITY_COLUMNS, ["XA-T1", "Thôn 1", "Thôn", "XA", "DB-XA"]),
    ("Tổ chức đảng", ORGANISATION_COLUMNS, ["CB-T1", "Chi bộ thôn 1", "Chi bộ cơ sở", "Khu dân cư (thôn, tổ dân phố)",
                                            "DB-XA", dt.date(2025, 7, 1), None, "XA-T1"]),
    ("Đảng viên", MEMBER_COLUMNS, ["Nguyễn Văn An", "", "", "", "Nam", dt.date(1985, 9, 2), "Kinh", "Không",
                                   "052085001234", "0905 123 456", "XA-T1", "Trung học phổ thông", "Sơ cấp", "CB-T1",
                                   "", "Chính thức", dt.date(2010, 5, 19), dt.date(2011, 5, 19), "79012345", "Không",
                                   "Không"]),
    ("Chức vụ", POST_COLUMNS, ["052085001234", "Nguyễn Văn An", "Bí thư", "CB-T1", "", dt.date(2025, 8, 1), None,
                               "12-QĐ/ĐU"]),
]


def _accepted(column: Column) -> str:
    if column.kind == "date":
        return "dd/mm/yyyy (chữ), ô ngày của Excel, hoặc số ngày kiểu Excel"
    if column.kind == "bool":
        return "Có / Không"
    if column.kind == "id":
        return "chữ số; nên định dạng cột là Văn bản (Text) để giữ số 0 ở đầu"
    if column.choices:
        values = list(column.choices.values())
        return ", ".join(values[:12]) + (" …" if len(values) > 12 else "")
    return "chữ"


def write_template(out: IO[bytes] | str) -> None:
    guide = []
    for sheet, columns, _example in SHEETS:
        for c in columns:
            guide.append([sheet, c.header, "Bắt buộc" if c.required else "", _accepted(c), c.note])
    write_xlsx(out, [
        ("Hướng dẫn", ["Trang", "Cột", "Bắt buộc", "Giá trị nhận", "Ghi chú"], guide),
        *[(name, [c.header for c in columns], [example]) for name, columns, example in SHEETS],
    ])
