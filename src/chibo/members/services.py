"""Writes for people, memberships, membership events and posts.

Every function is atomic: the change, its audit record and the member rollup
(MemberStat) are written in one transaction, or nothing is. Validation errors are
ValidationError with the offending field named and a Vietnamese message saying how to
fix it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from chibo.accounts import roles as post_roles
from chibo.accounts import services as account_services
from chibo.audit import services as audit
from chibo.core.bulk import insert_returning, insert_rows
from chibo.core.dates import format_vn_date, today
from chibo.core.rules import rule
from chibo.core.text import fold, name_sort_key, nfc
from chibo.indicators import services as cell_facts
from chibo.members import rules
from chibo.members.models import (
    CURRENT_STATUSES,
    MemberAgeStat,
    Membership,
    MembershipEvent,
    MemberStat,
    Person,
    Post,
    Status,
)
from chibo.organisations.models import Locality, Organisation

PERSON_FIELDS = ["family_name", "middle_name", "given_name", "sex", "birth_date", "ethnicity", "religion",
                 "citizen_id", "phone", "residence_id", "education", "political_theory"]
MEMBERSHIP_FIELDS = ["organisation_id", "status", "exempt", "temporary", "admission_date", "admission_decision_date",
                     "official_date", "card_number", "interrupted_months", "exempt_since", "temporary_since",
                     "left_on", "left_note"]
# The dates a new record's present state began: required with the state they date, so that the
# history (and a report for a past date) never says "since the day it was typed in".
STATE_DATE_FIELDS = ("exempt_since", "temporary_since", "left_on", "left_note")
POST_FIELDS = ["person_id", "kind", "organisation_id", "locality_id", "start_date", "end_date", "decision_number"]
PERSON_INPUTS = {*PERSON_FIELDS, "residence"} - {"residence_id"}
LEVELS = ("province", "commune", "base", "cell", "group")
LEVEL_ATTNAMES = tuple(f"{level}_id" for level in LEVELS)


# --- Organisation levels ------------------------------------------------------------

def levels_of(org: Organisation) -> dict[str, int | None]:
    """The ids of the org's province, commune, grassroots organisation, cell and party
    group (None where the level does not apply)."""
    return levels_of_many([org])[org.pk]


def levels_of_many(orgs: Iterable[Organisation]) -> dict[int, dict[str, int | None]]:
    """levels_of for many organisations, in one query per 5,000 ancestors."""
    orgs = list({o.pk: o for o in orgs}.values())
    paths = list({p for o in orgs for p in o.ancestor_paths()})
    kinds: dict[str, tuple[int, str]] = {}
    for i in range(0, len(paths), 5000):
        for pk, path, kind in Organisation.objects.filter(path__in=paths[i:i + 5000]).values_list("id", "path", "kind"):
            kinds[path] = (pk, kind)
    out: dict[int, dict[str, int | None]] = {}
    for org in orgs:
        found: dict[str, int | None] = dict.fromkeys(LEVELS)
        for path in org.ancestor_paths():
            if path not in kinds:
                continue
            pk, kind = kinds[path]
            if kind == Organisation.Kind.PROVINCE:
                found["province"] = pk
            elif kind == Organisation.Kind.COMMUNE:
                found["commune"] = pk
            elif kind in Organisation.GRASSROOTS_KINDS:
                found["base"] = pk
                if kind == Organisation.Kind.GRASSROOTS_CELL:
                    found["cell"] = pk
            elif kind == Organisation.Kind.CELL:
                found["cell"] = pk
            elif kind == Organisation.Kind.PARTY_GROUP:
                found["group"] = pk
        out[org.pk] = found
    return out


def _set_levels(obj: Membership | MembershipEvent, levels: dict[str, int | None]) -> None:
    for level in LEVELS:
        setattr(obj, f"{level}_id", levels[level])


# --- Rollup -------------------------------------------------------------------------

StatKey = tuple[tuple[int, ...], str, str, str, bool, int]  # orgs, status, sex, ethnicity, exempt, birth year


def _stat_key(m: Membership) -> StatKey | None:
    if not rules.is_counted(m.status, m.temporary):
        return None
    values = m.__dict__
    orgs = tuple(dict.fromkeys(values[a] for a in LEVEL_ATTNAMES if values[a]))
    if m.organisation_id not in orgs:
        orgs = (*orgs, m.organisation_id)
    return orgs, m.status, m.sex, m.ethnicity, m.exempt, m.birth_date.year


def _apply_stats(deltas: Counter[StatKey]) -> None:
    """Add the deltas to both rollups (and to the cells' official counts)."""
    stats: Counter[tuple[int, str, str, str, bool]] = Counter()
    ages: Counter[tuple[int, int]] = Counter()
    officials: Counter[int] = Counter()
    for (orgs, status, sex, ethnicity, exempt, year), delta in deltas.items():
        for org_id in orgs:
            stats[(org_id, status, sex, ethnicity, exempt)] += delta
            ages[(org_id, year)] += delta
        if status == Status.OFFICIAL:
            for org_id in orgs:
                officials[org_id] += delta
    stat_rows = [(*k, n) for k, n in stats.items() if n]
    age_rows = [(*k, n) for k, n in ages.items() if n]
    with connection.cursor() as cursor:
        if stat_rows:
            t = MemberStat._meta.db_table
            cursor.executemany(
                f"INSERT INTO {t} (organisation_id, status, sex, ethnicity, exempt, n) VALUES (%s, %s, %s, %s, %s, %s) "
                f"ON CONFLICT (organisation_id, status, sex, ethnicity, exempt) DO UPDATE SET n = {t}.n + excluded.n",
                stat_rows)
        if age_rows:
            t = MemberAgeStat._meta.db_table
            cursor.executemany(
                f"INSERT INTO {t} (organisation_id, birth_year, n) VALUES (%s, %s, %s) "
                f"ON CONFLICT (organisation_id, birth_year) DO UPDATE SET n = {t}.n + excluded.n", age_rows)
    cell_facts.add_official(officials)


def _change_stats(old: StatKey | None, new: StatKey | None) -> None:
    if old == new:
        return
    deltas: Counter[StatKey] = Counter()
    if old is not None:
        deltas[old] -= 1
    if new is not None:
        deltas[new] += 1
    _apply_stats(deltas)


def _fresh_stats() -> Counter[StatKey]:
    """Count the memberships afresh, grouped in the database by everything but year of birth."""
    deltas: Counter[StatKey] = Counter()
    rows = (Membership.objects.counted()
            .values_list("organisation_id", *[f"{lv}_id" for lv in LEVELS], "status", "sex", "ethnicity", "exempt",
                         "birth_date").order_by())
    for org_id, *levels_and_rest in rows.iterator(chunk_size=10000):
        levels, (status, sex, ethnicity, exempt, birth) = levels_and_rest[:len(LEVELS)], levels_and_rest[len(LEVELS):]
        orgs = tuple(dict.fromkeys(lv for lv in levels if lv))
        if org_id not in orgs:
            orgs = (*orgs, org_id)
        deltas[(orgs, status, sex, ethnicity, bool(exempt), birth.year)] += 1
    return deltas


@transaction.atomic
def rebuild_member_stats() -> int:
    """Recompute both rollups from the memberships (and the cells' facts); returns the rows."""
    MemberStat.objects.all().delete()
    MemberAgeStat.objects.all().delete()
    _apply_stats(_fresh_stats())
    cell_facts.rebuild_cell_facts()
    return MemberStat.objects.count() + MemberAgeStat.objects.count()


def compare_member_stats() -> list[tuple[Any, ...]]:
    """Differences between the live rollups and a fresh count (empty when they agree)."""
    live: dict[tuple[Any, ...], int] = {}
    for s in MemberStat.objects.filter(n__gt=0):
        live[("status", s.organisation_id, s.status, s.sex, s.ethnicity, s.exempt)] = s.n
    for a in MemberAgeStat.objects.filter(n__gt=0):
        live[("age", a.organisation_id, a.birth_year)] = a.n
    fresh: Counter[tuple[Any, ...]] = Counter()
    for (orgs, status, sex, ethnicity, exempt, year), n in _fresh_stats().items():
        for org_id in orgs:
            fresh[("status", org_id, status, sex, ethnicity, exempt)] += n
            fresh[("age", org_id, year)] += n
    keys = set(live) | set(fresh)
    diffs = [(k, live.get(k, 0), fresh.get(k, 0)) for k in keys if live.get(k, 0) != fresh.get(k, 0)]
    diffs += [(("cell facts", *d[:2]), d[2], d[3]) for d in cell_facts.compare_cell_facts()]
    return sorted(diffs, key=str)


# --- People -------------------------------------------------------------------------

def unusable_number_message() -> str:
    """The one answer for a citizen ID or party card number that cannot be used: taken by another
    person, or (in an import) belonging to someone the importer may not change, or (for a post)
    known to nobody the importer may see. It names nobody and nothing, so it tells no one whether
    the number is a member's, a resident's or a candidate's, nor where they are."""
    return _("This citizen ID or party card number cannot be used here. Check it against the card. If it is "
             "right, look for the person in your lists; if they are not there, ask the commune's party office "
             "to make the change.")


def _clean_person(data: dict[str, Any], *, instance: Person | None) -> dict[str, Any]:
    out = dict(data)
    for name in ("family_name", "middle_name", "given_name", "phone"):
        out[name] = nfc(out.get(name) or "")
    out["citizen_id"] = nfc(out.get("citizen_id") or "").replace(" ", "") or None
    errors: dict[str, str] = {}
    if not out["given_name"]:
        errors["given_name"] = _("Enter the given name (the last word of the full name).")
    cid = out["citizen_id"]
    if cid is not None:
        if not rules.CITIZEN_ID_RE.match(cid):
            errors["citizen_id"] = _("The citizen ID must be exactly 12 digits (it has %(n)s). Check the card and type all 12 digits.") % {"n": len(cid)}
        else:
            clash = Person.objects.filter(citizen_id=cid)
            if instance is not None:
                clash = clash.exclude(pk=instance.pk)
            if clash.exists():
                errors["citizen_id"] = unusable_number_message()
    if out["phone"] and not rules.PHONE_RE.match(out["phone"]):
        errors["phone"] = _("The phone number may contain only digits, spaces, dots, dashes and a leading +, 8 to 15 characters.")
    birth_error = rules.birth_date_error(out.get("birth_date"), today())
    if birth_error:
        errors["birth_date"] = birth_error
    if errors:
        raise ValidationError(errors)
    return out


def _apply_person(person: Person, data: dict[str, Any]) -> None:
    for key, value in data.items():
        setattr(person, key, value)
    person.search_name = fold(person.full_name)
    person.sort_key = name_sort_key(person.family_name, person.middle_name, person.given_name)


@transaction.atomic
def person_create(*, actor: Any, **data: Any) -> Person:
    data = _clean_person(data, instance=None)
    person = Person()
    _apply_person(person, data)
    person.save()
    audit.record(actor=actor, action="create", obj=person, org_path=_person_org_path(person),
                 after=audit.snapshot(person, PERSON_FIELDS))
    return person


@transaction.atomic
def person_update(person: Person, *, actor: Any, **data: Any) -> Person:
    merged = {f: getattr(person, f) for f in ("family_name", "middle_name", "given_name", "sex", "birth_date",
                                              "ethnicity", "religion", "citizen_id", "phone", "residence",
                                              "education", "political_theory")}
    merged.update(data)
    merged = _clean_person(merged, instance=person)
    before = audit.snapshot(person, PERSON_FIELDS)
    prior_path = _person_org_path(person)
    _apply_person(person, merged)
    person.save()
    membership = Membership.objects.filter(person=person).first()
    if membership is not None:
        old_key = _stat_key(membership)
        _copy_person(membership, person)
        membership.save(update_fields=["sort_key", "search_name", "birth_date", "sex", "ethnicity", "updated_at"])
        _change_stats(old_key, _stat_key(membership))
    old, new = audit.diff(before, audit.snapshot(person, PERSON_FIELDS))
    if new:
        audit.record(actor=actor, action="update", obj=person, org_path=_person_org_path(person),
                     prior_path=prior_path, before=old, after=new)
    return person


def _person_org_path(person: Person) -> str:
    m = Membership.objects.filter(person=person).select_related("organisation").first()
    if m is not None:
        return m.organisation.path
    loc = person.residence
    if loc is not None and loc.parent is not None and loc.parent.organisation is not None:
        return loc.parent.organisation.path
    return ""


def _copy_person(m: Membership, p: Person) -> None:
    m.sort_key = p.sort_key
    m.search_name = p.search_name
    m.birth_date = p.birth_date
    m.sex = p.sex
    m.ethnicity = p.ethnicity


# --- Memberships --------------------------------------------------------------------

def _clean_membership(data: dict[str, Any], person: Person, *, instance: Membership | None) -> dict[str, Any]:
    out = dict(data)
    out["card_number"] = nfc(out.get("card_number") or "").replace(" ", "") or None
    errors: dict[str, str] = {}
    org: Organisation | None = out.get("organisation")
    if org is None:
        errors["organisation"] = _("Choose the party cell the member belongs to.")
    elif not org.holds_members:
        errors["organisation"] = _("Members are kept in a party cell or party group, not in a %(kind)s. Choose a cell.") % {"kind": org.get_kind_display()}
    elif not org.is_active and (instance is None or instance.organisation_id != org.pk):
        left_on = out.get("left_on")
        if out.get("status") in CURRENT_STATUSES or left_on is None:
            errors["organisation"] = _("That organisation has been dissolved or merged. Choose one that is active.")
        elif org.valid_to is not None and left_on > org.valid_to:
            errors["left_on"] = _("The cell was dissolved or merged on %(date)s, before this date: a former member "
                                  "is kept in the cell they left from. Check the date and the cell.") % {
                "date": format_vn_date(org.valid_to)}
    admission: dt.date | None = out.get("admission_date")
    official: dt.date | None = out.get("official_date")
    status = out.get("status")
    admission_error = rules.admission_date_error(admission, today())
    if admission_error:
        errors["admission_date"] = admission_error
    elif admission is not None:
        age_error = rules.admission_age_error(person.birth_date, admission, rule("admission_min_age", admission))
        if age_error:
            errors["admission_date"] = age_error
        official_error = rules.official_date_error(admission, official, rule("probation_months", admission), today())
        if official_error:
            errors["official_date"] = official_error
    decided_error = rules.admission_decision_error(out.get("admission_decision_date"), admission)
    if decided_error:
        errors["admission_decision_date"] = decided_error
    status_error = rules.status_official_date_error(status, official)
    if status_error:
        errors["official_date"] = status_error
    exempt_error = rules.exempt_error(bool(out.get("exempt")), status)
    if exempt_error:
        errors["exempt"] = exempt_error
    if instance is None:
        out["left_note"] = nfc(out.get("left_note") or "").strip()[:300]
        for field, message in rules.state_date_errors(
                today=today(), status=status, admission=admission, official=official, exempt=bool(out.get("exempt")),
                exempt_since=out.get("exempt_since"), temporary=bool(out.get("temporary")),
                temporary_since=out.get("temporary_since"), left_on=out.get("left_on")).items():
            errors.setdefault(field, message)
    card = out["card_number"]
    if card:
        clash = Membership.objects.filter(card_number=card)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors["card_number"] = unusable_number_message()
    if errors:
        raise ValidationError(errors)
    return out


def _event_row(m: Membership, kind: str, on: dt.date, decision: str = "", note: str = "",
               actor: Any = None) -> dict[str, Any]:
    """A history row for the membership's present state (attribute names → values)."""
    row: dict[str, Any] = {
        "membership_id": m.pk, "kind": kind, "effective_date": on, "decision_number": nfc(decision),
        "note": nfc(note), "organisation_id": m.organisation_id, "status": m.status, "exempt": m.exempt,
        "temporary": m.temporary, "ended_on": None,
        "recorded_by_id": actor.pk if getattr(actor, "is_authenticated", False) else None,
    }
    for level in LEVELS:
        row[f"{level}_id"] = getattr(m, f"{level}_id")
    return row


def _event(m: Membership, kind: str, on: dt.date, decision: str = "", note: str = "", actor: Any = None) -> MembershipEvent:
    return MembershipEvent(**_event_row(m, kind, on, decision, note, actor))


LEAVING_EVENTS: dict[str, str] = {Status.TRANSFERRED_OUT: MembershipEvent.Kind.TRANSFERRED_OUT, Status.REMOVED: MembershipEvent.Kind.REMOVED,
                  Status.EXPELLED: MembershipEvent.Kind.EXPELLED, Status.DECEASED: MembershipEvent.Kind.DECEASED}


def _opening_event_rows(m: Membership, actor: Any, decision: str = "") -> list[dict[str, Any]]:
    """History for a member entered into chibo, each state from the day it began: admitted
    (or, for a member here on temporary activity, from the day that began), recognised,
    exempted, and for a former member the day they left."""
    final = (m.status, m.exempt, m.temporary)
    start, first = m.admission_date, MembershipEvent.Kind.ADMITTED
    if m.temporary and m.temporary_since is not None:
        start, first = m.temporary_since, MembershipEvent.Kind.TEMPORARY_IN
    official = m.official_date
    m.status = Status.OFFICIAL if official is not None and official <= start else Status.PROBATIONARY
    m.exempt = False
    events = [_event_row(m, first, start, decision if first == MembershipEvent.Kind.ADMITTED else "", actor=actor)]
    changes: list[tuple[dt.date, int, str, dict[str, Any], str]] = []
    if official is not None and official > start:
        changes.append((official, 0, MembershipEvent.Kind.RECOGNISED, {"status": Status.OFFICIAL}, ""))
    if final[1]:
        changes.append((m.exempt_since or today(), 1, MembershipEvent.Kind.EXEMPTED, {"exempt": True}, ""))
    if final[0] in LEAVING_EVENTS:
        changes.append((m.left_on or today(), 2, LEAVING_EVENTS[final[0]], {"status": final[0], "exempt": False},
                        m.left_note))
    for day, _order, kind, state, note in sorted(changes):
        for name, value in state.items():
            setattr(m, name, value)
        events[-1]["ended_on"] = day
        events.append(_event_row(m, kind, day, note=note, actor=actor))
    m.status, m.exempt, m.temporary = final
    return events


def _opening_events(m: Membership, actor: Any, decision: str = "") -> list[MembershipEvent]:
    return [MembershipEvent(**row) for row in _opening_event_rows(m, actor, decision)]


@transaction.atomic
def member_create(*, actor: Any, person: Person | None = None, person_data: dict[str, Any] | None = None,
                  decision_number: str = "", **data: Any) -> Membership:
    """Enter a party member: a new person (person_data) or an existing one (person)."""
    prior_path = ""
    if person is None:
        person = person_create(actor=actor, **(person_data or {}))
    elif Membership.objects.filter(person=person).exists():
        raise ValidationError({"person": _("This person already has a membership record. Open it instead.")})
    else:
        prior_path = _person_org_path(person)  # a resident's commune: it sees them become a member
    data = _clean_membership(data, person, instance=None)
    m = Membership(person=person, **data)
    m.current = rules.is_current(m.status)
    _set_levels(m, levels_of(m.organisation))
    _copy_person(m, person)
    m.save()
    MembershipEvent.objects.bulk_create(_opening_events(m, actor, decision_number))
    _change_stats(None, _stat_key(m))
    cell_facts.refresh_for_persons([person.pk])
    audit.record(actor=actor, action="create", obj=m, object_repr=person.full_name, org_path=m.organisation.path,
                 prior_path=prior_path, after=audit.snapshot(m, MEMBERSHIP_FIELDS))
    return m


@transaction.atomic
def member_update(m: Membership, *, actor: Any, person_data: dict[str, Any] | None = None, **data: Any) -> Membership:
    """Correct a member's record (person and membership fields). Changes of status or
    organisation are events (member_record_event), not corrections."""
    if person_data:
        person_update(m.person, actor=actor, **person_data)
        m.refresh_from_db()
    if not data:
        return m
    for forbidden in ("organisation", "status", "exempt", "temporary"):
        if forbidden in data and data[forbidden] != getattr(m, forbidden):
            raise ValidationError({forbidden: _("Record a dated event (with its decision) to change this.")})
    merged = {f: getattr(m, f) for f in ("organisation", "status", "exempt", "temporary", "admission_date",
                                         "admission_decision_date", "official_date", "card_number",
                                         "interrupted_months")}
    merged.update(data)
    merged = _clean_membership(merged, m.person, instance=m)
    before = audit.snapshot(m, MEMBERSHIP_FIELDS)
    changed = [k for k, v in merged.items() if getattr(m, k) != v]
    for key in changed:
        setattr(m, key, merged[key])
    if changed:
        m.save(update_fields=[*changed, "updated_at"])
        _sync_opening_dates(m)
        old, new = audit.diff(before, audit.snapshot(m, MEMBERSHIP_FIELDS))
        audit.record(actor=actor, action="update", obj=m, object_repr=m.person.full_name,
                     org_path=m.organisation.path, before=old, after=new)
    return m


def _sync_opening_dates(m: Membership) -> None:
    """Keep the admitted/recognised events in step with corrected dates."""
    events = {e.kind: e for e in m.events.filter(kind__in=[MembershipEvent.Kind.ADMITTED, MembershipEvent.Kind.RECOGNISED])}
    admitted = events.get(MembershipEvent.Kind.ADMITTED)
    recognised = events.get(MembershipEvent.Kind.RECOGNISED)
    if admitted and admitted.effective_date != m.admission_date:
        admitted.effective_date = m.admission_date
        admitted.save(update_fields=["effective_date"])
    if recognised and m.official_date and recognised.effective_date != m.official_date:
        recognised.effective_date = m.official_date
        recognised.save(update_fields=["effective_date"])
        admitted_end = MembershipEvent.objects.filter(pk=admitted.pk) if admitted else None
        if admitted_end is not None:
            admitted_end.update(ended_on=m.official_date)


# Which events apply to which state, and what they change.
EVENT_RULES: dict[str, dict[str, Any]] = {
    MembershipEvent.Kind.RECOGNISED: {"from": {Status.PROBATIONARY}, "status": Status.OFFICIAL},
    MembershipEvent.Kind.MOVED: {"from": set(CURRENT_STATUSES), "needs_org": True},
    MembershipEvent.Kind.TRANSFERRED_IN: {"from": {Status.TRANSFERRED_OUT}, "needs_org": True, "status": "previous"},
    MembershipEvent.Kind.TRANSFERRED_OUT: {"from": set(CURRENT_STATUSES), "status": Status.TRANSFERRED_OUT},
    MembershipEvent.Kind.TEMPORARY_IN: {"from": set(CURRENT_STATUSES), "temporary": True},
    MembershipEvent.Kind.TEMPORARY_ENDED: {"from": set(CURRENT_STATUSES), "temporary": False},
    MembershipEvent.Kind.EXEMPTED: {"from": {Status.OFFICIAL}, "exempt": True},
    MembershipEvent.Kind.EXEMPTION_ENDED: {"from": {Status.OFFICIAL}, "exempt": False},
    MembershipEvent.Kind.REMOVED: {"from": set(CURRENT_STATUSES), "status": Status.REMOVED},
    MembershipEvent.Kind.EXPELLED: {"from": set(CURRENT_STATUSES), "status": Status.EXPELLED},
    MembershipEvent.Kind.DECEASED: {"from": set(CURRENT_STATUSES), "status": Status.DECEASED},
}


@transaction.atomic
def member_record_event(m: Membership, *, actor: Any, kind: str, effective_date: dt.date,
                        decision_number: str = "", organisation: Organisation | None = None,
                        note: str = "") -> MembershipEvent:
    m = Membership.objects.select_for_update().select_related("person").get(pk=m.pk)
    spec = EVENT_RULES.get(kind)
    errors: dict[str, str] = {}
    if spec is None:
        raise ValidationError({"kind": _("Choose one of the listed events.")})
    if m.status not in spec["from"]:
        errors["kind"] = _("This event does not apply to a member whose status is %(status)s.") % {"status": m.get_status_display()}
    if effective_date > today():
        errors["effective_date"] = _("The effective date cannot be in the future; record the event when it takes effect.")
    last = m.events.aggregate(last=Max("effective_date"))["last"]
    if last and effective_date < last:
        errors["effective_date"] = _("The effective date must be on or after the latest recorded event (%(date)s).") % {"date": format_vn_date(last)}
    if spec.get("needs_org"):
        if organisation is None:
            errors["organisation"] = _("Choose the party cell the member moves to.")
        elif not organisation.holds_members or not organisation.is_active:
            errors["organisation"] = _("Choose an active party cell or party group.")
        elif organisation.pk == m.organisation_id and kind == MembershipEvent.Kind.MOVED:
            errors["organisation"] = _("The member is already in this organisation.")
    if kind == MembershipEvent.Kind.RECOGNISED:
        probation = rule("probation_months", m.admission_date)
        earliest = rules.probation_end(m.admission_date, probation.value)
        if effective_date < earliest:
            errors["effective_date"] = _("Recognition takes effect when the %(months)s months of probation end, on %(date)s (%(cite)s).") % {"months": probation.value, "date": format_vn_date(earliest), "cite": probation.citation}
    if errors:
        raise ValidationError(errors)
    if spec.get("status") not in (None, "previous", *CURRENT_STATUSES):
        # off the rolls: the committee posts end with the membership, and the roles they gave
        for post in Post.objects.filter(person_id=m.person_id, kind__in=Post.COMMITTEE_KINDS, end_date__isnull=True,
                                        start_date__lte=effective_date):
            post_update(post, actor=actor, end_date=effective_date)

    old_key = _stat_key(m)
    before = audit.snapshot(m, MEMBERSHIP_FIELDS)
    prior_path = m.organisation.path
    if spec.get("needs_org") and organisation is not None:
        m.organisation = organisation
        _set_levels(m, levels_of(organisation))
    status = spec.get("status")
    if status == "previous":
        prior = m.events.exclude(status=Status.TRANSFERRED_OUT).order_by("-effective_date", "-id").first()
        m.status = prior.status if prior else Status.OFFICIAL
    elif status:
        m.status = status
    if kind == MembershipEvent.Kind.RECOGNISED:
        m.official_date = effective_date
    if "exempt" in spec:
        m.exempt = spec["exempt"]
        m.exempt_since = effective_date if m.exempt else None
    if "temporary" in spec:
        m.temporary = spec["temporary"]
        m.temporary_since = effective_date if m.temporary else None
    if m.status not in CURRENT_STATUSES:
        m.exempt, m.exempt_since = False, None
        m.left_on = effective_date
        m.left_note = " ".join(x for x in (nfc(decision_number), nfc(note)) if x)[:300]
    else:
        m.left_on, m.left_note = None, ""
    m.current = rules.is_current(m.status)
    m.save()
    m.events.filter(ended_on__isnull=True).update(ended_on=effective_date)
    event = _event(m, kind, effective_date, decision_number, note, actor)
    event.save()
    _change_stats(old_key, _stat_key(m))
    cell_facts.refresh_for_persons([m.person_id])
    old, new = audit.diff(before, audit.snapshot(m, MEMBERSHIP_FIELDS))
    audit.record(actor=actor, action="event", obj=m, object_repr=m.person.full_name, org_path=m.organisation.path,
                 prior_path=prior_path, before=old, after=new, note=f"{event.get_kind_display()} {format_vn_date(effective_date)} {event.decision_number}".strip())
    account_services.follow_membership(m.person_id, current=m.current, actor=actor)
    return event


# --- Posts --------------------------------------------------------------------------

def _clean_post(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    out = dict(data)
    out["decision_number"] = nfc(out.get("decision_number") or "")
    errors: dict[str, str] = {}
    warnings: list[str] = []
    kind = out.get("kind")
    person: Person | None = out.get("person")
    if person is None:
        errors["person"] = _("Choose the person who holds the post.")
    if kind in Post.COMMITTEE_KINDS:
        org: Organisation | None = out.get("organisation")
        out["locality"] = None
        if org is None:
            errors["organisation"] = _("Choose the party organisation of this committee post.")
        elif org.kind == Organisation.Kind.PARTY_GROUP:
            errors["organisation"] = _("A party group has a leader, not a committee. Choose its cell.")
        if person is not None and not Membership.objects.filter(person=person, status__in=CURRENT_STATUSES).exists():
            errors["person"] = _("A committee post can only be held by a current party member.")
    elif kind in Post.HEAD_KINDS:
        loc: Locality | None = out.get("locality")
        out["organisation"] = None
        if loc is None:
            errors["locality"] = _("Choose the village or neighbourhood group this person heads.")
        elif not loc.is_village:
            errors["locality"] = _("Only a village or neighbourhood group has a head in chibo. Choose one.")
        elif person is not None and person.residence_id != loc.pk:
            warnings.append(_("%(name)s is not recorded as living in %(place)s. Check the place of residence.") % {"name": person.full_name, "place": loc.name})
    else:
        errors["kind"] = _("Choose one of the listed posts.")
    start, end = out.get("start_date"), out.get("end_date")
    if start is None:
        errors["start_date"] = _("Enter the start date as dd/mm/yyyy.")
    elif rules.post_dates_error(start, end):
        errors["end_date"] = rules.post_dates_error(start, end)
    if errors:
        raise ValidationError(errors)
    return out, warnings


def _post_path(post: Post) -> str:
    if post.organisation is not None:
        return post.organisation.path
    if post.locality is not None:
        owner = post.locality.organisation or (post.locality.parent.organisation if post.locality.parent else None)
        return owner.path if owner is not None else ""
    return ""


@transaction.atomic
def post_create(*, actor: Any, **data: Any) -> tuple[Post, list[str]]:
    """Create a post; returns it and any warnings (e.g. a head not resident there)."""
    data, warnings = _clean_post(data)
    post = Post.objects.create(**data)
    cell_facts.refresh_for_post(post)
    audit.record(actor=actor, action="create", obj=post, org_path=_post_path(post), after=audit.snapshot(post, POST_FIELDS))
    post_roles.sync_post_roles([post.person_id], actor=actor)  # roles follow posts
    return post, warnings


@transaction.atomic
def post_update(post: Post, *, actor: Any, **data: Any) -> tuple[Post, list[str]]:
    merged = {f: getattr(post, f) for f in ("person", "kind", "organisation", "locality", "start_date",
                                            "end_date", "decision_number")}
    merged.update(data)
    merged, warnings = _clean_post(merged)
    before = audit.snapshot(post, POST_FIELDS)
    was = Post(organisation_id=post.organisation_id, locality_id=post.locality_id, person_id=post.person_id)
    for key, value in merged.items():
        setattr(post, key, value)
    post.save()
    cell_facts.refresh_for_post(was)
    cell_facts.refresh_for_post(post)
    old, new = audit.diff(before, audit.snapshot(post, POST_FIELDS))
    if new:
        audit.record(actor=actor, action="update", obj=post, org_path=_post_path(post), before=old, after=new)
    post_roles.sync_post_roles({was.person_id, post.person_id}, actor=actor)
    return post, warnings


# --- Bulk paths (demo, synthetic data, imports) ---------------------------------------

def bulk_create_posts(rows: Iterable[dict[str, Any]], *, actor: Any) -> list[Post]:
    """Insert many posts at once, with their audit rows and the cells' facts, in one
    transaction. Rows are trusted to be valid (callers validate first); a row that breaks
    the shape of a post (no organisation for a committee post, an end before the start)
    is refused with ValidationError and nothing is written."""
    posts = [Post(**row) for row in rows]
    for post in posts:
        committee = post.kind in Post.COMMITTEE_KINDS
        if (committee and post.organisation is None) or (not committee and post.locality is None):
            raise ValidationError({"kind": _("Choose one of the listed posts.")})
        if rules.post_dates_error(post.start_date, post.end_date):
            raise ValidationError({"end_date": rules.post_dates_error(post.start_date, post.end_date)})
    with transaction.atomic():
        Post.objects.bulk_create(posts, batch_size=2000)
        cell_facts.refresh_cells({p.organisation_id for p in posts if p.organisation_id})
        cell_facts.refresh_for_localities({p.locality_id for p in posts if p.locality_id})
        audit.record_many([{"action": "create", "obj": p, "org_path": _post_path(p),
                            "after": audit.snapshot(p, POST_FIELDS)} for p in posts], actor=actor)
        post_roles.sync_post_roles({p.person_id for p in posts}, actor=actor)
    return posts


def bulk_create_members(rows: Iterable[dict[str, Any]], *, actor: Any, audit_rows: bool = True) -> list[Membership]:
    """Insert many members at once: persons, memberships, opening events, rollup and audit,
    in one transaction. Each row: person fields + organisation (Organisation) + membership
    fields. Rows are trusted to be valid (callers validate first). Returns the memberships,
    in row order, with their persons."""
    with transaction.atomic():
        rows = list(rows)
        level_cache = levels_of_many(row["organisation"] for row in rows)
        persons = []
        for row in rows:
            p = Person()
            _apply_person(p, {k: row[k] for k in row if k in PERSON_INPUTS})
            persons.append(p)
        insert_returning(Person, persons)
        members = []
        for row, p in zip(rows, persons, strict=True):
            org: Organisation = row["organisation"]
            m = Membership(person=p, organisation=org, status=row["status"], exempt=row.get("exempt", False),
                           temporary=row.get("temporary", False), admission_date=row["admission_date"],
                           admission_decision_date=row.get("admission_decision_date"),
                           official_date=row.get("official_date"), card_number=row.get("card_number"),
                           **{k: row[k] for k in STATE_DATE_FIELDS if row.get(k)})
            missing = [k for k, needed in (("exempt_since", m.exempt), ("temporary_since", m.temporary),
                                           ("left_on", m.status not in CURRENT_STATUSES))
                       if needed and getattr(m, k) is None]
            if missing:
                raise ValidationError({missing[0]: _("Enter the day this state began, as dd/mm/yyyy.")})
            m.current = rules.is_current(m.status)
            _set_levels(m, level_cache[org.pk])
            _copy_person(m, p)
            members.append(m)
        insert_returning(Membership, members)
        events: list[dict[str, Any]] = []
        deltas: Counter[StatKey] = Counter()
        for m in members:
            events.extend(_opening_event_rows(m, actor))
            key = _stat_key(m)
            if key is not None:
                deltas[key] += 1
        insert_rows(MembershipEvent, events)
        _apply_stats(deltas)  # the cells' official counts too; the persons are new, so they head no village yet
        if audit_rows:
            audit.record_many(
                [{"action": "create", "obj": m, "object_repr": m.person.full_name, "org_path": m.organisation.path,
                  "after": audit.snapshot(m, MEMBERSHIP_FIELDS)} for m in members],
                actor=actor,
            )
    return members
