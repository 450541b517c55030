"""The append-only audit trail: every write and export, written in the same transaction."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from chibo.core.fields import ByteOrderCharField


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")
        EXPORT = "export", _("exported")
        EVENT = "event", _("recorded an event")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)  # also task_progress, task_accept …
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    # Path of the organisation the object belongs to, so that scope is a range filter.
    org_path = ByteOrderCharField(max_length=64, blank=True)
    # Where the object was before the change, when the change took it elsewhere (a member moved
    # to another commune, a resident who moved, a resident made a member of a cell): both
    # organisations' staff read the row.
    prior_path = ByteOrderCharField(max_length=64, blank=True, default="", db_default="")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["org_path", "at"], name="audit_path_at"),
            models.Index(fields=["prior_path", "at"], name="audit_prior_path_at"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_name} {self.action} {self.object_type} {self.object_repr}"
