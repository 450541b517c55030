"""Writes to the organisation tree and localities. Each function is atomic and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from chibo.audit import services as audit
from chibo.core.bulk import insert_returning
from chibo.core.dates import today
from chibo.core.text import fold, nfc, text_sort_key
from chibo.indicators import services as cell_facts
from chibo.organisations.models import PATH_ALPHABET, PATH_STEP, Locality, Organisation

ORG_FIELDS = ["code", "name", "kind", "sector", "parent_id", "valid_from", "valid_to", "locality_id", "note"]
LOCALITY_FIELDS = ["code", "name", "kind", "parent_id", "organisation_id"]


def _encode_step(n: int) -> str:
    base = len(PATH_ALPHABET)
    out = ""
    for _i in range(PATH_STEP):
        n, r = divmod(n, base)
        out = PATH_ALPHABET[r] + out
    if n:
        raise ValidationError(_("Too many sub-organisations under one organisation."))
    return out


def _decode_step(step: str) -> int:
    n = 0
    for ch in step:
        n = n * len(PATH_ALPHABET) + PATH_ALPHABET.index(ch)
    return n


def _next_path(parent: Organisation | None) -> str:
    prefix = parent.path if parent else ""
    depth = len(prefix) // PATH_STEP
    siblings = Organisation.objects.filter(parent=parent) if parent else Organisation.objects.filter(parent__isnull=True)
    last = siblings.filter(depth=depth).order_by("-path").values_list("path", flat=True).first()
    number = _decode_step(last[-PATH_STEP:]) + 1 if last else 1
    return prefix + _encode_step(number)


def organisation_errors(data: dict[str, Any], *, instance: Organisation | None = None,
                        check_code: bool = True) -> dict[str, str]:
    """What is wrong with these organisation fields, by field name (empty when nothing).
    The parent may be an organisation not saved yet (a bulk path creating parents first).
    check_code=False: the caller has checked already that the code is free."""
    errors: dict[str, str] = {}
    parent: Organisation | None = data.get("parent")
    kind = data["kind"]
    if kind not in Organisation.CHILD_KINDS.get(parent.kind if parent else None, set()):
        if parent is None:
            errors["parent"] = _("Choose the parent organisation: only a provincial party organisation stands at the top.")
        else:
            errors["kind"] = _("A %(child)s cannot be placed under a %(parent)s. Choose another kind or parent.") % {
                "child": Organisation.Kind(kind).label, "parent": parent.get_kind_display(),
            }
    valid_to = data.get("valid_to")
    if valid_to and valid_to <= data["valid_from"]:
        errors["valid_to"] = _("The end date must be after the start date.")
    code = data["code"]
    clash = Organisation.objects.filter(code=code)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if check_code and clash.exists():
        errors["code"] = _("The code %(code)s is already used by another organisation. Enter a different code.") % {"code": code}
    return errors


def _clean_org(data: dict[str, Any], *, instance: Organisation | None) -> None:
    errors = organisation_errors(data, instance=instance)
    if errors:
        raise ValidationError(errors)


def _normalise_org(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    out["code"] = nfc(out["code"]).upper()
    out["name"] = nfc(out["name"])
    out["note"] = nfc(out.get("note", ""))
    out.setdefault("sector", Organisation.Sector.OTHER)
    return out


@transaction.atomic
def organisation_create(*, actor: Any, **data: Any) -> Organisation:
    data = _normalise_org(data)
    _clean_org(data, instance=None)
    parent: Organisation | None = data.get("parent")
    if parent is not None:
        parent = Organisation.objects.select_for_update().get(pk=parent.pk)
    org = Organisation(**data)
    org.search_name = fold(org.name)
    org.sort_key = text_sort_key(org.name)
    org.path = _next_path(parent)
    org.depth = len(org.path) // PATH_STEP - 1
    org.save()
    cell_facts.refresh_cells([org.pk])
    audit.record(actor=actor, action="create", obj=org, org_path=org.path, after=audit.snapshot(org, ORG_FIELDS))
    return org


@transaction.atomic
def organisation_update(org: Organisation, *, actor: Any, **data: Any) -> Organisation:
    """Update name, code, sector, dates, locality. Moving to another parent is not an
    update: dissolve and re-create, so history stays true."""
    data = _normalise_org({**{f: getattr(org, f) for f in ("code", "name", "kind", "sector", "valid_from",
                                                           "valid_to", "locality", "note")},
                           "parent": org.parent, **data})
    if data["parent"] != org.parent or data["kind"] != org.kind:
        raise ValidationError({"parent": _("The parent and kind of an existing organisation cannot be changed; "
                                           "end it and create the new one instead.")})
    _clean_org(data, instance=org)
    if data["valid_to"] is not None and org.valid_to is None:
        _check_can_end(org)
    before = audit.snapshot(org, ORG_FIELDS)
    for key, value in data.items():
        setattr(org, key, value)
    org.search_name = fold(org.name)
    org.sort_key = text_sort_key(org.name)
    org.save()
    cell_facts.refresh_cells([org.pk])
    old, new = audit.diff(before, audit.snapshot(org, ORG_FIELDS))
    if new:
        audit.record(actor=actor, action="update", obj=org, org_path=org.path, before=old, after=new)
    return org


@transaction.atomic
def organisation_end(org: Organisation, *, actor: Any, on: dt.date, note: str = "") -> Organisation:
    """Dissolve or merge away an organisation: it stays in history with `valid_to`."""
    return organisation_update(org, actor=actor, valid_to=on, note=note or org.note)


def ended_on(org: Organisation, day: dt.date | None = None) -> dt.date | None:
    """The date `org` ended (merged or dissolved) when it no longer exists on `day` (default
    today); None while it exists. Services refuse new meetings, tasks and the like with it."""
    if org.valid_to is None or org.valid_to > (day or today()):
        return None
    return org.valid_to


def _check_can_end(org: Organisation) -> None:
    if org.memberships.filter(current=True).exists():
        raise ValidationError({"valid_to": _("This organisation still has members. Record their move to another "
                                             "cell first (member page, “Record an event”), then end it.")})
    if Organisation.objects.subtree(org, include_root=False).filter(valid_to__isnull=True).exists():
        raise ValidationError({"valid_to": _("End its sub-organisations first, then end this one.")})


def _clean_locality(data: dict[str, Any], *, instance: Locality | None) -> None:
    errors: dict[str, str] = {}
    clash = Locality.objects.filter(code=data["code"])
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        errors["code"] = _("The code %(code)s is already used by another locality. Enter a different code.") % {"code": data["code"]}
    parent: Locality | None = data.get("parent")
    kind = data["kind"]
    if kind == Locality.Kind.PROVINCE:
        if parent is not None:
            errors["parent"] = _("A province has no parent locality.")
    elif kind in Locality.COMMUNE_KINDS:
        if parent is None or parent.kind != Locality.Kind.PROVINCE:
            errors["parent"] = _("A commune or ward must belong to a province.")
    elif parent is None or parent.kind not in Locality.COMMUNE_KINDS:
        errors["parent"] = _("A village or neighbourhood group must belong to a commune or ward.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def locality_create(*, actor: Any, **data: Any) -> Locality:
    data = {**data, "code": nfc(data["code"]).upper(), "name": nfc(data["name"])}
    _clean_locality(data, instance=None)
    loc = Locality(**data)
    loc.search_name = fold(loc.name)
    loc.sort_key = text_sort_key(loc.name)
    loc.save()
    audit.record(actor=actor, action="create", obj=loc, org_path=_locality_path(loc),
                 after=audit.snapshot(loc, LOCALITY_FIELDS))
    return loc


@transaction.atomic
def locality_update(loc: Locality, *, actor: Any, **data: Any) -> Locality:
    merged = {"code": loc.code, "name": loc.name, "kind": loc.kind, "parent": loc.parent,
              "organisation": loc.organisation, **data}
    merged["code"] = nfc(merged["code"]).upper()
    merged["name"] = nfc(merged["name"])
    _clean_locality(merged, instance=loc)
    before = audit.snapshot(loc, LOCALITY_FIELDS)
    for key, value in merged.items():
        setattr(loc, key, value)
    loc.search_name = fold(loc.name)
    loc.sort_key = text_sort_key(loc.name)
    loc.save()
    old, new = audit.diff(before, audit.snapshot(loc, LOCALITY_FIELDS))
    if new:
        audit.record(actor=actor, action="update", obj=loc, org_path=_locality_path(loc), before=old, after=new)
    return loc


def _locality_path(loc: Locality) -> str:
    owner = loc.organisation or (loc.parent.organisation if loc.parent else None)
    return owner.path if owner is not None else ""


def bulk_create_organisations(rows: list[dict[str, Any]], *, actor: Any) -> list[Organisation]:
    """Create many organisations (demo, synthetic data, imports) parent-first, in one
    transaction, with paths assigned in memory, one audit row each and the cells' facts.
    A row names its parent by `parent` (saved) or `parent_code` (an earlier row). Every row
    is checked as organisation_create checks it; any error refuses the whole batch."""
    created: list[Organisation] = []
    with transaction.atomic():
        next_child: dict[str | None, int] = {}
        by_code: dict[str, Organisation] = {}
        for row in rows:
            data = _normalise_org(row)
            parent: Organisation | None = data.get("parent")
            if parent is None and data.get("parent_code"):
                parent = by_code[data.pop("parent_code")]
                data["parent"] = parent
            data.pop("parent_code", None)
            if data["code"] in by_code:
                raise ValidationError({"code": _("The code %(code)s is already used by another organisation. Enter "
                                                 "a different code.") % {"code": data["code"]}})
            errors = organisation_errors(data, check_code=False)
            if errors:
                raise ValidationError(errors)
            key = parent.path if parent else None
            if key not in next_child:
                if parent is not None and parent.pk is None:  # created in this batch: no children yet
                    next_child[key] = 1
                else:
                    next_child[key] = _decode_step(_next_path(parent)[-PATH_STEP:])
            org = Organisation(**data)
            org.search_name = fold(org.name)
            org.sort_key = text_sort_key(org.name)
            org.path = (parent.path if parent else "") + _encode_step(next_child[key])
            next_child[key] += 1
            org.depth = len(org.path) // PATH_STEP - 1
            created.append(org)
            by_code[org.code] = org
        codes = list(by_code)
        for i in range(0, len(codes), 5000):
            taken = Organisation.objects.filter(code__in=codes[i:i + 5000]).values_list("code", flat=True).first()
            if taken:
                raise ValidationError({"code": _("The code %(code)s is already used by another organisation. Enter "
                                                 "a different code.") % {"code": taken}})
        # Parents must exist before children get their FK: insert level by level.
        for depth in sorted({o.depth for o in created}):
            level = [o for o in created if o.depth == depth]
            for o in level:
                if o.parent is not None:
                    o.parent_id = o.parent.pk
                if o.locality is not None:
                    o.locality_id = o.locality.pk
            insert_returning(Organisation, level)
        cell_facts.refresh_cells([o.pk for o in created])
        audit.record_many(
            [{"action": "create", "obj": o, "org_path": o.path, "after": audit.snapshot(o, ORG_FIELDS)} for o in created],
            actor=actor,
        )
    return created


def bulk_set_localities(pairs: list[tuple[Organisation, Locality]], *, actor: Any) -> int:
    """Record the locality each organisation serves, for many at once (an import links
    organisations to villages created after them). Audited, cells' facts refreshed.
    Returns how many organisations changed."""
    with transaction.atomic():
        changed: list[tuple[Organisation, int | None]] = []
        for org, loc in pairs:
            if org.locality_id != loc.pk:
                changed.append((org, org.locality_id))
                org.locality = loc
        if not changed:
            return 0
        table = connection.ops.quote_name(Organisation._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET locality_id = %s WHERE id = %s",
                               [(org.locality_id, org.pk) for org, _before in changed])
        cell_facts.refresh_cells([org.pk for org, _before in changed])
        audit.record_many([{"action": "update", "obj": org, "org_path": org.path, "before": {"locality_id": before},
                            "after": {"locality_id": org.locality_id}} for org, before in changed], actor=actor)
    return len(changed)
