"""The web UI's own bookkeeping (nothing a person reads)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FormSubmission(models.Model):
    """A form's one-time `submit_token`, claimed by the first POST that carries it
    (web/submit.py): a second POST with the same token is the same tap again, and is answered
    with the first one's result instead of being written twice."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    done = models.BooleanField(default=False)
    location = models.CharField(max_length=500, blank=True)

    objects = models.Manager()
    user_id: int

    def __str__(self) -> str:
        return str(self.token)
