"""Open an uploaded spreadsheet safely and return its sheets as rows of cell values.

Checked before anything is unpacked: the size limit, what the file really is (by its first
bytes, not its name), and for XLSX the total unpacked size and compression ratio of every
part (a "zip bomb" is refused from the zip directory alone), and that no sheet declares or
uses a cell beyond the row and column limits (a 2 KB sheet with one cell in A1 and one in
XFD1048576 would make calamine ask for 512 GiB). Then python-calamine reads the values in a
child process with a memory and a time limit (calamine_child.py): whatever the file does, only
that child dies, and the file is refused with a message. The rows come back through a
temporary file (pickled; only the datetime types may be named in it) and are read from it
on demand, so the parent never holds a sheet in memory.
Formulas and merged cells are reported, since an import takes values only."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import itertools
import json
import logging
import os
import pickle
import re
import signal
import struct
import subprocess
import sys
import tempfile
import weakref
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from chibo.core import files
from chibo.exchange import calamine_child, xls

log = logging.getLogger(__name__)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
CELL_WITH_FORMULA = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*?>\s*<f[ >/]')
# Where a sheet's cells are: its declared extent, each cell's reference and each row's number
# (with or without a namespace prefix, whatever the order of the attributes and the quotes).
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref\s*=\s*["\'](?:[A-Za-z]+[0-9]+:)?([A-Za-z]{1,10})([0-9]{1,15})["\']')
# Every r="…" attribute: a cell's reference (r="XFD1048576") or a row's number (r="1048576").
# Simple patterns with a literal start are fast (a 56 MB sheet in under a second); the \s
# variants are used only on blocks where an attribute follows a tab or a line break.
REF_NUMBER = re.compile(rb' r\s*=\s*["\'][A-Za-z]{0,10}([0-9]{1,15})["\']')
REF_LETTERS = re.compile(rb' r\s*=\s*["\']([A-Za-z]{1,10})[0-9]')
REF_NUMBER_SPACED = re.compile(rb'\sr\s*=\s*["\'][A-Za-z]{0,10}([0-9]{1,15})["\']')
REF_LETTERS_SPACED = re.compile(rb'\sr\s*=\s*["\']([A-Za-z]{1,10})[0-9]')
WORKBOOK_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\bname="([^"]*)"[^>]*?\b(?:\w+:)?id="([^"]*)"')
RELATIONSHIP = re.compile(rb'<(?:\w+:)?Relationship\b(?=[^>]*?\bId="([^"]*)")(?=[^>]*?\bTarget="([^"]*)")')


# What reading a damaged, encrypted or oddly compressed part of a zip can raise.
# zipfile raises NotImplementedError for a compression method it does not support (a real error
# of a hostile or exotic file, not a placeholder), RuntimeError for an encrypted member.
ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, NotImplementedError, RuntimeError)


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


def check(data: bytes, filename: str = "") -> None:
    """Refuse a file that cannot be imported, from its size, first bytes, (for XLSX) zip
    directory and the extent each sheet declares, without unpacking it. `read` checks the same
    and more (every cell's place, the row limit, damaged sheets); an upload page calls this to
    answer at once."""
    kind, archive = _open(data)
    if archive is not None:
        names = _sheet_names(archive)
        for info in _worksheets(archive):
            _check_extent(names.get(info.filename, info.filename), *_declared_extent(archive, info))
    elif kind == "xls":
        _check_xls(data, declared_only=True)


def read(data: bytes, filename: str = "") -> list[Sheet]:
    kind, archive = _open(data)
    if kind == "xlsx":
        assert archive is not None
        formulas: dict[str, list[str]] = {}
        names = _sheet_names(archive)
        for info in _worksheets(archive):
            formulas[info.filename] = _scan_sheet(archive, info, names.get(info.filename, info.filename))
        return _read_calamine(data, [formulas.get(f"xl/worksheets/sheet{i + 1}.xml", []) for i in range(len(formulas))])
    if kind == "xls":
        _check_xls(data, declared_only=False)
        return _read_calamine(data, [])
    return [_read_csv(data, filename)]


def _check_xls(data: bytes, *, declared_only: bool) -> None:
    """The same checks for a legacy .xls, from its DIMENSIONS and cell records. A file this
    small reader cannot follow is left to calamine, which runs under its limits anyway."""
    try:
        for extent in xls.extents(data, declared_only=declared_only):
            cell = f"{calamine_child.column_letter(extent.columns - 1)}{extent.rows}" if extent.columns else ""
            _check_extent(extent.sheet, extent.rows, extent.columns, cell)
    except (xls.Damaged, struct.error, IndexError):
        log.info("the .xls structure was not followed; calamine will read it under its limits")


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
    if "mimetype" in names and "content.xml" in names:  # OpenDocument (LibreOffice Calc)
        raise FileRefused(_("This is a LibreOffice Calc (.ods) file, which chibo does not read. In LibreOffice "
                            "choose File › Save As, pick “Excel 2007-365 (.xlsx)”, and import that file."))
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise FileRefused(_("This file is a ZIP archive, not an Excel workbook. Choose the .xlsx file itself."))
    if files.unpacks_too_far(infos, settings.CHIBO_IMPORT_MAX_UNPACKED_BYTES):
        raise FileRefused(_("The workbook would unpack to %(size)s MB, far more than its data can need. It was "
                            "refused without being opened. Save the data again from Excel into a new file.")
                          % {"size": files.unpacked_size(infos) // 1048576})
    return archive


def _worksheets(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    return [i for i in archive.infolist()
            if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml") and "/_rels/" not in i.filename]


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each worksheet part's name as the user sees it ("xl/worksheets/sheet2.xml": "Đảng viên"),
    so that a message can name the sheet; bounded reads of the two small parts that say it."""
    try:
        with archive.open("xl/workbook.xml") as handle:
            book = handle.read(1 << 20)
        with archive.open("xl/_rels/workbook.xml.rels") as handle:
            rels = handle.read(1 << 20)
    except (KeyError, *ZIP_ERRORS):
        return {}
    targets = {rid.decode(errors="replace"): target.decode(errors="replace").lstrip("/")
               for rid, target in RELATIONSHIP.findall(rels)}
    names = {}
    for name, rid in WORKBOOK_SHEET.findall(book):
        target = targets.get(rid.decode(errors="replace"), "")
        path = target if target.startswith("xl/") else f"xl/{target}"
        names[path] = _unescape(name.decode(errors="replace"))
    return names


def _unescape(text: str) -> str:
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&amp;", "&"))


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters.upper()[:8]:  # eight letters are already far beyond any limit
        number = number * 26 + ch - 64
    return number


def _declared_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int, str]:
    """The last row and column a sheet declares (its <dimension>, near the top of the part)."""
    try:
        with archive.open(info) as handle:
            head = handle.read(64 * 1024)
    except ZIP_ERRORS as exc:
        raise _damaged(str(exc)) from exc
    found = DIMENSION.search(head)
    if not found:
        return 0, 0, ""
    return int(found.group(2)), _column_number(found.group(1)), (found.group(1) + found.group(2)).decode()


def _scan_sheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> list[str]:
    """One streaming pass over a sheet's XML, before calamine sees it: refuse the sheet if its
    declared extent or any cell or row lies beyond the limits; return the cells with formulas."""
    _check_extent(name, *_declared_extent(archive, info))
    found: list[str] = []
    tail = b""
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(1 << 20):
                block = tail + chunk
                if len(found) <= 1000:
                    found.extend(m.group(1).decode() for m in CELL_WITH_FORMULA.finditer(block))
                spaced = b"\nr" in block or b"\tr" in block or b"\rr" in block
                numbers = (REF_NUMBER_SPACED if spaced else REF_NUMBER).findall(block)
                if numbers:
                    _check_extent(name, max(map(int, numbers)), 0, "")
                letters = set((REF_LETTERS_SPACED if spaced else REF_LETTERS).findall(block))
                if letters:
                    widest = max(letters, key=_column_number)
                    _check_extent(name, 0, _column_number(widest), _first_cell(block, widest))
                tail = block[-200:]
    except ZIP_ERRORS as exc:
        raise _damaged(str(exc)) from exc
    return list(dict.fromkeys(found))


def _first_cell(block: bytes, letters: bytes) -> str:
    found = re.search(rb'r\s*=\s*["\'](' + re.escape(letters) + rb'[0-9]{1,15})["\']', block)
    return found.group(1).decode() if found else letters.decode()


def _check_extent(sheet: str, rows: int, columns: int, cell: str) -> None:
    max_rows, max_columns = settings.CHIBO_IMPORT_MAX_ROWS, settings.CHIBO_IMPORT_MAX_COLUMNS
    if rows > max_rows + 1:  # + 1: the header row
        raise FileRefused(_(
            "The sheet %(sheet)s reaches row %(rows)s; the limit is %(limit)s rows. The file was refused without "
            "being read. If the data is really that long, split the file; otherwise something was typed or "
            "formatted far below the data: copy only the data into a new workbook, save it and try again.")
            % {"sheet": sheet, "rows": f"{rows:,}".replace(",", "."), "limit": f"{max_rows:,}".replace(",", ".")})
    if columns > max_columns:
        raise FileRefused(_(
            "The sheet %(sheet)s reaches column %(column)s (cell %(cell)s); the limit is %(limit)s columns. The file "
            "was refused without being read. Something was probably typed or formatted far to the right of the "
            "data: copy only the data into a new workbook, save it and try again.")
            % {"sheet": sheet, "column": calamine_child.column_letter(columns - 1), "cell": cell,
               "limit": max_columns})


def _damaged(reason: str) -> FileRefused:
    return FileRefused(_("Excel could not be read from this file (%(reason)s). Open it in Excel, save it "
                         "again as .xlsx and try again.") % {"reason": reason[:120]})


class _RowsUnpickler(pickle.Unpickler):
    """Rows written by the child: lists of cell values. Nothing but the datetime types may be
    named in them, so no other code can be reached however the file was made."""

    ALLOWED = {"date": dt.date, "datetime": dt.datetime, "time": dt.time, "timedelta": dt.timedelta}

    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in self.ALLOWED:
            return self.ALLOWED[name]
        raise pickle.UnpicklingError(f"{module}.{name} is not a cell value")


class _Spool:
    """The temporary file holding the rows the child process read; removed when the last
    sheet reading from it is gone. On Linux its name is removed at once: the child (which
    inherits the descriptor) and the sheets open it through /proc/self/fd, so nothing is left
    behind even if this process is killed."""

    def __init__(self) -> None:
        self.fd, self.path = tempfile.mkstemp(prefix="chibo-rows-", suffix=".rows")
        proc = f"/proc/self/fd/{self.fd}"
        if os.path.exists(proc):
            _unlink(self.path)
            self.path = proc
        self.remove = weakref.finalize(self, _close_and_unlink, self.fd, self.path)

    def rows(self, offset: int, count: int) -> Callable[[], Iterator[list[Any]]]:
        def source() -> Iterator[list[Any]]:
            with open(self.path, "rb") as handle:
                handle.seek(offset)
                left = count
                while left > 0:
                    batch = _RowsUnpickler(handle).load()  # one per batch: its memo goes with it
                    if not isinstance(batch, list):
                        raise pickle.UnpicklingError("not a list of rows")
                    yield from batch[:left]
                    left -= len(batch)
        return source


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _close_and_unlink(fd: int, path: str) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)
    if not path.startswith("/proc/"):
        _unlink(path)


def _read_calamine(data: bytes, formulas: list[list[str]]) -> list[Sheet]:
    memory_mb, seconds = settings.CHIBO_IMPORT_READ_MAX_MB, settings.CHIBO_IMPORT_READ_SECONDS
    max_rows = settings.CHIBO_IMPORT_MAX_ROWS
    spool = _Spool()
    command = [sys.executable, "-m", "chibo.exchange.calamine_child", spool.path, str(max_rows),
               str(memory_mb * 1048576), str(seconds)]
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=seconds, env=_child_env(),
                              pass_fds=(spool.fd,))
    except subprocess.TimeoutExpired as exc:  # run() has killed the child
        spool.remove()
        raise _too_slow(seconds) from exc
    lines = done.stdout.strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else {}
    except ValueError:
        answer = {}
    if done.returncode != 0 or "sheets" not in answer:
        spool.remove()
        stderr = done.stderr.decode(errors="replace")[-2000:]
        if done.returncode == calamine_child.EXIT_DAMAGED:
            raise _damaged(str(answer.get("damaged", "")))
        if done.returncode == calamine_child.EXIT_TOO_MANY_ROWS:
            raise FileRefused(_("The sheet %(sheet)s has %(rows)s rows; the limit is %(limit)s. Split the file.")
                              % {"sheet": answer.get("sheet", ""), "rows": answer.get("rows", ""), "limit": max_rows})
        if done.returncode == -signal.SIGXCPU:
            raise _too_slow(seconds)
        log.warning("reading a workbook stopped with status %s: %s", done.returncode, stderr)
        if done.returncode in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV) or "memory" in stderr.lower():
            raise FileRefused(_(
                "Reading this workbook needed more than %(limit)s MB of memory, so it was stopped and nothing was "
                "imported. Its sheets probably hold something far below or to the right of the data (formatting, a "
                "stray character). Copy only the data into a new workbook, save it and try again, or split the "
                "file.") % {"limit": memory_mb})
        raise _damaged(stderr.strip().splitlines()[-1] if stderr.strip() else str(done.returncode))
    sheets = []
    for i, found in enumerate(answer["sheets"]):
        sheets.append(Sheet(name=found["name"], source=spool.rows(found["offset"], found["count"]),
                            height=found["height"], merged=found["merged"],
                            formulas=formulas[i] if i < len(formulas) else []))
    return sheets


def _child_env() -> dict[str, str]:
    """What the child needs to find Python and chibo, and nothing else (no secrets)."""
    keep = ("PATH", "PYTHONPATH", "VIRTUAL_ENV", "LANG", "LC_ALL", "TMPDIR", "HOME")
    return {**{k: os.environ[k] for k in keep if k in os.environ}, "RUST_BACKTRACE": "0", "PYTHONNOUSERSITE": "1"}


def _too_slow(seconds: int) -> FileRefused:
    return FileRefused(_("Reading this workbook took longer than %(seconds)s seconds, so it was stopped and nothing "
                         "was imported. Split the file into smaller ones (for example one per commune) and import "
                         "them one by one.") % {"seconds": seconds})


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
