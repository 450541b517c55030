"""Read regulation numbers from the Rule table, for the version in force on a date."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from chibo.core.dates import today
from chibo.core.models import Rule


class RuleMissing(LookupError):
    pass


def rule(key: str, on: dt.date | None = None) -> Rule:
    day = on or today()
    found = (
        Rule.objects.filter(key=key, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=day))
        .order_by("-effective_from")
        .first()
    )
    if found is None:
        raise RuleMissing(f"No rule {key!r} in force on {day:%d/%m/%Y}")
    return found


def rule_value(key: str, on: dt.date | None = None) -> int:
    return rule(key, on).value


class RuleBook:
    """All rules loaded once, for loops over many rows (imports, checks): `value(key, on)`
    answers like `rule_value` without a query per call."""

    def __init__(self) -> None:
        self._rules: dict[str, list[Rule]] = {}
        for r in Rule.objects.order_by("key", "-effective_from"):
            self._rules.setdefault(r.key, []).append(r)

    def rule(self, key: str, on: dt.date) -> Rule:
        for r in self._rules.get(key, []):
            if r.in_force_on(on):
                return r
        raise RuleMissing(f"No rule {key!r} in force on {on:%d/%m/%Y}")

    def value(self, key: str, on: dt.date) -> int:
        return self.rule(key, on).value

    def values(self, key: str) -> list[int]:
        """The values of every version of a rule (to bound a check before the exact one)."""
        versions = self._rules.get(key)
        if not versions:
            raise RuleMissing(f"No rule {key!r}")
        return [r.value for r in versions]


def in_force(keys: list[str] | tuple[str, ...], on: dt.date | None = None) -> dict[str, Rule]:
    """The version in force on a day of each of several rules, in one query (pages that quote a
    handful of rules, such as the guides). A key with no version in force is left out."""
    day = on or today()
    found: dict[str, Rule] = {}
    rows = (Rule.objects.filter(key__in=list(keys), effective_from__lte=day)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=day)).order_by("key", "-effective_from"))
    for r in rows:
        found.setdefault(r.key, r)
    return found
