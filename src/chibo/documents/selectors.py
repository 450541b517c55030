"""Reads for the document library: search, "documents for me" with the member's own
receipts, who has not read a document (for the committee's follow-up), and the read counts
behind the indicator `documents_read_pct` — each in a fixed number of queries.

**`read_counts(org, start, end) -> (read, expected)`** (for `documents_read_pct` = read ÷
expected × 100 when expected > 0):

- the documents are those issued from `start` to `end` (both included) and distributed to an
  organisation that reaches `org`'s subtree: `org` itself or one above it (they reach every
  member of the subtree), or one inside it (they reach the members of that part only);
- the members are the current (probationary or official) members of `org`'s subtree who are
  not exempt from party work (QĐ 339-QĐ/TW leaves exempt members out of the handbook),
  counted where they are today, temporary-activity members included;
- `expected` is the number of (member, document) pairs where the document reaches the member;
- `read` is how many of those pairs have a read receipt (read at any time up to now).

So a member who moved from another cell counts for the documents that reach their new cell,
and documents sent to one cell do not lower another cell's figure. Three queries at most,
plus one per level at which documents were sent inside `org` (at most four)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, DateTimeField, F, OuterRef, Q, QuerySet, Subquery, Value

from chibo.documents.models import Document, Receipt
from chibo.documents.services import search_words
from chibo.members.models import Membership
from chibo.organisations.models import LEVEL_OF_KIND, Organisation


def search(qs: QuerySet[Document], q: str) -> QuerySet[Document]:
    """Accent-insensitive: every word of `q` must occur in the number, title or issuer."""
    for word in search_words(q).split()[:8]:
        qs = qs.filter(search_text__contains=word)
    return qs


def reaching(org: Organisation, prefix: str = "organisation__") -> Q:
    """Distributed to `org` or an organisation above it: what reaches every member of `org`."""
    return Q(**{f"{prefix}path__in": org.ancestor_paths()})


def with_receipt(qs: QuerySet[Document], person_id: int | None) -> QuerySet[Any]:
    """Each document with `read_at`: when this person read it (None: not read, or no person).
    (Typed QuerySet[Any]: the type checker knows no annotations.)"""
    if person_id is None:
        return qs.annotate(read_at=Value(None, output_field=DateTimeField()))
    mine = Receipt.objects.filter(document=OuterRef("pk"), person_id=person_id).values("read_at")[:1]
    return qs.annotate(read_at=Subquery(mine))


@dataclass
class MyDocuments:
    to_read: list[Document] = field(default_factory=list)
    read: list[Document] = field(default_factory=list)
    to_read_count: int = 0


def my_documents(visible: QuerySet[Document], membership: Membership | None, *, limit: int = 100,
                 read_limit: int = 30) -> MyDocuments:
    """A member's documents: those distributed to their organisation or above it, not read
    yet (newest first), then the latest they read. `visible` is access.documents(user)."""
    out = MyDocuments()
    if membership is None:
        return out
    mine = with_receipt(visible.filter(reaching(membership.organisation)), membership.person_id).select_related(
        "organisation")
    unread = mine.filter(read_at__isnull=True).order_by("-issued_on", "-id")
    out.to_read = list(unread[:limit])
    out.to_read_count = len(out.to_read) if len(out.to_read) < limit else unread.count()
    out.read = list(mine.filter(read_at__isnull=False).order_by("-read_at", "-id")[:read_limit])
    return out


def _members(orgs: list[Organisation]) -> QuerySet[Membership]:
    """Current members who are not exempt, within these organisations' subtrees."""
    q = Q(pk__in=[])
    for org in orgs:
        q |= Q(**{f"{LEVEL_OF_KIND[org.kind]}_id": org.pk})
    return Membership.objects.filter(q, current__in=[True], exempt__in=[False])


def unread_members(document: Document, orgs: list[Organisation]) -> QuerySet[Membership]:
    """Members within `orgs` who have not read the document, by cell and name — a list for
    following up, not a ranking. `orgs` is access.follow_up_orgs(user, document): the
    document's organisation or parts of its subtree, so every member listed is reached."""
    read = Receipt.objects.filter(document=document).values("person_id")
    return (_members(orgs).exclude(person_id__in=read).select_related("person", "organisation")
            .order_by("organisation__path", "sort_key", "pk"))


def read_summary(document: Document, orgs: list[Organisation]) -> tuple[int, int]:
    """(read, expected) for the members within `orgs` the document reaches. Two queries."""
    members = _members(orgs)
    expected = members.count()
    read = Receipt.objects.filter(document=document, person_id__in=members.values("person_id")).count()
    return read, expected


def read_counts(org: Organisation, start: dt.date, end: dt.date) -> tuple[int, int]:
    """(read, expected) receipts of `org`'s current non-exempt members for the documents
    issued from `start` to `end` that reach them — see the module's docstring."""
    docs = list(Document.objects.filter(issued_on__gte=start, issued_on__lte=end).filter(
        reaching(org) | Organisation.subtree_q(org, "organisation__", include_root=False))
        .values_list("pk", "organisation_id", "organisation__kind", "organisation__path"))
    if not docs:
        return 0, 0
    members = _members([org])
    above = [pk for pk, _o, _k, path in docs if org.path.startswith(path)]
    inside: dict[str, list[tuple[int, int]]] = defaultdict(list)  # level → [(document, organisation)]
    for pk, org_id, kind, path in docs:
        if not org.path.startswith(path):
            inside[LEVEL_OF_KIND[kind]].append((pk, org_id))
    expected = len(above) * members.count() if above else 0
    reached = Q(document_id__in=above)
    for level, pairs in inside.items():
        per_org = dict(members.filter(**{f"{level}_id__in": sorted({o for _d, o in pairs})}).order_by()
                       .values(f"{level}_id").annotate(n=Count("pk")).values_list(f"{level}_id", "n"))
        expected += sum(per_org.get(o, 0) for _d, o in pairs)
        reached |= Q(document_id__in=[d for d, _o in pairs],
                     **{f"person__membership__{level}_id": F("document__organisation_id")})
    read = Receipt.objects.filter(reached, person_id__in=members.values("person_id")).count()
    return read, expected


def study_rows(qs: QuerySet[Any]) -> QuerySet[Any]:
    """Study sessions with their organisation and the number of participants (one query)."""
    rows: QuerySet[Any] = qs.select_related("organisation").annotate(n_participants=Count("participants", distinct=True))
    return rows


def session_members(org: Organisation, *, limit: int = 1000) -> list[Membership]:
    """The members who may take part in a study session of `org`: its current members (the
    exempt included: they may still attend), by cell and name."""
    return list(Membership.objects.filter(current__in=[True], **{f"{LEVEL_OF_KIND[org.kind]}_id": org.pk})
                .select_related("person", "organisation").order_by("organisation__path", "sort_key", "pk")[:limit])


def session_documents(visible: QuerySet[Document], org: Organisation, *, also: list[int] | None = None,
                      limit: int = 100) -> list[Document]:
    """Documents a session of `org` may study: those that reach it (sent to it or above it) or
    were sent inside it, newest first; `also` keeps the ones a session already lists."""
    q = reaching(org) | Organisation.subtree_q(org, "organisation__", include_root=False)
    found = list(visible.filter(q).order_by("-issued_on", "-id")[:limit])
    missing = sorted(set(also or []) - {d.pk for d in found})
    return found + list(Document.objects.filter(pk__in=missing).order_by("-issued_on", "-id")) if missing else found
