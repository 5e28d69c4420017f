"""Reference data: the council's bydeler, the police district's units, the priority areas."""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from engine.models import Bydel, PoliceUnit, PriorityArea, UnitCoverage
from web.api.common import COUNCIL, council_of
from web.api.schemas import BydelSchema, PriorityAreaSchema, UnitSchema
from web.db import db

blueprint = Blueprint("api_reference", __name__, description="Reference data")


@blueprint.get(f"/councils/{COUNCIL}/bydeler")
@blueprint.response(200, BydelSchema(many=True))
def bydeler(council):
    """The city districts (bydeler) cases are tagged with."""
    found = council_of(council)
    return db().scalars(select(Bydel).where(Bydel.council_id == found.id).order_by(Bydel.code))


@blueprint.get(f"/councils/{COUNCIL}/units")
@blueprint.response(200, UnitSchema(many=True))
def units(council):
    """The police district's geographic units and the bydeler each covers."""
    found = council_of(council)
    rows = db().scalars(
        select(PoliceUnit)
        .where(PoliceUnit.council_id == found.id)
        .options(selectinload(PoliceUnit.coverage).selectinload(UnitCoverage.bydel))
        .order_by(PoliceUnit.code)
    )
    return [
        {
            "code": unit.code,
            "name": unit.name,
            "bydeler": sorted(c.bydel.code for c in unit.coverage),
            "partly": sorted(c.bydel.code for c in unit.coverage if c.partial),
        }
        for unit in rows
    ]


@blueprint.get(f"/councils/{COUNCIL}/priority-areas")
@blueprint.response(200, PriorityAreaSchema(many=True))
def priority_areas(council):
    """The agreement's priority crime areas."""
    found = council_of(council)
    return db().scalars(
        select(PriorityArea)
        .where(PriorityArea.council_id == found.id)
        .order_by(PriorityArea.number)
    )
