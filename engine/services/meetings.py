"""Meetings (møter): the year's plan, participants, the agenda, outcomes and the notice.

A meeting is a ``meeting`` case (its workflow: planned → … → published) plus its
``Meeting`` row with the number ``PR n/YYYY``; the services here keep the two in
step. Agenda items move through their own workflows as they are placed, decided,
noted, deferred or rejected, so every change to a case is audited where it
happens; changes to the meeting's own record (participants, attendance,
disqualifications) are audited on the meeting case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.easter import easter
from dateutil.relativedelta import TH, relativedelta
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.access import Visibility, visibility
from engine.actors import Actor, actor_for
from engine.calendar import is_working_day, to_oslo
from engine.clock import resolve
from engine.errors import (
    Conflict,
    GuardFailed,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from engine.guards import MEETING_HELD_STATES, MEETING_OPEN_STATES
from engine.models import (
    AgendaEntry,
    Case,
    Council,
    Disqualification,
    Meeting,
    Membership,
    OutboxMessage,
    Participant,
    Person,
)
from engine.models.enums import Access, PartyCode, Role
from engine.models.meetings import MEETING_KINDS, OUTCOMES, STANDING_ITEMS
from engine.outbox import queue
from engine.runtime import definition_of
from engine.services.cases import FireResult, fire, get_case, open_case, update_case
from engine.services.documents import store_notice
from engine.services.followup import follow_up_list, record_change

MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)
WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
KIND_TITLES = {"ordinary": "Møte", "extraordinary": "Ekstraordinært møte", "seminar": "Seminar"}

# The default plan: the nth Thursday of a month. An ordinary meeting in the middle of each
# quarter, and the seminar (where the action plan is rolled) early in the autumn.
ORDINARY_TARGETS = ((2, 2), (5, 2), (8, 3), (11, 2))
SEMINAR_TARGET = (9, 3)

MEMBER_ROLES = (Role.LEADER, Role.DEPUTY, Role.MEMBER)
DECIDING_ROLES = ("member", "substitute")
# The meeting's record (who was called, who came, who was disqualified) stays open until
# the minutes go out for comments.
RECORD_OPEN_STATES = (*MEETING_OPEN_STATES, "agenda_fixed", "convened", "held", "minutes_draft")
ATTENDANCE_STATES = ("held", "minutes_draft")
PLACING = {
    ("agenda_item", "proposed"): "schedule",
    ("agenda_item", "deferred"): "reschedule",
    ("steering_report", "submitted"): "place_on_agenda",
}
NEEDS_BOTH_PARTIES = {"decided": "decide", "rejected": "reject"}
DECISION_TYPES = {"decided": "vedtak", "noted": "tatt til orientering"}
SECURITY_BRIEFING = (
    "Orientering fra Politiets sikkerhetstjeneste (PST) om trusselbildet",
    "Orientering fra PST",
)


# --- dates and titles --------------------------------------------------------------------


def long_date(day: date, *, weekday: bool = False) -> str:
    """A date as written in Norwegian: «26. mars 2026», or «torsdag 26. mars 2026»."""
    text = f"{day.day}. {MONTHS[day.month - 1]} {day.year}"
    return f"{WEEKDAYS[day.weekday()]} {text}" if weekday else text


def meeting_title(council_name: str, day: date, kind: str) -> str:
    """«Møte i Politirådet i Oslo 26. mars 2026»; an extraordinary meeting or the seminar
    says so."""
    return f"{KIND_TITLES[kind]} i {council_name} {long_date(day)}"


def blocked_period(day: date) -> str | None:
    """The break the council does not plan meetings in that ``day`` falls in, or None.

    Easter week (palm Sunday to 2. påskedag), the July common holiday (all of July) and
    Christmas (20 December to 2 January).
    """
    sunday = easter(day.year)
    if sunday - timedelta(days=7) <= day <= sunday + timedelta(days=1):
        start, end = sunday - timedelta(days=7), sunday + timedelta(days=1)
        return f"Easter week ({start:%d.%m.}–{end:%d.%m.%Y})"
    if day.month == 7:
        return "the July common holiday"
    if (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 2):
        return "the Christmas break (20 December–2 January)"
    return None


def why_not_meeting_day(day: date, kind: str) -> str | None:
    """None if a meeting of ``kind`` may be held on ``day``, else why not.

    Every meeting is on a working day; only an extraordinary one may fall in a break.
    """
    if not is_working_day(day):
        return f"{day.isoformat()} is not a working day"
    period = None if kind == "extraordinary" else blocked_period(day)
    if period:
        return f"{day.isoformat()} is in {period}, when the council does not meet"
    return None


def proposed_dates(year: int, *, today: date) -> list[tuple[str, date]]:
    """The default plan of ``year`` as ``(kind, date)`` in date order: one ordinary meeting
    per quarter and the seminar, each on the first free day from its target (Thursdays
    first) that is after ``today``. A quarter with no such day left gets none."""
    plan = []
    for quarter, (month, nth) in enumerate(ORDINARY_TARGETS):
        last = date(year, 3 * quarter + 3, 1) + relativedelta(months=1, days=-1)
        day = _first_free_day(_thursday(year, month, nth), last, "ordinary", today)
        if day is not None:
            plan.append(("ordinary", day))
    seminar = _first_free_day(
        _thursday(year, *SEMINAR_TARGET), date(year, 12, 31), "seminar", today
    )
    if seminar is not None:
        plan.append(("seminar", seminar))
    return sorted(plan, key=lambda planned: planned[1])


def _thursday(year: int, month: int, nth: int) -> date:
    return date(year, month, 1) + relativedelta(weekday=TH(nth))


def _first_free_day(target: date, last: date, kind: str, today: date) -> date | None:
    start = max(target, today + timedelta(days=1))
    days = [start + timedelta(days=n) for n in range((last - start).days + 1)]
    thursdays = [day for day in days if day.weekday() == 3]
    return next((day for day in thursdays + days if why_not_meeting_day(day, kind) is None), None)


def _check_day(day: date, kind: str, today: date) -> None:
    if kind not in MEETING_KINDS:
        raise ValidationError(
            f"a meeting is one of: {', '.join(MEETING_KINDS)}", {"kind": "unknown kind"}
        )
    if day < today:
        raise ValidationError(f"{day.isoformat()} has passed", {"date": "in the past"})
    reason = why_not_meeting_day(day, kind)
    if reason:
        raise ValidationError(reason, {"date": reason})


# --- finding meetings --------------------------------------------------------------------

_MEETING_NUMBER = re.compile(r"PR[\s-]*(\d+)/(\d{4})", re.IGNORECASE)
_CASE_NUMBER = re.compile(r"\d{4}/\d+")


def get_meeting(session: Session, council: Council, reference: str) -> Meeting:
    """The meeting ``PR 3/2026`` (or ``PR-3/2026``), or the meeting whose case is ``2026/17``."""
    text = reference.strip()
    found = _MEETING_NUMBER.fullmatch(text)
    if found:
        number, year = int(found[1]), int(found[2])
        meeting = session.scalars(
            select(Meeting).where(
                Meeting.council_id == council.id, Meeting.year == year, Meeting.number == number
            )
        ).one_or_none()
        if meeting is None:
            raise NotFound(f"no meeting PR {number}/{year} in {council.name}")
        return meeting
    if not _CASE_NUMBER.fullmatch(text):
        raise ValidationError(
            f"'{reference}' is neither a meeting number like PR 3/2026 nor a case number "
            "like 2026/17"
        )
    case = get_case(session, council, text)
    meeting = session.get(Meeting, case.id)
    if meeting is None:
        raise NotFound(f"case {case.number} is not a meeting")
    return meeting


def list_meetings(session: Session, council: Council, *, year: int | None = None) -> list[Meeting]:
    """The council's meetings in date order (the meeting calendar is public)."""
    query = select(Meeting).where(Meeting.council_id == council.id)
    if year is not None:
        query = query.where(Meeting.year == year)
    return list(session.scalars(query.order_by(Meeting.date, Meeting.number)))


def get_entry(meeting: Meeting, position: int) -> AgendaEntry:
    """Item ``position`` of the meeting's agenda."""
    for entry in meeting.agenda:
        if entry.position == position:
            return entry
    raise NotFound(f"{meeting.label} has no item {position}")


# --- planning ----------------------------------------------------------------------------


def create_meeting(
    session: Session,
    *,
    council: Council,
    actor: Actor,
    date: date,
    kind: str = "ordinary",
    location: str | None = None,
    starts_at: time | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Plan a meeting: its case, its number ``PR n/YYYY``, the members and the secretariat
    called to it, and for an ordinary meeting its standing items."""
    now = resolve(now)
    _check_day(date, kind, to_oslo(now).date())
    location = (location or "").strip() or None
    data: dict[str, object] = {"meeting_date": date, "kind": kind}
    if location:
        data["location"] = location
    case = open_case(
        session,
        council=council,
        kind="meeting",
        title=meeting_title(council.name, date, kind),
        actor=actor,
        data=data,
        now=now,
    )
    # open_case has locked the audit chain's head, so no other writer can take a number
    # until this transaction ends; the unique constraint stands behind that.
    last = session.scalar(
        select(func.max(Meeting.number)).where(
            Meeting.council_id == council.id, Meeting.year == date.year
        )
    )
    meeting = Meeting(
        case_id=case.id,
        council_id=council.id,
        year=date.year,
        number=(last or 0) + 1,
        kind=kind,
        date=date,
        starts_at=starts_at,
        location=location,
    )
    session.add(meeting)
    session.flush()
    _call_members(session, meeting)
    if kind == "ordinary":
        ensure_standing_items(session, meeting, actor=actor, now=now)
    return meeting


def plan_year(
    session: Session, *, council: Council, year: int, actor: Actor, now: datetime | None = None
) -> list[Meeting]:
    """Plan the year's ordinary meetings, one per quarter, and its seminar, where they are
    missing; returns the meetings planned now (none when the plan is complete)."""
    now = resolve(now)
    today = to_oslo(now).date()
    if year < today.year:
        raise ValidationError(f"{year} is over", {"year": "in the past"})
    existing = session.execute(
        select(Meeting.kind, Meeting.date)
        .join(Case, Case.id == Meeting.case_id)
        .where(Meeting.council_id == council.id, Meeting.year == year, Case.state != "cancelled")
    ).all()
    quarters = {_quarter(day) for kind, day in existing if kind == "ordinary"}
    seminar = any(kind == "seminar" for kind, _ in existing)
    planned = []
    for kind, day in proposed_dates(year, today=today):
        if (kind == "ordinary" and _quarter(day) in quarters) or (kind == "seminar" and seminar):
            continue
        planned.append(
            create_meeting(session, council=council, actor=actor, date=day, kind=kind, now=now)
        )
    return planned


def _quarter(day: date) -> int:
    return (day.month - 1) // 3 + 1


def move_meeting(
    session: Session, meeting: Meeting, *, actor: Actor, date: date, now: datetime | None = None
) -> Meeting:
    """Move the meeting to another day of its year (the workflow's ``move``): it is planned
    again, and its title, participants and standing items follow the new date."""
    now = resolve(now)
    if date == meeting.date:
        raise ValidationError(f"{meeting.label} is on {date.isoformat()} already")
    if date.year != meeting.year:
        raise ValidationError(
            f"{meeting.label} stays in {meeting.year}; cancel it and plan one in {date.year}",
            {"date": "another year"},
        )
    _check_day(date, meeting.kind, to_oslo(now).date())
    case = meeting.case
    fire(session, case, "move", actor=actor, data={"meeting_date": date}, now=now)
    meeting.date = date
    council = session.get(Council, meeting.council_id)
    update_case(
        session,
        case,
        actor=actor,
        changes={"title": meeting_title(council.name, date, meeting.kind)},
        now=now,
    )
    for entry in meeting.agenda:
        if entry.case is None:
            continue
        definition = definition_of(session, entry.case)
        if "meeting_date" in definition.fields and not definition.state(entry.case.state).terminal:
            # The items' own deadlines (intake, memo) count from the meeting date; the
            # system moves them, since an uncleared secretariat may not edit a restricted item.
            update_case(
                session, entry.case, actor=Actor.system(), data={"meeting_date": date}, now=now
            )
    _call_members(session, meeting)
    if meeting.kind == "ordinary":
        ensure_standing_items(session, meeting, actor=actor, now=now)
    session.flush()
    return meeting


# --- participants ------------------------------------------------------------------------


def _call_members(session: Session, meeting: Meeting) -> None:
    """Call every member (leader, deputy, member) of both parties and the secretariat who
    sit on the meeting's day and are not called yet."""
    order = (*MEMBER_ROLES, Role.SECRETARIAT)
    seats = session.scalars(
        select(Membership).where(
            Membership.council_id == meeting.council_id, Membership.role.in_(order)
        )
    )
    called = {p.person_id for p in meeting.participants}
    for seat in sorted(seats, key=lambda m: (order.index(m.role), m.id)):
        if seat.person_id in called or not seat.active_on(meeting.date) or not seat.person.active:
            continue
        called.add(seat.person_id)
        meeting.participants.append(
            Participant(
                person_id=seat.person_id,
                name=seat.person.display_name,
                email=seat.person.email,
                party=seat.party,
                role="secretariat" if seat.role == Role.SECRETARIAT else "member",
                attendance="invited",
            )
        )
    session.flush()


def invite_guest(
    session: Session,
    meeting: Meeting,
    *,
    actor: Actor,
    name: str,
    organisation: str | None = None,
    email: str | None = None,
    person: Person | None = None,
    now: datetime | None = None,
) -> Participant:
    """Invite a guest (a citizen, an organisation, business) to the meeting; a guest invited
    after the notice went out gets it at once."""
    now = resolve(now)
    party = _secretariat(actor, meeting, now, "invite guests")
    _record_open(meeting)
    name = (name or "").strip() or (person.display_name if person else "")
    if not name:
        raise ValidationError("a guest needs a name", {"name": "required"})
    email = (email or "").strip() or (person.email if person else None)
    if email is not None and "@" not in email:
        raise ValidationError(f"'{email}' is not an e-mail address", {"email": "invalid"})
    if person is not None:
        _not_called(meeting, person)
    guest = Participant(
        person_id=person.id if person else None,
        name=name,
        organisation=(organisation or "").strip() or None,
        email=email,
        party=PartyCode.EXTERNAL,
        role="guest",
        attendance="invited",
    )
    return _add_participant(session, meeting, guest, actor, party, now)


def add_substitute(
    session: Session,
    meeting: Meeting,
    *,
    actor: Actor,
    principal: Person,
    substitute: Person,
    now: datetime | None = None,
) -> Participant:
    """Call ``substitute`` to the meeting in place of the member ``principal``, for the
    principal's party. The substitute must hold a seat in the council on the meeting's day:
    a person from outside is given one first, which a second person approves when it is not
    the council's own to give (``engine.services.grants``)."""
    now = resolve(now)
    party = _secretariat(actor, meeting, now, "call substitutes")
    _record_open(meeting)
    called = _participant_of(meeting, principal)
    if called is None or called.role != "member":
        raise ValidationError(
            f"{principal.display_name} is not a member called to {meeting.label}",
            {"principal": "not a member of this meeting"},
        )
    if not any(
        m.council_id == meeting.council_id and m.active_on(meeting.date)
        for m in substitute.memberships
    ):
        raise ValidationError(
            f"{substitute.display_name} has no seat in the council on {meeting.date.isoformat()}",
            {"substitute": "no seat in the council"},
        )
    _not_called(meeting, substitute)
    stand_in = Participant(
        person_id=substitute.id,
        name=substitute.display_name,
        email=substitute.email,
        party=called.party,
        role="substitute",
        substitute_for_id=principal.id,
        attendance="invited",
    )
    return _add_participant(session, meeting, stand_in, actor, party, now)


def record_attendance(
    session: Session,
    participant: Participant,
    attendance: str,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> Participant:
    """Record that a participant was present or absent, once the meeting has been held."""
    now = resolve(now)
    meeting = participant.meeting
    party = _secretariat(actor, meeting, now, "record attendance")
    if attendance not in ("present", "absent"):
        raise ValidationError(
            "attendance is 'present' or 'absent'", {"attendance": "present or absent"}
        )
    state = meeting.case.state
    if state not in ATTENDANCE_STATES:
        raise ValidationError(
            f"{meeting.label} is {state}: attendance is recorded after the meeting is held "
            "and before the minutes go out",
            {"attendance": f"not while {state}"},
        )
    if participant.attendance != attendance:
        record_change(
            session,
            meeting.case,
            actor=actor,
            party=party,
            changes={
                f"participant.{participant.id}.attendance": [participant.attendance, attendance]
            },
            now=now,
        )
        participant.attendance = attendance
        session.flush()
    return participant


def _participant_of(meeting: Meeting, person: Person) -> Participant | None:
    return next((p for p in meeting.participants if p.person_id == person.id), None)


def _not_called(meeting: Meeting, person: Person) -> None:
    if _participant_of(meeting, person) is not None:
        raise Conflict(f"{person.display_name} is called to {meeting.label} already")


def _add_participant(
    session: Session,
    meeting: Meeting,
    participant: Participant,
    actor: Actor,
    party: str | None,
    now: datetime,
) -> Participant:
    meeting.participants.append(participant)
    session.flush()
    record_change(
        session,
        meeting.case,
        actor=actor,
        party=party,
        changes={
            f"participant.{participant.id}": [None, f"{participant.name} ({participant.role})"]
        },
        now=now,
    )
    if meeting.case.state == "convened":
        _queue_notices(session, meeting, [participant], now)
    return participant


# --- the agenda --------------------------------------------------------------------------


def ensure_standing_items(
    session: Session, meeting: Meeting, *, actor: Actor, now: datetime | None = None
) -> list[AgendaEntry]:
    """Give an ordinary meeting its standing items, first on the agenda while it is open:
    approval of the previous meeting's minutes (naming that meeting), the follow-up list
    (oppfølgingsliste) and the police security service's briefing, which is restricted.
    Returns them in order."""
    now = resolve(now)
    if meeting.kind != "ordinary":
        return []
    _secretariat(actor, meeting, now, "change the agenda")
    _agenda_open(meeting)
    previous = _previous_meeting(session, meeting)
    approval = previous and (
        f"Godkjenning av protokoll fra {previous.label} {long_date(previous.date)}"
    )
    wanted = {
        "previous_minutes": (approval, approval) if approval else None,
        "follow_up_list": ("Oppfølgingsliste", "Oppfølgingsliste"),
        "security_briefing": SECURITY_BRIEFING,
    }
    ordered = list(meeting.agenda)
    for n, kind in enumerate(STANDING_ITEMS):
        entry = next((e for e in ordered if e.standing == kind), None)
        titles = wanted[kind]
        if entry is not None and titles is None:
            ordered.remove(entry)
            meeting.agenda.remove(entry)
        elif entry is not None:
            entry.title, entry.public_title = titles
        elif titles is not None:
            access = Access.RESTRICTED if kind == "security_briefing" else Access.PUBLIC
            entry = AgendaEntry(
                standing=kind, title=titles[0], public_title=titles[1], access=access
            )
            earlier = [i for i, e in enumerate(ordered) if e.standing in STANDING_ITEMS[:n]]
            ordered.insert(max(earlier, default=-1) + 1, entry)
    if [e.position for e in ordered] != list(range(1, len(ordered) + 1)):
        _renumber(session, meeting, ordered)
    return [e for e in ordered if e.standing is not None]


def _previous_meeting(session: Session, meeting: Meeting) -> Meeting | None:
    """The last meeting before this one whose minutes the council approves (not the
    seminar, not a cancelled one)."""
    return session.scalars(
        select(Meeting)
        .join(Case, Case.id == Meeting.case_id)
        .where(
            Meeting.council_id == meeting.council_id,
            Meeting.date < meeting.date,
            Meeting.kind != "seminar",
            Case.state != "cancelled",
        )
        .order_by(Meeting.date.desc(), Meeting.number.desc())
        .limit(1)
    ).first()


def place_item(
    session: Session, meeting: Meeting, case: Case, *, actor: Actor, now: datetime | None = None
) -> AgendaEntry:
    """Put a proposed (or deferred) agenda item or a submitted steering-group report on the
    meeting as its next numbered item."""
    now = resolve(now)
    _secretariat(actor, meeting, now, "build agendas")
    _agenda_open(meeting)
    if case.council_id != meeting.council_id:
        raise ValidationError("the case belongs to another council", {"case": "other council"})
    trigger = PLACING.get((case.kind, case.state))
    if trigger is None:
        raise TransitionNotAllowed(
            f"case {case.number} is a {case.kind} in state {case.state}: only proposed or "
            "deferred agenda items and submitted steering-group reports go on an agenda"
        )
    if any(e.case_id == case.id for e in meeting.agenda):
        raise Conflict(f"case {case.number} is on the agenda of {meeting.label} already")
    data = {"meeting_date": meeting.date} if case.kind == "agenda_item" else None
    update_case(session, case, actor=actor, changes={"meeting": meeting.case}, data=data, now=now)
    fire(session, case, trigger, actor=actor, now=now)
    if trigger == "reschedule":
        deferred = session.scalars(
            select(AgendaEntry).where(
                AgendaEntry.case_id == case.id,
                AgendaEntry.outcome == "deferred",
                AgendaEntry.moved_to_id.is_(None),
            )
        )
        for entry in deferred:
            entry.moved_to_id = meeting.case_id
    entry = AgendaEntry(position=len(meeting.agenda) + 1, case=case)
    _copy_screening(entry)
    meeting.agenda.append(entry)
    session.flush()
    return entry


def move_entry(
    session: Session,
    entry: AgendaEntry,
    position: int,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> AgendaEntry:
    """Move an item to ``position`` on its agenda while the agenda is open; the approval of
    the previous minutes stays first."""
    now = resolve(now)
    meeting = entry.meeting
    _secretariat(actor, meeting, now, "change the agenda")
    _agenda_open(meeting)
    ordered = list(meeting.agenda)
    if not 1 <= position <= len(ordered):
        raise ValidationError(
            f"{meeting.label} has items 1 to {len(ordered)}", {"position": "out of range"}
        )
    ordered.remove(entry)
    ordered.insert(position - 1, entry)
    if any(e.standing == "previous_minutes" for e in ordered[1:]):
        raise ValidationError(
            "the approval of the previous minutes stays the first item",
            {"position": "previous minutes first"},
        )
    _renumber(session, meeting, ordered)
    return entry


def remove_item(
    session: Session,
    entry: AgendaEntry,
    *,
    actor: Actor,
    comment: str = "",
    now: datetime | None = None,
) -> None:
    """Take an item off the agenda before the agenda is fixed; its case goes back to where
    it was before it was placed. Standing items stay."""
    now = resolve(now)
    meeting = entry.meeting
    _secretariat(actor, meeting, now, "change the agenda")
    _agenda_open(meeting)
    case = entry.case
    if case is None:
        raise ValidationError(
            "standing items stay on every ordinary meeting's agenda; record them as noted",
            {"entry": "standing item"},
        )
    fire(session, case, "unschedule", actor=actor, comment=comment, now=now)
    data = {"meeting_date": None} if case.kind == "agenda_item" else None
    update_case(session, case, actor=actor, changes={"meeting": None}, data=data, now=now)
    earlier = select(AgendaEntry).where(
        AgendaEntry.case_id == case.id, AgendaEntry.moved_to_id == meeting.case_id
    )
    for deferred in session.scalars(earlier):
        deferred.moved_to_id = None
    ordered = [e for e in meeting.agenda if e is not entry]
    meeting.agenda.remove(entry)
    session.flush()
    _renumber(session, meeting, ordered)


def defer_item(
    session: Session,
    entry: AgendaEntry,
    to_meeting: Meeting,
    *,
    actor: Actor,
    comment: str = "",
    now: datetime | None = None,
) -> AgendaEntry:
    """Defer a deliberated item to another meeting (utsatt): the old entry records the
    deferral and where it went, the case is deferred and rescheduled, and the item is the
    next one on the new meeting's agenda."""
    now = resolve(now)
    if to_meeting.case_id == entry.meeting_id:
        raise ValidationError(f"the item is on {to_meeting.label} already", {"to": "same meeting"})
    _secretariat(actor, to_meeting, now, "build agendas")
    _agenda_open(to_meeting)
    _record(session, entry, "deferred", actor=actor, text=comment, now=now)
    return place_item(session, to_meeting, entry.case, actor=actor, now=now)


def _agenda_open(meeting: Meeting) -> None:
    state = meeting.case.state
    if state not in MEETING_OPEN_STATES:
        raise GuardFailed([f"{meeting.label} is {state}; its agenda is fixed"])


def _record_open(meeting: Meeting) -> None:
    state = meeting.case.state
    if state not in RECORD_OPEN_STATES:
        raise ValidationError(
            f"{meeting.label} is {state}: its record is closed", {"meeting": f"{state}"}
        )


def _renumber(session: Session, meeting: Meeting, ordered: Sequence[AgendaEntry]) -> None:
    """Number the agenda 1, 2, … in ``ordered``. The rows first step past every number in
    use, so that no two share a position at any moment (the unique constraint is checked
    row by row)."""
    offset = len(ordered) + max((e.position or 0 for e in ordered), default=0)
    for entry in ordered:
        if entry.position is not None:
            entry.position += offset
    session.flush()
    for number, entry in enumerate(ordered, 1):
        entry.position = number
        if entry not in meeting.agenda:
            meeting.agenda.append(entry)
    meeting.agenda.sort(key=lambda e: e.position)
    session.flush()


def _copy_screening(entry: AgendaEntry) -> None:
    """Keep the entry's copy of its case's titles and access as the case has them now."""
    case = entry.case
    entry.title, entry.public_title = case.title, case.public_title
    entry.access, entry.legal_basis = case.access, case.legal_basis


# --- outcomes ----------------------------------------------------------------------------


def record_outcome(
    session: Session,
    entry: AgendaEntry,
    outcome: str,
    *,
    actor: Actor,
    text: str | None = None,
    to_meeting: Meeting | None = None,
    now: datetime | None = None,
) -> AgendaEntry:
    """Record what the held meeting did with an item: ``decided`` (the decision text, which
    then needs each party's approval), ``noted``, ``deferred`` (to ``to_meeting`` if given)
    or ``rejected`` (the reason, approved by each party)."""
    now = resolve(now)
    if to_meeting is None:
        return _record(session, entry, outcome, actor=actor, text=text, now=now)
    if outcome != "deferred":
        raise ValidationError(
            "only a deferred item moves to another meeting", {"to_meeting": "not deferred"}
        )
    defer_item(session, entry, to_meeting, actor=actor, comment=text or "", now=now)
    return entry


def _record(
    session: Session,
    entry: AgendaEntry,
    outcome: str,
    *,
    actor: Actor,
    text: str | None,
    now: datetime,
) -> AgendaEntry:
    meeting = entry.meeting
    seat = _secretariat(actor, meeting, now, "record outcomes")
    if outcome not in OUTCOMES:
        raise ValidationError(
            f"an outcome is one of: {', '.join(OUTCOMES)}", {"outcome": "unknown outcome"}
        )
    if entry.outcome is not None:
        raise Conflict(f"item {entry.position} of {meeting.label} is {entry.outcome} already")
    state = meeting.case.state
    if state not in MEETING_HELD_STATES:
        raise GuardFailed([f"{meeting.label} has not been held yet (it is {state})"])
    text = (text or "").strip() or None
    if outcome in NEEDS_BOTH_PARTIES and text is None:
        what = "the decision's text" if outcome == "decided" else "the reason"
        raise ValidationError(f"'{outcome}' needs {what}", {"text": "required"})
    case = entry.case
    if case is None:
        _record_standing(session, entry, outcome, text, actor, seat, now)
    elif case.kind == "steering_report":
        if outcome != "noted":
            raise ValidationError(
                "a steering-group report is noted (tatt til orientering)", {"outcome": "noted"}
            )
        fire(session, case, "note", actor=actor, comment=text or "", now=now)
    else:
        if case.state != "deliberated":
            fire(session, case, "deliberate", actor=actor, now=now)
        if outcome == "decided":
            data = {"decision_text": text, "decision_type": DECISION_TYPES[outcome]}
            update_case(session, case, actor=actor, data=data, now=now)
        elif outcome == "rejected":
            update_case(session, case, actor=actor, data={"reason": text}, now=now)
        elif outcome == "noted":
            data = {"decision_type": DECISION_TYPES[outcome]}
            fire(session, case, "note", actor=actor, data=data, comment=text or "", now=now)
        else:
            fire(session, case, "defer", actor=actor, comment=text or "", now=now)
    if case is not None:
        _copy_screening(entry)
    entry.outcome, entry.outcome_text = outcome, text
    session.flush()
    return entry


def _record_standing(
    session: Session,
    entry: AgendaEntry,
    outcome: str,
    text: str | None,
    actor: Actor,
    party: str | None,
    now: datetime,
) -> None:
    if outcome not in ("noted", "decided"):
        raise ValidationError(
            "a standing item is noted or decided", {"outcome": "noted or decided"}
        )
    record_change(
        session,
        entry.meeting.case,
        actor=actor,
        party=party,
        changes={f"agenda.{entry.position}.outcome": [None, outcome]},
        comment=text or "",
        now=now,
    )


def approve_decision(
    session: Session, entry: AgendaEntry, *, actor: Actor, now: datetime | None = None
) -> FireResult:
    """Approve, for the actor's party, the decision or rejection recorded on an item; the
    case is decided (or rejected) when both parties have approved."""
    outcome = entry.outcome
    if entry.case is None or outcome not in NEEDS_BOTH_PARTIES:
        raise ValidationError(
            f"item {entry.position} of {entry.meeting.label} has no decision to approve",
            {"outcome": "no decision recorded"},
        )
    comment = entry.outcome_text if outcome == "rejected" else ""
    return fire(
        session, entry.case, NEEDS_BOTH_PARTIES[outcome], actor=actor, comment=comment, now=now
    )


def declare_disqualification(
    session: Session,
    entry: AgendaEntry,
    *,
    actor: Actor,
    person: Person | None = None,
    reason: str,
    now: datetime | None = None,
) -> Disqualification:
    """Record that a member is disqualified (inhabil) for an item: a member declares it for
    themselves, or the secretariat for them."""
    now = resolve(now)
    day = to_oslo(now).date()
    meeting = entry.meeting
    if person is None or person.id == actor.person_id:
        if actor.person_id is None:
            raise ValidationError("say who is disqualified", {"person": "required"})
        person_id = actor.person_id
        seat = actor.seats_in(meeting.council_id, day)
        party = seat[0].party if seat else None
    else:
        person_id = person.id
        party = _secretariat(actor, meeting, now, "declare a disqualification for someone else")
    _record_open(meeting)
    called = next((p for p in meeting.participants if p.person_id == person_id), None)
    if called is None or called.role not in DECIDING_ROLES:
        raise ValidationError(
            f"only a member called to {meeting.label} can be disqualified",
            {"person": "not a deciding participant"},
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("a disqualification needs its reason", {"reason": "required"})
    declared = session.scalar(
        select(func.count()).where(
            Disqualification.entry_id == entry.id, Disqualification.person_id == person_id
        )
    )
    if declared:
        raise Conflict(f"{called.name} is disqualified for item {entry.position} already")
    disqualification = Disqualification(
        entry_id=entry.id, person_id=person_id, reason=reason, declared_at=now
    )
    session.add(disqualification)
    session.flush()
    record_change(
        session,
        meeting.case,
        actor=actor,
        party=party,
        changes={f"agenda.{entry.position}.disqualified": [None, called.name]},
        # The reason may say what the item is about; the meeting's history is public.
        comment=reason if _public_item(entry) else "",
        now=now,
    )
    return disqualification


def _public_item(entry: AgendaEntry) -> bool:
    case = entry.case
    return entry.access == Access.PUBLIC and (case is None or case.access == Access.PUBLIC)


# --- what people see ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Standing:
    """What the access policy reads of a case, for a standing item, which has none."""

    access: str
    council_id: int
    title: str
    public_title: str


def sees_entry(actor: Actor, entry: AgendaEntry, day: date) -> bool:
    """Whether ``actor`` may see the item in full on ``day``; an item's case decides for it,
    as the case is now."""
    return visibility(actor, _shown(entry), day) == Visibility.FULL


def entry_title(actor: Actor, entry: AgendaEntry, day: date) -> str:
    """The item's title as ``actor`` may see it: the public title of an item they may not
    see in full."""
    shown = _shown(entry)
    return shown.title if sees_entry(actor, entry, day) else shown.public_title


def _shown(entry: AgendaEntry) -> Case | _Standing:
    if entry.case is not None:
        return entry.case
    return _Standing(entry.access, entry.meeting.council_id, entry.title, entry.public_title)


# --- the notice --------------------------------------------------------------------------


def send_notice(
    session: Session, meeting: Meeting, *, now: datetime, actor: Actor | None = None
) -> list[OutboxMessage]:
    """Queue the notice (innkalling) with the agenda to everyone called to the meeting, and
    register it, as the public reads it, as a document of the meeting."""
    for entry in meeting.agenda:
        if entry.case is not None:
            _copy_screening(entry)
    messages = _queue_notices(session, meeting, meeting.participants, now)
    council = session.get(Council, meeting.council_id)
    agenda, rows = _reader_agenda(session, council, meeting, Actor.public(), now)
    text = _notice_text(council, meeting, agenda, rows)
    store_notice(session, meeting, text, actor=actor or Actor.system(), now=now)
    return messages


def _reader_agenda(
    session: Session, council: Council, meeting: Meeting, reader: Actor, now: datetime
) -> tuple[list[dict], list]:
    """The agenda and the follow-up list as ``reader`` may read them."""
    day = to_oslo(now).date()
    follow_up = any(e.standing == "follow_up_list" for e in meeting.agenda)
    rows = follow_up_list(session, council, as_of=meeting.date, actor=reader) if follow_up else []
    agenda = [
        {
            "position": e.position,
            "title": entry_title(reader, e, day),
            # the number of a case the reader may not know exists is not shown either
            "case": e.case.number
            if e.case and visibility(reader, e.case, day) != Visibility.HIDDEN
            else None,
        }
        for e in meeting.agenda
    ]
    return agenda, rows


def _queue_notices(
    session: Session, meeting: Meeting, participants: Iterable[Participant], now: datetime
) -> list[OutboxMessage]:
    council = session.get(Council, meeting.council_id)
    messages = []
    for participant in participants:
        reader = actor_for(participant.person) if participant.person else Actor.public()
        agenda, rows = _reader_agenda(session, council, meeting, reader, now)
        payload = {
            "meeting": meeting.label,
            "date": meeting.date.isoformat(),
            "starts_at": meeting.starts_at.strftime("%H:%M") if meeting.starts_at else None,
            "location": meeting.location,
            "agenda": agenda,
        }
        if participant.person_id is None:
            payload.update(name=participant.name, email=participant.email)
        messages.append(
            queue(
                session,
                case=meeting.case,
                recipient_id=participant.person_id,
                topic="notice",
                subject=f"Innkalling: {meeting.case.title} ({meeting.label})",
                body=_notice_text(council, meeting, agenda, rows),
                payload=payload,
                now=now,
            )
        )
    session.flush()
    return messages


def _notice_text(council: Council, meeting: Meeting, agenda: list[dict], rows: list) -> str:
    when = long_date(meeting.date, weekday=True)
    if meeting.starts_at:
        when += f" kl. {meeting.starts_at:%H.%M}"
    kind = KIND_TITLES[meeting.kind].lower()
    lines = [f"{council.name} innkaller til {kind} {meeting.label}.", "", f"Tid: {when}"]
    if meeting.location:
        lines.append(f"Sted: {meeting.location}")
    lines += ["", "Saksliste:"]
    for item, entry in zip(agenda, meeting.agenda, strict=True):
        number = f" (sak {item['case']})" if item["case"] else ""
        lines.append(f"{item['position']}. {item['title']}{number}")
        if entry.standing == "follow_up_list":
            lines += [_follow_up_line(row) for row in rows] or [
                "   Ingen åpne oppfølgingspunkter eller oversendelser."
            ]
    return "\n".join(lines) + "\n"


def _follow_up_line(row) -> str:
    late = ", forfalt" if row.overdue else ""
    what = "Oversendelse" if row.kind == "referral" else "Oppfølgingspunkt"
    return (
        f"   – {what} i sak {row.case_number}: {row.description} "
        f"(ansvar: {row.owner}; frist {row.due:%d.%m.%Y}{late})"
    )


# --- who may ------------------------------------------------------------------------------


def _secretariat(actor: Actor, meeting: Meeting, now: datetime, doing: str) -> str | None:
    """The party the secretariat acts for (None for the scheduler); refuses anyone else."""
    if actor.is_system:
        return None
    seat = actor.seat_with_role(meeting.council_id, to_oslo(now).date(), (Role.SECRETARIAT,))
    if seat is None:
        raise PermissionDenied(f"only the secretariat may {doing}")
    return seat.party
