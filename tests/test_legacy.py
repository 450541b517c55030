"""chibo.core.legacy: TCVN3 (ABC) and VNI text from old spreadsheets. No Django needed."""

from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from chibo.core.legacy import (
    ENCODINGS,
    could_be_legacy,
    detect,
    fix,
    from_unicode,
    legacy_symbols,
    to_unicode,
    to_unicode_cased,
    unconverted,
)


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def nfd(value: str) -> str:
    return unicodedata.normalize("NFD", value)


# --- known examples, typed from the published tables (not produced by the module) ---------

# (Unicode, TCVN3 as stored in a .VnTime cell, VNI as stored in a VNI-Times cell)
KNOWN = [
    ("Nguyễn Văn Đức", "NguyÔn V¨n §øc", "Nguyeãn Vaên Ñöùc"),
    ("Trần Thị Hoa", "TrÇn ThÞ Hoa", "Traàn Thò Hoa"),
    ("Đặng Thị Ánh Dương", None, "Ñaëng Thò AÙnh Döông"),
    ("Đặng Thị ánh Dương", "§Æng ThÞ ¸nh D\u00ad¬ng", "Ñaëng Thò aùnh Döông"),
    ("Ksor Thăng", "Ksor Th¨ng", "Ksor Thaêng"),
    ("Rơ Châm H'Luyên", "R¬ Ch©m H'Luyªn", "Rô Chaâm H'Luyeân"),
    ("Phạm Ngọc Ước", "Ph¹m Ngäc ¦íc", "Phaïm Ngoïc Öôùc"),
    ("Thôn 7", "Th«n 7", "Thoân 7"),
    ("Làng Krông", "Lµng Kr«ng", "Laøng Kroâng"),
    ("Biển Hồ", "BiÓn Hå", "Bieån Hoà"),
    ("Đức", "§øc", "Ñöùc"),
    ("Ước", "¦íc", "Öôùc"),
    ("Hùng", "Hïng", "Huøng"),
    ("NGUYỄN VĂN ĐỨC", None, "NGUYEÃN VAÊN ÑÖÙC"),
    (
        "Bùi Thị Thuỷ, xã Ia Mơ, huyện Chư Prông",
        "Bïi ThÞ Thuû, x· Ia M¬, huyÖn Ch\u00ad Pr«ng",
        "Buøi Thò Thuyû, xaõ Ia Mô, huyeän Chö Proâng",
    ),
    (
        "Cán bộ, đảng viên chi bộ thôn Đắk Lắk",
        "C¸n bé, ®¶ng viªn chi bé th«n §¾k L¾k",
        "Caùn boä, ñaûng vieân chi boä thoân Ñaék Laék",
    ),
    ("Hmông, Kđăm, Niê, Mdrăk", "Hm«ng, K®¨m, Niª, Mdr¨k", "Hmoâng, Kñaêm, Nieâ, Mdraêk"),
    ("ỵ ỷ ỹ ý ỳ ị ỉ ĩ í ì", "þ û ü ý ú Þ Ø Ü Ý ×", "î yû yõ yù yø ò æ ó í ì"),
]


@pytest.mark.parametrize(("uni", "tcvn3", "vni"), KNOWN)
def test_known_examples(uni: str, tcvn3: str | None, vni: str | None) -> None:
    for encoding, legacy in (("tcvn3", tcvn3), ("vni", vni)):
        if legacy is None:
            continue
        assert to_unicode(legacy, encoding) == uni
        assert from_unicode(uni, encoding) == legacy
        if uni != "ỵ ỷ ỹ ý ỳ ị ỉ ĩ í ì":  # letters alone are not syllables
            assert detect(legacy) == encoding
            assert fix(legacy) == (uni, encoding)
            assert fix(nfd(legacy)) == (uni, encoding)  # a legacy cell that was NFD-normalised


def test_whole_tables_round_trip() -> None:
    letters = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    tones = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
    alphabet = {nfc(c + t) for c in letters for t in tones if t == "" or c in "aăâeêioôơuưy"}
    assert len(alphabet) == 29 + 12 * 5
    for letter in sorted(alphabet):
        for encoding in ENCODINGS:
            legacy = from_unicode(letter, encoding)
            assert legacy.isascii() == letter.isascii()
            assert all(ord(c) <= 0xFF for c in legacy)
            assert to_unicode(legacy, encoding) == letter
        upper = letter.upper()
        assert to_unicode(from_unicode(upper, "vni"), "vni") == upper
    # TCVN3 has one byte per lower-case letter, and its seven capitals.
    tcvn3 = {from_unicode(letter, "tcvn3") for letter in alphabet if not letter.isascii()}
    assert len(tcvn3) == 67
    assert from_unicode("ĂÂÊÔƠƯĐ", "tcvn3") == "¡¢£¤¥¦§"


def test_tcvn3_capitals_with_tone_marks() -> None:
    # .VnTime has no "Á": strict refuses, "lower" writes the lower-case code like ABC does.
    with pytest.raises(ValueError, match="tcvn3"):
        from_unicode("Ánh", "tcvn3")
    with pytest.raises(ValueError):
        from_unicode("NGUYỄN", "tcvn3")
    assert from_unicode("Ánh", "tcvn3", errors="lower") == "¸nh"
    assert from_unicode("Ý", "tcvn3", errors="lower") == "ý"
    # ... and such codes always come back in lower case.
    assert to_unicode("¸nh", "tcvn3") == "ánh"
    assert fix("NGUYÔN V¡N §øC") == ("NGUYễN VĂN ĐứC", "tcvn3")


def test_from_unicode_refuses_what_would_be_misread() -> None:
    for encoding in ENCODINGS:
        with pytest.raises(ValueError):
            from_unicode("garçon", encoding)
        with pytest.raises(ValueError):
            from_unicode("Straße", encoding)
        # ASCII, NBSP and typographic characters beyond Latin-1 pass through.
        encoded = from_unicode("“Thôn 7” – Ia\u00a0Mơ", encoding)
        assert encoded.startswith("“Th")
        assert encoded.endswith("” – Ia\u00a0M" + from_unicode("ơ", encoding))


def test_encoding_names() -> None:
    assert to_unicode("V¨n", "TCVN3") == to_unicode("V¨n", "abc") == "Văn"
    assert to_unicode("Vaên", "VNI") == "Văn"
    with pytest.raises(ValueError, match="unknown legacy encoding"):
        to_unicode("x", "viscii")


def test_plain_ascii_and_empty() -> None:
    for text in ["", "Hoa", "Ksor Thang", "Thon 7, xa Ia Mo", "Nguyen Van Duc 1975-02-03"]:
        assert detect(text) is None
        assert fix(text) == (text, None)


# --- ambiguous cases: documented, resolved towards leaving the text alone ------------------


@pytest.mark.parametrize(
    "text",
    [
        "Thò",  # VNI Thị, but also the Unicode word thò
        "Hoà Thò Lan",  # VNI Hồ Thị Lan, but every word is valid Unicode Vietnamese
        "Hoà Bình",  # old-style Unicode Hoà, VNI would read Hồ
        "cô Tâm",  # TCVN3 would read "cụ Tõm"
        "tôt",  # TCVN3 tụt, French tôt
        "coù",  # VNI có, French-looking
    ],
)
def test_ambiguous_cells_are_left_alone(text: str) -> None:
    assert detect(text) is None
    assert fix(text) == (text, None)


def test_known_false_positives() -> None:
    # Documented trade-off: ï after a vowel is everyday VNI (ạ ọ), rare in Western words.
    assert fix("Loïc") == ("Lọc", "vni")


def test_a_column_decides_together() -> None:
    column = ["Hoà Thò Lan", "Nguyeãn Vaên Ñöùc", "Phaïm Ngoïc Öôùc"]
    encoding = detect("\n".join(column))
    assert encoding == "vni"
    assert [to_unicode(cell, encoding) for cell in column] == [
        "Hồ Thị Lan",
        "Nguyễn Văn Đức",
        "Phạm Ngọc Ước",
    ]


# --- Western European words are not flagged -------------------------------------------------

WESTERN = [
    "café", "crème brûlée", "naïve", "façade", "résumé", "déjà vu", "fiancée", "garçon",
    "élève", "château", "Noël", "Zoë", "Chloé", "Molière", "tôt", "où", "là", "à", "été",
    "Müller", "Straße", "über", "schön", "Köln", "Zürich", "Gödel", "Düsseldorf", "für",
    "señor", "niño", "España", "José", "Málaga", "Bogotá", "más", "sí", "qué", "año",
    "São Paulo", "João", "Antônio", "não", "Citroën", "smörgåsbord", "Ångström", "Øresund",
    "Århus", "Malmö", "Tromsø", "Ærø", "più", "città", "perché", "però",
    "Le café est très bon", "Die Straße in München", "Crème fraîche à la française",
]


@pytest.mark.parametrize("word", WESTERN)
def test_western_words_are_not_flagged(word: str) -> None:
    assert detect(word) is None
    assert fix(word) == (word, None)


# --- random Vietnamese text --------------------------------------------------------------

TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]  # none, huyền, hỏi, ngã, sắc, nặng
STOP_TONES = ["\u0301", "\u0323"]
ONSETS = [
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
    "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
]  # fmt: skip
# rhyme nucleus -> index of the vowel carrying the tone (new style); open / closed
OPEN_NUCLEI = {
    "a": 0, "e": 0, "ê": 0, "i": 0, "o": 0, "ô": 0, "ơ": 0, "u": 0, "ư": 0, "y": 0,
    "ai": 0, "ao": 0, "au": 0, "ay": 0, "âu": 0, "ây": 0, "eo": 0, "êu": 0, "ia": 0,
    "iu": 0, "oi": 0, "ôi": 0, "ơi": 0, "ua": 0, "ui": 0, "ưa": 0, "ưi": 0, "ưu": 0,
    "oa": 1, "oe": 1, "uy": 1, "uê": 1, "uơ": 1, "iêu": 1, "yêu": 1, "oai": 1, "oay": 1,
    "uây": 1, "uôi": 1, "ươi": 1, "ươu": 1, "uya": 1, "oeo": 1,
}
CLOSED_NUCLEI = {
    "a": 0, "ă": 0, "â": 0, "e": 0, "ê": 0, "i": 0, "o": 0, "ô": 0, "ơ": 0, "u": 0, "ư": 0,
    "iê": 1, "yê": 1, "oa": 1, "oă": 1, "oe": 1, "uâ": 1, "uê": 1, "uô": 1, "ươ": 1, "uy": 1,
    "uyê": 2,
}
CODAS = ["c", "ch", "m", "n", "ng", "nh", "p", "t"]
MINORITY = ["Krông", "Kđăm", "Hmông", "Niê", "Mdrăk", "Đắk", "Lắk", "Ksor", "Rơ", "Kpă"]


GLIDES = {"oa", "oă", "oe", "oai", "oay", "oeo", "uy", "uê", "uâ", "uơ", "uya", "uyê", "uây"}


def spelling_ok(onset: str, nucleus: str, coda: str) -> bool:
    """Vietnamese spelling rules: k gh ngh before e ê i (y), c g ng elsewhere, qu for /kw/ ..."""
    first = nucleus[0]
    front = first in "eêi" or nucleus.startswith("y")
    glide = nucleus in GLIDES
    if onset in ("gh", "ngh", "k") and not (first in "eêi" or (onset == "k" and first == "y")):
        return False
    if onset in ("c", "g", "ng") and front:
        return False
    if onset in ("c", "k") and glide:
        return False
    if onset == "qu" and first in "uoư":
        return False
    if onset == "gi" and first in "iy":
        return False
    if nucleus.startswith("yê") and onset not in ("", "qu"):
        return False
    if nucleus.startswith("iê") and onset == "":
        return False
    return not (coda in ("ch", "nh") and nucleus[-1] not in "aêiy")


@st.composite
def syllables(draw: st.DrawFn, latin1_only: bool = False) -> str:
    if draw(st.integers(0, 15)) == 0:
        return draw(st.sampled_from(MINORITY))
    coda = draw(st.sampled_from([""] + CODAS))
    nuclei = CLOSED_NUCLEI if coda else OPEN_NUCLEI
    nucleus = draw(st.sampled_from(sorted(nuclei)))
    onset = draw(st.sampled_from(ONSETS))
    assume(spelling_ok(onset, nucleus, coda))
    position = nuclei[nucleus]
    if not coda and nucleus in ("oa", "oe", "uy") and draw(st.booleans()):
        position = 0  # old-style placement: hóa, thúy
    tone = draw(st.sampled_from(STOP_TONES if coda in ("c", "ch", "p", "t") else TONES))
    letters = list(nucleus)
    letters[position] = nfc(letters[position] + tone)
    word = onset + "".join(letters) + coda
    if latin1_only:
        assume(all(ord(c) <= 0xFF for c in word))
    return word


def style(word: str, how: str) -> str:
    return {"lower": word, "title": word[:1].upper() + word[1:], "upper": word.upper()}[how]


def tcvn3_can_write(word: str) -> bool:
    try:
        from_unicode(word, "tcvn3")
    except ValueError:
        return False
    return True


@st.composite
def vietnamese_texts(
    draw: st.DrawFn, encoding: str | None = None, latin1_only: bool = False, max_words: int = 6
) -> str:
    words = []
    for _ in range(draw(st.integers(1, max_words))):
        word = draw(syllables(latin1_only))
        how = draw(st.sampled_from(["lower", "title", "upper"]))
        styled = style(word, how)
        if encoding == "tcvn3" and not tcvn3_can_write(styled):
            styled = word if tcvn3_can_write(word) else word.lower()
        words.append(styled)
        if draw(st.integers(0, 9)) == 0:
            words.append(draw(st.sampled_from(["7", "H'", "(2)", "-", "Ksor", "Y"])))
    separators = draw(st.lists(st.sampled_from([" ", " ", ", "]), min_size=len(words)))
    return "".join(w + s for w, s in zip(words, separators, strict=False)).strip(" ,")


def telling_word(word: str) -> bool:
    """A legacy word no Unicode or Western European word looks like (independent oracle). A
    lone symbol is not: "¶" is TCVN3's "ả" but also a pilcrow, and detect() reads a lone
    symbol as punctuation (hypothesis found "ả" alone)."""
    if len(word) == 1 and not word.isalpha():
        return False
    non_ascii = [c for c in word if not c.isascii()]
    if len(non_ascii) >= 2 or any(not c.isalpha() for c in non_ascii):
        return True
    return any(
        not c.isascii() and c.isupper() and word[i - 1].islower() for i, c in enumerate(word) if i
    )


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_round_trip_of_the_tables(encoding: str) -> None:
    @given(vietnamese_texts(encoding))
    @settings(max_examples=300, deadline=None)
    def check(text: str) -> None:
        assert to_unicode(from_unicode(text, encoding), encoding) == nfc(text)

    check()


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_fix_round_trip(encoding: str) -> None:
    """fix(from_unicode(x)) gives x back, or leaves a genuinely ambiguous text alone; it
    never converts with the wrong encoding, and converts whenever a word is telling."""

    @given(vietnamese_texts(encoding))
    @settings(max_examples=600, deadline=None)
    @example("Nguyễn Văn Đức")
    @example("Đức")
    @example("thị")
    @example("ả")
    def check(text: str) -> None:
        legacy = from_unicode(text, encoding)
        result = fix(legacy)
        if text.isascii():
            assert result == (text, None)
            return
        assert result in ((nfc(text), encoding), (legacy, None))
        words = legacy.replace(",", " ").split()
        if any(telling_word(w) for w in words):
            assert result == (nfc(text), encoding)

    check()


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_detection_rate_on_names(encoding: str) -> None:
    """Most three-syllable texts (a typical name) are detected, not just telling ones."""
    rng = random.Random(20240607)
    detected = total = 0
    for _ in range(1500):
        text = _sample(rng, encoding)
        if text.isascii() or len(text.split()) < 3:
            continue
        total += 1
        detected += fix(from_unicode(text, encoding)) == (nfc(text), encoding)
    assert total > 500
    assert detected / total > 0.95, (detected, total)


def _sample(rng: random.Random, encoding: str) -> str:
    """A random three-syllable text with the same grammar, without hypothesis."""
    words = []
    while len(words) < 3:
        coda = rng.choice([""] + CODAS)
        nuclei = CLOSED_NUCLEI if coda else OPEN_NUCLEI
        nucleus = rng.choice(sorted(nuclei))
        onset = rng.choice(ONSETS)
        if not spelling_ok(onset, nucleus, coda):
            continue
        tone = rng.choice(STOP_TONES if coda in ("c", "ch", "p", "t") else TONES)
        letters = list(nucleus)
        letters[nuclei[nucleus]] = nfc(letters[nuclei[nucleus]] + tone)
        word = style(onset + "".join(letters) + coda, rng.choice(["lower", "title", "upper"]))
        if encoding == "tcvn3" and not tcvn3_can_write(word):
            word = word.lower()
        words.append(word)
    return " ".join(words)


@given(vietnamese_texts())
@settings(max_examples=400, deadline=None)
def test_unicode_vietnamese_is_never_changed(text: str) -> None:
    assert detect(text) is None
    assert detect(nfd(text)) is None
    assert fix(text) == (nfc(text), None)
    assert fix(nfd(text)) == (nfc(text), None)


@given(vietnamese_texts(latin1_only=True))
@settings(max_examples=400, deadline=None)
@example("Hoà Bình")
@example("Tâm Lê")
@example("cô Tú")
def test_unicode_vietnamese_within_latin1_is_never_changed(text: str) -> None:
    """Words like "cô" or "Tâm" need no character beyond Latin-1, yet they would read as
    TCVN3 ("cụ", "Tõm") or VNI: they must still be left alone."""
    assert detect(text) is None
    assert fix(text) == (text, None)


@given(st.text(st.characters(max_codepoint=0x7F)))
@settings(max_examples=200, deadline=None)
def test_ascii_is_never_changed(text: str) -> None:
    assert fix(text) == (text, None)


# --- names of the Central Highlands (issue 13, point 8) ------------------------------------

# Jrai, Bahnar and Ê Đê names as Gia Lai's books write them in Vietnamese letters. Ƀ has no
# code in TCVN3 or VNI, so a legacy-font book writes B (A Blan, Y Blan) and it stays B.
HIGHLAND = [
    "Rơ Chăm H'Bia", "Ksor Y Blim", "Siu Thu", "Rơ Mah Hlưi", "Kpă Hơ Nhí", "Nay H'Mai", "Siu H'Hen",
    "Rơ Lan H'Phương", "Ksor Nhung", "Puih Thơ", "Rah Lan Chung", "Hơ Ră", "Đinh Văn Hyang",
    "Đinh Thị Hlach", "Đinh Hmưu", "A Thút", "Y Hiên", "Kpuih Dơng", "Rchăm Ơi", "Mlô Y Ngông",
    "Êban H'Rin", "Adrơng Byă", "Ksơr Pơ Lang", "Y Ngông Niê Kdăm", "Kơ Pa Hđơk", "A Blan", "Y Blan",
    "Bơh Y Sun", "H'Ben Niê", "Đinh Thị Ánh", "Rơ Chăm Ớt", "Ksor H'Ớt", "Nay Ơn", "Siu Ưk", "Kpă Wưn",
    "Nay Hyơk", "Đinh Hnuk", "Rơmah Dêl", "Kơsơ Ama Blưi", "Puih H'Yơn", "Rơ Ô Ích", "Siu Ánh",
    "Nay H’Liên", "Rơ Mah H’Ớn",
]  # fmt: skip
HIGHLAND_PLACES = ["Ia Grai", "Ia Pếch", "Kông Chro", "Đak Đoa", "Chư Păh", "Krông Pa", "Đăk Pơ", "Ia Krêl", "Plei Ku"]


def legacy_form(text: str, encoding: str) -> str:
    """`text` as a legacy font stores it: TCVN3 in .VnTime writes a capital with a tone mark
    with the lower-case code."""
    return from_unicode(text, encoding, errors="lower") if encoding == "tcvn3" else from_unicode(text, encoding)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_round_trip_of_jrai_and_bahnar_names(encoding: str) -> None:
    legacy = [legacy_form(name, encoding) for name in HIGHLAND + HIGHLAND_PLACES]
    assert detect("\n".join(legacy)) == encoding
    for name, cell in zip(HIGHLAND, legacy, strict=False):
        assert to_unicode_cased(cell, encoding, names=True) == name
        assert fix(cell) in ((cell, None), (to_unicode(cell, encoding), encoding))  # alone: right, or left alone


@pytest.mark.parametrize(
    ("cell", "uni", "encoding"),
    [
        # Highland shapes that used to leave the whole cell alone.
        ("H¬ R¨", "Hơ Ră", "tcvn3"),  # an open ă
        ("Ch\u00ad P¨h", "Chư Păh", "tcvn3"),  # a final h
        ("Ks¬r P¬ Lang", "Ksơr Pơ Lang", "tcvn3"),  # Ks, a final r
        ("£ban", "Êban", "tcvn3"),  # two syllables in one word
        ("R¬ Ch©m Y¨", "Rơ Châm Yă", "tcvn3"),  # y before a vowel is a consonant
        ("Nay Hy¬k", "Nay Hyơk", "tcvn3"),
        ("Kpaê Hô Nhí", "Kpă Hơ Nhí", "vni"),
        ("Ñinh Vaên Hyang", "Đinh Văn Hyang", "vni"),  # VNI Ñ starting a word is Đ, not Spanish
        ("Ñinh Thò Hlach", "Đinh Thị Hlach", "vni"),
        ("Kroâng Pa", "Krông Pa", "vni"),  # TCVN3 would read "Kroõng": two rare shapes, not one
        ("Mloâ Y Ngoâng", "Mlô Y Ngông", "vni"),
        ("Chö Paêh", "Chư Păh", "vni"),
    ],
)
def test_highland_cells_detected_alone(cell: str, uni: str, encoding: str) -> None:
    assert fix(cell) == (uni, encoding)


@pytest.mark.parametrize(
    "column",
    [
        ["Ksor Y Blim", "Siu H'Mai", "Nay Ia", "A Blan", "Y Sun", "Rah Lan", "Kpa", "H’Hen Nie"],
        ["Ia", "Pa", "A", "Y", "Plei", "Ksor", "Siu", "Nay"],
    ],
)
def test_short_ascii_names_are_never_converted(column: list[str]) -> None:
    assert detect("\n".join(column)) is None
    for cell in column:
        assert fix(cell) == (cell, None)
        assert not legacy_symbols(cell)


def test_unicode_highland_names_are_never_changed() -> None:
    for name in HIGHLAND + HIGHLAND_PLACES + ["Ksor Ƀlan", "A Ƀlan", "Y Ƀơh", "H’Ben Niê"]:
        assert fix(name) == (name, None)
        assert not could_be_legacy(name) or detect(name) is None


@pytest.mark.parametrize(
    ("cell", "names", "capitals", "expected"),
    [
        ("NGUYÔN V¡N §øC", False, (), "NGUYỄN VĂN ĐỨC"),  # .VnTimeH all capitals, typed with capitals
        ("§øC", False, (), "ĐỨC"),
        ("§inh ThÞ ¸nh", True, (), "Đinh Thị Ánh"),  # names are title case
        ("Ksor H'ít", True, (), "Ksor H'Ớt"),  # after an apostrophe too
        ("r¬ ch¨m h'bia", True, (), "Rơ Chăm H'Bia"),  # typed in lower case for .VnTimeH
        ("§inh ThÞ ¸nh", False, (), "Đinh Thị ánh"),  # not a name: the case stays unknown
        ("Th«n ¸nh S¸ng", False, {"ánh"}, "Thôn Ánh Sáng"),  # the file shows "Ánh" elsewhere
        ("Êp B¾c", False, (), "Ấp Bắc"),  # the first letter of a cell
        ("Chi bé ¸p 2", False, (), "Chi bộ áp 2"),
    ],
)
def test_tcvn3_capitals_restored(cell: str, names: bool, capitals: set[str], expected: str) -> None:
    assert to_unicode_cased(cell, "tcvn3", names=names, capitals=capitals) == expected


def test_vni_keeps_its_case() -> None:
    assert to_unicode_cased("Ñinh Thò AÙnh", "vni", names=True) == "Đinh Thị Ánh"
    assert to_unicode_cased("ñinh thò aùnh", "vni", names=True) == "đinh thị ánh"


def test_unconverted_characters_are_listed() -> None:
    assert unconverted("Ng°yÔn ¿ “Ƀlan”", "tcvn3") == "°¿"  # beyond Latin-1 is not legacy
    assert unconverted("NguyÔn", "tcvn3") == ""
    assert unconverted("Nguyeãn â Ƀlan ª", "vni") == "âª"  # a stray mark; a byte VNI does not use
    assert legacy_symbols("Adr¬ng Ksor «") == "¬«"
    assert legacy_symbols("Nguyễn Văn Đức, café, Müller") == ""


@st.composite
def highland_names(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(sorted({w for n in HIGHLAND for w in n.split()})), min_size=1, max_size=4))
    return " ".join(words)


@given(highland_names())
@settings(max_examples=300, deadline=None)
def test_tcvn3_names_come_back_in_title_case(name: str) -> None:
    """Any title-case name stored by .VnTime (capitals with a tone mark in lower case) comes
    back exactly; and the cell alone is converted right or left alone, never misread."""
    cell = legacy_form(name, "tcvn3")
    assert to_unicode_cased(cell, "tcvn3", names=True) == name
    converted, encoding = fix(cell)
    assert encoding in (None, "tcvn3")


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_highland_columns_are_detected(encoding: str) -> None:
    @given(st.lists(highland_names(), min_size=6, max_size=12))
    @settings(max_examples=200, deadline=None)
    def check(column: list[str]) -> None:
        cells = [legacy_form(name, encoding) for name in column]
        found = detect("\n".join(cells))
        assert found in (encoding, None)
        if found:
            assert [to_unicode_cased(c, found, names=True) for c in cells] == column

    check()
