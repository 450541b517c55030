"""A spreadsheet cannot exhaust memory (issue 11, point 2). A 1.8 KB workbook whose sheet
claims, or uses, the cells A1:XFD1048576 made python-calamine ask for 512 GiB and abort the
process that read it — the background worker. Now the declared extent and every cell's place
are checked against the row and column limits before calamine sees the file, and calamine
reads in a child process with a memory and a time limit: the file is refused with a message
and the process that asked (web, command, worker) carries on."""

from __future__ import annotations

import contextlib
import io
import json
import struct
import subprocess
import sys
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from chibo.exchange.models import ImportJob
from chibo.exchange.reader import FileRefused, check, read
from tests.served import ROOT, fresh_env, migrated, python
from tests.test_import import MEMBER_HEADERS, member_row, xlsx

__all__ = ["migrated"]  # the session fixture

TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
         'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
         '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
         'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
         'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
         'spreadsheetml.worksheet+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
BOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
        'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
        'name="Đảng viên" sheetId="1" r:id="rId1"/></sheets></workbook>')
BOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
             '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
             'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def sparse_xlsx(cells: list[str], dimension: str = "", space: str = " ", quote: str = '"') -> bytes:
    """A hand-made workbook: one sheet, one number in each of `cells`, and the extent it claims
    (`space`: what separates an element's name from its r attribute)."""
    rows: dict[int, list[str]] = {}
    for ref in cells:
        rows.setdefault(int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")), []).append(ref)
    data = "".join(f'<row{space}r={quote}{n}{quote}>'
                   + "".join(f'<c{space}r={quote}{ref}{quote}><v>1</v></c>' for ref in refs) + "</row>"
                   for n, refs in sorted(rows.items()))
    claim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main">{claim}<sheetData>{data}</sheetData></worksheet>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (("[Content_Types].xml", TYPES), ("_rels/.rels", RELS), ("xl/workbook.xml", BOOK),
                           ("xl/_rels/workbook.xml.rels", BOOK_RELS), ("xl/worksheets/sheet1.xml", sheet)):
            archive.writestr(name, text)
    return out.getvalue()


ATTACK = sparse_xlsx(["A1", "XFD1048576"], dimension="A1:XFD1048576")  # the file of the finding
UNDECLARED = sparse_xlsx(["A1", "XFD1048576"])  # the same cells, no <dimension>: only a scan finds them
WIDE = sparse_xlsx(["A1", "IV300000"])  # within the limits (300,000 rows, 256 columns), 2.4 GB for calamine


def test_the_attack_file_is_small():
    assert len(ATTACK) < 2048


def test_the_web_upload_refuses_the_attack_at_once(world):
    c = world.client("commune_staff")
    response = c.post("/nhap-du-lieu/", {"file": SimpleUploadedFile("ds.xlsx", ATTACK)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đảng viên" in page and "1.048.576" in page  # names the sheet and the row it reaches
    assert not ImportJob.objects.exists()


def _ods() -> bytes:
    """A LibreOffice Calc file whose only row claims a million repeats (calamine would expand it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:'
                         'names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:'
                         'table:1.0"><office:body><office:spreadsheet><table:table table:name="Đảng viên">'
                         '<table:table-row table:number-rows-repeated="1048576"><table:table-cell/></table:table-row>'
                         '</table:table></office:spreadsheet></office:body></office:document-content>')
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
    return buffer.getvalue()


def test_an_ods_file_is_refused_with_the_way_to_save_it_as_xlsx(world):
    with translation.override("en"), pytest.raises(FileRefused, match=r"LibreOffice Calc \(\.ods\).*\.xlsx"):
        read(_ods(), "ds.ods")
    c = world.client("commune_staff")
    page = c.get("/nhap-du-lieu/").content.decode()
    assert ".ods" not in page  # the form no longer offers what chibo refuses
    response = c.post("/nhap-du-lieu/", {"file": SimpleUploadedFile("ds.ods", _ods())})
    assert "LibreOffice Calc (.ods)" in response.content.decode() and "Excel 2007-365 (.xlsx)" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_import_command_refuses_the_attack(world, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(ATTACK)
    with translation.override("en"), pytest.raises(CommandError, match="reaches row 1.048.576; the limit is"):
        call_command("import", str(path))


def test_cells_beyond_the_limits_are_found_without_a_dimension(settings):
    translation.activate("en")
    check(UNDECLARED)  # the upload page cannot see them (it reads no cells) ...
    with pytest.raises(FileRefused, match="reaches row 1.048.576"):
        read(UNDECLARED)  # ... the reader does, before calamine
    settings.CHIBO_IMPORT_MAX_ROWS = 2_000_000
    with pytest.raises(FileRefused, match=r"reaches column XFD \(cell XFD1048576\); the limit is 256 columns"):
        read(UNDECLARED)


def test_cell_references_are_found_whatever_separates_the_attributes(settings):
    translation.activate("en")
    for space, quote in (("\n", '"'), ("\t", '"'), ("\r\n  ", '"'), (' s="1" ', '"'), (" ", "'"), ("\n", "'")):
        with pytest.raises(FileRefused, match="reaches row 1.048.576"):
            read(sparse_xlsx(["A1", "XFD1048576"], space=space, quote=quote))
    settings.CHIBO_IMPORT_MAX_ROWS = 2_000_000
    with pytest.raises(FileRefused, match=r"reaches column XFD \(cell XFD1048576\)"):
        read(sparse_xlsx(["A1", "XFD1048576"], quote="'"))


def test_a_file_that_passes_the_checks_but_needs_too_much_memory_is_refused(settings):
    translation.activate("en")
    settings.CHIBO_IMPORT_READ_MAX_MB = 512
    check(WIDE)
    with pytest.raises(FileRefused, match="needed more than 512 MB of memory"):
        read(WIDE)


def test_a_read_over_the_time_limit_is_stopped_and_refused(settings):
    translation.activate("en")
    settings.CHIBO_IMPORT_READ_SECONDS = 0  # a limit no read can meet: the child is stopped
    with pytest.raises(FileRefused, match="took longer than 0 seconds"):
        read(xlsx({"Đảng viên": [MEMBER_HEADERS, member_row("Mạc Thị Bưởi", "052190000501")]}))


def test_rows_come_back_from_the_child_with_their_types():
    import datetime as dt

    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    members = book.add_worksheet("Đảng viên")
    for c, value in enumerate(MEMBER_HEADERS):
        members.write_string(0, c, value)
    members.write_string(1, 1, "Mạc Thị Bưởi")
    other = book.add_worksheet("Khác")
    other.write_row(0, 0, ["a", 1, 2.5])
    other.write_datetime(0, 3, dt.datetime(2020, 2, 29), book.add_format({"num_format": "dd/mm/yyyy"}))
    book.close()
    sheets = read(out.getvalue())
    assert [s.name for s in sheets] == ["Đảng viên", "Khác"]
    assert sheets[1].head(1) == [["a", 1.0, 2.5, dt.date(2020, 2, 29)]]
    assert sheets[0].height == 2 and list(sheets[0].iter_rows(1))[0][1] == "Mạc Thị Bưởi"


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=st.integers(1, 1_048_576), column=st.integers(1, 16_384), declared=st.booleans())
def test_a_sheet_is_refused_exactly_when_a_cell_lies_beyond_the_limits(db, settings, row, column, declared):
    from chibo.exchange.calamine_child import column_letter

    settings.CHIBO_IMPORT_MAX_ROWS, settings.CHIBO_IMPORT_MAX_COLUMNS = 1000, 50
    ref = f"{column_letter(column - 1)}{row}"
    data = sparse_xlsx(["A1", ref], dimension=f"A1:{ref}" if declared else "")
    beyond = row > 1001 or column > 50
    try:
        (check if declared else read)(data)
    except FileRefused:
        assert beyond
    else:
        assert not beyond


WORKER_SETUP = """
import json, sys
import django
django.setup()
from chibo.accounts import services as accounts
from chibo.exchange.models import ImportJob
from chibo.exchange.tasks import run_import_job

user = accounts.user_create(actor=None, username="canbo", password="not-used-here-1")
jobs = []
for path in sys.argv[1:]:
    job = ImportJob.objects.create(user=user, filename=path.rsplit("/", 1)[-1])
    job.upload_path.write_bytes(open(path, "rb").read())
    run_import_job.enqueue(job.pk, False)
    jobs.append(job.pk)
print(json.dumps(jobs))
"""

WORKER_STATES = """
import json
import django
django.setup()
from django.utils import translation
from chibo.exchange.models import ImportJob
print(json.dumps([[j.status, j.error] for j in ImportJob.objects.order_by("pk")]))
"""


def test_a_real_worker_refuses_the_files_and_stays_alive(migrated, tmp_path):
    """`chibo db_worker` as in production: it gets the attack file (without its dimension, so
    the upload's quick check lets it through), the file that blows calamine's memory limit,
    then an ordinary file. The first two fail with their message; the worker is still alive
    and checks the third."""
    files = []
    for name, data in (("attack.xlsx", UNDECLARED), ("wide.xlsx", WIDE),
                       ("ok.xlsx", xlsx({"Đảng viên": [MEMBER_HEADERS, member_row("Mạc Thị Bưởi", "052190000501")]}))):
        files.append(tmp_path / name)
        files[-1].write_bytes(data)
    env = {**fresh_env(migrated, tmp_path), "CHIBO_IMPORT_READ_MAX_MB": "512"}
    python(env, WORKER_SETUP, *map(str, files))
    worker = subprocess.Popen([sys.executable, "-m", "chibo", "db_worker", "--queue-name", "*",
                                   "--no-startup-delay", "--interval", "0.2"], env=env, cwd=ROOT,
                                  start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        states: list[list[str]] = []
        while time.monotonic() < deadline and worker.poll() is None:
            states = json.loads(python(env, WORKER_STATES))
            if all(status not in ("checking", "importing") for status, _error in states):
                break
            time.sleep(0.5)
        assert worker.poll() is None, "the worker died"
    finally:
        worker.kill()
        worker.wait(timeout=30)
    assert [status for status, _error in states] == ["failed", "failed", "preview"]
    assert "1.048.576" in states[0][1]
    assert "512 MB" in states[1][1]


def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def xls_file(cells: list[tuple[int, int]], dimensions: tuple[int, int] | None) -> bytes:
    """A hand-made legacy .xls (BIFF8 in an OLE compound file): one sheet "Đảng viên", the
    number 1 in each (row, column) of `cells`, counted from 0, and the extent it declares
    (last row + 1, last column + 1)."""
    name = "Đảng viên".encode("utf-16-le")
    bof_globals = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06))
    padding = _record(0x005C, b" " * 4000)  # keeps the stream above 4,096 bytes (out of the mini stream)
    def boundsheet(offset: int) -> bytes:
        return _record(0x0085, struct.pack("<IBBBB", offset, 0, 0, len("Đảng viên"), 1) + name)
    head = bof_globals + padding
    globals_length = len(head) + len(boundsheet(0)) + len(_record(0x000A, b""))
    sheet = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 0x06))
    if dimensions:
        sheet += _record(0x0200, struct.pack("<IIHHH", 0, dimensions[0], 0, dimensions[1], 0))
    for row, column in cells:
        sheet += _record(0x0203, struct.pack("<HHHd", row, column, 0x0F, 1.0))
    sheet += _record(0x000A, b"")
    stream = head + boundsheet(globals_length) + _record(0x000A, b"") + sheet
    sectors = -(-len(stream) // 512)
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + [3 + i for i in range(sectors - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (128 - len(fat))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 10 + struct.pack("<IIIIIIIII", 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0, 0)
              + struct.pack("<108I", *[0xFFFFFFFF] * 108))

    def entry(entry_name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = (entry_name.encode("utf-16-le") + b"\0\0") if entry_name else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBBIII", len(raw), kind, 1, 0xFFFFFFFF, 0xFFFFFFFF, child)
                + b"\0" * 36 + struct.pack("<III", start, size, 0))

    directory = (entry("Root Entry", 5, 1, 0xFFFFFFFE, 0) + entry("Workbook", 2, 0xFFFFFFFF, 2, len(stream))
                 + entry("", 0, 0xFFFFFFFF, 0, 0) * 2)
    return header + struct.pack("<128I", *fat) + directory + stream.ljust(sectors * 512, b"\0")


def test_a_legacy_xls_is_checked_like_an_xlsx(settings):
    translation.activate("en")
    ordinary = xls_file([(0, 0), (1, 1)], (2, 2))
    sheets = read(ordinary)  # the hand-made file is a real workbook: calamine reads it
    assert [s.name for s in sheets] == ["Đảng viên"] and sheets[0].head(2) == [[1.0, ""], ["", 1.0]]
    settings.CHIBO_IMPORT_MAX_ROWS, settings.CHIBO_IMPORT_MAX_COLUMNS = 1000, 50
    declared = xls_file([(0, 0), (65535, 255)], (65536, 256))
    with pytest.raises(FileRefused, match="The sheet Đảng viên reaches row 65.536"):
        check(declared)  # the upload page, from the declared extent
    hidden = xls_file([(0, 0), (5, 255)], None)  # no DIMENSIONS: only the cells tell
    check(hidden)
    with pytest.raises(FileRefused, match=r"reaches column IV \(cell IV6\); the limit is 50 columns"):
        read(hidden)


@hsettings(max_examples=60, deadline=None)
@given(cut=st.integers(0, 6000), flips=st.lists(st.tuples(st.integers(0, 6000), st.integers(0, 255)), max_size=8))
def test_a_damaged_xls_never_breaks_the_check(cut, flips):
    """Cut or corrupted anywhere, an .xls is either passed on to calamine or refused with a
    message; the structure reader never fails in another way."""
    data = bytearray(xls_file([(0, 0), (70, 3)], (71, 4)))
    for position, value in flips:
        if 8 <= position < len(data):
            data[position] = value
    with contextlib.suppress(FileRefused):
        check(bytes(data[:max(cut, 8)]))
