"""Registering documents on cases and meetings, and reading them through the access policy.

Registering (journalføring) stores the file by its hash (``engine.storage``), gives the
document its number ``YYYY/N-M`` and its running journal number, decides its public
title (the title with the screened words as ``*****``) and audits it on its case. The
audit event names only what the public journal may show of the document, because the
case's history is read by everyone who sees the case in full.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from engine import audit, storage
from engine.access import (
    COUNCIL_ROLES,
    Visibility,
    editor_seat,
    visibility,
)
from engine.actors import Actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.db import next_number
from engine.errors import NotFound, PermissionDenied, ValidationError
from engine.models import (
    Case,
    Council,
    Document,
    DocumentCounter,
    JournalCounter,
    Meeting,
    Redaction,
)
from engine.models.documents import SCREENED, DocumentKind, EntryType
from engine.models.enums import Access, EventKind

_UNPUBLISHED = ("minutes_draft", "minutes_review", "minutes_approved")
"""Meeting states whose minutes only the council reads (``engine.services.minutes``)."""


def screen_title(title: str, words: Iterable[str]) -> str:
    """The title with every screened word (whole words, any case) shown as ``*****``."""
    for word in sorted({w for w in words if w}, key=len, reverse=True):
        title = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", SCREENED, title, flags=re.IGNORECASE)
    return title


def document_visibility(actor: Actor, document: Document, day: date) -> Visibility:
    """How much of ``document`` the actor may see: the stricter of its case and itself.

    A document of a restricted case is hidden with the case; otherwise the document's
    own access level decides, under the same rules as a case's. Approved minutes are
    registered at once but read outside the council only once the meeting publishes them.
    """
    of_case = visibility(actor, document.case, day)
    if of_case == Visibility.HIDDEN:
        return Visibility.HIDDEN
    if actor.is_system:
        return Visibility.FULL
    seat = actor.seat_with_role(document.council_id, day, COUNCIL_ROLES)
    if document.access == Access.PUBLIC:
        unpublished = document.kind == DocumentKind.MINUTES and document.case.state in _UNPUBLISHED
        return Visibility.TITLE_ONLY if unpublished and seat is None else Visibility.FULL
    if document.access == Access.RESTRICTED:
        return Visibility.FULL if seat is not None and seat.cleared else Visibility.HIDDEN
    return Visibility.FULL if seat is not None else Visibility.TITLE_ONLY


def register_document(
    session: Session,
    case: Case,
    *,
    actor: Actor,
    data: bytes,
    filename: str,
    title: str,
    kind: str,
    entry_type: str,
    document_date: date | None = None,
    access: str = Access.PUBLIC,
    legal_basis: str | None = None,
    public_title: str | None = None,
    screened_words: Iterable[str] = (),
    correspondent: str | None = None,
    correspondent_screened: bool | None = None,
    now: datetime | None = None,
) -> Document:
    """Register a document on ``case`` (journalfør): store the file, number it, audit it.

    A document of a restricted case is restricted too. Screened words need an access
    level other than public and must occur in the title. ``correspondent_screened``
    defaults to screening the sender or recipient of any document that is not public.
    """
    now = resolve(now)
    day = to_oslo(now).date()
    party = _registrar_party(actor, case, day)
    title = (title or "").strip()
    fields = _document_fields(
        case,
        title=title,
        kind=kind,
        entry_type=entry_type,
        access=access,
        legal_basis=legal_basis,
        public_title=public_title,
        screened_words=screened_words,
    )
    correspondent = (correspondent or "").strip() or None
    if correspondent_screened is None:
        correspondent_screened = correspondent is not None and fields["access"] != Access.PUBLIC
    filename = _filename(filename)
    stored = storage.put(data)
    conn = session.connection()
    audit.next_seq(conn)  # lock the chain's head first, as every writer does
    document = Document(
        council_id=case.council_id,
        case_id=case.id,
        seq=next_number(session, DocumentCounter, case_id=case.id),
        journal_year=day.year,
        journal_seq=next_number(session, JournalCounter, council_id=case.council_id, year=day.year),
        journal_date=day,
        document_date=document_date or day,
        correspondent=correspondent,
        correspondent_screened=correspondent_screened,
        filename=filename,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        created_at=now,
        created_by_id=actor.person_id,
        **fields,
    )
    document.case = case
    session.add(document)
    session.flush()
    audit.append(
        conn,
        case,
        kind=EventKind.UPDATE,
        actor=actor,
        party=party,
        at=now,
        changes={f"document.{document.seq}": [None, _audited(document)]},
        comment=f"Dokument {document.number} journalført.",
    )
    return document


def _document_fields(
    case: Case,
    *,
    title: str,
    kind: str,
    entry_type: str,
    access: str,
    legal_basis: str | None,
    public_title: str | None,
    screened_words: Iterable[str],
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "required"
    if kind not in tuple(DocumentKind):
        errors["kind"] = "unknown document kind"
    if entry_type not in tuple(EntryType):
        errors["entry_type"] = "unknown journal entry type"
    if access not in tuple(Access):
        errors["access"] = "unknown access level"
    if errors:
        raise ValidationError("the document cannot be registered as given", errors)
    if case.access == Access.RESTRICTED:
        access = Access.RESTRICTED
    legal_basis = (legal_basis or "").strip() or None
    words = sorted({w.strip() for w in screened_words if w and w.strip()})
    if access == Access.EXEMPT and legal_basis is None:
        raise ValidationError(
            "an exempt document needs its legal basis, e.g. 'offl. § 13 jf. fvl. § 13'",
            {"legal_basis": "required when exempt"},
        )
    if access == Access.PUBLIC:
        if words:
            raise ValidationError(
                "words are screened only in a document that is exempt or restricted",
                {"screened_words": "needs an exempt or restricted document"},
            )
        return {
            "title": title,
            "public_title": title,
            "screened_words": [],
            "access": access,
            "legal_basis": None,
            "kind": kind,
            "entry_type": entry_type,
        }
    missing = [w for w in words if screen_title(title, [w]) == title]
    if missing:
        raise ValidationError(
            f"not in the title: {', '.join(missing)}", {"screened_words": "not in the title"}
        )
    shown = screen_title((public_title or "").strip() or title, words)
    return {
        "title": title,
        "public_title": shown,
        "screened_words": words,
        "access": access,
        "legal_basis": legal_basis,
        "kind": kind,
        "entry_type": entry_type,
    }


def _audited(document: Document) -> dict[str, Any]:
    """What the case history keeps of a new document: nothing the public journal hides."""
    return {
        "number": document.number,
        "kind": document.kind,
        "entry_type": document.entry_type,
        "access": document.access,
        "legal_basis": document.legal_basis,
        "public_title": document.public_title,
        "sha256": document.sha256,
    }


def _registrar_party(actor: Actor, case: Case, day: date) -> str | None:
    """The party the actor registers for; only the secretariat and the leaders register."""
    seat = editor_seat(actor, case, day, "register documents")
    return seat.party if seat else None


def _filename(name: str) -> str:
    """The uploader's file name without any folder, for the download; never trusted for type."""
    base = re.split(r"[\\/]", (name or "").strip())[-1]
    base = re.sub(r"[\x00-\x1f\x7f\"]", "", base)[:255]
    return base or "dokument"


# --- reading --------------------------------------------------------------------------------


def get_document(session: Session, council: Council, document_id: int) -> Document:
    """The document with ``document_id`` in ``council`` (no access check: see ``open_document``)."""
    document = session.scalars(
        select(Document)
        .where(Document.id == document_id, Document.council_id == council.id)
        .options(selectinload(Document.case))
    ).one_or_none()
    if document is None:
        raise NotFound(f"no document {document_id} in {council.name}")
    return document


def visible_document(
    session: Session,
    council: Council,
    document_id: int,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> tuple[Document, Visibility]:
    """The document and how much the actor may see of it; hidden ones do not exist."""
    document = get_document(session, council, document_id)
    seen = document_visibility(actor, document, to_oslo(resolve(now)).date())
    if seen == Visibility.HIDDEN:
        raise NotFound(f"no document {document_id} in {council.name}")
    return document, seen


def open_document(
    session: Session,
    council: Council,
    document_id: int,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> tuple[Document, bytes]:
    """The document and its file, for an actor who may read it in full.

    Hidden documents are NotFound; exempt ones the actor sees only by title are
    PermissionDenied, naming the legal basis and how to ask for access.
    """
    document, seen = visible_document(session, council, document_id, actor=actor, now=now)
    if seen != Visibility.FULL:
        raise PermissionDenied(
            f"document {document.number} is exempt from public access "
            f"({document.legal_basis}); you may request access (innsyn)"
        )
    return document, storage.read(document.sha256)


def case_documents(
    session: Session, case: Case, *, actor: Actor, now: datetime | None = None
) -> list[tuple[Document, Visibility]]:
    """The case's documents the actor may know of, in order, each with what they may see."""
    day = to_oslo(resolve(now)).date()
    documents = session.scalars(
        select(Document).where(Document.case_id == case.id).order_by(Document.seq)
    )
    shown = []
    for document in documents:
        set_committed_value(document, "case", case)  # known already: no query, no change
        seen = document_visibility(actor, document, day)
        if seen != Visibility.HIDDEN:
            shown.append((document, seen))
    return shown


def shown_title(document: Document, seen: Visibility) -> str:
    """The title as the actor may read it: in full, or the public title."""
    return document.title if seen == Visibility.FULL else document.public_title


# --- redacted copies ------------------------------------------------------------------------


def add_redaction(
    session: Session,
    document: Document,
    *,
    actor: Actor,
    data: bytes,
    filename: str,
    note: str,
    now: datetime | None = None,
) -> Redaction:
    """Store a redacted copy of ``document`` (offentlig variant), saying what was removed."""
    now = resolve(now)
    day = to_oslo(now).date()
    case = document.case
    party = _registrar_party(actor, case, day)
    note = (note or "").strip()
    if not note:
        raise ValidationError(
            "say what was removed from the copy and on which legal basis", {"note": "required"}
        )
    stored = storage.put(data)
    if stored.sha256 == document.sha256:
        raise ValidationError(
            "the redacted copy is the same file as the document", {"file": "not redacted"}
        )
    conn = session.connection()
    audit.next_seq(conn)
    redaction = Redaction(
        document_id=document.id,
        note=note,
        filename=_filename(filename),
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        created_at=now,
        created_by_id=actor.person_id,
    )
    session.add(redaction)
    session.flush()
    audit.append(
        conn,
        case,
        kind=EventKind.UPDATE,
        actor=actor,
        party=party,
        at=now,
        changes={
            f"document.{document.seq}.redaction.{redaction.id}": [None, {"sha256": stored.sha256}]
        },
        comment=f"Sladdet kopi av {document.number}: {note}",
    )
    return redaction


# --- the notice and the minutes, as documents of the meeting -------------------------------


def store_notice(
    session: Session, meeting: Meeting, text: str, *, actor: Actor, now: datetime
) -> Document:
    """Register the notice (innkalling) as sent, in its public wording, on the meeting's case."""
    return _store_meeting_text(
        session,
        meeting,
        text,
        actor=actor,
        now=now,
        kind=DocumentKind.NOTICE,
        entry_type=EntryType.OUTGOING,
        title=f"Innkalling til {meeting.label}",
        filename=f"innkalling-{meeting.number}-{meeting.year}.txt",
        correspondent="Møtedeltakerne",
    )


def store_minutes(session: Session, meeting: Meeting, *, actor: Actor, now: datetime) -> Document:
    """Register the approved minutes (møteprotokoll) on the meeting's case."""
    if not meeting.minutes:
        raise ValidationError(f"{meeting.label} has no minutes to store", {"minutes": "required"})
    return _store_meeting_text(
        session,
        meeting,
        meeting.minutes,
        actor=actor,
        now=now,
        kind=DocumentKind.MINUTES,
        entry_type=EntryType.INTERNAL,
        title=f"Protokoll fra {meeting.label}",
        filename=f"protokoll-{meeting.number}-{meeting.year}.txt",
        correspondent=None,
    )


def _store_meeting_text(
    session: Session,
    meeting: Meeting,
    text: str,
    *,
    actor: Actor,
    now: datetime,
    kind: str,
    entry_type: str,
    title: str,
    filename: str,
    correspondent: str | None,
) -> Document:
    case = meeting.case
    return register_document(
        session,
        case,
        actor=actor,
        data=text.encode("utf-8"),
        filename=filename,
        title=title,
        kind=kind,
        entry_type=entry_type,
        access=case.access,
        legal_basis=case.legal_basis,
        correspondent=correspondent,
        correspondent_screened=False,
        now=now,
    )
