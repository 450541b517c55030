"""Turn spreadsheet cells into typed values, the way commune offices actually type them.

Every function returns (value, problem): `problem` is a Vietnamese message saying what is
wrong and how to fix it, or "" when the value is good. Text is normalised to NFC, and text
typed in the legacy TCVN3 (ABC) or VNI encodings is converted to Unicode (reported)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from chibo.core.dates import format_vn_date, in_range
from chibo.core.ethnicities import ETHNICITIES
from chibo.core.text import nfc
from chibo.exchange.columns import Column, header_key
from chibo.exchange.writers import unneutralise

EXCEL_EPOCH = dt.date(1899, 12, 30)
DATE_PATTERNS = [
    re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$"),  # dd/mm/yyyy, dd.mm.yyyy, dd-mm-yyyy
    re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$"),  # yyyy-mm-dd
]
YES = {"co", "x", "1", "true", "yes", "dung"}
NO = {"khong", "0", "false", "no", "sai", ""}


def _ethnicity_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for code, name in ETHNICITIES:
        keys[header_key(name)] = code
        keys[code] = code
        keys[str(int(code))] = code
    keys.update({"jrai": "10", "giarai": "10", "bahnar": "13", "bana": "13", "ede": "12", "khmer": "05",
                 "hmong": "08", "mong": "08", "kinhviet": "01", "viet": "01", "xedang": "14", "mnong": "20"})
    return keys


ETHNICITY_KEYS = _ethnicity_keys()


def text(raw: Any, column_encoding: str | None = None) -> tuple[str, str | None]:
    """Cell → NFC text; second value names the legacy encoding converted from, if any.
    Cells repeat a great deal (sex, ethnicity, cell codes, common names): results are cached."""
    try:
        return _cached_text(raw, column_encoding)
    except TypeError:  # an unhashable value
        return _text(raw, column_encoding)


def _text(raw: Any, column_encoding: str | None = None) -> tuple[str, str | None]:
    """A single cell is judged on its own, conservatively (a short legacy word can also be a
    real word). `column_encoding`, detected once over the whole column, then decides the
    cells that were ambiguous alone — but only those that cannot be proper Unicode."""
    from chibo.core import legacy

    if raw is None:
        return "", None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    value = unneutralise(nfc(str(raw)))
    fixed, encoding = legacy.fix(value)
    if encoding is None and column_encoding and legacy.could_be_legacy(value):
        return nfc(legacy.to_unicode(value, column_encoding)), column_encoding
    return nfc(fixed), encoding


_cached_text = functools.lru_cache(maxsize=65536, typed=True)(_text)


def column_encoding(cells: Iterable[Any]) -> str | None:
    """The legacy encoding a column is typed in, judged over (a sample of) all its cells."""
    return column_encodings(([c] for c in cells), {"cells": 0})["cells"]


def column_encodings(rows: Iterable[list[Any]], positions: dict[str, int], sample: int = 2000) -> dict[str, str | None]:
    """The legacy encoding each column (key → position in the row) is typed in, judged over
    a sample of its non-ASCII cells, in one pass over the rows that stops once every column
    has its sample."""
    return legacy_columns(rows, positions, sample).encodings


# Columns of people's names: written in title case, so a TCVN3 capital lost to .VnTime is restored.
NAME_KEYS = frozenset({"full_name", "family_name", "middle_name", "given_name"})


@dataclass
class LegacyColumns:
    """What a sheet's text columns say about legacy fonts, from one pass over a sample."""

    encodings: dict[str, str | None] = field(default_factory=dict)  # column key → encoding
    capitals: frozenset[str] = frozenset()  # lower-case words the sample writes with a capital tone-marked vowel


def legacy_columns(rows: Iterable[list[Any]], positions: dict[str, int], sample: int = 2000) -> LegacyColumns:
    """The legacy encoding of each column (key → position in the row), judged over a sample of
    its non-ASCII cells in one pass that stops once every column has its sample; and the
    words those cells write with a capital toned vowel (“Ánh”) where the case is known (Unicode
    or VNI cells), by which the capitals TCVN3 cannot write are restored elsewhere."""
    from chibo.core import legacy

    found: dict[str, list[str]] = {key: [] for key in positions}
    open_columns = dict(positions)
    for row in rows:
        for key, position in list(open_columns.items()):
            cell = row[position] if position < len(row) else None
            if isinstance(cell, str) and not cell.isascii():
                found[key].append(cell)
                if len(found[key]) >= sample:
                    del open_columns[key]
        if not open_columns:
            break
    encodings: dict[str, str | None] = {
        key: legacy.detect("\n".join(cells)) if cells else None for key, cells in found.items()}
    capitals: set[str] = set()
    for key, cells in found.items():
        for cell in cells:
            value = nfc(cell)
            if encodings[key] == "vni":
                value = legacy.to_unicode(value, "vni")
            elif legacy.could_be_legacy(value):
                continue  # TCVN3, or text whose case cannot be trusted
            capitals.update(w.lower() for w in re.findall(r"\w+", value) if w[0] in _TONED_CAPITALS)
    return LegacyColumns(encodings, frozenset(capitals))


_TONED_CAPITALS = frozenset("ÀẢÃÁẠẰẲẴẮẶẦẨẪẤẬÈẺẼÉẸỀỂỄẾỆÌỈĨÍỊÒỎÕÓỌỒỔỖỐỘỜỞỠỚỢÙỦŨÚỤỪỬỮỨỰỲỶỸÝỴ")


def legacy_text(raw: Any, key: str, columns: LegacyColumns | None = None) -> tuple[str, str | None, str]:
    """A text cell → (NFC text, legacy encoding converted from or None, problem).

    As `text`, and then: TCVN3 capitals restored (core.legacy.to_unicode_cased; people's names
    in title case); a cell the detection could not read but which holds TCVN3's symbol codes
    (“H¬ R¨”, “Adr¬ng”: highland words it does not know) converted as TCVN3 when every character
    maps; and whatever is left unconverted refused with a message naming the characters, so
    legacy text is never silently kept."""
    column_encoding = columns.encodings.get(key) if columns is not None else None
    capitals = columns.capitals if columns is not None else frozenset()
    try:
        value, encoding, left = _cached_legacy_cell(raw, key in NAME_KEYS, column_encoding, capitals)
    except TypeError:  # an unhashable value
        value, encoding, left = _legacy_cell(raw, key in NAME_KEYS, column_encoding, capitals)
    if left:  # the message is made here, not cached: the language may differ from call to call
        return value, encoding, _(
            "“%(value)s” still has characters that could not be converted from an old Vietnamese font (TCVN3, "
            "VNI): %(chars)s. Type the cell again in Unicode, or convert the file to Unicode (for example with "
            "UniKey's converter), save it and import again.") % {"value": value, "chars": " ".join(left)}
    return value, encoding, ""


def _legacy_cell(raw: Any, names: bool, column_encoding: str | None,
                 capitals: frozenset[str]) -> tuple[str, str | None, str]:
    """(value, encoding, the characters left unconverted)."""
    from chibo.core import legacy

    value, encoding = text(raw, column_encoding)
    if encoding is None and not legacy.could_be_legacy(value):  # ASCII or Unicode: nothing to do
        return value, encoding, ""
    original = unneutralise(nfc(str(raw)))
    if encoding is None and legacy.legacy_symbols(original) and not legacy.unconverted(original, "tcvn3"):
        encoding = "tcvn3"
    if encoding == "tcvn3":
        value = nfc(legacy.to_unicode_cased(original, "tcvn3", names=names, capitals=capitals))
    if encoding:
        left = legacy.unconverted(original, encoding)
    elif symbols := legacy.legacy_symbols(original):
        left = "".join(dict.fromkeys(symbols + legacy.unconverted(original, "tcvn3")))
    else:
        left = ""
    return value, encoding, left


_cached_legacy_cell = functools.lru_cache(maxsize=65536, typed=True)(_legacy_cell)


def _legacy_readings(raw: Any) -> list[str]:
    """A short cell read as TCVN3 and as VNI, for the columns whose values are known words
    (Có/Không, Nam/Nữ, Chính thức …): there a reading is right when it is one of the words."""
    from chibo.core import legacy

    if not isinstance(raw, str) or not legacy.could_be_legacy(raw):
        return []
    value = nfc(raw)
    return [legacy.to_unicode(value, encoding) for encoding in legacy.ENCODINGS]


def known_key(label: str, known: Container[str]) -> str:
    """`header_key` of a header or a sheet's name; one typed in an old font (“Hä vµ tªn”,
    “Hoï vaø teân”) gives the key of its Unicode reading when that reading is a known one."""
    key = header_key(label)
    if key in known:
        return key
    for reading in _legacy_readings(label):
        if header_key(reading) in known:
            return header_key(reading)
    return key


def digits(raw: Any, label: str, length: int | None = None) -> tuple[str, str]:
    """IDs and phone numbers: kept as text, spaces and dots removed."""
    if raw is None or raw == "":
        return "", ""
    if isinstance(raw, float):
        if not raw.is_integer():
            return "", _("%(label)s must be written as text, not as a decimal number.") % {"label": label}
        raw = str(int(raw))
        if length and len(raw) == length - 1:
            return "", _("%(label)s has %(n)s digits: the cell is formatted as a number, so Excel dropped the "
                         "leading 0. Format the column as Text, type the numbers again, and import.") % {
                "label": label, "n": len(raw)}
    value = re.sub(r"[\s.\-]", "", nfc(str(raw)))
    if not value.isdigit():
        return "", _("%(label)s may contain only digits (found “%(value)s”).") % {"label": label, "value": raw}
    if length and len(value) != length:
        return "", _("%(label)s must have exactly %(length)s digits (found %(n)s). Check it against the card.") % {
            "label": label, "length": length, "n": len(value)}
    return value, ""


def phone(raw: Any) -> tuple[str, str]:
    if raw is None or raw == "":
        return "", ""
    if isinstance(raw, float) and raw.is_integer():
        raw = "0" + str(int(raw)) if len(str(int(raw))) == 9 else str(int(raw))
    value = nfc(unneutralise(str(raw)))
    if not re.fullmatch(r"\+?[\d .\-()]{8,20}", value):
        return "", _("The phone number “%(value)s” is not valid: use digits, spaces and a leading + only.") % {
            "value": value}
    return value, ""


def date(raw: Any, label: str) -> tuple[dt.date | None, str]:
    """dd/mm/yyyy text (also with . or -), ISO text, Excel date cells and Excel serial numbers;
    a date outside 1900–2099 (core.dates.in_range, as in the forms) is refused."""
    value, problem = _date(raw, label)
    if value is not None and not in_range(value):
        return None, _("%(label)s: %(value)s is outside the years chibo accepts. The year must be between 1900 and "
                       "2099. Check the year.") % {"label": label, "value": format_vn_date(value)}
    return value, problem


def _date(raw: Any, label: str) -> tuple[dt.date | None, str]:
    if raw is None or raw == "":
        return None, ""
    if isinstance(raw, dt.datetime):
        return raw.date(), ""
    if isinstance(raw, dt.date):
        return raw, ""
    if isinstance(raw, int | float):
        if 1 <= raw < 80000 and float(raw).is_integer():
            return EXCEL_EPOCH + dt.timedelta(days=int(raw)), ""
        return None, _("%(label)s: %(value)s is not a date. Write it as dd/mm/yyyy.") % {"label": label, "value": raw}
    value = nfc(str(raw))
    for i, pattern in enumerate(DATE_PATTERNS):
        m = pattern.match(value)
        if m:
            a, b, c = (int(x) for x in m.groups())
            day, month, year = (a, b, c) if i == 0 else (c, b, a)
            try:
                return dt.date(year, month, day), ""
            except ValueError:
                return None, _("%(label)s: %(value)s does not exist in the calendar. Check the day and month.") % {
                    "label": label, "value": value}
    return None, _("%(label)s: “%(value)s” is not a date. Write it as dd/mm/yyyy, for example 02/09/1985.") % {
        "label": label, "value": value}


ALIASES: dict[str, dict[str, str]] = {
    "sector": {"khudancu": "residential", "dancu": "residential", "thontodanpho": "residential", "thon": "residential",
               "todanpho": "residential", "coquan": "state_agency", "coquannhanuoc": "state_agency",
               "truonghoc": "education_health", "yte": "education_health", "giaoduc": "education_health",
               "doanhnghiep": "enterprise", "congan": "armed_forces", "quansu": "armed_forces",
               "lucluongvutrang": "armed_forces", "khac": "other"},
    "kind": {"dangbotinh": "province", "dangboxa": "commune", "dangbophuong": "commune",
             "dangboxaphuong": "commune", "dangbocoso": "grassroots_committee", "chibocoso": "grassroots_cell",
             "chibotructhuoc": "cell", "chibo": "cell", "todang": "party_group",
             "tinh": "province", "xa": "commune", "phuong": "ward", "thon": "village", "lang": "lang", "buon": "buon",
             "plei": "plei", "ap": "hamlet", "todanpho": "neighbourhood",
             "bithu": "secretary", "phobithu": "deputy_secretary", "chiuyvien": "committee_member",
             "capuyvien": "committee_member", "danguyvien": "committee_member",
             "uyvienuybankiemtra": "inspection_member", "truongthon": "village_head", "truonglang": "village_head",
             "truongbuon": "village_head", "truongplei": "village_head", "totruongtodanpho": "group_head"},
    "status": {"dubi": "probationary", "chinhthuc": "official"},
    "sex": {"nam": "M", "nu": "F", "m": "M", "f": "F"},
    "religion": {"khong": "none", "phat": "buddhism", "phatgiao": "buddhism", "congiao": "catholic",
                 "thienchua": "catholic", "thienchuagiao": "catholic", "tinlanh": "protestant", "caodai": "cao_dai",
                 "hoahao": "hoa_hao", "hoigiao": "islam"},
    "education": {"tieuhoc": "primary", "thcs": "lower_secondary", "trunghoccoso": "lower_secondary",
                  "thpt": "upper_secondary", "trunghocphothong": "upper_secondary", "trungcap": "vocational",
                  "caodang": "vocational", "daihoc": "university", "thacsi": "postgraduate", "tiensi": "postgraduate",
                  "saudaihoc": "postgraduate"},
    "political_theory": {"khong": "none", "chua": "none", "socap": "elementary", "trungcap": "intermediate",
                         "caocap": "advanced", "cunhan": "bachelor"},
}


_CHOICE_KEYS: dict[str, dict[str, str]] = {}


def _choice_keys(column: Column) -> dict[str, str]:
    """Folded spellings → stored value: the labels in Vietnamese and English, the stored
    codes, and the words offices commonly use. Built once per column."""
    cached = _CHOICE_KEYS.get(column.header + column.key)
    if cached is None:
        cached = _CHOICE_KEYS[column.header + column.key] = _build_choice_keys(column)
    return cached


def _build_choice_keys(column: Column) -> dict[str, str]:
    from django.utils import translation

    assert column.choices is not None
    keys: dict[str, str] = {}
    for stored in column.choices:
        keys[header_key(stored)] = stored
    for lang in ("en", "vi"):
        with translation.override(lang):
            for stored, label in column.choices.items():
                keys[header_key(str(label))] = stored
    for alias, stored in ALIASES.get(column.key, {}).items():
        if stored in column.choices:
            keys.setdefault(alias, stored)
    return keys


def choice(raw: Any, column: Column) -> tuple[str, str]:
    value, _enc = text(raw)
    if not value:
        return "", ""
    for key in [header_key(value)] + [header_key(r) for r in _legacy_readings(raw)]:
        if column.key == "ethnicity":
            code = ETHNICITY_KEYS.get(key)
            if code:
                return code, ""
        stored = _choice_keys(column).get(key)
        if stored is not None:
            return stored, ""
    assert column.choices is not None
    shown = ", ".join(str(v) for v in list(column.choices.values())[:8])
    return "", _("%(label)s: “%(value)s” is not one of the accepted values (%(shown)s…).") % {
        "label": column.header, "value": value, "shown": shown}


def boolean(raw: Any, label: str) -> tuple[bool, str]:
    """Có/Không and the other words of YES and NO, also typed in an old font (TCVN3 “Cã”,
    “Kh«ng”; VNI “Coù”, “Khoâng”)."""
    key = header_key(str(raw if raw is not None else ""))
    if key in YES:
        return True, ""
    if key in NO:
        return False, ""
    answers = {header_key(r) in YES for r in _legacy_readings(raw) if header_key(r) in YES | NO}
    if len(answers) == 1:
        return answers.pop(), ""
    return False, _("%(label)s: write Có or Không (found “%(value)s”).") % {"label": label, "value": raw}


def match_headers(cells: list[Any], columns: list[Column]) -> tuple[dict[str, int], list[str]]:
    """Map column keys to positions; return the unknown headers too. Headers typed in an old
    font (TCVN3, VNI) are matched by their Unicode reading."""
    from chibo.core import legacy

    wanted = {header_key(c.header): c.key for c in columns}
    found: dict[str, int] = {}
    unknown: list[str] = []
    for i, cell in enumerate(cells):
        label = nfc(str(cell or ""))
        if not label:
            continue
        key = wanted.get(known_key(label, wanted))
        if key is None:
            unknown.append(legacy.fix(label)[0])
        elif key not in found:
            found[key] = i
    return found, unknown


def vn(day: dt.date | None) -> str:
    return format_vn_date(day)
