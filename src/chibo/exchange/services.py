"""Exports: member and organisation lists to XLSX or CSV, each recorded in the audit log
(who, when, which filter, how many rows) — member records are sensitive personal data
(Law 91/2025/QH15)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import Q, QuerySet

from chibo.audit import services as audit
from chibo.core import files
from chibo.exchange.columns import (
    LOCALITY_COLUMNS,
    MEMBER_COLUMNS,
    ORGANISATION_COLUMNS,
    PERSON_COLUMNS,
    POST_COLUMNS,
    table_rows,
)
from chibo.exchange.writers import write_csv, write_xlsx
from chibo.members.models import Membership, Person, Post
from chibo.organisations.models import LEVEL_OF_KIND, Locality, Organisation

MEMBER_SHEET = "Đảng viên"
ORGANISATION_SHEET = "Tổ chức đảng"


def _member_rows(queryset: QuerySet[Membership]) -> Iterator[list[Any]]:
    return table_rows(queryset, MEMBER_COLUMNS)


def _organisation_rows(queryset: QuerySet[Organisation]) -> Iterator[list[Any]]:
    return table_rows(queryset.order_by("path"), ORGANISATION_COLUMNS)


def export_workbook(*, actor: Any, org: Organisation, out: IO[bytes] | str, description: str) -> int:
    """Everything of an organisation's subtree in one workbook, one sheet per kind, in the
    template's layout: the file imports into another chibo (or back) unchanged."""
    localities = Locality.objects.filter(
        Organisation.subtree_q(org, "organisation__")).order_by("parent_id", "sort_key")
    orgs = Organisation.objects.subtree(org).order_by("path")
    if org.parent_id:
        orgs = orgs.exclude(pk=org.pk)  # its parent lies outside the file; the root is created by the tree above
    # Former members too, with the day they left: a commune's books hold them, and past figures need them.
    members = Membership.objects.filter(**{f"{LEVEL_OF_KIND[org.kind]}_id": org.pk}).order_by("-current", "id")
    posts = Post.objects.filter(Organisation.subtree_q(org, "organisation__")
                                | Q(locality__in=localities)).order_by("id")
    residents = Person.objects.filter(membership__isnull=True, residence__in=localities).order_by("sort_key")
    count = _to(out, lambda target: write_xlsx(target, [
        ("Địa bàn", [c.header for c in LOCALITY_COLUMNS], _locality_rows(localities)),
        ("Người dân", [c.header for c in PERSON_COLUMNS], table_rows(residents, PERSON_COLUMNS)),
        (ORGANISATION_SHEET, [c.header for c in ORGANISATION_COLUMNS], table_rows(orgs, ORGANISATION_COLUMNS)),
        (MEMBER_SHEET, [c.header for c in MEMBER_COLUMNS], table_rows(members, MEMBER_COLUMNS)),
        ("Chức vụ", [c.header for c in POST_COLUMNS], table_rows(posts, POST_COLUMNS)),
    ]))
    audit.record(actor=actor, action="export", object_type="organisation", object_repr=f"{count} dòng",
                 org_path=org.path, after={"rows": count, "format": "xlsx"}, note=description)
    return count


def _locality_rows(queryset: QuerySet[Locality]) -> Iterator[list[Any]]:
    """Localities parents first (province, commune, then villages), as the import wants them."""
    rows = list(table_rows(queryset, LOCALITY_COLUMNS))
    depth = {loc.code: (0 if loc.parent_id is None else 1 if loc.kind in Locality.COMMUNE_KINDS else 2)
             for loc in queryset.only("code", "parent_id", "kind")}
    return iter(sorted(rows, key=lambda r: depth.get(r[0], 3)))


def _to(out: IO[bytes] | str, write: Callable[[IO[bytes] | str], int]) -> int:
    """Write to an open file, or to the file named `out`: only while the disk has room
    (files.DiskFull otherwise), and whole or not at all (a temporary file beside it, then renamed)."""
    if not isinstance(out, str):
        return write(out)
    path = Path(out)
    files.check_free_space(path.parent)
    with files.replacing(path) as temp:
        return write(str(temp))


def _write(fmt: str, out: IO[bytes] | str, sheet: str, headers: list[str], rows: Iterator[list[Any]]) -> int:
    if fmt == "csv":
        def csv_to(target: IO[bytes] | str) -> int:
            if isinstance(target, str):
                with open(target, "wb") as handle:
                    return write_csv(handle, headers, rows)
            return write_csv(target, headers, rows)
        return _to(out, csv_to)
    return _to(out, lambda target: write_xlsx(target, [(sheet, headers, rows)]))


def _export(*, actor: Any, object_type: str, noun: str, sheet: str, columns: list[Any], rows: Iterator[list[Any]],
            fmt: str, out: IO[bytes] | str, scope: Organisation | None, description: str) -> int:
    """Write a table and record the export: who, when, which filter, how many rows."""
    count = _write(fmt, out, sheet, [c.header for c in columns], rows)
    audit.record(actor=actor, action="export", object_type=object_type, object_repr=f"{count} {noun}",
                 org_path=scope.path if scope else "", after={"rows": count, "format": fmt}, note=description)
    return count


def export_members(*, actor: Any, queryset: QuerySet[Membership], fmt: str, out: IO[bytes] | str,
                   scope: Organisation | None, description: str,
                   progress: Callable[[int], None] | None = None) -> int:
    """Write the members of `queryset` (already scoped and filtered by the caller) and audit it."""
    rows = _member_rows(queryset)
    if progress is not None:
        rows = _counting(rows, progress)
    return _export(actor=actor, object_type="membership", noun="đảng viên", sheet=MEMBER_SHEET,
                   columns=MEMBER_COLUMNS, rows=rows, fmt=fmt, out=out, scope=scope, description=description)


def _counting(rows: Iterator[list[Any]], progress: Callable[[int], None], every: int = 5000) -> Iterator[list[Any]]:
    for n, row in enumerate(rows, start=1):
        if n % every == 0:
            progress(n)
        yield row


def export_organisations(*, actor: Any, queryset: QuerySet[Organisation], fmt: str, out: IO[bytes] | str,
                         scope: Organisation | None, description: str) -> int:
    return _export(actor=actor, object_type="organisation", noun="tổ chức đảng", sheet=ORGANISATION_SHEET,
                   columns=ORGANISATION_COLUMNS, rows=_organisation_rows(queryset), fmt=fmt, out=out, scope=scope,
                   description=description)


def export_table(*, actor: Any, org: Organisation, sheet: str, headers: list[str], rows: list[list[Any]],
                 out: IO[bytes] | str, object_type: str, noun: str, description: str) -> int:
    """Write a table a page shows (e.g. the communes side by side) as XLSX through the same
    writer (formula injection neutralised) and audit it like every export."""
    count = _write("xlsx", out, sheet, headers, iter(rows))
    audit.record(actor=actor, action="export", object_type=object_type, object_repr=f"{count} {noun}",
                 org_path=org.path, after={"rows": count, "format": "xlsx"}, note=description)
    return count
