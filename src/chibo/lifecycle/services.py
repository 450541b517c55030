"""Writes for transfers of party activity (domain-rules.md §5.1).

The flow chibo records — the simplest one that never claims more than the committees did:

1. letter_issue: the organisation holding the member's record records the letter it issued
   (direction "out"), or a letter received from outside the province for a member whose record it
   holds (direction "in"). Nothing changes in the membership yet: the member is still active in
   their cell until the letter is presented.
2. letter_present: the receiving side records the day the member presented the letter (for a
   receiving organisation outside chibo, the sending side records it when the receiving committee
   confirms). Only then is the member's event recorded, through chibo.members.services, effective
   on that day: an official transfer to a cell in chibo → "moved" (the record follows the member);
   to an organisation outside chibo → "transferred out"; a temporary letter received from outside
   → "temporary activity started" (the member is then not counted in đảng số). A temporary letter
   issued to go elsewhere changes nothing: the member stays counted in the home cell. A late
   presentation (after transfer_present_days) is recorded with a warning naming the rule: the
   regulation asks for a report of the reason, not a refusal.
3. temporary_end: the end of a temporary activity; a temporary member from outside → "temporary
   activity ended".

Every function is atomic and audited; errors are ValidationError naming the field, and for a
statutory limit the rule with its citation. Who may call them is decided by the views through
chibo.access."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.audit import services as audit
from chibo.core.calendar import due
from chibo.core.dates import add_months, format_vn_date, today
from chibo.core.models import Rule
from chibo.core.rules import rule
from chibo.core.text import nfc
from chibo.lifecycle.models import TransferLetter
from chibo.members import services as members
from chibo.members.models import Membership, MembershipEvent
from chibo.organisations.models import Organisation

LETTER_FIELDS = ["kind", "direction", "study", "reason_date", "number", "letter_date", "other_organisation_id",
                 "other_name", "temporary_end", "presented_on", "late_reason", "ended_on", "status"]


def _cite(r: Rule) -> str:
    return r.citation if r.confirmed else _("%(cite)s — not confirmed") % {"cite": r.citation}


def _rule_text(r: Rule) -> str:
    return _("%(name)s: %(value)s %(unit)s — %(cite)s") % {"name": r.name, "value": r.value,
                                                          "unit": r.get_unit_display(), "cite": _cite(r)}


def temporary_limit_rule(letter_date: dt.date, study: bool) -> Rule:
    return rule("temporary_study_max_months" if study else "temporary_transfer_max_months", letter_date)


def _check_temporary_end(errors: dict[str, str], letter_date: dt.date, end: dt.date | None, study: bool) -> None:
    if end is None:
        errors["temporary_end"] = _("Enter the day the temporary activity ends (dd/mm/yyyy).")
        return
    shortest = rule("temporary_transfer_min_months", letter_date)
    longest = temporary_limit_rule(letter_date, study)
    first = add_months(letter_date, shortest.value)
    last = add_months(letter_date, longest.value)
    if end < first:
        errors["temporary_end"] = _("A temporary transfer lasts at least %(n)s months: end on or after %(date)s (%(rule)s).") % {
            "n": shortest.value, "date": format_vn_date(first), "rule": _rule_text(shortest)}
    elif study and end > last:
        errors["temporary_end"] = _("A temporary transfer for study lasts at most %(n)s months: end on or before %(date)s (%(rule)s).") % {
            "n": longest.value, "date": format_vn_date(last), "rule": _rule_text(longest)}
    elif not study and end >= last:
        errors["temporary_end"] = _("A temporary transfer for residence or work lasts less than %(n)s months: end before %(date)s (%(rule)s). For longer, issue an official transfer.") % {
            "n": longest.value, "date": format_vn_date(last), "rule": _rule_text(longest)}


@transaction.atomic
def letter_issue(m: Membership, *, actor: Any, kind: str, reason_date: dt.date | None, number: str,
                 letter_date: dt.date | None, direction: str = TransferLetter.Direction.OUT,
                 other_organisation: Organisation | None = None, other_name: str = "",
                 temporary_end: dt.date | None = None, study: bool = False,
                 note: str = "") -> tuple[TransferLetter, list[str]]:
    """Record an introduction letter; returns it with the warnings (a letter issued after the
    60 working days of transfer_start_working_days is recorded, with the rule named)."""
    m = Membership.objects.select_for_update().select_related("person", "organisation").get(pk=m.pk)
    errors: dict[str, str] = {}
    warnings: list[str] = []
    number, other_name, note = nfc(number or "").strip(), nfc(other_name or "").strip(), nfc(note or "").strip()
    if kind not in TransferLetter.Kind.values:
        errors["kind"] = _("Choose official or temporary transfer.")
    if direction not in TransferLetter.Direction.values:
        errors["direction"] = _("Choose out or in.")
    if not m.current:
        errors["membership"] = _("Only a current member (probationary or official) can be transferred.")
    if not number:
        errors["number"] = _("Enter the number of the introduction letter.")
    if letter_date is None:
        errors["letter_date"] = _("Enter the letter date as dd/mm/yyyy.")
    elif letter_date > today():
        errors["letter_date"] = _("The letter date cannot be in the future.")
    if reason_date is None:
        errors["reason_date"] = _("Enter the date of the decision or move as dd/mm/yyyy.")
    elif letter_date is not None and reason_date > letter_date:
        errors["reason_date"] = _("The decision or move cannot be after the letter date.")
    if direction == TransferLetter.Direction.IN:
        if other_organisation is not None:
            errors["other_organisation"] = _("A letter from an organisation in chibo is recorded by that organisation; record here only letters from outside the province.")
        elif not other_name:
            errors["other_name"] = _("Enter the name of the sending organisation.")
    elif other_organisation is not None and other_name:
        errors["other_name"] = _("Choose the receiving organisation in chibo or enter the name of one outside the province, not both.")
    elif other_organisation is None and not other_name:
        errors["other_organisation"] = _("Choose the receiving organisation, or enter its name when it is outside the province.")
    elif other_organisation is not None:
        if not other_organisation.holds_members or not other_organisation.is_active:
            errors["other_organisation"] = _("Choose an active party cell or party group.")
        elif other_organisation.pk == m.organisation_id:
            errors["other_organisation"] = _("The member is already in this organisation.")
    if kind == TransferLetter.Kind.TEMPORARY and letter_date is not None:
        _check_temporary_end(errors, letter_date, temporary_end, study)
    elif kind == TransferLetter.Kind.OFFICIAL:
        if temporary_end is not None:
            errors["temporary_end"] = _("An official transfer has no end date; leave it empty.")
        study = False
    if TransferLetter.objects.filter(membership=m, status=TransferLetter.State.ISSUED).exists():
        errors["membership"] = _("This member has a letter not presented yet; record its presentation first.")
    if errors:
        raise ValidationError(errors)
    assert letter_date is not None and reason_date is not None
    if kind == TransferLetter.Kind.OFFICIAL:
        start = due("transfer_start_working_days", reason_date)
        if letter_date > start.date:
            warnings.append(_("The procedure started after %(date)s, later than the time limit (%(rule)s); record the reason.") % {
                "date": format_vn_date(start.date), "rule": _rule_text(start.rule)})
    letter = TransferLetter.objects.create(
        membership=m, kind=kind, direction=direction, study=study, reason_date=reason_date, number=number,
        letter_date=letter_date, organisation=m.organisation, other_organisation=other_organisation,
        other_name=other_name, temporary_end=temporary_end, note=note, created_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor=actor, action="create", obj=letter, object_repr=m.person.full_name, org_path=m.organisation.path,
                 after=audit.snapshot(letter, LETTER_FIELDS),
                 note=f"{letter.get_kind_display()} {letter.number} {format_vn_date(letter_date)}")
    return letter, warnings


def _event(letter: TransferLetter, actor: Any, kind: str, on: dt.date, organisation: Organisation | None = None) -> None:
    try:
        members.member_record_event(letter.membership, actor=actor, kind=kind, effective_date=on,
                                    decision_number=letter.number, organisation=organisation,
                                    note=_("Transfer letter %(n)s") % {"n": letter.number})
    except ValidationError as exc:
        raise ValidationError({"presented_on": [m for msgs in exc.message_dict.values() for m in msgs]}) from exc


def _lock(letter: TransferLetter) -> TransferLetter:
    return TransferLetter.objects.select_for_update(of=("self",)).select_related(
        "membership__person", "membership__organisation", "organisation", "other_organisation").get(pk=letter.pk)


@transaction.atomic
def letter_present(letter: TransferLetter, *, actor: Any, on: dt.date | None,
                   late_reason: str = "") -> tuple[TransferLetter, list[str]]:
    """Record the day the letter was presented to the receiving committee, and the member's event
    (see the module's flow). Late presentation is recorded, with a warning naming the rule."""
    letter = _lock(letter)
    before = audit.snapshot(letter, LETTER_FIELDS)
    late_reason = nfc(late_reason or "").strip()
    errors: dict[str, str] = {}
    if letter.status != TransferLetter.State.ISSUED:
        errors["presented_on"] = _("The presentation of this letter is already recorded.")
    elif on is None:
        errors["presented_on"] = _("Enter the day the letter was presented as dd/mm/yyyy.")
    elif on < letter.letter_date:
        errors["presented_on"] = _("The letter cannot be presented before its date (%(date)s).") % {"date": format_vn_date(letter.letter_date)}
    elif on > today():
        errors["presented_on"] = _("The presentation date cannot be in the future.")
    elif letter.direction == TransferLetter.Direction.OUT and letter.membership.organisation_id != letter.organisation_id:
        errors["presented_on"] = _("The member is no longer in the organisation that issued the letter.")
    if errors:
        raise ValidationError(errors)
    assert on is not None
    warnings: list[str] = []
    limit = due("transfer_present_days", letter.letter_date)
    if on > limit.date:
        warnings.append(_("Presented late: the letter had to be presented by %(date)s (%(rule)s). The member or the organisation reports the reason.") % {
            "date": format_vn_date(limit.date), "rule": _rule_text(limit.rule)})
    letter.presented_on, letter.late_reason, letter.status = on, late_reason, TransferLetter.State.PRESENTED
    letter.save(update_fields=["presented_on", "late_reason", "status"])
    official, out = letter.kind == TransferLetter.Kind.OFFICIAL, letter.direction == TransferLetter.Direction.OUT
    if official and out:
        if letter.other_organisation is not None:
            _event(letter, actor, MembershipEvent.Kind.MOVED, on, letter.other_organisation)
        else:
            _event(letter, actor, MembershipEvent.Kind.TRANSFERRED_OUT, on)
    elif not official and not out and not letter.membership.temporary:
        _event(letter, actor, MembershipEvent.Kind.TEMPORARY_IN, on)
    old, new = audit.diff(before, audit.snapshot(letter, LETTER_FIELDS))
    audit.record(actor=actor, action="update", obj=letter, object_repr=letter.membership.person.full_name,
                 org_path=letter.organisation.path, before=old, after=new,
                 note=f"{letter.number}: {format_vn_date(on)}" + (" (late)" if warnings else ""))
    return letter, warnings


@transaction.atomic
def temporary_end(letter: TransferLetter, *, actor: Any, on: dt.date | None) -> TransferLetter:
    """Record the end of a temporary activity (a temporary member from outside stops being one)."""
    letter = _lock(letter)
    before = audit.snapshot(letter, LETTER_FIELDS)
    errors: dict[str, str] = {}
    if letter.kind != TransferLetter.Kind.TEMPORARY:
        errors["ended_on"] = _("Only a temporary transfer ends.")
    elif letter.status == TransferLetter.State.ENDED:
        errors["ended_on"] = _("The end of this temporary activity is already recorded.")
    elif on is None:
        errors["ended_on"] = _("Enter the day the temporary activity ended as dd/mm/yyyy.")
    elif on < (letter.presented_on or letter.letter_date):
        errors["ended_on"] = _("The end cannot be before %(date)s.") % {"date": format_vn_date(letter.presented_on or letter.letter_date)}
    elif on > today():
        errors["ended_on"] = _("The end date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    assert on is not None
    letter.ended_on, letter.status = on, TransferLetter.State.ENDED
    letter.save(update_fields=["ended_on", "status"])
    if letter.direction == TransferLetter.Direction.IN and letter.membership.temporary:
        try:
            members.member_record_event(letter.membership, actor=actor, kind=MembershipEvent.Kind.TEMPORARY_ENDED,
                                        effective_date=on, decision_number=letter.number)
        except ValidationError as exc:
            raise ValidationError({"ended_on": [m for msgs in exc.message_dict.values() for m in msgs]}) from exc
    old, new = audit.diff(before, audit.snapshot(letter, LETTER_FIELDS))
    audit.record(actor=actor, action="update", obj=letter, object_repr=letter.membership.person.full_name,
                 org_path=letter.organisation.path, before=old, after=new, note=f"{letter.number}: {format_vn_date(on)}")
    return letter
