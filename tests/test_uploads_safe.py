"""Files written to disk (issue 11, point 9): an upload or export that fails midway leaves no
partial file; free disk space is checked before an upload or an export is accepted; a stored
file's extension follows its detected type."""

from __future__ import annotations

import builtins
import errno
import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from chibo.core import files
from chibo.documents.models import Document
from chibo.exchange.models import ExportJob, ImportJob
from tests.conftest import World

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DISK_FULL_VI = "Ổ đĩa của máy chủ sắp đầy"
NOT_SAVED_VI = "Không lưu được tệp trên máy chủ"
CSV = "Họ và tên,Ngày sinh\n".encode()


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("word/document.xml", b"<w:document/>")
    return out.getvalue()


def client(world: World, persona: str) -> Client:
    c = Client(raise_request_exception=False)
    c.force_login(world.users[persona])
    return c


def document_form(world: World, upload: SimpleUploadedFile, number: str = "339-QĐ/TW") -> dict[str, Any]:
    return {"organisation": world.org["C1"].pk, "kind": "regulation", "number": number,
            "issuer": "Ban Bí thư Trung ương", "issued_on": "10/07/2025", "title": "Quy định về Sổ tay đảng viên",
            "file": upload}


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


# --- A stored file's extension follows its detected type -----------------------------------------

def test_a_pdf_sent_as_docx_is_stored_and_served_as_pdf(world: World, tmp_path: Path) -> None:
    c = client(world, "commune_staff")
    response = c.post("/van-ban/moi/", document_form(world, SimpleUploadedFile("ban-ky.docx", PDF)))
    assert response.status_code == 302
    doc = Document.objects.get()
    assert doc.file_name == "ban-ky.pdf"
    assert [p.name for p in files_under(tmp_path / "files")] == ["ban-ky.pdf"]
    download = c.get(f"/van-ban/{doc.pk}/tep/")
    assert download.status_code == 200 and "ban-ky.pdf" in download["Content-Disposition"]


@pytest.mark.parametrize(("name", "data", "stored"), [
    ("anh-chup.pdf", PNG, "anh-chup.png"),
    ("bien-ban", PDF, "bien-ban.pdf"),  # no extension: the type's is added
    ("Quyết định 3.2025", PDF, "Quyết định 3.2025.pdf"),  # ".2025" is no extension
    ("ke-hoach.DOCX", _docx(), "ke-hoach.DOCX"),  # the right one, in capitals, stays
    ("ke-hoach.pdf", _docx(), "ke-hoach.docx"),
    ("anh.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 16, "anh.jpeg"),
])
def test_the_stored_name_ends_in_the_extension_of_the_type_found(settings: Any, tmp_path: Path, name: str,
                                                                 data: bytes, stored: str) -> None:
    relative, clean = files.store(data, name, "evidence")
    assert clean == stored and relative.endswith("/" + stored)
    assert (tmp_path / "files" / relative).read_bytes() == data


@given(name=st.text(min_size=1, max_size=40))
def test_any_name_gets_the_pdf_extension_for_a_pdf(name: str) -> None:
    assert files.with_extension(files.safe_name(name), "application/pdf").lower().endswith(".pdf")


# --- A write that fails midway leaves nothing behind ---------------------------------------------

class HalfWritten:
    """A file on a disk that fills up: the first write stores half its bytes, then fails."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle

    def write(self, data: Any) -> int:
        self._handle.write(bytes(data)[: max(1, len(data) // 2)])
        self._handle.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __enter__(self) -> HalfWritten:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._handle.close()


@pytest.fixture
def disk_fills_up(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every file opened for writing under DATA_DIR (tmp_path) fails after half its first write
    (but a background job's progress note, which is not the file under test)."""
    real_open = io.open

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        target = os.fspath(file) if isinstance(file, str | os.PathLike) else ""
        if (any(m in mode for m in "wax+") and str(target).startswith(str(tmp_path))
                and not Path(target).name.startswith("progress")):
            return HalfWritten(handle)
        return handle

    monkeypatch.setattr(io, "open", fake_open)
    monkeypatch.setattr(builtins, "open", fake_open)


def test_an_attachment_whose_write_fails_leaves_no_file_and_says_so(world: World, tmp_path: Path,
                                                                     disk_fills_up: None) -> None:
    response = client(world, "commune_staff").post("/van-ban/moi/",
                                                   document_form(world, SimpleUploadedFile("ban-ky.pdf", PDF)))
    assert response.status_code in (200, 400)
    assert NOT_SAVED_VI in response.content.decode()
    assert not Document.objects.exists()
    assert files_under(tmp_path) == []


def test_an_import_upload_whose_write_fails_leaves_no_file_and_no_job(world: World, tmp_path: Path,
                                                                      disk_fills_up: None) -> None:
    response = client(world, "commune_staff").post("/nhap-du-lieu/", {"file": SimpleUploadedFile("ds.csv", CSV)})
    assert response.status_code == 200
    assert NOT_SAVED_VI in response.content.decode()
    assert not ImportJob.objects.exists()
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_background_export_whose_write_fails_leaves_no_file(world: World, settings: Any, tmp_path: Path,
                                                              disk_fills_up: None, fmt: str) -> None:
    settings.CHIBO_EXPORT_SYNC_ROWS = 0  # every list is written in the background
    response = client(world, "commune_staff").get("/dang-vien/xuat/", {"org": "C1", "format": fmt})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED
    assert [p.name for p in files_under(tmp_path) if p.name != "progress.json"] == []


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # XlsxWriter's unclosed zip
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_command_line_export_whose_write_fails_leaves_no_file(world: World, tmp_path: Path, disk_fills_up: None,
                                                                fmt: str) -> None:
    out = tmp_path / f"ds.{fmt}"
    with pytest.raises(Exception, match="No space left"):  # XlsxWriter wraps the OSError in its own error
        call_command("export", "members", "C1", str(out))
    assert files_under(tmp_path) == []


def test_an_export_that_fails_keeps_the_file_it_would_have_replaced(world: World, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "ds.csv"
    out.write_bytes(b"the previous export")
    real_open = io.open

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        return HalfWritten(handle) if "w" in mode and str(file).startswith(str(tmp_path)) else handle

    monkeypatch.setattr(builtins, "open", fake_open)
    with pytest.raises(OSError):
        call_command("export", "members", "C1", str(out))
    assert files_under(tmp_path) == [out] and out.read_bytes() == b"the previous export"


# --- Free disk space is checked first ------------------------------------------------------------

@pytest.fixture
def disk_nearly_full(settings: Any) -> None:
    settings.CHIBO_MIN_FREE_BYTES = 1 << 60  # more than any disk has free


def test_an_attachment_is_refused_when_the_disk_is_nearly_full(world: World, tmp_path: Path,
                                                                disk_nearly_full: None) -> None:
    response = client(world, "commune_staff").post("/van-ban/moi/",
                                                   document_form(world, SimpleUploadedFile("ban-ky.pdf", PDF)))
    assert response.status_code in (200, 400)
    assert DISK_FULL_VI in response.content.decode()
    assert not Document.objects.exists() and files_under(tmp_path) == []


def test_an_import_is_refused_when_the_disk_is_nearly_full(world: World, tmp_path: Path,
                                                            disk_nearly_full: None) -> None:
    response = client(world, "commune_staff").post("/nhap-du-lieu/", {"file": SimpleUploadedFile("ds.csv", CSV)})
    assert response.status_code == 200 and DISK_FULL_VI in response.content.decode()
    assert not ImportJob.objects.exists() and files_under(tmp_path) == []


@pytest.mark.parametrize("sync_rows", [5000, 0])  # a download at once, and one written in the background
def test_an_export_is_refused_when_the_disk_is_nearly_full(world: World, settings: Any, tmp_path: Path,
                                                            disk_nearly_full: None, sync_rows: int) -> None:
    settings.CHIBO_EXPORT_SYNC_ROWS = sync_rows
    c = client(world, "commune_staff")
    for url, params in (("/dang-vien/xuat/", {"org": "C1"}), ("/to-chuc/xuat/", {"org": "C1"})):
        response = c.get(url, params)
        assert response.status_code == 507, url
        assert DISK_FULL_VI in response.content.decode()
    assert not ExportJob.objects.exists() and files_under(tmp_path) == []


def test_a_command_line_export_is_refused_when_the_disk_is_nearly_full(world: World, tmp_path: Path,
                                                                        disk_nearly_full: None) -> None:
    with pytest.raises(CommandError, match="disk is almost full|đĩa"):
        call_command("export", "members", "C1", str(tmp_path / "ds.xlsx"))
    assert files_under(tmp_path) == []


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # XlsxWriter's unclosed zip
def test_a_rejected_rows_file_whose_write_fails_leaves_no_file(world: World, tmp_path: Path,
                                                               request: pytest.FixtureRequest) -> None:
    from chibo.exchange.tasks import run_import_job
    from tests.test_import import MEMBER_HEADERS, member_row, xlsx

    rows = [MEMBER_HEADERS, member_row("Tốt", "052190000521"), member_row("Xấu", "0521900005")]
    response = client(world, "commune_staff").post("/nhap-du-lieu/", {
        "file": SimpleUploadedFile("ds.xlsx", xlsx({"Đảng viên": rows})), "valid_only": "on"})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    before = set(files_under(tmp_path))
    request.getfixturevalue("disk_fills_up")  # from here on, every write fails half-way
    with pytest.raises(Exception, match="No space left"):  # XlsxWriter wraps the OSError in its own error
        run_import_job.call(job.pk, True)
    assert not job.rejected_path.exists()
    assert [p.name for p in set(files_under(tmp_path)) - before if not p.name.startswith("progress")] == []
