"""Model → JSON. Field names are the model's; dates are ISO 8601 (yyyy-mm-dd); related
objects appear by their code (organisations, localities) or id (people, posts, resolutions,
targets, tasks); decimal numbers are strings with a decimal point ("95.5"), so that no
client reads them through a binary float.

Callers pass objects loaded with the select_related named in each docstring."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from chibo.core.dates import today
from chibo.members.models import Membership, MembershipEvent, Person, Post
from chibo.organisations.models import Locality, Organisation
from chibo.plans.models import Measurement, Resolution, Target
from chibo.plans.selectors import Figure
from chibo.tasks.models import Assignee, Task, Update


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def number(value: Decimal | None, places: int = 2) -> str | None:
    """A decimal as a string without exponent or trailing zeros: "30", "95.5", "0.3333"."""
    if value is None:
        return None
    q = value.quantize(Decimal(1).scaleb(-places)).normalize()
    return f"{q:f}"


def datetime_iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def organisation_to_dict(org: Organisation) -> dict[str, Any]:
    """select_related: parent, locality."""
    return {
        "code": org.code,
        "name": org.name,
        "kind": org.kind,
        "sector": org.sector,
        "parent": org.parent.code if org.parent is not None else None,
        "depth": org.depth,
        "valid_from": iso(org.valid_from),
        "valid_to": iso(org.valid_to),
        "locality": org.locality.code if org.locality is not None else None,
    }


def person_to_dict(p: Person) -> dict[str, Any]:
    """select_related: residence."""
    return {
        "id": p.pk,
        "full_name": p.full_name,
        "family_name": p.family_name,
        "middle_name": p.middle_name,
        "given_name": p.given_name,
        "sex": p.sex,
        "birth_date": iso(p.birth_date),
        "ethnicity": p.ethnicity,
        "religion": p.religion,
        "citizen_id": p.citizen_id,
        "phone": p.phone,
        "residence": p.residence.code if p.residence is not None else None,
        "education": p.education,
        "political_theory": p.political_theory,
    }


def member_row_to_dict(m: Membership) -> dict[str, Any]:
    """A member list row. select_related: person, organisation."""
    p = m.person
    return {
        "id": m.pk,
        "full_name": p.full_name,
        "family_name": p.family_name,
        "middle_name": p.middle_name,
        "given_name": p.given_name,
        "sex": m.sex,
        "birth_date": iso(m.birth_date),
        "ethnicity": m.ethnicity,
        "organisation": m.organisation.code,
        "organisation_name": m.organisation.name,
        "status": m.status,
        "current": m.current,
        "exempt": m.exempt,
        "temporary": m.temporary,
        "admission_date": iso(m.admission_date),
        "admission_decision_date": iso(m.admission_decision_date),
        "official_date": iso(m.official_date),
        "card_number": m.card_number,
        "exempt_since": iso(m.exempt_since),
        "temporary_since": iso(m.temporary_since),
        "left_on": iso(m.left_on),
    }


def event_to_dict(e: MembershipEvent) -> dict[str, Any]:
    """select_related: organisation."""
    return {
        "id": e.pk,
        "kind": e.kind,
        "effective_date": iso(e.effective_date),
        "decision_number": e.decision_number,
        "note": e.note,
        "organisation": e.organisation.code,
        "status": e.status,
        "exempt": e.exempt,
        "temporary": e.temporary,
        "ended_on": iso(e.ended_on),
    }


def member_to_dict(m: Membership, events: list[MembershipEvent]) -> dict[str, Any]:
    """The full record. select_related: person, person__residence, organisation."""
    return {
        **person_to_dict(m.person),
        "id": m.pk,
        "person_id": m.person_id,
        "organisation": m.organisation.code,
        "organisation_name": m.organisation.name,
        "status": m.status,
        "current": m.current,
        "exempt": m.exempt,
        "temporary": m.temporary,
        "admission_date": iso(m.admission_date),
        "admission_decision_date": iso(m.admission_decision_date),
        "official_date": iso(m.official_date),
        "card_number": m.card_number,
        "exempt_since": iso(m.exempt_since),
        "temporary_since": iso(m.temporary_since),
        "left_on": iso(m.left_on),
        "left_note": m.left_note,
        "interrupted_months": m.interrupted_months,
        "party_age": m.party_age_on(today()),
        "events": [event_to_dict(e) for e in events],
    }


def post_to_dict(post: Post) -> dict[str, Any]:
    """select_related: person, organisation, locality."""
    return {
        "id": post.pk,
        "kind": post.kind,
        "person": post.person_id,
        "person_name": post.person.full_name,
        "organisation": post.organisation.code if post.organisation is not None else None,
        "locality": post.locality.code if post.locality is not None else None,
        "start_date": iso(post.start_date),
        "end_date": iso(post.end_date),
        "decision_number": post.decision_number,
        "active": post.active_on(today()),
    }


def locality_to_dict(loc: Locality) -> dict[str, Any]:
    """select_related: parent, organisation."""
    return {
        "code": loc.code,
        "name": loc.name,
        "kind": loc.kind,
        "parent": loc.parent.code if loc.parent is not None else None,
        "organisation": loc.organisation.code if loc.organisation is not None else None,
    }


# --- Plans (resolutions, targets, measurements) -------------------------------------------------

def resolution_to_dict(res: Resolution) -> dict[str, Any]:
    """select_related: organisation."""
    return {
        "id": res.pk,
        "organisation": res.organisation.code,
        "organisation_name": res.organisation.name,
        "body": res.body,
        "kind": res.kind,
        "number": res.number,
        "issued_on": iso(res.issued_on),
        "period_start": res.period_start,
        "period_end": res.period_end,
        "title": res.title,
        "summary": res.summary,
        "status": res.status,
        "file_name": res.file_name,
    }


def figure_to_dict(fig: Figure) -> dict[str, Any]:
    """The target's figure on a day: its latest value (or the roll-up of its parts' values,
    with the sum written out), progress from baseline to target (1 = reached) and status."""
    return {
        "value": number(fig.value),
        "measured_on": iso(fig.measured_on),
        "progress": number(fig.progress, 4),
        "percent": fig.percent,
        "status": fig.status,
        "roll_up": None if fig.roll_up is None else {"rule": fig.roll_up.rule, "explanation": fig.roll_up.explain(),
                                                     "parts": len(fig.roll_up.parts),
                                                     "reported": fig.roll_up.counted},
    }


def target_to_dict(t: Target, fig: Figure) -> dict[str, Any]:
    """select_related: organisation (and resolution, for the figure)."""
    return {
        "id": t.pk,
        "resolution": t.resolution_id,
        "organisation": t.organisation.code,
        "organisation_name": t.organisation.name,
        "parent": t.parent_id,
        "position": t.position,
        "name": t.name,
        "unit": t.unit,
        "kind": t.kind,
        "direction": t.direction,
        "baseline_value": number(t.baseline_value),
        "baseline_year": t.baseline_year,
        "target_value": number(t.target_value),
        "roll_up": t.roll_up,
        "weight": number(t.weight),
        "note": t.note,
        "figure": figure_to_dict(fig),
    }


def measurement_to_dict(m: Measurement) -> dict[str, Any]:
    """select_related: reported_by__person."""
    return {
        "id": m.pk,
        "target": m.target_id,
        "measured_on": iso(m.measured_on),
        "value": number(m.value),
        "note": m.note,
        "file_name": m.file_name,
        "reported_by": str(m.reported_by) if m.reported_by is not None else None,
        "created_at": datetime_iso(m.created_at),
    }


# --- Tasks ---------------------------------------------------------------------------------------

def assignee_to_dict(a: Assignee) -> dict[str, Any]:
    """select_related: person, organisation."""
    return {
        "person": a.person_id,
        "person_name": a.person.full_name if a.person is not None else None,
        "organisation": a.organisation.code if a.organisation is not None else None,
        "organisation_name": a.organisation.name if a.organisation is not None else None,
        "role": a.role,
        "lead": a.role == Assignee.Role.LEAD,
    }


def task_to_dict(t: Task, assignees: Iterable[Assignee]) -> dict[str, Any]:
    """A task row, the lead first. select_related: organisation, verifier; assignees with person,
    organisation."""
    return {
        "id": t.pk,
        "organisation": t.organisation.code,
        "organisation_name": t.organisation.name,
        "title": t.title,
        "status": t.status,
        "progress": t.progress,
        "start_on": iso(t.start_on),
        "due_on": iso(t.due_on),
        "verifier": t.verifier_id,
        "verifier_name": t.verifier.full_name if t.verifier is not None else None,
        "verify_by": iso(t.verify_by),
        "assignees": [assignee_to_dict(a) for a in sorted(assignees, key=lambda a: (a.role != Assignee.Role.LEAD, a.pk))],
        "target": t.target_id,
        "outcome": t.outcome or None,
        "completed_on": iso(t.completed_on),
        "version": t.version,
    }


def task_detail_to_dict(t: Task, assignees: Iterable[Assignee]) -> dict[str, Any]:
    """The whole task: the row plus what it is about and how it repeats."""
    return {
        **task_to_dict(t, assignees),
        "description": t.description,
        "expected_output": t.expected_output,
        "measure_value": number(t.measure_value),
        "measure_unit": t.measure_unit,
        "decision": t.decision,
        "recurrence": t.recurrence,
        "repeat_until": iso(t.repeat_until),
        "series": t.series_id,
        "created_at": datetime_iso(t.created_at),
    }


def update_to_dict(u: Update) -> dict[str, Any]:
    """select_related: author__person, on_behalf_of."""
    return {
        "id": u.pk,
        "task": u.task_id,
        "kind": u.kind,
        "progress": u.progress,
        "note": u.note,
        "file_name": u.file_name,
        "author": str(u.author) if u.author is not None else None,
        "on_behalf_of": u.on_behalf_of_id,
        "on_behalf_of_name": u.on_behalf_of.full_name if u.on_behalf_of is not None else None,
        "created_at": datetime_iso(u.created_at),
    }
