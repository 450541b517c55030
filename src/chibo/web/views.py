"""HTML views. Each gets its objects through chibo.access, calls one service to write, and
serves both the full page and, for htmx requests, the fragment that changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chibo import access
from chibo.audit import present as audit_present
from chibo.core.dates import in_range, parse_vn_date, today
from chibo.core.rules import rule
from chibo.indicators.figures import cells_needing_committee, children_members, indicators, summary
from chibo.members import selectors as member_selectors
from chibo.members import services as member_services
from chibo.members.models import Membership, Post, Status
from chibo.organisations import services as org_services
from chibo.organisations.models import Locality, Organisation
from chibo.web import homes
from chibo.web.charts import bar_chart, compare_table
from chibo.web.forms import (
    EndPostForm,
    EventForm,
    LocalityForm,
    MemberFilterForm,
    MemberForm,
    OrganisationForm,
    PersonForm,
    PostForm,
)
from chibo.web.pages import paginate


def _template(request: HttpRequest, page: str, fragment: str) -> str:
    return fragment if getattr(request, "htmx", False) and not request.htmx.boosted else page  # type: ignore[attr-defined]


def _date_param(request: HttpRequest) -> Any:
    raw = request.GET.get("date", "").strip()
    if not raw:
        return None, ""
    try:
        day = parse_vn_date(raw)
    except ValueError:
        return None, _("“Figures as of”: %(value)s is not a date. Write it as dd/mm/yyyy, for example "
                       "15/03/2026.") % {"value": raw}
    if not in_range(day):
        return None, _("The year must be between 1900 and 2099. Check the year.")
    if day > today():
        return None, _("Figures cannot be shown for a future date. Choose today or an earlier date.")
    return day, ""


# --- Dashboard ------------------------------------------------------------------------------

@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The home page: "Việc cần làm" for the viewer's role first (`web.homes`), then the figures.
    The figures follow in a second request (htmx, on load), so what to do arrives first on a weak
    connection; the same view answers that request with the figures alone, and serves them inline
    when a date is asked for, or without JavaScript (`?so-lieu=1`)."""
    scope = access.scope_for(request.user)
    code = request.GET.get("org")
    if code:
        org = access.get_organisation(request.user, code)
    else:
        tops = scope.home_orgs()
        if not tops:
            return render(request, "web/no_scope.html")
        org = tops[0]
    day, date_error = _date_param(request)
    fragment = getattr(request, "htmx", False) and not request.htmx.boosted  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "org": org, "homes": scope.home_orgs(), "day": day, "date_error": date_error,
        "date_raw": request.GET.get("date", ""),
    }
    if not fragment:
        context.update(homes.work_context(request, org, day))
    context["figures_later"] = not fragment and not request.GET.get("date") and request.GET.get("so-lieu") != "1"
    if not context["figures_later"]:
        context.update(_figures(request, org, day))
    return render(request, "web/_dashboard.html" if fragment else "web/home.html", context)


def _figures(request: HttpRequest, org: Organisation, day: dt.date | None) -> dict[str, Any]:
    """The dashboard's figures of `org` on `day` (today when None)."""
    report = indicators(org, day)
    f = report.figures
    total = f["members_total"]
    charts = [
        bar_chart(_("Members by age"), report.by_age_band),
        bar_chart(_("Members by sex"), [(_("men"), total - f["members_women"]), (_("women"), f["members_women"])]),
        bar_chart(_("Members by ethnicity"), _top(report.by_ethnicity, 6, _("other groups"))),
        bar_chart(_("Members by status"), [
            (_("official, active"), f["members_official"] - f["members_exempt"]),
            (_("official, exempt"), f["members_exempt"]),
            (_("probationary"), f["members_probationary"]),
        ]),
    ]
    org_kinds = [(Organisation.Kind(k).label, n) for k, n in f["organisations_by_kind"].items() if n]
    children = children_members(org, day)
    compare = compare_table([(c.name, n, reverse("organisation", args=[c.code])) for c, n in children]) if any(
        n for _c, n in children) else None
    committee_rule = rule("cell_committee_min_official")
    flagged = cells_needing_committee(org, committee_rule.value, refresh=False) if day is None else []
    return {
        "report": report, "f": f, "charts": charts, "compare": compare,
        "org_kinds_chart": bar_chart(_("Organisations by kind"), org_kinds) if org_kinds else None,
        "flagged": flagged, "committee_rule": committee_rule,
        "sees_members": access.sees_members_of(request.user, org),
    }


def _top(pairs: list[tuple[str, int]], n: int, other_label: str) -> list[tuple[str, int]]:
    if len(pairs) <= n:
        return pairs
    return [*pairs[:n], (other_label, sum(v for _l, v in pairs[n:]))]


# --- Organisations ----------------------------------------------------------------------------

@login_required
def organisation_tree(request: HttpRequest) -> HttpResponse:
    parent_code = request.GET.get("parent")
    visible = access.organisations(request.user)
    if parent_code:
        parent = access.get_organisation(request.user, parent_code)
        nodes = visible.filter(parent=parent)
    else:
        parent = None
        nodes = Organisation.objects.filter(pk__in=[o.pk for o in access.scope_for(request.user).home_orgs()])
    show_ended = request.GET.get("ended") == "1"
    if not show_ended:
        nodes = nodes.filter(valid_to__isnull=True)
    nodes = nodes.order_by("sort_key").only("id", "code", "name", "kind", "sector", "valid_to", "path")
    child_parents = set(
        Organisation.objects.filter(parent__in=nodes).values_list("parent_id", flat=True).distinct()
    )
    context = {"nodes": nodes, "parent": parent, "has_children": child_parents, "show_ended": show_ended}
    return render(request, _template(request, "web/tree.html", "web/_tree_nodes.html"), context)


@login_required
def organisation_detail(request: HttpRequest, code: str) -> HttpResponse:
    org = access.get_organisation(request.user, code)
    day = today()
    committee = member_selectors.in_committee_order(
        Post.objects.active_on(day).filter(organisation=org).select_related("person"))
    children = Organisation.objects.filter(parent=org).order_by("valid_to", "sort_key").only(
        "code", "name", "kind", "sector", "valid_to", "path")
    sees_members = access.sees_members_of(request.user, org)
    members = None
    if sees_members:
        members = member_selectors.member_rows(
            member_selectors.filter_members(access.memberships(request.user, within=org)))[:10]
    context = {
        "org": org, "committee": committee, "children": children, "members": members, "f": summary(org),
        "can_write": access.writes_for(request.user, org),
        "can_structure": access.may_change_structure(request.user, org),
        "sees_members": sees_members, "reads_audit": access.reads_audit_of(request.user, org),
        "ancestors": Organisation.objects.filter(path__in=org.ancestor_paths()).exclude(pk=org.pk).order_by("path"),
    }
    return render(request, "web/organisation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    parents = access.structure_parent_orgs(request.user)
    if not parents.exists():
        raise PermissionDenied
    initial: dict[str, Any] = {"valid_from": today()}
    if request.GET.get("parent"):
        parent = access.get_organisation(request.user, request.GET["parent"], structure=True)
        initial["parent"] = parent.pk
    form = OrganisationForm(request.POST or None, initial=initial, parents=parents,
                            localities=access.localities(request.user))
    if (org := form.written(
            request, lambda: org_services.organisation_create(actor=request.user, **form.cleaned_data),
            lambda org: _("The organisation %(name)s was created.") % {"name": org.name})) is not None:
        return redirect("organisation", code=org.code)
    return render(request, "web/form.html", {"form": form, "title": _("New party organisation")})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, code: str) -> HttpResponse:
    org = access.get_organisation(request.user, code, structure=True)
    initial = {"code": org.code, "name": org.name, "sector": org.sector, "valid_from": org.valid_from,
               "valid_to": org.valid_to, "locality": org.locality_id, "note": org.note}
    form = OrganisationForm(request.POST or None, initial=initial, parents=Organisation.objects.none(),
                            localities=access.localities(request.user), editing=True)
    if form.written(
            request, lambda: org_services.organisation_update(org, actor=request.user, **form.cleaned_data),
            _("Changes saved.")) is not None:
        return redirect("organisation", code=org.code)
    return render(request, "web/form.html", {"form": form, "title": _("Edit %(name)s") % {"name": org.name},
                                             "back": reverse("organisation", args=[org.code])})


# --- Members --------------------------------------------------------------------------------

def member_list_query(request: HttpRequest) -> tuple[MemberFilterForm, Organisation | None, Any, dict[str, Any]]:
    """The member list's form, organisation and scoped, filtered queryset — shared by the
    list page and its exports, so a download holds exactly what the page shows."""
    return member_query(request.user, request.GET)


def member_query(user: Any, params: Any) -> tuple[MemberFilterForm, Organisation | None, Any, dict[str, Any]]:
    """The same, from a user and the list's parameters (a background export has no request)."""
    form = MemberFilterForm(params or None)
    data = form.cleaned_data if form.is_valid() else {}
    org = None
    if data.get("org"):
        org = access.get_organisation(user, data["org"])
        if not access.sees_members_of(user, org):
            raise Http404
    else:
        tops = access.scope_for(user).home_orgs()
        if len(tops) == 1 and access.sees_members_of(user, tops[0]):
            org = tops[0]
        elif not tops or not any(access.sees_members_of(user, t) for t in tops):
            raise Http404
    qs = member_selectors.filter_members(
        access.memberships(user, within=org), q=data.get("q", ""), status=data.get("status", ""),
        sex=data.get("sex", ""), ethnicity=data.get("ethnicity", ""), age=data.get("age", ""),
        sort=data.get("sort", ""))
    return form, org, qs, data


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    form, org, qs, _data = member_list_query(request)
    page = paginate(request, member_selectors.member_rows(qs), settings.CHIBO_PAGE_SIZE)
    params = request.GET.copy()
    params.pop("page", None)
    export = params.copy()
    if org is not None:
        export["org"] = org.code
    context = {
        "form": form, "org": org, "page": page, "query": params.urlencode(), "export_query": export.urlencode(),
        "can_create": access.writable_member_orgs(request.user).exists(),
        "today": today(),
    }
    return render(request, _template(request, "web/members.html", "web/_member_results.html"), context)


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    m = access.get_membership(request.user, pk)
    day = today()
    context = {
        "m": m, "p": m.person, "events": m.events.select_related("organisation").order_by("-effective_date", "-id"),
        "posts": m.person.posts.select_related("organisation", "locality").order_by("-start_date"),
        "party_age": m.party_age_on(day), "age": m.person.age_on(day),
        "can_write": access.writes_for(request.user, m.organisation),
        "account_admin": _account_admin(request.user, m),
    }
    return render(request, "web/member.html", context)


def _account_admin(user: Any, m: Any) -> dict[str, Any] | None:
    """For staff who administer this member's account: the account (if any) to open, else the
    offer to open one. None for everyone else (nothing is shown)."""
    try:
        access.get_account_person(user, m.person_id)
    except Http404:
        return None
    account = access.accounts(user).filter(person_id=m.person_id).first()
    return {"account": account, "exists": account is not None or access.account_of_person(user, m.person) is not None}


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request: HttpRequest) -> HttpResponse:
    orgs = access.writable_member_orgs(request.user)
    if not orgs.exists():
        raise PermissionDenied
    initial: dict[str, Any] = {"status": Status.OFFICIAL}
    if request.GET.get("org"):
        initial["organisation"] = access.get_organisation(request.user, request.GET["org"], write=True).pk
    form = MemberForm(request.POST or None, initial=initial, orgs=orgs, localities=access.localities(request.user))
    if (m := form.written(
            request, lambda: member_services.member_create(actor=request.user, person_data=form.person_data(),
                                              decision_number=form.cleaned_data.get("decision_number", ""),
                                              **form.membership_data()),
            lambda m: _("%(name)s was added.") % {"name": m.person.full_name})) is not None:
        return redirect("member", pk=m.pk)
    return render(request, "web/member_form.html", {"form": form, "title": _("New party member")})


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    m = access.get_membership(request.user, pk, write=True)
    p = m.person
    initial = {name: getattr(p, name) for name in MemberForm.PERSON_NAMES}
    initial["residence"] = p.residence_id
    initial.update({"admission_date": m.admission_date, "admission_decision_date": m.admission_decision_date,
                    "official_date": m.official_date, "card_number": m.card_number})
    form = MemberForm(request.POST or None, initial=initial, orgs=access.writable_member_orgs(request.user),
                      localities=access.localities(request.user), editing=True)
    if form.written(
            request, lambda: member_services.member_update(m, actor=request.user, person_data=form.person_data(),
                                          **form.membership_data()),
            _("Changes saved.")) is not None:
        return redirect("member", pk=m.pk)
    return render(request, "web/member_form.html", {"form": form, "m": m,
                                                    "title": _("Edit %(name)s") % {"name": p.full_name}})


@login_required
@require_http_methods(["GET", "POST"])
def member_event(request: HttpRequest, pk: int) -> HttpResponse:
    m = access.get_membership(request.user, pk, write=True)
    form = EventForm(request.POST or None, initial={"effective_date": today()},
                     orgs=access.writable_member_orgs(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member_services.member_record_event(
                m, actor=request.user, kind=data["kind"], effective_date=data["effective_date"],
                decision_number=data["decision_number"], organisation=data.get("organisation"), note=data["note"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The event was recorded."))
            return redirect("member", pk=m.pk)
    return render(request, "web/form.html", {
        "form": form, "title": _("Record an event for %(name)s") % {"name": m.person.full_name},
        "back": reverse("member", args=[m.pk])})


# --- Posts ------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def post_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"start_date": today()}
    back = reverse("home")
    if request.GET.get("org"):
        org = access.get_organisation(request.user, request.GET["org"], write=True)
        initial.update(organisation=org.pk, kind=Post.Kind.SECRETARY)
        back = reverse("organisation", args=[org.code])
    if request.GET.get("locality"):
        loc = access.get_locality(request.user, request.GET["locality"], write=True)
        initial.update(locality=loc.pk, kind=Post.Kind.VILLAGE_HEAD)
        back = reverse("locality", args=[loc.code])
    form = PostForm(request.POST or None, initial=initial, persons=access.persons(request.user),
                    orgs=access.organisations(request.user).exclude(kind=Organisation.Kind.PARTY_GROUP)
                    .filter(valid_to__isnull=True), localities=access.localities(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not access.may_write_post_in(request.user, organisation=data.get("organisation") if data["kind"] in Post.COMMITTEE_KINDS else None,
                                        locality=data.get("locality") if data["kind"] in Post.HEAD_KINDS else None):
            form.add_error(None, _("You may not assign posts there. Choose an organisation or locality you manage."))
        else:
            try:
                post, warnings = member_services.post_create(actor=request.user, **data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("The post was recorded."))
                for w in warnings:
                    messages.warning(request, w)
                return redirect(back)
    return render(request, "web/form.html", {"form": form, "title": _("Assign a post"), "back": back})


@login_required
@require_http_methods(["GET", "POST"])
def post_end(request: HttpRequest, pk: int) -> HttpResponse:
    post = access.get_post(request.user, pk, write=True)
    form = EndPostForm(request.POST or None, initial={"end_date": today()})
    back = reverse("organisation", args=[post.organisation.code]) if post.organisation else reverse(
        "locality", args=[post.locality.code]) if post.locality else reverse("home")
    if form.written(
            request, lambda: member_services.post_update(post, actor=request.user, end_date=form.cleaned_data["end_date"]),
            _("The post was ended.")) is not None:
        return redirect(back)
    return render(request, "web/form.html", {
        "form": form, "title": _("End the post: %(post)s") % {"post": str(post)}, "back": back})


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    """Record a resident who is not a party member, so they can be made the village head."""
    loc = access.get_locality(request.user, request.GET.get("locality", ""), write=True)
    form = PersonForm(request.POST or None, initial={"residence": loc.pk},
                      localities=access.localities(request.user).filter(pk=loc.pk))
    if form.written(
            request, lambda: member_services.person_create(actor=request.user, **form.person_data()),
            lambda person: _("%(name)s was recorded. You can now record them as the head.") % {"name": person.full_name}
    ) is not None:
        return redirect(f"{reverse('post-create')}?locality={loc.code}")
    return render(request, "web/form.html", {
        "form": form, "title": _("A resident of %(place)s who is not a party member") % {"place": loc.name},
        "back": reverse("locality", args=[loc.code])})


# --- Localities -----------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def locality_create(request: HttpRequest) -> HttpResponse:
    """Add a village or neighbourhood group to a commune."""
    parent = access.get_locality(request.user, request.GET.get("parent", ""), write=True)
    if parent.kind not in Locality.COMMUNE_KINDS:
        raise Http404
    form = LocalityForm(request.POST or None)
    if (loc := form.written(
            request, lambda: org_services.locality_create(actor=request.user, parent=parent, organisation=parent.organisation,
                                               **form.cleaned_data),
            lambda loc: _("%(name)s was added.") % {"name": loc.name})) is not None:
        return redirect("locality", code=loc.code)
    return render(request, "web/form.html", {
        "form": form, "title": _("New village or neighbourhood group in %(place)s") % {"place": parent.name},
        "back": reverse("locality", args=[parent.code])})


@login_required
@require_http_methods(["GET", "POST"])
def locality_edit(request: HttpRequest, code: str) -> HttpResponse:
    loc = access.get_locality(request.user, code, write=True)
    if not loc.is_village:
        raise PermissionDenied
    form = LocalityForm(request.POST or None, initial={"code": loc.code, "name": loc.name, "kind": loc.kind})
    if form.written(
            request, lambda: org_services.locality_update(loc, actor=request.user, **form.cleaned_data),
            _("Changes saved.")) is not None:
        return redirect("locality", code=loc.code)
    return render(request, "web/form.html", {"form": form, "title": _("Edit %(name)s") % {"name": loc.name},
                                             "back": reverse("locality", args=[loc.code])})


@login_required
def locality_detail(request: HttpRequest, code: str) -> HttpResponse:
    loc = access.get_locality(request.user, code)
    day = today()
    posts = loc.posts.select_related("person", "person__membership").order_by("-start_date")
    head = next((p for p in posts if p.active_on(day) and p.kind in Post.HEAD_KINDS), None)
    head_membership = None
    if head is not None:
        head_membership = Membership.objects.filter(person=head.person).first()
    children = list(Locality.objects.filter(parent=loc).order_by("sort_key"))
    context = {
        "loc": loc, "posts": posts, "head": head, "head_membership": head_membership,
        "children": children, "openable_children": access.openable_localities(request.user, children),
        "orgs": loc.organisations.filter(valid_to__isnull=True).order_by("sort_key"),
        "can_write": access.may_edit_locality(request.user, loc),
        "head_resident": head is not None and head.person.residence_id == loc.pk,
    }
    return render(request, "web/locality.html", context)


# --- Audit ----------------------------------------------------------------------------------

@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    org = None
    if request.GET.get("org"):
        org = access.get_organisation(request.user, request.GET["org"])
        if not access.reads_audit_of(request.user, org):
            raise Http404
    elif not access.reads_any_audit(request.user):
        raise Http404
    qs = access.audit_events(request.user, within=org).select_related("actor")
    page = paginate(request, qs, 50)
    entries = audit_present.present(request.user, page.object_list)
    return render(request, "web/audit.html", {"page": page, "entries": entries, "org": org})
