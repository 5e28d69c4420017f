"""Reference data: bydeler, the police district's geographic units, priority areas."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base


class Bydel(Base):
    """A city district (bydel)."""

    __tablename__ = "bydel"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))

    __table_args__ = (UniqueConstraint("council_id", "code"),)


class PoliceUnit(Base):
    """A geographic unit of the police district (Enhet Øst, Sentrum, Vest)."""

    __tablename__ = "police_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))

    coverage: Mapped[list[UnitCoverage]] = relationship(back_populates="unit")

    __table_args__ = (UniqueConstraint("council_id", "code"),)


class UnitCoverage(Base):
    """Which bydeler a unit covers; ``partial`` where a bydel is split between units."""

    __tablename__ = "unit_coverage"

    unit_id: Mapped[int] = mapped_column(
        ForeignKey("police_unit.id", ondelete="CASCADE"), primary_key=True
    )
    bydel_id: Mapped[int] = mapped_column(
        ForeignKey("bydel.id", ondelete="CASCADE"), primary_key=True
    )
    partial: Mapped[bool] = mapped_column(default=False)

    unit: Mapped[PoliceUnit] = relationship(back_populates="coverage")
    bydel: Mapped[Bydel] = relationship()


class PriorityArea(Base):
    """One of the agreement's priority crime areas."""

    __tablename__ = "priority_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("council.id", ondelete="CASCADE"))
    number: Mapped[int]
    name_nb: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("council_id", "number"),)
