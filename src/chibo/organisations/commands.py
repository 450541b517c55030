"""What every command taking an organisation shares: find it by its code or its exact name
(`chibo export members "Đảng bộ xã Biển Hồ" f.xlsx` works like `chibo export members BH f.xlsx`),
and say, when neither matches, what to give instead and which names come close."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from chibo.core.text import fold, nfc
from chibo.organisations.models import Organisation


def find_organisation(query: str) -> Organisation:
    """By code (exact, case-insensitive), else by exact name (case-insensitive, NFC)."""
    text = nfc(query)
    if not text:
        raise CommandError(_("Give the code or the exact name of a party organisation, e.g. BH."))
    org = Organisation.objects.filter(code=text.upper()).first()
    if org is not None:
        return org
    wanted = text.casefold()
    found = [o for o in Organisation.objects.filter(search_name=fold(text)).order_by("path")
             if nfc(o.name).casefold() == wanted]
    if len(found) == 1:
        return found[0]
    if found:
        lines = [_("Several organisations are named “%(name)s”; give its code instead:") % {"name": text}]
        lines += [f"  {o.code}  {o.name}" + (f"  ({o.parent.name})" if o.parent else "") for o in found]
        raise CommandError("\n".join(lines))
    lines = [_("No party organisation has the code or name “%(name)s”.") % {"name": text},
             _("Each organisation's code is shown on its page in chibo (Organisations); "
               "give that code (e.g. BH) or the full exact name.")]
    similar = list(Organisation.objects.filter(search_name__contains=fold(text)).order_by("path")[:10])
    if similar:
        lines.append(_("Similar names:"))
        lines += [f"  {o.code}  {o.name}" for o in similar]
    raise CommandError("\n".join(lines))
