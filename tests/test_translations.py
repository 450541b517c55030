"""The Vietnamese catalogue is complete, up to date with the code, and used by the pages.

The UI is Vietnamese-first: msgids are English in gettext()/{% translate %}, and
src/chibo/locale/vi/LC_MESSAGES/django.po must translate every one of them. To add or
change a string: from src/chibo run
    chibo makemessages -l vi -l en --ignore=migrations --no-location --no-obsolete
translate the new entries in the vi catalogue (no "#, fuzzy" left), then
    chibo compilemessages
(scripts/bootstrap.sh compiles the catalogues too; the .mo files are not in git)."""

from __future__ import annotations

import array
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "chibo"
VI_PO = PACKAGE / "locale" / "vi" / "LC_MESSAGES" / "django.po"
EN_PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MAKEMESSAGES = "chibo makemessages -l vi -l en --ignore=migrations --no-location --no-obsolete"
SOURCE_SUFFIXES = {".py", ".html", ".txt"}  # what makemessages reads for the "django" domain


# --- A tiny PO reader (no gettext needed) -----------------------------------------------------

@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # msgstr is index 0, msgstr[n] is n
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    def label(self) -> str:
        ctxt = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        plural = f" / {self.msgid_plural!r}" if self.msgid_plural is not None else ""
        return f"line {self.line}: {ctxt}{self.msgid!r}{plural}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def _unquote(text: str, where: str) -> str:
    text = text.strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"{where}: expected a quoted string, got {text!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text[1:-1])


def parse_po(path: Path) -> tuple[Entry, list[Entry]]:
    """The header entry and the message entries of a PO file (obsolete #~ entries skipped)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None  # the field the next continuation line extends

    def start(lineno: int) -> Entry:
        nonlocal current
        if current is None:
            current = Entry(line=lineno)
            entries.append(current)
        return current

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        where = f"{path.name}:{lineno}"
        if not line:
            current, target = None, None
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            # A flag line opens a new entry only if the previous one already has its msgid.
            if current is not None and target is not None:
                current, target = None, None
            start(lineno).flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
        elif line.startswith("#"):
            if current is not None and target is not None:
                current, target = None, None
        elif line.startswith("msgctxt "):
            if current is not None and target is not None:
                current = None
            start(lineno).msgctxt = _unquote(line[8:], where)
            target = ("msgctxt", 0)
        elif line.startswith("msgid_plural "):
            start(lineno).msgid_plural = _unquote(line[13:], where)
            target = ("msgid_plural", 0)
        elif line.startswith("msgid "):
            if current is not None and target is not None and target[0] != "msgctxt":
                current = None
            entry = start(lineno)
            entry.msgid, entry.line = _unquote(line[6:], where), lineno
            target = ("msgid", 0)
        elif m := re.match(r"msgstr(?:\[(\d+)\])?\s+(.*)$", line):
            index = int(m.group(1) or 0)
            start(lineno).msgstr[index] = _unquote(m.group(2), where)
            target = ("msgstr", index)
        elif line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"{where}: continuation line outside an entry")
            text = _unquote(line, where)
            name, index = target
            if name == "msgstr":
                current.msgstr[index] += text
            else:
                setattr(current, name, (getattr(current, name) or "") + text)
        else:
            raise ValueError(f"{where}: cannot read {raw!r}")

    headers = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    if len(headers) != 1:
        raise ValueError(f"{path}: expected one header entry (msgid \"\"), found {len(headers)}")
    return headers[0], [e for e in entries if e is not headers[0]]


def header_fields(header: Entry) -> dict[str, str]:
    pairs = (line.split(":", 1) for line in header.msgstr.get(0, "").splitlines() if ":" in line)
    return {k.strip(): v.strip() for k, v in pairs}


_PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0]*\d*(?:\.\d+)?[sdifr]|%[sdif]")


def placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text.replace("%%", "")))


# --- 1. Complete: every msgid translated, nothing fuzzy --------------------------------------

def test_vietnamese_catalogue_translates_every_string() -> None:
    header, entries = parse_po(VI_PO)
    fields = header_fields(header)
    problems = []
    if "fuzzy" in header.flags:
        problems.append('header: remove the "#, fuzzy" flag above msgid ""')
    if fields.get("Language") != "vi":
        problems.append(f'header: "Language: vi" expected, found {fields.get("Language")!r}')
    if fields.get("Plural-Forms", "").replace(" ", "") != "nplurals=1;plural=0;":
        problems.append('header: "Plural-Forms: nplurals=1; plural=0;" expected (Vietnamese has one form)')
    if "charset=UTF-8" not in fields.get("Content-Type", ""):
        problems.append('header: "Content-Type: text/plain; charset=UTF-8" expected')

    for e in entries:
        if "fuzzy" in e.flags:
            problems.append(f"{e.label()}: fuzzy — check the translation and remove the flag")
        if e.msgid_plural is not None and sorted(e.msgstr) != [0]:
            problems.append(f"{e.label()}: give exactly one plural form, msgstr[0]")
        if not e.msgstr or not all(s.strip() for s in e.msgstr.values()):
            problems.append(f"{e.label()}: not translated")
            continue
        wanted = placeholders(e.msgid)
        for text in e.msgstr.values():
            if placeholders(text) != wanted:
                problems.append(f"{e.label()}: the translation must keep the placeholders {wanted}")

    if problems:
        pytest.fail(f"{VI_PO.relative_to(ROOT)} has {len(problems)} problem(s):\n" + "\n".join(problems),
                    pytrace=False)
    assert len(entries) > 100, "the Vietnamese catalogue looks empty; run makemessages"


def test_english_catalogue_has_a_valid_header() -> None:
    """English msgstrs stay empty (gettext falls back to the msgid), but the header must be
    usable: not fuzzy, UTF-8, English plural rule."""
    header, _entries = parse_po(EN_PO)
    fields = header_fields(header)
    assert "fuzzy" not in header.flags, f'{EN_PO.relative_to(ROOT)}: remove "#, fuzzy" from the header'
    assert fields.get("Language") == "en"
    assert "charset=UTF-8" in fields.get("Content-Type", "")
    assert fields.get("Plural-Forms", "").replace(" ", "") == "nplurals=2;plural=(n!=1);"


# --- 2. Up to date: the catalogue holds every string the code marks ---------------------------

def _copy_sources(dest: Path) -> None:
    for path in PACKAGE.rglob("*"):
        rel = path.relative_to(PACKAGE)
        if (path.is_file() and path.suffix in SOURCE_SUFFIXES
                and not {"migrations", "locale", "__pycache__"} & set(rel.parts)):
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def test_catalogue_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.fail("gettext's xgettext/msgmerge are not installed, so the catalogue cannot be checked "
                    "against the code. Run scripts/bootstrap.sh, or install them: apt-get install gettext.")
    copy = tmp_path / "src" / "chibo"
    _copy_sources(copy)
    (copy / "locale").mkdir()
    # A settings module pointing LOCALE_PATHS at the copy, so the real catalogue is never written.
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "i18n_check_settings.py").write_text(
        "from chibo.settings import *  # noqa: F403\n"
        f"LOCALE_PATHS = [{str(copy / 'locale')!r}]\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "CHIBO_ENV"}}
    env.update({"DJANGO_SETTINGS_MODULE": "i18n_check_settings", "CHIBO_DATA_DIR": str(tmp_path / "data"),
                "PYTHONPATH": os.pathsep.join(p for p in (str(conf), env.get("PYTHONPATH", "")) if p)})
    # -P: do not put the copy (cwd) on sys.path, where it would shadow the installed package.
    result = subprocess.run(
        [sys.executable, "-P", "-m", "django", "makemessages", "-l", "vi", "--ignore=migrations",
         "--no-location", "--no-obsolete"],
        cwd=copy, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"

    _header, fresh = parse_po(copy / "locale" / "vi" / "LC_MESSAGES" / "django.po")
    _header, real = parse_po(VI_PO)
    fresh_keys = {e.key: e for e in fresh}
    real_keys = {e.key: e for e in real}
    missing = [fresh_keys[k].label().split(": ", 1)[1] for k in fresh_keys if k not in real_keys]
    obsolete = [real_keys[k].label() for k in real_keys if k not in fresh_keys]
    message = []
    if missing:
        message.append(f"{len(missing)} string(s) in the code are missing from {VI_PO.relative_to(ROOT)} — "
                       f"run makemessages and translate (from src/chibo: {MAKEMESSAGES}):")
        message += [f"  {m}" for m in missing]
    if obsolete:
        message.append(f"{len(obsolete)} entr(y/ies) are no longer in the code — run makemessages "
                       f"(from src/chibo: {MAKEMESSAGES}) to drop them:")
        message += [f"  {o}" for o in obsolete]
    if message:
        pytest.fail("\n".join(message), pytrace=False)


# --- 3. Used: a page in Vietnamese whatever the browser asks for, English when chosen ---------

def _write_mo(po: Path, mo: Path) -> None:
    """Compile a PO file to a GNU .mo file (what msgfmt does), skipping fuzzy and empty entries."""
    header, entries = parse_po(po)
    messages = {"": header.msgstr.get(0, "")}
    for e in entries:
        if "fuzzy" in e.flags or not any(e.msgstr.values()):
            continue
        key = e.msgid if e.msgid_plural is None else f"{e.msgid}\0{e.msgid_plural}"
        if e.msgctxt is not None:
            key = f"{e.msgctxt}\x04{key}"
        messages[key] = "\0".join(e.msgstr[i] for i in sorted(e.msgstr))
    pairs = sorted((k.encode(), v.encode()) for k, v in messages.items())
    ids = strs = b""
    offsets = []
    for k, v in pairs:
        offsets.append((len(ids), len(k), len(strs), len(v)))
        ids += k + b"\0"
        strs += v + b"\0"
    key_start = 7 * 4 + 16 * len(pairs)
    value_start = key_start + len(ids)
    key_table: list[int] = []
    value_table: list[int] = []
    for id_off, id_len, str_off, str_len in offsets:
        key_table += [id_len, id_off + key_start]
        value_table += [str_len, str_off + value_start]
    head = array.array("I", [0x950412DE, 0, len(pairs), 7 * 4, 7 * 4 + 8 * len(pairs), 0, 0])
    mo.parent.mkdir(parents=True, exist_ok=True)
    mo.write_bytes(head.tobytes() + array.array("I", key_table + value_table).tobytes() + ids + strs)


@pytest.fixture
def catalogues(tmp_path: Path, settings: Any) -> None:
    """Compile the catalogues into a temporary locale dir, so the test reads the .po files in
    the tree rather than whatever .mo a previous compilemessages left behind."""
    for lang, po in (("vi", VI_PO), ("en", EN_PO)):
        _write_mo(po, tmp_path / "locale" / lang / "LC_MESSAGES" / "django.mo")
    settings.LOCALE_PATHS = [tmp_path / "locale"]  # resets Django's translation caches


@pytest.mark.usefixtures("catalogues")
def test_member_list_is_vietnamese_whatever_the_browser_asks_and_english_when_chosen(world: Any) -> None:
    client = world.client("commune_staff")

    vi = client.get("/dang-vien/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert '<html lang="vi">' in vi
    for text in ("Danh sách đảng viên", "Đảng viên", "Đăng xuất", "Họ và tên", "chính thức"):
        assert text in vi, f"{text!r} missing from the Vietnamese page"
    for text in ("Party members", "Sign out", "Full name"):
        assert text not in vi, f"English {text!r} on the Vietnamese page"

    default = client.get("/dang-vien/").content.decode()  # no Accept-Language: LANGUAGE_CODE "vi"
    assert "Danh sách đảng viên" in default and "Party members" not in default

    browser_in_english = client.get("/dang-vien/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in browser_in_english and "Party members" not in browser_in_english

    client.cookies["django_language"] = "en"  # English chosen in this browser ("My account")
    en = client.get("/dang-vien/").content.decode()
    assert '<html lang="en">' in en
    for text in ("Party members", "Sign out", "Full name"):
        assert text in en, f"{text!r} missing from the English page"
    assert "Danh sách đảng viên" not in en and "Đăng xuất" not in en
