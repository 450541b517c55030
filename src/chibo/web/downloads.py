"""Serving an attached file (a resolution's text, evidence, a meeting's material, a document):
the caller has already asked chibo.access for the object it belongs to; this opens the stored
file, writes the download to the change log like every export, and keeps it out of shared
caches (the files are personal and party data)."""

from __future__ import annotations

from django.db import models
from django.http import FileResponse, Http404, HttpRequest

from chibo.audit import services as audit
from chibo.core import files


def stored_file(request: HttpRequest, relative: str, name: str, *, obj: models.Model, org_path: str, note: str,
                object_repr: str = "") -> FileResponse:
    if not relative:
        raise Http404
    try:
        path, content_type = files.open_stored(relative)
    except FileNotFoundError:
        raise Http404 from None
    audit.record(actor=request.user, action="export", obj=obj, object_repr=object_repr, org_path=org_path,
                 after={"file": name}, note=note)
    response = FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response
