"""Opening, changing and moving cases through their workflows."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified, set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from engine import audit, deadlines, outbox
from engine.access import EDITOR_ROLES, why_not_act
from engine.actors import Actor, Seat
from engine.audit import Event
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.db import Prepared, PreparedLoad, batched, next_number
from engine.effects import EFFECTS, EffectContext
from engine.errors import (
    Conflict,
    GuardFailed,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from engine.guards import GUARDS, GuardContext, parse_date
from engine.models import (
    Approval,
    Bydel,
    Case,
    CaseCounter,
    Council,
    Membership,
    Person,
    PriorityArea,
)
from engine.models.enums import Access, EventKind
from engine.runtime import current_definition, definition_of, pin, run_trigger
from workflows.model import BUILTIN_FIELDS, ENTERED, Definition, Transition

T = TypeVar("T")
_INSERT_APPROVAL = insert(Approval.__table__)
_CASES = Case.__table__
_CASE_BY_ID = PreparedLoad(Case, _CASES.c.id == bindparam("id"))
_CASE_BY_NUMBER = PreparedLoad(
    Case,
    _CASES.c.council_id == bindparam("council_id"),
    _CASES.c.year == bindparam("year"),
    _CASES.c.seq == bindparam("seq"),
)
EDITABLE = ("title", "public_title", "access", "legal_basis", "referral_target")


@dataclass(frozen=True)
class FireResult:
    """What ``fire`` did: moved the case, or recorded an approval and waits for another party."""

    case: Case
    fired: bool
    events: tuple[Event, ...]
    waiting_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class Availability:
    """One transition out of the current state: allowed, or the reasons it is not."""

    trigger: str
    dest: str
    label_nb: str
    label_en: str
    allowed: bool
    reasons: tuple[str, ...] = ()
    approvals_needed: tuple[str, ...] = ()
    approved_by: Mapping[str, str] = field(default_factory=dict)
    refusals: tuple[str, ...] = ()
    """why this actor may not fire it at all (role, party, clearance, approval given)"""
    missing: tuple[str, ...] = ()
    """required fields that are empty: a form can ask for them with the transition"""
    unmet: tuple[str, ...] = ()
    """guards not met, each in words"""
    requires: tuple[str, ...] = ()
    comment_required: bool = False
    roles: tuple[str, ...] = ()
    """the roles that may fire it"""


def get_case(session: Session, council: Council, number: str) -> Case:
    """The case with ``number`` (``YYYY/N``) in ``council``."""
    try:
        year_text, seq_text = number.split("/")
        year, seq = int(year_text), int(seq_text)
    except ValueError:
        raise ValidationError(f"'{number}' is not a case number like 2026/17") from None
    case = _CASE_BY_NUMBER.one_or_none(
        session, {"council_id": council.id, "year": year, "seq": seq}
    )
    if case is None:
        raise NotFound(f"no case {number} in {council.name}")
    return case


def load_case(session: Session, case_id: int) -> Case | None:
    """The case with id ``case_id``, or None; the way a request or a job loads the case it
    is about to change (``session.get`` does the same, more slowly)."""
    return _CASE_BY_ID.one_or_none(session, {"id": case_id})


def open_case(
    session: Session,
    *,
    council: Council,
    kind: str,
    title: str,
    actor: Actor,
    public_title: str | None = None,
    access: str = Access.PUBLIC,
    legal_basis: str | None = None,
    data: Mapping[str, Any] | None = None,
    bydeler: Iterable[int] = (),
    priority_areas: Iterable[int] = (),
    meeting: Case | None = None,
    parent: Case | None = None,
    referral_target: str | None = None,
    now: datetime | None = None,
) -> Case:
    """Register a new case of ``kind`` in its workflow's initial state (opprett sak)."""
    now = resolve(now)
    day = to_oslo(now).date()
    try:
        definition = current_definition(kind)
    except KeyError as exc:
        raise ValidationError(str(exc.args[0]), {"kind": "unknown workflow"}) from None
    seat = _opener_seat(actor, council.id, day, definition)
    title = (title or "").strip()
    if not title:
        raise ValidationError("a case needs a title", {"title": "required"})
    access, legal_basis, public_title = _access_fields(access, legal_basis, public_title, title)
    values = _validated_data(definition, data or {})
    conn = session.connection()
    entry = audit.next_seq(conn)
    case = Case(
        council_id=council.id,
        kind=kind,
        year=day.year,
        seq=next_number(session, CaseCounter, council_id=council.id, year=day.year),
        title=title,
        public_title=public_title,
        access=access,
        legal_basis=legal_basis,
        state=definition.initial,
        state_entered_at=now,
        state_entry=entry,
        workflow=pin(session, definition),
        created_by_id=actor.person_id,
        created_at=now,
        meeting_id=_linked(meeting, council, "meeting"),
        parent_id=_linked(parent, council, "parent"),
        referral_target=referral_target,
        data=values,
    )
    case.bydeler = _reference(session, Bydel, council.id, bydeler, "bydeler")
    case.priority_areas = _reference(session, PriorityArea, council.id, priority_areas, "areas")
    session.add(case)
    session.flush()
    changes = {
        name: [None, value]
        for name, value in (
            ("title", title),
            ("public_title", public_title),
            ("access", access),
            ("legal_basis", legal_basis),
            ("state", case.state),
            ("meeting_id", case.meeting_id),
            ("parent_id", case.parent_id),
            ("referral_target", referral_target),
            ("bydeler", sorted(b.id for b in case.bydeler)),
            ("priority_areas", sorted(p.id for p in case.priority_areas)),
        )
        if value not in (None, [])
    }
    changes.update({f"data.{key}": [None, value] for key, value in sorted(values.items())})
    audit.append(
        conn,
        case,
        kind=EventKind.OPENED,
        actor=actor,
        party=seat.party if seat else None,
        at=now,
        changes=changes,
        to_state=case.state,
    )
    deadlines.schedule(conn, case, definition, entry=entry, entered_at=now)
    return case


def _conflict_when_stale(service: Callable[..., T]) -> Callable[..., T]:
    """A concurrent writer that committed first makes our UPDATE match no row: a Conflict."""

    @functools.wraps(service)
    def guarded(session: Session, case: Case, *args: Any, **kwargs: Any) -> T:
        number = case.number  # the instance cannot be read once the flush has failed
        try:
            return service(session, case, *args, **kwargs)
        except StaleDataError:
            raise Conflict(
                f"case {number} was changed by someone else at the same time; reload and try again"
            ) from None

    return guarded


@_conflict_when_stale
def update_case(
    session: Session,
    case: Case,
    *,
    actor: Actor,
    changes: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
    comment: str = "",
    now: datetime | None = None,
) -> Event | None:
    """Change a case's fields, tags, links or data; every change is audited old → new.

    ``changes`` takes the fields in ``EDITABLE`` and ``bydeler``, ``priority_areas``
    (lists of ids), ``meeting`` and ``parent`` (cases or None). Returns None when
    nothing changed.
    """
    now = resolve(now)
    day = to_oslo(now).date()
    _check_version(case, expected_version)
    definition = definition_of(session, case)
    seat = _editor_seat(actor, case, day, definition)
    changes = dict(changes or {})
    unknown = sorted(set(changes) - {*EDITABLE, "bydeler", "priority_areas", "meeting", "parent"})
    if unknown:
        raise ValidationError(
            f"these fields cannot be changed: {', '.join(unknown)}",
            dict.fromkeys(unknown, "unknown field"),
        )
    council = session.get(Council, case.council_id)
    diff: dict[str, list[Any]] = {}
    new = {name: changes.get(name, getattr(case, name)) for name in EDITABLE}
    if "title" in changes:
        new["title"] = (new["title"] or "").strip()
        if not new["title"]:
            raise ValidationError("a case needs a title", {"title": "required"})
        if "public_title" not in changes and case.public_title == case.title:
            new["public_title"] = new["title"]
    new["access"], new["legal_basis"], new["public_title"] = _access_fields(
        new["access"], new["legal_basis"], new["public_title"], new["title"]
    )
    if "meeting" in changes:
        new["meeting_id"] = _linked(changes["meeting"], council, "meeting")
    if "parent" in changes:
        new["parent_id"] = _linked(changes["parent"], council, "parent")
    values = _validated_data(definition, data or {})
    merged = {**case.data, **values}

    conn = session.connection()
    entry = audit.next_seq(conn)
    with session.no_autoflush:  # one flush at the end, so the version moves by one
        for name, value in new.items():
            if getattr(case, name) != value:
                diff[name] = [getattr(case, name), value]
                setattr(case, name, value)
        for name, model in (("bydeler", Bydel), ("priority_areas", PriorityArea)):
            if name in changes:
                chosen = _reference(session, model, case.council_id, changes[name], name)
                old_ids = sorted(item.id for item in getattr(case, name))
                new_ids = sorted(item.id for item in chosen)
                if old_ids != new_ids:
                    diff[name] = [old_ids, new_ids]
                    setattr(case, name, chosen)
    diff.update(_data_diff(case, values))
    if not diff:
        return None
    case.data = merged
    flag_modified(case, "data")
    anchors = {key.removeprefix("data.") for key in diff if key.startswith("data.")}
    if anchors:
        deadlines.reanchor(conn, case, definition, anchors)
    event = audit.append(
        conn,
        case,
        kind=EventKind.UPDATE,
        actor=actor,
        party=seat.party if seat else None,
        at=now,
        changes=diff,
        comment=comment,
    )
    assert event.seq == entry
    session.flush()
    return event


@_conflict_when_stale
def fire(
    session: Session,
    case: Case,
    trigger: str,
    *,
    actor: Actor,
    expected_version: int | None = None,
    comment: str = "",
    data: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> FireResult:
    """Fire ``trigger`` on ``case`` as ``actor``: permission, guards, approvals, new state,
    audit event, deadlines and outbox, all in the caller's transaction.

    Raises ``Conflict`` for a stale ``expected_version``, ``PermissionDenied``,
    ``TransitionNotAllowed``, ``GuardFailed`` or ``ValidationError``; never returns
    a silent no-op.
    """
    now = resolve(now)
    day = to_oslo(now).date()
    _check_version(case, expected_version)
    definition = definition_of(session, case)
    transition = _transition(definition, case, trigger)
    values = _validated_data(definition, data or {})
    approvals = _approvals(session, case, transition)
    seat, reasons = _who(actor, case, transition, day, approvals)
    if reasons:
        raise PermissionDenied("; ".join(reasons))
    if transition.comment_required and not comment.strip():
        raise ValidationError(f"'{trigger}' needs a comment saying why", {"comment": "required"})
    merged = {**case.data, **values}
    missing = _missing(case, merged, transition)
    if missing:
        raise GuardFailed(missing)

    events: list[Event] = []
    party = seat.party if seat else None
    with session.no_autoflush:
        conn = session.connection()
        if transition.approvals or transition.guards:
            # What they read is read under the chain head's lock, which every writer takes
            # before it changes a case row; a plain transition takes it in its UPDATE.
            audit.next_seq(conn)
        if transition.approvals:
            ctx = GuardContext(session, case, actor, merged, now)
            reasons = _guard_reasons(ctx, transition)
            if reasons:
                raise GuardFailed(reasons)
            approvals[party] = actor.login
            waiting = tuple(p for p in transition.approvals if p not in approvals)
            # Data given with an approval that still waits is written now, so audited now;
            # with the last approval it belongs to the transition's event below.
            changes = {f"approval.{trigger}.{party}": [None, actor.login]}
            if waiting:
                changes.update(_data_diff(case, values))
            events.append(_approve(conn, case, transition, actor, party, now, comment, changes))
            if waiting:
                _write_case(conn, case, **({"data": merged} if values else {}))
                _notify_waiting(session, case, transition, waiting, now)
                return FireResult(case, False, tuple(events), waiting)

        source = case.state
        failures: list[str] = []
        ctx = GuardContext(session, case, actor, merged, now)
        dest = run_trigger(definition, case, trigger, ctx, failures)
        if dest is None:
            raise GuardFailed(failures or [f"'{trigger}' was refused"])
        diff: dict[str, list[Any]] = {"state": [source, dest], **_data_diff(case, values)}
        entry = _write_case(
            conn,
            case,
            enter_state=True,
            state=dest,
            state_entered_at=now,
            **({"data": merged} if values else {}),
        )
        with batched(conn):  # the version check above has passed: the rest in one round trip
            deadlines.cancel_pending(conn, case, now=now)
            events.append(
                audit.append(
                    conn,
                    case,
                    kind=EventKind.TRANSITION,
                    actor=actor,
                    party=party,
                    at=now,
                    changes=diff,
                    trigger=trigger,
                    from_state=source,
                    to_state=dest,
                    comment=comment,
                )
            )
            deadlines.schedule(conn, case, definition, entry=entry, entered_at=now)
        assert events[-1].seq == entry
        for name in transition.effects:
            EFFECTS[name](
                EffectContext(session, case, actor, trigger, source, values, comment, now)
            )
        if case.created_by_id is not None and case.created_by_id != actor.person_id:
            outbox.queue(
                session,
                case=case,
                recipient_id=case.created_by_id,
                topic="state_changed",
                subject=f"Sak {case.number}: {source} → {dest}",
                payload={"trigger": trigger, "from": source, "to": dest},
                now=now,
            )
    return FireResult(case, True, tuple(events))


@cache
def _guarded_update(columns: frozenset[str], enter_state: bool) -> Prepared:
    """One prebuilt statement per set of columns (see ``engine.db.Prepared`` for why)."""
    table = Case.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("case_id"), table.c.version == bindparam("old_version"))
        .values(version=bindparam("new_version"), **{c: bindparam(f"new_{c}") for c in columns})
    )
    if enter_state:
        head = audit.LOCKED_HEAD
        statement = (
            statement.add_cte(head)
            .values(state_entry=select(head.c.seq + 1).scalar_subquery())
            .returning(select(head.c.seq).scalar_subquery(), select(head.c.hash).scalar_subquery())
        )
    return Prepared(statement)


def _write_case(
    conn: Connection, case: Case, *, enter_state: bool = False, **values: Any
) -> int | None:
    """Write ``values`` and the next version with one guarded UPDATE.

    ``UPDATE case ... WHERE id = ? AND version = <the version we read>``: no row
    matched means someone else wrote first, which is a ``Conflict``. This is the
    same check the ORM's version counter makes, without a unit-of-work flush on the
    hot path; the instance is then told the new values as committed.

    With ``enter_state`` the same statement locks the audit chain's head (taken, as
    by every writer, before the case row is changed) and sets ``state_entry`` to the
    sequence number of the event that enters the state, which it returns: on
    PostgreSQL the lock and the write are one round trip.
    """
    version = case.version
    params = {f"new_{name}": value for name, value in values.items()}
    cursor = _guarded_update(frozenset(values), enter_state).execute(
        conn, {"case_id": case.id, "old_version": version, "new_version": version + 1, **params}
    )
    rows = cursor.fetchall() if enter_state else None
    if (len(rows) if rows is not None else cursor.rowcount) != 1:
        raise StaleDataError(f"case {case.id} is no longer at version {version}")
    entry = None
    if rows is not None:
        seq, digest = rows[0]
        audit.took_head(conn, seq, digest)
        entry = values["state_entry"] = seq + 1
    for name, value in {**values, "version": version + 1}.items():
        set_committed_value(case, name, value)
    return entry


def available_transitions(
    session: Session, case: Case, actor: Actor, *, now: datetime | None = None
) -> list[Availability]:
    """Every transition out of the case's state, each allowed or with the reasons it is not."""
    now = resolve(now)
    day = to_oslo(now).date()
    definition = definition_of(session, case)
    ctx = GuardContext(session, case, actor, dict(case.data), now)
    result = []
    for transition in definition.transitions_from(case.state):
        approvals = _approvals(session, case, transition)
        _seat, refusals = _who(actor, case, transition, day, approvals)
        missing = _empty_fields(case, ctx.data, transition)
        unmet = _guard_reasons(ctx, transition)
        reasons = refusals + [f"{name} is required" for name in missing] + unmet
        result.append(
            Availability(
                trigger=transition.trigger,
                dest=transition.dest,
                label_nb=transition.labels.nb,
                label_en=transition.labels.en,
                allowed=not reasons,
                reasons=tuple(reasons),
                approvals_needed=transition.approvals,
                approved_by=approvals,
                refusals=tuple(refusals),
                missing=tuple(missing),
                unmet=tuple(unmet),
                requires=transition.requires,
                comment_required=transition.comment_required,
                roles=transition.roles,
            )
        )
    return result


def _check_version(case: Case, expected: int | None) -> None:
    if expected is not None and expected != case.version:
        raise Conflict(
            f"case {case.number} is at version {case.version}, not {expected}: "
            "someone changed it; reload and try again"
        )


def _transition(definition: Definition, case: Case, trigger: str) -> Transition:
    transition = definition.transition(case.state, trigger)
    if transition is not None:
        return transition
    if any(t.trigger == trigger for t in definition.transitions):
        allowed = ", ".join(t.trigger for t in definition.transitions_from(case.state)) or "none"
        raise TransitionNotAllowed(
            f"'{trigger}' cannot be fired while case {case.number} is {case.state} "
            f"(possible: {allowed})"
        )
    raise TransitionNotAllowed(f"the {definition.name} workflow has no transition '{trigger}'")


def _who(
    actor: Actor,
    case: Case,
    transition: Transition,
    day: date,
    approvals: Mapping[str, str],
) -> tuple[Seat | None, list[str]]:
    """The seat the actor fires ``transition`` from, or the reasons they may not."""
    if actor.is_system:
        if "system" in transition.roles and not transition.approvals:
            return None, []
        return None, [f"the scheduler may not fire '{transition.trigger}'"]
    blocked = why_not_act(actor, case, day)
    if blocked:
        return None, [blocked]
    roles = tuple(r for r in transition.roles if r != "system")
    seats = [s for s in actor.seats_in(case.council_id, day) if s.role in roles]
    if not seats:
        mine = ", ".join(sorted({s.role for s in actor.seats_in(case.council_id, day)}))
        return None, [
            f"your role ({mine}) may not fire '{transition.trigger}'; "
            f"it needs {' or '.join(roles) or 'the scheduler'}"
        ]
    if transition.parties:
        seats = [s for s in seats if s.party in transition.parties]
        if not seats:
            return None, [f"only {' or '.join(transition.parties)} may fire '{transition.trigger}'"]
    if transition.approvals:
        eligible = [s for s in seats if s.party in transition.approvals]
        if not eligible:
            return None, [f"approval is needed from {' and '.join(transition.approvals)}"]
        open_seats = [s for s in eligible if s.party not in approvals]
        if not open_seats:
            waiting = [p for p in transition.approvals if p not in approvals]
            party = eligible[0].party
            return None, [
                f"{party} has already approved (by {approvals[party]}); "
                f"waiting for {' and '.join(waiting)}"
            ]
        return open_seats[0], []
    return seats[0], []


def _missing(case: Case, data: Mapping[str, Any], transition: Transition) -> list[str]:
    return [f"{name} is required" for name in _empty_fields(case, data, transition)]


def _empty_fields(case: Case, data: Mapping[str, Any], transition: Transition) -> list[str]:
    """The fields ``transition`` requires that are empty on the case and in ``data``."""
    return [
        name
        for name in transition.requires
        if (getattr(case, name) if name in BUILTIN_FIELDS else data.get(name)) in (None, "", [], {})
    ]


def _guard_reasons(ctx: GuardContext, transition: Transition) -> list[str]:
    return [reason for name in transition.guards if (reason := GUARDS[name](ctx)) is not None]


def _approvals(session: Session, case: Case, transition: Transition) -> dict[str, str]:
    """The parties that have approved ``transition`` in this state entry, with who did."""
    if not transition.approvals:
        return {}
    rows = session.execute(
        select(Approval.party, Approval.person_id).where(
            Approval.case_id == case.id,
            Approval.trigger == transition.trigger,
            Approval.state_entry == case.state_entry,
        )
    ).all()
    if not rows:
        return {}
    names = dict(
        session.execute(
            select(Person.id, Person.login).where(Person.id.in_([r.person_id for r in rows]))
        ).all()
    )
    return {row.party: names[row.person_id] for row in rows}


def _approve(
    conn: Connection,
    case: Case,
    transition: Transition,
    actor: Actor,
    party: str | None,
    now: datetime,
    comment: str,
    changes: dict[str, list[Any]],
) -> Event:
    assert party is not None and actor.person_id is not None
    conn.execute(
        _INSERT_APPROVAL,
        {
            "case_id": case.id,
            "trigger": transition.trigger,
            "state_entry": case.state_entry,
            "party": party,
            "person_id": actor.person_id,
            "at": now,
        },
    )
    return audit.append(
        conn,
        case,
        kind=EventKind.APPROVAL,
        actor=actor,
        party=party,
        at=now,
        changes=changes,
        trigger=transition.trigger,
        comment=comment,
    )


def _data_diff(case: Case, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The case data ``values`` would change, as audited ``data.<key>: [old, new]``."""
    return {
        f"data.{key}": [case.data.get(key), value]
        for key, value in sorted(values.items())
        if case.data.get(key) != value
    }


def _notify_waiting(
    session: Session, case: Case, transition: Transition, waiting: tuple[str, ...], now: datetime
) -> None:
    day = to_oslo(now).date()
    members = session.scalars(
        select(Membership).where(
            Membership.council_id == case.council_id,
            Membership.party.in_(waiting),
            Membership.role.in_(transition.roles),
        )
    )
    for membership in members:
        if membership.active_on(day):
            outbox.queue(
                session,
                case=case,
                recipient_id=membership.person_id,
                topic="approval_requested",
                subject=f"Sak {case.number} venter på godkjenning: {transition.labels.nb}",
                payload={"trigger": transition.trigger},
                now=now,
            )


def _validated_data(definition: Definition, data: Mapping[str, Any]) -> dict[str, Any]:
    if not data:
        return {}
    unknown = sorted(set(data) - set(definition.fields))
    if unknown:
        raise ValidationError(
            f"the {definition.name} workflow has no field {', '.join(unknown)}",
            dict.fromkeys(unknown, "unknown field"),
        )
    errors = {}
    dates = _date_fields(definition)
    for key, value in data.items():
        if isinstance(value, date | datetime):
            value = value.isoformat()
        if not isinstance(value, str | int | float | bool | type(None)):
            errors[key] = "must be text, a number, true/false or a date"
        elif key in dates and value not in (None, "") and parse_date(value) is None:
            errors[key] = "must be a date like 2026-03-31"
    if errors:
        raise ValidationError("invalid case data", errors)
    return {k: (v.isoformat() if isinstance(v, date | datetime) else v) for k, v in data.items()}


@cache
def _date_fields(definition: Definition) -> frozenset[str]:
    anchors = {spec.anchor for state in definition.states for spec in state.deadlines}
    return frozenset(
        (anchors - {ENTERED})
        | {f for f in definition.fields if f.endswith(("_date", "_on")) or f.startswith("valid_")}
    )


def _access_fields(
    access: str,
    legal_basis: str | None,
    public_title: str | None,
    title: str,
) -> tuple[str, str | None, str]:
    if access not in tuple(Access):
        raise ValidationError(
            f"access must be one of {', '.join(Access)}", {"access": "unknown access level"}
        )
    legal_basis = (legal_basis or "").strip() or None
    public_title = (public_title or "").strip() or None
    if access == Access.EXEMPT and legal_basis is None:
        raise ValidationError(
            "an exempt case needs its legal basis, e.g. 'offl. § 24 tredje ledd'",
            {"legal_basis": "required when exempt"},
        )
    if access == Access.PUBLIC:
        legal_basis = None
        public_title = public_title or title
    elif public_title is None:
        raise ValidationError(
            "an exempt or restricted case needs a public title",
            {"public_title": "required when not public"},
        )
    return access, legal_basis, public_title


def _opener_seat(actor: Actor, council_id: int, day: date, definition: Definition) -> Seat | None:
    if actor.is_system:
        return None
    seat = actor.seat_with_role(council_id, day, definition.openers)
    if seat is None:
        raise PermissionDenied(
            f"opening a {definition.name} case needs one of: {', '.join(definition.openers)}"
        )
    return seat


def _editor_seat(actor: Actor, case: Case, day: date, definition: Definition) -> Seat | None:
    if actor.is_system:
        return None
    blocked = why_not_act(actor, case, day)
    if blocked:
        raise PermissionDenied(blocked)
    seat = actor.seat_with_role(case.council_id, day, EDITOR_ROLES)
    if seat is not None:
        return seat
    if case.created_by_id == actor.person_id and case.state == definition.initial:
        return actor.seats_in(case.council_id, day)[0]
    raise PermissionDenied("only the secretariat, the leaders or the case's author may edit it")


def _linked(other: Case | None, council: Council, what: str) -> int | None:
    if other is None:
        return None
    if other.council_id != council.id:
        raise ValidationError(f"the {what} belongs to another council", {what: "other council"})
    return other.id


def _reference(session: Session, model: Any, council_id: int, ids: Iterable[int], what: str):
    wanted = sorted(set(ids))
    if not wanted:
        return []
    found = list(
        session.scalars(select(model).where(model.council_id == council_id, model.id.in_(wanted)))
    )
    if len(found) != len(wanted):
        unknown = sorted(set(wanted) - {item.id for item in found})
        raise ValidationError(f"unknown {what}: {unknown}", {what: "unknown id"})
    return found
