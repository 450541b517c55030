"""Pages for the document library and study sessions: the library with accent-insensitive
search, "documents for me" (phone first, one tap to mark a document read), a document with
its file, who has not read it (for the committee's follow-up), and study sessions with each
participant's reflection. Objects come only through chibo.access; writes only through
chibo.documents.services; an htmx request gets the fragment that changes from the same view."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chibo import access
from chibo.core.dates import today
from chibo.documents import selectors, services
from chibo.documents.forms import (
    DocumentFilterForm,
    DocumentForm,
    ReflectionForm,
    SessionFilterForm,
    StudySessionForm,
)
from chibo.documents.models import Document, Receipt, StudySession
from chibo.organisations.models import Organisation
from chibo.web.downloads import stored_file
from chibo.web.pages import paginate
from chibo.web.views import _template

UNREAD_PAGE = 100


def _posted(request: HttpRequest) -> tuple[Any, Any]:
    """A form's data and files: bound on every POST (an empty one too), unbound on GET."""
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _membership(user: Any) -> Any:
    return access.scope_for(user).own_membership


def _mark_for_me(docs: list[Document], membership: Any) -> list[Document]:
    """Whether each document is addressed to the user (its read status then means something)."""
    for d in docs:
        d.for_me = membership is not None and membership.organisation.path.startswith(  # type: ignore[attr-defined]
            d.organisation.path)
    return docs


# --- The library ------------------------------------------------------------------------------

@login_required
def document_list(request: HttpRequest) -> HttpResponse:
    visible = access.documents(request.user)
    orgs = Organisation.objects.filter(pk__in=visible.values("organisation_id")).order_by("path").only(
        "code", "name", "path")
    form = DocumentFilterForm(request.GET or None, orgs=orgs)
    data = form.cleaned_data if form.is_valid() else {}
    m = _membership(request.user)
    qs = selectors.with_receipt(visible.select_related("organisation"), m.person_id if m else None)
    if data.get("q"):
        qs = selectors.search(qs, data["q"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("org"):
        qs = qs.filter(organisation__code=data["org"])
    page = paginate(request, qs.order_by("-issued_on", "-id"), settings.CHIBO_PAGE_SIZE)
    _mark_for_me(list(page.object_list), m)
    params = request.GET.copy()
    params.pop("page", None)
    publishers = access.document_publishers(request.user)
    publisher = (publishers.filter(code=data["org"]).first() if data.get("org") else None) or publishers.order_by(
        "depth", "sort_key").first()
    context = {"form": form, "page": page, "query": params.urlencode(), "publisher": publisher, "tab": "library"}
    return render(request, _template(request, "documents/library.html", "documents/_document_results.html"), context)


@login_required
def my_documents(request: HttpRequest) -> HttpResponse:
    m = _membership(request.user)
    mine = selectors.my_documents(access.documents(request.user), m)
    _mark_for_me(mine.to_read + mine.read, m)
    return render(request, "documents/my_documents.html", {"mine": mine, "membership": m, "tab": "mine"})


# --- One document -------------------------------------------------------------------------------

@login_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    doc = access.get_document(request.user, pk)
    m = _membership(request.user)
    addressee = access.is_addressee(request.user, doc)
    receipt = Receipt.objects.filter(document=doc, person_id=m.person_id).first() if addressee else None
    orgs = access.follow_up_orgs(request.user, doc)
    read, expected = selectors.read_summary(doc, orgs) if orgs else (0, 0)
    sessions = list(access.study_sessions(request.user).filter(documents=doc).select_related("organisation")
                    .order_by("-held_on", "-id")[:20])
    return render(request, "documents/document.html", {
        "doc": doc, "addressee": addressee, "receipt": receipt, "follow_up": orgs, "read": read,
        "follow_up_names": ", ".join(o.name for o in orgs),
        "expected": expected, "sessions": sessions, "can_write": access.may_publish_document(request.user, doc.organisation),
        "hold_org": next((o for o in orgs if access.may_hold_study_session(request.user, o)), None),
        "tab": "library"})


@login_required
@require_POST
def document_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a document read (idempotent): "documents for me" posts here with one tap and gets
    its card back (htmx); a plain form goes back where it came from."""
    doc = access.get_document(request.user, pk)
    if not access.is_addressee(request.user, doc):
        raise PermissionDenied
    try:
        receipt = services.document_mark_read(doc, actor=request.user)
    except ValidationError as exc:  # the membership changed since the page was drawn
        messages.error(request, " ".join(exc.messages))
        return redirect("document", pk=doc.pk)
    origin = request.POST.get("from", "")
    if origin == "card" and getattr(request, "htmx", False):
        doc.read_at = receipt.read_at  # type: ignore[attr-defined]
        doc.for_me = True  # type: ignore[attr-defined]
        return render(request, "documents/_document_card.html", {"d": doc, "message": _("Marked as read.")})
    messages.success(request, _("Marked as read."))
    if origin in ("card", "list"):
        return redirect("my-documents")
    return redirect("document", pk=doc.pk)


@login_required
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    doc = access.get_document(request.user, pk)
    return stored_file(request, doc.file, doc.file_name, obj=doc, org_path=doc.organisation.path,
                       note=_("Attached file downloaded: %(name)s") % {"name": doc.file_name})


@login_required
def document_unread(request: HttpRequest, pk: int) -> HttpResponse:
    """Who has not read the document yet, among the members the user looks after — for
    reminding them in person, never shown as a ranking."""
    doc, orgs = access.get_document_follow_up(request.user, pk)
    page = paginate(request, selectors.unread_members(doc, orgs), UNREAD_PAGE)
    read, expected = selectors.read_summary(doc, orgs)
    return render(request, "documents/unread.html", {"doc": doc, "orgs": orgs, "page": page, "read": read,
                                                     "expected": expected, "tab": "library"})


# --- Publishing -----------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest) -> HttpResponse:
    publishers = access.document_publishers(request.user)
    initial: dict[str, Any] = {"issued_on": today()}
    if request.GET.get("org"):
        initial["organisation"] = access.get_document_publisher(request.user, request.GET["org"]).pk
    elif not publishers.exists():
        raise PermissionDenied
    form = DocumentForm(*_posted(request), initial=initial, publishers=publishers)
    if (doc := form.written(
            request, lambda: services.document_publish(actor=request.user, file=form.upload(), **form.document_data()),
            lambda doc: _("%(number)s was added to the library. The members of %(org)s were told.") % {"number": doc.number, "org": doc.organisation.name})) is not None:
        return redirect("document", pk=doc.pk)
    return render(request, "documents/document_form.html", {
        "form": form, "title": _("New document"), "back": reverse("documents"), "tab": "library"},
        status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    doc = access.get_document(request.user, pk, write=True)
    initial = {f: getattr(doc, f) for f in ("kind", "number", "issuer", "issued_on", "title", "summary")}
    form = DocumentForm(*_posted(request), initial=initial,
                        publishers=access.document_publishers(request.user), editing=True)
    if form.written(
            request, lambda: services.document_update(doc, actor=request.user, file=form.upload(), **form.document_data()),
            _("Changes saved.")) is not None:
        return redirect("document", pk=doc.pk)
    return render(request, "documents/document_form.html", {
        "form": form, "doc": doc, "title": _("Correct %(number)s") % {"number": doc.number},
        "back": reverse("document", args=[doc.pk]), "tab": "library"}, status=400 if form.errors else 200)


# --- Study sessions -------------------------------------------------------------------------------

@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    form = SessionFilterForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    qs = selectors.study_rows(access.study_sessions(request.user))
    for word in services.search_words(q).split()[:8]:
        qs = qs.filter(search_text__contains=word)
    page = paginate(request, qs.order_by("-held_on", "-id"), settings.CHIBO_PAGE_SIZE)
    params = request.GET.copy()
    params.pop("page", None)
    holder = access.document_publishers(request.user).order_by("depth", "sort_key").first()
    context = {"form": form, "page": page, "query": params.urlencode(), "holder": holder, "tab": "study"}
    return render(request, _template(request, "documents/sessions.html", "documents/_session_results.html"), context)


def _session_form(request: HttpRequest, org: Organisation, session: StudySession | None = None,
                  initial: dict[str, Any] | None = None) -> StudySessionForm:
    also = list(session.documents.values_list("pk", flat=True)) if session else []
    documents = selectors.session_documents(access.documents(request.user).select_related("organisation"), org,
                                            also=also)
    data = request.POST if request.method == "POST" else None
    return StudySessionForm(data, initial=initial, documents=documents, members=selectors.session_members(org))


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("org", "")
    if not code:
        first = access.document_publishers(request.user).order_by("depth", "sort_key").first()
        if first is None:
            raise PermissionDenied
        code = first.code
    org = access.get_document_publisher(request.user, code)
    initial: dict[str, Any] = {"held_on": today()}
    if request.GET.get("document", "").isdigit():
        initial["documents"] = [request.GET["document"]]
    form = _session_form(request, org, initial=initial)
    if (session := form.written(
            request, lambda: services.study_session_create(actor=request.user, organisation=org, **form.session_data()),
            _("The study session was recorded. Its participants can now write their reflections."))) is not None:
        return redirect("study-session", pk=session.pk)
    return render(request, "documents/session_form.html", {
        "form": form, "org": org, "title": _("New study session of %(org)s") % {"org": org.name},
        "back": reverse("study-sessions"), "tab": "study"}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_study_session(request.user, pk, write=True)
    initial = {"title": session.title, "held_on": session.held_on, "place": session.place, "summary": session.summary,
               "documents": [str(pk) for pk in session.documents.values_list("pk", flat=True)],
               "participants": [str(pk) for pk in session.participants.values_list("person_id", flat=True)]}
    form = _session_form(request, session.organisation, session, initial)
    if form.written(
            request, lambda: services.study_session_update(session, actor=request.user, **form.session_data()),
            _("Changes saved.")) is not None:
        return redirect("study-session", pk=session.pk)
    return render(request, "documents/session_form.html", {
        "form": form, "org": session.organisation, "session": session, "title": _("Change the study session"),
        "back": reverse("study-session", args=[session.pk]), "tab": "study"}, status=400 if form.errors else 200)


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_study_session(request.user, pk)
    person_id = getattr(request.user, "person_id", None)
    participants = list(session.participants.select_related("person__membership__organisation")
                        .order_by("person__sort_key", "pk"))
    own = next((p for p in participants if person_id is not None and p.person_id == person_id), None)
    return render(request, "documents/session.html", {
        "session": session, "participants": participants, "own": own,
        "documents": list(session.documents.select_related("organisation").order_by("-issued_on", "-id")),
        "reads_all": access.may_read_reflections(request.user, session),
        "written": sum(1 for p in participants if p.reflection),
        "can_edit": access.may_hold_study_session(request.user, session.organisation),
        "form": ReflectionForm(initial={"reflection": own.reflection}) if own else None,
        "held": session.held_on <= today(), "tab": "study"})


@login_required
@require_http_methods(["GET", "POST"])
def session_reflection(request: HttpRequest, pk: int) -> HttpResponse:
    """A participant writes their own reflection; htmx gets the reflection block back."""
    session = access.get_study_session(request.user, pk)
    own = access.get_participation(request.user, session)
    form = ReflectionForm(request.POST if request.method == "POST" else None, initial={"reflection": own.reflection})
    saved = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.reflection_write(own, actor=request.user, reflection=form.cleaned_data["reflection"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            saved = _("Your reflection was saved.")
            if not getattr(request, "htmx", False):
                messages.success(request, saved)
                return redirect("study-session", pk=session.pk)
            form = ReflectionForm(initial={"reflection": own.reflection})
    context = {"session": session, "own": own, "form": form, "saved": saved, "held": session.held_on <= today(),
               "tab": "study"}
    template = "documents/_reflection.html" if getattr(request, "htmx", False) else "documents/reflection.html"
    return render(request, template, context, status=400 if form.errors else 200)
