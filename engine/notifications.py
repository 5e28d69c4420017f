"""Delivering the outbox: the in-app inbox of each person and e-mail over SMTP.

Messages are queued in the transaction of the change that caused them
(``engine.outbox.queue``) and delivered here after commit, by the scheduler. A
message reaches the inbox once (the inbox is unique on the outbox id) and is
e-mailed once it has been accepted by the SMTP server (``email_sent_at``); a
server that fails leaves the message queued and tried again with backoff. An
e-mail that went out but whose success could not be recorded goes out again on
the next attempt with the same ``Message-ID``, so the duplicate is recognisable.

A reset link (``engine.services.accounts``) is the one message whose e-mail differs from
its inbox copy: its token is made as the e-mail goes out, and only the e-mail carries it.

The jobs here commit per message: they are a boundary like a view, not services.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol

from sqlalchemy import Select, and_, func, or_, select, update
from sqlalchemy.orm import Session

from engine import outbox
from engine.access import COUNCIL_ROLES
from engine.actors import actor_for
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.db import dialect_insert
from engine.models import (
    Action,
    Case,
    InboxMessage,
    Membership,
    OutboxMessage,
    Person,
    SentReminder,
)
from engine.models.enums import Access, OutboxStatus
from engine.models.followup import ACTION_STATUSES, CLOSED_ACTION_STATUSES
from engine.runtime import current_definitions
from engine.services import accounts
from engine.services.cases import available_transitions

log = logging.getLogger(__name__)

BATCH = 200
LEASE = timedelta(minutes=10)
"""How long a message being delivered is kept from other deliverers (a crash mid-send)."""
MAX_BACKOFF = timedelta(hours=6)
DIGEST_HORIZON = 14
"""The digest lists a person's actions due within this many days (and every overdue one)."""
OPEN_ACTION = tuple(s for s in ACTION_STATUSES if s not in CLOSED_ACTION_STATUSES)

# A text in both languages: locale → (subject, body).
Texts = Callable[[str], tuple[str, str]]


# --- composing and queuing -----------------------------------------------------------------


def format_day(day: date, locale: str) -> str:
    """A date as people read it: 05.03.2026, or 5 March 2026 in English."""
    if locale == "en":
        return f"{day.day} {day.strftime('%B')} {day.year}"
    return day.strftime("%d.%m.%Y")


def council_people(session: Session, council_id: int, roles: Iterable[str], day: date) -> list[int]:
    """The active people holding one of ``roles`` in the council on ``day``."""
    rows = session.execute(
        select(Membership)
        .join(Person, Person.id == Membership.person_id)
        .where(
            Membership.council_id == council_id,
            Membership.role.in_(tuple(roles)),
            Person.active.is_(True),
        )
        .order_by(Membership.person_id)
    ).scalars()
    return list(dict.fromkeys(m.person_id for m in rows if m.active_on(day)))


def notify(
    session: Session,
    *,
    case: Case,
    recipients: Iterable[int | None],
    topic: str,
    texts: Texts,
    now: datetime,
    payload: dict[str, Any] | None = None,
) -> int:
    """Queue one message per distinct recipient, each in the language they prefer."""
    wanted = list(dict.fromkeys(r for r in recipients if r is not None))
    if not wanted:
        return 0
    locales = dict(
        session.execute(select(Person.id, Person.locale).where(Person.id.in_(wanted))).all()
    )
    for person_id in wanted:
        subject, body = texts(locales.get(person_id, "nb"))
        outbox.queue(
            session,
            case=case,
            recipient_id=person_id,
            topic=topic,
            subject=subject,
            body=body,
            payload=payload,
            now=now,
        )
    return len(wanted)


def claim_once(session: Session, key: str, now: datetime) -> bool:
    """Record that the message named ``key`` went out; False if it already had.

    Inserted in the caller's transaction, so the record and the message commit
    together, and a concurrent sender that loses the race inserts nothing.
    """
    table = SentReminder.__table__
    statement = (
        dialect_insert(session, table)
        .values(key=key, at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.c.id)
    )
    return session.execute(statement).scalar_one_or_none() is not None


# --- e-mail ---------------------------------------------------------------------------------

TLS_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class SmtpSettings:
    """Where e-mail goes: ``POLITIRAD_SMTP_HOST``, ``_PORT``, ``_TLS``, ``_USER``,
    ``_PASSWORD`` and ``_SENDER``."""

    host: str
    sender: str
    port: int | None = None
    tls: str = "starttls"
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.tls not in TLS_MODES:
            raise ValueError(f"POLITIRAD_SMTP_TLS must be one of {', '.join(TLS_MODES)}")
        if "@" not in self.sender:
            raise ValueError("POLITIRAD_SMTP_SENDER must be an e-mail address")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> SmtpSettings | None:
        """The configured server, or None when no host is set (inbox only)."""
        host = environ.get("POLITIRAD_SMTP_HOST", "").strip()
        if not host:
            return None
        port = environ.get("POLITIRAD_SMTP_PORT", "").strip()
        return cls(
            host=host,
            sender=environ.get("POLITIRAD_SMTP_SENDER", "").strip(),
            port=int(port) if port else None,
            tls=environ.get("POLITIRAD_SMTP_TLS", "starttls").strip().lower(),
            user=environ.get("POLITIRAD_SMTP_USER") or None,
            password=environ.get("POLITIRAD_SMTP_PASSWORD") or None,
        )


class Mailer(Protocol):
    sender: str

    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """Sends each message over its own SMTP connection, so a dead connection never lingers."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.sender = settings.sender

    def send(self, message: EmailMessage) -> None:
        s = self.settings
        port = s.port or DEFAULT_PORTS[s.tls]
        if s.tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, port, timeout=s.timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(s.host, port, timeout=s.timeout)
        with smtp:
            if s.tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if s.user:
                smtp.login(s.user, s.password or "")
            smtp.send_message(message)


def configured_mailer() -> SmtpMailer | None:
    settings = SmtpSettings.from_environment()
    return SmtpMailer(settings) if settings else None


def message_id(outbox_id: int, sender: str) -> str:
    """The same Message-ID for every attempt at one outbox message."""
    return f"<politirad.outbox.{outbox_id}@{sender.rpartition('@')[2]}>"


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after the 1st, 2nd, 3rd … failure, at most six hours."""
    return min(timedelta(minutes=2 ** min(attempts - 1, 20)), MAX_BACKOFF)


# --- delivery -------------------------------------------------------------------------------

_OUTBOX = OutboxMessage.__table__


def deliver_outbox(
    session: Session, *, now: datetime | None = None, mailer: Mailer | None = None
) -> int:
    """Deliver every queued message that is due: inbox, and e-mail when configured.

    ``mailer`` defaults to the server configured in the environment. Returns the
    number of messages fully delivered in this run.
    """
    now = resolve(now)
    if mailer is None:
        mailer = configured_mailer()
    delivered = 0
    passed: set[int] = set()
    while True:
        query = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(BATCH)
        )
        if passed:
            query = query.where(OutboxMessage.id.not_in(passed))
        ids = session.scalars(query).all()
        session.commit()
        for outbox_id in ids:
            passed.add(outbox_id)
            try:
                delivered += _deliver(session, outbox_id, now, mailer)
            except Exception:
                session.rollback()
                log.exception(
                    "outbox message %s could not be delivered; it stays queued", outbox_id
                )
        if len(ids) < BATCH:
            return delivered


def _deliver(session: Session, outbox_id: int, now: datetime, mailer: Mailer | None) -> bool:
    claimed = session.execute(
        update(_OUTBOX)
        .where(
            _OUTBOX.c.id == outbox_id,
            _OUTBOX.c.status == OutboxStatus.PENDING,
            or_(_OUTBOX.c.next_attempt_at.is_(None), _OUTBOX.c.next_attempt_at <= now),
        )
        .values(next_attempt_at=now + LEASE)
    )
    if claimed.rowcount != 1:
        session.rollback()
        return False
    message = session.get(OutboxMessage, outbox_id, populate_existing=True)
    assert message is not None
    person = session.get(Person, message.recipient_id) if message.recipient_id else None
    if person is not None:
        _to_inbox(session, message)
    address = _address(message, person)
    if mailer is None or address is None or message.email_sent_at is not None:
        if person is None and message.email_sent_at is None:
            _finish(message, now, status=OutboxStatus.FAILED, error="nobody to deliver to")
            session.commit()
            return False
        _finish(message, now)
        session.commit()
        return True
    body = message.body
    if message.topic == accounts.RESET_TOPIC:
        body = accounts.link_for(session, message, now)
        if body is None:
            _finish(message, now, status=OutboxStatus.FAILED, error="the reset link lapsed")
            session.commit()
            return False
    # The inbox copy, the lease (and a reset link's hash) are kept whatever the server does.
    session.commit()
    try:
        mailer.send(_email(message, address, mailer.sender, now, body))
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        message.attempts += 1
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if _permanent(exc):
            _finish(message, now, status=OutboxStatus.FAILED, error=message.last_error)
        else:
            message.next_attempt_at = now + backoff(message.attempts)
        session.commit()
        log.warning("e-mail for outbox message %s failed: %s", outbox_id, message.last_error)
        return False
    message.attempts += 1
    message.email_sent_at = now
    _finish(message, now)
    session.commit()
    return True


def _to_inbox(session: Session, message: OutboxMessage) -> None:
    session.execute(
        dialect_insert(session, InboxMessage)
        .values(
            person_id=message.recipient_id,
            outbox_id=message.id,
            case_id=message.case_id,
            subject=message.subject,
            body=message.body,
            created_at=message.created_at,
        )
        .on_conflict_do_nothing(index_elements=["outbox_id"])
    )


def _address(message: OutboxMessage, person: Person | None) -> str | None:
    """The person's e-mail; a guest without an account is reached at ``payload["email"]``."""
    if person is not None:
        return person.email if person.active and person.email else None
    return (message.payload or {}).get("email") or None


def _email(
    message: OutboxMessage, address: str, sender: str, now: datetime, body: str
) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = address
    email["Subject"] = message.subject
    email["Message-ID"] = message_id(message.id, sender)
    email["Date"] = format_datetime(now)
    email.set_content(body or message.subject)
    return email


def _permanent(exc: Exception) -> bool:
    """A refusal no retry will change: a malformed address, or every recipient refused for good."""
    if isinstance(exc, ValueError):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return False


def _finish(
    message: OutboxMessage, now: datetime, *, status: str = OutboxStatus.SENT, error: str = ""
) -> None:
    message.status = status
    message.sent_at = now if status == OutboxStatus.SENT else None
    message.next_attempt_at = None
    if error:
        message.last_error = error


# --- daily digest ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Waiting:
    approvals: list[tuple[Case, str]]
    actions: list[Action]
    unread: int

    def __bool__(self) -> bool:
        return bool(self.approvals or self.actions or self.unread)


def send_digests(session: Session, *, now: datetime | None = None) -> int:
    """Queue each person's daily overview of what waits for them, at most once a day.

    It lists the approvals waiting for their party that they may give, their open
    actions due within two weeks or overdue, and how many of their messages are unread
    (see ``_unread``). Nobody is sent an empty digest. "Once a day" is the unique key
    ``digest:<person>:<day>`` (``claim_once``), claimed with the digest. Returns the number
    of digests queued.
    """
    now = resolve(now)
    today = to_oslo(now).date()
    people = session.scalars(
        select(Person).where(Person.active.is_(True), Person.memberships.any()).order_by(Person.id)
    ).all()
    candidates = _cases_awaiting_approval(session)
    sent = 0
    for person in people:
        actor = actor_for(person)
        seats = [s for s in actor.seats if s.active_on(today)]
        if not seats:
            continue
        waiting = _Waiting(
            approvals=[
                (case, option.label_en if person.locale == "en" else option.label_nb)
                for case in candidates
                if any(s.council_id == case.council_id and s.role in COUNCIL_ROLES for s in seats)
                for option in available_transitions(session, case, actor, now=now)
                if option.allowed and option.approvals_needed
            ],
            actions=list(
                session.scalars(
                    select(Action)
                    .where(
                        Action.owner_person_id == person.id,
                        Action.status.in_(OPEN_ACTION),
                        Action.due <= today + timedelta(days=DIGEST_HORIZON),
                    )
                    .order_by(Action.due, Action.id)
                )
            ),
            unread=session.scalar(_unread(person.id)) or 0,
        )
        if not waiting or not claim_once(session, f"digest:{person.id}:{today}", now):
            continue
        subject, body = _digest_text(waiting, today, person.locale)
        outbox.queue(
            session,
            case=None,
            council_id=seats[0].council_id,
            recipient_id=person.id,
            topic="digest",
            subject=subject,
            body=body,
            payload={"day": today.isoformat()},
            now=now,
        )
        sent += 1
    session.flush()
    return sent


def _unread(person_id: int) -> Select[tuple[int]]:
    """How many messages the person has not read: those in their inbox, and those still in
    the outbox on their way to it.

    Delivery puts a message in the inbox before it tries the e-mail, so a pending message
    with an inbox copy is counted there, and one without has not been delivered yet. The
    digest so says the same whether delivery ran before it or not: a person whose messages
    were queued a moment ago gets their digest now, not from a later run.
    """
    in_inbox = (
        select(func.count(InboxMessage.id))
        .where(InboxMessage.person_id == person_id, InboxMessage.read_at.is_(None))
        .scalar_subquery()
    )
    on_the_way = (
        select(func.count(OutboxMessage.id))
        .where(
            OutboxMessage.recipient_id == person_id,
            OutboxMessage.status == OutboxStatus.PENDING,
            ~select(InboxMessage.id).where(InboxMessage.outbox_id == OutboxMessage.id).exists(),
        )
        .scalar_subquery()
    )
    return select(in_inbox + on_the_way)


def _cases_awaiting_approval(session: Session) -> list[Case]:
    """Cases in a state with a two-party transition out of it (by the shipped workflows)."""
    clauses = []
    for definition in current_definitions().values():
        states = {s for t in definition.transitions if t.approvals for s in t.sources}
        if states:
            clauses.append(and_(Case.kind == definition.name, Case.state.in_(sorted(states))))
    if not clauses:
        return []
    return list(session.scalars(select(Case).where(or_(*clauses)).order_by(Case.id)))


def _digest_text(waiting: _Waiting, today: date, locale: str) -> tuple[str, str]:
    en = locale == "en"
    lines: list[str] = []
    if waiting.approvals:
        lines.append("Waiting for your approval:" if en else "Venter på din godkjenning:")
        lines += [
            f"  - {'Case' if en else 'Sak'} {case.number} «{case.public_title}»: {label}"
            for case, label in waiting.approvals
        ]
    if waiting.actions:
        lines.append(
            f"Your actions due within {DIGEST_HORIZON} days:"
            if en
            else f"Dine oppfølgingspunkter med frist innen {DIGEST_HORIZON} dager:"
        )
        for action in waiting.actions:
            overdue = (" (overdue)" if en else " (forfalt)") if action.due < today else ""
            what = (
                action.description
                if action.case.access == Access.PUBLIC
                else ("a screened action" if en else "et skjermet oppfølgingspunkt")
            )
            due = format_day(action.due, locale)
            lines.append(
                f"  - {'Case' if en else 'Sak'} {action.case.number}: {what}, "
                f"{'due' if en else 'frist'} {due}{overdue}"
            )
    if waiting.unread:
        lines.append(
            f"Unread messages in your inbox: {waiting.unread}"
            if en
            else f"Uleste meldinger i innboksen: {waiting.unread}"
        )
    day = format_day(today, locale)
    subject = f"Waiting for you, {day}" if en else f"Dette venter på deg {day}"
    return subject, "\n".join(lines) + "\n"
