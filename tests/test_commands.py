"""Issue 13, point 10: the command line is consistent — every command that takes an
organisation accepts its code or its exact name, a check (`--dry-run`) that finds errors exits
non-zero, and `--json` prints JSON on every outcome, errors included."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.test_import import MEMBER_HEADERS, member_row, xlsx


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_an_organisation_by_its_code_or_its_exact_name(world: Any, tmp_path: Path) -> None:
    name = world.org["C1"].name  # "Đảng bộ Xã Một"
    by_code, by_name = tmp_path / "a.csv", tmp_path / "b.csv"
    _run("export", "members", "c1", str(by_code))
    _run("export", "members", name.lower(), str(by_name))
    assert by_code.read_bytes() == by_name.read_bytes()
    assert json.loads(_run("check-data", name, "--json"))["score"] == json.loads(_run("check-data", "C1", "--json"))["score"]
    assert "secretary_a" in _run("users", "list", name)
    with pytest.raises(CommandError, match="Xã Mười"):
        _run("export", "members", "Đảng bộ Xã Mười", str(tmp_path / "c.csv"))


def test_a_check_that_finds_errors_fails_and_json_is_printed_on_every_outcome(world: Any, tmp_path: Path) -> None:
    bad = tmp_path / "sai.xlsx"
    bad.write_bytes(xlsx({"Đảng viên": [MEMBER_HEADERS, member_row("Võ Thị Sáu", "12", **{"Mã chi bộ": "A"})]}))
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import", str(bad), "--dry-run", "--json", "--org", "C1", stdout=out, stderr=StringIO())
    result = json.loads(out.getvalue())
    assert result["dry_run"] and result["issues"]

    for args in (["import", str(tmp_path / "khong-co.xlsx"), "--json"], ["indicators", "Không Có", "--json"],
                 ["check-data", "KHONGCO", "--json"], ["rules", "--key", "khong_co", "--json"]):
        out = StringIO()
        with pytest.raises(CommandError):
            call_command(*args, stdout=out, stderr=StringIO())
        assert json.loads(out.getvalue())["error"], args

    good = tmp_path / "dung.xlsx"
    good.write_bytes(xlsx({"Đảng viên": [MEMBER_HEADERS, member_row("Võ Thị Sáu", "052190000999",
                                                                   **{"Mã chi bộ": "A", "Mã nơi cư trú": ""})]}))
    checked = json.loads(_run("import", str(good), "--dry-run", "--json", "--org", "Đảng bộ Xã Một"))
    assert checked["dry_run"] and not [i for i in checked["issues"] if i["severity"] == "error"]
