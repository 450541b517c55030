"""Write tables to XLSX (constant memory) or CSV (UTF-8 with BOM, as Excel expects).

Text is neutralised against formula injection: a cell that starts with = + - @ or a tab or
carriage return gets a leading apostrophe (OWASP), which the import strips again. IDs and
phone numbers are written as text, so leading zeros stay."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import IO, Any

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset(FORMULA_STARTS)
FORMATS = ("xlsx", "csv")


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unneutralise(text: str) -> str:
    """Undo `neutralise` when reading back a file chibo wrote."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _csv_row(row: Sequence[Any]) -> list[str]:
    out = []
    for value in row:
        if type(value) is str:
            out.append("'" + value if value[:1] in FORMULA_FIRST else value)
        elif value is None:
            out.append("")
        elif isinstance(value, dt.date):
            out.append(f"{value.day:02d}/{value.month:02d}/{value.year}")
        else:
            out.append(neutralise(str(value)))
    return out


def write_csv(out: IO[bytes], headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(headers)
    count = 0
    for row in rows:
        writer.writerow(_csv_row(row))
        count += 1
    text.flush()
    text.detach()
    return count


def write_xlsx(out: IO[bytes] | str, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> int:
    """Write one or more sheets: (name, headers, rows). Returns the number of data rows."""
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False, "strings_to_numbers": False})
    bold = workbook.add_format({"bold": True, "bg_color": "#F2E6E6", "border": 1, "text_wrap": True, "valign": "top"})
    date = workbook.add_format({"num_format": "dd/mm/yyyy"})
    count = 0
    for name, headers, rows in sheets:
        sheet = workbook.add_worksheet(name[:31])
        sheet.freeze_panes(1, 0)
        for col, header in enumerate(headers):
            sheet.write_string(0, col, header, bold)
            sheet.set_column(col, col, max(12, min(40, len(header) + 4)))
        r = 0
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, col, dt.datetime(value.year, value.month, value.day), date)
                elif isinstance(value, bool):
                    sheet.write_string(r, col, "Có" if value else "Không")
                elif isinstance(value, int | float):
                    sheet.write_number(r, col, value)
                else:
                    sheet.write_string(r, col, neutralise(str(value)))
        count += r
        sheet.autofilter(0, 0, max(r, 1), len(headers) - 1)
    workbook.close()
    return count
