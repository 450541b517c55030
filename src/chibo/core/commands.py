"""What chibo's commands share: with `--json`, JSON on every outcome, errors included — a
script reading the output always gets an object, `{"error": "…"}` when the command failed (and
the exit status says so too)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError


def json_errors(handle: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a command's `handle`: with `--json`, a CommandError is also printed as JSON —
    unless the command already printed its result as JSON (it sets `self.json_printed`) and
    fails afterwards only to set the exit status."""

    @functools.wraps(handle)
    def wrapper(self: BaseCommand, *args: Any, **options: Any) -> Any:
        try:
            return handle(self, *args, **options)
        except CommandError as exc:
            if options.get("json") and not getattr(self, "json_printed", False):  # not after the result's JSON
                self.stdout.write(json.dumps({"error": str(exc)}, ensure_ascii=False))
            raise

    return wrapper
