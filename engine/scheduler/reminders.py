"""Reminders before due dates: deadlines and follow-up actions, 14 and 3 days ahead by default.

A reminder day that is not a working day moves to the working day before it.
Reminders go out on working days only; a run that finds a reminder day already
passed (the scheduler was down) sends the reminder then, unless the next, nearer
one is already due, so a person gets the reminder that fits the time left, once.
Effective dates ("in force from") are not reminded of: they take effect by
themselves and ask nothing of anyone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.calendar import add_period, deadline_moment, is_working_day, to_oslo
from engine.clock import resolve
from engine.models import Action, Case, Deadline
from engine.models.enums import Access, DeadlineStatus
from engine.notifications import OPEN_ACTION, claim_once, council_people, format_day, notify
from engine.runtime import definition_of
from engine.scheduler.deadline_tick import REMINDED, deadline_day

DEFAULT_OFFSETS = (14, 3)
OFFSETS_ENV = "POLITIRAD_REMINDER_OFFSETS"
ROLL_BACK_MARGIN = 10
"""More days than any run of weekends and holidays a reminder day can roll back over."""


def configured_offsets(environ: Mapping[str, str] = os.environ) -> tuple[int, ...]:
    """``POLITIRAD_REMINDER_OFFSETS`` (days before the due date, e.g. ``14,3``), or 14 and 3."""
    text = environ.get(OFFSETS_ENV, "").strip()
    if not text:
        return DEFAULT_OFFSETS
    offsets = tuple(int(part) for part in text.split(",") if part.strip().isdigit())
    if len(offsets) != len(text.split(",")) or min(offsets) < 1:
        raise ValueError(f"{OFFSETS_ENV} must be whole days like 14,3, not {text!r}")
    return offsets


def reminder_day(due: date, offset: int) -> date:
    """The working day on which the ``offset``-day reminder of ``due`` goes out."""
    return add_period(due, -offset, "days")


def current_offset(due: date, today: date, offsets: Sequence[int]) -> int | None:
    """The nearest offset whose reminder day has come, or None (too early, or already due)."""
    if today > due:
        return None
    reached = [k for k in offsets if reminder_day(due, k) <= today]
    return min(reached) if reached else None


def send_reminders(
    session: Session, *, now: datetime | None = None, offsets: Sequence[int] | None = None
) -> int:
    """Queue the reminders due today for pending deadlines and open actions, each once.

    ``offsets`` are days before the due date, by default as configured (14 and 3).
    Each reminder is keyed ``deadline:<id>:<offset>`` or ``action:<id>:<offset>``
    in ``SentReminder``, in the same transaction as its messages. Returns how many
    items were reminded of.
    """
    offsets = configured_offsets() if offsets is None else tuple(offsets)
    if not offsets or min(offsets) < 1:
        raise ValueError("reminder offsets are whole days before the due date, at least 1")
    now = resolve(now)
    today = to_oslo(now).date()
    if not is_working_day(today):
        return 0
    horizon = today + timedelta(days=max(offsets) + ROLL_BACK_MARGIN)
    sent = _deadlines(session, now, today, horizon, offsets) + _actions(
        session, now, today, horizon, offsets
    )
    session.flush()
    return sent


def _deadlines(
    session: Session, now: datetime, today: date, horizon: date, offsets: Sequence[int]
) -> int:
    sent = 0
    rows = session.execute(
        select(Deadline, Case)
        .join(Case, Case.id == Deadline.case_id)
        .where(
            Deadline.status == DeadlineStatus.PENDING,
            Deadline.due > now,
            Deadline.due <= deadline_moment(horizon),
        )
        .order_by(Deadline.due, Deadline.id)
    )
    for deadline, case in rows:
        if deadline.state_entry != case.state_entry:
            continue
        spec = next(
            (
                s
                for s in definition_of(session, case).state(case.state).deadlines
                if s.name == deadline.name
            ),
            None,
        )
        if spec is None or spec.at != "end_of_day":
            continue
        due = deadline_day(deadline.due)
        offset = current_offset(due, today, offsets)
        if offset is None or not claim_once(session, f"deadline:{deadline.id}:{offset}", now):
            continue

        def texts(locale: str, case=case, label=spec.labels.get, due=due) -> tuple[str, str]:
            when, left = format_day(due, locale), _days_left(due, today, locale)
            if locale == "en":
                return (
                    f"Reminder: {label('en')} on {when} – case {case.number}",
                    f"The deadline «{label('en')}» for case {case.number} "
                    f"«{case.public_title}» is on {when}, {left}.\n",
                )
            return (
                f"Påminnelse: {label('nb')} {when} – sak {case.number}",
                f"Fristen «{label('nb')}» for sak {case.number} «{case.public_title}» "
                f"er {when}, {left}.\n",
            )

        notify(
            session,
            case=case,
            recipients=[
                *council_people(session, case.council_id, REMINDED, today),
                case.created_by_id,
            ],
            topic="deadline_upcoming",
            texts=texts,
            payload={"deadline_id": deadline.id, "offset": offset},
            now=now,
        )
        sent += 1
    return sent


def _actions(
    session: Session, now: datetime, today: date, horizon: date, offsets: Sequence[int]
) -> int:
    sent = 0
    rows = session.execute(
        select(Action, Case)
        .join(Case, Case.id == Action.case_id)
        .where(Action.status.in_(OPEN_ACTION), Action.due >= today, Action.due <= horizon)
        .order_by(Action.due, Action.id)
    )
    for action, case in rows:
        offset = current_offset(action.due, today, offsets)
        if offset is None or not claim_once(session, f"action:{action.id}:{offset}", now):
            continue

        def texts(locale: str, case=case, action=action) -> tuple[str, str]:
            when, left = format_day(action.due, locale), _days_left(action.due, today, locale)
            en = locale == "en"
            # E-mail leaves the system: a screened case's action is not described in it.
            if case.access == Access.PUBLIC:
                what = f"«{action.description}»"
            else:
                what = "(screened)" if en else "(skjermet)"
            if en:
                return (
                    f"Reminder: action in case {case.number} due {when}",
                    f"The action {what} in case {case.number} «{case.public_title}» "
                    f"is due on {when}, {left}.\n",
                )
            return (
                f"Påminnelse: oppfølgingspunkt i sak {case.number} har frist {when}",
                f"Oppfølgingspunktet {what} i sak {case.number} «{case.public_title}» "
                f"har frist {when}, {left}.\n",
            )

        owners = [action.owner_person_id] if action.owner_person_id else []
        notify(
            session,
            case=case,
            recipients=owners or council_people(session, case.council_id, REMINDED, today),
            topic="action_due",
            texts=texts,
            payload={"action_id": action.id, "offset": offset},
            now=now,
        )
        sent += 1
    return sent


def _days_left(due: date, today: date, locale: str) -> str:
    days = (due - today).days
    if locale == "en":
        return "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
    return "i dag" if days == 0 else f"om {days} dag{'er' if days != 1 else ''}"
