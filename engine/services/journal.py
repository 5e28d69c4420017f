"""The public journal (offentlig journal): every registered document the public may know of.

One row per journal entry in a date range of journal dates (journaldato), as the
Noark 5 requirements for the public journal describe: the journal number, dates,
type, the public title with screened words as ``*****``, the sender or recipient
unless screened, the case it belongs to (by its public title) and its exemption with
legal basis. Restricted documents, and every document of a restricted case, are not
in it. The same rows are written as CSV and JSON.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from engine.access import Visibility
from engine.actors import Actor
from engine.errors import ValidationError
from engine.models import Case, Council, Document
from engine.models.enums import Access
from engine.services.documents import document_visibility

MAX_DAYS = 366
DEFAULT_DAYS = 14


@dataclass(frozen=True)
class JournalRow:
    """One journal entry as the public sees it."""

    id: int
    number: str
    journal_number: str
    journal_date: date
    document_date: date
    entry_type: str
    kind: str
    title: str
    correspondent: str | None
    correspondent_screened: bool
    case_number: str
    case_title: str
    access: str
    legal_basis: str | None
    downloadable: bool

    def as_json(self) -> dict[str, Any]:
        values = asdict(self)
        values["journal_date"] = self.journal_date.isoformat()
        values["document_date"] = self.document_date.isoformat()
        return values


def journal_period(
    date_from: date | None, date_to: date | None, *, today: date
) -> tuple[date, date]:
    """The period asked for, by default the last two weeks; at most a year at a time."""
    date_to = date_to or today
    date_from = date_from or date_to - timedelta(days=DEFAULT_DAYS - 1)
    if date_from > date_to:
        raise ValidationError(
            "the period starts after it ends", {"from": "after the end of the period"}
        )
    if (date_to - date_from).days >= MAX_DAYS:
        raise ValidationError(
            f"choose a period of at most {MAX_DAYS} days", {"from": "period too long"}
        )
    return date_from, date_to


def public_journal(
    session: Session, council: Council, *, date_from: date, date_to: date, today: date
) -> list[JournalRow]:
    """The council's public journal for the journal dates ``date_from``–``date_to``."""
    public = Actor.public()
    documents = session.scalars(
        select(Document)
        .join(Case, Case.id == Document.case_id)
        .options(contains_eager(Document.case))
        .where(
            Document.council_id == council.id,
            Document.journal_date >= date_from,
            Document.journal_date <= date_to,
            Document.access != Access.RESTRICTED,
            Case.access != Access.RESTRICTED,
        )
        .order_by(Document.journal_date, Document.journal_year, Document.journal_seq)
    )
    rows = []
    for document in documents:
        seen = document_visibility(public, document, today)
        if seen == Visibility.HIDDEN:
            continue
        case = document.case
        rows.append(
            JournalRow(
                id=document.id,
                number=document.number,
                journal_number=document.journal_number,
                journal_date=document.journal_date,
                document_date=document.document_date,
                entry_type=document.entry_type,
                kind=document.kind,
                title=document.public_title,
                correspondent=None if document.correspondent_screened else document.correspondent,
                correspondent_screened=document.correspondent_screened,
                case_number=case.number,
                case_title=case.public_title,
                access=document.access,
                legal_basis=document.legal_basis,
                downloadable=seen == Visibility.FULL,
            )
        )
    return rows


CSV_COLUMNS = (
    ("number", "journalpostnummer"),
    ("journal_number", "løpenummer"),
    ("journal_date", "journaldato"),
    ("document_date", "dokumentdato"),
    ("entry_type", "type"),
    ("title", "tittel"),
    ("correspondent", "avsender/mottaker"),
    ("case_number", "saksnummer"),
    ("case_title", "sakstittel"),
    ("access", "tilgang"),
    ("legal_basis", "hjemmel"),
)
ENTRY_TYPE_CODES = {"incoming": "I", "outgoing": "U", "internal": "N", "memo": "X"}


def journal_csv(rows: list[JournalRow]) -> str:
    """The rows as CSV with a header of Norwegian column names (UTF-8, comma-separated)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([label for _name, label in CSV_COLUMNS])
    for row in rows:
        values = asdict(row)
        values["entry_type"] = ENTRY_TYPE_CODES[row.entry_type]
        if row.correspondent_screened:
            values["correspondent"] = "*****"
        writer.writerow([_cell(values[name]) for name, _label in CSV_COLUMNS])
    return out.getvalue()


def _cell(value: Any) -> str:
    """The value as text a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def journal_json(council: Council, rows: list[JournalRow], date_from: date, date_to: date) -> dict:
    """The rows as a JSON document with the council and the period."""
    return {
        "council": council.slug,
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "entries": [row.as_json() for row in rows],
    }
