"""Reference data of a council (administration): bydeler, the police district's units and
which bydeler each covers, and the priority areas of the agreement.

Nothing here deletes: cases are tagged with bydeler and priority areas, and a tag must
keep meaning what it meant. A name can be corrected; a unit's coverage can change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.actors import Actor
from engine.errors import NotFound, ValidationError
from engine.models import Bydel, Council, PoliceUnit, PriorityArea, UnitCoverage
from engine.services.people import require_secretariat

# How a unit covers a bydel: the whole of it, or a part (a bydel split between units).
WHOLE, PARTIAL = "whole", "partial"


@dataclass(frozen=True)
class ReferenceData:
    """A council's bydeler, units (with coverage) and priority areas, in their order."""

    bydeler: list[Bydel]
    units: list[PoliceUnit]
    areas: list[PriorityArea]


def reference_data(
    session: Session, council: Council, *, units: bool = True, coverage: bool = True
) -> ReferenceData:
    """The council's bydeler, priority areas and (unless ``units`` is false) police units,
    with which bydeler each unit covers (unless ``coverage`` is false: one query less)."""
    unit_query = (
        select(PoliceUnit).where(PoliceUnit.council_id == council.id).order_by(PoliceUnit.name)
    )
    if coverage:
        unit_query = unit_query.options(selectinload(PoliceUnit.coverage))
    return ReferenceData(
        bydeler=list(
            session.scalars(
                select(Bydel).where(Bydel.council_id == council.id).order_by(Bydel.code)
            )
        ),
        units=list(session.scalars(unit_query)) if units else [],
        areas=list(
            session.scalars(
                select(PriorityArea)
                .where(PriorityArea.council_id == council.id)
                .order_by(PriorityArea.number)
            )
        ),
    )


def _text(value: str | None, field: str, what: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(f"{what} needs a {field.replace('_', ' ')}", {field: "required"})
    if len(value) > limit:
        raise ValidationError(
            f"the {field.replace('_', ' ')} is longer than {limit} characters", {field: "too long"}
        )
    return value


def _own(council: Council, row: Bydel | PoliceUnit | PriorityArea | None, what: str):
    if row is None or row.council_id != council.id:
        raise NotFound(f"no such {what} in {council.name}")
    return row


def add_bydel(session: Session, *, actor: Actor, council: Council, code: str, name: str) -> Bydel:
    """Register a bydel (city district) under a code unique in the council."""
    require_secretariat(actor, council)
    code = _text(code, "code", "a bydel", 40)
    name = _text(name, "name", "a bydel", 100)
    taken = session.scalar(
        select(Bydel.id).where(Bydel.council_id == council.id, Bydel.code == code)
    )
    if taken is not None:
        raise ValidationError(f"a bydel with code {code} exists already", {"code": "taken"})
    bydel = Bydel(council_id=council.id, code=code, name=name)
    session.add(bydel)
    session.flush()
    return bydel


def rename_bydel(
    session: Session, *, actor: Actor, council: Council, bydel_id: int, name: str
) -> Bydel:
    """Correct a bydel's name."""
    require_secretariat(actor, council)
    bydel = _own(council, session.get(Bydel, bydel_id), "bydel")
    bydel.name = _text(name, "name", "a bydel", 100)
    session.flush()
    return bydel


def add_police_unit(
    session: Session, *, actor: Actor, council: Council, code: str, name: str
) -> PoliceUnit:
    """Register a geographic unit of the police district (its coverage is set after)."""
    require_secretariat(actor, council)
    code = _text(code, "code", "a unit", 40)
    name = _text(name, "name", "a unit", 100)
    taken = session.scalar(
        select(PoliceUnit.id).where(PoliceUnit.council_id == council.id, PoliceUnit.code == code)
    )
    if taken is not None:
        raise ValidationError(f"a unit with code {code} exists already", {"code": "taken"})
    unit = PoliceUnit(council_id=council.id, code=code, name=name)
    session.add(unit)
    session.flush()
    return unit


def update_police_unit(
    session: Session,
    *,
    actor: Actor,
    council: Council,
    unit_id: int,
    name: str,
    coverage: Mapping[int, str],
) -> PoliceUnit:
    """Rename a unit and set the bydeler it covers: ``{bydel_id: "whole" | "partial"}``.

    A bydel may be covered in whole by one unit at most; split between units, each covers
    it in part.
    """
    require_secretariat(actor, council)
    unit = _own(council, session.get(PoliceUnit, unit_id), "police unit")
    name = _text(name, "name", "a unit", 100)
    bydeler = {
        b.id: b for b in session.scalars(select(Bydel).where(Bydel.council_id == council.id))
    }
    for bydel_id, how in coverage.items():
        if bydel_id not in bydeler:
            raise NotFound(f"no bydel {bydel_id} in {council.name}")
        if how not in (WHOLE, PARTIAL):
            raise ValidationError(f"coverage is whole or partial, not '{how}'", {"coverage": how})
    others = session.execute(
        select(UnitCoverage.bydel_id, UnitCoverage.partial, PoliceUnit.name)
        .join(PoliceUnit, PoliceUnit.id == UnitCoverage.unit_id)
        .where(UnitCoverage.bydel_id.in_(list(coverage)), UnitCoverage.unit_id != unit.id)
        .order_by(UnitCoverage.bydel_id)
    ).all()
    for bydel_id, partial_there, other in others:
        if coverage[bydel_id] == WHOLE or not partial_there:
            raise ValidationError(
                f"{bydeler[bydel_id].name} is covered by {other} too: "
                "a bydel split between units is covered in part by each",
                {"coverage": "overlap"},
            )
    unit.name = name
    for old in list(unit.coverage):
        session.delete(old)
    session.flush()
    session.expire(unit, ["coverage"])
    session.add_all(
        UnitCoverage(unit_id=unit.id, bydel_id=i, partial=how == PARTIAL)
        for i, how in sorted(coverage.items())
    )
    session.flush()
    return unit


def add_priority_area(
    session: Session, *, actor: Actor, council: Council, number: int, name_nb: str, name_en: str
) -> PriorityArea:
    """Register a priority area of the agreement under a number unique in the council."""
    require_secretariat(actor, council)
    if not 1 <= number <= 99:
        raise ValidationError("a priority area is numbered 1 to 99", {"number": "out of range"})
    name_nb = _text(name_nb, "name_nb", "a priority area", 200)
    name_en = _text(name_en, "name_en", "a priority area", 200)
    taken = session.scalar(
        select(PriorityArea.id).where(
            PriorityArea.council_id == council.id, PriorityArea.number == number
        )
    )
    if taken is not None:
        raise ValidationError(f"priority area {number} exists already", {"number": "taken"})
    area = PriorityArea(council_id=council.id, number=number, name_nb=name_nb, name_en=name_en)
    session.add(area)
    session.flush()
    return area


def rename_priority_area(
    session: Session, *, actor: Actor, council: Council, area_id: int, name_nb: str, name_en: str
) -> PriorityArea:
    """Correct a priority area's names."""
    require_secretariat(actor, council)
    area = _own(council, session.get(PriorityArea, area_id), "priority area")
    area.name_nb = _text(name_nb, "name_nb", "a priority area", 200)
    area.name_en = _text(name_en, "name_en", "a priority area", 200)
    session.flush()
    return area
