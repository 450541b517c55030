"""Downloads of an organisation's target table and plan of work (XLSX, PDF), through the
gatekeeper: whoever may see the organisation's page may download them (a member, their own
cell's); outside the scope, 404. Every download is audited (plans.exports)."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from chibo import access
from chibo.core.dates import today
from chibo.plans import exports, selectors
from chibo.tasks.models import Task
from chibo.tasks.selectors import org_tasks


def _file(content: bytes, name: str, fmt: str) -> FileResponse:
    response = FileResponse(io.BytesIO(content), as_attachment=True, filename=f"{name}.{fmt}",
                            content_type=exports.CONTENT_TYPES[fmt])
    response["Cache-Control"] = "private, no-store"
    return response


def _org_targets(request: HttpRequest, code: str, fmt: str) -> FileResponse:
    org = access.get_organisation(request.user, code)
    day = today()
    ov = selectors.overview(org, day, within=access.targets(request.user))
    content = exports.export_org_targets(actor=request.user, ov=ov, fmt=fmt)
    return _file(content, f"chi-tieu-{org.code}-{day:%Y%m%d}", fmt)


def _org_plan(request: HttpRequest, code: str, fmt: str) -> FileResponse:
    org = access.get_organisation(request.user, code)
    day = today()
    status = request.GET.get("status", "")  # as on the plan page; all tasks by default
    if status not in {"active", "", *Task.Status.values}:
        raise Http404
    plan = exports.plan(org, targets=access.targets(request.user),
                        tasks=org_tasks(access.tasks(request.user), org, status=status), day=day)
    content = exports.export_plan(actor=request.user, p=plan, fmt=fmt)
    return _file(content, f"ke-hoach-{org.code}-{day:%Y%m%d}", fmt)


@login_required
@require_GET
def org_targets_xlsx(request: HttpRequest, code: str) -> FileResponse:
    return _org_targets(request, code, "xlsx")


@login_required
@require_GET
def org_targets_pdf(request: HttpRequest, code: str) -> FileResponse:
    return _org_targets(request, code, "pdf")


@login_required
@require_GET
def org_plan_xlsx(request: HttpRequest, code: str) -> FileResponse:
    return _org_plan(request, code, "xlsx")


@login_required
@require_GET
def org_plan_pdf(request: HttpRequest, code: str) -> FileResponse:
    return _org_plan(request, code, "pdf")
