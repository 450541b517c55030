"""The deployment examples (deploy/, Dockerfile, docs/deploy.md) checked against the code: the
variables they name are the ones chibo reads, the commands they run exist, the proxies' upload
limits cover chibo's own, and the files pass the tools that can check them here
(`systemd-analyze verify`; `nginx -t` and `caddy validate` where installed)."""

from __future__ import annotations

import ast
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands
from django.test import Client, RequestFactory, override_settings

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
DEPLOY = ROOT / "deploy"
DOC = ROOT / "docs" / "deploy.md"
UNITS = ("chibo.service", "chibo-backup.service", "chibo-backup.timer")
CHIBO = "/opt/chibo/venv/bin/chibo"
ENV_FILE = "/etc/chibo/chibo.env"
# Variables the examples set for the system, not for chibo.
SYSTEM_VARIABLES = {"PATH", "LANG", "XDG_CACHE_HOME", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"}
SETTINGS_HELPERS = {"env", "envbool", "envint", "envsecret"}
VARIABLE = re.compile(r"\b(CHIBO_[A-Z0-9_]+)\b")


# --- What the code reads ------------------------------------------------------------------

def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "string" assignments (PASSWORD_ENV = "CHIBO_DEMO_PASSWORD")."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


def _is_os_environ(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" and isinstance(node.value, ast.Name) \
        and node.value.id == "os"


def variables_read_by_code() -> set[str]:
    """Every environment variable src/chibo reads by name: os.environ.get / [] / setdefault,
    os.getenv, and settings.py's env helpers (envsecret("X") reads X and X_FILE)."""
    names: set[str] = set()
    for path in (SRC / "chibo").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)

        def name_of(arg: ast.expr, consts: dict[str, str] = constants) -> str | None:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                return arg.value
            if isinstance(arg, ast.Name):
                return consts.get(arg.id)
            return None

        for node in ast.walk(tree):
            if isinstance(node, ast.Subscript) and _is_os_environ(node.value):
                found = name_of(node.slice)
                if found:
                    names.add(found)
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func, first = node.func, name_of(node.args[0])
            if first is None:
                continue
            if isinstance(func, ast.Attribute) and (
                    func.attr == "getenv" or func.attr in {"get", "setdefault"} and _is_os_environ(func.value)):
                names.add(first)
            elif path.name == "settings.py" and isinstance(func, ast.Name) and func.id in SETTINGS_HELPERS:
                names.add(first)
                if func.id == "envsecret":
                    names.add(f"{first}_FILE")
    return names


READ = variables_read_by_code()


def test_the_collector_finds_variables_read_each_way() -> None:
    """settings helpers, os.environ.get in cli.py, envsecret's _FILE, a name held in a constant."""
    assert {"CHIBO_DATA_DIR", "CHIBO_HSTS_PRELOAD", "CHIBO_BIND", "SECRET_KEY", "SECRET_KEY_FILE",
            "CHIBO_DEMO_PASSWORD", "DJANGO_SETTINGS_MODULE"} <= READ
    assert "RUST_BACKTRACE" not in READ  # written for a child, not read


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    following = text.find("\n## ", start + len(heading))
    return text[start: following if following != -1 else len(text)]


def _table_variables(section: str) -> list[str]:
    """The variables named in the first cell of each table row of SECTION."""
    found = []
    for line in section.splitlines():
        if line.startswith("| `"):
            found += re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1])
    return found


def test_every_variable_the_code_reads_is_documented_once_and_no_other() -> None:
    documented = _table_variables(_section(DOC.read_text(encoding="utf-8"), "## Environment variables"))
    assert len(documented) == len(set(documented)), "a variable is listed twice in docs/deploy.md"
    assert sorted(READ - set(documented)) == [], "read by the code but missing from docs/deploy.md"
    assert sorted(set(documented) - READ) == [], "in docs/deploy.md but read nowhere in src/chibo"


def test_readme_names_only_variables_the_code_reads() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(_table_variables(_section(readme, "## Configuration")))
    assert "CHIBO_DATA_DIR" in named
    assert sorted(named - READ) == []


def _deploy_texts() -> dict[str, str]:
    files = [DOC, ROOT / "Dockerfile", *sorted(p for p in DEPLOY.rglob("*") if p.is_file())]
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in files}


def test_every_chibo_variable_named_in_the_deploy_files_is_read_by_the_code() -> None:
    for name, text in _deploy_texts().items():
        unknown = sorted(set(VARIABLE.findall(text)) - READ)
        assert unknown == [], f"{name} names {unknown}, which chibo does not read"


def _env_example() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "chibo.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            assert key == key.strip() and " " not in value, f"not a plain KEY=value line: {line!r}"
            values[key] = value
    return values


def test_the_settings_example_sets_only_variables_chibo_reads() -> None:
    example = _env_example()
    assert sorted(set(example) - READ) == []
    assert example["CHIBO_ENV"] == "production"
    for line in (DEPLOY / "chibo.env.example").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") and re.match(r"#[A-Z_]+=", line):  # commented-out settings, too
            assert line[1:].split("=")[0] in READ


def test_the_shell_reads_the_settings_file_as_systemd_does() -> None:
    """chibo-admin sources the same file the unit's EnvironmentFile= names."""
    script = (DEPLOY / "chibo-admin").read_text(encoding="utf-8")
    assert f"ENV_FILE={ENV_FILE}" in script and f"CHIBO={CHIBO}" in script
    assert subprocess.run(["sh", "-n", str(DEPLOY / "chibo-admin")]).returncode == 0
    loader = re.search(r"sh -c '([^']*)' chibo-admin \"\$ENV_FILE\" \"\$CHIBO\" \"\$@\"", script)
    assert loader, "chibo-admin no longer loads the settings with sh -c"
    shown = subprocess.run(
        ["sh", "-c", loader.group(1), "t", str(DEPLOY / "chibo.env.example"), "env"],
        env={"PATH": os.environ["PATH"]}, capture_output=True, text=True, check=True).stdout
    from_shell = dict(line.split("=", 1) for line in shown.splitlines() if "=" in line)
    assert {k: from_shell.get(k) for k in _env_example()} == _env_example()


def test_production_settings_from_the_example_pass_check_deploy(tmp_path: Path) -> None:
    key = tmp_path / "secret_key"
    key.write_text("Zq7" + "".join(chr(33 + (i * 7919) % 94) for i in range(60)), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}}
    env |= _env_example() | {"SECRET_KEY_FILE": str(key), "CHIBO_DATA_DIR": str(tmp_path / "data"),
                              "PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-m", "chibo", "check", "--deploy", "--fail-level", "WARNING"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


# --- The systemd units ----------------------------------------------------------------------

def _unit(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


def test_the_units_run_real_chibo_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _unit("chibo.service")["ExecStart"] == [f"{CHIBO} serve"]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'chibo = "chibo.cli:main"' in pyproject  # the console script the venv's bin/chibo is

    import chibo.cli
    served: list[list[str]] = []
    monkeypatch.setattr(chibo.cli, "_serve", served.append)
    chibo.cli.main(["serve"])
    assert served == [[]]  # `chibo serve` is handled by cli.py itself

    commands = set(get_commands())
    for name in UNITS:
        text = (DEPLOY / name).read_text(encoding="utf-8")
        for command in re.findall(re.escape(CHIBO) + r" (\w+)", text):
            assert command == "serve" or command in commands, f"{name}: no command chibo {command}"
    assert "backup" in re.findall(re.escape(CHIBO) + r" (\w+)", (DEPLOY / "chibo-backup.service").read_text())


def test_the_units_write_where_chibo_keeps_its_data() -> None:
    data_dir = _env_example()["CHIBO_DATA_DIR"]
    for name in ("chibo.service", "chibo-backup.service"):
        unit = _unit(name)
        assert unit["EnvironmentFile"] == [ENV_FILE]
        assert unit["User"] == ["chibo"] and unit["NoNewPrivileges"] == ["yes"]
        assert unit["ProtectSystem"] == ["strict"] and unit["PrivateTmp"] == ["yes"]
        assert f"/var/lib/{unit['StateDirectory'][0]}" == data_dir
        assert data_dir in " ".join(unit["ReadWritePaths"]).split()
        for assignment in unit.get("Environment", []):
            assert assignment.split("=")[0] in READ | SYSTEM_VARIABLES
    service = _unit("chibo.service")
    assert service["Restart"] == ["on-failure"] and service["KillMode"] == ["mixed"]
    assert f"/var/cache/{service['CacheDirectory'][0]}" in service["Environment"][0]
    assert ENV_FILE in DOC.read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_analyze_verify_accepts_the_units(tmp_path: Path) -> None:
    """verify insists that ExecStart's program exists: a stand-in takes chibo's place."""
    stand_in = tmp_path / "bin" / "chibo"
    stand_in.parent.mkdir()
    stand_in.write_text("#!/bin/sh\n")
    stand_in.chmod(0o755)
    for name in UNITS:
        (tmp_path / name).write_text((DEPLOY / name).read_text(encoding="utf-8").replace(CHIBO, str(stand_in)))
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *UNITS], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr  # unknown keys only warn

    # The exposure score, in tenths here: at most 2.0 of 10 (the unit scores 1.2).
    security = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--threshold=20",
                               "./chibo.service"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    if "--offline" in security.stderr:  # systemd older than 250
        return
    assert security.returncode == 0, security.stdout[-2000:] + security.stderr


# --- The reverse proxies ------------------------------------------------------------------

NGINX = DEPLOY / "nginx" / "chibo.conf"
CADDY = DEPLOY / "caddy" / "Caddyfile"


def _size(text: str) -> int:
    """An nginx (25m) or Caddy (25MB, 25MiB) size in bytes."""
    number, unit = re.fullmatch(r"(\d+)\s*([a-zA-Z]*)", text.strip()).groups()  # type: ignore[union-attr]
    factor = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "kb": 1000, "mb": 1000**2, "gb": 1000**3,
              "kib": 1024, "mib": 1024**2, "gib": 1024**3}[unit.lower()]
    return int(number) * factor


def _uncommented(path: Path) -> str:
    return "\n".join(line.split("#")[0] for line in path.read_text(encoding="utf-8").splitlines())


def test_the_proxies_let_through_any_file_chibo_accepts() -> None:
    """With room for the multipart envelope, so that chibo, not the proxy, refuses a file just
    over its limit (with a message in Vietnamese)."""
    largest = max(settings.CHIBO_IMPORT_MAX_BYTES, settings.CHIBO_UPLOAD_MAX_BYTES) + 64 * 1024
    nginx = re.findall(r"client_max_body_size\s+(\w+);", _uncommented(NGINX))
    caddy = re.findall(r"max_size\s+(\w+)", _uncommented(CADDY))
    assert nginx and caddy
    assert all(_size(value) >= largest for value in nginx + caddy), (nginx, caddy)


def test_the_proxies_forward_to_chibo_with_the_headers_it_reads() -> None:
    bind = _env_example()["CHIBO_BIND"]
    nginx, caddy = _uncommented(NGINX), _uncommented(CADDY)
    assert f"proxy_pass http://{bind};" in nginx
    assert re.search(rf"reverse_proxy\s+{re.escape(bind)}\s*$", caddy, re.M)
    # production's SECURE_PROXY_SSL_HEADER (None in the tests' development settings)
    source = (SRC / "chibo" / "settings.py").read_text(encoding="utf-8")
    assert 'SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")' in source
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx
    assert "proxy_set_header Host $host;" in nginx
    for text in (nginx, caddy):  # chibo sends these itself
        assert "Strict-Transport-Security" not in text and "Content-Security-Policy" not in text


def test_the_examples_trusted_proxy_yields_the_real_client_address() -> None:
    """nginx on 127.0.0.1 appends the address it saw to whatever the client sent."""
    from chibo.accounts.throttle import client_ip

    trusted = _env_example()["CHIBO_TRUSTED_PROXIES"]
    forged_then_appended = "127.0.0.1, 10.9.9.9, 203.0.113.7"
    request = RequestFactory().get("/", REMOTE_ADDR=_env_example()["CHIBO_BIND"].rsplit(":", 1)[0],
                                   HTTP_X_FORWARDED_FOR=forged_then_appended)
    with override_settings(CHIBO_TRUSTED_PROXIES=trusted):
        assert client_ip(request) == "203.0.113.7"
    with override_settings(CHIBO_TRUSTED_PROXIES=""):  # without it, every sign-in is the proxy's
        assert client_ip(request) == "127.0.0.1"


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_example(tmp_path: Path) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed for a stand-in certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=chibo.example.org", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    site = NGINX.read_text(encoding="utf-8")
    site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", site)
    (tmp_path / "chibo.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n"
        f"  proxy_temp_path {tmp_path}/proxy;\n  include {tmp_path}/chibo.conf;\n}}\n")
    done = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed")
def test_caddy_accepts_the_example(tmp_path: Path) -> None:
    done = subprocess.run(["caddy", "adapt", "--config", str(CADDY), "--adapter", "caddyfile"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# --- The container --------------------------------------------------------------------------

def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    logical, current = [], ""
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        current += line.rstrip("\\").strip() + " "
        if not line.endswith("\\"):
            logical.append(current.strip())
            current = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1]) for text in logical]


def _final_stage() -> list[tuple[str, str]]:
    steps = _instructions()
    last_from = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    return steps[last_from:]


def _bootstrap_pdf_packages() -> list[str]:
    text = (ROOT / "scripts" / "bootstrap.sh").read_text(encoding="utf-8")
    return re.search(r"PDF_PACKAGES=\(([^)]*)\)", text).group(1).split()  # type: ignore[union-attr]


def test_the_image_installs_what_bootstrap_installs_for_running_and_no_browser() -> None:
    final = _final_stage()
    installed = " ".join(args for op, args in final if op == "RUN" and "apt-get install" in args).split()
    assert _bootstrap_pdf_packages() and set(_bootstrap_pdf_packages()) <= set(installed)
    assert "python3" in installed
    everything = " ".join(args for _, args in _instructions())
    for tool in ("chromium", "poppler-utils", "playwright", "[dev]"):
        assert tool not in everything


def test_the_image_runs_chibo_serve_unprivileged_with_the_data_in_a_volume() -> None:
    final = dict(_final_stage())  # the last of each instruction
    assert final["USER"] not in {"root", "0"}
    assert final["CMD"] == '["chibo", "serve"]'
    env = dict(pair.split("=", 1) for pair in shlex.split(" ".join(a for op, a in _final_stage() if op == "ENV")))
    assert sorted(set(env) - READ - SYSTEM_VARIABLES) == []
    assert env["CHIBO_DATA_DIR"] in final["VOLUME"]
    assert f'"{env["CHIBO_DATA_DIR"]}"' in final["VOLUME"]
    bind_port = env["CHIBO_BIND"].rsplit(":", 1)[1]
    assert final["EXPOSE"] == bind_port


def test_the_images_sources_exist_and_are_not_ignored() -> None:
    ignored = {line.strip().rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".git", ".venv", "data", "tests"} <= ignored
    for op, args in _instructions():
        if op == "COPY" and "--from" not in args:
            *sources, _target = args.split()
            for source in sources:
                assert (ROOT / source).exists(), source
                assert source.rstrip("/") not in ignored, source


@pytest.mark.django_db
def test_a_healthcheck_points_at_a_real_endpoint() -> None:
    """The image's HEALTHCHECK asks an endpoint chibo answers."""
    assert any(op == "HEALTHCHECK" for op, _args in _instructions())
    for op, args in _instructions():
        if op == "HEALTHCHECK":
            paths = re.findall(r"https?://[^/\s'\"]+(/[^\s'\"]*)", args)
            assert paths, "HEALTHCHECK must name the URL it asks"
            # /healthz is answered by a middleware (before host checks), not by a URL pattern
            response = Client(HTTP_HOST="127.0.0.1:8000").get(paths[0])
            if response.status_code not in (200, 503) or "checks" not in response.json():
                pytest.fail(f"HEALTHCHECK asks {paths[0]}, which chibo does not serve")


def test_the_doc_names_only_files_that_exist() -> None:
    text = DOC.read_text(encoding="utf-8")
    named = set(re.findall(r"`(deploy/[\w./-]+)`", text))
    assert {f"deploy/{name}" for name in UNITS} <= named
    for path in named:
        assert (ROOT / path).is_file(), path
    for path in DEPLOY.rglob("*"):
        if path.is_file():
            assert str(path.relative_to(ROOT)) in text, f"docs/deploy.md does not mention {path}"
