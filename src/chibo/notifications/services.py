"""The daily reminder: for each person, one notification listing their tasks that are overdue
or due within their chosen number of days, and the results waiting for their verification;
for a cell's committee also the cell's probationary members whose probation ends within those
days and those whose recognition the cell has not considered by its statutory date (issue 6
point 4, computed by chibo.lifecycle.selectors with the rules in force).
Idempotent: running it twice on a day sends nothing new (one digest per person per day)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from chibo.accounts.models import Role, RoleAssignment, User
from chibo.audit import services as audit
from chibo.core.dates import format_vn_date, today
from chibo.notifications.models import Notification, Preference
from chibo.organisations.models import LEVEL_OF_KIND, Organisation
from chibo.tasks import rules
from chibo.tasks.models import Assignee, Task
from chibo.tasks.selectors import soon_days

MAX_SOON_DAYS = 30
WORKING = (Task.Status.OPEN, Task.Status.IN_PROGRESS, Task.Status.RETURNED)


def _line(task: Task, urgency: str, day: dt.date) -> dict[str, str]:
    due = format_vn_date(task.due_on)
    if urgency == "overdue":
        late = (day - task.due_on).days  # type: ignore[operator]
        text = ngettext("%(task)s — deadline %(due)s, %(n)s day late", "%(task)s — deadline %(due)s, %(n)s days late",
                        late) % {"task": task.title, "due": due, "n": late}
    elif urgency == "verify":
        text = _("%(task)s — waiting for your verification (by %(by)s)") % {
            "task": task.title, "by": format_vn_date(task.verify_by)}
    elif task.due_on == day:
        text = _("%(task)s — due today") % {"task": task.title}
    else:
        text = _("%(task)s — due %(due)s") % {"task": task.title, "due": due}
    return {"text": text, "url": reverse("task", args=[task.pk]), "urgency": urgency}


def _probation_lines(committees: dict[int, list[int]], prefs: dict[int, Preference],
                     day: dt.date) -> dict[int, list[dict[str, str]]]:
    """For each cell committee user: the cell's probationary members whose probation ends within
    the user's due-soon days, and those whose recognition is overdue (lifecycle.selectors.due_items,
    read once per commune holding such cells, never per member)."""
    from chibo.lifecycle import selectors as lifecycle

    if not committees:
        return {}
    orgs = list(Organisation.objects.filter(pk__in=list(committees)).only("pk", "path", "kind"))
    communes = {c.path: c for c in Organisation.objects.filter(
        kind=Organisation.Kind.COMMUNE, path__in={p for o in orgs for p in o.ancestor_paths()}).only(
        "pk", "path", "kind")}
    roots: dict[int, Organisation] = {}
    for org in orgs:
        root = next((communes[p] for p in org.ancestor_paths() if p in communes), None)
        if root is None and org.kind in LEVEL_OF_KIND:
            root = org
        if root is not None:
            roots[root.pk] = root
    kinds = (lifecycle.Kind.PROBATION_END, lifecycle.Kind.RECOGNITION)
    lines: dict[int, list[dict[str, str]]] = defaultdict(list)
    for root in sorted(roots.values(), key=lambda o: o.path):
        for item in lifecycle.due_items(root, day, MAX_SOON_DAYS):
            if item.kind not in kinds:
                continue
            m = item.membership
            recipients = set(committees.get(item.cell.pk, [])) | set(committees.get(m.organisation_id, []))
            what = f"{m.person.full_name}: {item.label}"
            for user_id in sorted(recipients):
                pref = prefs.get(user_id)
                if pref is not None and not pref.daily:
                    continue
                soon = pref.due_soon_days if pref else soon_days()
                if item.kind == lifecycle.Kind.RECOGNITION and item.date < day:
                    late = (day - item.date).days
                    text = ngettext("%(task)s — deadline %(due)s, %(n)s day late",
                                    "%(task)s — deadline %(due)s, %(n)s days late", late) % {
                        "task": what, "due": format_vn_date(item.date), "n": late}
                    urgency = "overdue"
                elif item.kind == lifecycle.Kind.PROBATION_END and 0 <= (item.date - day).days <= soon:
                    text = (_("%(task)s — due today") % {"task": what} if item.date == day else
                            _("%(task)s — due %(due)s") % {"task": what, "due": format_vn_date(item.date)})
                    urgency = "due_soon"
                else:
                    continue
                lines[user_id].append({"text": text, "url": reverse("member-recognition", args=[m.pk]),
                                       "urgency": urgency, "about": "probation"})
    return lines


@transaction.atomic
def send_daily(*, day: dt.date | None = None) -> int:
    """Write today's digest for every user with something to be reminded of. Returns how many."""
    day = day or today()
    prefs = {p.user_id: p for p in Preference.objects.all()}
    horizon = day + dt.timedelta(days=MAX_SOON_DAYS)
    working = list(Task.objects.filter(status__in=WORKING, due_on__lte=horizon).order_by("due_on", "id"))
    by_task: dict[int, list[Assignee]] = defaultdict(list)
    for a in Assignee.objects.filter(task__in=[t.pk for t in working]):
        by_task[a.task_id].append(a)
    users_of_person = dict(User.objects.filter(person__isnull=False, is_active=True).values_list("person_id", "id"))
    committees: dict[int, list[int]] = defaultdict(list)
    for org_id, user_id in RoleAssignment.objects.active_on(day).filter(role=Role.CELL_COMMITTEE).values_list(
            "organisation_id", "user_id"):
        committees[org_id].append(user_id)

    lines: dict[int, list[dict[str, str]]] = defaultdict(list)
    for task in working:
        recipients: set[int] = set()
        for a in by_task[task.pk]:
            if a.person_id and a.person_id in users_of_person:
                recipients.add(users_of_person[a.person_id])
            elif a.organisation_id:
                recipients.update(committees.get(a.organisation_id, []))
        for user_id in recipients:
            pref = prefs.get(user_id)
            if pref is not None and not pref.daily:
                continue
            urgency = rules.urgency(due_on=task.due_on, day=day, soon_days=pref.due_soon_days if pref else soon_days())
            if urgency:
                lines[user_id].append(_line(task, urgency, day))
    for task in Task.objects.filter(status=Task.Status.SUBMITTED, verifier__isnull=False).order_by("verify_by", "id"):
        verifier_user = users_of_person.get(task.verifier_id) if task.verifier_id else None
        if verifier_user and (prefs.get(verifier_user) is None or prefs[verifier_user].daily):
            lines[verifier_user].append(_line(task, "verify", day))
    for user_id, extra in _probation_lines(committees, prefs, day).items():
        lines[user_id].extend(extra)

    already = set(Notification.objects.filter(day=day, kind=Notification.Kind.DIGEST, key="")
                  .values_list("user_id", flat=True))
    new = []
    for user_id, items in lines.items():
        if user_id in already:
            continue
        overdue = sum(1 for i in items if i["urgency"] == "overdue" and "about" not in i)  # tasks only
        with override(settings.LANGUAGE_CODE):
            title = (ngettext("%(n)s task is overdue", "%(n)s tasks are overdue", overdue) % {"n": overdue}
                     if overdue else _("Your tasks for the coming days"))
        new.append(Notification(user_id=user_id, day=day, title=title, lines=items))
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def notify(user_ids: Iterable[int], *, kind: str, key: str, title: str, lines: list[dict[str, str]],
           day: dt.date | None = None) -> int:
    """One notice to each of these users about one subject (`key`, e.g. "meeting:12"), at most
    once a day: publishing a meeting twice on a day does not invite twice. Returns how many."""
    day = day or today()
    ids = set(user_ids)
    already = set(Notification.objects.filter(user_id__in=ids, kind=kind, key=key, day=day)
                  .values_list("user_id", flat=True))
    rows = [Notification(user_id=u, kind=kind, key=key, day=day, title=title[:200], lines=lines)
            for u in sorted(ids - already)]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def users_of_people(person_ids: Iterable[int]) -> dict[int, int]:
    """person id → id of their active user account, for the people who have one."""
    return dict(User.objects.filter(person_id__in=list(person_ids), is_active=True).values_list("person_id", "id"))


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user: Any, notification: Notification) -> None:
    if notification.user_id == user.pk and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


@transaction.atomic
def set_preference(user: Any, *, due_soon_days: int, daily: bool) -> Preference:
    from django.core.exceptions import ValidationError

    if not 0 <= due_soon_days <= MAX_SOON_DAYS:
        raise ValidationError({"due_soon_days": _("Choose a number of days from 0 to %(max)s.") % {"max": MAX_SOON_DAYS}})
    pref, _created = Preference.objects.get_or_create(user=user)
    before = audit.snapshot(pref, ["due_soon_days", "daily"])
    pref.due_soon_days, pref.daily = due_soon_days, daily
    pref.save()
    old, new = audit.diff(before, audit.snapshot(pref, ["due_soon_days", "daily"]))
    if new:
        audit.record(actor=user, action="update", obj=pref, object_repr=str(user), before=old, after=new)
    return pref
