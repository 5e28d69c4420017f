"""The Oslo demo council for ``politirad demo load``.

Politirådet i Oslo with fictional people and about twenty cases in all six
workflows, with their documents (letters, memos, notices, minutes). Every case is
opened and moved through the services, as the person whose role it is (the
scheduler for the system's transitions), at a believable time: the whole history
is one timeline, played in time order, so the audit chain, the case numbers, the
approvals and the deadlines read as if the council had used the system all along.

The 2023–2025 agreement and the older bylaw revision keep their fixed dates;
everything that depends on "today" (this year's meetings and their items, the
running consultation, the steering-group reports) is placed relative to ``now``.
Nothing commits: the caller does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actors import Actor, actor_for
from engine.calendar import OSLO, add_period, deadline_moment, next_working_day, to_oslo, utc
from engine.clock import resolve
from engine.errors import ValidationError
from engine.models import (
    AgendaEntry,
    Bydel,
    Case,
    Council,
    Document,
    Meeting,
    Person,
    PriorityArea,
)
from engine.models.enums import Access, PartyCode, Role
from engine.reference_data import load_oslo_reference_data
from engine.runtime import current_definition
from engine.services.access_requests import request_access
from engine.services.cases import fire, open_case, update_case
from engine.services.documents import register_document
from engine.services.grants import request_clearance
from engine.services.meetings import (
    approve_decision,
    create_meeting,
    meeting_title,
    place_item,
    record_attendance,
    record_outcome,
    why_not_meeting_day,
)
from engine.services.people import add_membership, create_council, create_person

DEMO_PASSWORD = "politirad-demo"
COUNCIL_NAME = "Politirådet i Oslo"
SEATS_FROM = date(2023, 1, 1)
SEATS_GIVEN = utc(datetime(2023, 1, 2, 9, tzinfo=OSLO))
"""When the demo's seats were given (audited then, before the first case opens)."""
EARLIEST = date(2025, 1, 1)
"""The fixed history runs into 2024; the demo is built as of this day or later."""

# --- people ------------------------------------------------------------------------------

LEADER, DEPUTY, SECRETARIAT, SYSTEM = "leder", "politimester", "sekretariat", "system"
UNCLEARED = "enhetost"


@dataclass(frozen=True)
class PersonSpec:
    login: str
    name: str
    party: str
    role: str
    description: str
    """What the login is for, in Norwegian (shown by ``politirad demo load``)."""
    cleared: bool = False
    appointed_by: str | None = None


# Fictional people; the leder appoints the municipality's members, the politimester the police's.
PEOPLE = (
    PersonSpec(
        LEADER,
        "Marte Kvaløy Berntsen",
        PartyCode.MUNICIPALITY,
        Role.LEADER,
        "leder: byrådsleder, Oslo kommune",
        cleared=True,
    ),
    PersonSpec(
        DEPUTY,
        "Henrik Stavrum",
        PartyCode.POLICE,
        Role.DEPUTY,
        "nestleder: politimester, Oslo politidistrikt",
        cleared=True,
    ),
    PersonSpec(
        "byrad",
        "Anders Lien Tveit",
        PartyCode.MUNICIPALITY,
        Role.MEMBER,
        "medlem: byråd for arbeid, integrering og sosiale tjenester",
        appointed_by=LEADER,
    ),
    PersonSpec(
        "bydelsdir",
        "Nadia Rahimi Sætre",
        PartyCode.MUNICIPALITY,
        Role.MEMBER,
        "medlem: bydelsdirektør i Bydel Gamle Oslo",
        appointed_by=LEADER,
    ),
    PersonSpec(
        "forebygging",
        "Tor Einar Vik",
        PartyCode.POLICE,
        Role.MEMBER,
        "medlem: leder for Felles enhet for forebygging (klarert for PST-saker)",
        cleared=True,
        appointed_by=DEPUTY,
    ),
    PersonSpec(
        UNCLEARED,
        "Line Bakke Hovland",
        PartyCode.POLICE,
        Role.MEMBER,
        "medlem: leder for Enhet Øst (ikke klarert; klarering venter på godkjenning)",
        appointed_by=DEPUTY,
    ),
    # Cleared, because only the secretariat can put the PST briefing on an agenda.
    PersonSpec(
        SECRETARIAT,
        "Sofie Aamodt Rønning",
        PartyCode.MUNICIPALITY,
        Role.SECRETARIAT,
        "sekretariat: registrerer saker, setter opp sakslister, skriver referat",
        cleared=True,
    ),
    PersonSpec(
        "salto",
        "Jonas Mehmeti Berg",
        PartyCode.MUNICIPALITY,
        Role.REPORTER,
        "rapportør: SaLTo-koordinator i Bydel Stovner",
    ),
    PersonSpec(
        "gjest",
        "Ragnhild Fossum",
        PartyCode.EXTERNAL,
        Role.GUEST,
        "gjest: representant for næringslivet i sentrum",
    ),
)

_ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e"})


def _email(name: str) -> str:
    first, *_, last = name.lower().translate(_ASCII).split()
    return f"{first}.{last}@example.no"


def _add_people(session: Session, council: Council) -> dict[str, Person]:
    system = Actor.system()
    people: dict[str, Person] = {}
    for spec in PEOPLE:
        person = create_person(
            session,
            actor=system,
            login=spec.login,
            display_name=spec.name,
            email=_email(spec.name),
            password=DEMO_PASSWORD,
            must_change_password=False,
        )
        add_membership(
            session,
            actor=system,
            person=person,
            council=council,
            party=spec.party,
            role=spec.role,
            valid_from=SEATS_FROM,
            appointed_by=people[spec.appointed_by] if spec.appointed_by else None,
            cleared=spec.cleared,
            now=SEATS_GIVEN,
        )
        people[spec.login] = person
    return people


def _ask_for_clearance(session: Session, people: dict[str, Person], now: datetime) -> None:
    """The secretariat has asked for clearance for the police member who is not cleared: it
    waits for the leader or the deputy to approve it (four eyes)."""
    (seat,) = people[UNCLEARED].memberships
    request_clearance(session, actor=actor_for(people[SECRETARIAT]), membership=seat, now=now)


# --- the timeline ------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One thing done to a case: a transition fired, an outcome recorded on the meeting the
    case is on (``outcome``, with ``comment`` as its text), a meeting's attendance recorded
    (``absent``: everyone called came but these logins), or else an edit of its data."""

    at: datetime
    who: str
    trigger: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)
    comment: str = ""
    outcome: str | None = None
    absent: tuple[str, ...] | None = None
    document: DocumentSpec | None = None


@dataclass(frozen=True)
class DocumentSpec:
    """A document registered on a case (journalført), its text stored as a plain-text file."""

    title: str
    kind: str
    entry_type: str
    text: str
    access: str = Access.PUBLIC
    legal_basis: str | None = None
    public_title: str | None = None
    screened: tuple[str, ...] = ()
    correspondent: str | None = None


def document(who: str, when: datetime, title: str, kind: str, entry_type: str, text: str, **kw):
    """A step that registers a document (see ``DocumentSpec``)."""
    return Step(when, who, document=DocumentSpec(title, kind, entry_type, text, **kw))


@dataclass(frozen=True)
class CaseSpec:
    """A demo case: how it is opened, what happens to it, and the state it ends in."""

    key: str
    kind: str
    title: str
    opened: datetime
    state: str
    steps: tuple[Step, ...] = ()
    opener: str = SECRETARIAT
    data: Mapping[str, Any] = field(default_factory=dict)
    bydeler: tuple[str, ...] = ()
    """Bydel names, as in ``reference_data.OSLO_BYDELER``."""
    areas: tuple[int, ...] = ()
    """Priority area numbers, as in ``reference_data.PRIORITY_AREAS``."""
    meeting: str | None = None
    parent: str | None = None
    access: str = Access.PUBLIC
    public_title: str | None = None
    legal_basis: str | None = None

    def __post_init__(self) -> None:
        early = [s.trigger or s.outcome or "edit" for s in self.steps if s.at < self.opened]
        if early:
            raise ValueError(f"{self.key}: {', '.join(early)} before the case is opened")


def at(day: date, clock: str = "10:00", *, workdays: int = 0) -> datetime:
    """``workdays`` working days after ``day`` (before it when negative), at ``clock`` in Oslo."""
    if workdays:
        day = add_period(day, workdays, "working_days")
    return utc(datetime.combine(day, time.fromisoformat(clock), tzinfo=OSLO))


def on(year: int, month: int, day: int, clock: str = "10:00") -> datetime:
    """A fixed day of the council's history (rolled to a working day), at ``clock`` in Oslo."""
    return at(next_working_day(date(year, month, day)), clock)


def tick(day: date, amount: int = 0, unit: str = "days") -> datetime:
    """The scheduler's first tick after a deadline ``amount`` ``unit`` from ``day`` has passed."""
    return deadline_moment(add_period(day, amount, unit)) + timedelta(minutes=1)


def by(who: str, when: datetime, trigger: str | None = None, comment: str = "", **data) -> Step:
    return Step(when, who, trigger, data, comment)


def sec(when: datetime, trigger: str | None = None, comment: str = "", **data) -> Step:
    return by(SECRETARIAT, when, trigger, comment, **data)


def system(when: datetime, trigger: str) -> Step:
    return by(SYSTEM, when, trigger)


def both(
    when: datetime, trigger: str, *, then: datetime | None = None, comment: str = "", **data
) -> tuple[Step, Step]:
    """A two-party transition: the leder approves for the municipality, then the politimester
    for the police (at ``then``, by default a little later), which moves the case."""
    later = then or when + timedelta(minutes=20)
    return by(LEADER, when, trigger, comment, **data), by(DEPUTY, later, trigger, comment)


def outcome(when: datetime, what: str, text: str = "") -> Step:
    """The secretariat records what the meeting did with the item: noted, deferred."""
    return Step(when, SECRETARIAT, comment=text, outcome=what)


def decided(
    when: datetime, text: str, *, approved: datetime, then: datetime | None = None
) -> tuple[Step, Step, Step]:
    """The secretariat records the decision at the meeting; the leder and the politimester
    approve it (at ``approved`` and ``then``), which decides the case."""
    return outcome(when, "decided", text), *both(approved, "decide", then=then)


BOTH = "leder+politimester"
MEETINGS_START = time(13, 0)
MEETING_PATH = (
    ("start_agenda", SECRETARIAT),
    ("fix_agenda", BOTH),
    ("convene", SECRETARIAT),
    ("hold", SECRETARIAT),
    ("draft_minutes", SECRETARIAT),
    ("circulate_minutes", SECRETARIAT),
    ("approve_minutes", BOTH),
    ("publish", SECRETARIAT),
)


def meeting_steps(*times: datetime, absent: tuple[str, ...] = ()) -> tuple[Step, ...]:
    """A meeting's own transitions in order, one per time given, as far as the times go; the
    attendance is recorded as the meeting is recorded as held. The draft minutes are written
    from the meeting's record."""
    steps: list[Step] = []
    for (trigger, who), when in zip(MEETING_PATH, times, strict=False):
        steps += both(when, trigger) if who == BOTH else [by(who, when, trigger)]
        if trigger == "hold":
            steps.append(Step(when + timedelta(minutes=1), SECRETARIAT, absent=absent))
    return tuple(steps)


# --- what the council has on its table ---------------------------------------------------

# The agreement's seven priority areas, by number (reference_data.PRIORITY_AREAS).
JOINT_EFFORT, DRUG_SCENES, DOMESTIC_VIOLENCE, NETWORKS, YOUTH, EXTREMISM, WORK_CRIME = range(1, 8)
GRORUDDALEN = ("Bjerke", "Grorud", "Stovner", "Alna")


def _meeting_day(around: date, direction: int) -> date:
    """The day nearest ``around`` in ``direction`` (+1 later, -1 earlier) on which the council
    holds an ordinary meeting: a working day outside its breaks."""
    day = around
    while why_not_meeting_day(day, "ordinary") is not None:
        day += timedelta(days=direction)
    return day


@dataclass(frozen=True)
class Days:
    """Today and the days of this year's four meetings, which the history hangs on."""

    today: date
    published: date
    """Held last quarter; minutes approved and published."""
    reviewed: date
    """Held last week; minutes out for comments."""
    convened: date
    """Next week or so; notice sent."""
    planned: date
    """In about six weeks; agenda not started."""

    @classmethod
    def around(cls, today: date) -> Days:
        return cls(
            today=today,
            published=_meeting_day(today - timedelta(days=95), -1),
            reviewed=_meeting_day(today - timedelta(days=10), -1),
            convened=_meeting_day(today + timedelta(days=9), +1),
            planned=_meeting_day(today + timedelta(days=42), +1),
        )

    def day_ago(self, workdays: int) -> date:
        """The day ``workdays`` working days before today."""
        return add_period(self.today, -workdays, "working_days")

    def ago(self, workdays: int, clock: str = "10:00") -> datetime:
        """``workdays`` working days before today, at ``clock``."""
        return at(self.day_ago(workdays), clock)


def _meetings(d: Days) -> list[CaseSpec]:
    planning = at(d.published, "09:00", workdays=-35)  # the secretariat registers the year's plan

    def meeting(
        key: str,
        day: date,
        location: str,
        state: str,
        *times: datetime,
        absent: tuple[str, ...] = (),
    ) -> CaseSpec:
        return CaseSpec(
            key,
            "meeting",
            meeting_title(COUNCIL_NAME, day, "ordinary"),
            planning,
            state,
            meeting_steps(*times, absent=absent),
            data={"meeting_date": day, "kind": "ordinary", "location": location},
        )

    m1, m2 = d.published, d.reviewed
    return [
        meeting(
            "m1",
            m1,
            "Oslo rådhus, byrådssalen",
            "published",
            at(m1, "10:00", workdays=-20),
            at(m1, "14:00", workdays=-8),
            at(m1, "09:00", workdays=-7),
            at(m1, "15:30"),
            at(m1, "09:00", workdays=1),
            at(m1, "12:00", workdays=4),
            at(m1, "10:00", workdays=10),
            at(m1, "09:00", workdays=11),
        ),
        meeting(
            "m2",
            m2,
            "Politihuset, Grønlandsleiret 44",
            "minutes_review",
            at(m2, "10:00", workdays=-20),
            at(m2, "14:00", workdays=-8),
            at(m2, "09:00", workdays=-7),
            at(m2, "15:30"),
            at(m2, "09:00", workdays=1),
            at(m2, "12:00", workdays=3),
            absent=("enhetost",),
        ),
        meeting(
            "m3",
            d.convened,
            "Oslo rådhus, byrådssalen",
            "convened",
            d.ago(15),
            d.ago(2, "14:00"),
            d.ago(1, "09:00"),
        ),
        meeting("m4", d.planned, "Politihuset, Grønlandsleiret 44", "planned"),
    ]


def _memo(subject: str) -> dict[str, Any]:
    return {"memo": f"Saksframlegg: {subject}", "access_assessed": True}


BEKYMRING = "Bekymringsmelding fra Kari Fjellheim om salg i Vaterlandsparken"
"""An exempt letter whose sender's name is screened in the public journal."""


def _agenda_items(d: Days) -> list[CaseSpec]:
    m1, m2 = d.published, d.reviewed
    item = "agenda_item"
    return [
        CaseSpec(
            "rusmiljo",
            item,
            "Felles innsats mot åpne rusmiljø på Grønland og Vaterland",
            at(m1, "11:00", workdays=-30),
            "follow_up",
            (
                by("bydelsdir", at(m1, "09:30", workdays=-28), "propose"),
                document(
                    SECRETARIAT,
                    at(m1, "10:00", workdays=-27),
                    "Innspill fra Bydel Gamle Oslo om rusmiljøet ved Vaterland",
                    "letter",
                    "incoming",
                    "Bydelen ber politirådet drøfte en felles innsats mot det åpne rusmiljøet.\n",
                    correspondent="Bydel Gamle Oslo",
                ),
                document(
                    SECRETARIAT,
                    at(m1, "11:00", workdays=-26),
                    BEKYMRING,
                    "letter",
                    "incoming",
                    "En beboer melder om daglig salg av narkotika ved lekeplassen.\n",
                    access=Access.EXEMPT,
                    legal_basis="offl. § 13 jf. fvl. § 13 første ledd nr. 1",
                    screened=("Kari Fjellheim",),
                    correspondent="Kari Fjellheim",
                ),
                sec(at(m1, "13:00", workdays=-25), "schedule"),
                document(
                    SECRETARIAT,
                    at(m1, "14:45", workdays=-11),
                    "Saksframlegg: felles innsats mot åpne rusmiljø",
                    "case_memo",
                    "memo",
                    "Sekretariatet foreslår en felles innsatsgruppe for Grønland og Vaterland.\n",
                ),
                sec(at(m1, "15:00", workdays=-11), "prepare", **_memo("rusmiljøet i sentrum øst")),
                *decided(
                    at(m1, "16:00"),
                    "Kommunen og politiet etablerer en felles innsatsgruppe for Grønland og "
                    "Vaterland. Bydel Gamle Oslo og Enhet Sentrum rapporterer til neste møte.",
                    approved=at(m1, "16:15"),
                ),
                system(tick(m1, 1, "working_days"), "start_follow_up"),
            ),
            bydeler=("Gamle Oslo",),
            areas=(JOINT_EFFORT, DRUG_SCENES),
            meeting="m1",
        ),
        CaseSpec(
            "groruddalen",
            item,
            "Status for barne- og ungdomskriminaliteten i Groruddalen",
            at(m1, "11:00", workdays=-27),
            "closed",
            (
                by("enhetost", at(m1, "14:00", workdays=-26), "propose"),
                sec(at(m1, "13:00", workdays=-24), "schedule"),
                sec(at(m1, "15:00", workdays=-10), "prepare", **_memo("ungdomskriminalitet")),
                outcome(at(m1, "16:30"), "noted"),
                system(tick(m1, 14, "days"), "close"),
            ),
            bydeler=GRORUDDALEN,
            areas=(YOUTH,),
            meeting="m1",
        ),
        CaseSpec(
            "natteravn",
            item,
            "Natteravner og sommeraktiviteter for ungdom i Søndre Nordstrand",
            at(m2, "09:00", workdays=-35),
            "withdrawn",
            (
                by("salto", at(m2, "10:00", workdays=-34), "propose"),
                by(
                    "salto",
                    at(m2, "14:00", workdays=-30),
                    "withdraw",
                    "Følges opp i den lokale styringsgruppen i bydelen.",
                ),
            ),
            bydeler=("Søndre Nordstrand",),
            areas=(YOUTH,),
        ),
        CaseSpec(
            "nettverk",
            item,
            "Kriminelle nettverk: rekruttering av barn og unge til alvorlig vold",
            at(m2, "10:00", workdays=-30),
            "deferred",
            (
                by("forebygging", at(m2, "11:00", workdays=-29), "propose"),
                sec(at(m2, "13:00", workdays=-25), "schedule"),
                sec(at(m2, "15:00", workdays=-11), "prepare", **_memo("rekruttering til vold")),
                outcome(
                    at(m2, "16:20"),
                    "deferred",
                    "Utsatt til neste møte; politiet og bydelene legger fram en felles analyse.",
                ),
            ),
            bydeler=("Stovner", "Søndre Nordstrand", "Gamle Oslo"),
            areas=(NETWORKS, YOUTH),
            meeting="m2",
        ),
        CaseSpec(
            "arbeidsliv",
            item,
            "Arbeidslivskriminalitet: felles kontroller i bygg- og serveringsbransjen",
            at(m2, "10:00", workdays=-28),
            "decided",
            (
                by("byrad", at(m2, "12:00", workdays=-27), "propose"),
                sec(at(m2, "13:00", workdays=-24), "schedule"),
                sec(at(m2, "15:00", workdays=-10), "prepare", **_memo("arbeidslivskriminalitet")),
                *decided(
                    at(m2, "16:00"),
                    "Etatene og politiet gjennomfører felles kontroller hvert kvartal, "
                    "koordinert av Arbeidslivskriminalitetssenteret i Oslo.",
                    approved=d.ago(2, "11:00"),
                    then=d.ago(1, "09:30"),
                ),
            ),
            areas=(WORK_CRIME,),
            meeting="m2",
        ),
        CaseSpec(
            "vold",
            item,
            "Vold i nære relasjoner: status for samarbeidet mellom bydelene og politiet",
            at(m2, "10:00", workdays=-26),
            "noted",
            (
                by("bydelsdir", at(m2, "14:00", workdays=-25), "propose"),
                sec(at(m2, "13:00", workdays=-23), "schedule"),
                sec(at(m2, "15:00", workdays=-10), "prepare", **_memo("vold i nære relasjoner")),
                outcome(at(m2, "16:40"), "noted"),
            ),
            areas=(DOMESTIC_VIOLENCE,),
            meeting="m2",
        ),
        CaseSpec(
            "sikring",
            item,
            "Sikringstiltak og patruljerutiner ved store arrangementer i sentrum",
            d.ago(20),
            "prepared",
            (
                by("forebygging", d.ago(19), "propose"),
                sec(d.ago(12, "13:00"), "schedule"),
                document(
                    SECRETARIAT,
                    d.ago(3, "14:30"),
                    "Saksframlegg: sikringstiltak og patruljerutiner ved store arrangementer",
                    "case_memo",
                    "memo",
                    "Beskrivelse av sikringstiltak, patruljeruter og tidspunkter.\n",
                    access=Access.EXEMPT,
                    legal_basis="offl. § 24 tredje ledd",
                    public_title="Saksframlegg: trygghetstiltak ved store arrangementer",
                ),
                sec(d.ago(3, "15:00"), "prepare", **_memo("sikring av arrangementer")),
            ),
            bydeler=("Gamle Oslo", "St. Hanshaugen"),
            areas=(JOINT_EFFORT,),
            meeting="m3",
            access=Access.EXEMPT,
            public_title="Trygghetstiltak ved store arrangementer i sentrum",
            legal_basis="offl. § 24 tredje ledd",
        ),
        CaseSpec(
            "pst",
            item,
            "Trusselvurdering fra PST: radikalisering og voldelig ekstremisme blant unge i Oslo",
            d.ago(18, "09:00"),
            "prepared",
            (
                by("forebygging", d.ago(18, "11:00"), "propose"),
                document(
                    DEPUTY,
                    d.ago(17, "10:00"),
                    "Trusselvurdering fra PST om radikalisering blant unge i Oslo",
                    "memo",
                    "incoming",
                    "Gradert orientering; leses bare av klarerte medlemmer.\n",
                    access=Access.RESTRICTED,
                    public_title="Orientering fra PST",
                    correspondent="Politiets sikkerhetstjeneste",
                ),
                sec(d.ago(12, "13:30"), "schedule"),
                sec(
                    d.ago(3, "15:30"),
                    "prepare",
                    memo="Orienteringen gis muntlig i møtet; ingen skriftlige vedlegg.",
                    access_assessed=True,
                ),
            ),
            opener=DEPUTY,
            areas=(EXTREMISM,),
            meeting="m3",
            access=Access.RESTRICTED,
            public_title="Orientering fra PST",
        ),
        CaseSpec(
            "hatkrim",
            item,
            "Hatkriminalitet: felles registrering og oppfølging av hendelser",
            d.ago(12, "09:00"),
            "scheduled",
            (
                by("byrad", d.ago(11), "propose"),
                sec(d.ago(4, "13:00"), "schedule"),
            ),
            areas=(EXTREMISM,),
            meeting="m4",
        ),
        CaseSpec(
            "furuset",
            item,
            "Felles innsats i prioriterte områder: Furuset og Haugenstua",
            d.ago(6),
            "proposed",
            (by("enhetost", d.ago(5), "propose"),),
            bydeler=("Alna", "Stovner"),
            areas=(JOINT_EFFORT, YOUTH),
            meeting="m4",
        ),
        CaseSpec(
            "ungdomsstraff",
            item,
            "Ungdomsstraff og ungdomsoppfølging: likeverdige tiltak i alle bydeler",
            d.ago(2, "14:00"),
            "draft",
            opener=LEADER,
            areas=(YOUTH,),
        ),
    ]


def _bylaw_revisions(d: Days) -> list[CaseSpec]:
    bylaw = "bylaw_revision"
    return [
        CaseSpec(
            "vedtekt-2023",
            bylaw,
            "Revisjon av politivedtekt for Oslo: ro og orden, renhold og arrangementer",
            on(2023, 2, 6),
            "in_force",
            (
                sec(on(2023, 2, 13), "start_drafting"),
                *both(on(2023, 3, 23, "15:00"), "endorse", draft_text="Utkast av 10. mars 2023"),
                sec(on(2023, 4, 17), "decide_consultation", "Byrådet vedtok høring 13.04.2023."),
                sec(on(2023, 4, 24), "open_consultation"),
                system(tick(date(2023, 4, 24), 6, "weeks"), "close_consultation"),
                sec(
                    on(2023, 8, 21),
                    "summarise_consultation",
                    consultation_summary="37 høringssvar; endringer i kapittel 2 og 4.",
                ),
                sec(on(2023, 9, 4), "propose_to_city_council"),
                sec(on(2023, 10, 26), "adopt", adopted_on="2023-10-25"),
                sec(on(2023, 10, 30), "submit_to_pod"),
                sec(on(2023, 11, 6), "begin_legality_review"),
                sec(on(2023, 12, 18), "query", "Politidirektoratet ber om hjemmel for § 2-3."),
                sec(on(2024, 1, 15), "answer"),
                sec(on(2024, 3, 11), "confirm"),
                sec(
                    on(2024, 3, 20),
                    "promulgate",
                    promulgated_on="2024-03-20",
                    commencement_date="2024-07-01",
                    lovtidend_reference="Norsk Lovtidend avd. II 2024",
                ),
                system(tick(date(2024, 7, 1)), "enter_into_force"),
            ),
            areas=(JOINT_EFFORT, DRUG_SCENES),
        ),
        CaseSpec(
            "vedtekt-ny",
            bylaw,
            "Revisjon av politivedtekt for Oslo: ro og orden i sentrum og meldeplikt for "
            "arrangementer",
            at(d.published, "10:00", workdays=-45),
            "in_consultation",
            (
                sec(at(d.published, "10:00", workdays=-40), "start_drafting"),
                sec(
                    at(d.published, "14:00", workdays=-15),
                    comment="Utkast fra Kommuneadvokaten",
                    draft_text="Utkast til endret politivedtekt, kapittel 2 og 4",
                ),
                *both(at(d.published, "16:45"), "endorse"),
                sec(d.ago(30), "decide_consultation", "Byrådet har vedtatt å sende på høring."),
                sec(d.ago(15), "open_consultation"),
            ),
            areas=(JOINT_EFFORT,),
            bydeler=("Gamle Oslo", "Grünerløkka", "St. Hanshaugen"),
            parent="vedtekt-2023",
        ),
    ]


def _agreement_revisions(d: Days) -> list[CaseSpec]:
    agreement = "agreement_revision"
    title = "Politirådsavtale – Oslo kommune og Oslo politidistrikt {}–{}"
    signed = on(2023, 6, 22, "14:00")
    start = d.today.year + 1
    return [
        CaseSpec(
            "avtale-2023",
            agreement,
            title.format(2023, 2025),
            on(2023, 2, 1),
            "in_force",
            (
                sec(on(2023, 4, 12), "negotiate", agreement_text="Omforent tekst av 12.04.2023"),
                *both(on(2023, 6, 15, "15:00"), "endorse"),
                *both(on(2023, 6, 19, "11:00"), "sign", then=signed),
                system(signed + timedelta(minutes=1), "take_effect"),
            ),
            data={"valid_from": date(2023, 1, 1), "valid_to": date(2025, 12, 31)},
            areas=tuple(range(1, 8)),
        ),
        CaseSpec(
            "avtale-ny",
            agreement,
            title.format(start, start + 2),
            d.ago(25),
            "draft",
            data={
                "valid_from": date(start, 1, 1),
                "valid_to": date(start + 2, 12, 31),
                "agreement_text": "Utkast: videreføring av avtalen med oppdaterte satsingsområder",
            },
            parent="avtale-2023",
        ),
    ]


def _steering_reports(d: Days) -> list[CaseSpec]:
    report = "steering_report"
    return [
        CaseSpec(
            "salto-stovner",
            report,
            "Årsrapport fra lokal styringsgruppe for SaLTo i Bydel Stovner",
            d.ago(45),
            "submitted",
            (
                by(
                    "salto",
                    d.ago(10, "15:00"),
                    "submit",
                    report="Rapport om innsatsområder, mål og resultater for barn og unge.",
                ),
            ),
            data={
                "group": "Lokal styringsgruppe for SaLTo, Bydel Stovner",
                "due_date": d.day_ago(8),
            },
            bydeler=("Stovner",),
            areas=(YOUTH,),
        ),
        CaseSpec(
            "salto-groruddalen",
            report,
            "Rapport fra regional styringsgruppe for SaLTo i Groruddalen",
            d.ago(40),
            "requested",
            data={
                "group": "Regional styringsgruppe for SaLTo, Groruddalen",
                "due_date": d.day_ago(3),
            },
            bydeler=GRORUDDALEN,
            areas=(YOUTH,),
        ),
    ]


def _access_requests(d: Days) -> list[CaseSpec]:
    """Requests from the public form, each naming a document by its title (``data``)."""
    request = "access_request"
    return [
        CaseSpec(
            "innsyn-bydel",
            request,
            "Innspill fra Bydel Gamle Oslo om rusmiljøet ved Vaterland",
            d.ago(10, "09:00"),
            "granted",
            (sec(d.ago(10, "13:00"), "assess"), sec(d.ago(9, "09:30"), "grant")),
            opener=SYSTEM,
            data={"name": "Siri Lund", "email": "siri.lund@example.no"},
        ),
        CaseSpec(
            "innsyn-bekymring",
            request,
            BEKYMRING,
            d.ago(6, "08:45"),
            "refused",
            (
                sec(
                    d.ago(5, "11:00"),
                    "refuse",
                    "Meldingen inneholder opplysninger om noens personlige forhold.",
                    refusal_basis="offl. § 13 jf. fvl. § 13 første ledd nr. 1",
                ),
            ),
            opener=SYSTEM,
            data={"name": "Ola Berg", "email": "ola.berg@example.no"},
        ),
        CaseSpec(
            "innsyn-saksframlegg",
            request,
            "Saksframlegg: felles innsats mot åpne rusmiljø",
            d.ago(1, "15:00"),
            "received",
            opener=SYSTEM,
            data={"name": "Journalist i Lokalavisa", "email": "tips@example.no"},
        ),
    ]


def demo_cases(today: date) -> list[CaseSpec]:
    """Every demo case with its history, as of ``today`` (a date in Oslo)."""
    d = Days.around(today)
    return [
        *_meetings(d),
        *_agenda_items(d),
        *_bylaw_revisions(d),
        *_agreement_revisions(d),
        *_steering_reports(d),
        *_access_requests(d),
    ]


# --- playing the timeline ----------------------------------------------------------------


@dataclass
class Demo:
    council: Council
    people: list[Person]
    cases: list[Case]
    logins: list[tuple[Person, str]]


def load_demo(session: Session, *, now: datetime | None = None) -> Demo:
    """Load Politirådet i Oslo as of ``now``: reference data, people and cases; flushes only."""
    now = resolve(now)
    today = to_oslo(now).date()
    if today < EARLIEST:
        raise ValidationError(f"the demo is built as of {EARLIEST.isoformat()} or later")
    council = create_council(
        session,
        actor=Actor.system(),
        slug="oslo",
        name=COUNCIL_NAME,
        municipality="Oslo kommune",
        police_district="Oslo politidistrikt",
    )
    load_oslo_reference_data(session, council)
    people = _add_people(session, council)
    cases = _play(session, council, people, demo_cases(today), now)
    _ask_for_clearance(session, people, now)
    return Demo(
        council=council,
        people=list(people.values()),
        cases=cases,
        logins=[(people[spec.login], spec.description) for spec in PEOPLE],
    )


def _timeline(
    specs: Iterable[CaseSpec], now: datetime
) -> list[tuple[datetime, CaseSpec, Step | None]]:
    """Every opening (step None) and step of every case, in time order."""
    events = []
    for spec in specs:
        events.append((spec.opened, len(events), spec, None))
        events += [(step.at, len(events) + i, spec, step) for i, step in enumerate(spec.steps)]
    events.sort(key=lambda event: event[:2])
    if events and events[-1][0] > now:
        raise ValueError(f"the demo's history runs past now ({events[-1][2].key})")
    return [(when, spec, step) for when, _, spec, step in events]


def _play(
    session: Session,
    council: Council,
    people: Mapping[str, Person],
    specs: list[CaseSpec],
    now: datetime,
) -> list[Case]:
    """Open and move every case in time order; check that each ends where its spec says."""
    actors = {login: actor_for(person) for login, person in people.items()}
    actors[SYSTEM] = Actor.system()
    tags = _Tags.of(session, council)
    cases: dict[str, Case] = {}
    for when, spec, step in _timeline(specs, now):
        if step is None:
            cases[spec.key] = _open(session, council, spec, actors[spec.opener], cases, tags, when)
        else:
            _act(session, cases[spec.key], step, actors[step.who])
    wrong = [f"{s.key} is {cases[s.key].state}" for s in specs if cases[s.key].state != s.state]
    if wrong:
        raise RuntimeError(f"the demo did not come out as planned: {'; '.join(wrong)}")
    return sorted(cases.values(), key=lambda case: (case.year, case.seq))


PLACING = ("schedule", "reschedule", "place_on_agenda")


def _act(session: Session, case: Case, step: Step, actor: Actor) -> None:
    """One step of a case; what happens to it on a meeting's agenda goes through the meeting
    services, as the secretariat's work would."""
    if step.outcome is not None:
        record_outcome(
            session,
            _entry(session, case),
            step.outcome,
            actor=actor,
            text=step.comment or None,
            now=step.at,
        )
    elif step.absent is not None:
        meeting = session.get(Meeting, case.id)
        absent = set(session.scalars(select(Person.id).where(Person.login.in_(step.absent))))
        for participant in meeting.participants:
            came = "absent" if participant.person_id in absent else "present"
            record_attendance(session, participant, came, actor=actor, now=step.at)
    elif step.trigger in PLACING and case.meeting_id is not None:
        place_item(session, session.get(Meeting, case.meeting_id), case, actor=actor, now=step.at)
    elif step.trigger in ("decide", "reject") and case.meeting_id is not None:
        approve_decision(session, _entry(session, case), actor=actor, now=step.at)
    elif step.document is not None:
        spec = step.document
        register_document(
            session,
            case,
            actor=actor,
            data=spec.text.encode(),
            filename=f"{spec.kind}.txt",
            title=spec.title,
            kind=spec.kind,
            entry_type=spec.entry_type,
            access=spec.access,
            legal_basis=spec.legal_basis,
            public_title=spec.public_title,
            screened_words=spec.screened,
            correspondent=spec.correspondent,
            now=step.at,
        )
    elif step.trigger is None:
        update_case(session, case, actor=actor, data=step.data, comment=step.comment, now=step.at)
    else:
        fire(
            session,
            case,
            step.trigger,
            actor=actor,
            data=step.data,
            comment=step.comment,
            now=step.at,
        )


def _entry(session: Session, case: Case) -> AgendaEntry:
    return session.scalars(
        select(AgendaEntry).where(
            AgendaEntry.case_id == case.id, AgendaEntry.meeting_id == case.meeting_id
        )
    ).one()


@dataclass(frozen=True)
class _Tags:
    """The council's bydel ids by name and priority area ids by number."""

    bydeler: Mapping[str, int]
    areas: Mapping[int, int]

    @classmethod
    def of(cls, session: Session, council: Council) -> _Tags:
        def ids(key: Any, model: Any) -> dict[Any, int]:
            query = select(key, model.id).where(model.council_id == council.id)
            return dict(session.execute(query).all())

        return cls(ids(Bydel.name, Bydel), ids(PriorityArea.number, PriorityArea))


def _open(
    session: Session,
    council: Council,
    spec: CaseSpec,
    actor: Actor,
    cases: Mapping[str, Case],
    tags: _Tags,
    when: datetime,
) -> Case:
    if spec.kind == "meeting":
        return create_meeting(
            session,
            council=council,
            actor=actor,
            date=spec.data["meeting_date"],
            kind=spec.data["kind"],
            location=spec.data["location"],
            starts_at=MEETINGS_START,
            now=when,
        ).case
    if spec.kind == "access_request":
        wanted = session.scalars(
            select(Document).where(Document.council_id == council.id, Document.title == spec.title)
        ).one()
        return request_access(
            session,
            council,
            reference=wanted.number,
            name=spec.data["name"],
            email=spec.data["email"],
            now=when,
        )
    meeting = cases[spec.meeting] if spec.meeting else None
    data = dict(spec.data)
    if meeting is not None and "meeting_date" in current_definition(spec.kind).fields:
        # An item placed on a meeting carries its date: the item's deadlines count from it.
        data.setdefault("meeting_date", meeting.data["meeting_date"])
    return open_case(
        session,
        council=council,
        kind=spec.kind,
        title=spec.title,
        actor=actor,
        public_title=spec.public_title,
        access=spec.access,
        legal_basis=spec.legal_basis,
        data=data,
        bydeler=[tags.bydeler[name] for name in spec.bydeler],
        priority_areas=[tags.areas[number] for number in spec.areas],
        meeting=meeting,
        parent=cases[spec.parent] if spec.parent else None,
        now=when,
    )
