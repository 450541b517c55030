"""Exports: member and organisation lists to XLSX or CSV, each recorded in the audit log
(who, when, which filter, how many rows) — member records are sensitive personal data
(Law 91/2025/QH15)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.db.models import QuerySet

from chibo.audit import services as audit
from chibo.exchange.columns import MEMBER_COLUMNS, ORGANISATION_COLUMNS, table_rows
from chibo.exchange.writers import write_csv, write_xlsx
from chibo.members.models import Membership
from chibo.organisations.models import Organisation

MEMBER_SHEET = "Đảng viên"
ORGANISATION_SHEET = "Tổ chức đảng"


def _member_rows(queryset: QuerySet[Membership]) -> Iterator[list[Any]]:
    return table_rows(queryset, MEMBER_COLUMNS)


def _organisation_rows(queryset: QuerySet[Organisation]) -> Iterator[list[Any]]:
    return table_rows(queryset.order_by("path"), ORGANISATION_COLUMNS)


def _write(fmt: str, out: IO[bytes] | str, sheet: str, headers: list[str], rows: Iterator[list[Any]]) -> int:
    if fmt == "csv":
        if isinstance(out, str):
            with open(out, "wb") as handle:
                return write_csv(handle, headers, rows)
        return write_csv(out, headers, rows)
    return write_xlsx(out, [(sheet, headers, rows)])


def export_members(*, actor: Any, queryset: QuerySet[Membership], fmt: str, out: IO[bytes] | str,
                   scope: Organisation | None, description: str) -> int:
    """Write the members of `queryset` (already scoped and filtered by the caller) and audit it."""
    count = _write(fmt, out, MEMBER_SHEET, [c.header for c in MEMBER_COLUMNS], _member_rows(queryset))
    audit.record(actor=actor, action="export", object_type="membership", object_repr=f"{count} đảng viên",
                 org_path=scope.path if scope else "", after={"rows": count, "format": fmt},
                 note=description)
    return count


def export_organisations(*, actor: Any, queryset: QuerySet[Organisation], fmt: str, out: IO[bytes] | str,
                         scope: Organisation | None, description: str) -> int:
    count = _write(fmt, out, ORGANISATION_SHEET, [c.header for c in ORGANISATION_COLUMNS], _organisation_rows(queryset))
    audit.record(actor=actor, action="export", object_type="organisation", object_repr=f"{count} tổ chức đảng",
                 org_path=scope.path if scope else "", after={"rows": count, "format": fmt},
                 note=description)
    return count
