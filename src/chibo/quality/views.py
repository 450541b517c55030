"""The data-quality page: the health score of an organisation's subtree and each problem
with a link to the page that fixes it. Organisations come only through chibo.access."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from chibo import access
from chibo.quality import services
from chibo.quality.checks import KINDS, Problem, run_checks


@login_required
def quality(request: HttpRequest) -> HttpResponse:
    scope = access.scope_for(request.user)
    tops = scope.home_orgs()
    code = request.GET.get("org")
    if code:
        org = access.get_organisation(request.user, code)
    elif tops:
        org = tops[0]
    else:
        raise Http404
    if not access.sees_members_of(request.user, org):
        raise Http404
    report = run_checks(org)
    services.remember(report)  # what the commune home shows until the next check

    def link(p: Problem) -> tuple[str, bool]:
        """(url, is the fix): the fix page if the user may use it, else the subject's page."""
        needs = p.fix_needs
        if (needs in ("member", "post") and not access.writes_for(request.user, p.organisation)) or (
                needs == "structure" and not access.may_change_structure(request.user, p.organisation)):
            return p.view_url, False
        return p.fix_url, True

    groups = [(g, [(p, *link(p)) for p in g.shown]) for g in report.groups()]
    units = report.units()
    flagged_units = [u for u in units if u.errors or u.warnings]
    visible_parent = org.parent if org.parent and access.sees_members_of(request.user, org.parent) else None
    context = {
        "org": org, "parent": visible_parent, "report": report, "groups": groups,
        "units": flagged_units, "clean_units": len(units) - len(flagged_units),
        "unit_is_commune": org.kind == org.Kind.PROVINCE,
        "homes": [h for h in tops if access.sees_members_of(request.user, h)],
        "kinds": KINDS.values(),
    }
    return render(request, "quality/quality.html", context)
