"""The document library (issue 5, point 6): the documents you may read (with your own read
receipt), publishing and correcting one, marking one read, and — for those who follow the
reading up — who has not read it yet.

The same rules as chibo.api.members: every object comes through chibo.access (404 outside the
user's scope, 403 when visible but not allowed), input is checked field by field (400
invalid), and a write is one service call. Files are attached in the web pages (as for
resolutions); the API gives their name."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from chibo import access
from chibo.api.core import (
    PAGE,
    Day,
    Empty,
    In,
    Moment,
    Q,
    choice,
    code,
    date,
    enum,
    invalid,
    paginated,
    query_flag,
    responses,
    text,
)
from chibo.documents import selectors
from chibo.documents import services as document_services
from chibo.documents.models import Document, Receipt
from chibo.documents.services import MAX_SUMMARY
from chibo.members.models import Membership
from chibo.organisations.models import Organisation

router = Router(tags=["documents"])


class DocumentOut(Schema):
    """select_related: organisation; annotated with `read_at` (selectors.with_receipt); handlers
    set `api_membership`, the reader's own membership."""

    id: int
    organisation: str = Field(alias="organisation.code", description="code of the organisation it is distributed to")
    organisation_name: str = Field(alias="organisation.name")
    issuer: str
    number: str
    kind: str = Field(json_schema_extra=enum(Document.Kind.values))
    issued_on: Day
    title: str
    summary: str
    file_name: str
    for_me: bool = Field(description="addressed to you: you are a member of its organisation or below it")
    read_at: Moment | None = Field(description="when you read it (null: not yet, or not addressed to you)")

    @staticmethod
    def resolve_for_me(d: Document) -> bool:
        m: Membership | None = d.api_membership  # type: ignore[attr-defined]
        return m is not None and m.organisation.path.startswith(d.organisation.path)

    @staticmethod
    def resolve_read_at(d: Document) -> Any:
        return getattr(d, "read_at", None) if DocumentOut.resolve_for_me(d) else None


class Reading(Schema):
    read: int
    expected: int = Field(description="members followed up who are not exempt")
    organisations: list[str]


class DocumentDetail(DocumentOut):
    can_write: bool
    reading: Reading | None = Field(description="only for those who follow the reading up")

    @staticmethod
    def resolve_can_write(d: Document, context: Any) -> bool:
        return access.may_publish_document(context["request"].user, d.organisation)

    @staticmethod
    def resolve_reading(d: Document, context: Any) -> dict[str, Any] | None:
        orgs = access.follow_up_orgs(context["request"].user, d)
        if not orgs:
            return None
        read, expected = selectors.read_summary(d, orgs)
        return {"read": read, "expected": expected, "organisations": [o.code for o in orgs]}


class DocumentUpdate(In):
    """Only the fields sent are changed."""

    issuer: text(200) = Field(None, description="the issuing body, e.g. Ban Bí thư Trung ương")
    number: text(50) = Field(None, examples=["339-QĐ/TW"])
    kind: choice(Document.Kind.values) = None
    issued_on: date() = None
    title: text(300) = None
    summary: text(MAX_SUMMARY) = None


class DocumentCreate(DocumentUpdate):
    organisation: code("the organisation it is distributed to")


class ReadReceipt(Schema):
    document: int = Field(alias="document_id")
    read_at: Moment


class UnreadMember(Schema):
    member: int = Field(alias="pk")
    person: int = Field(alias="person_id")
    full_name: str = Field(alias="person.full_name")
    organisation: str = Field(alias="organisation.code")
    organisation_name: str = Field(alias="organisation.name")


class UnreadList(Reading):
    count: int
    page: int
    pages: int
    results: list[UnreadMember]


class DocumentList(Schema):
    count: int
    page: int
    pages: int
    results: list[DocumentOut]


def _membership(user: Any) -> Membership | None:
    return access.scope_for(user).own_membership


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


def _document(user: Any, pk: int) -> Document:
    d = access.get_document(user, pk)
    m = _membership(user)
    receipt = Receipt.objects.filter(document=d, person_id=m.person_id).first() if m is not None else None
    d.read_at = receipt.read_at if receipt else None  # type: ignore[attr-defined]
    d.api_membership = m  # type: ignore[attr-defined]
    return d


@router.get("documents/", response=responses(DocumentList, 200, 400), url_name="documents",
            summary="Documents you may read, 25 a page, newest first; `read_at` is when you read one addressed to you")
def document_list(request: HttpRequest,
                  q: str = Q("number, title or issuing body (accents and punctuation optional: \"339 qd\")"),
                  kind: str = Q("only documents of this kind", {"enum": Document.Kind.values}),
                  org: str = Q("only documents distributed to the organisation with this code"),
                  mine: str = Q("1: only documents addressed to you (\"documents for me\")"),
                  unread: str = Q("1: only documents addressed to you that you have not read"),
                  page: str = PAGE) -> Any:
    user = request.user
    kind = kind.strip()
    if kind and kind not in Document.Kind.values:
        raise invalid("kind", _("Give one of: %(choices)s.") % {"choices": ", ".join(Document.Kind.values)})
    only_mine, only_unread = query_flag("mine", mine), query_flag("unread", unread)
    m = _membership(user)
    qs = selectors.with_receipt(access.documents(user).select_related("organisation"), m.person_id if m else None)
    if q.strip():
        qs = selectors.search(qs, q.strip())
    if kind:
        qs = qs.filter(kind=kind)
    if org.strip():
        qs = qs.filter(organisation__code=org.strip())
    if only_mine or only_unread:
        qs = qs.filter(selectors.reaching(m.organisation)) if m is not None else qs.none()
    if only_unread:
        qs = qs.filter(read_at__isnull=True)

    def rows(documents: list[Document]) -> list[Document]:
        for d in documents:
            d.api_membership = m  # type: ignore[attr-defined]
        return documents
    return paginated(page, qs.order_by("-issued_on", "-id"), rows)


@router.get("documents/{int:id}/", response=responses(DocumentDetail, 200, 404), url_name="document",
            summary="A document, with your own read receipt and, for those who follow the reading up, how many of "
                    "their members have read it")
def document_detail(request: HttpRequest, id: int) -> Any:
    return _document(request.user, id)


@router.post("documents/", response=responses(DocumentDetail, 201, 400, 403), url_name="documents",
             summary="Publish a document to an organisation and everything under it; each member it reaches is told "
                     "(files are attached in the web pages)")
def document_create(request: HttpRequest, payload: DocumentCreate) -> Any:
    data = payload.sent()
    data["organisation"] = _publisher(request.user, data.get("organisation"))
    d = document_services.document_publish(actor=request.user, **data)
    return Status(201, _document(request.user, d.pk))


@router.patch("documents/{int:id}/", response=responses(DocumentDetail, 200, 400, 403, 404), url_name="document",
              summary="Correct a document (it stays with the organisation it was distributed to)")
def document_update(request: HttpRequest, id: int, payload: DocumentUpdate) -> Any:
    d = access.get_document(request.user, id, write=True)
    document_services.document_update(d, actor=request.user, **payload.sent())
    return _document(request.user, d.pk)


@router.post("documents/{int:id}/read/", response=responses(ReadReceipt, 200, 400, 403, 404),
             url_name="document-read",
             summary="Mark a document read, with an empty JSON object as body; marking it again keeps the first time. "
                     "Only for members it is addressed to (403 for others who may read it)")
def document_read(request: HttpRequest, id: int, payload: Empty) -> Any:
    d = access.get_document(request.user, id)
    payload.sent()  # {}: any field is refused
    if not access.is_addressee(request.user, d):
        raise PermissionDenied
    return document_services.document_mark_read(d, actor=request.user)


@router.get("documents/{int:id}/unread/", response=responses(UnreadList, 200, 400, 403, 404),
            url_name="document-unread",
            summary="Who has not read the document yet among the members you follow up (the document's organisation "
                    "for those who write for it; a cell's committee: its cell), by cell and name, 25 a page — for "
                    "reminding them, never for ranking. Exempt members are left out")
def unread_list(request: HttpRequest, id: int, page: str = PAGE) -> Any:
    d, orgs = access.get_document_follow_up(request.user, id)
    read, expected = selectors.read_summary(d, orgs)
    return {**paginated(page, selectors.unread_members(d, orgs)), "read": read, "expected": expected,
            "organisations": [o.code for o in orgs]}
