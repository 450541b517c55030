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
  (with a few minority-language shapes: onsets such as Kr, Kđ, Hm, Mdr, coda k, open iê
  and ă after such an onset: Krông, Kđăm, Hmông, Đăk Lăk, Niê, Kpă).
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
VNI keyboards do not produce); a tie gives None. TCVN3 "cuî" (cuợ) vs VNI "cuî" (cuỵ) would
be such a tie, had c not been ruled out before a glide u (the spelling is qu).

Known ambiguities, resolved towards None (leave the text alone):

* A legacy word that is itself a valid Unicode Vietnamese syllable: VNI "Thò" is Thị but also
  the word thò; VNI "Hoà" is Hồ but also old-style Hoà; TCVN3 "cô" is cụ, "mét" is một.
* A legacy word that looks like a Western word: TCVN3 "tôt" is tụt but also French tôt;
  likewise VNI "coù" (có) and TCVN3 "Hå" (Hồ). (TCVN3 "Ngäc" and "Hïng" are telling: no
  Western word starts with ng, nor puts ï after a consonant.)
A cell made only of such words (for instance VNI "Hoà Thò Lan" for Hồ Thị Lan) is not
detected. Cells of one column usually share one font: to decide for a whole column, call
``detect("\\n".join(cells))`` once and convert each cell with ``to_unicode``.

Real Western words that still convert to a valid syllable and carry a diacritic Europe rarely
puts after a vowel are read as VNI: French "Loïc" -> "Lọc", "Caïn" -> "Cạn", Spanish "aún".
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

__all__ = ["ENCODINGS", "Encoding", "detect", "fix", "from_unicode", "to_unicode"]

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


def _decode(text: str, encoding: Encoding) -> tuple[str, int, int]:
    """(converted text, number of non-ASCII characters the encoding could not explain,
    number of VNI letters typed oddly: mark and base letter of different case, or y + ï)."""
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
        i += 1
    return "".join(out), bad, odd


def to_unicode(text: str, encoding: str) -> str:
    """Convert legacy-encoded `text` (TCVN3 or VNI, as Latin-1 characters) to NFC Unicode.

    Characters the encoding does not assign are kept as they are. TCVN3 letters with a tone
    mark always come out in lower case (see the module notes on .VnTimeH).
    """
    converted, _, _ = _decode(unicodedata.normalize("NFC", text), _canonical(encoding))
    return unicodedata.normalize("NFC", converted)


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


@lru_cache(maxsize=8192)
def _is_syllable(word: str, check_case: bool = True) -> bool:
    """True if `word` is one Vietnamese syllable (see the module notes)."""
    if not word or (check_case and not _case_ok(word)):
        return False
    letters: list[str] = []
    tone, position = 0, -1
    for index, ch in enumerate(word):
        parsed = _letter(ch)
        if parsed is None:
            return False
        letter, mark = parsed
        if mark:
            if tone:
                return False
            tone, position = mark, index
        letters.append(letter)
    s = "".join(letters)
    n = len(s)
    i = 0
    while i < n and s[i] not in _VOWELS:
        i += 1
    if i == n:
        return False
    onset = s[:i]
    if onset == "q":
        if not (s[i] == "u" and i + 1 < n and s[i + 1] in _VOWELS):
            return False
        onset, i = "qu", i + 1
    elif onset == "g" and s[i] == "i" and i + 1 < n and s[i + 1] in _VOWELS:
        onset, i = "gi", i + 1
    j = i
    while j < n and s[j] in _VOWELS:
        j += 1
    nucleus, coda = s[i:j], s[j:]
    spec = _NUCLEI.get(nucleus)
    if spec is None or coda not in _CODAS or not _onset_ok(onset, nucleus):
        return False
    open_ok, closed_ok, positions = spec
    minority = onset not in _VIET_ONSETS
    if not (closed_ok if coda else open_ok or (minority and nucleus == "ă")):  # Kpă
        return False
    if coda in ("ch", "nh") and nucleus[-1] not in "aêiy":
        return False
    if nucleus == "oo" and coda not in ("c", "ng"):
        return False
    if coda in _STOPS and tone not in (4, 5):
        return False
    return not tone or (i <= position < j and position - i in positions)


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
    if c == "ñ" and after[:1] not in _PLAIN_VOWELS:  # año, señor
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

    @property
    def passes(self) -> bool:
        return self.telling > 0 and self.clean * 5 >= self.marked * 4


@lru_cache(maxsize=8192)
def _judge(word: str, encoding: Encoding) -> tuple[bool, bool, bool]:
    """(converts to a valid syllable, has oddly typed VNI letters, implausible as it stands)."""
    converted, bad, odd = _decode(word, encoding)
    # TCVN3 capitals fonts make case unreliable; VNI keeps the case of the base letters.
    clean = bad == 0 and _is_syllable(converted, encoding == "vni")
    telling = clean and not (_is_syllable(word) or _is_western(word))
    return clean, clean and odd > 0, telling


def _score(words: list[str], encoding: Encoding) -> _Score:
    score = _Score()
    for word in words:
        if word.isascii() or (len(word) == 1 and not word.isalpha()):
            continue  # ASCII, or a lone symbol such as « or ¸ used as punctuation
        clean, odd, telling = _judge(word, encoding)
        score.marked += 1
        score.clean += clean
        score.odd += odd
        score.telling += telling
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

    def rank(encoding: Encoding) -> tuple[float, int]:
        score = scores[encoding]
        return score.clean / score.marked, -score.odd

    first, second = sorted(passing, key=rank, reverse=True)
    return first if rank(first) != rank(second) else None


def could_be_legacy(text: str) -> bool:
    """True when the text has non-ASCII characters and none that only Unicode has: it may be
    legacy-encoded, and converting it cannot damage proper Unicode Vietnamese."""
    return not text.isascii() and not any(_is_unicode_only(ch) for ch in text)
