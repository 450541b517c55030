"""Model → JSON. Field names are the model's; dates are ISO 8601 (yyyy-mm-dd); related
objects appear by their code (organisations, localities) or id (people, posts).

Callers pass objects loaded with the select_related named in each docstring."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chibo.core.dates import today
from chibo.members.models import Membership, MembershipEvent, Person, Post
from chibo.organisations.models import Locality, Organisation


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


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
        "official_date": iso(m.official_date),
        "card_number": m.card_number,
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
        "official_date": iso(m.official_date),
        "card_number": m.card_number,
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
