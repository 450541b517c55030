"""Writes for resolutions, targets and measurements. Each function is atomic, validates with
a message naming the field and saying how to fix it, and writes its audit record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chibo.audit import services as audit
from chibo.core import files
from chibo.core.bulk import insert_returning, insert_rows
from chibo.core.dates import format_vn_date, today
from chibo.core.text import fold, nfc
from chibo.organisations.models import Organisation
from chibo.plans.models import Measurement, Milestone, Resolution, Target

RESOLUTION_FIELDS = ["organisation_id", "body", "kind", "number", "issued_on", "period_start", "period_end", "title",
                     "summary", "status", "file_name"]
TARGET_FIELDS = ["resolution_id", "organisation_id", "parent_id", "position", "name", "unit", "kind", "direction",
                 "baseline_value", "baseline_year", "target_value", "roll_up", "weight", "note"]
MEASUREMENT_FIELDS = ["target_id", "measured_on", "value", "note", "file_name"]
Upload = tuple[bytes, str]  # (content, the file's name)


# --- Resolutions ----------------------------------------------------------------------------

def _clean_resolution(data: dict[str, Any]) -> dict[str, Any]:
    out = {**data, "number": nfc(data.get("number") or "").strip(), "title": nfc(data.get("title") or "").strip(),
           "summary": nfc(data.get("summary") or "").strip()}
    errors: dict[str, str] = {}
    if not out["number"]:
        errors["number"] = _("Enter the number and symbol, for example 01-NQ/ĐH.")
    if not out["title"]:
        errors["title"] = _("Enter the title of the resolution.")
    issued: dt.date | None = out.get("issued_on")
    if issued is None:
        errors["issued_on"] = _("Enter the date it was issued, as dd/mm/yyyy.")
    elif issued > today():
        errors["issued_on"] = _("The date issued cannot be in the future.")
    start, end = out.get("period_start"), out.get("period_end")
    if not start or not end:
        errors["period_end"] = _("Enter the period as two years, for example 2025 and 2030.")
    elif end < start:
        errors["period_end"] = _("The period cannot end before it starts. Check both years.")
    elif not 1930 <= start <= 2100 or end - start > 15:
        errors["period_end"] = _("Check the years of the period (a resolution covers at most 15 years).")
    org: Organisation | None = out.get("organisation")
    if org is None:
        errors["organisation"] = _("Choose the organisation that issued it.")
    elif org.kind == Organisation.Kind.PARTY_GROUP:
        errors["organisation"] = _("A party group does not issue resolutions. Choose its cell.")
    if errors:
        raise ValidationError(errors)
    return out


def _attach(upload: Upload | None, folder: str) -> dict[str, str]:
    if upload is None:
        return {}
    try:
        path, name = files.store(upload[0], upload[1], folder)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    return {"file": path, "file_name": name}


@transaction.atomic
def resolution_create(*, actor: Any, file: Upload | None = None, **data: Any) -> Resolution:
    data = _clean_resolution(data)
    res = Resolution(**data, **_attach(file, "resolutions"))
    res.search_text = _resolution_search(res)
    res.save()
    audit.record(actor=actor, action="create", obj=res, org_path=res.organisation.path,
                 after=audit.snapshot(res, RESOLUTION_FIELDS))
    return res


@transaction.atomic
def resolution_update(res: Resolution, *, actor: Any, file: Upload | None = None, **data: Any) -> Resolution:
    merged = _clean_resolution({**{f: getattr(res, f) for f in ("organisation", "body", "kind", "number", "issued_on",
                                                                 "period_start", "period_end", "title", "summary",
                                                                 "status")}, **data})
    if merged["organisation"] != res.organisation and res.targets.exists():
        raise ValidationError({"organisation": _("This resolution already has targets; the issuing organisation "
                                                 "cannot change.")})
    before = audit.snapshot(res, RESOLUTION_FIELDS)
    for key, value in {**merged, **_attach(file, "resolutions")}.items():
        setattr(res, key, value)
    res.search_text = _resolution_search(res)
    res.save()
    old, new = audit.diff(before, audit.snapshot(res, RESOLUTION_FIELDS))
    if new:
        audit.record(actor=actor, action="update", obj=res, org_path=res.organisation.path, before=old, after=new)
    return res


# --- Targets --------------------------------------------------------------------------------

def _clean_target(data: dict[str, Any], *, instance: Target | None) -> dict[str, Any]:
    out = {**data, "name": nfc(data.get("name") or "").strip(), "unit": nfc(data.get("unit") or "").strip(),
           "note": nfc(data.get("note") or "").strip()}
    errors: dict[str, str] = {}
    res: Resolution = out["resolution"]
    org: Organisation | None = out.get("organisation")
    parent: Target | None = out.get("parent")
    if not out["name"]:
        errors["name"] = _("Write the target, for example “Kết nạp đảng viên mới”.")
    if org is None:
        errors["organisation"] = _("Choose the organisation responsible for the target.")
    elif not org.path.startswith(res.organisation.path):
        errors["organisation"] = _("The responsible organisation must be %(org)s or one of its parts.") % {
            "org": res.organisation.name}
    kind = out.get("kind")
    if kind == Target.Kind.YESNO:
        out.update(target_value=Decimal(1), direction=Target.Direction.EXACTLY, baseline_value=None)
        out["roll_up"] = out.get("roll_up") if out.get("roll_up") in (Target.RollUp.ALL, Target.RollUp.NONE) \
            else Target.RollUp.ALL
    if out.get("target_value") is None:
        errors["target_value"] = _("Enter the value to reach, as a number (for example 30 or 95,5).")
    if kind == Target.Kind.PERCENT:
        for key in ("target_value", "baseline_value"):
            value = out.get(key)
            if value is not None and not Decimal(0) <= value <= Decimal(100):
                errors[key] = _("A percentage is between 0 and 100.")
    if out.get("roll_up") == Target.RollUp.SUM and kind == Target.Kind.PERCENT:
        errors["roll_up"] = _("Percentages do not add up: choose “mean of the parts, weighted” for a rate.")
    if out.get("roll_up") == Target.RollUp.ALL and kind != Target.Kind.YESNO:
        errors["roll_up"] = _("“Done when every part is done” is for yes / no targets.")
    year = out.get("baseline_year")
    if year is not None and not res.period_start - 10 <= year <= res.period_end:
        errors["baseline_year"] = _("The baseline year must be close to the period %(a)s–%(b)s.") % {
            "a": res.period_start, "b": res.period_end}
    if parent is not None:
        if parent.resolution_id != res.pk:
            errors["parent"] = _("A part belongs to a target of the same resolution.")
        elif org is not None and (org.pk == parent.organisation_id or not org.path.startswith(parent.organisation.path)):
            errors["organisation"] = _("A part of a target is given to an organisation under %(org)s.") % {
                "org": parent.organisation.name}
        elif instance is not None and parent.pk == instance.pk:
            errors["parent"] = _("A target cannot be a part of itself.")
        if kind != parent.kind:
            errors["kind"] = _("A part must be measured like the whole (%(kind)s).") % {"kind": parent.get_kind_display()}
    if out.get("weight") is not None and out["weight"] <= 0:
        errors["weight"] = _("The weight is a positive number (for example the number of households), or empty.")
    milestones: dict[int, Decimal] = out.pop("milestones", None) or {}
    for y in milestones:
        if not res.period_start <= y <= res.period_end:
            errors["milestones"] = _("Each milestone year must lie within %(a)s–%(b)s.") % {
                "a": res.period_start, "b": res.period_end}
    if errors:
        raise ValidationError(errors)
    out["_milestones"] = milestones
    return out


def _save_milestones(target: Target, milestones: dict[int, Decimal] | None) -> None:
    if milestones is None:
        return
    target.milestones.exclude(year__in=list(milestones)).delete()
    for year, value in milestones.items():
        Milestone.objects.update_or_create(target=target, year=year, defaults={"value": value})


@transaction.atomic
def target_create(*, actor: Any, **data: Any) -> Target:
    has_milestones = "milestones" in data
    data = _clean_target(data, instance=None)
    milestones = data.pop("_milestones")
    if "position" not in data:
        siblings = Target.objects.filter(resolution=data["resolution"], parent=data.get("parent"))
        data["position"] = siblings.count() + 1
    target = Target(**data)
    target.search_text = _target_search(target)
    target.save()
    _save_milestones(target, milestones if has_milestones else None)
    audit.record(actor=actor, action="create", obj=target, org_path=target.organisation.path,
                 after={**audit.snapshot(target, TARGET_FIELDS), "milestones": {str(y): str(v) for y, v in milestones.items()}})
    return target


@transaction.atomic
def target_update(target: Target, *, actor: Any, **data: Any) -> Target:
    has_milestones = "milestones" in data
    fields = ("resolution", "organisation", "parent", "position", "name", "unit", "kind", "direction", "baseline_value",
              "baseline_year", "target_value", "roll_up", "weight", "note")
    merged = _clean_target({**{f: getattr(target, f) for f in fields}, **data}, instance=target)
    milestones = merged.pop("_milestones")
    if merged["kind"] != target.kind and (target.measurements.exists() or target.parts.exists()):
        raise ValidationError({"kind": _("Figures or parts are already recorded in this kind; it cannot change.")})
    before = audit.snapshot(target, TARGET_FIELDS)
    for key, value in merged.items():
        setattr(target, key, value)
    target.search_text = _target_search(target)
    target.save()
    _save_milestones(target, milestones if has_milestones else None)
    old, new = audit.diff(before, audit.snapshot(target, TARGET_FIELDS))
    if new or has_milestones:
        audit.record(actor=actor, action="update", obj=target, org_path=target.organisation.path, before=old, after=new)
    return target


@transaction.atomic
def target_break_down(target: Target, *, actor: Any, shares: dict[Organisation, Decimal | None],
                      weights: dict[Organisation, Decimal] | None = None) -> list[Target]:
    """Give each organisation (usually each cell) its part of a commune target: a new target
    with the same name, kind, unit and direction, and the organisation's share as its value."""
    created = []
    for org, share in shares.items():
        if share is None:
            continue
        created.append(target_create(
            actor=actor, resolution=target.resolution, organisation=org, parent=target, name=target.name,
            unit=target.unit, kind=target.kind, direction=target.direction, target_value=share,
            baseline_year=target.baseline_year, roll_up=Target.RollUp.NONE,
            weight=(weights or {}).get(org)))
    return created


# --- Measurements -----------------------------------------------------------------------------

@transaction.atomic
def measurement_record(*, actor: Any, target: Target, measured_on: dt.date | None, value: Decimal | None,
                       note: str = "", file: Upload | None = None) -> Measurement:
    errors: dict[str, str] = {}
    if target.roll_up != Target.RollUp.NONE and target.parts.exists():
        errors["value"] = _("This figure is added up from its parts (%(rule)s). Record the figures on each part.") % {
            "rule": target.get_roll_up_display()}
    if measured_on is None:
        errors["measured_on"] = _("Enter the date of the figure, as dd/mm/yyyy.")
    elif measured_on > today():
        errors["measured_on"] = _("The date cannot be in the future.")
    elif measured_on.year < target.resolution.period_start - 1:
        errors["measured_on"] = _("The date is before the period of the resolution (from %(year)s).") % {
            "year": target.resolution.period_start}
    if value is None:
        errors["value"] = errors.get("value") or _("Enter the figure, as a number.")
    elif target.kind == Target.Kind.YESNO and value not in (Decimal(0), Decimal(1)):
        errors["value"] = _("Choose done or not done.")
    elif target.kind == Target.Kind.PERCENT and not Decimal(0) <= value <= Decimal(100):
        errors["value"] = _("A percentage is between 0 and 100.")
    elif value < 0 and target.kind != Target.Kind.AMOUNT:
        errors["value"] = _("The figure cannot be negative.")
    elif target.kind == Target.Kind.COUNT and value != value.to_integral_value():
        errors["value"] = _("This target counts whole %(unit)s: enter a whole number.") % {
            "unit": target.unit or _("units")}
    if errors or measured_on is None or value is None:
        raise ValidationError(errors)
    m = Measurement(target=target, measured_on=measured_on, value=value, note=nfc(note).strip(),
                    reported_by=actor if getattr(actor, "is_authenticated", False) else None,
                    **_attach(file, "evidence"))
    m.save()
    audit.record(actor=actor, action="create", obj=m, object_repr=f"{target.name}: {value} ({format_vn_date(measured_on)})",
                 org_path=target.organisation.path, after=audit.snapshot(m, MEASUREMENT_FIELDS))
    return m


# --- Many at once (the demo's communes, the synthetic province) -----------------------------------

def _resolution_search(res: Resolution) -> str:
    return fold(f"{res.number} {res.title}")[:400]


def _target_search(target: Target) -> str:
    return fold(target.name)[:300]


@transaction.atomic
def bulk_create_resolutions(resolutions: Sequence[Resolution], *, actor: Any) -> list[Resolution]:
    """Insert resolutions already checked by their caller (a generator that makes only valid
    ones) in bulk, each with its search text and its audit row, as resolution_create would."""
    for res in resolutions:
        res.search_text = _resolution_search(res)
    insert_returning(Resolution, list(resolutions))
    audit.record_many([{"action": "create", "obj": res, "org_path": res.organisation.path,
                        "after": audit.snapshot(res, RESOLUTION_FIELDS)} for res in resolutions], actor=actor)
    return list(resolutions)


@transaction.atomic
def bulk_create_targets(rows: Sequence[tuple[Target, Mapping[int, Decimal | int]]], *, actor: Any) -> list[Target]:
    """Insert targets (each with its milestones: year → value) in bulk, parents before their
    parts (a part's `parent` must be saved already), with their search text and audit rows."""
    targets = [target for target, _milestones in rows]
    for target in targets:
        target.search_text = _target_search(target)
    insert_returning(Target, targets)
    insert_rows(Milestone, ({"target_id": target.pk, "year": year, "value": value}
                            for target, milestones in rows for year, value in milestones.items()))
    audit.record_many([{"action": "create", "obj": target, "org_path": target.organisation.path, "after": {
        **audit.snapshot(target, TARGET_FIELDS), "milestones": {str(y): str(v) for y, v in milestones.items()}}}
        for target, milestones in rows], actor=actor)
    return targets


@transaction.atomic
def bulk_create_measurements(measurements: Sequence[Measurement], *, actor: Any) -> list[Measurement]:
    """Insert measurements of saved targets in bulk, with their audit rows."""
    insert_returning(Measurement, list(measurements))
    audit.record_many([{"action": "create", "obj": m, "org_path": m.target.organisation.path,
                        "object_repr": f"{m.target.name}: {m.value} ({m.measured_on.strftime('%d/%m/%Y')})",
                        "after": audit.snapshot(m, MEASUREMENT_FIELDS)} for m in measurements], actor=actor)
    return list(measurements)
