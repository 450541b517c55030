"""Numbers as reports write them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def pct(part: int, whole: int) -> float | None:
    """A percentage to one decimal, rounded half up as reports write it (36/37 → 97.3;
    49/400 → 12.3, where Python's round() would give 12.2). None when there is nothing to divide by."""
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
