"""Writes for the rulebook and the working-day calendar: only an administrator changes them
(the views ask chibo.access), every change is audited, and a rule changes by a new version from
a date, so dates computed for earlier days keep the version that was in force then."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.audit import services as audit
from chibo.core.calendar import PROPOSAL_SOURCE, propose_days_off
from chibo.core.dates import format_vn_date, today
from chibo.core.models import Holiday, Rule
from chibo.core.text import nfc

RULE_FIELDS = ["key", "name", "value", "unit", "citation", "effective_from", "effective_to", "confirmed", "note"]


@transaction.atomic
def rule_add_version(*, actor: Any, key: str, value: int | None, effective_from: dt.date | None, citation: str,
                     note: str = "", confirmed: bool = True) -> Rule:
    """A new version of a rule from `effective_from` (today or later): the version in force until
    then ends that day. A version may not start in the past or on or before the start of the
    latest one (that would rewrite dates already computed); correct a wrong latest version by
    adding the right one."""
    versions = list(Rule.objects.select_for_update().filter(key=key).order_by("-effective_from"))
    errors: dict[str, str] = {}
    if not versions:
        raise ValidationError({"key": _("There is no rule “%(key)s”. Choose a rule from the list.") % {"key": key}})
    latest = versions[0]
    citation, note = nfc(citation or "").strip(), nfc(note or "").strip()
    if value is None:
        errors["value"] = _("Enter the new value as a whole number.")
    elif value < 0:
        errors["value"] = _("The value cannot be negative.")
    if not citation:
        errors["citation"] = _("Cite the document and article that set the new value, for example “Quy định "
                               "294-QĐ/TW (2025), điểm 4.3”.")
    if effective_from is None:
        errors["effective_from"] = _("Enter the date from which the new value applies, as dd/mm/yyyy.")
    elif effective_from < today():
        errors["effective_from"] = _("A new version applies from today or a later day: deadlines already being "
                                     "counted keep the version that was in force when they began.")
    elif effective_from <= latest.effective_from:
        errors["effective_from"] = _("The version in force since %(since)s would overlap: a new version must start "
                                     "after %(since)s.") % {"since": format_vn_date(latest.effective_from)}
    elif latest.effective_to is not None and effective_from < latest.effective_to:
        errors["effective_from"] = _("The latest version runs until %(until)s; a new version starts on or after "
                                     "that day.") % {"until": format_vn_date(latest.effective_to)}
    if errors:
        raise ValidationError(errors)
    assert effective_from is not None and value is not None
    if latest.effective_to is None:
        before = audit.snapshot(latest, RULE_FIELDS)
        latest.effective_to = effective_from
        latest.save(update_fields=["effective_to"])
        audit.record(actor=actor, action="update", obj=latest, object_repr=latest.name, before=before,
                     after=audit.snapshot(latest, RULE_FIELDS))
    new = Rule.objects.create(key=key, name=latest.name, value=value, unit=latest.unit, citation=citation,
                              effective_from=effective_from, confirmed=confirmed, note=note or latest.note)
    audit.record(actor=actor, action="create", obj=new, object_repr=new.name, after=audit.snapshot(new, RULE_FIELDS))
    return new


@transaction.atomic
def holiday_set(*, actor: Any, day: dt.date | None, name: str, confirmed: bool = True, note: str = "") -> Holiday:
    name, note = nfc(name or "").strip(), nfc(note or "").strip()
    errors: dict[str, str] = {}
    if day is None:
        errors["date"] = _("Enter the date of the day off, as dd/mm/yyyy.")
    elif day.weekday() >= 5:
        errors["date"] = _("%(date)s is a Saturday or Sunday, never a working day. Record the weekday given in its "
                           "place instead.") % {"date": format_vn_date(day)}
    if not name:
        errors["name"] = _("Name the holiday, for example “Tết Nguyên đán”.")
    if errors:
        raise ValidationError(errors)
    assert day is not None
    holiday = Holiday.objects.filter(date=day).first()
    before = audit.snapshot(holiday, ["date", "name", "confirmed", "note"]) if holiday else None
    holiday = holiday or Holiday(date=day)
    holiday.name, holiday.confirmed, holiday.note = name[:120], confirmed, note[:300]
    holiday.save()
    audit.record(actor=actor, action="update" if before else "create", obj=holiday, object_repr=str(holiday),
                 before=before, after=audit.snapshot(holiday, ["date", "name", "confirmed", "note"]))
    return holiday


@transaction.atomic
def holiday_add_proposed(*, actor: Any, year: int, days: Iterable[dt.date], confirmed: bool = False) -> list[Holiday]:
    """Record the chosen days of the year's proposal (core.calendar.propose_days_off) that are
    not recorded yet, under the calendar's names. A day already recorded is never changed — the
    administrator's entry wins — and a day the proposal does not hold is refused. `confirmed`:
    the administrator checked the days against the Government's announcement."""
    proposal = propose_days_off(year)
    offered = {d.date: d for d in proposal.days}
    chosen = sorted(set(days))
    if not chosen:
        raise ValidationError({"days": _("Choose at least one proposed day to add.")})
    foreign = [d for d in chosen if d not in offered]
    if foreign:
        raise ValidationError({"days": _("%(date)s is not in the proposal for %(year)s. Add it with the form on the "
                                         "days off page instead.") % {"date": format_vn_date(foreign[0]),
                                                                      "year": year}})
    added = []
    for day in chosen:
        if offered[day].recorded or Holiday.objects.filter(date=day).exists():
            continue
        holiday = Holiday.objects.create(date=day, name=offered[day].name[:120], confirmed=confirmed,
                                         note=PROPOSAL_SOURCE[:300])
        audit.record(actor=actor, action="create", obj=holiday, object_repr=str(holiday),
                     after=audit.snapshot(holiday, ["date", "name", "confirmed", "note"]))
        added.append(holiday)
    return added


@transaction.atomic
def holiday_remove(*, actor: Any, holiday: Holiday) -> None:
    before = audit.snapshot(holiday, ["date", "name", "confirmed", "note"])
    audit.record(actor=actor, action="delete", obj=holiday, object_repr=str(holiday), before=before)
    holiday.delete()
