"""chibo.core.text: plain functions, no Django settings needed."""

from __future__ import annotations

import unicodedata
from functools import cmp_to_key
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chibo.core.text import (
    fold,
    is_nfc,
    name_sort_key,
    nfc,
    split_full_name,
    text_sort_key,
)

# --- a reference model of the Vietnamese order, independent of the implementation ---------

ALPHABET = list("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")
VOWELS = set("aăâeêioôơuưy")
# none, huyền, hỏi, ngã, sắc, nặng
TONE_MARKS = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]

LETTER_INFO: dict[str, tuple[int, int]] = {}  # lower-case NFC letter -> (alphabet index, tone)
for _index, _base in enumerate(ALPHABET):
    for _tone, _mark in enumerate(TONE_MARKS):
        if _mark and _base not in VOWELS:
            continue
        _letter = unicodedata.normalize("NFC", _base + _mark)
        assert len(_letter) == 1
        LETTER_INFO[_letter] = (_index, _tone)

VI_LETTERS = sorted({c for letter in LETTER_INFO for c in (letter, letter.upper())})
ASCII_LETTERS = set("abcdefghijklmnopqrstuvwxyz")


def nfd(value: str) -> str:
    return unicodedata.normalize("NFD", value)


def ref_word(word: str) -> tuple[list[int], int]:
    infos = [LETTER_INFO[c] for c in word.lower()]
    tones = [t for _, t in infos if t]
    return [i for i, _ in infos], (tones[0] if tones else 0)


def ref_part(part: str) -> tuple[list[list[int]], list[int]]:
    words = [ref_word(w) for w in part.split()]
    return [p for p, _ in words], [t for _, t in words]


def ref_name(family: str, middle: str, given_name: str) -> tuple[object, ...]:
    g, f, m = ref_part(given_name), ref_part(family), ref_part(middle)
    return (g[0], f[0], m[0], g[1] + f[1] + m[1])


def sign(a: Any, b: Any) -> int:
    return int(a > b) - int(a < b)


words = st.text(alphabet=VI_LETTERS, min_size=1, max_size=7)
parts = st.lists(words, min_size=0, max_size=3).map(" ".join)
names = st.tuples(parts, parts, parts)  # (family, middle, given)
short_names = st.tuples(
    st.lists(words, max_size=2).map(" ".join),
    st.lists(words, max_size=3).map(" ".join),
    st.lists(words, max_size=2).map(" ".join),
).filter(lambda n: len(" ".join(n)) <= 100)
spaces = st.sampled_from([" ", "  ", "\u00a0", "\t", " \u00a0 ", "\n"])


def key_of(name: tuple[str, str, str]) -> str:
    return name_sort_key(*name)


# --- nfc / is_nfc ----------------------------------------------------------------------


def test_nfc_basics() -> None:
    assert nfc(None) == ""
    assert nfc("") == ""
    assert nfc("  Nguyễn\u00a0\u00a0 Văn\tĐức \n") == "Nguyễn Văn Đức"
    assert nfc(nfd("Nguyễn")) == "Nguyễn"
    assert is_nfc(nfc(nfd("Trường Sơn")))
    assert not is_nfc(nfd("Trường Sơn"))
    assert is_nfc("plain ascii")


@given(st.text())
def test_nfc_idempotent(value: str) -> None:
    once = nfc(value)
    assert nfc(once) == once
    assert is_nfc(once)


@given(st.lists(words, min_size=1, max_size=5), spaces)
def test_nfc_collapses_whitespace(ws: list[str], space: str) -> None:
    assert nfc(space + space.join(nfd(w) for w in ws) + space) == " ".join(
        unicodedata.normalize("NFC", w) for w in ws
    )


# --- fold --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Nguyễn Văn Đức", "nguyen van duc"),
        (nfd("Nguyễn Văn Đức"), "nguyen van duc"),
        ("ĐẶNG", "dang"),
        (nfd("ĐẶNG THỊ ỬNG"), "dang thi ung"),
        ("  Trường\u00a0 THCS   Lê Quý Đôn ", "truong thcs le quy don"),
        ("Ðoàn", "doan"),  # U+00D0, a common look-alike of Đ
        ("", ""),
        (None, ""),
    ],
)
def test_fold_examples(value: str | None, expected: str) -> None:
    assert fold(value) == expected


@given(st.text())
def test_fold_idempotent_any_text(value: str) -> None:
    assert fold(fold(value)) == fold(value)


@given(st.lists(words, max_size=5).map(" ".join))
def test_fold_vietnamese(value: str) -> None:
    folded = fold(value)
    assert fold(folded) == folded
    assert folded.isascii()
    assert set(folded) <= ASCII_LETTERS | {" "}
    assert fold(nfd(value)) == folded
    assert fold(value.upper()) == folded


@given(st.text())
def test_fold_ignores_normal_form(value: str) -> None:
    assert fold(nfd(value)) == fold(value)


# --- split_full_name ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full", "expected"),
    [
        ("Nguyễn Thị Thu Hà", ("Nguyễn", "Thị Thu", "Hà")),
        ("Ksor Thăng", ("Ksor", "", "Thăng")),
        ("Hà", ("", "", "Hà")),
        ("", ("", "", "")),
        ("   ", ("", "", "")),
        ("Tôn Thất Minh Khoa", ("Tôn Thất", "Minh", "Khoa")),
        ("Âu Dương Thị Mai", ("Âu Dương", "Thị", "Mai")),
        ("HOÀNG PHỦ NGỌC TƯỜNG", ("HOÀNG PHỦ", "NGỌC", "TƯỜNG")),
        ("Tôn Thất Khoa", ("Tôn", "Thất", "Khoa")),  # only 3 words: plain family name
        ("Lê Văn An", ("Lê", "Văn", "An")),
        (nfd("  nguyễn\u00a0 văn  đức "), ("nguyễn", "văn", "đức")),
    ],
)
def test_split_full_name_examples(full: str, expected: tuple[str, str, str]) -> None:
    assert split_full_name(full) == expected


@given(
    st.lists(
        st.one_of(words, st.sampled_from(["Tôn", "Thất", "Âu", "Dương", "Hoàng", "Phủ"])),
        min_size=1,
        max_size=6,
    ),
    spaces,
    st.booleans(),
)
def test_split_full_name_round_trip(ws: list[str], space: str, decompose: bool) -> None:
    full = space.join(ws)
    if decompose:
        full = nfd(full)
    family, middle, given_name = split_full_name(full)
    assert " ".join(p for p in (family, middle, given_name) if p) == nfc(full)
    assert given_name == unicodedata.normalize("NFC", ws[-1])
    assert all(is_nfc(p) for p in (family, middle, given_name))
    if len(ws) >= 2:
        assert family
    else:
        assert family == middle == ""


# --- name_sort_key: the given examples --------------------------------------------------

GIVEN_ORDER = [
    "An", "Ánh", "Ăn", "Âu", "Bảo", "Dung", "Dũng", "Đạt", "Đức", "Ông", "Ơn", "Uyên", "Ưng",
]  # fmt: skip
TONE_ORDER = ["ba", "bà", "bả", "bã", "bá", "bạ"]


@pytest.mark.parametrize("order", [GIVEN_ORDER, TONE_ORDER])
def test_given_name_order(order: list[str]) -> None:
    keys = [name_sort_key("Nguyễn", "Văn", g) for g in order]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    shuffled = list(reversed(order))
    assert sorted(shuffled, key=lambda g: name_sort_key("Nguyễn", "Văn", g)) == order


def test_parts_order() -> None:
    assert name_sort_key("Trần", "", "An") < name_sort_key("Nguyễn", "", "Bình")
    assert name_sort_key("Lê", "Văn", "An") < name_sort_key("Nguyễn", "Văn", "An")
    assert name_sort_key("Nguyễn", "Thị", "An") < name_sort_key("Nguyễn", "Văn", "An")
    assert name_sort_key("Nguyễn", "", "An") < name_sort_key("Nguyễn", "Văn", "An")
    # letters of every part decide before any tone
    assert name_sort_key("Lê", "", "Ánh") < name_sort_key("Lý", "", "Anh")
    assert name_sort_key("Lê", "Văn", "Bà") < name_sort_key("Lê", "Vân", "Ba")
    # word prefixes: An < An Bình < Anh, whatever the family
    assert name_sort_key("Vũ", "", "An") < name_sort_key("Âu", "", "An Bình")
    assert name_sort_key("Vũ", "", "An Bình") < name_sort_key("Âu", "", "Anh")


def test_name_sort_key_case_and_form_insensitive() -> None:
    key = name_sort_key("Nguyễn", "Văn", "Đức")
    assert name_sort_key("NGUYỄN", "văn", "ĐỨC") == key
    assert name_sort_key(nfd("Nguyễn"), nfd("Văn"), nfd("Đức")) == key
    assert name_sort_key(" Nguyễn ", "Văn", "Đức\u00a0") == key
    # old and new tone placement sort together
    assert name_sort_key("Lê", "", "Hoà") == name_sort_key("Lê", "", "Hòa")


def test_name_sort_key_other_characters() -> None:
    assert name_sort_key("Niê", "", "H'Hen") == name_sort_key("Niê", "", "HHen")
    for key in (name_sort_key("张", "", "伟"), name_sort_key("Müller", "", "Zoë")):
        assert key.isascii() and key.isprintable()
    assert name_sort_key("Müller", "", "Zoë") < name_sort_key("Müller", "", "Zoey")


def test_name_sort_key_long_input_truncated() -> None:
    long = " ".join(["Nguyễn"] * 80)
    key = name_sort_key(long, long, long)
    assert len(key) == 255
    assert key.isascii() and key.isprintable()


# --- name_sort_key: properties ------------------------------------------------------------


@given(names)
def test_name_sort_key_ignores_normal_form(name: tuple[str, str, str]) -> None:
    assert name_sort_key(*(nfd(p) for p in name)) == key_of(name)
    assert name_sort_key(*(p.upper() for p in name)) == key_of(name)


@given(short_names)
def test_name_sort_key_is_short_printable_ascii(name: tuple[str, str, str]) -> None:
    key = key_of(name)
    assert key == key_of(name)
    assert len(key) <= 255
    assert key.isascii() and key.isprintable() and " " not in key


@given(st.tuples(st.text(), st.text(), st.text()))
def test_name_sort_key_any_text_is_bounded_ascii(name: tuple[str, str, str]) -> None:
    key = key_of(name)
    assert len(key) <= 255
    assert key.isascii() and key.isprintable()
    assert name_sort_key(*(nfd(p) for p in name)) == key


@given(names, names)
@settings(max_examples=300)
def test_name_sort_key_matches_reference_order(
    a: tuple[str, str, str], b: tuple[str, str, str]
) -> None:
    assert sign(key_of(a), key_of(b)) == sign(ref_name(*a), ref_name(*b))


@given(st.lists(names, min_size=2, max_size=12))
def test_sorting_by_key_is_reference_sort(batch: list[tuple[str, str, str]]) -> None:
    by_key = sorted(batch, key=key_of)
    assert [ref_name(*n) for n in by_key] == sorted(ref_name(*n) for n in batch)
    # primaries (given, family, middle) decide first: the key order never contradicts them
    primaries = [ref_name(*n)[:3] for n in by_key]
    assert primaries == sorted(primaries)
    by_cmp = sorted(batch, key=cmp_to_key(lambda x, y: sign(ref_name(*x), ref_name(*y))))
    assert [key_of(n) for n in by_cmp] == [key_of(n) for n in by_key]


# --- text_sort_key ------------------------------------------------------------------------


def test_text_sort_key_examples() -> None:
    ordered = [
        "Thôn 2",
        "Thôn 10",
        "Thôn 10A",
        "Thôn Bắc",
        "Thôn Đông",
        "Thôn Ðông Hai",  # U+00D0 treated as Đ
        "Thôn Đông Nam",
        "Thống Nhất",
        "Tổ 1",
    ]
    keys = [text_sort_key(v) for v in ordered]
    assert keys == sorted(keys)
    assert text_sort_key("Ba") < text_sort_key("Bà") < text_sort_key("Bạ") < text_sort_key("Bă")
    assert text_sort_key("Thôn 02") == text_sort_key("thôn 2")
    assert text_sort_key(nfd("Xã Ea Kly")) == text_sort_key("XÃ  EA\u00a0KLY")
    assert text_sort_key("Hợp tác xã") < text_sort_key("Hợp tác xã Nông nghiệp")
    assert text_sort_key("") == "!"


@given(st.lists(words, max_size=6).map(" ".join), st.lists(words, max_size=6).map(" ".join))
def test_text_sort_key_matches_reference(a: str, b: str) -> None:
    def ref(v: str) -> tuple[object, ...]:
        primary, tones = ref_part(v)
        return (primary, tones)

    assert sign(text_sort_key(a), text_sort_key(b)) == sign(ref(a), ref(b))
    assert text_sort_key(nfd(a)) == text_sort_key(a)


@given(st.integers(0, 999_999), st.integers(0, 999_999))
def test_text_sort_key_numbers(x: int, y: int) -> None:
    assert sign(text_sort_key(f"Thôn {x}"), text_sort_key(f"Thôn {y}")) == sign(x, y)


@given(st.text())
def test_text_sort_key_any_text(value: str) -> None:
    key = text_sort_key(value)
    assert len(key) <= 255
    assert key.isascii() and key.isprintable()
    assert text_sort_key(nfd(value)) == key


def test_central_highlands_letters_fold_and_sort_next_to_their_plain_letter() -> None:
    """Issue 13, point 9: "blan" finds "Ƀlan"; Ƀlan sorts after the b's and before the c's."""
    from chibo.core.text import fold, name_sort_key

    assert fold("Ksor Ƀlan") == "ksor blan" and fold("ƁÔK ɗam") == "bok dam"
    names = ["Cường", "Ƀlan", "Bình", "Bùi"]
    ordered = sorted(names, key=lambda n: name_sort_key("", "", n))
    assert ordered == ["Bình", "Bùi", "Ƀlan", "Cường"]


def test_names_stored_before_are_rewritten_by_the_migration(world) -> None:  # type: ignore[no-untyped-def]
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    from chibo.core.text import name_sort_key
    from chibo.members.models import Membership, Person

    m = world.m["b_member"]
    old_key = name_sort_key("Ksor", "", "Ƀlan").replace("b{", "^000180")  # as the old code wrote it
    Person.objects.filter(pk=m.person_id).update(given_name="Ƀlan", search_name="ksor ƀlan", sort_key=old_key)
    Membership.objects.filter(pk=m.pk).update(search_name="ksor ƀlan", sort_key=old_key)
    migration = import_module("chibo.members.migrations.0005_fold_highland_letters")

    class Editor:  # what forwards() uses of a schema editor
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    migration.forwards(apps, editor)
    person = Person.objects.get(pk=m.person_id)
    assert person.search_name == "ksor blan" and person.sort_key == name_sort_key("Ksor", "", "Ƀlan")
    assert Membership.objects.get(pk=m.pk).search_name == "ksor blan"


def test_highland_letters_survive_export_import_and_pdfs(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 13, point 9: a name with Ƀ goes out to a spreadsheet and back unchanged, is not
    taken for legacy-font text, is found by "blan", and prints in the PDFs' fonts."""
    import io

    from chibo.core import pdf
    from chibo.exchange import services
    from chibo.members import services as members
    from chibo.members.models import Membership
    from tests.test_import import counts, do_import, messages
    from tests.test_meetings_web import pdf_text

    m = world.m["b_member"]
    members.member_update(m, actor=None, person_data={"family_name": "Ksor", "middle_name": "", "given_name": "Ƀlan"})
    assert "Ksor Ƀlan" in world.client("commune_staff").get("/dang-vien/?q=ksor+blan").content.decode()

    out = io.BytesIO()
    qs = Membership.objects.filter(commune=world.org["C1"], current=True)
    services.export_members(actor=None, queryset=qs, fmt="xlsx", out=out, scope=world.org["C1"], description="t")
    before = counts()
    result = do_import(world, out.getvalue())
    assert not result.errors and not result.converted, messages(result)
    assert result.outcomes["members"].unchanged == qs.count() and counts() == before

    for family in ("DejaVu Serif", "DejaVu Sans"):
        text = pdf_text(pdf.render_html(f'<p style="font-family: \'{family}\'">Ksor Ƀlan, Ɓôk Ɗam</p>'), tmp_path)
        assert "Ƀlan" in text and "Ɓôk" in text, family
