"""Install on a phone (issue 14, point 11): the web app manifest is served by the app without
signing in, names chibo with a Vietnamese description and the header's colour, and its icons
(and the apple-touch-icon the pages link) are served; the pages link it and the
Content-Security-Policy allows it."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from chibo.web.security import CSP_DIRECTIVES
from tests.test_translations import catalogues  # noqa: F401  (the fixture)


@pytest.mark.usefixtures("catalogues")
def test_the_manifest_is_served_to_anyone_with_its_content_type(db: Any) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en-US").get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] == manifest["short_name"] == "chibo"
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#9b1c1c" and manifest["lang"] == "vi"
    assert "Đảng" in manifest["description"]
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}


def test_the_icons_exist_and_are_served(db: Any) -> None:
    client = Client()
    icons = client.get("/manifest.webmanifest").json()["icons"]
    for icon in icons:
        response = client.get(icon["src"])
        assert response.status_code == 200, icon["src"]
        image = Image.open(BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
        assert image.format == "PNG" and f"{image.width}x{image.height}" == icon["sizes"]


def test_the_pages_link_the_manifest_and_the_touch_icon_and_the_policy_allows_it(world: Any) -> None:
    for client, url in ((Client(), "/dang-nhap/"), (world.client("member"), "/")):
        html = client.get(url).content.decode()
        assert '<link rel="manifest" href="/manifest.webmanifest">' in html
        touch = html.split('<link rel="apple-touch-icon" href="', 1)[1].split('"', 1)[0]
        assert client.get(touch).status_code == 200
    assert CSP_DIRECTIVES["manifest-src"] == "'self'"
    assert "manifest-src 'self'" in Client().get("/manifest.webmanifest")["Content-Security-Policy"]
