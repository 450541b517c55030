"""Attached files (a resolution's text, evidence for a measurement): checked by content,
limited in size, stored beside the database under DATA_DIR/files/, and served only by
views that ask chibo.access first (never from a public URL).

Accepted: PDF, Word/Excel/OpenDocument files (checked as ZIP archives, refused before
unpacking if they would unpack to far more than a document needs), old .doc/.xls, JPEG and
PNG photos (of a signed paper, a certificate). A stored file's name ends in the extension of
the type found (a PDF sent as "x.docx" is kept as "x.pdf"), it is written whole or not at all
(a temporary file beside it, then renamed), and only while the disk keeps CHIBO_MIN_FREE_MB free."""

from __future__ import annotations

import io
import os
import re
import shutil
import unicodedata
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

KINDS = {  # first bytes → (kind, content type)
    b"%PDF-": ("pdf", "application/pdf"),
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": ("office", "application/octet-stream"),  # .doc, .xls
    b"\xff\xd8\xff": ("jpeg", "image/jpeg"),
    b"\x89PNG\r\n\x1a\n": ("png", "image/png"),
}
ZIP_TYPES = {  # a part that names the document type → content type
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "content.xml": "application/vnd.oasis.opendocument.text",
}
EXTENSIONS = {  # content type → the extensions a file of that type may have; the first one by default
    "application/pdf": (".pdf",),
    "application/octet-stream": (".doc", ".xls", ".ppt"),  # the old Office formats share one signature
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "application/vnd.oasis.opendocument.text": (".odt", ".ods", ".odp"),
}
MAX_RATIO = 200
MAX_UNPACKED = 400 * 1024 * 1024


def content_type(data: bytes) -> str:
    """The content type of an acceptable file, or ValidationError saying what to do."""
    limit = settings.CHIBO_UPLOAD_MAX_BYTES
    if len(data) > limit:
        raise ValidationError(_("The file is %(size)s MB; the limit is %(limit)s MB. Attach a smaller file, for "
                                "example a PDF of the signed text.") % {
            "size": round(len(data) / 1048576, 1), "limit": limit // 1048576})
    if not data:
        raise ValidationError(_("The file is empty. Choose the file again."))
    for magic, (_kind, ctype) in KINDS.items():
        if data.startswith(magic):
            return ctype
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    raise ValidationError(_("This kind of file cannot be attached. Attach a PDF, a Word or Excel file, or a photo "
                            "(JPEG or PNG)."))


def _zip_type(data: bytes) -> str:
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile as exc:
        raise ValidationError(_("The file is damaged. Save it again and attach the new copy.")) from exc
    if unpacks_too_far(infos, MAX_UNPACKED):
        raise ValidationError(_("The file would unpack to %(size)s MB, far more than a document needs. It was "
                                "refused without being opened.") % {"size": unpacked_size(infos) // 1048576})
    names = [i.filename for i in infos]
    for prefix, ctype in ZIP_TYPES.items():
        if any(n.startswith(prefix) for n in names):
            return ctype
    raise ValidationError(_("This is a ZIP archive, not a document. Attach the document itself."))


def unpacked_size(infos: list[zipfile.ZipInfo]) -> int:
    return sum(i.file_size for i in infos)


def unpacks_too_far(infos: list[zipfile.ZipInfo], max_unpacked: int) -> bool:
    """A "zip bomb", judged from the ZIP directory alone: too large in all, or a large part
    compressed far beyond what real documents and workbooks reach (they stay under 100×)."""
    return unpacked_size(infos) > max_unpacked or any(
        i.compress_size and i.file_size / i.compress_size > MAX_RATIO for i in infos if i.file_size > 1048576)


def safe_name(name: str) -> str:
    """The file's own name, NFC, without any folder part or characters a disk dislikes."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    base = re.sub(r'[\x00-\x1f<>:"|?*]', "_", base)[:150]
    return base or "tep"


# What party documents and meeting materials may be (issue 5: PDF, DOCX, XLSX, ODT, JPEG, PNG),
# checked by content, never by name. Other attachments (evidence, resolutions) also take the
# older Office formats and the other OpenDocument kinds.
DOCUMENT_TYPES = frozenset({
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "image/jpeg",
    "image/png",
})


def with_extension(name: str, ctype: str) -> str:
    """`name` ending in an extension of its detected type: kept when it already does, otherwise
    replacing the extension it claims (or added when it has none)."""
    allowed = EXTENSIONS.get(ctype)
    if not allowed:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and f".{ext.lower()}" in allowed:
        return name
    if not (dot and stem and 1 <= len(ext) <= 5 and ext.isalnum() and not ext.isdigit()):
        stem = name  # "Quyết định 3.2025" has no extension to replace
    return f"{stem}{allowed[0]}"


def store(data: bytes, name: str, folder: str, *, allowed: frozenset[str] | None = None) -> tuple[str, str]:
    """Check and keep a file; returns (path relative to DATA_DIR/files, its safe name, which ends
    in the extension of its type). Written whole or not at all; refused when the disk is nearly full."""
    ctype = content_type(data)
    if allowed is not None and ctype not in allowed:
        raise ValidationError(_("This kind of file cannot be attached here. Save it as a PDF, a Word (.docx), Excel "
                                "(.xlsx) or OpenDocument (.odt) file, or a photo (JPEG or PNG), and attach that."))
    clean = with_extension(safe_name(name), ctype)
    relative = f"{folder}/{uuid.uuid4().hex}/{clean}"
    path = root() / relative
    check_free_space(root(), len(data))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_whole(path, data)
    except OSError as exc:
        with suppress(OSError):
            path.parent.rmdir()  # the file's own folder, empty again
        raise ValidationError(_("The file could not be saved on the server, so nothing was changed. Try again; if "
                                "it happens again, tell the system administrator.")) from exc
    return relative, clean


class DiskFull(ValidationError):
    """Writing would leave the disk with less than CHIBO_MIN_FREE_MB free."""


def check_free_space(directory: Path, needed: int = 0) -> None:
    """DiskFull when writing `needed` more bytes under `directory` would leave less free space
    than the margin (CHIBO_MIN_FREE_MB): the database, its journal and the logs need room too."""
    probe = Path(directory)
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if free - needed < settings.CHIBO_MIN_FREE_BYTES:
        raise DiskFull(_("The server's disk is almost full (%(free)s MB free), so nothing was saved. Tell the "
                         "system administrator to free some space, then try again.") % {
            "free": max(free, 0) // 1048576}, code="disk_full")


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write to; on success it replaces `path` in one step
    (os.replace), on any failure it is removed, so `path` is never left half written."""
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
    try:
        yield temp
        os.replace(temp, path)
    except BaseException:
        with suppress(OSError):
            temp.unlink()
        raise


def write_whole(path: Path, data: bytes) -> None:
    """Write `data` to `path` whole or not at all."""
    with replacing(path) as temp, temp.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def root() -> Path:
    return Path(settings.DATA_DIR) / "files"


def open_stored(relative: str) -> tuple[Path, str]:
    """(absolute path, content type) of a stored file; FileNotFoundError if it is gone."""
    path = (root() / relative).resolve()
    if root().resolve() not in path.parents or not path.is_file():
        raise FileNotFoundError(relative)
    with path.open("rb") as handle:
        head = handle.read(8192)
    try:
        ctype = content_type(head) if not head.startswith(b"PK") else "application/octet-stream"
    except ValidationError:
        ctype = "application/octet-stream"
    return path, ctype
