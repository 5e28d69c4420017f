"""A small council with one person in each seat: the world that the tests, the benchmarks
and anyone trying the engine from a Python prompt start from.

Unlike the Oslo demo (``engine.demo``) it carries no history: a council with Oslo's
reference data, one person per role (a cleared and an uncleared member, a guest, a
reporter) whose seats began on 1 January 2020, and one person with no seat at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from engine.actors import Actor, actor_for
from engine.models import Council, Person, PriorityArea
from engine.reference_data import load_oslo_reference_data
from engine.services.people import add_membership, create_council, create_person

SEATS_FROM = date(2020, 1, 1)

# login → (party, role, cleared)
SEATS = {
    "leader": ("municipality", "leader", True),
    "deputy": ("police", "deputy", True),
    "kmember": ("municipality", "member", False),
    "pmember": ("police", "member", True),
    "sec": ("municipality", "secretariat", False),
    "reporter": ("municipality", "reporter", False),
    "guest": ("external", "guest", False),
}


@dataclass
class World:
    council: Council
    people: dict[str, Person] = field(default_factory=dict)

    def actor(self, login: str) -> Actor:
        return actor_for(self.people[login])

    def area(self, session: Session, number: int = 1) -> PriorityArea:
        return next(
            a
            for a in session.query(PriorityArea).filter_by(council_id=self.council.id)
            if a.number == number
        )


def make_world(session: Session, slug: str = "testby") -> World:
    """Create the council ``slug`` and its people; flushes only."""
    system = Actor.system()
    council = create_council(
        session,
        actor=system,
        slug=slug,
        name=f"Politirådet i {slug}",
        municipality=f"{slug} kommune",
        police_district=f"{slug} politidistrikt",
    )
    load_oslo_reference_data(session, council)
    world = World(council)
    for login, (party, role, cleared) in SEATS.items():
        person = create_person(
            session, actor=system, login=f"{slug}-{login}", display_name=login.title()
        )
        add_membership(
            session,
            actor=system,
            person=person,
            council=council,
            party=party,
            role=role,
            valid_from=SEATS_FROM,
            cleared=cleared,
        )
        world.people[login] = person
    outsider = create_person(session, actor=system, login=f"{slug}-outsider", display_name="Ute")
    world.people["outsider"] = outsider
    session.flush()
    for person in world.people.values():
        session.refresh(person)
    return world
