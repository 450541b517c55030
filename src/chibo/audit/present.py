"""The change log in words: each audit entry's action, object and changed fields as people read
them (no raw keys, ids or English labels), with a link to the object when the reader may open it.

`present(user, events)` works on a whole page at once: foreign-key ids are resolved to names in
one query per related model, and links are decided in one query per object type, so the page's
query count does not grow with the number of entries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import camel_case_to_spaces
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chibo import access
from chibo.audit.models import AuditEvent

EMPTY = "—"
LONG = 120  # characters of a text value shown before it is cut

ACTIONS: dict[str, Any] = {
    "create": pgettext_lazy("change log", "created"),
    "update": pgettext_lazy("change log", "changed"),
    "delete": pgettext_lazy("change log", "removed"),
    "export": pgettext_lazy("change log", "exported data"),
    "event": pgettext_lazy("change log", "recorded a change"),
    "attendance": pgettext_lazy("change log", "recorded attendance"),
    "vote": pgettext_lazy("change log", "recorded a vote"),
    "notes": pgettext_lazy("change log", "wrote meeting notes"),
    "publish": pgettext_lazy("change log", "sent the meeting notice"),
    "held": pgettext_lazy("change log", "marked the meeting as held"),
    "finalise": pgettext_lazy("change log", "finalised the minutes"),
    "cancel": pgettext_lazy("change log", "cancelled"),
    "withdraw": pgettext_lazy("change log", "withdrew imported data"),
    "backup": pgettext_lazy("change log", "backed up the data"),
    "restore": pgettext_lazy("change log", "restored the data"),
    "upgrade": pgettext_lazy("change log", "upgraded the system"),
    "thread_answer": pgettext_lazy("change log", "answered a question"),
    "thread_reply": pgettext_lazy("change log", "added to a question"),
    "thread_close": pgettext_lazy("change log", "closed a question"),
    "task_progress": pgettext_lazy("change log", "reported progress"),
    "task_submit": pgettext_lazy("change log", "reported a task done"),
    "task_accept": pgettext_lazy("change log", "accepted a task"),
    "task_return": pgettext_lazy("change log", "returned a task"),
    "task_cancel": pgettext_lazy("change log", "cancelled a task"),
}
OTHER_ACTION = pgettext_lazy("change log", "recorded")

# Object types that are not models.
KINDS: dict[str, Any] = {
    "database": pgettext_lazy("change log", "data of the system"),
    "import": pgettext_lazy("change log", "imported data"),
}
OTHER_KIND = pgettext_lazy("change log", "record")

# Keys written by services that are not fields of the object's model.
LABELS: dict[str, Any] = {
    "rows": pgettext_lazy("change log", "rows"),
    "format": pgettext_lazy("change log", "file format"),
    "file": pgettext_lazy("change log", "file"),
    "file_name": pgettext_lazy("change log", "attached file"),
    "note": pgettext_lazy("change log", "note"),
    "task": pgettext_lazy("change log", "task"),
    "agenda": pgettext_lazy("change log", "agenda"),
    "guests": pgettext_lazy("change log", "guests"),
    "names": pgettext_lazy("change log", "members"),
}
OTHER_LABEL = pgettext_lazy("change log", "other detail")

# Where a snapshot's fields come from when they are not the object's own: a vote, a person's
# attendance or an agenda item are recorded on their meeting.
ACTION_MODELS = {"vote": "meetings.Vote", "attendance": "meetings.Attendance", "notes": "meetings.AgendaItem"}
# Keys of LABELS whose values are ids of these models.
KEY_MODELS = {"task": "tasks.Task"}

# Object types with a page: the URL name, the access function listing what the reader may open,
# and the field the URL takes.
PAGES: dict[str, tuple[str, Callable[[Any], models.QuerySet[Any]], str]] = {
    "membership": ("member", access.memberships, "pk"),
    "organisation": ("organisation", access.organisations_with_basics, "code"),
    "locality": ("locality", access.localities, "code"),
    "meeting": ("meeting", access.meetings, "pk"),
    "resolution": ("resolution", access.resolutions, "pk"),
    "target": ("target", access.targets, "pk"),
    "task": ("task", access.tasks, "pk"),
    "candidate": ("candidate", access.candidates, "pk"),
    "thread": ("thread", access.threads, "pk"),
    "document": ("document", access.documents, "pk"),
    "studysession": ("study-session", access.study_sessions, "pk"),
}


@dataclass(frozen=True)
class Change:
    label: str
    old: str  # "" when the field had no earlier value recorded (a creation)
    new: str


@dataclass
class Entry:
    event: AuditEvent
    action: str
    kind: str
    name: str
    url: str = ""
    changes: list[Change] = field(default_factory=list)


def present(user: Any, events: Iterable[AuditEvent]) -> list[Entry]:
    """The entries in words, for this reader."""
    events = list(events)
    models_by_name = {m._meta.model_name: m for m in apps.get_models()}
    names = _names(events, models_by_name)
    urls = _urls(user, events)
    entries = []
    for e in events:
        model = models_by_name.get(e.object_type)
        extra = apps.get_model(ACTION_MODELS[e.action]) if e.action in ACTION_MODELS else None
        before, after = e.before if isinstance(e.before, dict) else {}, e.after if isinstance(e.after, dict) else {}
        changes = []
        for key in after:
            f = _field(key, model, extra)
            changes.append(Change(
                label=_label(key, f),
                old=_value(key, f, before.get(key), names) if key in before else "",
                new=_value(key, f, after.get(key), names)))
        entries.append(Entry(event=e, action=str(ACTIONS.get(e.action, OTHER_ACTION)), kind=kind_label(e.object_type, model),
                             name=e.object_repr, url=urls.get((e.object_type, e.object_id), ""), changes=changes))
    return entries


def kind_label(object_type: str, model: type[models.Model] | None) -> str:
    if model is None:
        return str(KINDS.get(object_type, OTHER_KIND))
    label = str(model._meta.verbose_name)
    # A model without a verbose name of its own reads as its English class name.
    return str(OTHER_KIND) if label == camel_case_to_spaces(model._meta.object_name or "") else label


def _field(key: str, *candidates: type[models.Model] | None) -> models.Field[Any, Any] | None:
    for model in candidates:
        if model is None:
            continue
        try:
            f = model._meta.get_field(key)  # also finds a foreign key by its "…_id" name
        except FieldDoesNotExist:
            continue
        if isinstance(f, models.Field):
            return f
    return None


def _label(key: str, f: models.Field[Any, Any] | None) -> str:
    if f is None:
        return str(LABELS.get(key, OTHER_LABEL))
    label = str(f.verbose_name)
    if label == f.name.replace("_", " "):  # no verbose name of its own: the raw key in other words
        return str(LABELS.get(key, OTHER_LABEL))
    return label


def _related(key: str, f: models.Field[Any, Any] | None) -> type[models.Model] | None:
    if f is None:
        return apps.get_model(KEY_MODELS[key]) if key in KEY_MODELS else None
    if f.is_relation and isinstance(f.related_model, type):
        return f.related_model
    return None


def _names(events: list[AuditEvent], models_by_name: dict[str | None, type[models.Model]]) -> dict[tuple[type, str], str]:
    """The names of every object a foreign key in the page's changes points to: one query per model."""
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for e in events:
        model = models_by_name.get(e.object_type)
        extra = apps.get_model(ACTION_MODELS[e.action]) if e.action in ACTION_MODELS else None
        for snap in (e.before, e.after):
            if not isinstance(snap, dict):
                continue
            for key, value in snap.items():
                related = _related(key, _field(key, model, extra))
                if related is None:
                    continue
                for v in value if isinstance(value, list) else [value]:
                    if isinstance(v, int | str) and str(v).isdigit():
                        wanted[related].add(int(v))
    names: dict[tuple[type, str], str] = {}
    for related, ids in wanted.items():
        one_up = [f.name for f in related._meta.concrete_fields if f.is_relation and f.many_to_one]
        for obj in related._default_manager.filter(pk__in=ids).select_related(*one_up):
            names[(related, str(obj.pk))] = str(obj)
    return names


def _urls(user: Any, events: list[AuditEvent]) -> dict[tuple[str, str], str]:
    """Links to the objects the reader may open: one query per object type."""
    ids: dict[str, set[int]] = defaultdict(set)
    for e in events:
        if e.object_type in PAGES and e.object_id.isdigit():
            ids[e.object_type].add(int(e.object_id))
    urls = {}
    for object_type, pks in ids.items():
        url_name, allowed, key = PAGES[object_type]
        for pk, arg in allowed(user).filter(pk__in=pks).values_list("pk", key).distinct():
            urls[(object_type, str(pk))] = reverse(url_name, args=[arg])
    return urls


def _value(key: str, f: models.Field[Any, Any] | None, value: Any, names: dict[tuple[type, str], str]) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return str(_("yes") if value else _("no")).capitalize()
    related = _related(key, f)
    if related is not None and not isinstance(value, dict):
        items = value if isinstance(value, list) else [value]
        return ", ".join(names.get((related, str(v)), str(_("(no longer in the system)"))) for v in items)
    if f is not None and f.choices and not isinstance(value, list | dict):
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, dict):
        return str(_("%(n)s details") % {"n": len(value)})
    if isinstance(value, list):
        if f is not None and f.choices:
            choices = dict(f.flatchoices)
            value = [choices.get(v, v) for v in value]
        if all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
            return _cut(", ".join(str(v) for v in value))
        return str(_("%(n)s items") % {"n": len(value)})
    if isinstance(value, str):
        return _cut(_date(value))
    return str(value)


def _date(value: str) -> str:
    """An ISO date or time as people write it: 05/03/2026, 05/03/2026 14:30."""
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if len(value) >= 16 and value[4] == "-" and value[10] == "T":
        try:
            moment = dt.datetime.fromisoformat(value)
            return (timezone.localtime(moment) if timezone.is_aware(moment) else moment).strftime("%d/%m/%Y %H:%M")
        except ValueError:
            return value
    if len(value) == 8 and value[2] == ":" and value[5] == ":" and value.replace(":", "").isdigit():
        return value[:5]  # a time: 14:00, not 14:00:00
    return value


def _cut(text: str) -> str:
    return text if len(text) <= LONG else text[:LONG - 1].rstrip() + "…"
