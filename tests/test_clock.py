"""The suite's clock (tests/conftest.py `fixed_clock`): every test runs at 10:00 in Vietnam on one
fixed day, whatever day the suite runs on, in every thread; `@pytest.mark.today` moves a test to its
own day; the shared world is a fresh copy in every test."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time

import pytest
from django.utils import timezone

from chibo.core import dates
from chibo.organisations.models import Organisation
from tests.conftest import TEST_TIME, TEST_ZONE, TODAY, suite_today


def test_every_test_runs_on_the_suites_day() -> None:
    assert suite_today() == TODAY or "CHIBO_TEST_TODAY" in os.environ
    assert dates.today() == suite_today() == timezone.localdate() == dt.date.today()
    now = timezone.localtime()
    assert now.tzinfo is not None and now.utcoffset() == dt.timedelta(hours=7)
    started = dt.datetime.combine(suite_today(), TEST_TIME, tzinfo=TEST_ZONE)
    assert started <= now < started + dt.timedelta(hours=1)  # the clock ticks on from 10:00
    assert abs(time.time() - now.timestamp()) < 5


def test_other_threads_see_the_same_day() -> None:
    """As the live server's thread of the browser tests and the background worker's do."""
    seen: list[dt.date] = []
    thread = threading.Thread(target=lambda: seen.append(dates.today()))
    thread.start()
    thread.join()
    assert seen == [suite_today()]


@pytest.mark.today("2026-03-15")
def test_a_test_chooses_its_own_day() -> None:
    assert dates.today() == dt.date(2026, 3, 15) == timezone.localdate()


@pytest.mark.today(dt.date(2030, 2, 28))
def test_the_day_may_be_a_date(fixed_clock) -> None:
    assert dates.today() == dt.date(2030, 2, 28)
    fixed_clock.shift(dt.timedelta(days=1))
    assert dates.today() == dt.date(2030, 3, 1)


class TestTheWorldIsAFreshCopy:
    """Run in this order (and on one worker), the second test would see the first one's changes if
    the shared world leaked them."""

    def test_a_test_changes_the_world(self, world) -> None:
        world.org["A"].name = "Đổi trong bộ nhớ"
        Organisation.objects.filter(pk=world.org["B"].pk).update(name="Đổi trong cơ sở dữ liệu")
        world.users["member"].first_name = "Khác"

    def test_the_next_test_sees_the_world_as_built(self, world) -> None:
        assert world.org["A"].name == "Chi bộ Thôn Đông"
        assert Organisation.objects.get(pk=world.org["B"].pk).name == world.org["B"].name == "Chi bộ Làng Ia Rơ"
        assert world.users["member"].first_name == ""
        # one copy: objects shared in the built world are shared in the copy too
        assert world.m["member"].person is world.posts["committee_a"].person
