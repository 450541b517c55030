"""Layout filters for templates that may not carry inline styles (the Content-Security-Policy
allows style sheets from the app only: docs/decisions.md, "No inline script or style")."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from chibo.access import Viewer

register = template.Library()


@register.filter
def pct(value: object) -> int:
    """A bar's width as a whole percentage 0–100, for the `w-0` … `w-100` classes of chibo.css
    (halves round up; nothing, or something not a number, is 0)."""
    try:
        number = Decimal(str(value)) if value is not None and value != "" else Decimal(0)
    except (InvalidOperation, ValueError):
        return 0
    if number.is_nan():
        return 0
    number = max(Decimal(0), min(Decimal(100), number))
    return int((number + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR))


@register.filter
def lists_members(user: Viewer) -> bool:
    """Whether the menu offers the member list: the user sees the members of one of the
    organisations their scope starts from (a plain member does not: the list would be a 404)."""
    from chibo import access

    if not getattr(user, "is_authenticated", False):
        return False
    return any(access.sees_members_of(user, org) for org in access.scope_for(user).home_orgs())


@register.filter
def opens_org(user: Viewer, org: Any) -> bool:
    """Whether to link to this organisation's page: the user may open it (no query when the
    organisation's path is loaded; issue 14, point 1: no link leads nowhere)."""
    from chibo import access

    return org is not None and access.may_open_organisation(user, org)


@register.filter
def opens_locality(user: Viewer, loc: Any) -> bool:
    """Whether to link to this locality's page: the user may open it (one query: use it once
    per page, not per row of a list; lists get `access.openable_localities` from the view)."""
    from chibo import access

    return loc is not None and access.may_open_locality(user, loc)


@register.filter
def administers_accounts(user: Viewer) -> bool:
    """Whether the footer offers the accounts page (commune and province staff, administrators)."""
    from chibo import access

    return bool(getattr(user, "is_authenticated", False)) and access.may_administer_accounts(user)


@register.filter
def acts_on_rules(user: Viewer) -> bool:
    """Whether a rule's "not confirmed" mark is shown to this user: those who act on the rules
    (committees, staff, administrators) see it with its explanation; ordinary members, who
    cannot check the text and act on nothing, do not (issue 13, point 4)."""
    from chibo import access

    return access.holds_a_role(user)


@register.inclusion_tag("web/_ended.html", takes_context=True)
def ended_notice(context: Any, org: Any) -> dict[str, Any]:
    """On the pages of an organisation that has ended (merged or dissolved: `valid_to` set), say
    so plainly with the date, where its members are now (the organisations the viewer may see,
    linked when they may open them) and the organisation above it. Queries only for an ended one."""
    if org is None or getattr(org, "valid_to", None) is None:
        return {"ended": False}
    from chibo import access
    from chibo.core.dates import today
    from chibo.members import selectors
    from chibo.organisations.models import Organisation

    user = context["request"].user
    went = [(Organisation(code=row["organisation__code"], name=row["organisation__name"],
                          path=row["organisation__path"]), row["n"])
            for row in selectors.went_to(access.memberships(user), org)]
    parent = org.parent if org.parent_id else None
    return {"ended": True, "org": org, "user": user, "future": org.valid_to > today(), "went": went,
            "parent": parent}


@register.simple_tag
def select_options(field: Any) -> SafeString:
    """A `<select>`'s options, the current value selected — written here rather than by a template
    loop over the choices (54 ethnic groups and the other filters cost ~2 ms a page that way)."""
    current = field.value()
    current = "" if current is None else str(current)
    out = []
    for value, label in field.field.choices:
        value = str(value)
        selected = " selected" if value == current else ""
        out.append(f'<option value="{escape(value)}"{selected}>{escape(label)}</option>')
    return mark_safe("".join(out))  # noqa: S308 — built from escaped parts above


@register.simple_tag
def member_rows(memberships: Any) -> SafeString:
    """The rows of the member list (`web/_member_results.html`): name (a link to the record),
    birth date, cell, admission date, status with the exempt and temporary marks. Written here
    rather than by a template loop: 25 rows of five labelled cells through the template engine
    cost ~5 ms a page; every piece is escaped or a date."""
    from django.urls import reverse
    from django.utils.translation import gettext

    from chibo.members.models import Status

    link = reverse("member", args=[0])[:-2]  # "/dang-vien/"
    born, cell, admitted, status = (escape(gettext(s)) for s in ("Born", "Party cell", "Admitted", "Status"))
    exempt, temporary = escape(gettext("exempt")), escape(gettext("temporary"))
    labels = {value: escape(str(label)) for value, label in Status.choices}
    out = []
    for m in memberships:
        tag = " prob" if m.status == Status.PROBATIONARY else (" former" if not m.current else "")
        marks = (f' <span class="tag">{exempt}</span>' if m.exempt else "") + (
            f' <span class="tag">{temporary}</span>' if m.temporary else "")
        out.append(
            f'<tr><td class="primary"><a href="{link}{m.pk}/">{escape(m.person.full_name)}</a></td>'
            f'<td data-label="{born}">{_dmy(m.birth_date)}</td>'
            f'<td data-label="{cell}">{escape(m.organisation.name)}</td>'
            f'<td data-label="{admitted}">{_dmy(m.admission_date)}</td>'
            f'<td data-label="{status}"><span class="tag{tag}">{labels.get(m.status, escape(m.status))}</span>{marks}</td></tr>')
    return mark_safe("".join(out))  # noqa: S308 — built from escaped parts above


def _dmy(day: Any) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}" if day else ""
