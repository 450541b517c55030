"""Downloads of the member and organisation lists (XLSX or CSV), through the gatekeeper."""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _

from chibo import access
from chibo.core.dates import today
from chibo.exchange import services
from chibo.exchange.template import write_template
from chibo.exchange.writers import FORMATS
from chibo.organisations.models import PATH_END
from chibo.web.views import member_list_query

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _format(request: HttpRequest) -> str:
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS:
        raise Http404
    return fmt


def _download(fmt: str, name: str, write: Any) -> FileResponse:
    handle = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it once sent
    write(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{name}.{fmt}", content_type=CONTENT_TYPES[fmt])


def _describe(params: dict[str, Any], org: Any) -> str:
    shown = {k: v for k, v in params.items() if v and k not in {"sort"}}
    filters = ", ".join(f"{k}={v}" for k, v in sorted(shown.items())) or _("no filter")
    return _("Member list of %(org)s (%(filters)s)") % {"org": org.code if org else "—", "filters": filters}


@login_required
def member_export(request: HttpRequest) -> FileResponse:
    fmt = _format(request)
    _form, org, qs, data = member_list_query(request)
    name = f"dang-vien-{org.code if org else 'tat-ca'}-{today():%Y%m%d}"
    return _download(fmt, name, lambda out: services.export_members(
        actor=request.user, queryset=qs, fmt=fmt, out=out, scope=org, description=_describe(data, org)))


@login_required
def organisation_export(request: HttpRequest) -> FileResponse:
    fmt = _format(request)
    org = access.get_organisation(request.user, request.GET.get("org", ""))
    if not access.sees_members_of(request.user, org):
        raise Http404
    qs = access.organisations(request.user).filter(path__gte=org.path, path__lt=org.path + PATH_END)
    name = f"to-chuc-dang-{org.code}-{today():%Y%m%d}"
    return _download(fmt, name, lambda out: services.export_organisations(
        actor=request.user, queryset=qs, fmt=fmt, out=out, scope=org,
        description=_("Organisations of %(org)s") % {"org": org.code}))


@login_required
def import_template(request: HttpRequest) -> FileResponse:
    """The import template, with a guide sheet (docs/import.md)."""
    return _download("xlsx", "mau-nhap-du-lieu-chibo", write_template)
