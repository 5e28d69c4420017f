"""Who is acting: a person with their seats in councils, the scheduler, or the public."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.errors import NotFound, PermissionDenied
from engine.models import Membership, Person

SYSTEM_LOGIN = "system"
PUBLIC_LOGIN = "public"


@dataclass(frozen=True)
class Seat:
    """One membership as the policy sees it."""

    council_id: int
    party: str
    role: str
    cleared: bool
    valid_from: date
    valid_to: date | None

    def active_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class Actor:
    """The subject of every service call; services never read the logged-in user themselves."""

    login: str
    person_id: int | None = None
    seats: tuple[Seat, ...] = ()
    is_system: bool = False
    installation_admin: bool = False
    """may change any person's name, e-mail address and activation (never their seats)"""

    @classmethod
    def system(cls) -> Actor:
        return cls(login=SYSTEM_LOGIN, is_system=True)

    @classmethod
    def public(cls) -> Actor:
        return cls(login=PUBLIC_LOGIN)

    def seats_in(self, council_id: int, day: date) -> list[Seat]:
        return [s for s in self.seats if s.council_id == council_id and s.active_on(day)]

    def seat_with_role(self, council_id: int, day: date, roles: tuple[str, ...]) -> Seat | None:
        """The actor's active seat in the council whose role is among ``roles``, if any."""
        for seat in self.seats_in(council_id, day):
            if seat.role in roles:
                return seat
        return None


def load_actor(session: Session, login: str) -> Actor:
    """The actor for a person's login, with all their memberships; inactive people may not act."""
    if login == SYSTEM_LOGIN:
        return Actor.system()
    if login == PUBLIC_LOGIN:
        return Actor.public()
    person = session.scalars(
        select(Person).where(Person.login == login).options(selectinload(Person.memberships))
    ).one_or_none()
    if person is None:
        raise NotFound(f"no person with login '{login}'")
    if not person.active:
        raise PermissionDenied(f"'{login}' is deactivated")
    return actor_for(person)


def actor_for(person: Person) -> Actor:
    return Actor(
        login=person.login,
        person_id=person.id,
        seats=tuple(_seat(m) for m in person.memberships),
        installation_admin=person.installation_admin,
    )


def _seat(m: Membership) -> Seat:
    return Seat(m.council_id, m.party, m.role, m.cleared, m.valid_from, m.valid_to)
