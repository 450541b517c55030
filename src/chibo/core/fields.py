"""Model fields shared by the apps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:  # Django's fields take no type parameters at run time; mypy's do
    _CharField = models.CharField[str, str]
else:
    _CharField = models.CharField


class ByteOrderCharField(_CharField):
    """A CharField compared byte by byte on every database.

    Tree paths and precomputed sort keys must order the same on SQLite (BINARY, the
    default) and PostgreSQL, whose default collation ignores punctuation; there the
    column gets COLLATE "C", which also lets range filters use the B-tree index."""

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
