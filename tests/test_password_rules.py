"""Issue 12, point 3: passwords are checked with Django's validators plus a Vietnamese-aware
one — common Vietnamese passwords, with or without digits and signs added, and numbers anyone
near the person knows (birth date, citizen ID, phone) are refused, naming why."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from chibo.accounts.validators import common_words

pytestmark = pytest.mark.django_db


@given(word=st.sampled_from(sorted(w for w in common_words() if len(w) >= 4)),
       decoration=st.text(alphabet="0123456789!@#$.-_ ", max_size=8), capital=st.booleans())
@settings(max_examples=200, deadline=None)
def test_common_vietnamese_passwords_with_digits_or_signs_added_are_refused(word: str, decoration: str,
                                                                            capital: bool) -> None:
    password = (word.capitalize() if capital else word) + decoration
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["Mật khẩu 2026", "matkhau@2026", "Anhyeuem123", "dangcongsanvietnam",
                                      "Việt Nam 1945!", "qwertyuiop12"])
def test_well_known_ones(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


def test_numbers_people_around_you_know_are_refused(world: Any) -> None:
    user = world.users["member"]
    person = user.person
    for password in (f"nhaxanh{person.birth_date:%d%m%Y}", f"ruongbac{person.citizen_id}", f"x{person.birth_date:%Y%m%d}yz"):
        with pytest.raises(ValidationError, match="birth date|ngày sinh"):
            validate_password(password, user)


@pytest.mark.parametrize("password", ["ruong-lua-bac-thang-2026", "Nuoc chay da mon 88", "cay-da-dau-lang-xua"])
def test_passphrases_pass(world: Any, password: str) -> None:
    validate_password(password, world.users["member"])
