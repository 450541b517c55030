"""The import's date parser (exchange.parse.date) never fails, whatever a cell holds: it
returns a date chibo accepts (1900–2099, as the forms do) or a message naming the column."""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from chibo.core.dates import EARLIEST_DATE, LATEST_DATE
from chibo.exchange import parse

CELLS = st.one_of(
    st.none(),
    st.dates(),  # 0001–9999, as an Excel date cell or a datetime
    st.datetimes(),
    st.integers(min_value=-10**12, max_value=10**12),  # Excel serial numbers, and nonsense
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates().map(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d}"),
    st.dates().map(lambda d: d.isoformat()),
    st.from_regex(r"\A[0-9]{1,6}[/.-][0-9]{1,6}[/.-][0-9]{1,8}\Z"),
    st.text(max_size=30),
)


@given(raw=CELLS)
def test_a_cell_is_a_date_chibo_accepts_or_a_message_naming_the_column(raw: object) -> None:
    with translation.override("en"):
        value, problem = parse.date(raw, "Ngày sinh")
    if value is None:
        assert raw in (None, "") or problem.startswith("Ngày sinh"), (raw, problem)
    else:
        assert problem == "" and EARLIEST_DATE <= value <= LATEST_DATE


def test_the_ends_of_the_range() -> None:
    with translation.override("en"):
        assert parse.date("01/01/1900", "Ngày sinh") == (dt.date(1900, 1, 1), "")
        assert parse.date("31/12/2099", "Ngày sinh") == (dt.date(2099, 12, 31), "")
        for raw in ("31/12/1899", "01/01/2100", "01/01/0001", dt.date(9999, 12, 31)):
            value, problem = parse.date(raw, "Ngày sinh")
            assert value is None and "between 1900 and 2099" in problem, raw
