"""The development tools (`chibo demo`, `synth`, `bench`) are not part of a production server
(issue 15, point 5): production settings do not install chibo.devtools, and `chibo demo`,
`chibo synth` and `chibo bench` there answer with a sentence saying they are development
tools, exit status 2, and write nothing. Development settings install them."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
STRONG = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(60))
INSTALLED = ("import django; django.setup(); from django.apps import apps; "
             "print(apps.is_installed('chibo.devtools'))")


def _environment(tmp: Path, production: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}}
    env |= {"PYTHONPATH": str(SRC), "CHIBO_DATA_DIR": str(tmp / "data"), "DJANGO_SETTINGS_MODULE": "chibo.settings"}
    if production:
        env |= {"CHIBO_ENV": "production", "SECRET_KEY": STRONG, "ALLOWED_HOSTS": "chibo.example.org"}
    return env


@pytest.mark.parametrize(("production", "installed"), [(True, "False"), (False, "True")])
def test_only_development_settings_install_the_devtools(tmp_path: Path, production: bool, installed: str) -> None:
    done = subprocess.run([sys.executable, "-c", INSTALLED], env=_environment(tmp_path, production),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == installed


@pytest.mark.parametrize("command", ["demo", "synth", "bench"])
def test_production_says_the_devtools_are_for_development(tmp_path: Path, command: str) -> None:
    env = _environment(tmp_path, production=True)
    done = subprocess.run([sys.executable, "-m", "chibo", command], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    # The English msgid until the lead compiles locale-additions.json; Vietnamese after.
    assert (f"`chibo {command}` is a development tool" in done.stderr
            or f"`chibo {command}` là công cụ dành cho phát triển" in done.stderr), done.stderr
    assert "Unknown command" not in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "data" / "chibo.sqlite3").exists()  # nothing written, not even a database
