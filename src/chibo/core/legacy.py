"""Legacy Vietnamese font encodings in imported spreadsheets: detect them and convert to Unicode.

Before Unicode, Vietnamese text was typed with 8-bit fonts whose byte codes draw Vietnamese
letters. Excel stores such a cell as the Windows-1252/Latin-1 characters of those bytes, so the
text reads as gibberish once the legacy font is gone. Two encodings cover nearly all old files:

``tcvn3``
    TCVN 5712:1993 VN3, the "ABC" fonts (.VnTime, .VnArial, ...). One byte per letter: the 67
    lower-case Vietnamese letters not in ASCII plus upper-case Ă Â Ê Ô Ơ Ư Đ (A1-A7).
    "Nguyễn Văn Đức" is stored as ``"NguyÔn V¨n §øc"``; note ư is 0xAD, the soft hyphen.
    TCVN3 has **no upper-case letters with a tone mark**: files either use the all-capitals
    fonts (.VnTimeH, ...), whose glyphs for the *lower-case* codes are capitals, or simply show
    a lower-case letter. The case cannot be recovered from the text, so this module implements
    the standard mixed-case .VnTime mapping only: ``to_unicode`` always returns the lower-case
    letter for those codes ("§Æng ThÞ ¸nh" -> "Đặng Thị ánh"). For a cell known to be in a
    capitals font (.VnTimeH), upper-case the result yourself.

    ``to_unicode_cased`` restores the capitals that the rest of the cell or the file shows
    (see there).

``vni``
    VNI for Windows (VNI-Times, ...). A letter is a base letter followed by one mark byte:
    ``aâ`` = â, ``aê`` = ă, ``aù`` = á, ``aá`` = ấ, ``aé`` = ắ ...; ơ ư đ are the single bytes
    ``ô ö ñ``, the toned i's are single bytes (``í ì æ ó ò``) and so is ỵ (``î``). Upper case
    uses the upper-case bytes (``AÙ``). "Nguyễn Văn Đức" is stored as ``"Nguyeãn Vaên Ñöùc"``.

Neither encoding uses the bytes 0x80-0x9F, so Windows-1252 and Latin-1 readings agree.

Detection (``detect``) is deliberately conservative. It returns None unless

* the text has no Unicode-only Vietnamese letter (ơ, ạ, ...), no combining mark and no letter
  beyond Latin-1 (so NFC and NFD Unicode Vietnamese are never touched);
* every word with a non-ASCII character converts cleanly (no stray VNI mark, no byte the
  encoding leaves unassigned) into a valid Vietnamese syllable: onset + vowel nucleus + coda
  + at most one tone mark, on the right vowel, sắc/nặng only before a stop c ch p t
  (with the shapes of Jrai, Bahnar and Ê Đê names written in Vietnamese letters: onsets such
  as Kr, Kđ, Hm, Mdr, Kp, Ks, y before a vowel as a consonant (Byă, Hyơk), finals k h l r s,
  an open iê or ă: Krông, Kđăm, Hmông, Đăk Lăk, Niê, Kpă, Ră, Bơh, Ksơr, Dêl; and two
  syllables written as one capitalised word: Êban, Adrơng, Rơmah).
  One word in five may fail when there are five or more such words;
* and at least one converted word is *implausible as it stands*: neither a valid Unicode
  Vietnamese syllable (the text may simply be Unicode Vietnamese that needs no character
  beyond Latin-1, like "Bình" or "cô") nor a plausible Western European word (one
  accented letter, in a position European spelling allows: "café", "tôt", "Müller", "où";
  a grave à ì ò ù only at the end, ã õ before a vowel, ç before a o u, ñ between vowels).
  Words with two or more non-ASCII characters ("Ñöùc", "Döông"), TCVN3 symbol bytes
  ("V¨n", "Lª"), a capital inside a lower-case word ("NguyÔn"), a diacritic on a vowel in a
  place no European language puts it ("Traàn", "Vaên", "Phaïm", "Hïng") or the Vietnamese
  onsets ng/nh ("Ngäc") all count.

When both encodings pass, the one with the larger share of clean words wins, then the one
with fewer oddly typed VNI letters (a mark whose case differs from its base letter's, which
VNI keyboards do not produce), then the one whose words need fewer of the highland shapes
(VNI "Kroâng" is Krông, one; read as TCVN3 it would be "Kroõng", two); a tie gives None. TCVN3 "cuî" (cuợ) vs VNI "cuî" (cuỵ) would
be such a tie, had c not been ruled out before a glide u (the spelling is qu).

Known ambiguities, resolved towards None (leave the text alone):

* A legacy word that is itself a valid Unicode Vietnamese syllable: VNI "Thò" is Thị but also
  the word thò; VNI "Hoà" is Hồ but also old-style Hoà; TCVN3 "cô" is cụ, "mét" is một.
* A legacy word that looks like a Western word: TCVN3 "tôt" is tụt but also French tôt;
  likewise VNI "coù" (có) and TCVN3 "Hå" (Hồ). (TCVN3 "Ngäc" and "Hïng" are telling: no
  Western word starts with ng, nor puts ï after a consonant.)
A cell made only of such words (for instance VNI "Hoà Thò Lan" for Hồ Thị Lan) is not
detected. Many Jrai and Bahnar names are such cells in VNI, where ơ is written ô: "Kô Pa",
"Rô Mah Hlöi", "Bôh" read as Unicode or German as they stand; and so are the many names
that are plain ASCII (Ksor, Siu, Nay, H'Mai, Ia, Y Blan: Ƀ has no legacy code, so "B"). Cells of one column usually share one font: to decide for a whole column, call
``detect("\\n".join(cells))`` once and convert each cell with ``to_unicode``.

Real Western words that still convert to a valid syllable and carry a diacritic Europe rarely
puts after a vowel are read as VNI: French "Loïc" -> "Lọc", "Caïn" -> "Cạn", Spanish "aún".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Container
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

__all__ = [
    "ENCODINGS",
    "Encoding",
    "could_be_legacy",
    "detect",
    "fix",
    "from_unicode",
    "legacy_symbols",
    "to_unicode",
    "to_unicode_cased",
    "unconverted",
]

Encoding = Literal["tcvn3", "vni"]
ENCODINGS: Final[tuple[Encoding, ...]] = ("tcvn3", "vni")

_ALIASES: Final[dict[str, Encoding]] = {
    "tcvn3": "tcvn3",
    "tcvn": "tcvn3",
    "tcvn5712": "tcvn3",
    "vn3": "tcvn3",
    "abc": "tcvn3",
    "vni": "vni",
    "vni-windows": "vni",
}

# Tone order of every table below: none, huyền (grave), hỏi (hook), ngã (tilde), sắc (acute),
# nặng (dot below).
_TONE_MARKS: Final = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_TONE_OF: Final = {mark: index for index, mark in enumerate(_TONE_MARKS) if mark}
_MODIFIED: Final = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
_VOWELS: Final = frozenset("aăâeêioôơuưy")


def _with_tone(letter: str, tone: int) -> str:
    return unicodedata.normalize("NFC", letter + _TONE_MARKS[tone])


# --- TCVN3 (TCVN 5712:1993 VN3) ------------------------------------------------------------

# Lower-case vowel -> its six codes in tone order.
_TCVN3_ROWS: Final = {
    "a": "aµ¶·¸¹",
    "ă": "¨»¼½¾Æ",
    "â": "©ÇÈÉÊË",
    "e": "eÌÎÏÐÑ",
    "ê": "ªÒÓÔÕÖ",
    "i": "i×ØÜÝÞ",
    "o": "oßáâãä",
    "ô": "«åæçèé",
    "ơ": "¬êëìíî",
    "u": "uïñòóô",
    "ư": "\u00adõö÷øù",
    "y": "yúûüýþ",
}
_TCVN3_SINGLE: Final = {
    "đ": "®",
    "Ă": "¡",
    "Â": "¢",
    "Ê": "£",
    "Ô": "¤",
    "Ơ": "¥",
    "Ư": "¦",
    "Đ": "§",
}


def _build_tcvn3() -> tuple[dict[str, str], dict[str, str]]:
    encode: dict[str, str] = dict(_TCVN3_SINGLE)
    for vowel, codes in _TCVN3_ROWS.items():
        for tone, code in enumerate(codes):
            encode[_with_tone(vowel, tone)] = code
    decode = {code: letter for letter, code in encode.items() if not code.isascii()}
    encode = {letter: code for letter, code in encode.items() if not letter.isascii()}
    return encode, decode


_TCVN3_ENCODE, _TCVN3_DECODE = _build_tcvn3()
# Codes that stand for themselves; every other non-ASCII Latin-1 character is unassigned.
_TCVN3_SAME: Final = frozenset("\u00a0ý")

# --- VNI for Windows ---------------------------------------------------------------------

_VNI_TONE: Final = ("", "ø", "û", "õ", "ù", "ï")  # after a e o u y, ơ (ô) and ư (ö)
_VNI_CIRCUMFLEX: Final = ("â", "à", "å", "ã", "á", "ä")  # after a e o: â ê ô
_VNI_BREVE: Final = ("ê", "è", "ú", "ü", "é", "ë")  # after a: ă
_VNI_I: Final = ("i", "ì", "æ", "ó", "í", "ò")  # the toned i's are single bytes
_VNI_Y_DOT: Final = "î"  # ỵ is a single byte too
_VNI_HORN: Final = {"ơ": "ô", "ư": "ö"}
_VNI_D: Final = "ñ"


def _build_vni() -> tuple[dict[str, str], dict[str, str]]:
    lower: dict[str, str] = {"đ": _VNI_D}
    for tone in range(6):
        for base in "aeouy":
            lower[_with_tone(base, tone)] = base + _VNI_TONE[tone]
        for base in "aeo":
            lower[_with_tone(base + "\u0302", tone)] = base + _VNI_CIRCUMFLEX[tone]
        lower[_with_tone("a\u0306", tone)] = "a" + _VNI_BREVE[tone]
        for letter, byte in _VNI_HORN.items():
            lower[_with_tone(letter, tone)] = byte + _VNI_TONE[tone]
        lower[_with_tone("i", tone)] = _VNI_I[tone]
    lower[_with_tone("y", 5)] = _VNI_Y_DOT
    encode: dict[str, str] = {}
    for letter, code in lower.items():
        encode[letter] = code
        encode[letter.upper()] = code.upper()  # the mark's case follows the base letter
    decode: dict[str, str] = {}
    for letter, code in encode.items():
        if len(code) == 2:  # typists mix the case of base and mark: the base decides
            base, mark = code[0], code[1]
            for m in {mark.lower(), mark.upper()}:
                decode[base + m] = letter
        elif not code.isascii():
            decode[code] = letter
    for y, letter in (("y", "ỵ"), ("Y", "Ỵ")):  # also read y + the usual dot-below mark
        decode[y + "ï"] = letter
        decode[y + "Ï"] = letter
    encode = {letter: code for letter, code in encode.items() if not letter.isascii()}
    return encode, decode


_VNI_ENCODE, _VNI_DECODE = _build_vni()


# --- public conversion -------------------------------------------------------------------


def _canonical(encoding: str) -> Encoding:
    try:
        return _ALIASES[encoding.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown legacy encoding {encoding!r}; use 'tcvn3' or 'vni'") from None


def _decode(text: str, encoding: Encoding, unexplained: list[str] | None = None) -> tuple[str, int, int]:
    """(converted text, number of non-ASCII characters the encoding could not explain,
    number of VNI letters typed oddly: mark and base letter of different case, or y + ï).
    The characters not explained are appended to `unexplained`, if given."""
    out: list[str] = []
    bad = odd = 0
    if encoding == "tcvn3":
        for ch in text:
            if ch.isascii() or ch in _TCVN3_SAME:
                out.append(ch)
            elif ch in _TCVN3_DECODE:
                out.append(_TCVN3_DECODE[ch])
            else:
                out.append(ch)
                bad += 1
                if unexplained is not None:
                    unexplained.append(ch)
        return "".join(out), bad, 0
    i, n = 0, len(text)
    while i < n:
        pair = text[i : i + 2]
        if len(pair) == 2 and pair in _VNI_DECODE:
            out.append(_VNI_DECODE[pair])
            odd += pair[0].isupper() != pair[1].isupper() or pair[1] in "ïÏ" and pair[0] in "yY"
            i += 2
            continue
        ch = text[i]
        if ch in _VNI_DECODE:
            out.append(_VNI_DECODE[ch])
        else:
            out.append(ch)
            if not ch.isascii() and ch != "\u00a0":
                bad += 1  # a stray mark, or a Latin-1 character VNI does not use
                if unexplained is not None:
                    unexplained.append(ch)
        i += 1
    return "".join(out), bad, odd


def to_unicode(text: str, encoding: str) -> str:
    """Convert legacy-encoded `text` (TCVN3 or VNI, as Latin-1 characters) to NFC Unicode.

    Characters the encoding does not assign are kept as they are. TCVN3 letters with a tone
    mark always come out in lower case (see the module notes on .VnTimeH).
    """
    converted, _, _ = _decode(unicodedata.normalize("NFC", text), _canonical(encoding))
    return unicodedata.normalize("NFC", converted)


# TCVN3 codes of letters with no capital code (the toned vowels): .VnTime shows them in lower
# case, .VnTimeH in capitals, so their case is not in the text.
_TCVN3_CASELESS: Final = frozenset(
    code for code, letter in _TCVN3_DECODE.items() if letter.upper() != letter and letter.upper() not in _TCVN3_ENCODE
)


def to_unicode_cased(text: str, encoding: str, *, names: bool = False, capitals: Container[str] = ()) -> str:
    """`to_unicode`, restoring the capitals TCVN3 cannot write (VNI keeps case: no change).

    A toned vowel in TCVN3 has one code for both cases, so "Ánh" comes out "ánh". Restored:

    * every such letter of a cell whose other letters, after the first of each word, are
      capitals ("NGUYÔN V¡N §øC" -> "NGUYỄN VĂN ĐỨC", "§øC" -> "ĐỨC");
    * with ``names`` (a column of people's names, which Vietnamese and the highland peoples
      write in title case): the first letter of every word, after an apostrophe too
      ("§inh ThÞ ¸nh" -> "Đinh Thị Ánh", "H'ít" -> "H'Ớt", and a cell typed all in lower case
      for the .VnTimeH capitals font, "r¬ ch¨m" -> "Rơ Chăm");
    * otherwise the first letter of the cell ("Êp B¾c" -> "Ấp Bắc"), and of a word that
      `capitals` (lower-case words) lists as written with a capital elsewhere in the file
      ("Th«n ¸nh S¸ng" with "ánh" listed -> "Thôn Ánh Sáng").

    Letters whose case TCVN3 does write are left as typed.
    """
    enc = _canonical(encoding)
    value = unicodedata.normalize("NFC", text)
    if enc != "tcvn3":
        return to_unicode(value, enc)
    out: list[str] = []
    caseless: list[bool] = []
    for ch in value:
        out.append(_TCVN3_DECODE.get(ch, ch))
        caseless.append(ch in _TCVN3_CASELESS)
    starts = [ch.isalpha() and (i == 0 or not out[i - 1].isalpha()) for i, ch in enumerate(out)]
    known = [ch for i, ch in enumerate(out) if ch.isalpha() and not caseless[i] and not starts[i]]
    all_caps = bool(known) and all(ch.isupper() for ch in known)
    first = next((i for i, start in enumerate(starts) if start), -1)
    for i, ch in enumerate(out):
        if all_caps and caseless[i]:
            out[i] = ch.upper()
        elif starts[i] and ch.islower():
            if names:
                out[i] = ch.upper()
            elif caseless[i]:
                end = i
                while end < len(out) and out[end].isalpha():
                    end += 1
                if i == first or "".join(out[i:end]).lower() in capitals:
                    out[i] = ch.upper()
    return unicodedata.normalize("NFC", "".join(out))


def unconverted(text: str, encoding: str) -> str:
    """The characters of legacy `text` that `encoding` leaves as they are although they are
    not ASCII: TCVN3 codes no letter uses (``°`` ``¿`` ``À`` ...), a VNI mark after no vowel.
    Each once, in order. Characters beyond Latin-1 (“ ” Ƀ ...) are not counted."""
    unexplained: list[str] = []
    _decode(unicodedata.normalize("NFC", text), _canonical(encoding), unexplained)
    return "".join(dict.fromkeys(ch for ch in unexplained if ord(ch) <= 0xFF))


def legacy_symbols(text: str) -> str:
    """The TCVN3 codes in `text` that are symbols, not letters, in Latin-1 (``¬`` is ơ, ``«``
    is ô, ``¨`` is ă, ``§`` is Đ ...): in a name that was not converted they mean legacy text
    the detection could not read. Each once, in order; "" for Unicode and Western text."""
    found: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in _TCVN3_SYMBOLS and ch not in found:
            found.append(ch)
    return "".join(found)


def from_unicode(text: str, encoding: str, *, errors: Literal["strict", "lower"] = "strict") -> str:
    """Encode Unicode Vietnamese `text` as the Latin-1 characters of a legacy font.

    The inverse of `to_unicode`, for tests and for generating fixture files. ASCII, NBSP and
    characters beyond Latin-1 (“ ” – …) pass through. A Latin-1 character that is not a
    Vietnamese letter (ç, ß, ...) would be misread after encoding and raises ValueError, as do
    TCVN3's unrepresentable capitals with a tone mark (Á, Ễ, Ý ...); with ``errors="lower"``
    those capitals are written with the lower-case code, as ABC does (.VnTimeH shows them
    as capitals).
    """
    enc = _canonical(encoding)
    table = _TCVN3_ENCODE if enc == "tcvn3" else _VNI_ENCODE
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ch.isascii() or ch == "\u00a0":
            out.append(ch)
        elif ch in table:
            out.append(table[ch])
        elif enc == "tcvn3" and errors == "lower" and ch.lower() in table:
            out.append(table[ch.lower()])
        elif ord(ch) > 0xFF and not _is_vietnamese_letter(ch):
            out.append(ch)
        else:
            raise ValueError(f"{ch!r} (U+{ord(ch):04X}) cannot be written in {enc}")
    return "".join(out)


def fix(text: str) -> tuple[str, str | None]:
    """(NFC text, encoding): `text` converted if `detect` finds a legacy encoding."""
    value = unicodedata.normalize("NFC", text)
    encoding = detect(value)
    if encoding is None:
        return value, None
    return to_unicode(value, encoding), encoding


# --- Vietnamese syllables ----------------------------------------------------------------

_VIET_ONSETS: Final = frozenset(
    [
        "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng",
        "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
        "f", "j", "w", "z",  # loanwords and minority names
    ]
)  # fmt: skip
_MINORITY_FIRST: Final = frozenset("bdđhjkmpr")  # Kr(ông) Kđ(ăm) Hm(ông) Mdr(ăk) Pl(ei) Jr(ai)
_CONSONANTS: Final = frozenset("bcdđfghjklmnpqrstvwxz")
_CODAS: Final = frozenset({"", "c", "ch", "m", "n", "ng", "nh", "p", "t", "k"})  # k: Đắk Lắk
# Final consonants Vietnamese lacks but Jrai, Bahnar and Ê Đê names keep in Vietnamese letters:
# Bơh, Păh, Dêl, Ksơr, Glar, Kpuis.
_MINORITY_CODAS: Final = frozenset({"h", "l", "r", "s"})
# Nuclei that open with a glide o/u.
_GLIDE_NUCLEI: Final = frozenset(
    ["oa", "oă", "oe", "oai", "oay", "oao", "oeo", "uy", "uê", "uâ", "uơ", "uya", "uyê", "uyu", "uây"]
)  # fmt: skip
_STOPS: Final = frozenset({"c", "ch", "p", "t"})  # not k: "Đăk Lăk" is a common spelling

# nucleus -> (may end the syllable, may take a final consonant, positions the tone may take)
_NUCLEI: Final[dict[str, tuple[bool, bool, frozenset[int]]]] = {}


def _nuclei(names: str, open_ok: bool, closed_ok: bool, positions: tuple[int, ...]) -> None:
    for name in names.split():
        _NUCLEI[name] = (open_ok, closed_ok, frozenset(positions))


_nuclei("a e ê i o ô ơ u ư y", True, True, (0,))
_nuclei("ă â", False, True, (0,))
_nuclei("ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu", True, False, (0,))
_nuclei("oa oe uy", True, True, (0, 1))
_nuclei("uê", True, True, (1,))
_nuclei("uơ", True, False, (1,))
_nuclei("iê", True, True, (1,))  # open only in minority names: Niê
_nuclei("yê oă oo uâ uô ươ", False, True, (1,))
_nuclei("iêu yêu oai oay oao oeo uây uôi ươi ươu uya uyu", True, False, (1,))
_nuclei("uyê", False, True, (2,))


def _is_vietnamese_letter(ch: str) -> bool:
    return _letter(ch) is not None


@lru_cache(maxsize=512)
def _letter(ch: str) -> tuple[str, int] | None:
    """(lower-case letter without tone, tone) of a Vietnamese or ASCII letter, else None."""
    low = ch.lower()
    if low == "đ":
        return "đ", 0
    decomposed = unicodedata.normalize("NFD", low)
    base, marks = decomposed[0], decomposed[1:]
    if not ("a" <= base <= "z"):
        return None
    letter, tone = base, 0
    for mark in marks:
        if mark in _TONE_OF and not tone:
            tone = _TONE_OF[mark]
        elif letter == base and (base, mark) in _MODIFIED:
            letter = _MODIFIED[base, mark]
        else:
            return None
    if tone and letter not in _VOWELS:
        return None
    return letter, tone


def _case_ok(word: str) -> bool:
    rest = word[1:]
    return word.islower() or word.isupper() or (word[0].isupper() and (not rest or rest.islower()))


def _onset_ok(onset: str, nucleus: str) -> bool:
    first = nucleus[0]
    if onset in _VIET_ONSETS:
        if onset in ("gh", "ngh"):
            return first in "eêi"
        if onset in ("g", "ng") and first in "eê":
            return False
        if onset == "ng" and first == "i":
            return False
        if onset == "c" and first in "eêiy":
            return False
    elif not (
        2 <= len(onset) <= 3
        and onset[0] in _MINORITY_FIRST
        and all(c in _CONSONANTS and c != "q" for c in onset)
    ):
        return False
    if onset in ("c", "k") and nucleus in _GLIDE_NUCLEI:
        return False  # /kw/ is spelt qu: qua, quy, quyết
    if onset == "qu" and first in "ouư":
        return False
    if onset == "gi" and first in "iy":
        return False
    if nucleus.startswith("yê"):
        return onset in ("", "qu")
    return not (nucleus.startswith("iê") and onset == "")


def _is_syllable(word: str, check_case: bool = True) -> bool:
    """True if `word` is one Vietnamese syllable (see the module notes)."""
    return _shape(word, check_case) > 0


@lru_cache(maxsize=8192)
def _shape(word: str, check_case: bool = True) -> int:
    """0 if `word` is not one syllable; else 1 + the number of features only highland names
    (or rare loanwords) have: an onset such as Kr, Kp, Hm, By (y before a vowel: Byă, Hyơk,
    Yă), a final h l r s or k, an open ă or iê, the nucleus oo. 1 is a Vietnamese syllable."""
    if not word or (check_case and not _case_ok(word)):
        return 0
    letters: list[str] = []
    tone, position = 0, -1
    for index, ch in enumerate(word):
        parsed = _letter(ch)
        if parsed is None:
            return 0
        letter, mark = parsed
        if mark:
            if tone:
                return 0
            tone, position = mark, index
        letters.append(letter)
    s = "".join(letters)
    n = len(s)
    i = 0
    while i < n and s[i] not in _VOWELS:
        i += 1
    if i == n:
        return 0
    onset = s[:i]
    if onset == "q":
        if not (s[i] == "u" and i + 1 < n and s[i + 1] in _VOWELS):
            return 0
        onset, i = "qu", i + 1
    elif onset == "g" and s[i] == "i" and i + 1 < n and s[i + 1] in _VOWELS:
        onset, i = "gi", i + 1
    j = i
    while j < n and s[j] in _VOWELS:
        j += 1
    nucleus, coda = s[i:j], s[j:]
    glide = False
    if nucleus not in _NUCLEI and nucleus[0] == "y" and nucleus[1:] in _NUCLEI and onset not in ("qu", "gi"):
        # Jrai and Bahnar y before a vowel is a consonant: Byă, Hyơk, Yă, H'Yơn.
        glide, i, nucleus = True, i + 1, nucleus[1:]
        if not (onset in _VIET_ONSETS or _onset_ok(onset, nucleus)):
            return 0
    spec = _NUCLEI.get(nucleus)
    if spec is None or coda not in _CODAS | _MINORITY_CODAS or not (glide or _onset_ok(onset, nucleus)):
        return 0
    open_ok, closed_ok, positions = spec
    if not (closed_ok if coda else open_ok or nucleus == "ă"):  # an open ă: Kpă, Ră, Byă (Jrai)
        return 0
    if coda in ("ch", "nh") and nucleus[-1] not in "aêiy":
        return 0
    if nucleus == "oo" and coda not in ("c", "ng"):
        return 0
    if coda in _STOPS and tone not in (4, 5):
        return 0
    if tone and not (i <= position < j and position - i in positions):
        return 0
    return (
        1
        + glide
        + (onset not in _VIET_ONSETS)
        + (coda in _MINORITY_CODAS or coda == "k")
        + (nucleus == "oo")
        + (not coda and nucleus in ("ă", "iê"))
    )


@lru_cache(maxsize=8192)
def _name_shape(word: str, check_case: bool = True) -> int:
    """`_shape` of one syllable, or of two written as one word (one more feature), as Jrai, Bahnar and Ê Đê
    names often are: Êban (Ê + ban), Adrơng, Rơmah, Kơsơ. The first ends in a vowel and the
    second starts with a consonant (a split before a vowel would pass nearly anything: TCVN3
    "Chaêm" is not "Cha" + "ờm"); the word is capitalised, as a name is, and the first part is
    a lone vowel or the word has a highland feature (so VNI "naïve" is not "nạ" + "ve")."""
    shape = _shape(word, check_case)
    if shape or not word[:1].isupper() or not word[1:].islower():
        return shape
    for k in range(1, len(word) - 1):
        first, second = _letter(word[k - 1]), _letter(word[k])
        if first is None or second is None or first[0] not in _VOWELS or second[0] in _VOWELS:
            continue
        head, tail = _shape(word[:k], check_case), _shape(word[k:].lower(), False)
        if head and tail and (k == 1 or head + tail > 2):
            return head + tail
    return 0


# --- plausibility of the text as it stands -------------------------------------------------

_WESTERN_LETTERS: Final = frozenset("àáâãäåæçèéêëìíîïñòóôõöøùúûüß")  # not ý ÿ
_WESTERN_AFTER_VOWEL: Final = frozenset(
    # French, Spanish, Portuguese, Italian, Dutch: an accented vowel right after a vowel.
    # Left out on purpose, as everyday legacy Vietnamese that no common Western word needs:
    # VNI aï oï uï eï (ạ ọ ụ ẹ), aé aú aë (ắ ẳ ặ), oû eû (ỏ ẻ); TCVN3 uè ué (uố uộ), uë (uở).
    [
        "où", "aî", "oî", "oë", "ië", "eë", "ié", "oé", "ió", "iá", "uá",
        "iú", "eú", "aí", "eí", "oí", "uí", "iè", "iò", "uò", "iù", "ià",
    ]
)  # fmt: skip
_PLAIN_VOWELS: Final = frozenset("aeiouy")


def _is_western(word: str) -> bool:
    """Plausible as a Western European word: one accented letter where Europe puts one."""
    if not _case_ok(word) or not all(c.isalpha() for c in word):
        return False
    accented = [i for i, c in enumerate(word) if not c.isascii()]
    if len(accented) != 1:
        return False
    k = accented[0]
    lower = word.lower()
    c = lower[k]
    prev = lower[k - 1] if k else ""
    after = lower[k + 1 :]
    if c not in _WESTERN_LETTERS or lower.startswith(("ng", "nh")):
        return False
    if c in "àìòù" and after not in ("", "s"):  # città, però, più, où, à, às
        return False
    if c in "ãõ" and after not in ("", "s") and after[0] not in "aeo":  # São, mãe, põe, irmã
        return False
    if c == "ç" and after[:1] not in ("", "a", "o", "u"):  # garçon, façade, reçu
        return False
    if c == "ñ" and (not k or after[:1] not in _PLAIN_VOWELS):  # año, señor; VNI Ñ is Đ: Ñinh
        return False
    if prev in _PLAIN_VOWELS:
        return prev + c in _WESTERN_AFTER_VOWEL or c == "ß"  # Noël, Straße
    return c not in "ëïß"


# --- detection ----------------------------------------------------------------------------

_TCVN3_SYMBOLS: Final = frozenset(
    c for c in _TCVN3_DECODE if not c.isalpha()
)  # ¡ ¢ £ ¤ ¥ ¦ § ¨ © « ¬ soft hyphen ® µ ¶ · ¸ ¹ » ¼ ½ ¾ × ÷ (µ and ª are letters)


def _is_unicode_only(ch: str) -> bool:
    """A character that legacy-encoded text cannot contain: a combining mark or a letter
    beyond Latin-1 (ơ, ạ, ă, ...)."""
    return unicodedata.combining(ch) != 0 or (ord(ch) > 0xFF and ch.isalpha())


def _words(text: str) -> list[str]:
    words: list[str] = []
    current: list[str] = []
    for ch in text:
        if ch.isalpha() or ch in _TCVN3_SYMBOLS:
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


@dataclass
class _Score:
    marked: int = 0  # words with a non-ASCII character
    clean: int = 0  # ... that convert to a valid syllable
    odd: int = 0  # ... with VNI letters typed oddly (mark and base of different case)
    telling: int = 0  # ... and are implausible as they stand
    rare: int = 0  # features of highland names (Kpă, Ksơr, Êban, oo) in the clean words

    @property
    def passes(self) -> bool:
        return self.telling > 0 and self.clean * 5 >= self.marked * 4


@lru_cache(maxsize=8192)
def _judge(word: str, encoding: Encoding) -> tuple[bool, bool, bool, int]:
    """(converts to a valid syllable, has oddly typed VNI letters, implausible as it stands,
    how many features of highland names, rare in Vietnamese, it has)."""
    converted, bad, odd = _decode(word, encoding)
    # TCVN3 capitals fonts make case unreliable; VNI keeps the case of the base letters.
    shape = _name_shape(converted, encoding == "vni") if bad == 0 else 0
    clean = shape > 0
    telling = clean and not (_is_syllable(word) or _is_western(word))
    return clean, clean and odd > 0, telling, max(shape - 1, 0)


def _score(words: list[str], encoding: Encoding) -> _Score:
    score = _Score()
    for word in words:
        if word.isascii() or (len(word) == 1 and not word.isalpha()):
            continue  # ASCII, or a lone symbol such as « or ¸ used as punctuation
        clean, odd, telling, rare = _judge(word, encoding)
        score.marked += 1
        score.clean += clean
        score.odd += odd
        score.telling += telling
        score.rare += rare
    return score


def detect(text: str) -> Encoding | None:
    """Return "tcvn3" or "vni" if `text` is Vietnamese typed in that legacy font, else None.

    None for ASCII, for Unicode Vietnamese (NFC or NFD), for Western European text and for
    anything ambiguous; see the module notes.
    """
    if text.isascii() or any(_is_unicode_only(ch) for ch in text):
        return None
    words = _words(text)
    scores = {encoding: _score(words, encoding) for encoding in ENCODINGS}
    passing = [encoding for encoding in ENCODINGS if scores[encoding].passes]
    if len(passing) == 1:
        return passing[0]
    if not passing:
        return None

    def rank(encoding: Encoding) -> tuple[float, int, int]:
        score = scores[encoding]
        return score.clean / score.marked, -score.odd, -score.rare

    first, second = sorted(passing, key=rank, reverse=True)
    return first if rank(first) != rank(second) else None


def could_be_legacy(text: str) -> bool:
    """True when the text has non-ASCII characters and none that only Unicode has: it may be
    legacy-encoded, and converting it cannot damage proper Unicode Vietnamese."""
    return not text.isascii() and not any(_is_unicode_only(ch) for ch in text)
