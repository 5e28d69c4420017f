"""What one extract holds: the council's cases, meetings, documents and events of a period,
each as the exporting actor may see it.

The period selects the folders (mapper): a case belongs to the extract whose period
holds the day it was opened (saksdato), a meeting to the one holding its meeting day.
A folder carries its documents and its change log up to the cut-off, the end of the
period (or the moment of the export, if that is earlier). The journals select
journal entries by their journal date (journaldato) instead, as a journal does.

Nothing passes the access policy unchecked: a case or document hidden from the actor
is left out altogether; one they may see only by its public title shows that title,
its screening and no file; the change log holds only the cases they see in full, and
no event about a document hidden from them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.access import Visibility, visibility
from engine.actors import Actor
from engine.calendar import day_start, to_oslo
from engine.clock import resolve
from engine.errors import ValidationError
from engine.models import AgendaEntry, Case, CaseEvent, Council, Document, Meeting, Person
from engine.models.enums import Access
from engine.runtime import definition_of
from engine.services.documents import document_visibility


@dataclass(frozen=True)
class Period:
    """Both days included, in Europe/Oslo."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError(
                f"the period ends ({self.end}) before it starts ({self.start})",
                {"to": "before from"},
            )

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def end_moment(self) -> datetime:
        """The first instant after the period, in UTC."""
        return day_start(self.end + timedelta(days=1))


@dataclass
class Folder:
    """A case (saksmappe) or a meeting (møtemappe) as the actor may see it."""

    case: Case
    full: bool
    terminal: bool
    meeting: Meeting | None = None
    documents: list[tuple[Document, bool]] = field(default_factory=list)
    """each with whether the actor sees it in full"""
    entries: list[tuple[AgendaEntry, bool]] = field(default_factory=list)
    """a meeting's agenda items the actor may know of, each with whether they see it in full"""
    events: list[CaseEvent] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.case.title if self.full else self.case.public_title


@dataclass
class Extract:
    council: Council
    actor: Actor
    period: Period
    cut_off: datetime
    folders: list[Folder]
    journal: list[tuple[Document, bool]]
    """journal entries with their journal date in the period, oldest first"""
    people: dict[int, str]
    """display names of the people who created or changed something, by id"""

    @property
    def cases(self) -> list[Folder]:
        return [f for f in self.folders if f.meeting is None]

    @property
    def meetings(self) -> list[Folder]:
        return [f for f in self.folders if f.meeting is not None]

    @property
    def events(self) -> list[CaseEvent]:
        return [event for folder in self.folders for event in folder.events]

    @property
    def documents(self) -> list[tuple[Document, bool]]:
        return [doc for folder in self.folders for doc in folder.documents]


def collect(
    session: Session,
    actor: Actor,
    council: Council,
    period: Period,
    *,
    now: datetime | None = None,
) -> Extract:
    """Everything the extract of ``council`` for ``period`` holds for ``actor``."""
    now = resolve(now)
    day = to_oslo(now).date()
    cut_off = min(period.end_moment, now)
    folders = _case_folders(session, actor, council, period, day)
    folders += _meeting_folders(session, actor, council, period, day)
    folders.sort(key=lambda f: (f.case.year, f.case.seq))
    by_case = {folder.case.id: folder for folder in folders}
    _add_documents(session, actor, by_case, period, day)
    _add_events(session, actor, by_case, cut_off, day)
    journal = _journal(session, actor, council, period, day)
    people = _people(session, folders, journal)
    return Extract(council, actor, period, cut_off, folders, journal, people)


def _folder(session: Session, actor: Actor, case: Case, day: date) -> Folder | None:
    seen = visibility(actor, case, day)
    if seen == Visibility.HIDDEN:
        return None
    terminal = definition_of(session, case).state(case.state).terminal
    return Folder(case=case, full=seen == Visibility.FULL, terminal=terminal)


def _case_folders(
    session: Session, actor: Actor, council: Council, period: Period, day: date
) -> list[Folder]:
    cases = session.scalars(
        select(Case)
        .where(
            Case.council_id == council.id,
            Case.kind != "meeting",
            Case.created_at >= day_start(period.start),
            Case.created_at < period.end_moment,
        )
        .options(selectinload(Case.bydeler), selectinload(Case.priority_areas))
        .order_by(Case.year, Case.seq)
    )
    return [f for case in cases if (f := _folder(session, actor, case, day)) is not None]


def _meeting_folders(
    session: Session, actor: Actor, council: Council, period: Period, day: date
) -> list[Folder]:
    meetings = session.scalars(
        select(Meeting)
        .where(
            Meeting.council_id == council.id,
            Meeting.date >= period.start,
            Meeting.date <= period.end,
        )
        .options(
            selectinload(Meeting.case),
            selectinload(Meeting.participants),
            selectinload(Meeting.agenda).selectinload(AgendaEntry.case),
        )
        .order_by(Meeting.date, Meeting.number)
    )
    folders = []
    for meeting in meetings:
        folder = _folder(session, actor, meeting.case, day)
        if folder is None:
            continue
        folder.meeting = meeting
        for entry in meeting.agenda:
            shown = entry.case if entry.case is not None else entry
            seen = visibility(actor, _standing(shown, meeting), day)
            if seen != Visibility.HIDDEN:
                folder.entries.append((entry, seen == Visibility.FULL and folder.full))
        folders.append(folder)
    return folders


@dataclass(frozen=True)
class _Unit:
    """What the access policy reads of a record: its council and access level."""

    council_id: int
    access: str


def _standing(shown: Case | AgendaEntry, meeting: Meeting) -> Case | _Unit:
    """What the access policy reads of an agenda item: its case, or for a standing item
    (which has none) the item's own access level in the meeting's council."""
    if isinstance(shown, Case):
        return shown
    return _Unit(meeting.council_id, shown.access or Access.PUBLIC)


def _add_documents(
    session: Session, actor: Actor, by_case: dict[int, Folder], period: Period, day: date
) -> None:
    if not by_case:
        return
    documents = session.scalars(
        select(Document)
        .where(Document.case_id.in_(by_case), Document.journal_date <= period.end)
        .options(selectinload(Document.redactions))
        .order_by(Document.case_id, Document.seq)
    )
    for document in documents:
        folder = by_case[document.case_id]
        document.case = folder.case
        seen = document_visibility(actor, document, day)
        if seen != Visibility.HIDDEN:
            folder.documents.append((document, seen == Visibility.FULL))


def _add_events(
    session: Session, actor: Actor, by_case: dict[int, Folder], cut_off: datetime, day: date
) -> None:
    """The events of the cases the actor sees in full, but not those that register or
    change a document hidden from them: the event would tell that it exists."""
    full = [case_id for case_id, folder in by_case.items() if folder.full]
    if not full:
        return
    hidden = set()
    for document in session.scalars(select(Document).where(Document.case_id.in_(full))):
        document.case = by_case[document.case_id].case
        if document_visibility(actor, document, day) == Visibility.HIDDEN:
            hidden.add((document.case_id, document.seq))
    events = session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id.in_(full), CaseEvent.at < cut_off)
        .order_by(CaseEvent.seq)
    )
    for event in events:
        if hidden and any((event.case_id, seq) in hidden for seq in _documents_of(event)):
            continue
        by_case[event.case_id].events.append(event)


def _documents_of(event: CaseEvent) -> list[int]:
    """The numbers (in their case) of the documents an event registers or changes."""
    return [
        int(key.split(".")[1])
        for key in json.loads(event.changes or "{}")
        if key.startswith("document.") and key.split(".")[1].isdigit()
    ]


def _journal(
    session: Session, actor: Actor, council: Council, period: Period, day: date
) -> list[tuple[Document, bool]]:
    documents = session.scalars(
        select(Document)
        .where(
            Document.council_id == council.id,
            Document.journal_date >= period.start,
            Document.journal_date <= period.end,
        )
        .options(selectinload(Document.case))
        .order_by(Document.journal_year, Document.journal_seq)
    )
    journal = []
    for document in documents:
        seen = document_visibility(actor, document, day)
        if seen != Visibility.HIDDEN:
            journal.append((document, seen == Visibility.FULL))
    return journal


def _people(
    session: Session, folders: list[Folder], journal: list[tuple[Document, bool]]
) -> dict[int, str]:
    ids: set[int] = set()
    for folder in folders:
        ids.update(filter(None, [folder.case.created_by_id]))
        ids.update(filter(None, (doc.created_by_id for doc, _ in folder.documents)))
    ids.update(filter(None, (doc.created_by_id for doc, _ in journal)))
    if not ids:
        return {}
    rows = session.execute(select(Person.id, Person.display_name).where(Person.id.in_(ids)))
    return dict(rows.all())
