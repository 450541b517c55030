"""`{% help_panel "meetings" %}` (or `{% help_panel %}` in a shared template: the area is then the
one of the page's URL name): the area's short guide as a closed "Hướng dẫn" panel right after a
page's heading. A builtin (settings.TEMPLATES), so a page adds one line and no `{% load %}`. The
panel costs no query: its words are the guide's, and the rules it names are fetched when it is
first opened (chibo.web.help)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from chibo.web.help import area_for

register = template.Library()


@register.simple_tag(takes_context=True)
def help_panel(context: Any, key: str | None = None) -> SafeString:
    match = getattr(context.get("request"), "resolver_match", None)
    found = area_for(key, getattr(match, "url_name", None))
    if found is None:
        return mark_safe("")
    return mark_safe(render_to_string("web/help/_panel.html", {"area": found}))
