"""Safe by default (issue 11, point 9): DEBUG is off unless CHIBO_DEBUG=1, and a development
instance (the demo) still serves its static files and plain error pages with it off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
c = Client()
css = c.get("/static/chibo/chibo.css")
missing = c.get("/khong-co-trang-nay/")
print(json.dumps({"debug": settings.DEBUG, "css": css.status_code, "missing": missing.status_code,
                  "technical": b"Django tried these URL patterns" in missing.content}))
"""


def probe(tmp_path: Path, **env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "CHIBO_DEBUG", "CHIBO_ENV"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "chibo.settings", "CHIBO_DATA_DIR": str(tmp_path), **env})
    out = subprocess.run([sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, timeout=120,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_debug_is_off_by_default_and_the_development_server_still_serves_static_files(tmp_path: Path) -> None:
    seen = probe(tmp_path)
    assert seen == {"debug": False, "css": 200, "missing": 404, "technical": False}


@pytest.mark.parametrize("value", ["1", "true"])
def test_chibo_debug_turns_debug_on(tmp_path: Path, value: str) -> None:
    assert probe(tmp_path, CHIBO_DEBUG=value)["debug"] is True


def test_the_old_debug_variable_alone_does_not_turn_debug_on(tmp_path: Path) -> None:
    assert probe(tmp_path, DEBUG="1")["debug"] is False
