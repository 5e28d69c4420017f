"""Access requests (innsynskrav): from the public form to a case, and what a grant releases.

Anyone may ask for access to a journal entry the public journal shows. The request
becomes a case of the ``access_request`` workflow, opened by the system on the
requester's behalf; the requester is known by name and e-mail only, which the case
keeps out of public view (it is exempt). A grant releases exactly the requested
document, a grant in part its redacted copy, by e-mail with a link that opens that
one file for that one release, until it expires.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit, outbox, storage
from engine.access import Visibility
from engine.actors import Actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.config import base_url
from engine.errors import NotFound, ValidationError
from engine.models import Case, Council, Document, Membership, Redaction, Release
from engine.models.enums import Access, EventKind, Role
from engine.services.cases import open_case
from engine.services.documents import document_visibility, get_document

KIND = "access_request"
RELEASE_VALID = timedelta(days=30)
REQUEST_BASIS = "offl. § 13 jf. fvl. § 13 første ledd nr. 1"
"""Why a request case is exempt: it names a private person, the requester."""
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_JOURNAL_NUMBER = re.compile(r"^\s*([0-9]{4})/([0-9]{1,9})-([0-9]{1,9})\s*$")
_DOCUMENT_ID = re.compile(r"[0-9]{1,9}")


@dataclass(frozen=True)
class ReleasedFile:
    filename: str
    content_type: str
    data: bytes


def find_entry(
    session: Session, council: Council, reference: str, *, now: datetime | None = None
) -> Document:
    """The document with journal number ``YYYY/N-M`` (or its id) that the public may see."""
    reference = (reference or "").strip()
    match = _JOURNAL_NUMBER.match(reference)
    if match:
        year, seq, number = (int(g) for g in match.groups())
        document = session.scalars(
            select(Document)
            .join(Case, Case.id == Document.case_id)
            .where(
                Case.council_id == council.id,
                Case.year == year,
                Case.seq == seq,
                Document.seq == number,
            )
        ).one_or_none()
    elif _DOCUMENT_ID.fullmatch(reference):
        document = session.get(Document, int(reference))
    else:
        raise ValidationError(
            f"'{reference}' is not a journal number like 2026/17-3",
            {"document": "not a journal number"},
        )
    today = to_oslo(resolve(now)).date()
    if (
        document is None
        or document.council_id != council.id
        or document_visibility(Actor.public(), document, today) == Visibility.HIDDEN
    ):
        raise ValidationError(
            f"the public journal of {council.name} has no entry {reference}",
            {"document": "no such journal entry"},
        )
    return document


def request_access(
    session: Session,
    council: Council,
    *,
    reference: str,
    name: str,
    email: str,
    message: str = "",
    now: datetime | None = None,
) -> Case:
    """Register a request from the public form as a case, and confirm it to the requester."""
    now = resolve(now)
    name, email, message = (name or "").strip(), (email or "").strip(), (message or "").strip()
    errors = {}
    if not name:
        errors["name"] = "required"
    if not _EMAIL.match(email):
        errors["email"] = "not an e-mail address"
    if errors:
        raise ValidationError("the request needs a name and an e-mail address", errors)
    document = find_entry(session, council, reference, now=now)
    request = open_case(
        session,
        council=council,
        kind=KIND,
        title=f"Innsynskrav i {document.number} fra {name}",
        public_title=f"Innsynskrav i {document.number}",
        access=Access.EXEMPT,
        legal_basis=REQUEST_BASIS,
        actor=Actor.system(),
        parent=document.case,
        data={
            "requester_name": name,
            "requester_email": email,
            "document_id": document.id,
            "received_on": to_oslo(now).date().isoformat(),
            "message": message,
        },
        now=now,
    )
    outbox.queue(
        session,
        case=None,
        council_id=council.id,
        recipient_id=None,
        topic="access_request_receipt",
        subject=f"Innsynskrav mottatt: {document.number}",
        body=(
            f"Vi har mottatt innsynskravet ditt i {document.number} «{document.public_title}» "
            f"og behandler det som sak {request.number}. Du får svar så snart som mulig, "
            "normalt innen tre virkedager.\n\n"
            f"Hilsen {council.name}\n"
        ),
        payload={"email": email, "name": name, "request": request.number},
        now=now,
    )
    for person_id in _secretariat(session, council, now):
        outbox.queue(
            session,
            case=request,
            recipient_id=person_id,
            topic="access_request",
            subject=f"Nytt innsynskrav i {document.number} (sak {request.number})",
            payload={"document": document.number},
            now=now,
        )
    return request


def _secretariat(session: Session, council: Council, now: datetime) -> list[int]:
    day = to_oslo(now).date()
    seats = session.scalars(
        select(Membership).where(
            Membership.council_id == council.id, Membership.role == Role.SECRETARIAT
        )
    )
    return sorted({m.person_id for m in seats if m.active_on(day)})


def requested_document(session: Session, request: Case) -> Document:
    """The document an access request asks for."""
    document = session.get(Document, int(request.data["document_id"]))
    if document is None:
        raise NotFound(f"the document of access request {request.number} is gone")
    return document


def release_for(
    session: Session, request: Case, *, partly: bool, now: datetime | None = None
) -> tuple[Release, str]:
    """Release the requested document (or, ``partly``, its newest redacted copy) to the
    requester: a link of its own by e-mail. Returns the release and the link's token."""
    now = resolve(now)
    if request.kind != KIND:
        raise ValidationError(f"case {request.number} is not an access request")
    document = requested_document(session, request)
    redaction = None
    if partly:
        redaction = session.scalars(
            select(Redaction)
            .where(Redaction.document_id == document.id)
            .order_by(Redaction.id.desc())
            .limit(1)
        ).first()
        if redaction is None:
            raise ValidationError(
                f"register a redacted copy of {document.number} before granting access in part",
                {"redaction": "required"},
            )
    token = secrets.token_urlsafe(32)
    release = Release(
        request_id=request.id,
        document_id=document.id,
        redaction_id=redaction.id if redaction else None,
        token_hash=_hash(token),
        released_at=now,
        expires_at=now + RELEASE_VALID,
    )
    session.add(release)
    session.flush()
    council = session.get(Council, request.council_id)
    link = f"{base_url()}/public/{council.slug}/documents/{document.id}?release={token}"
    what = f"en sladdet kopi av {document.number}" if redaction else document.number
    exempt = (
        f"Opplysninger i dokumentet er unntatt etter {request.data['refusal_basis']}.\n\n"
        if redaction
        else ""
    )
    outbox.queue(
        session,
        case=None,
        council_id=council.id,
        recipient_id=None,
        topic="access_release",
        subject=f"Svar på innsynskrav: {document.number}",
        body=(
            f"Du får innsyn i {what} «{document.public_title}».\n\n{exempt}"
            f"Dokumentet kan lastes ned her til og med {to_oslo(release.expires_at):%d.%m.%Y}:\n"
            f"{link}\n\nHilsen {council.name}\n"
        ),
        payload={"email": request.data.get("requester_email"), "request": request.number},
        now=now,
    )
    audit.append(
        session.connection(),
        request,
        kind=EventKind.UPDATE,
        actor=Actor.system(),
        party=None,
        at=now,
        changes={
            f"release.{release.id}": [
                None,
                {
                    "document": document.number,
                    "redaction": redaction.id if redaction else None,
                    "expires_at": release.expires_at.isoformat(),
                },
            ]
        },
        comment=f"Utlevert til innsynskrever: {document.number}"
        + (" (sladdet kopi)" if redaction else ""),
    )
    return release, token


def open_release(
    session: Session,
    council: Council,
    document_id: int,
    token: str,
    *,
    now: datetime | None = None,
) -> ReleasedFile:
    """The file a release link opens: only that release's file, only for that document, and
    only until it expires. Anything else is NotFound, so the link reveals nothing."""
    now = resolve(now)
    release = session.scalars(
        select(Release).where(Release.token_hash == _hash(token or ""))
    ).one_or_none()
    if release is None or release.document_id != document_id or release.expires_at <= now:
        raise NotFound("this download link is not valid (or no longer)")
    document = get_document(session, council, document_id)
    chosen = release.redaction or document
    return ReleasedFile(chosen.filename, chosen.content_type, storage.read(chosen.sha256))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
