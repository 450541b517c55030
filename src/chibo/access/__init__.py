"""The one gatekeeper: what a user may see and change.

Views and the API get organisations, members, posts, localities, audit records,
resolutions, targets, measurements, tasks, meetings, documents, study sessions and members' questions (threads) only through these functions. An object outside the user's scope is answered with 404 (its
existence is not revealed); an object the user may see but not change raises
PermissionDenied (403) on a write. Nothing else in chibo decides scope.

Scope comes from RoleAssignment rows (each reaching the organisation's subtree):
- cell_committee: read and write the cell's subtree (its members, posts, party groups);
- commune_staff: read and write the commune's subtree, its localities and audit trail;
- province_staff: read the province's subtree, and its audit trail;
- superuser (administrator): everything.
A user whose person is a party member also sees their own record (read-only) and the
basics of their own cell (its page and figures, not its member list)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from chibo.accounts.models import Role, RoleAssignment
from chibo.audit.models import AuditEvent
from chibo.core.dates import today
from chibo.members.models import Membership, Person, Post
from chibo.organisations.models import LEVEL_OF_KIND, PATH_END, Locality, Organisation

WRITE_ROLES = {Role.CELL_COMMITTEE, Role.COMMUNE_STAFF}
AUDIT_ROLES = {Role.COMMUNE_STAFF, Role.PROVINCE_STAFF}
STRUCTURE_ROLES = {Role.COMMUNE_STAFF}  # may create/edit organisations and localities


@dataclass(frozen=True)
class Grant:
    org: Organisation
    role: str

    @property
    def write(self) -> bool:
        return self.role in WRITE_ROLES

    def covers(self, path: str) -> bool:
        return path.startswith(self.org.path)


@dataclass
class Scope:
    user: Any
    superuser: bool = False
    grants: list[Grant] = field(default_factory=list)
    own_membership: Membership | None = None

    # --- organisations ---
    def sees_org(self, org: Organisation) -> bool:
        return self.superuser or any(g.covers(org.path) for g in self.grants)

    def sees_org_basics(self, org: Organisation) -> bool:
        if self.sees_org(org):
            return True
        m = self.own_membership
        return m is not None and org.pk in {m.organisation_id, m.cell_id}

    def writes_org(self, org: Organisation) -> bool:
        return self.superuser or any(g.write and g.covers(org.path) for g in self.grants)

    def writes_structure(self, org: Organisation) -> bool:
        return self.superuser or any(g.role in STRUCTURE_ROLES and g.covers(org.path) for g in self.grants)

    def writes_person(self, person: Person, *, membership: Membership | None,
                      candidacy_orgs: Iterable[Organisation] = ()) -> bool:
        """May this scope change the person's record (and so match them in an import)? A member:
        those who write for the member's organisation; a candidate followed by cells: those who
        write for each of those cells; anyone else (a resident): those who manage the localities
        of their place of residence (the commune staff). `person.residence` with its
        `organisation` and `parent.organisation` should be loaded (select_related)."""
        if self.superuser:
            return True
        if membership is not None:
            return self.writes_org(membership.organisation)
        cells = list(candidacy_orgs)
        if cells:
            return all(self.writes_org(org) for org in cells)
        loc = person.residence
        owner = (loc.organisation or (loc.parent.organisation if loc.parent else None)) if loc is not None else None
        return owner is not None and self.writes_structure(owner)

    def reads_audit(self, org: Organisation) -> bool:
        return self.superuser or any(g.role in AUDIT_ROLES and g.covers(org.path) for g in self.grants)

    def home_orgs(self) -> list[Organisation]:
        """The organisations a user's home page starts from (the top of each grant)."""
        if self.superuser:
            return list(Organisation.objects.filter(parent__isnull=True))
        tops = sorted({g.org.path: g.org for g in self.grants}.items())
        result: list[Organisation] = []
        for path, org in tops:
            if not any(path.startswith(r.path) for r in result):
                result.append(org)
        if not result and self.own_membership is not None:
            result.append(self.own_membership.cell or self.own_membership.organisation)
        return result

    def org_filter(self) -> Q:
        if self.superuser:
            return Q()
        q = Q(pk__in=[])
        for g in self.grants:
            q |= Q(path__gte=g.org.path, path__lt=g.org.path + PATH_END)
        return q

    def member_filter(self) -> Q:
        if self.superuser:
            return Q()
        q = Q(pk__in=[])
        for g in self.grants:
            q |= Q(**{f"{LEVEL_OF_KIND[g.org.kind]}_id": g.org.pk})
        if self.own_membership is not None:
            q |= Q(pk=self.own_membership.pk)
        return q


def scope_for(user: Any) -> Scope:
    """The user's scope, computed once per request (cached on the user object)."""
    cached = getattr(user, "_chibo_scope", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        scope = Scope(user=user)
    elif user.is_superuser:
        scope = Scope(user=user, superuser=True)
    else:
        grants = [Grant(org=ra.organisation, role=ra.role)  # in force today: a role ends with its post
                  for ra in RoleAssignment.objects.active_on(today()).filter(user=user).select_related("organisation")
                  if ra.organisation.valid_to is None]
        own = None
        if user.person_id:
            own = Membership.objects.filter(person_id=user.person_id, current=True).select_related(
                "organisation", "cell").first()
        scope = Scope(user=user, grants=grants, own_membership=own)
    user._chibo_scope = scope
    return scope


def scope_for_command(org: Organisation | None) -> Scope:
    """The scope of a command run on the server (`chibo import --org`): commune-staff rights
    over ORG's subtree, or an administrator's without ORG."""
    if org is None:
        return Scope(user=None, superuser=True)
    return Scope(user=None, grants=[Grant(org=org, role=Role.COMMUNE_STAFF)])


def _deny_or_404(visible: bool, allowed: bool) -> None:
    if not visible:
        raise Http404
    if not allowed:
        raise PermissionDenied


# --- Organisations ----------------------------------------------------------------------

def organisations(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(scope_for(user).org_filter())


def organisations_with_basics(user: Any) -> QuerySet[Organisation]:
    """Organisations whose page and figures the user may see: the scope, plus a member's own cell."""
    scope = scope_for(user)
    q = scope.org_filter()
    m = scope.own_membership
    if m is not None and not scope.superuser:
        q |= Q(pk__in=[pk for pk in (m.organisation_id, m.cell_id) if pk])
    return Organisation.objects.filter(q)


def get_organisation(user: Any, code: str, *, write: bool = False, structure: bool = False) -> Organisation:
    """The organisation with this code if the user may see it (its page and figures)."""
    org = Organisation.objects.select_related("parent", "locality").filter(code=code).first()
    scope = scope_for(user)
    if org is None or not scope.sees_org_basics(org):
        raise Http404
    if structure:
        _deny_or_404(True, scope.writes_structure(org))
    elif write:
        _deny_or_404(True, scope.writes_org(org))
    return org


def may_open_organisation(user: Any, org: Organisation) -> bool:
    """May the user open this organisation's page (what `get_organisation` lets through)? No query
    when `org.path` is loaded: templates ask it before linking to the page (issue 14, point 1)."""
    return bool(getattr(user, "is_authenticated", False)) and scope_for(user).sees_org_basics(org)


def sees_members_of(user: Any, org: Organisation) -> bool:
    """May the user list the members of this organisation (not only its basics)?"""
    return scope_for(user).sees_org(org)


def writable_member_orgs(user: Any) -> QuerySet[Organisation]:
    """Active organisations the user may place members in."""
    scope = scope_for(user)
    q = Q(pk__in=[]) if not scope.superuser else Q()
    for g in scope.grants:
        if g.write:
            q |= Q(path__gte=g.org.path, path__lt=g.org.path + PATH_END)
    return Organisation.objects.filter(q, kind__in=Organisation.MEMBER_KINDS, valid_to__isnull=True)


def structure_parent_orgs(user: Any) -> QuerySet[Organisation]:
    """Organisations under which the user may create new organisations."""
    scope = scope_for(user)
    q = Q(pk__in=[]) if not scope.superuser else Q()
    for g in scope.grants:
        if g.role in STRUCTURE_ROLES:
            q |= Q(path__gte=g.org.path, path__lt=g.org.path + PATH_END)
    return Organisation.objects.filter(q, valid_to__isnull=True).exclude(kind=Organisation.Kind.PARTY_GROUP)


# --- Members ----------------------------------------------------------------------------

def memberships(user: Any, within: Organisation | None = None) -> QuerySet[Membership]:
    """Memberships the user may see, optionally within one organisation's subtree."""
    qs = Membership.objects.filter(scope_for(user).member_filter())
    if within is not None:
        qs = qs.filter(**{f"{LEVEL_OF_KIND[within.kind]}_id": within.pk})
    return qs


def get_membership(user: Any, pk: Any, *, write: bool = False) -> Membership:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    m = Membership.objects.select_related("person", "person__residence", "organisation", "cell", "commune").filter(pk=pk).first()
    if m is None:
        raise Http404
    scope = scope_for(user)
    visible = scope.sees_org(m.organisation) or (scope.own_membership is not None and scope.own_membership.pk == m.pk)
    _deny_or_404(visible, not write or scope.writes_org(m.organisation))
    return m


def persons(user: Any) -> QuerySet[Person]:
    """People the user may pick for posts: members in scope and residents of localities in scope."""
    return persons_in_scope(scope_for(user))


def persons_in_scope(scope: Scope) -> QuerySet[Person]:
    """`persons` for a scope (also a command's, which has no user)."""
    if scope.superuser:
        return Person.objects.all()
    return Person.objects.filter(
        Q(membership__in=Membership.objects.filter(scope.member_filter()))
        | Q(residence__in=_localities_in_scope(scope))
    ).distinct()


# --- Localities ---------------------------------------------------------------------------

def localities(user: Any) -> QuerySet[Locality]:
    return _localities_in_scope(scope_for(user))


def _localities_in_scope(scope: Scope) -> QuerySet[Locality]:
    if scope.superuser:
        return Locality.objects.all()
    orgs = Organisation.objects.filter(scope.org_filter())
    return Locality.objects.filter(
        Q(organisation__in=orgs) | Q(organisations__in=orgs) | Q(parent__organisation__in=orgs)
    ).distinct()


def may_open_locality(user: Any, loc: Locality) -> bool:
    """May the user open this locality's page (what `get_locality` lets through)? One query; a
    template asks it before linking to the page (issue 14, point 1)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return scope_for(user).superuser or localities(user).filter(pk=loc.pk).exists()


def openable_localities(user: Any, locs: Iterable[Locality]) -> set[int]:
    """The ids of those of `locs` whose page the user may open, in one query (for lists)."""
    ids = [loc.pk for loc in locs]
    if not ids or not getattr(user, "is_authenticated", False):
        return set()
    if scope_for(user).superuser:
        return set(ids)
    return set(localities(user).filter(pk__in=ids).values_list("pk", flat=True))


def get_locality(user: Any, code: str, *, write: bool = False) -> Locality:
    loc = Locality.objects.select_related("parent", "organisation").filter(code=code).first()
    if loc is None or not localities(user).filter(pk=loc.pk).exists():
        raise Http404
    if write:
        owner = loc.organisation or (loc.parent.organisation if loc.parent else None)
        if owner is None or not scope_for(user).writes_structure(owner):
            raise PermissionDenied
    return loc


# --- Posts --------------------------------------------------------------------------------

def posts(user: Any) -> QuerySet[Post]:
    scope = scope_for(user)
    if scope.superuser:
        return Post.objects.all()
    return Post.objects.filter(Q(organisation__in=organisations(user)) | Q(locality__in=localities(user)))


def get_post(user: Any, pk: Any, *, write: bool = False) -> Post:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    post = Post.objects.select_related("person", "organisation", "locality", "locality__organisation",
                                       "locality__parent__organisation").filter(pk=pk).first()
    if post is None or not posts(user).filter(pk=pk).exists():
        raise Http404
    if write and not may_write_post_in(user, organisation=post.organisation, locality=post.locality):
        raise PermissionDenied
    return post


def may_write_post_in(user: Any, *, organisation: Organisation | None, locality: Locality | None) -> bool:
    scope = scope_for(user)
    if organisation is not None:
        return scope.writes_org(organisation)
    if locality is not None:
        owner = locality.organisation or (locality.parent.organisation if locality.parent else None)
        return owner is not None and scope.writes_structure(owner)
    return False


# --- Imports -------------------------------------------------------------------------------

def may_import(user: Any) -> bool:
    """Importing needs a role that can change something (a cell's committee or above)."""
    scope = scope_for(user)
    return scope.superuser or any(g.write for g in scope.grants)


def import_jobs(user: Any) -> QuerySet[Any]:
    """The user's own imports (none for one who may not import)."""
    from chibo.exchange.models import ImportJob

    if not getattr(user, "is_authenticated", False) or not may_import(user):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(user=user)


def export_jobs(user: Any) -> QuerySet[Any]:
    """The downloads the user asked to be prepared."""
    from chibo.exchange.models import ExportJob

    if not getattr(user, "is_authenticated", False):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(user=user)


def get_import_job(user: Any, pk: Any) -> Any:
    """An import is seen only by the person who started it."""
    from chibo.exchange.models import ImportJob

    job = ImportJob.objects.filter(pk=pk, user=user).first() if str(pk).isdigit() else None
    if job is None or not may_import(user):
        raise Http404
    return job


def get_export_job(user: Any, pk: Any) -> Any:
    """A prepared download is seen only by the person who asked for it."""
    from chibo.exchange.models import ExportJob

    job = ExportJob.objects.filter(pk=pk, user=user).first() if str(pk).isdigit() else None
    if job is None:
        raise Http404
    return job


# --- Resolutions and targets ------------------------------------------------------------
# A resolution reaches down: it is read by everyone in the issuing organisation's subtree
# (a cell carries out the commune's resolution) — and by those above who oversee it.

def _plan_orgs_filter(scope: Scope, prefix: str) -> Q:
    """Issuing organisations whose resolutions the scope may read: those in scope, and every
    ancestor of an organisation in scope or of the user's own cell."""
    if scope.superuser:
        return Q()
    starts = [g.org for g in scope.grants]
    m = scope.own_membership
    if m is not None:
        starts.append(m.cell or m.organisation)
    ancestors = {p for org in starts for p in org.ancestor_paths()}
    q = Q(**{f"{prefix}path__in": sorted(ancestors)})
    for g in scope.grants:
        q |= Q(**{f"{prefix}path__gte": g.org.path, f"{prefix}path__lt": g.org.path + PATH_END})
    return q


def resolutions(user: Any) -> QuerySet[Any]:
    from chibo.plans.models import Resolution

    return Resolution.objects.filter(_plan_orgs_filter(scope_for(user), "organisation__"))


def get_resolution(user: Any, pk: Any, *, write: bool = False) -> Any:
    res = resolutions(user).select_related("organisation").filter(pk=pk).first() if str(pk).isdigit() else None
    if res is None:
        raise Http404
    if write:
        _deny_or_404(True, scope_for(user).writes_org(res.organisation))
    return res


def may_issue_resolution(user: Any, org: Organisation) -> bool:
    """Resolutions and their targets are entered by those who write for the issuing organisation."""
    return scope_for(user).writes_org(org)


def resolution_issuers(user: Any) -> QuerySet[Organisation]:
    """Active organisations the user may issue resolutions for (party groups issue none)."""
    scope = scope_for(user)
    q = Q(pk__in=[]) if not scope.superuser else Q()
    for g in scope.grants:
        if g.write:
            q |= Q(path__gte=g.org.path, path__lt=g.org.path + PATH_END)
    return Organisation.objects.filter(q, valid_to__isnull=True).exclude(kind=Organisation.Kind.PARTY_GROUP)


def get_resolution_issuer(user: Any, code: str) -> Organisation:
    """The organisation a new resolution is issued by: 404 when its resolutions are outside
    the user's reach, 403 when the user reads them but may not issue for it."""
    scope = scope_for(user)
    org = Organisation.objects.filter(code=code).first()
    visible = org is not None and Organisation.objects.filter(
        _plan_orgs_filter(scope, ""), pk=org.pk).exists()
    _deny_or_404(visible, org is not None and resolution_issuers(user).filter(pk=org.pk).exists())
    assert org is not None
    return org


def targets(user: Any) -> QuerySet[Any]:
    from chibo.plans.models import Target

    return Target.objects.filter(_plan_orgs_filter(scope_for(user), "resolution__organisation__"))


def get_target(user: Any, pk: Any, *, report: bool = False, write: bool = False) -> Any:
    """A target the user may read; with report=True, one whose figures the user may record
    (those who write for the responsible organisation or for the issuing one); with
    write=True, one the user may change or break down (those who issue its resolution)."""
    target = (targets(user).select_related("resolution__organisation", "organisation", "parent")
              .filter(pk=pk).first() if str(pk).isdigit() else None)
    if target is None:
        raise Http404
    if report:
        _deny_or_404(True, may_report(user, target))
    if write:
        _deny_or_404(True, may_issue_resolution(user, target.resolution.organisation))
    return target


def openable_targets(user: Any, given: Iterable[Any]) -> set[int]:
    """The ids of those of `given` targets whose page the user may open (what `get_target` lets
    through), for a list's links: a target is read with its resolution, so one query over
    their few resolutions (none for an administrator)."""
    given = list(given)
    if not given or not getattr(user, "is_authenticated", False):
        return set()
    if scope_for(user).superuser:
        return {t.pk for t in given}
    readable = set(resolutions(user).filter(pk__in={t.resolution_id for t in given}).values_list("pk", flat=True))
    return {t.pk for t in given if t.resolution_id in readable}


def may_report(user: Any, target: Any) -> bool:
    scope = scope_for(user)
    return scope.writes_org(target.organisation) or scope.writes_org(target.resolution.organisation)


def get_measurement(user: Any, pk: Any) -> Any:
    """A measurement of a target the user may read (for its evidence file)."""
    from chibo.plans.models import Measurement

    m = (Measurement.objects.select_related("target").filter(pk=pk, target__in=targets(user)).first()
         if str(pk).isdigit() else None)
    if m is None:
        raise Http404
    return m


# --- Tasks ("6 rõ") ---------------------------------------------------------------------------
# A task is seen by those whose scope holds the organisation that assigned it, by its
# assignees and its verifier, and by the members of the cell whose plan it is part of.
# It is changed (edited, cancelled) by those who write for that organisation; progress is
# reported by an assignee (or for an assigned organisation, by those who write for it); the
# verifier decides — or someone writing for the organisation records the verifier's
# decision, unless they are themselves assigned to the task.

def tasks(user: Any) -> QuerySet[Any]:
    from chibo.tasks.models import Task

    scope = scope_for(user)
    if scope.superuser:
        return Task.objects.all()
    q = Q(pk__in=[])
    for g in scope.grants:
        q |= Q(organisation__path__gte=g.org.path, organisation__path__lt=g.org.path + PATH_END)
    person_id = getattr(user, "person_id", None)
    if person_id is not None:
        q |= Q(verifier_id=person_id) | Q(pk__in=_assigned_to(person_id, scope))
    m = scope.own_membership
    if m is not None:
        q |= Q(organisation_id__in=[pk for pk in (m.cell_id, m.group_id, m.organisation_id) if pk])
    return Task.objects.filter(q)


def tasks_in(user: Any, org: Organisation) -> QuerySet[Any]:
    """The tasks of `org`'s subtree the user may see (`tasks(user)` within the subtree): one index
    range when the user's scope holds the whole subtree, as a commune's staff hold their commune."""
    from chibo.tasks.models import Task

    subtree = Q(organisation__path__gte=org.path, organisation__path__lt=org.path + PATH_END)
    if scope_for(user).sees_org(org):
        return Task.objects.filter(subtree)
    return tasks(user).filter(subtree)


def _assigned_to(person_id: int, scope: Scope) -> QuerySet[Any]:
    from chibo.tasks.models import Assignee

    q = Q(person_id=person_id)
    m = scope.own_membership
    if m is not None:
        q |= Q(organisation_id__in=[pk for pk in (m.cell_id, m.group_id, m.organisation_id) if pk])
    return Assignee.objects.filter(q).values("task_id")


def get_task(user: Any, pk: Any, *, edit: bool = False) -> Any:
    task = (tasks(user).select_related("organisation", "verifier", "target", "series").filter(pk=pk).first()
            if str(pk).isdigit() else None)
    if task is None:
        raise Http404
    if edit:
        _deny_or_404(True, scope_for(user).writes_org(task.organisation))
    return task


def may_assign(user: Any, org: Organisation) -> bool:
    """Tasks are given by those who write for the organisation (its committee, the commune staff)."""
    return scope_for(user).writes_org(org)


def task_people(user: Any, org: Organisation) -> QuerySet[Person]:
    """People a user who may assign tasks for `org` can name on one (assignees, verifier):
    the current members of the commune above `org` (or of `org` itself at commune level and
    above) — a cell's task may be verified by a commune committee member. The task services
    then check who fits which role. Nobody for a user who may not assign there."""
    if not may_assign(user, org):
        return Person.objects.none()
    tops = (Organisation.Kind.PROVINCE, Organisation.Kind.COMMUNE, Organisation.Kind.GRASSROOTS_COMMITTEE)
    anchor = org if org.kind in tops else (
        Organisation.objects.filter(path__in=org.ancestor_paths(), kind__in=tops).order_by("-path").first() or org)
    return Person.objects.filter(membership__current=True,
                                 **{f"membership__{LEVEL_OF_KIND[anchor.kind]}_id": anchor.pk})


def may_edit_task(user: Any, task: Any) -> bool:
    return scope_for(user).writes_org(task.organisation)


def may_report_task(user: Any, task: Any, assignees: list[Any] | None = None) -> bool:
    scope = scope_for(user)
    person_id = getattr(user, "person_id", None)
    rows = assignees if assignees is not None else list(task.assignees.select_related("organisation"))
    if any(a.person_id is not None and a.person_id == person_id for a in rows):
        return True
    if any(a.organisation is not None and scope.writes_org(a.organisation) for a in rows):
        return True
    return scope.writes_org(task.organisation)


def may_verify_task(user: Any, task: Any, assignees: list[Any] | None = None) -> bool:
    person_id = getattr(user, "person_id", None)
    if person_id is not None and person_id == task.verifier_id:
        return True
    rows = assignees if assignees is not None else list(task.assignees.all())
    if person_id is not None and any(a.person_id == person_id for a in rows):
        return False
    return scope_for(user).writes_org(task.organisation)


# --- Meetings -------------------------------------------------------------------------------------
# A cell's meetings are seen by those whose scope holds the cell, by the cell's own members,
# and by everyone invited (a guest from the commune); prepared, recorded and minuted by those
# who write for the cell (its committee, the commune staff). A member sees a meeting's
# materials once it is announced, and its minutes once final.

def meetings(user: Any) -> QuerySet[Any]:
    from chibo.meetings.models import Attendance, Meeting

    scope = scope_for(user)
    if scope.superuser:
        return Meeting.objects.all()
    q = Q(pk__in=[])
    for g in scope.grants:
        q |= Q(organisation__path__gte=g.org.path, organisation__path__lt=g.org.path + PATH_END)
    m = scope.own_membership
    if m is not None:
        q |= Q(organisation_id__in=[pk for pk in (m.cell_id, m.organisation_id) if pk])
    person_id = getattr(user, "person_id", None)
    if person_id is not None:
        q |= Q(pk__in=Attendance.objects.filter(person_id=person_id).values("meeting_id"))
    return Meeting.objects.filter(q)


def get_meeting(user: Any, pk: Any, *, write: bool = False) -> Any:
    meeting = (meetings(user).select_related("organisation", "chair", "recorder").filter(pk=pk).first()
               if str(pk).isdigit() else None)
    if meeting is None:
        raise Http404
    if write:
        _deny_or_404(True, scope_for(user).writes_org(meeting.organisation))
    return meeting


def may_hold_meetings(user: Any, org: Organisation) -> bool:
    """Meetings are prepared and recorded by those who write for the cell."""
    return scope_for(user).writes_org(org)


def sees_materials(user: Any, meeting: Any) -> bool:
    from chibo.meetings.models import Meeting

    return meeting.status != Meeting.Status.DRAFT or scope_for(user).writes_org(meeting.organisation)


def sees_draft_minutes(user: Any, meeting: Any) -> bool:
    """Minutes not yet final are read by those whose scope holds the cell (its committee, the
    commune and province staff); a member, or a guest without such a role, reads the final
    versions only."""
    return scope_for(user).sees_org(meeting.organisation)


def get_vote(user: Any, pk: Any, *, write: bool = False) -> Any:
    """An item voted on, through its meeting: 404 when the meeting is outside the scope, 403
    on a write (e.g. giving a task from the decision) by someone who does not write for the
    cell."""
    from chibo.meetings.models import Vote

    vote = (Vote.objects.select_related("meeting", "meeting__organisation")
            .filter(pk=pk, meeting__in=meetings(user)).first() if str(pk).isdigit() else None)
    if vote is None:
        raise Http404
    if write:
        _deny_or_404(True, scope_for(user).writes_org(vote.meeting.organisation))
    return vote


# --- Documents and study sessions -----------------------------------------------------------
# A document is distributed to one organisation and reaches its whole subtree: it is read by
# the members of that subtree (their own organisation lies inside it), by those whose scope
# holds the organisation or any part of its subtree, and by whoever published it. It is
# published (created, corrected) by those who write for the organisation. Who has not read it
# is shown only to those who write for the organisation or for a part of its subtree, each for
# the members they look after (a cell's secretary: the cell; the commune staff: the commune).
# A study session is seen the same way and held by those who write for its organisation; each
# participant writes their own reflection, read by them and by those whose scope holds the
# organisation.

def _reach_filter(scope: Scope, prefix: str) -> Q:
    """Organisations whose documents and study sessions reach the scope: each organisation in
    scope and every one above it, and the user's own organisation and every one above it."""
    if scope.superuser:
        return Q()
    starts = [g.org for g in scope.grants]
    m = scope.own_membership
    if m is not None:
        starts.append(m.organisation)
    q = Q(**{f"{prefix}path__in": sorted({p for org in starts for p in org.ancestor_paths()})})
    for g in scope.grants:
        q |= Q(**{f"{prefix}path__gte": g.org.path, f"{prefix}path__lt": g.org.path + PATH_END})
    return q


def documents(user: Any) -> QuerySet[Any]:
    from chibo.documents.models import Document

    scope = scope_for(user)
    q = _reach_filter(scope, "organisation__")
    if not scope.superuser and getattr(user, "pk", None) is not None:
        q |= Q(created_by_id=user.pk)
    return Document.objects.filter(q)


def get_document(user: Any, pk: Any, *, write: bool = False) -> Any:
    doc = (documents(user).select_related("organisation").filter(pk=pk).first()
           if str(pk).isdigit() else None)
    if doc is None:
        raise Http404
    if write:
        _deny_or_404(True, may_publish_document(user, doc.organisation))
    return doc


def may_publish_document(user: Any, org: Organisation) -> bool:
    """Documents are distributed to an organisation by those who write for it."""
    return scope_for(user).writes_org(org)


def document_publishers(user: Any) -> QuerySet[Organisation]:
    """Active organisations the user may distribute documents to or hold study sessions for
    (a party group gets its documents through its cell)."""
    return resolution_issuers(user)


def get_document_publisher(user: Any, code: str) -> Organisation:
    """The organisation a new document (or study session) is for: 404 when its documents do
    not reach the user, 403 when the user sees them but may not publish for it."""
    org = Organisation.objects.filter(code=code).first()
    visible = org is not None and Organisation.objects.filter(_reach_filter(scope_for(user), ""), pk=org.pk).exists()
    _deny_or_404(visible, org is not None and document_publishers(user).filter(pk=org.pk).exists())
    assert org is not None
    return org


def is_addressee(user: Any, document: Any) -> bool:
    """Is the document addressed to the user — a current member inside its subtree? Only
    addressees mark a document read."""
    m = scope_for(user).own_membership
    return m is not None and m.organisation.path.startswith(document.organisation.path)


def follow_up_orgs(user: Any, document: Any) -> list[Organisation]:
    """The organisations whose members' reading of the document the user follows up: the
    document's organisation for those who write for it, otherwise the parts of its subtree
    they write for (a cell's committee: its cell). Empty: no list of who has not read."""
    scope = scope_for(user)
    if scope.writes_org(document.organisation):
        return [document.organisation]
    inside = sorted({g.org.path: g.org for g in scope.grants
                     if g.write and g.org.path.startswith(document.organisation.path)}.items())
    tops: list[Organisation] = []
    for path, org in inside:
        if not any(path.startswith(t.path) for t in tops):
            tops.append(org)
    return tops


def get_document_follow_up(user: Any, pk: Any) -> tuple[Any, list[Organisation]]:
    """A document and the organisations whose unread members the user may list (404 outside
    the scope, 403 for a reader who follows nobody up)."""
    doc = get_document(user, pk)
    orgs = follow_up_orgs(user, doc)
    _deny_or_404(True, bool(orgs))
    return doc, orgs


def study_sessions(user: Any) -> QuerySet[Any]:
    from chibo.documents.models import Participant, StudySession

    scope = scope_for(user)
    if scope.superuser:
        return StudySession.objects.all()
    q = _reach_filter(scope, "organisation__")
    person_id = getattr(user, "person_id", None)
    if person_id is not None:
        q |= Q(pk__in=Participant.objects.filter(person_id=person_id).values("session_id"))
    return StudySession.objects.filter(q)


def get_study_session(user: Any, pk: Any, *, write: bool = False) -> Any:
    session = (study_sessions(user).select_related("organisation").filter(pk=pk).first()
               if str(pk).isdigit() else None)
    if session is None:
        raise Http404
    if write:
        _deny_or_404(True, may_hold_study_session(user, session.organisation))
    return session


def may_hold_study_session(user: Any, org: Organisation) -> bool:
    """Study sessions are recorded (participants included) by those who write for the organisation."""
    return scope_for(user).writes_org(org)


def may_read_reflections(user: Any, session: Any) -> bool:
    """Every participant's reflection is read by those whose scope holds the organisation;
    a participant always reads their own."""
    return scope_for(user).sees_org(session.organisation)


def get_participation(user: Any, session: Any) -> Any:
    """The user's own place among a session's participants, where they write their
    reflection: 403 for someone who did not take part."""
    person_id = getattr(user, "person_id", None)
    own = session.participants.select_related("person").filter(person_id=person_id).first() if person_id else None
    _deny_or_404(True, own is not None)
    return own


# --- Two-way channel ----------------------------------------------------------------------------
# A member writes to their own cell or to their commune. A thread is read by the member who
# wrote it; by those who answer for the organisation it is sent to — a writing role held on
# exactly that organisation (the cell's committee for a cell, the commune staff for the
# commune); by the commune staff for threads sent to the cells of their commune (read-only:
# they answer only what is sent to the commune, unless they also sit on the cell's committee);
# and by administrators (read-only: they do not answer in an organisation's name). Province
# staff do not read members' threads. Nobody answers their own thread.

THREAD_OVERSEE_ROLES = {Role.COMMUNE_STAFF}  # read the threads sent to organisations below them


def _answer_org_ids(scope: Scope) -> set[int]:
    return {g.org.pk for g in scope.grants if g.role in WRITE_ROLES}


def threads(user: Any) -> QuerySet[Any]:
    from chibo.channel.models import Thread

    scope = scope_for(user)
    if scope.superuser:
        return Thread.objects.all()
    q = Q(pk__in=[])
    if getattr(user, "is_authenticated", False):
        q |= Q(author_id=user.pk)
    if answer := _answer_org_ids(scope):
        q |= Q(organisation_id__in=sorted(answer))
    for g in scope.grants:
        if g.role in THREAD_OVERSEE_ROLES:
            q |= Q(organisation__path__gte=g.org.path, organisation__path__lt=g.org.path + PATH_END)
    return Thread.objects.filter(q)


def get_thread(user: Any, pk: Any, *, answer: bool = False) -> Any:
    """A thread the user may read; with answer=True, one the user answers for its organisation."""
    thread = (threads(user).select_related("organisation", "author__person").filter(pk=pk).first()
              if str(pk).isdigit() else None)
    if thread is None:
        raise Http404
    if answer:
        _deny_or_404(True, may_answer(user, thread))
    return thread


def may_answer(user: Any, thread: Any) -> bool:
    """Answers come from those who answer for the organisation, never from the thread's author."""
    return thread.author_id != getattr(user, "pk", None) and \
        thread.organisation_id in _answer_org_ids(scope_for(user))


def may_take_part(user: Any, thread: Any) -> bool:
    """Add a message or close the thread: its author, or one who answers it."""
    return thread.author_id == getattr(user, "pk", None) or may_answer(user, thread)


def inbox_orgs(user: Any) -> list[Organisation]:
    """The organisations whose threads the user answers, in tree order."""
    scope = scope_for(user)
    return sorted({g.org.pk: g.org for g in scope.grants if g.role in WRITE_ROLES}.values(), key=lambda o: o.path)


def may_use_inbox(user: Any) -> bool:
    """The staff inbox: for those who answer or oversee threads, and administrators."""
    scope = scope_for(user)
    return scope.superuser or any(g.role in WRITE_ROLES | THREAD_OVERSEE_ROLES for g in scope.grants)


def thread_recipients(user: Any) -> list[Organisation]:
    """The active organisations the user may write to: their own cell and their commune."""
    from chibo.channel.rules import recipient_ids

    m = scope_for(user).own_membership
    if m is None:
        return []
    ids = recipient_ids(cell_id=m.cell_id, base_id=m.base_id, commune_id=m.commune_id)
    found = {o.pk: o for o in Organisation.objects.filter(pk__in=ids, valid_to__isnull=True)}
    return [found[pk] for pk in ids if pk in found]


def thread_readers(org: Organisation) -> tuple[list[Any], list[Any]]:
    """Who reads a thread sent to `org`, to show the member before they send it: those who
    answer (a writing role on exactly `org`) and those who only read (the commune staff
    above it). Administrators read every thread; the pages say so in words."""
    rows = list(RoleAssignment.objects.active_on(today()).filter(
        Q(organisation=org, role__in=WRITE_ROLES)
        | Q(organisation__path__in=org.ancestor_paths(), role__in=THREAD_OVERSEE_ROLES),
        user__is_active=True).select_related("user__person").order_by("user__username"))
    answer = {r.user_id: r.user for r in rows if r.organisation_id == org.pk and r.role in WRITE_ROLES}
    read = {r.user_id: r.user for r in rows if r.user_id not in answer}
    return list(answer.values()), list(read.values())


# --- Lifecycle ---------------------------------------------------------------------------------------
# What's due (probation ends, recognitions, badges, removal flags) and the badge list name members,
# so they are read by exactly those who may list the organisation's members; others get 404, as
# the member list answers them. Nothing here is written: each item links to the member's page.

def get_lifecycle_organisation(user: Any, code: str) -> Organisation:
    """The organisation whose due dates and badge list the user may read."""
    org = get_organisation(user, code)
    if not sees_members_of(user, org):
        raise Http404
    return org


# --- Rulebook and working-day calendar ---------------------------------------------------------------
# Everyone signed in reads the rules and the holidays (the deadlines they see are computed from
# them); only an administrator adds a rule version or changes the holidays.

def may_edit_rulebook(user: Any) -> bool:
    return scope_for(user).superuser


# --- Transfer letters ------------------------------------------------------------------------------

def get_transfer_letter(user: Any, pk: Any) -> tuple[Any, bool]:
    """A transfer letter if the user may list the members of its member's organisation or of
    either organisation it names (else 404), and whether they may record on it: those who write
    for the receiving organisation, or for the issuing one when the receiving organisation is
    outside chibo (or for a letter received from outside)."""
    from chibo.lifecycle.models import TransferLetter

    letter = (TransferLetter.objects.select_related("membership__person", "membership__organisation", "organisation",
                                                    "other_organisation").filter(pk=pk).first()
              if str(pk).isdigit() else None)
    if letter is None:
        raise Http404
    orgs = [letter.organisation, letter.membership.organisation]
    if letter.other_organisation is not None:
        orgs.append(letter.other_organisation)
    if not any(sees_members_of(user, o) for o in orgs):
        raise Http404
    out_in_chibo = letter.direction == TransferLetter.Direction.OUT and letter.other_organisation is not None
    writer = letter.other_organisation if out_in_chibo else letter.organisation
    return letter, writer is not None and scope_for(user).writes_org(writer)


# --- Exemptions from party work and meetings -----------------------------------------------------

def get_exemption(user: Any, pk: Any) -> tuple[Any, bool]:
    """An exemption procedure if the user may see its member (those who list the members of the
    member's organisation, or of the cell that recorded it; the member themselves), else 404; and
    whether they may record its steps: those who write for the member's organisation."""
    from chibo.lifecycle.models import Exemption

    ex = (Exemption.objects.select_related("membership__person", "membership__organisation", "organisation")
          .filter(pk=pk).first() if str(pk).isdigit() else None)
    if ex is None:
        raise Http404
    scope = scope_for(user)
    own = scope.own_membership is not None and scope.own_membership.pk == ex.membership_id
    if not (own or sees_members_of(user, ex.membership.organisation) or sees_members_of(user, ex.organisation)):
        raise Http404
    return ex, scope.writes_org(ex.membership.organisation)



# --- Audit --------------------------------------------------------------------------------

def audit_events(user: Any, within: Organisation | None = None) -> QuerySet[AuditEvent]:
    scope = scope_for(user)
    if scope.superuser:
        qs = AuditEvent.objects.all()
    else:
        q = Q(pk__in=[])
        for g in scope.grants:
            if g.role in AUDIT_ROLES:
                q |= _audit_within(g.org)
        qs = AuditEvent.objects.filter(q)
    if within is not None:
        qs = qs.filter(_audit_within(within))
    return qs


def _audit_within(org: Organisation) -> Q:
    """Rows of the organisation's subtree: where the object is, or where it was before the
    change (a member moved to another commune, a resident who moved, a resident made a member)."""
    return (Q(org_path__gte=org.path, org_path__lt=org.path + PATH_END)
            | Q(prior_path__gte=org.path, prior_path__lt=org.path + PATH_END))


# --- Recruitment ----------------------------------------------------------------------------------
# Candidates (people who are not members yet) are seen by those whose scope holds their cell
# (the cell committee, the commune and the province staff) — not by the cell's members, as
# with the member list; they are managed by those who write for the cell or the commune.
# Recognition of a probationary member is recorded by those who write for the member's cell.

def candidates(user: Any) -> QuerySet[Any]:
    from chibo.recruitment.models import Candidate

    scope = scope_for(user)
    if scope.superuser:
        return Candidate.objects.all()
    q = Q(pk__in=[])
    for g in scope.grants:
        q |= Q(organisation__path__gte=g.org.path, organisation__path__lt=g.org.path + PATH_END)
    return Candidate.objects.filter(q)


def get_candidate(user: Any, pk: Any, *, write: bool = False) -> Any:
    c = (candidates(user).select_related("person", "organisation", "membership").filter(pk=pk).first()
         if str(pk).isdigit() else None)
    if c is None:
        raise Http404
    if write:
        _deny_or_404(True, scope_for(user).writes_org(c.organisation))
    return c


def may_manage_candidates(user: Any, org: Organisation) -> bool:
    """Candidates are entered and moved on by those who write for the cell or the commune."""
    return scope_for(user).writes_org(org)


def may_record_provincial_decision(user: Any, org: Organisation) -> bool:
    """An admission the provincial committee decides (an applicant over 60) is recorded by the
    province's staff whose scope holds the cell (they otherwise only read), or an administrator."""
    scope = scope_for(user)
    return scope.superuser or any(g.role == Role.PROVINCE_STAFF and g.covers(org.path) for g in scope.grants)


# --- API tokens -------------------------------------------------------------------------
# A person sees and revokes only their own tokens (the administrator uses `chibo apitoken`).

def own_api_tokens(user: Any) -> QuerySet[Any]:
    from chibo.accounts.models import ApiToken

    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)


def get_own_api_token(user: Any, pk: Any) -> Any:
    token = own_api_tokens(user).select_related("user").filter(pk=pk).first() if str(pk).isdigit() else None
    if token is None:
        raise Http404
    return token


# --- Accounts administration -------------------------------------------------------------------
# Commune and province staff administer the accounts of the people in their subtree (members of
# its cells, and anyone holding a role on it); an administrator, every account. An account that
# holds a role its viewer could not grant — a higher one, or one elsewhere — or an administrator's
# is not theirs to open (404): otherwise a commune clerk could reset a province officer's
# password because the officer's party membership is kept in a cell of the commune.

ACCOUNT_ADMIN_ROLES = {Role.COMMUNE_STAFF, Role.PROVINCE_STAFF}
_RANK: dict[str, int] = {Role.CELL_COMMITTEE: 1, Role.COMMUNE_STAFF: 2, Role.PROVINCE_STAFF: 3}


def may_administer_accounts(user: Any) -> bool:
    scope = scope_for(user)
    return scope.superuser or any(g.role in ACCOUNT_ADMIN_ROLES for g in scope.grants)


def accounts(user: Any) -> QuerySet[Any]:
    from chibo.accounts.models import User

    scope = scope_for(user)
    if scope.superuser:
        return User.objects.all()
    admin = [g for g in scope.grants if g.role in ACCOUNT_ADMIN_ROLES]
    if not admin:
        return User.objects.none()
    reach = Q(pk__in=[])
    grantable = Q(pk__in=[])
    for g in admin:
        subtree = {"path__gte": g.org.path, "path__lt": g.org.path + PATH_END}
        member_orgs = Organisation.objects.filter(**subtree).values("pk")
        reach |= Q(person__membership__organisation__in=member_orgs) | Q(roles__organisation__in=member_orgs)
        grantable |= Q(organisation__in=member_orgs, role__in=[r for r, n in _RANK.items() if n <= _RANK[g.role]])
    not_theirs = RoleAssignment.objects.active_on(today()).exclude(grantable).values("user_id")
    return (User.objects.filter(pk__in=User.objects.filter(reach).values("pk"))
            .exclude(is_superuser=True).exclude(pk__in=not_theirs))


def get_account(user: Any, pk: Any) -> Any:
    """An account the user administers (404 otherwise, and for anyone who administers none)."""
    account = accounts(user).select_related("person").filter(pk=pk).first() if str(pk).isdigit() else None
    if account is None:
        raise Http404
    return account


def get_account_person(user: Any, pk: Any) -> Person:
    """A member to open an account for: one whose record the user administers accounts for."""
    if not may_administer_accounts(user) or not str(pk).isdigit():
        raise Http404
    scope = scope_for(user)
    m = Membership.objects.select_related("organisation", "person").filter(person_id=pk).first()
    if m is None or not (scope.superuser or any(g.role in ACCOUNT_ADMIN_ROLES and g.covers(m.organisation.path)
                                                 for g in scope.grants)):
        raise Http404
    return m.person


def get_account_role(user: Any, account: Any, pk: Any) -> RoleAssignment:
    ra = RoleAssignment.objects.select_related("organisation").filter(user=account, pk=pk).first() \
        if str(pk).isdigit() else None
    if ra is None:
        raise Http404
    return ra


def get_onboarding_organisation(user: Any, code: str) -> Organisation:
    """A cell (or party group) whose members' accounts the user may open and print slips for:
    its committee and the commune staff above it (those who write for it)."""
    org = get_organisation(user, code)
    if not org.holds_members or not scope_for(user).writes_org(org):
        raise Http404
    return org
