"""`chibo remind`: the daily pass — the next occurrence of each recurring task whose latest one
is done or past its deadline, then one reminder per person, then each province's comparison of
its communes (`indicators.services.snapshot_province`), then each commune's data-quality check
(`quality.services.check_communes`, the score on its home page). Safe to run more than once a day.

`chibo remind --every-day` keeps running and does the pass at start-up and then every day at
CHIBO_REMIND_HOUR (default 6, local time); `chibo serve` starts it beside the worker."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from chibo.core.dates import in_range, parse_vn_date, today
from chibo.indicators import services as indicators
from chibo.notifications import services as notify
from chibo.organisations.models import Organisation
from chibo.quality import services as quality
from chibo.tasks import services as tasks

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Create the next occurrences of recurring tasks and send today's reminders."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="as if today were this date (dd/mm/yyyy)")
        parser.add_argument("--every-day", action="store_true", help="keep running; one pass a day")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["date"]:
            try:
                day = parse_vn_date(options["date"])
            except ValueError:
                raise CommandError(f"--date {options['date']!r} is not a date: write it as dd/mm/yyyy.") from None
            if not in_range(day):
                raise CommandError(f"--date {options['date']}: "
                                   + _("The year must be between 1900 and 2099. Check the year."))
        if not options["every_day"]:
            self._pass(day or today())
            return
        hour = int(getattr(settings, "CHIBO_REMIND_HOUR", 6))
        while True:
            self._pass(today())
            now = timezone.localtime()
            nxt = now.replace(hour=hour, minute=0, second=0, microsecond=0)
            if nxt <= now:
                nxt += dt.timedelta(days=1)
            time.sleep(max(60.0, (nxt - now).total_seconds()))

    def _pass(self, day: dt.date) -> None:
        made = tasks.roll_forward_all(day=day)
        sent = notify.send_daily(day=day)
        self.stdout.write(f"{day:%d/%m/%Y}: {made} recurring task(s) created, {sent} reminder(s) sent")
        # Then each province's comparison of its communes, each in its own transaction: one that
        # fails is logged and the others are still computed (the reminders are already sent).
        for province in Organisation.objects.filter(kind=Organisation.Kind.PROVINCE).active_on(day).order_by("path"):
            started = time.monotonic()
            try:
                communes = indicators.snapshot_province(province, day)
            except Exception:
                log.exception("the comparison of %s on %s failed", province.code, day)
                self.stderr.write(f"{day:%d/%m/%Y}: the comparison of {province.code} failed (see the log)")
                continue
            self.stdout.write(f"{day:%d/%m/%Y}: comparison of {province.code}: {communes} commune(s), "
                              f"{time.monotonic() - started:.1f} s")
        # And each commune's data health, for its home page's card.
        started = time.monotonic()

        def failed(org: Organisation) -> None:
            log.exception("the data-quality check of %s on %s failed", org.code, day)
            self.stderr.write(f"{day:%d/%m/%Y}: the data-quality check of {org.code} failed (see the log)")

        checked = quality.check_communes(day, on_error=failed)
        self.stdout.write(f"{day:%d/%m/%Y}: data quality of {checked} commune(s) checked, "
                          f"{time.monotonic() - started:.1f} s")
