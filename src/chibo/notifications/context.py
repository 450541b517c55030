"""The number of unread reminders in the top bar: one query, only on pages that show it."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from chibo.notifications.services import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    @cache
    def count() -> int:  # templates call it when they show the bar, at most once per response
        return unread_count(request.user)

    return {"unread_reminders": count}
