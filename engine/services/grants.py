"""Four eyes on clearance and on seats with power (tilgang som venter på godkjenning).

Clearance for restricted items, a seat in the secretariat or as leader or deputy, and any seat
for a person who has never sat in the council take effect only when a second person approves
them. The rule:

- **asking** is for the council's secretariat (an active seat today), never for oneself;
- **approving or refusing** is for someone with an active secretariat, leader or deputy seat in
  the council today who neither asked for the grant nor is the person it is about; clearance
  (or a seat given cleared) needs that seat to be cleared as well;
- **withdrawing** is for the person who asked.

The operator's command line acts as the system and gives seats and clearance directly (it is
trusted, as the installation's operator); it never approves a grant. Every request and decision
is a ``membership`` event in the audit chain and a message to the person and the council's
leaders.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from engine import audit, outbox
from engine.actors import Actor
from engine.clock import resolve
from engine.errors import Conflict, NotFound, PermissionDenied, ValidationError
from engine.models import Council, Membership, Person, SeatGrant
from engine.models.enums import GrantKind, GrantState, Role
from engine.notifications import council_people
from engine.services.seats import (
    POWER_ROLES,
    audit_grant,
    audit_seat,
    check_seat,
    new_seat,
    oslo_day,
    require_secretariat,
)

ROLE_WORDS = {
    "nb": {
        Role.LEADER: "leder",
        Role.DEPUTY: "nestleder",
        Role.MEMBER: "medlem",
        Role.SECRETARIAT: "sekretariatet",
        Role.REPORTER: "rapportør",
        Role.GUEST: "gjest",
    },
    "en": {
        Role.LEADER: "leader",
        Role.DEPUTY: "deputy leader",
        Role.MEMBER: "member",
        Role.SECRETARIAT: "secretariat",
        Role.REPORTER: "reporter",
        Role.GUEST: "guest",
    },
}
PARTY_WORDS = {
    "nb": {"municipality": "kommunen", "police": "politiet", "external": "ekstern"},
    "en": {"municipality": "the municipality", "police": "the police", "external": "external"},
}


# --- asking -----------------------------------------------------------------------------------


def request_clearance(
    session: Session, *, actor: Actor, membership: Membership, now: datetime | None = None
) -> SeatGrant:
    """Ask that a seat be cleared for restricted items; it is cleared when another person
    with the power approves. Asking again for the same seat returns the grant waiting."""
    now = resolve(now)
    council = membership.council
    _require_requester(actor, council, membership.person_id)
    if membership.cleared:
        raise ValidationError("the seat is cleared already", {"cleared": "already"})
    if membership.valid_to is not None and membership.valid_to < oslo_day(now):
        raise ValidationError("the seat has ended", {"cleared": "ended"})
    waiting = _pending(session, council.id, membership.person_id, GrantKind.CLEARANCE)
    if waiting is not None:
        if waiting.membership_id == membership.id:
            return waiting
        raise Conflict(
            f"{membership.person.display_name} waits for clearance of another seat already"
        )
    grant = SeatGrant(
        council=council, person=membership.person, kind=GrantKind.CLEARANCE, membership=membership
    )
    changes = {
        "kind": [None, GrantKind.CLEARANCE],
        "membership": [None, membership.id],
        "role": [None, membership.role],
        "party": [None, membership.party],
    }
    return _ask(session, actor, grant, changes, now)


def request_seat(
    session: Session,
    *,
    actor: Actor,
    person: Person,
    council: Council,
    party: str,
    role: str,
    valid_from: date,
    valid_to: date | None = None,
    appointed_by: Person | None = None,
    cleared: bool = False,
    now: datetime | None = None,
) -> SeatGrant:
    """Ask that a person be given a seat; it is given when another person with the power
    approves."""
    now = resolve(now)
    _require_requester(actor, council, person.id)
    check_seat(party, role, valid_from, valid_to)
    if _pending(session, council.id, person.id, GrantKind.SEAT) is not None:
        raise Conflict(f"a seat for {person.display_name} waits for approval already")
    grant = SeatGrant(
        council=council,
        person=person,
        kind=GrantKind.SEAT,
        party=party,
        role=role,
        valid_from=valid_from,
        valid_to=valid_to,
        appointed_by=appointed_by,
        cleared=cleared,
    )
    changes = {
        "kind": [None, GrantKind.SEAT],
        "party": [None, party],
        "role": [None, role],
        "valid_from": [None, valid_from.isoformat()],
        "valid_to": [None, valid_to.isoformat() if valid_to else None],
        "appointed_by": [None, appointed_by.login if appointed_by else None],
        "cleared": [None, cleared],
    }
    return _ask(session, actor, grant, changes, now)


def _require_requester(actor: Actor, council: Council, person_id: int) -> None:
    if actor.is_system or actor.person_id is None:
        raise PermissionDenied("a grant is asked for by a person; the system gives seats directly")
    require_secretariat(actor, council)
    if actor.person_id == person_id:
        raise PermissionDenied("nobody may ask for clearance or a seat with power for themselves")


def _ask(
    session: Session, actor: Actor, grant: SeatGrant, changes: dict[str, list[Any]], now: datetime
) -> SeatGrant:
    audit.next_seq(session.connection())  # lock the chain's head first, as every writer does
    grant.state = GrantState.PENDING
    grant.requested_by_id = actor.person_id
    grant.requested_at = now
    try:
        with session.begin_nested():
            session.add(grant)
    except IntegrityError:
        raise Conflict("a grant of this kind waits for approval already") from None
    audit_grant(session, actor, grant, {**changes, "state": [None, GrantState.PENDING]}, now)
    _notify(session, grant, "requested", actor, now)
    return grant


def _pending(session: Session, council_id: int, person_id: int, kind: str) -> SeatGrant | None:
    return session.scalars(
        select(SeatGrant).where(
            SeatGrant.council_id == council_id,
            SeatGrant.person_id == person_id,
            SeatGrant.kind == kind,
            SeatGrant.state == GrantState.PENDING,
        )
    ).first()


# --- deciding ---------------------------------------------------------------------------------


def why_not_decide(actor: Actor, grant: SeatGrant, day: date) -> str | None:
    """None if the actor may approve or refuse the grant on ``day``, else the reason."""
    if actor.is_system or actor.person_id is None:
        return "a grant is approved by a person; the system gives seats directly"
    if actor.person_id == grant.requested_by_id:
        return "you asked for it yourself: another person must approve it"
    if actor.person_id == grant.person_id:
        return "it is about you: another person must approve it"
    seats = [s for s in actor.seats_in(grant.council_id, day) if s.role in POWER_ROLES]
    if not seats:
        return "only the council's secretariat, leader or deputy may approve it"
    if _needs_clearance(grant) and not any(s.cleared for s in seats):
        return "only a cleared member of the secretariat, leader or deputy may approve clearance"
    return None


def why_not_withdraw(actor: Actor, grant: SeatGrant) -> str | None:
    """None if the actor may withdraw the grant (the person who asked for it)."""
    if actor.person_id is not None and actor.person_id == grant.requested_by_id:
        return None
    return "only the person who asked for it may withdraw it; others refuse it"


def _needs_clearance(grant: SeatGrant) -> bool:
    return grant.kind == GrantKind.CLEARANCE or grant.cleared


def approve_grant(
    session: Session, *, actor: Actor, grant: SeatGrant, now: datetime | None = None
) -> SeatGrant:
    """Approve a grant waiting for a second person: the seat is given, or cleared, now."""
    now = resolve(now)
    _require_decider(actor, grant, now)
    audit.next_seq(session.connection())  # lock the chain's head first, as every writer does
    if grant.kind == GrantKind.CLEARANCE:
        seat = grant.membership
        if seat is None or (seat.valid_to is not None and seat.valid_to < oslo_day(now)):
            raise ValidationError("the seat has ended: refuse the grant", {"grant": "ended"})
    _decide(session, actor, grant, GrantState.APPROVED, now)
    if grant.kind == GrantKind.CLEARANCE:
        assert grant.membership is not None
        if not grant.membership.cleared:
            audit_seat(session, actor, grant.membership, {"cleared": [False, True]}, now)
            grant.membership.cleared = True
    else:
        assert grant.party and grant.role and grant.valid_from
        grant.membership = new_seat(
            session,
            actor=actor,
            person=grant.person,
            council_id=grant.council_id,
            party=grant.party,
            role=grant.role,
            valid_from=grant.valid_from,
            valid_to=grant.valid_to,
            appointed_by=grant.appointed_by,
            cleared=grant.cleared,
            now=now,
        )
    session.flush()
    return grant


def refuse_grant(
    session: Session, *, actor: Actor, grant: SeatGrant, now: datetime | None = None
) -> SeatGrant:
    """Refuse a grant waiting for a second person: nothing is given."""
    now = resolve(now)
    _require_decider(actor, grant, now)
    _decide(session, actor, grant, GrantState.REFUSED, now)
    return grant


def withdraw_grant(
    session: Session, *, actor: Actor, grant: SeatGrant, now: datetime | None = None
) -> SeatGrant:
    """Withdraw one's own request while it waits."""
    now = resolve(now)
    reason = why_not_withdraw(actor, grant)
    if reason:
        raise PermissionDenied(reason)
    _require_pending(grant)
    _decide(session, actor, grant, GrantState.WITHDRAWN, now)
    return grant


def withdraw_waiting(
    session: Session, *, actor: Actor, person: Person, council: Council, now: datetime
) -> list[SeatGrant]:
    """Withdraw every grant about ``person`` waiting in the council (their seats there end);
    the caller has checked that the actor administers the council."""
    waiting = list(
        session.scalars(
            select(SeatGrant)
            .where(
                SeatGrant.council_id == council.id,
                SeatGrant.person_id == person.id,
                SeatGrant.state == GrantState.PENDING,
            )
            .order_by(SeatGrant.id)
        )
    )
    for grant in waiting:
        _decide(session, actor, grant, GrantState.WITHDRAWN, now)
    return waiting


def _require_pending(grant: SeatGrant) -> None:
    if grant.state != GrantState.PENDING:
        raise Conflict(f"the grant is {grant.state} already")


def _require_decider(actor: Actor, grant: SeatGrant, now: datetime) -> None:
    _require_pending(grant)
    reason = why_not_decide(actor, grant, oslo_day(now))
    if reason:
        raise PermissionDenied(reason)


def _decide(session: Session, actor: Actor, grant: SeatGrant, state: str, now: datetime) -> None:
    audit.next_seq(session.connection())  # lock the chain's head first, as every writer does
    audit_grant(session, actor, grant, {"state": [grant.state, state]}, now)
    grant.state = state
    grant.decided_by_id = actor.person_id
    grant.decided_at = now
    session.flush()
    _notify(session, grant, state, actor, now)


# --- reading ----------------------------------------------------------------------------------


def require_grant_reader(actor: Actor, council: Council) -> None:
    """PermissionDenied unless the actor may see the council's grants: those who may ask for
    or decide them (an active secretariat, leader or deputy seat today)."""
    if actor.is_system or actor.seat_with_role(council.id, oslo_day(), POWER_ROLES):
        return
    raise PermissionDenied("only the secretariat and the leaders see the grants of a council")


def council_grants(session: Session, council: Council, *, limit: int = 50) -> list[SeatGrant]:
    """The council's grants: every one waiting, then the latest decided, newest first."""
    query = (
        select(SeatGrant)
        .where(SeatGrant.council_id == council.id)
        .options(
            selectinload(SeatGrant.person),
            selectinload(SeatGrant.requested_by),
            selectinload(SeatGrant.decided_by),
            selectinload(SeatGrant.membership),
        )
    )
    waiting = session.scalars(
        query.where(SeatGrant.state == GrantState.PENDING).order_by(SeatGrant.requested_at)
    ).all()
    decided = session.scalars(
        query.where(SeatGrant.state != GrantState.PENDING)
        .order_by(SeatGrant.decided_at.desc(), SeatGrant.id.desc())
        .limit(limit)
    ).all()
    return [*waiting, *decided]


def person_grants(
    session: Session, person: Person, council: Council | None = None
) -> list[SeatGrant]:
    """The grants about a person (in ``council`` if given), waiting ones first, newest first."""
    query = select(SeatGrant).where(SeatGrant.person_id == person.id)
    if council is not None:
        query = query.where(SeatGrant.council_id == council.id)
    grants = session.scalars(query.order_by(SeatGrant.id.desc())).all()
    return sorted(grants, key=lambda g: g.state != GrantState.PENDING)


def get_grant(session: Session, grant_id: int) -> SeatGrant:
    """The grant with ``grant_id`` (the command line names grants by number)."""
    grant = session.get(SeatGrant, grant_id)
    if grant is None:
        raise NotFound(f"no grant {grant_id}")
    return grant


def waiting_grants(session: Session, council: Council | None = None) -> list[SeatGrant]:
    """Every grant waiting for approval (in ``council`` if given), oldest first."""
    query = select(SeatGrant).where(SeatGrant.state == GrantState.PENDING)
    if council is not None:
        query = query.where(SeatGrant.council_id == council.id)
    return list(session.scalars(query.order_by(SeatGrant.requested_at, SeatGrant.id)))


def council_grant(session: Session, council: Council, grant_id: int) -> SeatGrant:
    """A grant of the council; NotFound for one of another council."""
    grant = session.get(SeatGrant, grant_id)
    if grant is None or grant.council_id != council.id:
        raise NotFound(f"no grant {grant_id} in {council.name}")
    return grant


# --- messages ---------------------------------------------------------------------------------


def describe(grant: SeatGrant, locale: str) -> str:
    """What the grant gives, in words: "klarering for skjermede saker", "plass som leder"."""
    en = locale == "en"
    if grant.kind == GrantKind.CLEARANCE:
        return "clearance for restricted items" if en else "klarering for skjermede saker"
    role = ROLE_WORDS["en" if en else "nb"].get(grant.role or "", grant.role)
    party = PARTY_WORDS["en" if en else "nb"].get(grant.party or "", grant.party)
    cleared = (", cleared" if en else ", klarert") if grant.cleared else ""
    return f"a seat as {role} ({party}{cleared})" if en else f"plass som {role} ({party}{cleared})"


_SUBJECTS: dict[str, tuple[str, str]] = {
    "requested": ("Venter på godkjenning", "Waiting for approval"),
    GrantState.APPROVED: ("Godkjent", "Approved"),
    GrantState.REFUSED: ("Avslått", "Refused"),
    GrantState.WITHDRAWN: ("Trukket tilbake", "Withdrawn"),
}


def _texts(grant: SeatGrant, what: str, actor_name: str) -> Callable[[str], tuple[str, str]]:
    council, person = grant.council, grant.person
    link = f"/{council.slug}/admin/grants"

    def texts(locale: str) -> tuple[str, str]:
        en = locale == "en"
        heading = _SUBJECTS[what][1 if en else 0]
        given = describe(grant, locale)
        subject = (
            f"{heading}: {given} for {person.display_name} in {council.name}"
            if en
            else f"{heading}: {given} for {person.display_name} i {council.name}"
        )
        if what == "requested":
            body = (
                f"{actor_name} asked for {given} for {person.display_name} ({person.login}). "
                "It takes effect only when another member of the secretariat, the leader or "
                f"the deputy approves it: {link}"
                if en
                else f"{actor_name} har bedt om {given} for {person.display_name} "
                f"({person.login}). Det gjelder først når en annen i sekretariatet, lederen "
                f"eller nestlederen har godkjent det: {link}"
            )
        else:
            verb = {
                GrantState.APPROVED: ("godkjente", "approved"),
                GrantState.REFUSED: ("avslo", "refused"),
                GrantState.WITHDRAWN: ("trakk tilbake", "withdrew"),
            }[what][1 if en else 0]
            body = (
                f"{actor_name} {verb} the request for {given} for {person.display_name}: {link}"
                if en
                else f"{actor_name} {verb} forespørselen om {given} for {person.display_name}: "
                f"{link}"
            )
        return subject, body + "\n"

    return texts


def _notify(session: Session, grant: SeatGrant, what: str, actor: Actor, now: datetime) -> None:
    """Tell the person the grant is about and the council's leaders (leader and deputy)."""
    leaders = council_people(session, grant.council_id, (Role.LEADER, Role.DEPUTY), oslo_day(now))
    recipients = [
        person_id
        for person_id in dict.fromkeys([grant.person_id, *leaders])
        if person_id != actor.person_id
    ]
    if not recipients:
        return
    actor_name = _actor_name(session, actor)
    texts = _texts(grant, what, actor_name)
    locales = dict(
        session.execute(select(Person.id, Person.locale).where(Person.id.in_(recipients))).all()
    )
    for person_id in recipients:
        subject, body = texts(locales.get(person_id, "nb"))
        outbox.queue(
            session,
            case=None,
            council_id=grant.council_id,
            recipient_id=person_id,
            topic=f"grant_{what}",
            subject=subject,
            body=body,
            payload={"grant": grant.id},
            now=now,
        )
    session.flush()


def _actor_name(session: Session, actor: Actor) -> str:
    if actor.person_id is None:
        return "Systemet"
    person = session.get(Person, actor.person_id)
    return person.display_name if person else actor.login
