"""The member home's "Việc cần làm" (see the package's docstring)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest

from chibo.organisations.models import Organisation


def work(request: HttpRequest, org: Organisation, day: dt.date | None) -> dict[str, Any]:
    return {}
