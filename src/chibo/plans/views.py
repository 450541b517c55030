"""Pages for resolutions, their targets and the figures reported on them (issue 4). Every
object comes through chibo.access; every write is one call to plans.services; an htmx
request gets the fragment that changes from the same view."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chibo import access
from chibo.core.dates import today
from chibo.organisations.models import Organisation
from chibo.plans import rules, selectors, services
from chibo.plans.charts import step_chart
from chibo.plans.forms import (
    BreakDownForm,
    MeasurementForm,
    ResolutionFilterForm,
    ResolutionForm,
    TargetForm,
)
from chibo.plans.models import Measurement, Resolution, Target
from chibo.plans.templatetags.plans_tags import STATUS_LABELS, STATUS_SYMBOLS
from chibo.tasks import selectors as task_selectors
from chibo.web.downloads import stored_file
from chibo.web.pages import paginate
from chibo.web.views import _template

# --- Resolutions ------------------------------------------------------------------------------

@login_required
def resolution_list(request: HttpRequest) -> HttpResponse:
    visible = access.resolutions(request.user)
    orgs = Organisation.objects.filter(pk__in=visible.values("organisation_id")).order_by("path").only(
        "code", "name", "path")
    form = ResolutionFilterForm(request.GET or None, orgs=orgs)
    data = form.cleaned_data if form.is_valid() else {}
    qs = visible.select_related("organisation")
    if data.get("q"):
        qs = selectors.search(qs, data["q"])
    if data.get("org"):
        qs = qs.filter(organisation__code=data["org"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    page = paginate(request, qs.order_by("-issued_on", "number", "pk"), settings.CHIBO_PAGE_SIZE)
    params = request.GET.copy()
    params.pop("page", None)
    issuer = access.resolution_issuers(request.user).order_by("depth", "sort_key").first()
    if data.get("org") and issuer is not None:  # a new resolution of the organisation shown, when allowed
        issuer = access.resolution_issuers(request.user).filter(code=data["org"]).first() or issuer
    context = {"form": form, "page": page, "query": params.urlencode(), "issuer": issuer}
    return render(request, _template(request, "plans/resolutions.html", "plans/_resolution_results.html"), context)


@login_required
@require_http_methods(["GET", "POST"])
def resolution_create(request: HttpRequest) -> HttpResponse:
    issuers = access.resolution_issuers(request.user)
    if not issuers.exists():
        raise PermissionDenied
    initial: dict[str, Any] = {"issued_on": today(), "body": Resolution.Body.COMMITTEE,
                               "period_start": today().year, "period_end": today().year + 5}
    if request.GET.get("org"):
        org = access.get_resolution_issuer(request.user, request.GET["org"])
        initial["organisation"] = org.pk
        if org.is_cell:
            initial["body"] = Resolution.Body.CELL
    form = ResolutionForm(request.POST or None, request.FILES or None, initial=initial, issuers=issuers)
    if (res := form.written(
            request, lambda: services.resolution_create(actor=request.user, file=form.upload(), **form.resolution_data()),
            lambda res: _("The resolution %(number)s was recorded. Now add its targets.") % {"number": res.number})) is not None:
        return redirect("resolution", pk=res.pk)
    return render(request, "plans/resolution_form.html", {
        "form": form, "title": _("New resolution"), "back": reverse("resolutions")})


@login_required
@require_http_methods(["GET", "POST"])
def resolution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    res = access.get_resolution(request.user, pk, write=True)
    initial = {f: getattr(res, f) for f in ("body", "kind", "number", "issued_on", "period_start", "period_end",
                                             "title", "summary", "status")}
    form = ResolutionForm(request.POST or None, request.FILES or None, initial=initial,
                          issuers=access.resolution_issuers(request.user), editing=True)
    if form.written(
            request, lambda: services.resolution_update(res, actor=request.user, file=form.upload(), **form.resolution_data()),
            _("Changes saved.")) is not None:
        return redirect("resolution", pk=res.pk)
    return render(request, "plans/resolution_form.html", {
        "form": form, "res": res, "title": _("Edit %(number)s") % {"number": res.number},
        "back": reverse("resolution", args=[res.pk])})


@login_required
def resolution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    res = access.get_resolution(request.user, pk)
    top = list(access.targets(request.user).filter(resolution=res, parent__isnull=True)
               .select_related("organisation", "resolution").order_by("position", "pk"))
    figs = selectors.figures(top)
    parts = _parts_by_target(figs)
    rows = [(t, figs[t.pk], parts.get(t.pk, []), selectors.shares(t, parts.get(t.pk, []))) for t in top]
    context = {
        "res": res, "rows": rows, "can_write": access.may_issue_resolution(request.user, res.organisation),
        "sees_overview": access.organisations_with_basics(request.user).filter(pk=res.organisation_id).exists(),
    }
    return render(request, "plans/resolution.html", context)


@login_required
def resolution_file(request: HttpRequest, pk: int) -> FileResponse:
    res = access.get_resolution(request.user, pk)
    return _stored_file(request, res.file, res.file_name, obj=res, org_path=res.organisation.path)


def _stored_file(request: HttpRequest, relative: str, name: str, *, obj: Any, org_path: str) -> FileResponse:
    """An attached file, as a download, recorded in the change log like every export."""
    return stored_file(request, relative, name, obj=obj, org_path=org_path,
                       note=_("Attached file downloaded: %(name)s") % {"name": name})


def _parts_by_target(figs: dict[int, selectors.Figure]) -> dict[int, list[Target]]:
    parts: dict[int, list[Target]] = {}
    for f in figs.values():
        if f.target.parent_id is not None:
            parts.setdefault(f.target.parent_id, []).append(f.target)
    for group in parts.values():
        group.sort(key=lambda p: (p.position, p.pk))
    return parts


# --- Targets ----------------------------------------------------------------------------------

def _responsible_choices(user: Any, res: Resolution, current: Organisation | None = None) -> Any:
    """Who a target can be given to: the issuing organisation and its sub-organisations
    (cells get their parts by breaking a target down)."""
    q = Q(pk=res.organisation_id) | Q(parent=res.organisation_id, valid_to__isnull=True)
    if current is not None:
        q |= Q(pk=current.pk)
    return access.organisations(user).filter(q).order_by("path")


@login_required
@require_http_methods(["GET", "POST"])
def target_create(request: HttpRequest, pk: int) -> HttpResponse:
    res = access.get_resolution(request.user, pk, write=True)
    form = TargetForm(request.POST or None, resolution=res, orgs=_responsible_choices(request.user, res),
                      initial={"organisation": res.organisation_id})
    if (target := form.written(
            request, lambda: services.target_create(actor=request.user, resolution=res, milestones=form.milestones(),
                                            **form.target_data()),
            _("The target was added."))) is not None:
        return redirect("target", pk=target.pk)
    return render(request, "plans/target_form.html", {
        "form": form, "res": res, "title": _("New target of %(number)s") % {"number": res.number},
        "back": reverse("resolution", args=[res.pk])})


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = access.get_target(request.user, pk, write=True)
    res = target.resolution
    initial: dict[str, Any] = {name: getattr(target, name) for name in TargetForm.FIELDS if name != "organisation"}
    initial["organisation"] = target.organisation_id
    initial.update({f"milestone_{m.year}": m.value for m in target.milestones.all()})
    form = TargetForm(request.POST or None, resolution=res, initial=initial,
                      orgs=_responsible_choices(request.user, res, current=target.organisation))
    if form.written(
            request, lambda: services.target_update(target, actor=request.user, milestones=form.milestones(), **form.target_data()),
            _("Changes saved.")) is not None:
        return redirect("target", pk=target.pk)
    return render(request, "plans/target_form.html", {
        "form": form, "res": res, "target": target, "title": _("Edit the target: %(name)s") % {"name": target.name},
        "back": reverse("target", args=[target.pk])})


@login_required
@require_http_methods(["GET", "POST"])
def target_break_down(request: HttpRequest, pk: int) -> HttpResponse:
    """Give each sub-organisation (each cell of a commune) its share of the target."""
    target = access.get_target(request.user, pk, write=True)
    existing = selectors.parts_of(target)
    given = {p.organisation_id for p in existing}
    children = [o for o in access.organisations(request.user).filter(parent=target.organisation_id,
                                                                     valid_to__isnull=True).order_by("sort_key")
                if o.pk not in given]
    form = BreakDownForm(request.POST or None, orgs=children, weights=target.roll_up == Target.RollUp.MEAN)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.target_break_down(target, actor=request.user, shares=form.shares(),
                                                 weights=form.weight_values())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Shares given to %(n)s organisations.") % {"n": len(created)})
            check = selectors.shares(target, [*existing, *created])
            if check is not None and not check.matches:
                messages.warning(request, check.warning())
            return redirect("target", pk=target.pk)
    return render(request, "plans/break_down.html", {
        "form": form, "target": target, "existing": existing, "shares": selectors.shares(target, existing),
        "title": _("Break down: %(name)s") % {"name": target.name}, "back": reverse("target", args=[target.pk])})


@login_required
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = access.get_target(request.user, pk)
    form = MeasurementForm(target=target, initial={"measured_on": today()}) if access.may_report(
        request.user, target) else None
    return _target_page(request, target, form)


@login_required
@require_http_methods(["GET", "POST"])
def target_measure(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a figure: htmx gets the figure, history and form back; a plain form post is
    sent back to the target page. Bad input is shown next to its field and writes nothing."""
    target = access.get_target(request.user, pk, report=True)
    if request.method != "POST":
        return _target_page(request, target, MeasurementForm(target=target, initial={"measured_on": today()}))
    form = MeasurementForm(request.POST, request.FILES or None, target=target)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.measurement_record(actor=request.user, target=target, measured_on=data["measured_on"],
                                        value=data["value"], note=data["note"], file=form.upload())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            message = _("The figure was recorded.")
            if not getattr(request, "htmx", False):
                messages.success(request, message)
                return redirect("target", pk=target.pk)
            return _target_page(request, target, MeasurementForm(target=target, initial={"measured_on": today()}),
                                recorded=message)
    return _target_page(request, target, form)


def _target_page(request: HttpRequest, target: Target, form: MeasurementForm | None,
                 recorded: str = "") -> HttpResponse:
    day = today()
    figs = selectors.figures([target], day)
    fig = figs[target.pk]
    by_name = request.GET.get("xep") == "ten"
    given = [f for f in figs.values() if f.target.parent_id == target.pk]
    parts = (sorted(given, key=lambda f: (f.target.organisation.sort_key, f.target.pk)) if by_name
             else selectors.most_behind_first(given))
    part_targets = sorted((f.target for f in parts), key=lambda t: (t.position, t.pk))
    res = target.resolution
    milestones = list(target.milestones.all())
    rolled = bool(parts) and target.roll_up != Target.RollUp.NONE
    if rolled and form is not None and not form.is_bound:
        form = None  # its figure is added up from the parts (a posted form still shows why it was refused)
    history = [] if rolled else list(target.measurements.select_related("reported_by").order_by("-measured_on", "-id"))
    points = selectors.series(target, part_targets, day)
    chart = step_chart(
        title=_("%(name)s over time") % {"name": target.name},
        description=_("Step chart: the figure holds from one report to the next. Dashed line: the target; "
                      "dotted line: the progress expected by the milestones."),
        start=res.start, end=res.end, day=day, target=target.target_value, baseline=target.baseline_value,
        milestones=[rules.Milestone(m.year, m.value) for m in milestones], history=points)
    context = {
        "target": target, "res": res, "fig": fig, "parts": parts, "milestones": milestones,
        "history": history, "points": points, "chart": chart, "rolled": rolled, "form": form, "by_name": by_name,
        "openable": access.openable_targets(request.user, part_targets),
        "recorded": recorded, "shares": selectors.shares(target, part_targets),
        "can_write": access.may_issue_resolution(request.user, res.organisation),
        "can_report": access.may_report(request.user, target),
        "may_break_down": access.organisations(request.user).filter(
            parent=target.organisation_id, valid_to__isnull=True).exists(),
        "tasks": task_selectors.for_target(access.tasks(request.user), target.pk),
        "may_assign": access.may_assign(request.user, target.organisation),
    }
    return render(request, _template(request, "plans/target.html", "plans/_target_figures.html"), context)


@login_required
def measurement_file(request: HttpRequest, pk: int) -> FileResponse:
    m: Measurement = access.get_measurement(request.user, pk)
    target = access.get_target(request.user, m.target_id)
    return _stored_file(request, m.file, m.file_name, obj=m, org_path=target.organisation.path)


# --- An organisation's targets --------------------------------------------------------------

@login_required
def org_targets(request: HttpRequest, code: str) -> HttpResponse:
    """Every target of the resolutions in force an organisation is responsible for, one row
    each: its figure, its progress from the baseline against the time elapsed, its status and
    the parts (cells) most behind, linked where the viewer may open them (issue 14, point 4)."""
    org = access.get_organisation(request.user, code)
    status = request.GET.get("trang-thai", "")
    if status in STATUS_LABELS:  # one status across the subtree: the list behind the commune home's count
        found = selectors.with_status(org, status, today(), within=access.targets(request.user))
        return render(request, "plans/targets_by_status.html", {
            "org": org, "status": status, "status_label": STATUS_LABELS[status], "rows": found, "day": today(),
            "show_commune": any(r.commune for r in found), "legend": _status_legend()})
    day = today()
    rows = selectors.target_rows(org, day, within=access.targets(request.user))
    context: dict[str, Any] = {
        "org": org, "day": day, "rows": rows,
        "openable": access.openable_targets(request.user, [f.target for r in rows for f in r.behind[:3]]),
    }
    if not rows:  # what to do next
        context["may_issue"] = access.resolution_issuers(request.user).filter(pk=org.pk).exists()
        context["bare_resolutions"] = list(access.resolutions(request.user).filter(
            organisation=org, status=Resolution.Status.IN_FORCE, targets__isnull=True).order_by("-issued_on", "pk")[:3])
    return render(request, "plans/org_targets.html", context)


def _status_legend() -> list[tuple[str, str, str]]:
    return [(s, STATUS_SYMBOLS[s], str(label)) for s, label in STATUS_LABELS.items()]
