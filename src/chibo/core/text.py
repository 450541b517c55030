"""Vietnamese text helpers: normalisation, accent-insensitive search, names and sort keys.

Sort keys are plain printable ASCII whose byte-wise order (Python ``str``, SQLite ``BINARY``,
PostgreSQL ``COLLATE "C"``) is the Vietnamese dictionary order: letters of the whole key
decide first (a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z), tones
second (none < huyền < hỏi < ngã < sắc < nặng).

Key alphabet, lowest first::

    !            end of letters, tone digits follow
    #            separator between name parts (given # family # middle)
    -            separator between words (syllables)
    0-9          digits; digit runs are zero-padded to 6
    ^xxxxxx      any other letter, by code point (6 hex digits)
    a-z          Latin letters; a letter followed by "{" or "|" is its modified form:
                 ă = a{  â = a|  đ = d{  ê = e{  ô = o{  ơ = o|  ư = u{
"""

from __future__ import annotations

import functools
import unicodedata

__all__ = [
    "fold",
    "is_nfc",
    "name_sort_key",
    "nfc",
    "split_full_name",
    "text_sort_key",
]

KEY_MAX_LENGTH = 255

_END = "!"
_PART = "#"
_WORD = "-"
_OTHER_LETTER = "^"
_DIGIT_WIDTH = 6

# Combining tone marks (as found after NFD) -> tone rank.
_TONES = {
    "\u0300": 1,  # huyền (grave)
    "\u0309": 2,  # hỏi (hook above)
    "\u0303": 3,  # ngã (tilde)
    "\u0301": 4,  # sắc (acute)
    "\u0323": 5,  # nặng (dot below)
}
# (base letter, combining vowel modifier) -> suffix that sorts after every other key character.
_MODIFIED = {
    ("a", "\u0306"): "{",  # ă
    ("a", "\u0302"): "|",  # â
    ("e", "\u0302"): "{",  # ê
    ("o", "\u0302"): "{",  # ô
    ("o", "\u031b"): "|",  # ơ
    ("u", "\u031b"): "{",  # ư
}
_APOSTROPHES = frozenset("'\u2018\u2019\u02bc")  # ignored inside words: H'Hen, Y'Bih
# đ, and ð: the lower case of Ð (U+00D0), a look-alike of Đ often typed in its place.
# Letters with a stroke or hook, which NFD does not take apart: Vietnamese đ, and the Ƀ/ƀ,
# Ɓ/ɓ and Ɗ/ɗ of the Central Highlands' scripts (Ƀlan, Ɓôk). Search folds them to the plain
# letter ("blan" finds "Ƀlan"); sort keys put each right after it, as đ after d.
_D_STROKE = {"\u0111": "d", "\u00f0": "d", "\u0180": "b", "\u0253": "b", "\u0257": "d"}

# Two-syllable family names recognised by split_full_name when the name has 4+ words.
COMPOUND_FAMILY_NAMES: frozenset[tuple[str, str]] = frozenset(
    {("âu", "dương"), ("hoàng", "phủ"), ("tôn", "thất")}
)


def nfc(value: str | None) -> str:
    """NFC-normalise, strip and collapse whitespace runs (NBSP included) to one space."""
    if not value:
        return ""
    return " ".join(unicodedata.normalize("NFC", value).split())


def is_nfc(value: str) -> bool:
    """True if `value` is already in Unicode NFC."""
    return unicodedata.is_normalized("NFC", value)


def fold(value: str | None) -> str:
    """Accent- and case-insensitive search form: "Nguyễn Văn Đức" -> "nguyen van duc"."""
    if not value:
        return ""
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFC", value).casefold())
    chars = [_D_STROKE.get(ch, ch) for ch in text if unicodedata.category(ch) != "Mn"]
    return " ".join("".join(chars).split())


def split_full_name(full: str) -> tuple[str, str, str]:
    """Split a Vietnamese full name into (family, middle, given); words stay as typed."""
    words = nfc(full).split()
    if not words:
        return "", "", ""
    if len(words) == 1:
        return "", "", words[0]
    family_size = 1
    if len(words) >= 4 and (words[0].lower(), words[1].lower()) in COMPOUND_FAMILY_NAMES:
        family_size = 2
    family = " ".join(words[:family_size])
    middle = " ".join(words[family_size:-1])
    return family, middle, words[-1]


def name_sort_key(family: str, middle: str, given: str) -> str:
    """Roster key: given name, then family name, then middle names; letters before tones."""
    parts = [_encode(given), _encode(family), _encode(middle)]
    letters = _PART.join(p for p, _ in parts)
    tones = "".join(t for _, t in parts)
    return (letters + _END + tones)[:KEY_MAX_LENGTH]


def text_sort_key(value: str) -> str:
    """Dictionary key for a plain string (organisation, place); "Thôn 2" < "Thôn 10"."""
    letters, tones = _encode(value)
    return (letters + _END + tones)[:KEY_MAX_LENGTH]


@functools.lru_cache(maxsize=65536)  # names repeat a great deal: an import of 150,000 members reuses most keys
def _encode(value: str | None) -> tuple[str, str]:
    """(primary letters, one tone digit per word) of `value`, both printable ASCII.

    Words are split on anything that is not a letter, digit, mark or apostrophe. A word's
    tone is the first tone mark in it, so "Hoà" and "Hòa" get the same key. Truncating
    the final key is safe: cutting every key to the same length keeps their order.
    """
    if not value:
        return "", ""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", value).casefold())

    words: list[str] = []
    tones: list[str] = []
    word: list[str] = []
    digits: list[str] = []
    tone = 0
    base = ""  # last Latin letter that a vowel modifier may still apply to

    def flush_digits() -> None:
        if digits:
            word.append("".join(digits).zfill(_DIGIT_WIDTH))
            digits.clear()

    def end_word() -> None:
        nonlocal tone, base
        flush_digits()
        if word:
            words.append("".join(word))
            tones.append(str(tone))
            word.clear()
        tone, base = 0, ""

    for ch in text:
        if ch in _APOSTROPHES:
            continue
        category = unicodedata.category(ch)
        if category[0] == "M":
            if ch in _TONES:
                if not tone and (word or digits):
                    tone = _TONES[ch]
            elif (base, ch) in _MODIFIED:
                word.append(_MODIFIED[base, ch])
                base = ""
            continue
        digit = unicodedata.decimal(ch, None)
        if digit is not None:
            digits.append(str(digit))
            base = ""
        elif category[0] == "L":
            flush_digits()
            if "a" <= ch <= "z":
                word.append(ch)
                base = ch
            elif ch in _D_STROKE:
                word.append(_D_STROKE[ch] + "{")
                base = ""
            else:
                word.append(f"{_OTHER_LETTER}{ord(ch):06x}")
                base = ""
        else:
            end_word()
    end_word()
    return _WORD.join(words), "".join(tones)
