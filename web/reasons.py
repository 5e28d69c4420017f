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
from web.labels import action_status, field_label, party_labels, state_label, trigger_label


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


def _secretariat_tasks() -> dict[str, str]:
    """What ``only the secretariat may …`` names (``engine.services.meetings``)."""
    return {
        "build agendas": _("sette opp sakslister"),
        "call substitutes": _("kalle inn varamedlemmer"),
        "change the agenda": _("endre sakslisten"),
        "declare a disqualification for someone else": _("erklære andre inhabile"),
        "invite guests": _("invitere gjester"),
        "record attendance": _("føre oppmøte"),
        "record outcomes": _("føre utfall"),
    }


def _break_in_words(period: str) -> str:
    """A break the council does not meet in (``engine.services.meetings.blocked_period``)."""
    easter = re.fullmatch(r"Easter week \((?P<span>[^)]+)\)", period)
    if easter:
        return _("påskeuken (%(span)s)", span=easter["span"])
    return {
        "the July common holiday": _("fellesferien i juli"),
        "the Christmas break (20 December–2 January)": _("juleferien (20. desember–2. januar)"),
    }.get(period, period)


def _meeting_patterns() -> list[tuple[re.Pattern[str], Callable[..., str]]]:
    """The refusals of meetings, their minutes and the follow-up of decisions."""
    parties = {k: v.lower() for k, v in party_labels().items()}
    return [
        (re.compile(r"a meeting is one of: .+"), lambda kind: _("Ukjent møtetype.")),
        (
            re.compile(r"(?P<name>.+) has no seat in the council on \d{4}-\d{2}-\d{2}"),
            lambda kind, name: _(
                "%(name)s har ingen plass i rådet på møtedagen. Gi personen en plass først.",
                name=name,
            ),
        ),
        (
            re.compile(r"(?P<day>\d{4}-\d{2}-\d{2}) has passed"),
            lambda kind, day: _("%(day)s har passert.", day=day),
        ),
        (
            re.compile(
                r"(?P<day>\d{4}-\d{2}-\d{2}) is in (?P<period>.+), when the council does not meet"
            ),
            lambda kind, day, period: _(
                "%(day)s er i %(period)s, da rådet ikke har møter.",
                day=day,
                period=_break_in_words(period),
            ),
        ),
        (
            re.compile(
                r"'(?P<ref>[^']*)' is neither a meeting number like PR 3/2026 nor a case number "
                r"like 2026/17"
            ),
            lambda kind, ref: _(
                "«%(ref)s» er verken et møtenummer som PR 3/2026 eller et saksnummer som 2026/17.",
                ref=ref,
            ),
        ),
        (
            re.compile(r"(?P<year>\d{4}) is over"),
            lambda kind, year: _("%(year)s er over.", year=year),
        ),
        (
            re.compile(r"(?P<label>.+) is on (?P<day>\d{4}-\d{2}-\d{2}) already"),
            lambda kind, label, day: _("%(label)s er allerede %(day)s.", label=label, day=day),
        ),
        (
            re.compile(
                r"(?P<label>.+) stays in (?P<year>\d{4}); "
                r"cancel it and plan one in (?P<other>\d{4})"
            ),
            lambda kind, label, year, other: _(
                "%(label)s blir i %(year)s; avlys det og planlegg et nytt møte i %(other)s.",
                label=label,
                year=year,
                other=other,
            ),
        ),
        (re.compile(r"a guest needs a name"), lambda kind: _("En gjest må ha et navn.")),
        (
            re.compile(r"'(?P<email>[^']*)' is not an e-mail address"),
            lambda kind, email: _("«%(email)s» er ikke en e-postadresse.", email=email),
        ),
        (
            re.compile(r"(?P<name>.+) is not a member called to (?P<label>.+)"),
            lambda kind, name, label: _(
                "%(name)s er ikke et medlem innkalt til %(label)s.", name=name, label=label
            ),
        ),
        (
            re.compile(r"attendance is 'present' or 'absent'"),
            lambda kind: _("Oppmøte er «til stede» eller «forfall»."),
        ),
        (
            re.compile(
                r"(?P<label>.+) is (?P<state>\w+): attendance is recorded after the meeting is "
                r"held and before the minutes go out"
            ),
            lambda kind, label, state: _(
                "Oppmøte føres etter at møtet er holdt og før referatet sendes ut; "
                "%(label)s er «%(state)s».",
                label=label,
                state=state_label("meeting", state),
            ),
        ),
        (
            re.compile(r"the case belongs to another council"),
            lambda kind: _("Saken hører til et annet råd."),
        ),
        (
            re.compile(r"(?P<label>.+) has items 1 to (?P<n>\d+)"),
            lambda kind, label, n: _("%(label)s har punkt 1 til %(n)s.", label=label, n=n),
        ),
        (
            re.compile(r"the approval of the previous minutes stays the first item"),
            lambda kind: _("Godkjenningen av forrige referat blir stående som første punkt."),
        ),
        (
            re.compile(
                r"standing items stay on every ordinary meeting's agenda; record them as noted"
            ),
            lambda kind: _(
                "Faste punkter står på sakslisten til hvert ordinære møte; "
                "før dem som tatt til orientering."
            ),
        ),
        (
            re.compile(r"the item is on (?P<label>.+) already"),
            lambda kind, label: _("Punktet står allerede på %(label)s.", label=label),
        ),
        (
            re.compile(r"(?P<label>.+) is (?P<state>\w+): its record is closed"),
            lambda kind, label, state: _(
                "Protokollen for %(label)s er lukket; møtet er «%(state)s».",
                label=label,
                state=state_label("meeting", state),
            ),
        ),
        (
            re.compile(r"only a deferred item moves to another meeting"),
            lambda kind: _("Bare et utsatt punkt kan flyttes til et annet møte."),
        ),
        (re.compile(r"an outcome is one of: .+"), lambda kind: _("Ukjent utfall.")),
        (
            re.compile(r"'decided' needs the decision's text"),
            lambda kind: _("Et vedtak må ha vedtaksteksten."),
        ),
        (
            re.compile(r"'\w+' needs the reason"),
            lambda kind: _("Utfallet må begrunnes."),
        ),
        (
            re.compile(r"a steering-group report is noted \(tatt til orientering\)"),
            lambda kind: _("En rapport fra en styringsgruppe tas til orientering."),
        ),
        (
            re.compile(r"a standing item is noted or decided"),
            lambda kind: _("Et fast punkt tas til orientering eller vedtas."),
        ),
        (
            re.compile(r"item (?P<n>\d+) of (?P<label>.+) has no decision to approve"),
            lambda kind, n, label: _(
                "Punkt %(n)s på %(label)s har ikke noe vedtak å godkjenne.", n=n, label=label
            ),
        ),
        (re.compile(r"say who is disqualified"), lambda kind: _("Si hvem som er inhabil.")),
        (
            re.compile(r"only a member called to (?P<label>.+) can be disqualified"),
            lambda kind, label: _(
                "Bare et medlem innkalt til %(label)s kan være inhabilt.", label=label
            ),
        ),
        (
            re.compile(r"a disqualification needs its reason"),
            lambda kind: _("Inhabilitet må begrunnes."),
        ),
        (
            re.compile(
                r"case (?P<n>\S+) is an? (?P<k>\w+) in state (?P<state>\w+): only proposed or "
                r"deferred agenda items and submitted steering-group reports go on an agenda"
            ),
            lambda kind, n, k, state: _(
                "Sak %(n)s er «%(state)s»: bare innmeldte eller utsatte saker og innsendte "
                "rapporter fra styringsgrupper settes på en saksliste.",
                n=n,
                state=state_label(k, state),
            ),
        ),
        (
            re.compile(r"case (?P<n>\S+) is on the agenda of (?P<label>.+) already"),
            lambda kind, n, label: _(
                "Sak %(n)s står allerede på sakslisten til %(label)s.", n=n, label=label
            ),
        ),
        (
            re.compile(r"item (?P<n>\d+) of (?P<label>.+) is \w+ already"),
            lambda kind, n, label: _(
                "Punkt %(n)s på %(label)s har allerede fått et utfall.", n=n, label=label
            ),
        ),
        (
            re.compile(r"(?P<name>.+) is disqualified for item (?P<n>\d+) already"),
            lambda kind, name, n: _("%(name)s er allerede inhabil i punkt %(n)s.", name=name, n=n),
        ),
        (
            re.compile(r"(?P<name>.+) is called to (?P<label>.+) already"),
            lambda kind, name, label: _(
                "%(name)s er allerede innkalt til %(label)s.", name=name, label=label
            ),
        ),
        (
            re.compile(r"only the secretariat may (?P<doing>.+)"),
            lambda kind, doing: _(
                "Bare sekretariatet kan %(doing)s.",
                doing=_secretariat_tasks().get(doing, doing),
            ),
        ),
        (
            re.compile(
                r"(?P<label>.+) is (?P<state>\w+): minutes are written while the draft is open "
                r"\(minutes_draft\)"
            ),
            lambda kind, label, state: _(
                "Referatet skrives mens utkastet er åpent; %(label)s er «%(state)s».",
                label=label,
                state=state_label("meeting", state),
            ),
        ),
        (
            re.compile(
                r"(?P<label>.+) is (?P<state>\w+): comments are taken while the minutes are out "
                r"for review \(minutes_review\)"
            ),
            lambda kind, label, state: _(
                "Merknader tas imot mens referatet er ute til gjennomsyn; "
                "%(label)s er «%(state)s».",
                label=label,
                state=state_label("meeting", state),
            ),
        ),
        (re.compile(r"a comment needs text"), lambda kind: _("En merknad må ha tekst.")),
        (
            re.compile(r"only the council's members comment on its minutes"),
            lambda kind: _("Bare rådets medlemmer kan gi merknader til referatet."),
        ),
        (
            re.compile(r"the minutes of (?P<label>.+) are not public"),
            lambda kind, label: _("Referatet fra %(label)s er ikke offentlig.", label=label),
        ),
        (
            re.compile(r"the minutes of (?P<label>.+) are not published yet"),
            lambda kind, label: _("Referatet fra %(label)s er ikke publisert ennå.", label=label),
        ),
        (
            re.compile(r"an action is owned by .+"),
            lambda kind: _("Et tiltak eies av kommunen eller politiet."),
        ),
        (
            re.compile(r"(?P<name>.+) has no seat for the (?P<party>\w+) in this council"),
            lambda kind, name, party: _(
                "%(name)s har ingen plass for %(party)s i dette rådet.",
                name=name,
                party=parties.get(party, party),
            ),
        ),
        (
            re.compile(r"percent complete is a whole number 0–100"),
            lambda kind: _("Hvor langt tiltaket er kommet, er et helt tall fra 0 til 100."),
        ),
        (
            re.compile(r"say why the action is cancelled"),
            lambda kind: _("Si hvorfor tiltaket avsluttes."),
        ),
        (
            re.compile(r"a referral goes to one of: .+"),
            lambda kind: _("Ukjent mottaker for oversendelsen."),
        ),
        (
            re.compile(r"referral \d+ was answered on (?P<day>[\d.]+)"),
            lambda kind, day: _("Oversendelsen ble besvart %(day)s.", day=day),
        ),
        (
            re.compile(r"action \d+ is (?P<status>\w+)"),
            lambda kind, status: _(
                "Tiltaket er allerede «%(status)s».", status=action_status(status)
            ),
        ),
        (
            re.compile(
                r"case (?P<n>\S+) is (?P<state>\w+): follow-up belongs to a decided agenda item"
            ),
            lambda kind, n, state: _(
                "Oppfølging hører til en vedtatt sak; sak %(n)s er «%(state)s».",
                n=n,
                state=state_label("agenda_item", state),
            ),
        ),
        (
            re.compile(r"(?P<name>\w+) must be a date"),
            lambda kind, name: _("%(field)s må være en dato.", field=field_label(name)),
        ),
        (
            re.compile(r"(?P<name>\w+) (?P<day>[\d.]+) has already passed"),
            lambda kind, name, day: _(
                "%(field)s %(day)s har allerede passert.", field=field_label(name), day=day
            ),
        ),
    ]


def _seat_patterns() -> list[tuple[re.Pattern[str], Callable[..., str]]]:
    """The refusals of clearance and seats that wait for a second person, and of a person's
    own details (``engine.services.grants``, ``engine.services.people``)."""
    return [
        (
            re.compile(r"nobody may ask for clearance(?: or a seat with power)? for themselves"),
            lambda kind: _("Ingen kan be om klarering eller en plass med makt for seg selv."),
        ),
        (
            re.compile(r"you asked for it yourself: another person must approve it"),
            lambda kind: _("Du ba om det selv, så en annen må godkjenne det."),
        ),
        (
            re.compile(r"it is about you: another person must approve it"),
            lambda kind: _("Det gjelder deg selv, så en annen må godkjenne det."),
        ),
        (
            re.compile(r"only the council's secretariat, leader or deputy may approve it"),
            lambda kind: _("Bare sekretariatet, lederen eller nestlederen kan godkjenne det."),
        ),
        (
            re.compile(
                r"only a cleared member of the secretariat, leader or deputy may approve clearance"
            ),
            lambda kind: _(
                "Bare en klarert i sekretariatet, lederen eller nestlederen kan godkjenne "
                "klarering."
            ),
        ),
        (
            re.compile(r"only the person who asked for it may withdraw it; others refuse it"),
            lambda kind: _("Bare den som ba om det, kan trekke det tilbake. Andre kan avslå det."),
        ),
        (
            re.compile(r"only the secretariat and the leaders see the grants of a council"),
            lambda kind: _(
                "Bare sekretariatet, lederen og nestlederen ser det som venter på godkjenning."
            ),
        ),
        (
            re.compile(r"the grant is \w+ already"),
            lambda kind: _("Forespørselen er allerede avgjort."),
        ),
        (
            re.compile(r"the seat has ended: refuse the grant"),
            lambda kind: _("Plassen er avsluttet. Avslå forespørselen."),
        ),
        (
            re.compile(r"a grant is (?:asked for|approved) by a person; .+"),
            lambda kind: _("Bare en person kan be om eller godkjenne dette."),
        ),
        (
            re.compile(r"only an installation administrator may .+"),
            lambda kind: _(
                "Bare personen selv eller en installasjonsadministrator kan endre navn, e-post "
                "og aktivering. Sekretariatet kan avslutte personens plasser i sitt råd."
            ),
        ),
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
        "not a date": _("Må være en dato."),
        "in the past": _("Har passert."),
        "another year": _("Må være i møtets år."),
        "invalid": _("Ugyldig verdi."),
        "unknown": _("Ukjent valg."),
        "unknown kind": _("Ukjent møtetype."),
        "unknown outcome": _("Ukjent utfall."),
        "unknown party": _("Ukjent part."),
        "not a member of this meeting": _("Ikke et medlem innkalt til møtet."),
        "not a deciding participant": _("Ikke et medlem innkalt til møtet."),
        "not a member of the owning party": _("Har ingen plass for parten."),
        "no seat in the council": _("Har ingen plass i rådet på møtedagen."),
        "present or absent": _("Velg til stede eller forfall."),
        "other council": _("Hører til et annet råd."),
        "out of range": _("Finnes ikke på sakslisten."),
        "previous minutes first": _("Godkjenningen av forrige referat står først."),
        "standing item": _("Fast punkt."),
        "same meeting": _("Det samme møtet."),
        "not deferred": _("Punktet er ikke utsatt."),
        "noted": _("Tas til orientering."),
        "noted or decided": _("Tas til orientering eller vedtas."),
        "no decision recorded": _("Ikke noe vedtak er ført."),
        "0–100": _("Et helt tall fra 0 til 100."),
        "already registered": _("Allerede registrert."),
        "not decided": _("Saken er ikke vedtatt."),
    }
    return {name: words.get(text) or reason_in_words(text, "") for name, text in errors.items()}


def refusal_in_words(error: Exception, kind: str) -> str:
    """A refused form's message: each reason of a guard, or the validation message."""
    if isinstance(error, GuardFailed):
        return " ".join(reason_in_words(reason, kind) for reason in error.reasons)
    return reason_in_words(str(error), kind)


def reason_in_words(reason: str, kind: str) -> str:
    """An engine reason in the page's language; one it does not know is shown as it is."""
    patterns = _reason_patterns() + _message_patterns() + _meeting_patterns() + _seat_patterns()
    for pattern, words in patterns:
        found = pattern.fullmatch(reason.strip())
        if found:
            return words(kind, **found.groupdict())
    return reason
