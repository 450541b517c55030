"""Django's model backend, loading the user's person with the user: every page shows the
person's name in the top bar, which would otherwise cost a query of its own."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from chibo.accounts.models import User


class PersonModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        user = User.objects.select_related("person").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
