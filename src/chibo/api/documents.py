"""The JSON API's handlers for the document library (issue 5, point 6): the documents you may
read (with your own read receipt), publishing and correcting one, marking one read, and — for
those who follow the reading up — who has not read it yet.

The same rules as chibo.api.views: every object comes through chibo.access (404 outside the
user's scope, 403 when visible but not allowed), input types are checked field by field
(400 invalid), and a write is one service call. Files are attached in the web pages (as for
resolutions); the API gives their name. `schemas()` holds this module's OpenAPI components."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from chibo import access
from chibo.api.auth import ok
from chibo.api.schema import BOOL, CODE, DATE_IN, DATE_OUT, INT, STR, _null, _obj, _page_of, _ref
from chibo.api.serializers import datetime_iso, iso
from chibo.api.views import (
    Param,
    Parser,
    _query_flag,
    choice,
    code,
    date,
    doc,
    invalid,
    paginated,
    parse,
    text,
)
from chibo.documents import selectors
from chibo.documents import services as document_services
from chibo.documents.models import Document, Receipt
from chibo.documents.services import MAX_SUMMARY
from chibo.members.models import Membership
from chibo.organisations.models import Organisation

PAGE = Param("page", "page number, from 1", {"type": "integer", "minimum": 1})
DOCUMENT_SPEC: dict[str, Parser] = {
    "issuer": text(200), "number": text(50), "kind": choice(Document.Kind.values), "issued_on": date(),
    "title": text(300), "summary": text(MAX_SUMMARY),
}
DOCUMENT_CREATE_SPEC = {"organisation": code, **DOCUMENT_SPEC}


# --- Output ---------------------------------------------------------------------------------

def document_to_dict(d: Document, membership: Membership | None) -> dict[str, Any]:
    """select_related: organisation; annotated with `read_at` (selectors.with_receipt)."""
    for_me = membership is not None and membership.organisation.path.startswith(d.organisation.path)
    return {
        "id": d.pk, "organisation": d.organisation.code, "organisation_name": d.organisation.name,
        "issuer": d.issuer, "number": d.number, "kind": d.kind, "issued_on": iso(d.issued_on), "title": d.title,
        "summary": d.summary, "file_name": d.file_name, "for_me": for_me,
        "read_at": datetime_iso(getattr(d, "read_at", None)) if for_me else None,
    }


def _member_row(m: Membership) -> dict[str, Any]:
    return {"member": m.pk, "person": m.person_id, "full_name": m.person.full_name,
            "organisation": m.organisation.code, "organisation_name": m.organisation.name}


def _membership(user: Any) -> Membership | None:
    return access.scope_for(user).own_membership


# --- Input ----------------------------------------------------------------------------------

def _publisher(user: Any, org_code: str | None) -> Organisation:
    """The organisation a new document is distributed to: 400 when its documents do not reach
    the user, 403 when the user sees them but may not publish for it."""
    if org_code is None:
        raise invalid("organisation", _("This field is required. Add it to the request."))
    try:
        return access.get_document_publisher(user, org_code)
    except Http404:
        raise invalid("organisation", _("No party organisation with the code %(code)s within your scope. "
                                        "Use a code listed by /api/v1/organisations/.") % {"code": org_code}) from None


# --- Handlers -------------------------------------------------------------------------------

@doc("Documents you may read, 25 a page, newest first; `read_at` is when you read one addressed to you",
     "documents", "DocumentList", errors=(400, 401),
     query=(Param("q", "number, title or issuing body (accents and punctuation optional: \"339 qd\")"),
            Param("kind", "only documents of this kind", {"type": "string", "enum": Document.Kind.values}),
            Param("org", "only documents distributed to the organisation with this code"),
            Param("mine", "1: only documents addressed to you (\"documents for me\")",
                  {"type": "integer", "enum": [0, 1]}),
            Param("unread", "1: only documents addressed to you that you have not read",
                  {"type": "integer", "enum": [0, 1]}),
            PAGE))
def document_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    kind = request.GET.get("kind", "").strip()
    if kind and kind not in Document.Kind.values:
        raise invalid("kind", _("Give one of: %(choices)s.") % {"choices": ", ".join(Document.Kind.values)})
    mine, unread = _query_flag(request, "mine"), _query_flag(request, "unread")
    m = _membership(user)
    qs = selectors.with_receipt(access.documents(user).select_related("organisation"), m.person_id if m else None)
    if q := request.GET.get("q", "").strip():
        qs = selectors.search(qs, q)
    if kind:
        qs = qs.filter(kind=kind)
    if org_code := request.GET.get("org", "").strip():
        qs = qs.filter(organisation__code=org_code)
    if mine or unread:
        qs = qs.filter(selectors.reaching(m.organisation)) if m is not None else qs.none()
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return ok(paginated(request, qs.order_by("-issued_on", "-id"),
                        lambda rows: [document_to_dict(d, m) for d in rows]))


def _document_response(user: Any, pk: int, status: int = 200) -> HttpResponse:
    d = access.get_document(user, pk)
    m = _membership(user)
    receipt = Receipt.objects.filter(document=d, person_id=m.person_id).first() if m is not None else None
    d.read_at = receipt.read_at if receipt else None  # type: ignore[attr-defined]
    orgs = access.follow_up_orgs(user, d)
    reading = None
    if orgs:
        read, expected = selectors.read_summary(d, orgs)
        reading = {"read": read, "expected": expected, "organisations": [o.code for o in orgs]}
    return ok({**document_to_dict(d, m), "can_write": access.may_publish_document(user, d.organisation),
               "reading": reading}, status=status)


@doc("A document, with your own read receipt and, for those who follow the reading up, how many of "
     "their members have read it", "documents", "DocumentDetail")
def document_detail(request: HttpRequest, id: int) -> HttpResponse:
    return _document_response(request.user, id)


@doc("Publish a document to an organisation and everything under it; each member it reaches is told "
     "(files are attached in the web pages)", "documents", "DocumentDetail", status=201, body="DocumentCreate",
     errors=(400, 401, 403))
def document_create(request: HttpRequest) -> HttpResponse:
    data = parse(request.json, DOCUMENT_CREATE_SPEC, ("organisation",))  # type: ignore[attr-defined]
    data["organisation"] = _publisher(request.user, data.get("organisation"))
    d = document_services.document_publish(actor=request.user, **data)
    return _document_response(request.user, d.pk, status=201)


@doc("Correct a document (it stays with the organisation it was distributed to)", "documents", "DocumentDetail",
     body="DocumentUpdate", errors=(400, 401, 403, 404))
def document_update(request: HttpRequest, id: int) -> HttpResponse:
    d = access.get_document(request.user, id, write=True)
    data = parse(request.json, DOCUMENT_SPEC)  # type: ignore[attr-defined]
    document_services.document_update(d, actor=request.user, **data)
    return _document_response(request.user, d.pk)


@doc("Mark a document read, with an empty JSON object as body; marking it again keeps the first time. Only "
     "for members it is addressed to (403 for others who may read it)", "documents", "ReadReceipt",
     body="ReadMark", errors=(400, 401, 403, 404))
def document_read(request: HttpRequest, id: int) -> HttpResponse:
    d = access.get_document(request.user, id)
    parse(request.json, {})  # type: ignore[attr-defined]
    if not access.is_addressee(request.user, d):
        raise PermissionDenied
    receipt = document_services.document_mark_read(d, actor=request.user)
    return ok({"document": d.pk, "read_at": datetime_iso(receipt.read_at)})


@doc("Who has not read the document yet among the members you follow up (the document's organisation for "
     "those who write for it; a cell's committee: its cell), by cell and name, 25 a page — for reminding them, "
     "never for ranking. Exempt members are left out", "documents", "UnreadList", errors=(400, 401, 403, 404),
     query=(PAGE,))
def unread_list(request: HttpRequest, id: int) -> HttpResponse:
    d, orgs = access.get_document_follow_up(request.user, id)
    read, expected = selectors.read_summary(d, orgs)
    page = paginated(request, selectors.unread_members(d, orgs), lambda rows: [_member_row(m) for m in rows])
    return ok({**page, "read": read, "expected": expected, "organisations": [o.code for o in orgs]})


# --- OpenAPI components ------------------------------------------------------------------------

def schemas() -> dict[str, Any]:
    """The component schemas of these endpoints (chibo.api.schema adds them to the document)."""
    document_in = {
        "issuer": {**STR, "maxLength": 200, "description": "the issuing body, e.g. Ban Bí thư Trung ương"},
        "number": {**STR, "maxLength": 50, "examples": ["339-QĐ/TW"]},
        "kind": {**STR, "enum": Document.Kind.values}, "issued_on": DATE_IN, "title": {**STR, "maxLength": 300},
        "summary": {**STR, "maxLength": MAX_SUMMARY},
    }
    document = _obj({
        "id": INT, "organisation": {**STR, "description": "code of the organisation it is distributed to"},
        "organisation_name": STR, "issuer": STR, "number": STR, "kind": {**STR, "enum": Document.Kind.values},
        "issued_on": DATE_OUT, "title": STR, "summary": STR, "file_name": STR,
        "for_me": {**BOOL, "description": "addressed to you: you are a member of its organisation or below it"},
        "read_at": _null({**STR, "format": "date-time", "description": "when you read it (null: not yet, or not "
                                                                        "addressed to you)"}),
    })
    member = _obj({"member": INT, "person": INT, "full_name": STR, "organisation": STR, "organisation_name": STR})
    counts = {"read": INT, "expected": {**INT, "description": "members followed up who are not exempt"},
              "organisations": {"type": "array", "items": STR}}
    return {
        "Document": document,
        "DocumentList": _page_of("Document"),
        "DocumentDetail": {"allOf": [document, _obj({
            "can_write": BOOL,
            "reading": {"oneOf": [{"type": "null"}, _obj(counts, ["read", "expected", "organisations"])],
                        "description": "only for those who follow the reading up"}})]},
        "DocumentCreate": _obj({"organisation": {**CODE, "description": "the organisation it is distributed to"},
                                **document_in}, ["organisation"], additionalProperties=False),
        "DocumentUpdate": _obj(document_in, additionalProperties=False, description="Only the fields sent are changed."),
        "ReadMark": _obj({}, additionalProperties=False, description="an empty object: {}"),
        "ReadReceipt": _obj({"document": INT, "read_at": {**STR, "format": "date-time"}}, ["document", "read_at"]),
        "UnreadMember": member,
        "UnreadList": _obj({"count": INT, "page": INT, "pages": INT,
                            "results": {"type": "array", "items": _ref("UnreadMember")}, **counts},
                           ["count", "page", "pages", "results", "read", "expected"]),
    }
