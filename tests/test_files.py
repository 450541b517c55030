"""Attached files are checked by their content, not their name, and limited in size."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from chibo.core import files


def _zip(parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out.getvalue()


def test_documents_and_photos_are_accepted_by_content(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    assert files.content_type(b"%PDF-1.4 ...") == "application/pdf"
    assert files.content_type(b"\x89PNG\r\n\x1a\n....") == "image/png"
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert files.content_type(docx).endswith("wordprocessingml.document")
    path, name = files.store(b"%PDF-1.4 text", "../../etc/Nghị quyết 01.pdf", "resolutions")
    assert name == "Nghị quyết 01.pdf" and ".." not in path
    stored, ctype = files.open_stored(path)
    assert stored.read_bytes() == b"%PDF-1.4 text" and ctype == "application/pdf"
    with pytest.raises(FileNotFoundError):
        files.open_stored("../chibo.sqlite3")


@pytest.mark.parametrize("data", [
    b"MZ\x90\x00 a Windows program named .pdf",
    b"<html><script>alert(1)</script></html>",
    b"",
    _zip({"notes.txt": b"plain zip"}),
    _zip({"word/document.xml": b"\x00" * (60 * 1024 * 1024)}),  # unpacks 60 MB from a few KB: refused unopened
])
def test_anything_else_is_refused_with_a_message(data):
    with pytest.raises(ValidationError) as err:
        files.content_type(data)
    assert err.value.messages[0]


def test_the_size_limit(settings):
    settings.CHIBO_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as err:
        files.content_type(b"%PDF-" + b"x" * 2000)
    assert "MB" in err.value.messages[0]
