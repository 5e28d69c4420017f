"""The engine's reasons ("why not?") and refusals in the page's language.

The engine words its reasons in English for logs and the CLI; the pages match the known
ones and say them in the page's language. A reason the patterns do not know is shown as
the engine wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import gettext as _

from engine.errors import GuardFailed
from web.labels import field_label, party_labels, state_label, trigger_label


def role_names() -> dict[str, str]:
    return {
        "leader": _("leder"),
        "deputy": _("nestleder"),
        "member": _("medlem"),
        "secretariat": _("sekretariatet"),
        "reporter": _("rapportør"),
        "guest": _("gjest"),
        "system": _("systemet"),
    }


def _names(text: str, names: dict[str, str], joiner: str) -> str:
    """``leader or deputy`` → ``leder eller nestleder`` (unknown words are kept)."""
    parts = re.split(r", | or | and ", text)
    return f" {joiner} ".join(names.get(part.strip(), part.strip()) for part in parts if part)


def _reason_patterns() -> list[tuple[re.Pattern[str], Callable[..., str]]]:
    roles, parties = role_names(), {k: v.lower() for k, v in party_labels().items()}
    either, both = _("eller"), _("og")
    return [
        (
            re.compile(
                r"your role \((?P<mine>[^)]*)\) may not fire '(?P<t>[^']+)'; it needs (?P<need>.+)"
            ),
            lambda kind, mine, t, need: _(
                "Din rolle (%(mine)s) kan ikke gjøre «%(label)s»; det krever %(need)s.",
                mine=_names(mine, roles, both) or _("ingen"),
                label=trigger_label(kind, t),
                need=_names(need, roles, either),
            ),
        ),
        (
            re.compile(r"only (?P<who>.+) may fire '(?P<t>[^']+)'"),
            lambda kind, who, t: _(
                "Bare %(who)s kan gjøre «%(label)s».",
                who=_names(who, parties, either),
                label=trigger_label(kind, t),
            ),
        ),
        (
            re.compile(r"approval is needed from (?P<who>.+)"),
            lambda kind, who: _(
                "Krever godkjenning fra %(who)s; du har ikke en slik plass.",
                who=_names(who, parties, both),
            ),
        ),
        (
            re.compile(
                r"(?P<party>\w+) has already approved \(by (?P<by>[^)]+)\); waiting for (?P<w>.+)"
            ),
            lambda kind, party, by, w: _(
                "%(party)s har allerede godkjent (%(by)s); venter på %(waiting)s.",
                party=parties.get(party, party).capitalize(),
                by=by,
                waiting=_names(w, parties, both),
            ),
        ),
        (
            re.compile(r"you are not a member of this council"),
            lambda kind: _("Du har ingen plass i dette rådet."),
        ),
        (
            re.compile(r"the case is restricted and you are not cleared for it"),
            lambda kind: _("Saken er begrenset, og du er ikke klarert for den."),
        ),
        (
            re.compile(r"the scheduler may not fire '(?P<t>[^']+)'"),
            lambda kind, t: _("Systemet kan ikke gjøre «%(label)s».", label=trigger_label(kind, t)),
        ),
        (
            re.compile(r"(?P<name>\w+) is required"),
            lambda kind, name: _("%(field)s må fylles ut.", field=field_label(name)),
        ),
        (
            re.compile(r"the case is not tagged with a priority area"),
            lambda kind: _("Saken er ikke merket med et prioritert område."),
        ),
        (
            re.compile(r"the case is not placed on a meeting"),
            lambda kind: _("Saken er ikke satt opp på et møte."),
        ),
        (
            re.compile(r"meeting (?P<n>\S+) is (?P<state>\w+); its agenda is closed"),
            lambda kind, n, state: _(
                "Sakslisten for møtet (sak %(n)s) er lukket; møtet er «%(state)s».",
                n=n,
                state=state_label("meeting", state),
            ),
        ),
        (
            re.compile(r"meeting (?P<n>\S+) has not been held yet \(it is (?P<state>\w+)\)"),
            lambda kind, n, state: _(
                "Møtet (sak %(n)s) er ikke holdt ennå; det er «%(state)s».",
                n=n,
                state=state_label("meeting", state),
            ),
        ),
        (
            re.compile(r"public access has not been assessed.*"),
            lambda kind: _("Offentlighetsvurderingen er ikke gjort."),
        ),
        (
            re.compile(r"the meeting has no date"),
            lambda kind: _("Møtet har ingen dato."),
        ),
        (
            re.compile(r"(?P<day>\d{4}-\d{2}-\d{2}) is not a working day"),
            lambda kind, day: _("%(day)s er ikke en virkedag.", day=day),
        ),
        (
            re.compile(
                r"the follow-up is not complete: (?P<a>\d+) action\(s\) still open, "
                r"(?P<r>\d+) referral\(s\) awaiting a response"
            ),
            lambda kind, a, r: _(
                "Oppfølgingen er ikke ferdig: %(a)s tiltak er åpne og "
                "%(r)s oversendelser venter på svar.",
                a=a,
                r=r,
            ),
        ),
        (
            re.compile(r"the consultation has not been summarised.*"),
            lambda kind: _("Høringen er ikke oppsummert."),
        ),
        (
            re.compile(r"the agreement needs a valid-from and a valid-to date"),
            lambda kind: _("Avtalen trenger en gyldig fra- og en gyldig til-dato."),
        ),
        (
            re.compile(r"the promulgation date and the commencement date are both needed"),
            lambda kind: _("Både kunngjøringsdato og ikrafttredelsesdato må fylles ut."),
        ),
    ]


def _message_patterns() -> list[tuple[re.Pattern[str], Callable[..., str]]]:
    return [
        (
            re.compile(r"'(?P<t>[^']+)' needs a comment saying why"),
            lambda kind, t: _("«%(label)s» krever en begrunnelse.", label=trigger_label(kind, t)),
        ),
        (re.compile(r"a case needs a title"), lambda kind: _("Saken må ha en tittel.")),
        (
            re.compile(r"an exempt case needs its legal basis.*"),
            lambda kind: _(
                "En sak som er unntatt offentlighet, må ha hjemmel, f.eks. offl. § 24 tredje ledd."
            ),
        ),
        (
            re.compile(r"an exempt or restricted case needs a public title"),
            lambda kind: _("En skjermet sak må ha en offentlig tittel."),
        ),
        (re.compile(r"invalid case data"), lambda kind: _("Noen felt har ugyldige verdier.")),
    ]


def field_errors(errors: dict[str, str]) -> dict[str, str]:
    """The engine's messages per field in the page's language."""
    words = {
        "required": _("Må fylles ut."),
        "required when exempt": _("Må fylles ut når saken er unntatt offentlighet."),
        "required when not public": _("Må fylles ut når saken er skjermet."),
        "unknown id": _("Ukjent valg."),
        "unknown access level": _("Ukjent tilgangsnivå."),
        "must be a date like 2026-03-31": _("Må være en dato."),
    }
    return {name: words.get(text, text) for name, text in errors.items()}


def refusal_in_words(error: Exception, kind: str) -> str:
    """A refused form's message: each reason of a guard, or the validation message."""
    if isinstance(error, GuardFailed):
        return " ".join(reason_in_words(reason, kind) for reason in error.reasons)
    return reason_in_words(str(error), kind)


def reason_in_words(reason: str, kind: str) -> str:
    """An engine reason in the page's language; one it does not know is shown as it is."""
    for pattern, words in _reason_patterns() + _message_patterns():
        found = pattern.fullmatch(reason.strip())
        if found:
            return words(kind, **found.groupdict())
    return reason
