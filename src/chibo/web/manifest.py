"""The web app manifest (/manifest.webmanifest), so that chibo can be put on a phone's home
screen and opens like an app: its own icon, the header's colour, no browser bar.

Served by the app rather than as a static file: its address is fixed at the site's root (the
scope is the whole site), and the icons' addresses carry WhiteNoise's hashed names. It holds
nothing of anyone's, so it is answered without signing in (browsers fetch it without cookies)."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

THEME_COLOUR = "#9b1c1c"  # --brand in static/chibo/chibo.css, the header
BACKGROUND_COLOUR = "#f6f6f3"  # --bg
ICONS = {"192x192": "chibo/icon-192.png", "512x512": "chibo/icon-512.png"}
APPLE_TOUCH_ICON = "chibo/apple-touch-icon.png"


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    icons = [{"src": static(path), "sizes": sizes, "type": "image/png", "purpose": "any"}
             for sizes, path in ICONS.items()]
    # The monogram sits inside the central safe zone, so a launcher may crop it to its own shape.
    icons.append({"src": static(ICONS["512x512"]), "sizes": "512x512", "type": "image/png", "purpose": "maskable"})
    body = {
        "name": "chibo",
        "short_name": "chibo",
        "description": _("Party building work for party cells, communes and the province"),
        "lang": translation.get_language(),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False, indent=1),
                        content_type="application/manifest+json; charset=utf-8")
