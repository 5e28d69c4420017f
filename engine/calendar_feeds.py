"""iCalendar feeds: a council's public meeting calendar, and each person's own feed of their
meetings, follow-up actions and deadlines behind a secret, revocable URL.

A feed leaves the system for calendar programs and the services that sync them, so it
shows no more than the public may read of anything that is not public: an exempt or
restricted case, agenda item or action shows only its public title, whoever the feed
belongs to, and what the feed's owner may not know of at all is not in it.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import Select, bindparam, or_, select, update
from sqlalchemy.orm import Session, aliased, selectinload

from engine.access import COUNCIL_ROLES, EDITOR_ROLES, Visibility, visibility
from engine.actors import Actor, actor_for
from engine.calendar import OSLO, to_oslo
from engine.clock import resolve
from engine.errors import NotFound
from engine.models import (
    Action,
    AgendaEntry,
    Case,
    Council,
    Deadline,
    FeedToken,
    Meeting,
    Participant,
    Person,
)
from engine.models.enums import Access, DeadlineStatus
from engine.models.followup import CLOSED_ACTION_STATUSES
from engine.runtime import definition_of

PRODUCT = "-//politirad//politirad//NO"
MEETING_LENGTH = timedelta(hours=2)
"""Meetings have a start time but no end; a calendar needs one."""
HISTORY = timedelta(days=366)
"""How far back a feed reaches: a year of past meetings, and everything ahead."""

MeetingLink = Callable[[Meeting], str | None]


# --- the feed's secret ---------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feed(session: Session, person: Person) -> FeedToken | None:
    """The person's feed that works now, if they have one."""
    return session.scalars(
        select(FeedToken).where(FeedToken.person_id == person.id, FeedToken.revoked_at.is_(None))
    ).first()


def create_feed(session: Session, person: Person, *, now: datetime | None = None) -> str:
    """A new secret feed token for ``person``; the one they had stops working. Only the
    token's hash is stored, so this is the one time it can be shown."""
    now = resolve(now)
    revoke_feed(session, person, now=now)
    token = secrets.token_urlsafe(32)
    session.add(FeedToken(person_id=person.id, token_hash=token_hash(token), created_at=now))
    session.flush()
    return token


def revoke_feed(session: Session, person: Person, *, now: datetime | None = None) -> bool:
    """End the person's feed; True if they had one."""
    result = session.execute(
        update(FeedToken)
        .where(FeedToken.person_id == person.id, FeedToken.revoked_at.is_(None))
        .values(revoked_at=resolve(now))
    )
    session.flush()
    return bool(result.rowcount)


def feed_owner(session: Session, token: str) -> Person:
    """The person whose feed ``token`` opens; NotFound for an unknown or revoked token, or a
    deactivated person (the same answer for each, so a token cannot be probed)."""
    person = session.scalars(
        select(Person)
        .join(FeedToken, FeedToken.person_id == Person.id)
        .where(FeedToken.token_hash == token_hash(token), FeedToken.revoked_at.is_(None))
        .options(selectinload(Person.memberships))
    ).one_or_none()
    if person is None or not person.active:
        raise NotFound("no such calendar feed")
    return person


# --- what a feed may show ------------------------------------------------------------------


def feed_title(record: Case | AgendaEntry, public: bool = True) -> str:
    """The title a feed shows: the title of a public record, else its public title."""
    return record.title if public and record.access == Access.PUBLIC else record.public_title


def _entry_shown(entry: AgendaEntry) -> Case | AgendaEntry:
    """An agenda item's access is its case's; a standing item has its own."""
    return entry.case if entry.case is not None else entry


@dataclass(frozen=True)
class _Unit:
    council_id: int
    access: str


def _seen(actor: Actor, record: Case | AgendaEntry, council_id: int, day: date) -> Visibility:
    if isinstance(record, Case):
        return visibility(actor, record, day)
    return visibility(actor, _Unit(council_id, record.access), day)


# --- the public meeting calendar -----------------------------------------------------------


def public_calendar(
    session: Session,
    council: Council,
    *,
    now: datetime | None = None,
    link: MeetingLink | None = None,
) -> bytes:
    """The council's meetings as the public sees them, from a year back and ahead."""
    now = resolve(now)
    public = Actor.public()
    calendar = _calendar(f"Møter i {council.name}", now)
    for meeting in _meetings(session, [council.id], now):
        event = _meeting_event(public, meeting, council, now, link)
        if event is not None:
            calendar.add_component(event)
    return calendar.to_ical()


def _public_calendar_inputs_query() -> Select:
    meeting_case = aliased(Case)
    entry_case = aliased(Case)
    return (
        select(
            Meeting.case_id,
            Meeting.council_id,
            Meeting.year,
            Meeting.number,
            Meeting.date,
            Meeting.starts_at,
            Meeting.location,
            meeting_case.council_id,
            meeting_case.title,
            meeting_case.public_title,
            meeting_case.access,
            meeting_case.state,
            AgendaEntry.id,
            AgendaEntry.position,
            AgendaEntry.title,
            AgendaEntry.public_title,
            AgendaEntry.access,
            entry_case.id,
            entry_case.council_id,
            entry_case.title,
            entry_case.public_title,
            entry_case.access,
        )
        .join(meeting_case, meeting_case.id == Meeting.case_id)
        .outerjoin(AgendaEntry, AgendaEntry.meeting_id == Meeting.case_id)
        .outerjoin(entry_case, entry_case.id == AgendaEntry.case_id)
        .where(Meeting.council_id == bindparam("council_id"), Meeting.date >= bindparam("since"))
        .order_by(Meeting.date, Meeting.number, Meeting.case_id, AgendaEntry.position)
    )


_PUBLIC_CALENDAR_INPUTS = _public_calendar_inputs_query()
"""Built once: making the aliases costs more than running the query."""


def public_calendar_inputs(session: Session, council: Council, now: datetime) -> tuple:
    """Every value of the database that ``public_calendar`` reads for ``council`` at ``now``
    (but the council's own row), as plain rows in one query: while they are equal, so is
    the feed, but for its DTSTAMP. Whatever ``public_calendar`` comes to read, this must
    read too."""
    since = to_oslo(now - HISTORY).date()
    rows = session.connection().execute(
        _PUBLIC_CALENDAR_INPUTS, {"council_id": council.id, "since": since}
    )
    return tuple(tuple(row) for row in rows)


class PublicCalendars:
    """The public feeds made last, each kept beside the inputs it was made from.

    A feed is served again only while ``public_calendar_inputs`` (one plain query) still
    returns exactly those inputs, so a change to a meeting, its case or its agenda shows
    in the very next answer; what stays is DTSTAMP, the time the feed was made. ``key``
    names whatever else the feed depends on (the address its meeting links start with).
    Safe for threads; holds at most ``size`` feeds.
    """

    def __init__(self, size: int = 32):
        self._size = size
        self._feeds: OrderedDict[Hashable, tuple[tuple, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def feed(
        self,
        session: Session,
        council: Council,
        *,
        now: datetime | None = None,
        link: MeetingLink | None = None,
        key: Hashable = None,
    ) -> bytes:
        """The council's public feed, made anew only when its inputs changed."""
        now = resolve(now)
        slot = (council.id, council.slug, council.name, to_oslo(now - HISTORY).date(), key)
        inputs = public_calendar_inputs(session, council, now)
        with self._lock:
            kept = self._feeds.get(slot)
        if kept is not None and kept[0] == inputs:
            return kept[1]
        body = public_calendar(session, council, now=now, link=link)
        with self._lock:
            self._feeds[slot] = (inputs, body)
            self._feeds.move_to_end(slot)
            while len(self._feeds) > self._size:
                self._feeds.popitem(last=False)
        return body


# --- a person's own feed -------------------------------------------------------------------


def personal_calendar(
    session: Session,
    person: Person,
    *,
    now: datetime | None = None,
    link: MeetingLink | None = None,
) -> bytes:
    """The person's meetings, the due dates of the actions they own and the deadlines of the
    cases they run, as they may see them today and no more than a feed may show."""
    now = resolve(now)
    day = to_oslo(now).date()
    actor = actor_for(person)
    councils = {
        c.id: c
        for c in session.scalars(
            select(Council).where(Council.id.in_({s.council_id for s in actor.seats}))
        )
    }
    calendar = _calendar(f"politirad: {person.display_name}", now)
    for meeting in _own_meetings(session, actor, person, councils, now):
        council = councils.get(meeting.council_id) or session.get(Council, meeting.council_id)
        event = _meeting_event(actor, meeting, council, now, link)
        if event is not None:
            calendar.add_component(event)
    for event in _action_events(session, actor, person, day, now):
        calendar.add_component(event)
    for event in _deadline_events(session, actor, person, day, now):
        calendar.add_component(event)
    return calendar.to_ical()


def _own_meetings(
    session: Session, actor: Actor, person: Person, councils: dict[int, Council], now: datetime
) -> list[Meeting]:
    """Meetings the person is called to, and every meeting of a council they sit on (on the
    meeting's day) as a member, leader or in the secretariat."""
    meetings = _meetings(session, list(councils), now, called=person.id)
    return [
        m
        for m in meetings
        if any(p.person_id == person.id for p in m.participants)
        or actor.seat_with_role(m.council_id, m.date, COUNCIL_ROLES) is not None
    ]


def _meetings(
    session: Session, council_ids: Iterable[int], now: datetime, *, called: int | None = None
) -> list[Meeting]:
    """Meetings of the councils (and those ``called`` is called to), from a year back."""
    since = to_oslo(now - HISTORY).date()
    where = Meeting.council_id.in_(list(council_ids))
    if called is not None:
        invited = select(Participant.meeting_id).where(Participant.person_id == called)
        where = or_(where, Meeting.case_id.in_(invited))
    return list(
        session.scalars(
            select(Meeting)
            .where(where, Meeting.date >= since)
            .options(
                selectinload(Meeting.case),
                selectinload(Meeting.participants),
                selectinload(Meeting.agenda).selectinload(AgendaEntry.case),
            )
            .order_by(Meeting.date, Meeting.number)
        )
    )


def _meeting_event(
    actor: Actor, meeting: Meeting, council: Council, now: datetime, link: MeetingLink | None
) -> Event | None:
    day = to_oslo(now).date()
    case = meeting.case
    if visibility(actor, case, day) == Visibility.HIDDEN:
        return None
    event = Event()
    event.add("uid", f"meeting-{case.id}@{council.slug}.politirad")
    event.add("dtstamp", now)
    event.add("summary", f"{meeting.label}: {feed_title(case)}")
    if meeting.starts_at is not None:
        start = datetime.combine(meeting.date, meeting.starts_at, tzinfo=OSLO).astimezone(UTC)
        event.add("dtstart", start)
        event.add("dtend", start + MEETING_LENGTH)
    else:
        event.add("dtstart", meeting.date)
        event.add("dtend", meeting.date + timedelta(days=1))
    if meeting.location:
        event.add("location", meeting.location)
    if case.state == "cancelled":
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    # No item numbers: a gap where a hidden item sits would tell that it exists.
    agenda = [
        f"– {feed_title(_entry_shown(entry))}"
        for entry in meeting.agenda
        if _seen(actor, _entry_shown(entry), meeting.council_id, day) != Visibility.HIDDEN
    ]
    if agenda:
        event.add("description", "Saksliste:\n" + "\n".join(agenda))
    url = link(meeting) if link is not None else None
    if url:
        event.add("url", url)
    return event


def _action_events(
    session: Session, actor: Actor, person: Person, day: date, now: datetime
) -> list[Event]:
    actions = session.scalars(
        select(Action)
        .where(
            Action.owner_person_id == person.id,
            Action.status.not_in(CLOSED_ACTION_STATUSES),
            Action.due >= to_oslo(now - HISTORY).date(),
        )
        .options(selectinload(Action.case))
        .order_by(Action.due, Action.id)
    )
    events = []
    for action in actions:
        case = action.case
        if visibility(actor, case, day) == Visibility.HIDDEN:
            continue
        what = action.description if case.access == Access.PUBLIC else case.public_title
        events.append(
            _all_day(
                f"action-{action.id}@politirad",
                f"Oppfølging {case.number}: {what}",
                action.due,
                now,
            )
        )
    return events


def _deadline_events(
    session: Session, actor: Actor, person: Person, day: date, now: datetime
) -> list[Event]:
    """Pending deadlines of the cases the person runs: every case of a council where they
    lead or sit in the secretariat, and the cases they opened elsewhere."""
    running = [s.council_id for s in actor.seats if s.role in EDITOR_ROLES and s.active_on(day)]
    rows = session.execute(
        select(Deadline, Case)
        .join(Case, Case.id == Deadline.case_id)
        .where(
            Deadline.status == DeadlineStatus.PENDING,
            or_(Case.council_id.in_(running), Case.created_by_id == person.id),
        )
        .order_by(Deadline.due, Deadline.id)
    )
    events = []
    for deadline, case in rows:
        if visibility(actor, case, day) == Visibility.HIDDEN:
            continue
        label, on = _deadline_day(session, case, deadline)
        events.append(
            _all_day(
                f"deadline-{deadline.id}@politirad",
                f"{label}: {case.number} {feed_title(case)}",
                on,
                now,
            )
        )
    return events


def _deadline_day(session: Session, case: Case, deadline: Deadline) -> tuple[str, date]:
    """The deadline's label and its day in Oslo: a deadline (frist) falls at the end of its
    day, an effective date at the start."""
    spec = next(
        (
            d
            for state in definition_of(session, case).states
            for d in state.deadlines
            if d.name == deadline.name
        ),
        None,
    )
    local = to_oslo(deadline.due)
    if spec is None or spec.at == "end_of_day":
        local -= timedelta(microseconds=1)
    return (spec.labels.nb if spec else deadline.name), local.date()


def _all_day(uid: str, summary: str, on: date, now: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("summary", summary)
    event.add("dtstart", on)
    event.add("dtend", on + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    return event


def _calendar(name: str, now: datetime) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Oslo")
    return calendar
