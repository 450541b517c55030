"""A password validator that knows what Vietnamese users choose (with Django's own validators,
settings.AUTH_PASSWORD_VALIDATORS): common Vietnamese passwords and stems with digits or signs
added ("matkhau@2026", "Anhyeuem123"), and passwords made from the person's own birth date,
citizen ID or phone number, which anyone near them may know."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chibo.core.text import fold

WORDS_FILE = Path(__file__).with_name("data") / "common-passwords-vi.txt"


@functools.cache
def common_words() -> frozenset[str]:
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(re.sub(r"[^a-z]", "", fold(line)) for line in lines if line.strip() and not line.startswith("#"))


def _personal_numbers(user: Any) -> list[str]:
    person = getattr(user, "person", None) if user is not None and getattr(user, "person_id", None) else None
    if person is None:
        return []
    out = [re.sub(r"\D", "", person.citizen_id or ""), re.sub(r"\D", "", person.phone or "")]
    if person.birth_date:
        b = person.birth_date
        out += [f"{b:%d%m%Y}", f"{b:%Y%m%d}", f"{b:%d%m%y}"]
    return [n for n in out if len(n) >= 6]


class VietnameseCommonPasswordValidator:
    def validate(self, password: str, user: Any = None) -> None:
        letters = re.sub(r"[^a-z]", "", fold(password))
        if letters in common_words() or (letters == "" and len(password) < 14):
            raise ValidationError(_("This password is too easy to guess: it is a common password, or one with "
                                    "digits or signs added. Choose a phrase only you know, for example three or "
                                    "four words."), code="password_too_common_vi")
        digits = re.sub(r"\D", "", password)
        if any(n in digits for n in _personal_numbers(user)):
            raise ValidationError(_("This password holds your birth date, citizen ID or phone number, which people "
                                    "around you may know. Choose a phrase only you know."),
                                  code="password_personal_number")

    def get_help_text(self) -> str:
        return _("Not a common password, and not your birth date, citizen ID or phone number.")
