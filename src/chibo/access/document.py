"""Documents distributed to organisations, and study sessions with their reflections."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from chibo.access.plan import resolution_issuers
from chibo.access.scope import Viewer, _deny_or_404, one, reach_filter, scope_for
from chibo.documents.models import Document, Participant, StudySession
from chibo.organisations.models import Organisation

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

def documents(user: Viewer) -> QuerySet[Document]:
    scope = scope_for(user)
    q = reach_filter(scope, "organisation__")
    if not scope.superuser and getattr(user, "pk", None) is not None:
        q |= Q(created_by_id=user.pk)
    return Document.objects.filter(q)


def get_document(user: Viewer, pk: int | str, *, write: bool = False) -> Document:
    doc = one(documents(user).select_related("organisation"), pk)
    if write:
        _deny_or_404(True, may_publish_document(user, doc.organisation))
    return doc


def may_publish_document(user: Viewer, org: Organisation) -> bool:
    """Documents are distributed to an organisation by those who write for it."""
    return scope_for(user).writes_org(org)


def document_publishers(user: Viewer) -> QuerySet[Organisation]:
    """Active organisations the user may distribute documents to or hold study sessions for
    (a party group gets its documents through its cell)."""
    return resolution_issuers(user)


def get_document_publisher(user: Viewer, code: str) -> Organisation:
    """The organisation a new document (or study session) is for: 404 when its documents do
    not reach the user, 403 when the user sees them but may not publish for it."""
    org = Organisation.objects.filter(code=code).first()
    visible = org is not None and Organisation.objects.filter(reach_filter(scope_for(user), ""), pk=org.pk).exists()
    _deny_or_404(visible, org is not None and document_publishers(user).filter(pk=org.pk).exists())
    assert org is not None
    return org


def is_addressee(user: Viewer, document: Document) -> bool:
    """Is the document addressed to the user — a current member inside its subtree? Only
    addressees mark a document read."""
    m = scope_for(user).own_membership
    return m is not None and m.organisation.path.startswith(document.organisation.path)


def follow_up_orgs(user: Viewer, document: Document) -> list[Organisation]:
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


def get_document_follow_up(user: Viewer, pk: int | str) -> tuple[Document, list[Organisation]]:
    """A document and the organisations whose unread members the user may list (404 outside
    the scope, 403 for a reader who follows nobody up)."""
    doc = get_document(user, pk)
    orgs = follow_up_orgs(user, doc)
    _deny_or_404(True, bool(orgs))
    return doc, orgs


def study_sessions(user: Viewer) -> QuerySet[StudySession]:
    scope = scope_for(user)
    if scope.superuser:
        return StudySession.objects.all()
    q = reach_filter(scope, "organisation__")
    person_id = getattr(user, "person_id", None)
    if person_id is not None:
        q |= Q(pk__in=Participant.objects.filter(person_id=person_id).values("session_id"))
    return StudySession.objects.filter(q)


def get_study_session(user: Viewer, pk: int | str, *, write: bool = False) -> StudySession:
    session = one(study_sessions(user).select_related("organisation"), pk)
    if write:
        _deny_or_404(True, may_hold_study_session(user, session.organisation))
    return session


def may_hold_study_session(user: Viewer, org: Organisation) -> bool:
    """Study sessions are recorded (participants included) by those who write for the organisation."""
    return scope_for(user).writes_org(org)


def may_read_reflections(user: Viewer, session: StudySession) -> bool:
    """Every participant's reflection is read by those whose scope holds the organisation;
    a participant always reads their own."""
    return scope_for(user).sees_org(session.organisation)


def get_participation(user: Viewer, session: StudySession) -> Participant:
    """The user's own place among a session's participants, where they write their
    reflection: 403 for someone who did not take part."""
    person_id = getattr(user, "person_id", None)
    own = session.participants.select_related("person").filter(person_id=person_id).first() if person_id else None
    if own is None:
        raise PermissionDenied
    return own
