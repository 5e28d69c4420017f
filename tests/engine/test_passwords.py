"""The password rules (OWASP ASVS level 2, V2.1), and argon2 work that does not tell
whether a login exists."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from engine.passwords import (
    MAX_LENGTH,
    PasswordRefused,
    check_password,
    generate_password,
    hash_password,
    verify_password,
)


def refusal(password: str, **context) -> str | None:
    context = {
        "login": "kari",
        "name": "Kari Nordmann",
        "councils": ["Politirådet i Oslo"],
    } | context
    try:
        check_password(password, **context)
    except PasswordRefused as exc:
        assert exc.errors == {"password": exc.code}
        return exc.code
    return None


def test_ten_digits_in_a_row_are_refused_as_too_short():
    assert refusal("1234567890") == "password too short"
    assert refusal("elleve-tegn") == "password too short"


@pytest.mark.parametrize(
    "password",
    ["123456789012", "qwertyuiopasdfgh", "passwordpassword", "Password1234", "iloveyouiloveyou"],
)
def test_a_common_password_of_twelve_or_more_characters_is_refused(password):
    assert refusal(password) == "common password"


def test_a_common_password_in_capitals_is_refused_too():
    assert refusal("QWERTYUIOPASDFGH") == "common password"


def test_a_long_passphrase_in_any_alphabet_with_spaces_and_symbols_is_accepted():
    assert refusal("blåbærsyltetøy på søndag ☕") is None
    assert refusal("Ωμέγα και άλφα 2026!") is None
    assert refusal("x" * 11 + "y" * (MAX_LENGTH - 11)) is None


def test_a_password_over_the_longest_is_refused():
    assert refusal("løvetann-" * 15) == "password too long"


def test_a_lone_surrogate_is_refused_rather_than_crashing_the_hash():
    assert refusal("gyldig-passord-\udc80-her") == "password characters"


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("kari-kari-kari-2026", "password is login"),
        ("Kari.Nordmann1990!", "password is name"),
        ("nordmann-nordmann", "password is name"),
        ("Politirådet i Oslo 2026", "password is council"),
        ("politiradet-1234567", "password is council"),
    ],
)
def test_a_password_built_from_the_login_the_name_or_the_council_is_refused(password, code):
    assert refusal(password) == code


def test_a_password_that_only_mentions_a_name_among_other_words_is_accepted():
    assert refusal("Karis hund heter Fido og bor i Oslo") is None


def test_a_password_without_letters_is_not_taken_for_a_name():
    assert refusal("284619372846") is None


def test_a_one_time_password_meets_the_rules_and_is_new_every_time():
    passwords = {generate_password() for _ in range(20)}
    assert len(passwords) == 20
    for password in passwords:
        assert refusal(password) is None


def test_an_unknown_login_and_a_wrong_password_cost_the_same_argon2_work(monkeypatch):
    """The hash checked for an unknown login is a real argon2 hash with the same
    parameters as a stored one, so its cost is the same."""
    from argon2 import extract_parameters

    checked: list[str] = []
    real = PasswordHasher.verify

    def counting(self, stored, password):
        checked.append(stored)
        return real(self, stored, password)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    stored = hash_password("et langt og riktig passord")
    assert not verify_password(stored, "et langt og feil passord")
    assert not verify_password(None, "et langt og feil passord")
    assert len(checked) == 2
    assert extract_parameters(checked[0]) == extract_parameters(checked[1])
