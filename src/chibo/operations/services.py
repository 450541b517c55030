"""The audit rows of a backup and a restore (actor: the system, the command's note says what)."""

from __future__ import annotations

from django.db import transaction

from chibo.audit import services as audit


@transaction.atomic
def record_backup(*, archive: str, size: int, sha256: str) -> None:
    audit.record(actor=None, action="backup", object_type="database", object_repr=archive[-200:],
                 note=f"chibo backup: {size} bytes, SHA-256 {sha256}")


@transaction.atomic
def record_restore(*, archive: str, ok: bool) -> None:
    audit.record(actor=None, action="restore", object_type="database", object_repr=archive[-200:],
                 note="chibo restore: " + ("verified" if ok else "verification FAILED"))


@transaction.atomic
def record_upgrade(*, version: str, applied: int, archive: str) -> None:
    """`object_id` holds the version upgraded to: the next `chibo upgrade` names it as the
    version to go back to."""
    audit.record(actor=None, action="upgrade", object_type="database", object_id=version[:40],
                 object_repr=archive[-200:], note=f"chibo upgrade to {version}: {applied} migrations applied")
