"""The engine's refusals of a password, in the page's language: one place for the person's
own change, the reset link, the secretariat's registration and reset."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from engine.passwords import MAX_LENGTH, MIN_LENGTH

PASSWORD_MESSAGES = {
    "password too short": _l("Passordet må ha minst %(n)d tegn.", n=MIN_LENGTH),
    "password too long": _l("Passordet kan ha høyst %(n)d tegn.", n=MAX_LENGTH),
    "password characters": _l("Passordet har tegn som ikke kan lagres."),
    "common password": _l(
        "Dette er et av de vanligste passordene, og det er lett å gjette. Velg et annet."
    ),
    "password is login": _l("Passordet kan ikke bygge på brukernavnet."),
    "password is name": _l("Passordet kan ikke bygge på navnet til personen."),
    "password is council": _l("Passordet kan ikke bygge på navnet til rådet."),
    "password unchanged": _l("Det nye passordet må være et annet enn det du har nå."),
    "wrong password": _l("Passordet du har nå, er feil."),
    "mismatch": _l("Passordene er ikke like."),
    "own password": _l("Bytt ditt eget passord på siden «Bytt passord»."),
    "no e-mail": _l("Personen har ingen e-postadresse. Gi et engangspassord i stedet."),
    "deactivated": _l("Personen er deaktivert."),
    "more power": _l(
        "Et engangspassord ville gitt deg tilgang du ikke har selv. Send en lenke i stedet."
    ),
}

RULES = _l(
    "Minst %(n)d tegn, gjerne flere ord. Alle tegn er lov. Vanlige passord, brukernavnet, "
    "navnet ditt og rådets navn blir avvist.",
    n=MIN_LENGTH,
)
