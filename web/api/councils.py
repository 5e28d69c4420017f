"""Councils, parties, people (as far as the caller may see them) and the caller."""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engine.access import COUNCIL_ROLES
from engine.models import Council, Membership, Party, Person
from engine.models.enums import Role
from web.api import auth
from web.api.common import COUNCIL, council_of, today
from web.api.problems import Problem
from web.api.schemas import CouncilSchema, MeSchema, PartySchema, PersonSchema
from web.db import db

blueprint = Blueprint("api_councils", __name__, description="Councils, parties and people")


@blueprint.get("/councils")
@blueprint.response(200, CouncilSchema(many=True))
def councils():
    """Every council of the installation."""
    return db().scalars(select(Council).order_by(Council.slug)).all()


@blueprint.get(f"/councils/{COUNCIL}")
@blueprint.response(200, CouncilSchema)
def council(council):
    """One council."""
    return council_of(council)


@blueprint.get("/parties")
@blueprint.response(200, PartySchema(many=True))
def parties():
    """The parties a person belongs to: the municipality, the police, external guests."""
    return db().scalars(select(Party).order_by(Party.code)).all()


@blueprint.get(f"/councils/{COUNCIL}/people")
@blueprint.response(200, PersonSchema(many=True))
def people(council):
    """The council's people with a seat today; only for those who sit in it themselves.

    Clearance for restricted cases is shown to the secretariat only.
    """
    found = council_of(council)
    actor, day = auth.actor(), today()
    if not actor.is_system and not actor.seats_in(found.id, day):
        raise Problem(403, "only the council's own people see who sits in it", kind="forbidden")
    secretariat = actor.seat_with_role(found.id, day, (Role.SECRETARIAT,)) is not None
    seated = db().scalars(
        select(Person)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.council_id == found.id, Person.active.is_(True))
        .options(selectinload(Person.memberships))
        .distinct()
        .order_by(Person.display_name, Person.login)
    )
    result = []
    for person in seated:
        seats = [
            _seat(m, found, secretariat)
            for m in person.memberships
            if m.council_id == found.id and m.active_on(day)
        ]
        if seats:
            result.append(
                {"login": person.login, "display_name": person.display_name, "seats": seats}
            )
    return result


@blueprint.get("/me")
@blueprint.response(200, MeSchema)
def me():
    """The person the token acts as, with their seats (401 without a token)."""
    token = auth.token()
    person = db().get(Person, token.person_id)
    day = today()
    councils = {c.id: c for c in db().scalars(select(Council))}
    return {
        "login": person.login,
        "display_name": person.display_name,
        "seats": [
            _seat(m, councils[m.council_id], True) for m in person.memberships if m.active_on(day)
        ],
        "token_scope": token.scope,
        "token_expires_at": token.expires_at,
    }


def _seat(membership: Membership, council: Council, show_clearance: bool) -> dict:
    return {
        "council": council.slug,
        "party": membership.party,
        "role": membership.role,
        "valid_from": membership.valid_from,
        "valid_to": membership.valid_to,
        "cleared": membership.cleared
        if show_clearance and membership.role in COUNCIL_ROLES
        else None,
    }
