"""Numbers as reports write them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ID_MAX = 999_999_999  # an id from a query parameter: more digits than any row will have


def query_int(raw: str | None, low: int, high: int) -> int | None:
    """A whole number from a query parameter (?nam=2026, ?days=30) when it is plain ASCII
    digits between low and high; None otherwise. (str.isdigit() also accepts "²", which int()
    refuses, and int() refuses more than 4,300 digits: either would be a 500.)"""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        return None
    value = int(raw)
    return value if low <= value <= high else None


def pct(part: int, whole: int) -> float | None:
    """A percentage to one decimal, rounded half up as reports write it (36/37 → 97.3;
    49/400 → 12.3, where Python's round() would give 12.2). None when there is nothing to divide by."""
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
