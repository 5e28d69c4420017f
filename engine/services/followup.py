"""Follow-up of decisions (oppfølging): actions, referrals to other authorities, the
follow-up list (oppfølgingsliste), and closing an item once all of it is done.

Actions and referrals live in their own tables; every change to them is audited as
an ``update`` event on their case, so the case's history tells the whole story.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine import audit, outbox
from engine.access import (
    EDITOR_ROLES,
    Visibility,
    editor_seat,
    listable_clause,
    visibility,
    why_not_act,
)
from engine.actors import Actor, Seat
from engine.audit import Event
from engine.calendar import next_working_day, to_oslo
from engine.clock import resolve
from engine.errors import NotFound, PermissionDenied, ValidationError
from engine.guards import open_follow_up
from engine.models import Action, ActionNote, Case, Council, Party, Person, Referral
from engine.models.enums import EventKind, PartyCode, Role
from engine.models.followup import CLOSED_ACTION_STATUSES, REFERRAL_TARGETS
from engine.runtime import definition_of
from engine.services.cases import fire

#: The states of an agenda item in which its decision can still gain actions and referrals.
FOLLOW_UP_STATES = ("decided", "follow_up")
OWNER_PARTIES = (PartyCode.MUNICIPALITY, PartyCode.POLICE)
#: Shown instead of the description of follow-up on a case the actor may not see in full.
HIDDEN_DESCRIPTION = "(skjermet)"


@dataclass(frozen=True)
class FollowUpRow:
    """One open action or unanswered referral, as one actor may see it."""

    kind: str
    id: int
    case_number: str
    case_title: str
    description: str
    owner: str
    owner_party: str | None
    due: date
    status: str
    percent: int | None
    overdue: bool
    full: bool = True
    """whether the actor sees the case in full (else its public title and no description)"""


def record_change(
    session: Session,
    case: Case,
    *,
    actor: Actor,
    party: str | None,
    changes: Mapping[str, list[Any]],
    now: datetime,
    comment: str = "",
) -> Event:
    """Audit a change to something a case owns (an action, a referral, a comment on minutes)
    as an ``update`` event on the case; the case row itself is left as it is."""
    return audit.append(
        session.connection(),
        case,
        kind=EventKind.UPDATE,
        actor=actor,
        party=party,
        at=now,
        changes=dict(changes),
        comment=comment,
    )


def get_action(session: Session, council: Council, action_id: int) -> Action:
    """The action with ``action_id`` in ``council``."""
    action = session.get(Action, action_id)
    if action is None or action.case.council_id != council.id:
        raise NotFound(f"no action {action_id} in {council.name}")
    return action


def get_referral(session: Session, council: Council, referral_id: int) -> Referral:
    """The referral with ``referral_id`` in ``council``."""
    referral = session.get(Referral, referral_id)
    if referral is None or referral.case.council_id != council.id:
        raise NotFound(f"no referral {referral_id} in {council.name}")
    return referral


def add_action(
    session: Session,
    case: Case,
    *,
    actor: Actor,
    description: str,
    owner_party: str,
    due: date,
    owner_person: Person | None = None,
    owner_unit: str | None = None,
    now: datetime | None = None,
) -> Action:
    """Record a follow-up action (oppfølgingspunkt) that the decision on ``case`` created.

    A due date on a weekend or public holiday moves to the next working day.
    """
    now = resolve(now)
    day = to_oslo(now).date()
    _lock_chain(session)
    seat = editor_seat(actor, case, day, "record follow-up")
    _check_decided(case)
    description = _required(description, "description")
    if owner_party not in OWNER_PARTIES:
        raise ValidationError(
            f"an action is owned by {' or '.join(OWNER_PARTIES)}", {"owner_party": "unknown party"}
        )
    if owner_person is not None and not any(
        m.council_id == case.council_id and m.party == owner_party and m.active_on(day)
        for m in owner_person.memberships
    ):
        raise ValidationError(
            f"{owner_person.display_name} has no seat for the {owner_party} in this council",
            {"owner_person": "not a member of the owning party"},
        )
    action = Action(
        case_id=case.id,
        description=description,
        owner_party=owner_party,
        owner_person_id=owner_person.id if owner_person else None,
        owner_unit=(owner_unit or "").strip() or None,
        due=_due_date(due, day, "due"),
        status="open",
        percent=0,
        created_at=now,
    )
    session.add(action)
    session.flush()
    created = {
        "description": action.description,
        "owner_party": action.owner_party,
        "owner_person": owner_person.login if owner_person else None,
        "owner_unit": action.owner_unit,
        "due": action.due.isoformat(),
        "status": action.status,
    }
    record_change(
        session,
        case,
        actor=actor,
        party=_party(seat),
        changes={f"action.{action.id}.{k}": [None, v] for k, v in created.items() if v},
        now=now,
    )
    if owner_person is not None:
        outbox.queue(
            session,
            case=case,
            recipient_id=owner_person.id,
            topic="action_assigned",
            subject=f"Nytt oppfølgingspunkt i sak {case.number}, frist {action.due:%d.%m.%Y}",
            payload={"action": action.id, "due": action.due.isoformat()},
            now=now,
        )
    _start_follow_up(session, case, now)
    return action


def report_progress(
    session: Session,
    action: Action,
    *,
    actor: Actor,
    text: str,
    percent: int | None = None,
    now: datetime | None = None,
) -> ActionNote:
    """Note progress on an action, optionally with its percent complete; an open action is
    then in progress."""
    now = resolve(now)
    seat = _changer_seat(session, action, actor, now)
    text = _required(text, "text")
    if percent is not None and (
        isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100
    ):
        raise ValidationError("percent complete is a whole number 0–100", {"percent": "0–100"})
    note = ActionNote(action=action, person_id=actor.person_id, at=now, text=text, percent=percent)
    session.add(note)
    changes: dict[str, list[Any]] = {f"action.{action.id}.note": [None, text]}
    if percent is not None and percent != action.percent:
        changes[f"action.{action.id}.percent"] = [action.percent, percent]
        action.percent = percent
    if action.status == "open":
        changes[f"action.{action.id}.status"] = ["open", "in_progress"]
        action.status = "in_progress"
    session.flush()
    record_change(session, action.case, actor=actor, party=_party(seat), changes=changes, now=now)
    return note


def complete_action(
    session: Session,
    action: Action,
    *,
    actor: Actor,
    comment: str = "",
    now: datetime | None = None,
) -> Action:
    """Mark an action done; the item closes when this was the last open follow-up."""
    return _finish(session, action, "done", actor=actor, comment=comment.strip(), now=now)


def cancel_action(
    session: Session, action: Action, *, actor: Actor, reason: str, now: datetime | None = None
) -> Action:
    """Cancel an action, saying why; the item closes when this was the last open follow-up."""
    return _finish(session, action, "cancelled", actor=actor, comment=reason.strip(), now=now)


def _finish(
    session: Session,
    action: Action,
    status: str,
    *,
    actor: Actor,
    comment: str,
    now: datetime | None,
) -> Action:
    now = resolve(now)
    seat = _changer_seat(session, action, actor, now)
    changes: dict[str, list[Any]] = {f"action.{action.id}.status": [action.status, status]}
    if status == "cancelled":
        if not comment:
            raise ValidationError("say why the action is cancelled", {"reason": "required"})
        session.add(ActionNote(action=action, person_id=actor.person_id, at=now, text=comment))
    elif action.percent != 100:
        changes[f"action.{action.id}.percent"] = [action.percent, 100]
        action.percent = 100
    action.status = status
    action.closed_at = now
    session.flush()
    record_change(
        session,
        action.case,
        actor=actor,
        party=_party(seat),
        changes=changes,
        comment=comment,
        now=now,
    )
    _close_when_complete(session, action.case, now)
    return action


def add_referral(
    session: Session,
    case: Case,
    *,
    actor: Actor,
    target: str,
    target_name: str,
    description: str,
    response_due: date,
    now: datetime | None = None,
) -> Referral:
    """Refer the decision on ``case`` to another authority (oversendelse), with the date a
    response is due; a due date off a working day moves to the next working day."""
    now = resolve(now)
    day = to_oslo(now).date()
    _lock_chain(session)
    seat = editor_seat(actor, case, day, "record follow-up")
    _check_decided(case)
    if target not in REFERRAL_TARGETS:
        raise ValidationError(
            f"a referral goes to one of: {', '.join(REFERRAL_TARGETS)}", {"target": "unknown"}
        )
    referral = Referral(
        case_id=case.id,
        target=target,
        target_name=_required(target_name, "target_name"),
        description=_required(description, "description"),
        response_due=_due_date(response_due, day, "response_due"),
        created_at=now,
    )
    session.add(referral)
    session.flush()
    created = {
        "target": referral.target,
        "target_name": referral.target_name,
        "description": referral.description,
        "response_due": referral.response_due.isoformat(),
    }
    record_change(
        session,
        case,
        actor=actor,
        party=_party(seat),
        changes={f"referral.{referral.id}.{k}": [None, v] for k, v in created.items()},
        now=now,
    )
    _start_follow_up(session, case, now)
    return referral


def register_response(
    session: Session,
    referral: Referral,
    *,
    actor: Actor,
    response: str,
    now: datetime | None = None,
) -> Referral:
    """Register the other authority's response, which closes the referral."""
    now = resolve(now)
    day = to_oslo(now).date()
    _lock_chain(session)
    session.refresh(referral)
    seat = editor_seat(actor, referral.case, day, "record follow-up")
    if referral.response is not None:
        raise ValidationError(
            f"referral {referral.id} was answered on {to_oslo(referral.responded_at):%d.%m.%Y}",
            {"response": "already registered"},
        )
    referral.response = _required(response, "response")
    referral.responded_at = now
    session.flush()
    record_change(
        session,
        referral.case,
        actor=actor,
        party=_party(seat),
        changes={f"referral.{referral.id}.response": [None, referral.response]},
        now=now,
    )
    _close_when_complete(session, referral.case, now)
    return referral


def follow_up_list(
    session: Session, council: Council, *, as_of: date, actor: Actor
) -> list[FollowUpRow]:
    """Every open action and unanswered referral of the council (oppfølgingsliste), overdue
    first, then by due date; follow-up on a case the actor may not see in full shows the
    case's public title and no description, and on a restricted case the actor is not
    cleared for, nothing at all."""
    parties = party_names(session)
    listable = listable_clause(actor, as_of)
    actions = session.execute(
        select(Action, Case)
        .join(Case, Action.case_id == Case.id)
        .where(
            Case.council_id == council.id,
            Action.status.not_in(CLOSED_ACTION_STATUSES),
            listable,
        )
        .options(selectinload(Action.owner))
    )
    referrals = session.execute(
        select(Referral, Case)
        .join(Case, Referral.case_id == Case.id)
        .where(Case.council_id == council.id, Referral.response.is_(None), listable)
    )
    rows = [
        _row(
            actor,
            case,
            as_of,
            kind="action",
            id=action.id,
            description=action.description,
            owner=describe_owner(action, parties),
            owner_party=action.owner_party,
            due=action.due,
            status=action.status,
            percent=action.percent,
        )
        for action, case in actions
    ]
    rows += [
        _row(
            actor,
            case,
            as_of,
            kind="referral",
            id=referral.id,
            description=referral.description,
            owner=referral.target_name,
            owner_party=None,
            due=referral.response_due,
            status="open",
            percent=None,
        )
        for referral, case in referrals
    ]
    return sorted(rows, key=lambda row: (not row.overdue, row.due, row.kind, row.id))


def party_names(session: Session) -> dict[str, str]:
    """The parties' names in Norwegian, by code."""
    return dict(session.execute(select(Party.code, Party.name_nb)).all())


def describe_owner(action: Action, parties: Mapping[str, str]) -> str:
    """Who owns an action, in words: ``Kari Nordmann, Enhet Øst, Politiet``."""
    person = action.owner.display_name if action.owner else None
    return ", ".join(
        part for part in (person, action.owner_unit, parties[action.owner_party]) if part
    )


def _row(actor: Actor, case: Case, as_of: date, **fields: Any) -> FollowUpRow:
    full = visibility(actor, case, as_of) == Visibility.FULL
    return FollowUpRow(
        **{
            **fields,
            "case_number": case.number,
            "case_title": case.title if full else case.public_title,
            "description": fields["description"] if full else HIDDEN_DESCRIPTION,
            "overdue": fields["due"] < as_of,
            "full": full,
        }
    )


def _lock_chain(session: Session) -> None:
    """Take the audit chain's head first, as ``fire`` does: concurrent follow-up on the same
    case then runs one after the other, so the last one to close always sees the others."""
    audit.next_seq(session.connection())


def _changer_seat(session: Session, action: Action, actor: Actor, now: datetime) -> Seat | None:
    """Lock and reread the action, then find the seat from which the actor may change it: the
    secretariat's, a leader's, the owner's, or a member's of the owning party. A finished
    action changes no more."""
    day = to_oslo(now).date()
    _lock_chain(session)
    session.refresh(action)
    seat = None if actor.is_system else _seat_over(action, actor, day)
    if action.status in CLOSED_ACTION_STATUSES:
        raise ValidationError(
            f"action {action.id} is {action.status}", {"status": f"already {action.status}"}
        )
    return seat


def _seat_over(action: Action, actor: Actor, day: date) -> Seat:
    blocked = why_not_act(actor, action.case, day)
    if blocked:
        raise PermissionDenied(blocked)
    for seat in actor.seats_in(action.case.council_id, day):
        if (
            seat.role in EDITOR_ROLES
            or actor.person_id == action.owner_person_id
            or (seat.role == Role.MEMBER and seat.party == action.owner_party)
        ):
            return seat
    raise PermissionDenied(
        "only the secretariat, the leaders, the action's owner or members of the owning party "
        "may change it"
    )


def _check_decided(case: Case) -> None:
    if case.kind != "agenda_item" or case.state not in FOLLOW_UP_STATES:
        raise ValidationError(
            f"case {case.number} is {case.state}: follow-up belongs to a decided agenda item",
            {"case": "not decided"},
        )


def _start_follow_up(session: Session, case: Case, now: datetime) -> None:
    """A decision that created follow-up is in follow-up at once, not a working day later."""
    if case.state == "decided":
        fire(
            session,
            case,
            "start_follow_up",
            actor=Actor.system(),
            comment="Beslutningen har fått oppfølging.",
            now=now,
        )


def _close_when_complete(session: Session, case: Case, now: datetime) -> None:
    if case.state != "follow_up" or any(open_follow_up(session, case.id)):
        return
    close = definition_of(session, case).transition(case.state, "close")
    # A case pinned to a definition from before automatic closing waits for the secretariat.
    if close is None or "system" not in close.roles:
        return
    fire(
        session,
        case,
        "close",
        actor=Actor.system(),
        comment="Alle oppfølgingspunkter og oversendelser er avsluttet.",
        now=now,
    )


def _required(value: str | None, name: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(f"{name} is required", {name: "required"})
    return text


def _due_date(value: date, today: date, name: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError(f"{name} must be a date", {name: "not a date"})
    due = next_working_day(value)
    if due < today:
        raise ValidationError(f"{name} {value:%d.%m.%Y} has already passed", {name: "in the past"})
    return due


def _party(seat: Seat | None) -> str | None:
    return seat.party if seat else None
