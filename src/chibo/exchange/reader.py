"""Open an uploaded spreadsheet safely and return its sheets as rows of cell values.

Checked before anything is unpacked: the size limit, what the file really is (by its first
bytes, not its name), and for XLSX the total unpacked size and compression ratio of every
part (a "zip bomb" is refused from the zip directory alone). Then python-calamine reads the
values; formulas and merged cells are reported, since an import takes values only."""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from chibo.core import files

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
CELL_WITH_FORMULA = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*?>\s*<f[ >/]')


class FileRefused(ValueError):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass
class Sheet:
    """One sheet. Its rows are either held in memory (`rows`) or read on demand from the
    workbook (`source`), so that a 150,000-row sheet is never held twice as Python lists.
    Row 0 is the sheet's first row (Excel's row 1)."""

    name: str
    rows: list[list[Any]] | None = None
    merged: list[str] = field(default_factory=list)  # "A3:B3"
    formulas: list[str] = field(default_factory=list)  # "D2"
    source: Callable[[], Iterable[list[Any]]] | None = None
    height: int = 0  # number of rows

    def __post_init__(self) -> None:
        if self.rows is not None:
            self.height = len(self.rows)

    def iter_rows(self, start: int = 0) -> Iterator[list[Any]]:
        if self.rows is not None:
            return itertools.islice(self.rows, start, None)
        if self.source is None:
            return iter(())
        return itertools.islice(self.source(), start, None)

    def head(self, n: int) -> list[list[Any]]:
        return list(itertools.islice(self.iter_rows(), n))

    def release(self) -> None:
        """Let go of the rows once the sheet has been imported."""
        self.rows, self.source = [], None


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check(data: bytes, filename: str = "") -> None:
    """Refuse a file that cannot be imported, from its size, first bytes and (for XLSX) zip
    directory alone, without unpacking it. `read` checks the same and more (the row limit,
    damaged sheets); an upload page calls this to answer at once."""
    _open(data)


def read(data: bytes, filename: str = "") -> list[Sheet]:
    kind, archive = _open(data)
    if kind == "xlsx":
        assert archive is not None
        formulas: dict[str, list[str]] = {}
        for info in archive.infolist():
            if info.filename.startswith("xl/worksheets/sheet") and info.filename.endswith(".xml"):
                formulas[info.filename] = _formula_cells(archive, info)
        return _read_calamine(data, [formulas.get(f"xl/worksheets/sheet{i + 1}.xml", []) for i in range(len(formulas))])
    if kind == "xls":
        return _read_calamine(data, [])
    return [_read_csv(data, filename)]


def _open(data: bytes) -> tuple[str, zipfile.ZipFile | None]:
    limit = settings.CHIBO_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise FileRefused(_("The file is %(size)s MB; the limit is %(limit)s MB. Split it into several files, "
                            "for example one per commune, and import them one by one.")
                          % {"size": round(len(data) / 1048576, 1), "limit": limit // 1048576})
    if not data.strip():
        raise FileRefused(_("The file is empty. Choose the spreadsheet that holds your data."))
    if data.startswith(ZIP_MAGIC):
        return "xlsx", _open_xlsx(data)
    if data.startswith(OLE_MAGIC):
        return "xls", None
    if _looks_binary(data):
        raise FileRefused(_("This file is not a spreadsheet chibo can read (its content is neither Excel nor CSV, "
                            "whatever its name says). Save it from Excel as .xlsx or as CSV and try again."))
    return "csv", None


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    return b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"MZ"))


def _open_xlsx(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise FileRefused(_("The file looks like an Excel file but is damaged. Open it in Excel, save it again "
                            "as .xlsx and try again.")) from exc
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise FileRefused(_("This file is a ZIP archive, not an Excel workbook. Choose the .xlsx file itself."))
    if files.unpacks_too_far(infos, settings.CHIBO_IMPORT_MAX_UNPACKED_BYTES):
        raise FileRefused(_("The workbook would unpack to %(size)s MB, far more than its data can need. It was "
                            "refused without being opened. Save the data again from Excel into a new file.")
                          % {"size": files.unpacked_size(infos) // 1048576})
    return archive


def _formula_cells(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> list[str]:
    found: list[str] = []
    tail = b""
    with archive.open(info) as handle:
        while chunk := handle.read(1 << 20):
            block = tail + chunk
            found.extend(m.group(1).decode() for m in CELL_WITH_FORMULA.finditer(block))
            tail = block[-200:]
            if len(found) > 1000:
                break
    return list(dict.fromkeys(found))


def _read_calamine(data: bytes, formulas: list[list[str]]) -> list[Sheet]:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise FileRefused(_("Excel could not be read from this file (%(reason)s). Open it in Excel, save it "
                            "again as .xlsx and try again.") % {"reason": str(exc)[:120]}) from exc
    sheets = []
    max_rows = settings.CHIBO_IMPORT_MAX_ROWS
    for i, name in enumerate(book.sheet_names):
        sheet = book.get_sheet_by_index(i)
        if sheet.total_height > max_rows + 1:
            raise FileRefused(_("The sheet %(sheet)s has %(rows)s rows; the limit is %(limit)s. Split the file.")
                              % {"sheet": name, "rows": sheet.total_height, "limit": max_rows})
        merged = [f"{column_letter(a[1])}{a[0] + 1}:{column_letter(b[1])}{b[0] + 1}"
                  for a, b in (sheet.merged_cell_ranges or [])]
        # iter_rows starts at the sheet's first row; blank columns on the left are left out.
        height = sheet.start[0] + sheet.height if sheet.height and sheet.start else 0
        sheets.append(Sheet(name=name, source=sheet.iter_rows, height=height, merged=merged,
                            formulas=formulas[i] if i < len(formulas) else []))
    return sheets


def _read_csv(data: bytes, filename: str) -> Sheet:
    for encoding in ("utf-8-sig", "cp1258", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise FileRefused(_("The text encoding of this CSV file is not recognised. Save it from Excel as "
                            "“CSV UTF-8” and try again."))
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    def rows() -> Iterator[list[str]]:
        return csv.reader(io.StringIO(text), dialect)

    height = sum(1 for _row in rows())
    if height > settings.CHIBO_IMPORT_MAX_ROWS + 1:
        raise FileRefused(_("The file has %(rows)s rows; the limit is %(limit)s. Split the file.")
                          % {"rows": height, "limit": settings.CHIBO_IMPORT_MAX_ROWS})
    name = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "CSV"
    return Sheet(name=name, source=rows, height=height)
