"""The home page's figures follow "Việc cần làm" in their own request (docs/decisions.md): the
page carries the work and a region htmx fills on load; the same view answers that request with
the figures alone; a date asked for, or `?so-lieu=1` without JavaScript, puts them inline."""

from __future__ import annotations

import pytest

FIGURES = 'id="figures-h"'
LOADER = 'hx-trigger="load"'
DASHBOARD = 'aria-label="Số liệu chính"'  # the key figures' section of web/_dashboard.html


@pytest.mark.parametrize("persona", ["member", "secretary_a", "commune_staff", "province_staff"])
def test_the_page_leads_with_the_work_and_loads_the_figures_after(world, persona):
    client = world.client(persona)
    page = client.get("/").content.decode()
    assert 'id="work' in page and LOADER in page and "Đang tải số liệu" in page
    assert DASHBOARD not in page  # the figures are not in it yet
    import re

    link = re.search(r'<noscript>.*?href="([^"]+)"', page, re.S)  # the way to them without JavaScript
    assert link is not None and "so-lieu=1" in link.group(1)
    assert DASHBOARD in client.get("/" + link.group(1).replace("&amp;", "&")).content.decode()
    fragment = client.get("/", headers={"HX-Request": "true"}).content.decode()
    assert FIGURES in fragment and DASHBOARD in fragment and "<html" not in fragment
    assert 'id="work' not in fragment  # the work is not computed again for the figures


@pytest.mark.parametrize("query", ["?so-lieu=1", "?date=01/06/2026"])
def test_without_javascript_or_for_a_date_the_figures_come_inline(world, query):
    page = world.client("commune_staff").get("/" + query).content.decode()
    assert DASHBOARD in page and LOADER not in page and 'id="work' in page


def test_an_unreadable_date_is_said_on_its_field_with_the_figures_of_today(world):
    page = world.client("commune_staff").get("/?date=31/02/2026").content.decode()
    assert 'id="id_date_error"' in page and DASHBOARD in page
